"""Issue #18 point 3 in Chromium: a young person's timeline on a phone and a laptop, as a worker
and as a designated safeguarding lead, and a note added on a phone (screenshots under
test-artifacts/ to look at)."""
from datetime import date, datetime, timedelta

import pytest

from outreach.extensions import db
from outreach.models import Attendance, Registration
from outreach.services import contact_notes, incidents, milestones, referrals, safeguarding
from outreach.timeutil import UTC
from tests.conftest import sign_in, watch
from tests.factories import add_member, make_org, make_programme, make_session, make_user, make_young_person

RESTRICTED = "Dad moved out last month; Ava is staying with her nan on weekdays"


@pytest.fixture()
def ava(live_server):
    with live_server.app.app_context():
        lead = make_user("lead@northside.example.org", "Sergeant Dana Whitfield")
        worker = make_user("worker@northside.example.org", "PCSO Tom Brennan")
        dsl = make_user("dsl@northside.example.org", "Inspector Sam Okoro")
        org = make_org("Northside Police Community Team", slug="northside", lead=lead, worker=worker)
        add_member(org, dsl, "worker", safeguarding_lead=True)
        football = make_programme(org, "Friday Football", venue_name="Longsight Community Hub")
        now = datetime.now(UTC)
        yp = make_young_person("Ava", "Okafor", dob=date(2012, 6, 1), guardian=make_user("ava.parent@example.org"))
        for weeks in (6, 5, 4, 2, 1):
            s = make_session(football, starts_at=now - timedelta(weeks=weeks), hours=2)
            db.session.add(Registration(young_person_id=yp.id, session_id=s.id, status="confirmed", confirmed_at=now))
            db.session.add(Attendance(session_id=s.id, young_person_id=yp.id, method="qr",
                                      checked_in_at=s.starts_at + timedelta(minutes=4),
                                      checked_out_at=s.ends_at - timedelta(minutes=2)))
        db.session.commit()
        day = lambda weeks: (now - timedelta(weeks=weeks)).date()  # noqa: E731
        referrals.record_referral(org, worker, yp, referrals.ReferralDetails(
            "in", day(7), football.id, source="school", note="Head of year: low attendance, keen on football"))
        contact_notes.add_note(org, worker, yp, contact_notes.NoteDetails(
            "First session: quiet, stayed with one friend. Played the whole second half.", day(6),
            programme_id=football.id))
        contact_notes.add_note(org, worker, yp, contact_notes.NoteDetails(RESTRICTED, day(4), contact="phone",
                                                                          restricted=True))
        award = milestones.add_kind(org, lead, "Gained an award")
        milestones.add_kind(org, lead, "Back into education")
        milestones.add_kind(org, lead, "Joined a club")
        milestones.record_milestone(org, worker, yp, milestones.MilestoneDetails(
            award.id, day(2), football.id, "Player of the month"))
        out = referrals.record_referral(org, worker, yp, referrals.ReferralDetails(
            "out", day(1), football.id, signposted_to="Longsight Girls' Football Club (Saturday team)"))
        referrals.record_outcome(org, worker, out, "engaged", "Went to two Saturday trainings")
        session = football.sessions[-1] if football.sessions else None
        incidents.record_incident(org, session, worker, incidents.IncidentDetails(
            occurred_at=now - timedelta(weeks=2), what_happened="Twisted ankle in a tackle.",
            first_aid="Ice pack", injured_ids=[yp.id]), now=now - timedelta(weeks=2))
        safeguarding.raise_concern(org, worker, safeguarding.ConcernDetails(
            what_happened="Said she doesn't want to go home tonight.", occurred_at=now - timedelta(days=3),
            young_person_id=yp.id), now=now - timedelta(days=3))
        return {"url": f"{live_server.url}/org/northside/young-people/{yp.id}"}


def _context(browser, width, height, touch):
    return watch(browser.new_context(viewport={"width": width, "height": height}, is_mobile=touch, has_touch=touch,
                                     locale="en-GB", timezone_id="Europe/London"))


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 800)])
def test_the_timeline_as_a_worker_and_as_the_safeguarding_lead(live_server, browser, ava, screenshot, width, height):
    for who, email in (("worker", "worker@northside.example.org"), ("dsl", "dsl@northside.example.org")):
        context = _context(browser, width, height, width < 500)
        try:
            page = context.new_page()
            sign_in(page, live_server.url, email, "**/org/northside/")
            page.goto(ava["url"])
            text = page.inner_text("main")
            assert "Signposted to Longsight Girls' Football Club" in text and "Gained an award" in text
            assert "Came to Friday Football" in text
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            assert "doesn't want to go home" not in text
            if who == "worker":
                assert RESTRICTED not in text and "Note for leads only (you wrote it)" in text
            else:
                assert RESTRICTED in text and "Safeguarding concern" in text
            screenshot(page, f"issue18-timeline-{who}-{width}")
        finally:
            context.close()


def test_adding_a_note_on_a_phone(live_server, browser, ava, screenshot):
    context = _context(browser, 390, 844, True)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "worker@northside.example.org", "**/org/northside/")
        page.goto(ava["url"])
        page.get_by_role("link", name="Add a note").tap()
        page.wait_for_selector("h1:has-text('Add a note')")
        page.locator("#text").tap()
        page.keyboard.type("Asked about the girls' team again; gave her the coach's details.")
        screenshot(page, "issue18-add-note-390")
        page.get_by_role("button", name="Save the note").tap()
        page.wait_for_selector("text=Note saved.")
        assert "gave her the coach" in page.inner_text("main")
        screenshot(page, "issue18-note-saved-390")
    finally:
        context.close()
