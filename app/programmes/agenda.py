"""A class's agenda: sessions in whole JP (jam pelajaran of 45 minutes), inside the class's days,
never overlapping; every rule reported at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from flask_babel import gettext as _

from app.audit import services as audit
from app.auth.models import User
from app.core.formatting import format_date, format_time
from app.errors import Problem, raise_if_any
from app.programmes.models import AgendaSession, TrainingClass


@dataclass
class AgendaData:
    day: date
    start_time: time
    end_time: time
    topic: str
    jp: int
    speaker: str | None = None


MINUTES_PER_JP = 45  # one jam pelajaran in government training


def _minutes(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def jp_that_fit(start: time, end: time) -> int:
    """How many whole JP of 45 minutes a session from `start` to `end` can hold."""
    return max(_minutes(start, end), 0) // MINUTES_PER_JP


def agenda_problems(training_class: TrainingClass, data: AgendaData) -> list[Problem]:
    """Every rule a new agenda session breaks; inputs the form could not parse are None and skipped."""
    problems = []
    if data.day is not None and not training_class.start_date <= data.day <= training_class.end_date:
        problems.append(Problem(_("Hari sesi harus di antara tanggal mulai dan selesai kelas."), "day"))
    times_known = data.start_time is not None and data.end_time is not None
    if times_known and data.end_time <= data.start_time:
        problems.append(Problem(_("Jam selesai harus setelah jam mulai."), "end_time"))
    elif times_known and data.jp is not None and data.jp > jp_that_fit(data.start_time, data.end_time):
        problems.append(
            Problem(
                _(
                    "Sesi %(start)s–%(end)s hanya memuat paling banyak %(fit)s JP (1 JP = 45 menit), bukan %(jp)s JP.",
                    start=format_time(data.start_time),
                    end=format_time(data.end_time),
                    fit=jp_that_fit(data.start_time, data.end_time),
                    jp=data.jp,
                ),
                "jp",
            )
        )
    if times_known and data.day is not None:
        for other in training_class.agenda:
            if other.day == data.day and other.start_time < data.end_time and data.start_time < other.end_time:
                problems.append(
                    Problem(
                        _(
                            "Sesi bertabrakan dengan %(topic)s (%(start)s–%(end)s).",
                            topic=other.topic,
                            start=format_time(other.start_time),
                            end=format_time(other.end_time),
                        ),
                        "start_time",
                    )
                )
    return problems


def agenda_warnings(data: AgendaData) -> list[str]:
    """Advice, not refusals: a session that could hold two or more JP more than it states. One JP
    less is normal (a coffee break inside the block), and 0 JP marks an opening or a break, so
    neither is flagged; the organiser may still mean it, so the session is saved anyway."""
    fit = jp_that_fit(data.start_time, data.end_time)
    if data.jp and fit - data.jp >= 2:
        return [
            _(
                "Sesi %(start)s–%(end)s (%(minutes)s menit) dapat memuat %(fit)s JP, tetapi diisi %(jp)s JP. "
                "Periksa kembali bila bukan karena istirahat.",
                start=format_time(data.start_time),
                end=format_time(data.end_time),
                minutes=_minutes(data.start_time, data.end_time),
                fit=fit,
                jp=data.jp,
            )
        ]
    return []


def add_agenda_session(training_class: TrainingClass, data: AgendaData, by: User | None) -> AgendaSession:
    """Add a session after every agenda rule has run; ValidationFailed lists all that failed."""
    raise_if_any(agenda_problems(training_class, data))
    session = AgendaSession(
        day=data.day,
        start_time=data.start_time,
        end_time=data.end_time,
        topic=data.topic.strip(),
        jp=data.jp,
        speaker=(data.speaker or "").strip() or None,
    )
    training_class.agenda.append(session)
    label = f"{format_date(data.day)} {format_time(data.start_time)} {session.topic}"
    audit.record(training_class, "agenda", by, {"agenda": [None, label]})
    return session


def remove_agenda_session(session: AgendaSession, by: User | None) -> None:
    training_class = session.training_class
    label = f"{format_date(session.day)} {format_time(session.start_time)} {session.topic}"
    audit.record(training_class, "agenda", by, {"agenda": [label, None]})
    training_class.agenda.remove(session)
