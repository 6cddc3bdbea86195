"""The facilitator's phone: a QR a phone camera can read at 360 px, closed days without a code,
notes that save on their own, a roster that opens and marks without a connection, and the home
page with today's class first."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from app.attendance import checkin, services
from app.attendance.models import AttendanceMark, AttendanceStatus
from app.extensions import db
from app.programmes.models import TrainingClass
from tests.conftest import PASSWORD
from tests.e2e.conftest import CHROMIUM_ARGS, DESKTOP, PHONE, _chromium_path, screenshot
from tests.e2e.test_journeys import _log_in

pytestmark = pytest.mark.e2e

PHONES = {"360": PHONE, "390": {"width": 390, "height": 844}, "412": {"width": 412, "height": 915}}


def _row(page, name: str):
    return page.locator(".roster-row", has=page.locator(".person-name", has_text=name))


def _decode(png: bytes) -> list[str]:
    # QR codes only: digits on the screen (the short code, the countdown) once read as a 1D barcode.
    return [
        result.text
        for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)), formats=zxingcpp.BarcodeFormat.QRCode)
    ]


def _marks(app) -> list[AttendanceMark]:
    with app.app_context():
        marks = db.session.scalars(select(AttendanceMark).order_by(AttendanceMark.id)).all()
        db.session.expunge_all()
        return list(marks)


@pytest.mark.parametrize("width", list(PHONES))
def test_the_check_in_qr_decodes_from_a_phone_screenshot(new_page, today_class, width: str) -> None:
    viewport = PHONES[width]
    page = new_page(viewport)
    _log_in(page, today_class["facilitator"].email)
    page.goto(f"/presensi/kelas/{today_class['class_id']}/{today_class['today'].isoformat()}/qr")
    qr = page.locator("#qr")
    expect(qr.locator("svg")).to_be_visible()
    box = qr.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= viewport["width"]  # nothing cut off
    assert box["y"] + box["height"] <= viewport["height"]  # the whole code on the first screen
    assert box["width"] >= 0.85 * viewport["width"]  # as large as the phone allows
    link = qr.get_attribute("data-link")
    assert _decode(qr.screenshot()) == [link]
    assert re.search(r"/presensi/qr/[\w.-]+$", link)
    screenshot(page, f"qr-screen-{width}")


@contextmanager
def _requests_seen(app) -> Iterator[list[str]]:
    """Every request that reaches the server meanwhile, as "METHOD /path"."""
    seen: list[str] = []
    original = app.wsgi_app

    def recording(environ, start_response):
        seen.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
        return original(environ, start_response)

    app.wsgi_app = recording
    try:
        yield seen
    finally:
        app.wsgi_app = original


def _kept(page, path: str, expected: bool = True) -> bool:
    """Whether the service worker is active and keeps a copy of `path`, waiting up to 10 s for
    that to become `expected` (workers install and pages are copied in the background)."""
    return page.evaluate(
        """async ([path, expected]) => {
        let kept = false;
        for (let i = 0; i < 100; i++) {
            const registration = await navigator.serviceWorker.getRegistration(path);
            const cache = await caches.open("sibimtek-pages");
            kept = !!(registration && registration.active && registration.active.state === "activated"
                      && await cache.match(new URL(path, location.href).href));
            if (kept === expected) break;
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return kept;
    }""",
        [path, expected],
    )


def _wait_for_offline_copy(page, path: str) -> None:
    assert _kept(page, path), "the service worker did not keep a copy of " + path


def test_the_roster_opens_without_a_connection_and_its_marks_sync_once(app, new_page, today_class) -> None:
    page = new_page(PHONE)
    _log_in(page, today_class["facilitator"].email)
    roster = f"/presensi/kelas/{today_class['class_id']}/{today_class['today'].isoformat()}"
    page.goto(roster)
    expect(page.locator("#people .roster-row")).to_have_count(5)
    _wait_for_offline_copy(page, roster)

    with _requests_seen(app) as seen:
        page.context.set_offline(True)
        page.reload()
        expect(page.locator("#people .roster-row")).to_have_count(5)
        expect(page.locator("#offline-badge")).to_be_visible()
        _row(page, "Peserta 0003").get_by_role("button", name="Izin").click()
        expect(page.locator("#pending")).to_have_text("1 menunggu sinkron")
        expect(_row(page, "Peserta 0003").locator(".state")).to_contain_text("menunggu sinkron")
        screenshot(page, "roster-offline-reload-phone")
    # The page, its CSS and JS all came from the phone; only the browser's own check for a newer
    # service worker may slip through (Chromium's offline emulation does not cover it).
    assert [r for r in seen if r != "GET /presensi/sw.js"] == []
    assert _marks(app) == []

    with _requests_seen(app) as seen:
        page.context.set_offline(False)
        expect(page.locator("#pending")).to_be_hidden(timeout=15_000)
        expect(_row(page, "Peserta 0003").locator(".state")).to_contain_text("Izin · tersimpan")
    assert seen.count(f"POST /api/presensi/{today_class['class_id']}") == 1, seen
    marks = _marks(app)
    assert [(m.registration_id, m.status) for m in marks] == [(today_class["ids"][2], AttendanceStatus.IZIN)]

    # Once sent, the kept copy is refreshed: offline again, the mark shows as saved, not waiting,
    # and the class's link (which picks the day on the server) finds today's copy.
    assert page.evaluate(
        """async ([path, row]) => {
        for (let i = 0; i < 100; i++) {
            const copy = await (await caches.open("sibimtek-pages")).match(new URL(path, location.href).href);
            if (copy && (await copy.text()).includes(row)) return true;
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return false;
    }""",
        [roster, f'data-registration="{today_class["ids"][2]}" data-status="izin"'],
    )
    page.context.set_offline(True)
    page.goto(f"/presensi/kelas/{today_class['class_id']}")
    expect(page).to_have_url(re.compile(re.escape(roster) + "$"))
    expect(_row(page, "Peserta 0003").locator(".state")).to_have_text("✓ Izin")
    expect(page.locator("#pending")).to_be_hidden()
    page.context.set_offline(False)
    page.goto(f"/presensi/kelas/{today_class['class_id']}")  # online, the server's redirect is followed
    expect(page).to_have_url(re.compile(re.escape(roster) + "$"))
    expect(_row(page, "Peserta 0003").locator(".state")).to_contain_text("Izin")
    assert len(_marks(app)) == 1  # sent once, even after the reloads


def test_the_qr_fills_the_screen_for_the_room_and_still_decodes(new_page, today_class) -> None:
    page = new_page(DESKTOP)
    _log_in(page, today_class["facilitator"].email)
    page.goto(f"/presensi/kelas/{today_class['class_id']}/{today_class['today'].isoformat()}/qr")
    expect(page.locator("#qr svg")).to_be_visible()
    screenshot(page, "qr-screen-desktop")
    page.get_by_role("button", name="Layar penuh").click()
    expect(page.get_by_role("button", name="Keluar dari layar penuh")).to_be_visible()
    assert page.evaluate("document.fullscreenElement && document.fullscreenElement.id") == "qr-screen"
    qr = page.locator("#qr")
    assert _decode(qr.screenshot()) == [qr.get_attribute("data-link")]
    page.screenshot(path=str(screenshot(page, "qr-fullscreen-desktop")))


def test_the_qr_screen_stops_showing_a_code_when_the_day_is_over(new_page, today_class, clock) -> None:
    page = new_page(PHONE)
    _log_in(page, today_class["facilitator"].email)
    page.clock.install()  # the page's timers, fast-forwarded below
    page.goto(f"/presensi/kelas/{today_class['class_id']}/{today_class['today'].isoformat()}/qr")
    expect(page.locator("#qr svg")).to_be_visible()
    mataram = ZoneInfo("Asia/Makassar")  # the class's venue (WITA)
    clock(datetime.combine(today_class["today"] + timedelta(days=1), time(0, 1), tzinfo=mataram))
    page.clock.run_for("00:31")  # the next refresh of the code
    expect(page.locator("#qr-error")).to_contain_text("Presensi hari ini sudah ditutup")
    expect(page.locator("#qr")).to_be_hidden()


def test_a_closed_day_shows_no_code_on_the_qr_screen(app, new_page, today_class) -> None:
    page = new_page(PHONE)
    _log_in(page, today_class["facilitator"].email)
    tomorrow = (today_class["today"] + timedelta(days=1)).isoformat()
    page.goto(f"/presensi/kelas/{today_class['class_id']}/{tomorrow}/qr")
    expect(page.locator("#qr-closed")).to_contain_text("belum dibuka: kode QR tampil pada harinya")
    expect(page.locator("#qr")).to_have_count(0)
    screenshot(page, "qr-closed-phone")


def test_the_participant_sees_class_day_and_venue_before_confirming(app, new_page, today_class) -> None:
    with app.app_context(), app.test_request_context():
        c = db.session.get(TrainingClass, today_class["class_id"])
        token = checkin.qr_token(c, today_class["today"])
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        participant = new_page(viewport)
        _log_in(participant, today_class["owner"].email)
        participant.goto(f"/presensi/qr/{token}")
        card = participant.locator("#check-in-class")
        expect(card).to_contain_text("Kelas Bali – NTB")
        expect(card.locator("#check-in-day")).to_contain_text(re.compile(r"Hari 1 · \w+, \d+ \w+ \d{4} \(WITA\)"))
        expect(card).to_contain_text("Aston Inn Mataram")
        expect(participant.get_by_role("button", name="Catat kehadiran saya")).to_be_visible()
        screenshot(participant, f"check-in-confirm-{name}")
    assert _marks(app) == []  # looking is not checking in


def test_a_note_typed_after_the_tap_saves_on_its_own_also_offline(app, new_page, today_class) -> None:
    page = new_page(PHONE)
    _log_in(page, today_class["facilitator"].email)
    page.goto(f"/presensi/kelas/{today_class['class_id']}/{today_class['today'].isoformat()}")
    sick = _row(page, "Peserta 0003")
    sick.get_by_role("button", name="Sakit").click()
    expect(sick.locator(".state")).to_contain_text("Sakit · tersimpan")
    sick.get_by_label(re.compile("Catatan Peserta 0003")).press_sequentially("Surat dokter")  # no leaving the field
    expect(sick.locator(".note")).to_have_class(re.compile("note-saved"), timeout=5_000)
    expect(sick.locator(".state")).to_contain_text("Sakit · tersimpan")

    page.context.set_offline(True)
    excused = _row(page, "Peserta 0002")
    excused.get_by_role("button", name="Izin").click()
    excused.get_by_label(re.compile("Catatan Peserta 0002")).fill("Tugas kantor")
    excused.get_by_label(re.compile("Catatan Peserta 0002")).blur()
    expect(page.locator("#pending")).to_have_text("2 menunggu sinkron")
    expect(excused.locator(".state")).to_contain_text("Izin · menunggu sinkron")
    screenshot(page, "roster-note-offline-phone")
    page.context.set_offline(False)
    expect(page.locator("#pending")).to_be_hidden(timeout=15_000)
    expect(excused.locator(".state")).to_contain_text("Izin · tersimpan")

    page.reload()
    expect(_row(page, "Peserta 0003").locator(".note")).to_have_value("Surat dokter")
    expect(_row(page, "Peserta 0002").locator(".note")).to_have_value("Tugas kantor")
    with app.app_context():
        current = services.current_marks([today_class["class_id"]])
    day = today_class["today"]
    assert (current[(today_class["ids"][2], day)].status, current[(today_class["ids"][2], day)].note) == (
        AttendanceStatus.SAKIT,
        "Surat dokter",
    )
    assert (current[(today_class["ids"][1], day)].status, current[(today_class["ids"][1], day)].note) == (
        AttendanceStatus.IZIN,
        "Tugas kantor",
    )
    assert len(_marks(app)) == 4  # two taps, two notes: nothing sent twice


def test_the_offline_app_is_installable_and_forgotten_at_logout(browser, live_server, today_class, tmp_path) -> None:
    # A persistent profile: in Playwright's usual (incognito-like) contexts Chrome never installs apps.
    context = browser.browser_type.launch_persistent_context(
        tmp_path,
        executable_path=_chromium_path(),
        args=CHROMIUM_ARGS,
        headless=True,
        base_url=live_server,
        viewport=PHONE,
        locale="id-ID",
        reduced_motion="reduce",
    )
    try:
        page = context.new_page()
        _log_in(page, today_class["facilitator"].email)
        expect(page.locator("#classes-today .today-counts")).to_contain_text("0 ditandai, 5 belum")
        page.goto("/presensi/")
        expect(page.locator("#today-classes")).to_contain_text("Kelas Bali – NTB")
        roster = f"/presensi/kelas/{today_class['class_id']}/{today_class['today'].isoformat()}"
        _wait_for_offline_copy(page, roster)  # kept from the home pages, before the roster was ever opened
        screenshot(page, "presensi-today-phone")
        page.reload()  # now under the service worker's control
        cdp = context.new_cdp_session(page)
        assert cdp.send("Page.getAppManifest")["errors"] == []
        assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

        page.goto("/akun")
        page.get_by_role("button", name="Menu").click()
        expect(page.locator("#nav.show")).to_be_visible()
        page.get_by_role("button", name="Keluar").click()
        expect(page).to_have_url(re.compile("/masuk"))
        assert _kept(page, roster, expected=False) is False  # whoever logs in next here never sees it
    finally:
        context.close()


def test_the_facilitator_home_puts_todays_class_first(new_page, facilitator_of_three_classes, clock) -> None:
    clock("2027-06-11T07:30+08:00")  # day 2 of the middle class
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = new_page(viewport)
        _log_in(page, facilitator_of_three_classes.email)
        groups = page.locator("#home-facilitator .facilitator-classes")
        expect(groups).to_have_count(3)
        assert [groups.nth(i).get_attribute("id") for i in range(3)] == [
            "classes-today",
            "classes-upcoming",
            "classes-past",
        ]
        expect(page.locator("#classes-today .class-name")).to_have_text(["Kelas Juni tengah"])
        expect(page.locator("#classes-today .today-counts")).to_contain_text("0 ditandai, 0 belum")
        expect(page.locator("#classes-upcoming .class-name")).to_have_text(["Kelas Juni akhir"])
        expect(page.locator("#classes-past .class-name")).to_have_text(["Kelas Juni awal"])
        screenshot(page, f"facilitator-home-{name}")


def test_marks_wait_through_an_ended_session_and_are_sent_after_logging_in_again(app, new_page, today_class) -> None:
    from app.auth import services as auth_services
    from app.auth.models import User

    page = new_page(PHONE)
    _log_in(page, today_class["facilitator"].email)
    page.goto(f"/presensi/kelas/{today_class['class_id']}")
    page.context.set_offline(True)
    _row(page, "Peserta 0004").get_by_role("button", name="Alpa").click()
    expect(page.locator("#pending")).to_have_text("1 menunggu sinkron")
    with app.app_context():  # e.g. the password was reset on another device meanwhile
        auth_services.end_all_sessions(db.session.get(User, today_class["facilitator"].id))
        db.session.commit()
    page.context.set_offline(False)
    expect(page.locator("#login-again")).to_be_visible(timeout=15_000)
    expect(page.locator("#pending")).to_have_text("1 menunggu sinkron")  # kept, not mistaken for saved
    screenshot(page, "roster-session-ended-phone")
    assert _marks(app) == []

    page.locator("#login-again a").click()
    page.wait_for_url(re.compile("/masuk"))
    page.get_by_label("Email").fill(today_class["facilitator"].email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.locator("#people .roster-row")).to_have_count(5)  # back on the roster
    expect(page.locator("#pending")).to_be_hidden(timeout=15_000)
    expect(_row(page, "Peserta 0004").locator(".state")).to_contain_text("Alpa · tersimpan")
    assert [(m.registration_id, m.status) for m in _marks(app)] == [(today_class["ids"][3], AttendanceStatus.ALPA)]


def test_a_roster_left_open_across_a_new_login_still_saves_its_marks(app, new_page, today_class) -> None:
    page = new_page(PHONE)
    _log_in(page, today_class["facilitator"].email)
    page.goto(f"/presensi/kelas/{today_class['class_id']}")
    expect(page.locator("#people .roster-row")).to_have_count(5)
    other_tab = page.context.new_page()  # logs out and in again: a new session, a new CSRF secret
    other_tab.goto("/akun")
    other_tab.get_by_role("button", name="Menu").click()
    expect(other_tab.locator("#nav.show")).to_be_visible()
    other_tab.get_by_role("button", name="Keluar").click()
    other_tab.wait_for_url(re.compile("/masuk"))
    _log_in(other_tab, today_class["facilitator"].email)

    _row(page, "Peserta 0005").get_by_role("button", name="Terlambat").click()  # page still holds the old token
    expect(_row(page, "Peserta 0005").locator(".state")).to_contain_text("Terlambat · tersimpan")
    assert [(m.registration_id, m.status) for m in _marks(app)] == [(today_class["ids"][4], AttendanceStatus.TERLAMBAT)]


def test_kept_rosters_are_dropped_when_the_session_ends_and_never_shown_old(app, new_page, today_class) -> None:
    """Kept pages hold names and sick notes: the first answer showing that the session has ended
    drops them all, and a copy older than KEEP_HOURS is not shown offline."""
    from sqlalchemy import delete

    from app.auth.models import LoginSession
    from app.extensions import db

    page = new_page(PHONE)
    _log_in(page, today_class["facilitator"].email)
    roster = f"/presensi/kelas/{today_class['class_id']}/{today_class['today'].isoformat()}"
    page.goto(roster)
    _wait_for_offline_copy(page, roster)
    assert page.evaluate(
        """async (path) => {
        const copy = await (await caches.open("sibimtek-pages")).match(new URL(path, location.href).href);
        return Number(copy.headers.get("X-Sibimtek-Kept-At")) > 0;
    }""",
        roster,
    )

    # A copy made three days ago (the phone was left at the venue): offline, it is not shown.
    # (copies made in the background may still land: age it until it stays aged for a second)
    assert page.evaluate(
        """async (path) => {
        const cache = await caches.open("sibimtek-pages");
        const key = new URL(path, location.href).href;
        const old = String(Date.now() - 72 * 3600 * 1000);
        for (let i = 0; i < 20; i++) {
            const copy = await cache.match(key);
            if (copy.headers.get("X-Sibimtek-Kept-At") !== old) {
                const headers = new Headers(copy.headers);
                headers.set("X-Sibimtek-Kept-At", old);
                await cache.put(key, new Response(await copy.blob(), {status: 200, headers}));
            }
            await new Promise((resolve) => setTimeout(resolve, 1000));
            if ((await cache.match(key)).headers.get("X-Sibimtek-Kept-At") === old) return true;
        }
        return false;
    }""",
        roster,
    )
    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#people .roster-row")).to_have_count(0)
    page.context.set_offline(False)

    page.goto(roster)  # a fresh copy again
    _wait_for_offline_copy(page, roster)
    with app.app_context():  # the session ends on the server (password changed on another phone)
        db.session.execute(delete(LoginSession))
        db.session.commit()
    page.goto(roster)  # online: the answer is the login page
    expect(page).to_have_url(re.compile("/masuk"))
    assert page.evaluate("""async () => (await (await caches.open("sibimtek-pages")).keys()).length""") == 0
    page.context.set_offline(True)
    page.goto(roster)
    expect(page.locator("#people .roster-row")).to_have_count(0)
