"""Issue #18 points 4-5 in Chromium: the follow-up list (and its empty state) on a phone and a
laptop, recording an attempt to get in touch on a phone, closing without a reason, and a locked
register's message on the door page (screenshots under test-artifacts/ to look at)."""
import os
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from outreach.extensions import db
from outreach.models import Attendance, Registration
from outreach.services import follow_up
from outreach.timeutil import UTC
from tests import follow_up_course as course
from tests.conftest import ARTIFACTS, sign_in, watch
from tests.factories import make_programme, make_session, make_young_person

# Also copied where the reviewer looks, when that folder is given.
SHOTS = os.environ.get("SHOTS_DIR")


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture()
def club(live_server):
    with live_server.app.app_context():
        now = datetime.now(UTC)
        first = (now - timedelta(days=7 * 9)).replace(minute=0, second=0, microsecond=0)
        c = course.build(first=first, slug="eastside")
        org, programme = c["org"], c["programme"]
        org.name = "Eastside Youth Boxing"
        c["lead"].full_name, c["worker"].full_name = "Lena Osei", "Wes Hartley"
        c["people"]["Amara"].last_name = "Nwosu"
        # Jordan: came to the first four, then nothing for five sessions; a worker already tried once.
        jordan = make_young_person("Jordan", "Pryce-Whitaker", dob=date(2011, 9, 2))
        db.session.add(Registration(young_person_id=jordan.id, programme_id=programme.id, status="confirmed",
                                    created_at=first - timedelta(days=3), confirmed_at=first - timedelta(days=3)))
        for k in (0, 1, 2, 3):
            db.session.add(Attendance(session_id=c["sessions"][k].id, young_person_id=jordan.id, method="qr",
                                      checked_in_at=c["sessions"][k].starts_at))
        c["empty"] = make_programme(org, "Saturday Sparring", registration_mode="enrol")
        # A session ten days ago: its register locked three days ago (REGISTER_LOCK_DAYS=7).
        old = make_session(programme, now - timedelta(days=10), hours=2)
        for name in ("Eve", "Bilal"):
            db.session.add(Attendance(session_id=old.id, young_person_id=c["people"][name].id, method="qr",
                                      checked_in_at=old.starts_at + timedelta(minutes=4)))
        make_session(programme, now - timedelta(days=4), hours=2)  # nobody checked in: a register not taken
        db.session.commit()
        rule = follow_up.rule_from_settings(programme, live_server.app.config)
        follow_up.record_contact(programme, jordan, c["worker"], follow_up.ContactDetails(
            method="text", outcome="no_answer", made_at=now - timedelta(days=2), note="Texted his mum's number."),
            rule, now=now - timedelta(days=1))
        return {"base": f"{live_server.url}/org/eastside", "programme": programme.id, "empty": c["empty"].id,
                "amara": c["people"]["Amara"].id, "old_session": old.id}


def _context(browser, width, height, touch):
    return watch(browser.new_context(viewport={"width": width, "height": height}, is_mobile=touch, has_touch=touch,
                                     locale="en-GB", timezone_id="Europe/London"))


@pytest.mark.parametrize("size", [(390, 844, True), (1280, 800, False)], ids=["390", "1280"])
def test_the_follow_up_list_and_its_empty_state(live_server, browser, club, size):
    context = _context(browser, *size)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "worker@course.example.org", "**/org/eastside/")
        page.goto(f"{club['base']}/programmes/{club['programme']}/follow-up")
        rows = page.locator("tbody tr")
        assert rows.count() == 2
        assert "Jordan Pryce-Whitaker" in rows.nth(0).inner_text() and "Amara Nwosu" in rows.nth(1).inner_text()
        assert "Text message, no answer" in rows.nth(0).inner_text() and "No attempt yet" in rows.nth(1).inner_text()
        shot(page, f"issue18-follow-up-list-{size[0]}")
        page.goto(f"{club['base']}/programmes/{club['empty']}/follow-up")
        assert page.get_by_role("heading", name="No one to follow up").is_visible()
        shot(page, f"issue18-follow-up-empty-{size[0]}")
    finally:
        context.close()


def test_recording_an_attempt_to_get_in_touch_on_a_phone(live_server, browser, club):
    context = _context(browser, 390, 844, True)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "worker@course.example.org", "**/org/eastside/")
        page.goto(f"{club['base']}/programmes/{club['programme']}/follow-up")
        page.locator("tbody tr", has_text="Amara Nwosu").get_by_role("link", name="Follow up").tap()
        page.wait_for_selector("text=Record an attempt")
        page.get_by_label("Phone call").check()
        page.get_by_label("Spoke with them or their family").check()
        page.fill("#note", "Spoke to her dad: exams this month, she wants to come back in January.")
        shot(page, "issue18-record-attempt-390")
        page.get_by_role("button", name="Save attempt").tap()
        page.wait_for_selector("text=Saved: your attempt to reach")
        assert "Spoke to her dad" in page.locator(".history").inner_text()
        shot(page, "issue18-attempt-saved-390")
        page.get_by_role("button", name="Close follow-up").tap()
        page.wait_for_selector("text=Say why the follow-up is closed.")
        shot(page, "issue18-close-needs-reason-390")
    finally:
        context.close()


@pytest.mark.parametrize("size", [(360, 640, True), (390, 844, True), (1280, 800, False)],
                         ids=["360", "390", "1280"])
def test_a_locked_registers_message_on_the_door_page(live_server, browser, club, size):
    context = _context(browser, *size)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "worker@course.example.org", "**/org/eastside/")
        page.goto(f"{club['base']}/sessions/{club['old_session']}")
        banner = page.locator('[data-code="register_locked"]')
        assert "Register locked." in banner.inner_text() and "give a reason" in banner.inner_text()
        shot(page, f"issue18-register-locked-{size[0]}")
        page.locator(".person", has_text="Eve").locator("summary").click()
        page.get_by_role("button", name="Remove from register").click()
        refused = page.locator(".flash--error", has_text="This register locked on")
        refused.wait_for()
        assert "give a reason" in refused.inner_text()
        shot(page, f"issue18-register-locked-refused-{size[0]}")
        # Back with Eve's correction open and its reason field marked.
        assert page.locator(".person", has_text="Eve").locator("details").get_attribute("open") is not None
        assert page.locator(".person", has_text="Eve").locator(".field__error").is_visible()
        if size[0] == 390:
            page.locator(".person", has_text="Eve").locator("textarea").fill("Scanned her sister's pass by mistake")
            page.get_by_role("button", name="Remove from register").click()
            page.wait_for_selector("text=is no longer checked in")
            shot(page, f"issue18-register-corrected-{size[0]}")
    finally:
        context.close()


def test_registers_not_taken_for_the_lead(live_server, browser, club):
    context = _context(browser, 1280, 800, False)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "lead@course.example.org", "**/org/eastside/")
        page.get_by_role("link", name="Registers not taken").click()
        page.wait_for_selector("text=Sessions that were not cancelled")
        assert page.locator("tbody tr").count() == 1
        shot(page, "issue18-registers-not-taken-1280")
    finally:
        context.close()
