"""The settings page's preview: a sample certificate with made-up holder and class (nothing is
issued, numbered or stored), to be rendered with the settings being edited."""

from __future__ import annotations

from app import clock
from app.certificates.issuing import format_number
from app.certificates.models import Certificate, CertificateSettings, CertificateStatus
from app.programmes.models import Programme

SAMPLE_HOLDER = "Baiq Nurul Hidayati, S.Pd."
HOLDER_MAX = 100  # as long as a name the preview prints may be


def sample_certificate(programme: Programme, settings: CertificateSettings, holder: str | None = None) -> Certificate:
    """An unsaved certificate of `programme`: number 1 of its pattern (dated at the end of its first
    batch, or today), a sample class in Mataram, and `holder` (cut to 100 characters) or a sample name."""
    on = programme.batches[0].end_date if programme.batches else clock.today()
    return Certificate(
        id=0,
        programme_id=programme.id,
        seq=1,
        version=1,
        code="CONTOH" + "x" * 37,
        short_code="CONT-OH12-34",
        number=format_number(settings.number_pattern, 1, programme, on),
        status=CertificateStatus.VALID,
        holder_name=(SAMPLE_HOLDER if holder is None else holder)[:HOLDER_MAX],
        details={
            "programme": programme.name,
            "programme_code": programme.code,
            "year": programme.year,
            "class": "Kelas Bali – Nusa Tenggara Barat",
            "batch": "Angkatan 2",
            "place": "Kota Mataram",
            "venue": "Aston Inn Mataram",
            "dates": "22–25 Mei 2023",
            "start": "2023-05-22",
            "end": "2023-05-25",
            "jp": programme.jp_total,
            "library": "Perpustakaan Desa",
            "agenda": [{"day": "22 Mei 2023", "topic": "Kebijakan TPBIS", "jp": programme.jp_total}],
        },
    )
