"""Demo certificates: those of the Mataram class of May 2023 (attendance marked by the demo) are
issued, so that the demo participant can download one and anyone can verify it."""

from __future__ import annotations

from sqlalchemy import select

from app.certificates.issuing import issue_class
from app.certificates.settings import settings_for
from app.extensions import db
from app.programmes.models import Programme, TrainingClass

SIGNATORY_2023 = "Drs. Muhammad Syarif Bando, M.M."  # Kepala Perpustakaan Nasional RI in 2023


def issue_mataram() -> int:
    """Issue to everyone of the class who meets the rule (none twice: run it again, nothing new)."""
    c = db.session.scalar(
        select(TrainingClass)
        .join(TrainingClass.batch)
        .join(Programme)
        .where(Programme.year == 2023, TrainingClass.venue_name == "Aston Inn Mataram")
    )
    if c is None:
        return 0
    settings = settings_for(c.batch.programme)
    if not settings.signatories[0].get("name"):  # who signed in May 2023 (the defaults name only the office)
        settings.signatories = [{**settings.signatories[0], "name": SIGNATORY_2023}, *settings.signatories[1:]]
    issued, _skipped = issue_class(c, by=None)
    db.session.flush()
    return issued
