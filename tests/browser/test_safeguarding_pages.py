"""Issue #18 points 1-2 in Chromium: a worker raises a concern at the door on a phone (taps
counted), the designated safeguarding lead reads the list and a concern's history on a laptop,
and an accident is recorded on a phone (screenshots under test-artifacts/ to look at)."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from outreach.extensions import db
from outreach.models import Registration
from outreach.services import incidents, safeguarding
from outreach.timeutil import UTC
from tests.conftest import sign_in, watch
from tests.factories import add_member, make_org, make_programme, make_session, make_user, make_young_person

PHRASE = "He said: my brother's mate makes me carry the bag to the shop"


@pytest.fixture()
def door(live_server):
    with live_server.app.app_context():
        lead = make_user("lead@northside.example.org", "Sergeant Dana Whitfield")
        worker = make_user("worker@northside.example.org", "PCSO Tom Brennan")
        dsl = make_user("dsl@northside.example.org", "Inspector Sam Okoro")
        org = make_org("Northside Police Community Team", slug="northside", lead=lead, worker=worker)
        add_member(org, dsl, "worker", safeguarding_lead=True)
        programme = make_programme(org, "Friday Football", venue_name="Longsight Community Hub")
        now = datetime.now(UTC)
        session = make_session(programme, starts_at=now - timedelta(minutes=20), hours=2)
        people = [make_young_person(first, last, dob=dob, guardian=make_user(f"{first.lower()}.parent@example.org"))
                  for first, last, dob in (("Ava", "Okafor", date(2012, 6, 1)), ("Ben", "Ashworth", date(2011, 1, 9)),
                                           ("Chidi", "Mensah-Clarke", date(2013, 3, 3)))]
        for yp in people:
            db.session.add(Registration(young_person_id=yp.id, session_id=session.id, status="confirmed",
                                        confirmed_at=now))
        db.session.commit()
        earlier = safeguarding.raise_concern(org, worker, safeguarding.ConcernDetails(
            what_happened="Turned up without a coat again, said there is no food at home since Tuesday.",
            occurred_at=now - timedelta(days=9), young_person_id=people[2].id, location="Longsight Community Hub",
            others_aware="PCSO Yasmin Ali", action_taken="Gave him a sandwich and a lift home with his aunt."),
            session=session, now=now - timedelta(days=9))
        safeguarding.change_status(earlier, dsl, safeguarding.StatusChange("under_review"), now=now - timedelta(days=8))
        safeguarding.change_status(earlier, dsl, safeguarding.StatusChange(
            "referred", referred_to="mash", referral_reference="MASH-2026-0412", referred_on=(now - timedelta(days=8)).date()),
            now=now - timedelta(days=8, hours=-1))
        safeguarding.raise_concern(org, lead, safeguarding.ConcernDetails(
            what_happened="Older man waiting outside, asked for two of the boys by name.", occurred_at=now - timedelta(days=2),
            unnamed_description="Man, about 30, grey hoodie, silver car"), now=now - timedelta(days=2))
        incidents.record_incident(org, session, worker, incidents.IncidentDetails(
            occurred_at=now - timedelta(days=3), what_happened="Collided with another player.",
            first_aid="Ice pack for ten minutes.", injured_ids=[people[1].id], staff_user_ids=[worker.id]),
            now=now - timedelta(days=3))
        month = (now - timedelta(days=3)).astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m")
        return {"session_url": f"{live_server.url}/org/northside/sessions/{session.id}", "ava": people[0].id,
                "incident_month": month}


def _context(browser, width, height, touch):
    return watch(browser.new_context(viewport={"width": width, "height": height}, is_mobile=touch, has_touch=touch,
                                     locale="en-GB", timezone_id="Europe/London"))


def test_a_worker_raises_a_concern_at_the_door_in_three_taps(live_server, browser, door, screenshot):
    context = _context(browser, 390, 844, True)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "worker@northside.example.org", "**/org/northside/")
        page.goto(door["session_url"])
        screenshot(page, "issue18-door-session-with-concern-390")
        taps = 0
        page.locator(".person", has_text="Ava Okafor").get_by_role("link", name="Concern").tap()
        taps += 1
        page.wait_for_selector("text=Raise a safeguarding concern")
        assert page.locator(".concern-form__about").inner_text().endswith("Ava Okafor")
        assert page.input_value("#location") == "Longsight Community Hub" and page.input_value("#occurred_at")
        page.locator("#what_happened").tap()
        taps += 1
        page.keyboard.type(PHRASE)
        screenshot(page, "issue18-raise-concern-390")
        page.get_by_role("button", name="Send to the safeguarding lead").tap()
        taps += 1
        page.wait_for_selector("text=Received. The safeguarding lead has been told.")
        assert taps == 3
        body = page.inner_text("main")
        assert PHRASE not in body and "Ava" not in body and "Open" in body
        screenshot(page, "issue18-concern-received-390")
    finally:
        context.close()


def test_the_door_page_still_fits_a_small_phone(live_server, browser, door, screenshot):
    context = _context(browser, 360, 640, True)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "worker@northside.example.org", "**/org/northside/")
        page.goto(door["session_url"])
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the door page scrolls sideways ({width}px)"
        screenshot(page, "issue18-door-session-with-concern-360")
        page.goto(door["session_url"].rsplit("/sessions/", 1)[0] + "/sessions/"
                  + door["session_url"].rsplit("/", 1)[1] + "/incidents/new")
        page.locator("label", has_text="Ben Ashworth").first.tap()
        screenshot(page, "issue18-record-incident-360")
    finally:
        context.close()


def test_the_safeguarding_lead_reads_the_list_and_a_concerns_history(live_server, browser, door, screenshot):
    context = _context(browser, 1280, 800, False)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "dsl@northside.example.org", "**/org/northside/")
        page.click("text=Safeguarding concerns")
        page.wait_for_selector("h1:has-text('Safeguarding concerns')")
        assert "Someone not named: Man, about 30" in page.inner_text("main")
        screenshot(page, "issue18-safeguarding-list-1280")
        page.locator("tr", has_text="Chidi").get_by_role("link").click()
        page.wait_for_selector("text=History")
        text = page.inner_text("main")
        assert "Under review → Referred" in text and "MASH-2026-0412" in text and "no food at home" in text
        page.locator("summary", has_text="Who opened").click()
        screenshot(page, "issue18-concern-history-1280")
    finally:
        context.close()


def test_the_lead_reviews_incidents_by_month(live_server, browser, door, screenshot):
    context = _context(browser, 1280, 800, False)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "lead@northside.example.org", "**/org/northside/")
        page.click("text=Accidents and incidents")
        page.wait_for_selector("h1:has-text('Accidents and incidents')")
        page.goto(f"{live_server.url}/org/northside/incidents?month={door['incident_month']}")
        assert "Ben Ashworth (hurt)" in page.inner_text("main")
        screenshot(page, "issue18-incidents-month-1280")
        page.goto(live_server.url + "/org/northside/members")
        screenshot(page, "issue18-team-safeguarding-lead-1280")
    finally:
        context.close()
