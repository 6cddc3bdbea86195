"""The plan as XLSX and as iCalendar (.ics) for facilitators' calendars."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from flask_babel import gettext as _
from icalendar import Calendar, Event

from app.core.export import xlsx_bytes
from app.extensions import utcnow
from app.programmes.models import ClassStatus, TrainingClass


def _window(c: TrainingClass) -> tuple[str, str]:
    def fmt(moment: datetime | None) -> str:
        return moment.astimezone(c.zoneinfo).strftime("%Y-%m-%d %H:%M") if moment else ""

    return fmt(c.registration_opens_at), fmt(c.registration_closes_at)


def schedule_xlsx(classes: Iterable[TrainingClass]) -> bytes:
    header = [
        _("Program"),
        _("Tahun"),
        _("Angkatan"),
        _("Kelas"),
        _("Tempat"),
        _("Kabupaten/kota"),
        _("Provinsi"),
        _("Zona waktu"),
        _("Mulai"),
        _("Selesai"),
        _("Kapasitas"),
        _("Provinsi dilayani"),
        _("Fasilitator"),
        _("Status"),
        _("Pendaftaran dibuka"),
        _("Pendaftaran ditutup"),
    ]
    rows = []
    for c in classes:
        opens, closes = _window(c)
        rows.append(
            [
                c.batch.programme.code,
                c.batch.programme.year,
                c.batch.number,
                c.name,
                c.venue_name,
                c.regency.name,
                c.province.name,
                c.tz_label,
                c.start_date,
                c.end_date,
                c.capacity,
                ", ".join(f"{p.province.name}" + (f" ({p.seats})" if p.seats else "") for p in c.provinces),
                ", ".join(u.full_name for u in c.facilitators),
                c.state.label,
                opens,
                closes,
            ]
        )
    return xlsx_bytes(_("Jadwal"), header, rows)


def schedule_ics(classes: Iterable[TrainingClass], name: str) -> bytes:
    """One all-day event per class (the venue's dates), with the agenda in the description."""
    calendar = Calendar()
    calendar.add("prodid", "-//Perpustakaan Nasional RI//Sibimtek//ID")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    stamp = utcnow()
    for c in classes:
        event = Event()
        event.add("uid", f"kelas-{c.id}@sibimtek")
        event.add("dtstamp", stamp)
        event.add("dtstart", c.start_date)
        event.add("dtend", c.end_date + timedelta(days=1))  # DTEND of an all-day event is exclusive
        event.add("summary", f"{c.batch.programme.code}: {c.name}")
        event.add("location", ", ".join(x for x in (c.venue_name, c.venue_address, c.regency.name) if x))
        lines = [
            f"{c.batch.programme.name} {c.batch.programme.year} · {c.batch.name}",
            _("Provinsi dilayani: %(p)s", p=", ".join(p.province.name for p in c.provinces)),
            _("Fasilitator: %(f)s", f=", ".join(u.full_name for u in c.facilitators) or "—"),
        ]
        lines += [
            f"{s.day:%d-%m} {s.start_time:%H.%M}–{s.end_time:%H.%M} {c.tz_label}: {s.topic} ({s.jp} JP)"
            for s in c.agenda
        ]
        event.add("description", "\n".join(lines))
        event.add("status", "CANCELLED" if c.status is ClassStatus.CANCELLED else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
