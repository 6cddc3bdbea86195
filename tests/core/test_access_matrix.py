"""Every route × seven identities, on objects that belong to someone else.

The world: a finished Bali–NTB class in NTB with participant A's registration (and two more), its
facilitator, certificates, a bulk job, an agenda session, A's name-correction and deletion
requests, a proposed library and a mail. The identities: anonymous, participant A (the owner),
participant B (another participant), the facilitator of another class, the coordinator of another
province (Jawa Timur), an organiser and an admin.

`ALLOWED` names, for every endpoint, who may use it; everybody else must be turned away (sent to
the login page, 403 or 404) and must not change anything. A new route without an entry fails
`test_every_route_has_an_entry`, so the matrix grows with the app.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from tests.api import bearer
from tests.conftest import login

IDENTITIES = (
    "anonymous",
    "participant_a",
    "participant_b",
    "other_facilitator",
    "other_coordinator",
    "organiser",
    "admin",
)
STAFF = {"organiser", "admin"}
LOGGED_IN = set(IDENTITIES) - {"anonymous"}
EVERYONE = set(IDENTITIES)
OWNER = {"participant_a"} | STAFF
TOKEN_HOLDERS = {"other_facilitator", "other_coordinator"} | STAFF  # staff roles hold API tokens

# Who may use each endpoint, on the world's objects (someone else's for the other identities).
ALLOWED: dict[str, set[str]] = {
    # public pages and the sign-in flow
    "core.index": EVERYONE,
    "core.privacy": EVERYONE,
    "core.set_language": EVERYONE,
    "core.healthz": EVERYONE,  # load balancers and orchestrators ask without an account
    "core.readyz": EVERYONE,
    "catalogue.index": EVERYONE,
    "catalogue.class_page": EVERYONE,
    "auth.login": EVERYONE,
    "auth.register": EVERYONE,
    "auth.forgot_password": EVERYONE,
    "auth.reset_password": EVERYONE,
    "auth.resend_verification": EVERYONE,
    "auth.verify_email": EVERYONE,
    "certificates.verify_form": EVERYONE,
    "certificates.verify": EVERYONE,
    "regions.children": EVERYONE,
    "libraries.search": EVERYONE,
    "attendance.offline": EVERYONE,
    "attendance.manifest": EVERYONE,
    "attendance.service_worker": EVERYONE,
    "attendance.check_in": EVERYONE,  # the token decides; an invalid one is refused for all
    # any account, about itself
    "reports.dashboard": LOGGED_IN,
    "auth.account": LOGGED_IN,
    "auth.logout": LOGGED_IN,
    "auth.end_other_sessions": LOGGED_IN,
    "auth.end_one_session": {"participant_a"},  # A's other browser; nobody ends another account's session
    "registration.mine": LOGGED_IN,
    "privacy.my_data": LOGGED_IN,
    "privacy.my_data_json": LOGGED_IN,
    "privacy.my_data_xlsx": LOGGED_IN,
    "privacy.my_requests": LOGGED_IN,
    "privacy.my_request": {"participant_a"},  # A's data request
    "privacy.access_log": {"admin"},
    "privacy.access_log_xlsx": {"admin"},
    "privacy.erase_mine": LOGGED_IN,
    # participant A's own registration
    "registration.cancel_mine": {"participant_a"},
    "certificates.confirm_name": {"participant_a"},
    "privacy.correct": {"participant_a"},
    "registration.letter": OWNER,
    "certificates.download": OWNER,
    "registration.register": {"participant_a", "participant_b"},
    "registration.claim_nik": {"participant_a", "participant_b"},  # a claim tells the claimant nothing
    "registration.my_claims": LOGGED_IN,
    "registration.claim_letter": OWNER,  # participant A's NIK claim
    # admin only
    "auth.users": {"admin"},
    "auth.user_edit": {"admin"},
    "auth.user_send_reset": {"admin"},
    "auth.user_new": {"admin"},
    "mail.outbox": {"admin"},
    "mail.message": {"admin"},
    # schedule overviews: every staff role sees its own part
    "programmes.schedule": STAFF | {"other_facilitator", "other_coordinator"},
    "programmes.schedule_ics": STAFF | {"other_facilitator", "other_coordinator"},
    "programmes.schedule_xlsx": STAFF | {"other_facilitator", "other_coordinator"},
    "attendance.today": STAFF | {"other_facilitator"},
    "attendance.csrf_token": STAFF | {"other_facilitator"},  # a token for the offline roster, no data
    # a coordinator reads any programme's report, held to the figures of their own province
    "attendance.programme_report": set(STAFF),  # the world's programme is a draft: none for coordinators
    # the programme dashboard: a coordinator sees it held to their own province (only their data)
    # the world's programme is a draft: it does not exist for coordinators (their own province's view of an
    # announced programme is tested in tests/reports/test_dashboard*.py)
    "reports.programme_dashboard": set(STAFF),
    "reports.programme_dashboard_xlsx": set(STAFF),
    "reports.programme_dashboard_csv": set(STAFF),
    "reports.programme_report_pdf": set(STAFF),  # the dashboard as a PDF: same rule (tests/reports/test_report_pdf.py)
    "reports.latest_dashboard": set(STAFF),
    "libraries.index": STAFF | {"other_coordinator"},
    "libraries.export": STAFF | {"other_coordinator"},
    # personal access tokens (staff only) and the read-only API, asked with each identity's own token
    # (participants hold none): lists answer every staff role with what it may see, possibly nothing
    "auth.api_tokens_page": LOGGED_IN,  # a redirect to /akun#api-tokens
    "auth.create_api_token": STAFF | {"other_facilitator", "other_coordinator"},
    "auth.revoke_api_token": {"organiser"},  # the organiser's own token
    "api.openapi_json": EVERYONE,
    "api.docs": EVERYONE,
    "api.programmes": STAFF | {"other_facilitator", "other_coordinator"},
    "api.classes": STAFF | {"other_facilitator", "other_coordinator"},
    "api.batches": STAFF | {"other_facilitator"},  # "Kelas lain" is in the same programme
    "api.registrations": set(STAFF),
    # the dashboard's figures: as the page (the world's programme is a draft, so the coordinator of another
    # province gets a 404; facilitators are no readers of figures, a 403)
    "api.programme_dashboard": set(STAFF),
    "reports.training_hours_page": STAFF | {"other_coordinator"},  # a coordinator: their province's people
    "reports.training_hours_xlsx": STAFF | {"other_coordinator"},
    "reports.coverage_page": STAFF | {"other_coordinator"},  # a coordinator: their province's libraries
    "reports.coverage_xlsx": STAFF | {"other_coordinator"},
}
# Everything else under /kelola, /presensi/kelas, /presensi/program, /perpustakaan and the
# attendance API is for organisers and admins only, on this class (the facilitator and the
# coordinator here belong to another class and another province).
ORGANISER_ONLY = [
    "programmes.agenda_remove",
    "programmes.class_new",
    "programmes.batch_copy",
    "programmes.batch_edit",
    "programmes.class_detail",
    "programmes.agenda_add",
    "programmes.class_delete",
    "registration.import_nominations",
    "registration.nominations_template",
    "registration.class_registrations",
    "registration.class_registrations_xlsx",
    "certificates.class_certificates",
    "certificates.issue_class",
    "programmes.class_status",
    "programmes.class_edit",
    "privacy.decide_correction",
    "registration.registration_detail",
    "registration.move",
    "certificates.issue_one",
    "registration.decide",
    "privacy.decide_deletion",
    "registration.requests_page",
    "registration.claims_page",
    "privacy.requests_list",
    "privacy.request_detail",
    "registration.claim_detail",
    "registration.decide_claim",
    "registration.proposed_libraries",
    "registration.decide_library",
    "programmes.programmes",
    "programmes.programme",
    "programmes.batch_new",
    "registration.duplicates",
    "programmes.import_classes",
    "programmes.import_confirm",
    "programmes.import_template",
    "registration.programme_registrations",
    "registration.programme_registrations_xlsx",
    "programmes.programme_copy",
    "certificates.settings",
    "certificates.preview",
    "programmes.programme_edit",
    "programmes.programme_new",
    "certificates.change",
    "certificates.bulk_start",
    "certificates.bulk_status",
    "certificates.bulk_progress",
    "certificates.bulk_download",
    "certificates.bulk_resume",
    "libraries.edit",
    "libraries.create",
    "attendance.api_mark",
    "attendance.class_days",
    "attendance.roster",
    "attendance.qr_screen",
    "attendance.qr_current",
    "attendance.all_present",
    "attendance.reopen",
    "attendance.sign_in_sheet",
    "attendance.report",
    "attendance.report_xlsx",
]
ALLOWED.update({endpoint: set(STAFF) for endpoint in ORGANISER_ONLY})


ACTIONS = {
    "certificates.change": "cabut",
    "registration.decide_library": "verifikasi",
    "privacy.decide_deletion": "setujui",
    "privacy.decide_correction": "terima",
    "registration.decide_claim": "terima",
}


# Where a route's argument names another kind of object than the world's value of that name.
ARGUMENTS = {
    "privacy.my_request": {"request_id": "data_request_id"},
    "privacy.request_detail": {"request_id": "data_request_id"},
}


def _url(app: Flask, rule: Any, values: dict[str, Any]) -> str:
    names = ARGUMENTS.get(rule.endpoint, {})
    args = {name: values[names.get(name, name)] for name in rule.arguments}
    if rule.endpoint in ACTIONS:
        args["action"] = ACTIONS[rule.endpoint]
    if rule.endpoint == "regions.children":
        args["code"] = "52"
    if rule.endpoint == "core.set_language":
        args["code"] = "en"
    with app.test_request_context():
        return url_for(rule.endpoint, **args)


def _turned_away(response: Any) -> bool:
    if response.status_code in (401, 403, 404):  # 401: the API without a live token
        return True
    return response.status_code == 302 and response.headers["Location"].startswith("/masuk")


def _rules(app: Flask) -> list[Any]:
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.rule)


def test_every_route_has_an_entry(app: Flask) -> None:
    missing = sorted({r.endpoint for r in _rules(app)} - set(ALLOWED))
    assert missing == [], f"add these endpoints to ALLOWED in {__file__}: {missing}"
    assert set(ALLOWED) <= {r.endpoint for r in _rules(app)}, "ALLOWED names endpoints that are gone"


@pytest.mark.parametrize("endpoint", sorted(ALLOWED))
def test_route_turns_away_everyone_not_allowed(
    app: Flask, endpoint: str, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = [r for r in _rules(app) if r.endpoint == endpoint]
    assert rules, f"{endpoint} has no route"
    clients: dict[str, FlaskClient] = {}
    for who in IDENTITIES:
        clients[who] = app.test_client()
        if who != "anonymous":
            assert login(clients[who], world["users"][who].email).status_code == 302, who
    # Authorisation is checked here, not the CSRF token (which a stranger could not have anyway).
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    # The API reads a token, not the session: every identity that may hold one sends its own.
    api_headers = (
        {who: bearer(app, world["users"][who].id) for who in IDENTITIES if who in TOKEN_HOLDERS}
        if endpoint.startswith("api.")
        else {}
    )
    allowed = ALLOWED[endpoint]
    first_allowed = next((who for who in IDENTITIES if who in allowed), None)
    # A bulk job started by an allowed user is only queued here: its rendering is tested elsewhere.
    monkeypatch.setattr("app.certificates.bulk.start", lambda job_id: "test")
    wrong: list[str] = []
    # Strangers first (they must change nothing), then the allowed ones.
    for who in sorted(IDENTITIES, key=lambda w: w in allowed):
        client = clients[who]
        for rule in rules:
            url = _url(app, rule, world["values"])
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                if method == "POST":
                    response = client.open(url, method=method, data={})
                else:
                    response = client.get(url, headers=api_headers.get(who, {}))
                if who in allowed:
                    if endpoint == "auth.logout" or (method == "POST" and who != first_allowed):
                        # logging out ends at the login page; a POST may have used up its object
                        # (a deleted class) for the next allowed user: only never a 403
                        refused = response.status_code == 403
                    else:
                        refused = _turned_away(response)
                    if refused and endpoint not in REFUSED_FOR_ALL_ON_THESE_OBJECTS:
                        wrong.append(f"{who} {method} {url}: {response.status_code} (should be allowed)")
                elif not _turned_away(response):
                    wrong.append(
                        f"{who} {method} {url}: {response.status_code} "
                        f"{response.headers.get('Location', '')} (should be turned away)"
                    )
    assert wrong == []


# Routes whose objects in this world make even an allowed user's request fail on purpose (a
# token that is not valid, a job without files): the matrix checks that strangers are turned
# away there, and the routes' own tests cover the allowed path.
REFUSED_FOR_ALL_ON_THESE_OBJECTS = {
    "certificates.bulk_download",
    "registration.letter",
    "attendance.check_in",
    "auth.reset_password",
    "auth.verify_email",
    "privacy.decide_correction",
}


def test_world_has_every_object(world: dict[str, Any]) -> None:
    """The matrix is only as good as its objects: none of them may be missing."""
    missing = [name for name, value in world["values"].items() if value in (0, None)]
    assert missing == [], missing
    assert date.fromisoformat(world["values"]["day"])
