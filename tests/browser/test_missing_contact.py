"""Issue #15 point 4 in Chromium: a young person who signed up alone, with no emergency contact,
on the fire register and at check-out, at a small phone, a phone and a laptop (screenshots
under test-artifacts/ for a person to look at)."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from outreach.extensions import db
from outreach.models import Attendance, Registration
from outreach.timeutil import UTC
from tests.conftest import sign_in, watch
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person
from tests.browser.fill import fill_date_of_birth

SIZES = {"small-phone": {"width": 360, "height": 640}, "phone": {"width": 390, "height": 844},
         "laptop": {"width": 1280, "height": 800}}


@pytest.fixture()
def door(live_server):
    app = live_server.app
    with app.app_context():
        worker = make_user("worker@door.example.org", "Dee Worker")
        org = make_org("Door Youth Club", slug="door", worker=worker)
        programme = make_programme(org, "Friday Club", min_age=10, max_age=18)
        now = datetime.now(UTC)
        session = make_session(programme, starts_at=now - timedelta(minutes=20), hours=2)
        own = make_user("tia@example.org", "Tia Alone-Okonkwo")
        alone = make_young_person("Tia", "Alone-Okonkwo", dob=date(2011, 2, 2), user_id=own.id,
                                  emergency_contact_name=None, emergency_contact_phone=None)
        named = make_young_person("Ben", "Door", dob=date(2013, 4, 4), medical_notes="Asthma: inhaler in bag")
        for yp in (alone, named):
            db.session.add(Registration(young_person_id=yp.id, session_id=session.id, status="confirmed",
                                        confirmed_at=now))
            db.session.add(Attendance(session_id=session.id, young_person_id=yp.id, method="qr",
                                      checked_in_at=now - timedelta(minutes=5), checked_in_by_id=worker.id))
        db.session.commit()
        att = db.session.execute(select(Attendance).where(Attendance.young_person_id == alone.id)).scalar_one()
        return {"on_site": f"{live_server.url}/org/door/sessions/{session.id}/on-site",
                "check_out": f"{live_server.url}/org/door/attendances/{att.id}/check-out"}


@pytest.mark.parametrize("size", SIZES)
def test_fire_register_and_check_out_say_no_emergency_contact_given(live_server, browser, door, screenshot, size):
    context = watch(browser.new_context(viewport=SIZES[size], is_mobile=size != "laptop",
                                        has_touch=size != "laptop", locale="en-GB", timezone_id="Europe/London"))
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "worker@door.example.org", "**/org/door/")
        page.goto(door["on_site"])
        missing = page.locator(".fire-register .missing")
        assert missing.count() == 1 and missing.inner_text() == "⚠ No emergency contact given"
        assert missing.evaluate("e => getComputedStyle(e).color") == "rgb(179, 38, 30)"  # --danger
        assert page.locator(".fire-register a[href^='tel:']").count() == 1  # Ben's contact only
        assert "None" not in page.inner_text("main")
        screenshot(page, f"issue15-fire-register-{size}")
        page.emulate_media(media="print")
        screenshot(page, f"issue15-fire-register-print-{size}")
        page.emulate_media(media="screen")

        page.goto(door["check_out"])
        body = page.inner_text("main")
        assert "Must be collected" in body and "No collectors or emergency contact given" in body
        assert "None" not in body
        screenshot(page, f"issue15-check-out-{size}")
    finally:
        context.close()


@pytest.fixture()
def next_year(live_server, door):
    with live_server.app.app_context():
        from outreach.models import ProgrammeSession

        session = db.session.execute(select(ProgrammeSession)).scalars().first()
        later = make_session(session.programme, starts_at=session.starts_at + timedelta(days=365))
        db.session.commit()
        return f"{live_server.url}/org/door/sessions/{later.id}"


@pytest.mark.parametrize("size", ["small-phone", "phone"])
def test_a_session_not_taking_check_ins_says_when_it_opens(live_server, browser, next_year, screenshot, size):
    context = watch(browser.new_context(viewport=SIZES[size], is_mobile=True, has_touch=True, locale="en-GB",
                                        timezone_id="Europe/London"))
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "worker@door.example.org", "**/org/door/")
        page.goto(next_year)
        banner = page.locator("[data-code=outside_checkin_window]")
        assert "Check-in for this session opens at" in banner.inner_text()
        offered = page.locator("a:has-text('Scan passes'), a:has-text('Walk-in'), button:has-text('Check in')")
        assert offered.count() == 0
        screenshot(page, f"issue15-session-not-open-{size}")
        page.goto(next_year + "/scan")
        assert "not taking check-ins now" in page.inner_text("main").lower()
        screenshot(page, f"issue15-scan-not-open-{size}")
    finally:
        context.close()


def test_young_person_sign_up_asks_for_an_emergency_contact(live_server, phone, screenshot):
    page = phone.new_page()
    page.goto(live_server.url + "/signup")
    page.check("input[value=young_person]")
    assert page.locator("#emergency_contact_name").is_visible() and page.locator("#may_go_home_alone").is_visible()
    page.fill("#full_name", "Sol Alone")
    page.fill("#email", "sol@example.org")
    fill_date_of_birth(page, date(date.today().year - 14, 2, 1).isoformat())
    page.fill("#password", "a long passphrase")
    page.fill("#confirm", "a long passphrase")
    page.click("main button[type=submit]")
    assert "Enter the name of someone we can call in an emergency" in page.inner_text("main")
    screenshot(page, "issue15-signup-young-person-errors-phone")
    page.check("input[value=guardian]")
    assert not page.locator("#emergency_contact_name").is_visible()
