"""The roles of the platform and who may do what, named once.

Roles live in core because access is declared with them at every view (`@roles_required(*PLANNERS)`)
and checked in code (`user.has_role(*PLANNERS)`), in every domain; `auth` keeps the users who hold them.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.enums import LabelledStrEnum


class Role(LabelledStrEnum):
    ADMIN = "admin", _l("Admin")
    ORGANISER = "organiser", _l("Panitia")  # Perpusnas staff who plan classes and approve people
    FACILITATOR = "facilitator", _l("Fasilitator")  # marks attendance in their own classes
    PARTICIPANT = "participant", _l("Peserta")  # library staff who register
    COORDINATOR = "coordinator", _l("Koordinator provinsi")  # provincial coordinator: one province, read-only


# Who may do what, named once: views declare it (`@roles_required(*PLANNERS)`), code checks it
# (`user.has_role(*PLANNERS)`).
PLANNERS = (Role.ADMIN, Role.ORGANISER)  # plan programmes and classes, decide on people and requests
MARKERS = (*PLANNERS, Role.FACILITATOR)  # mark attendance (facilitators: in their own classes)
OVERSEERS = (*PLANNERS, Role.COORDINATOR)  # read libraries and figures (coordinators: their province)
STAFF = (*PLANNERS, Role.FACILITATOR, Role.COORDINATOR)  # everyone but participants
