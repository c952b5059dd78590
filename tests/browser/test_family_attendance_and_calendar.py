"""In Chromium at 390x844 and 1280x800: a guardian reads each child's attendance on My family,
makes the family's calendar link, and a calendar app (no cookies) reads it; the new link
replaces the old, which then finds nothing."""
from datetime import date, datetime, time, timedelta

from icalendar import Calendar

from outreach.extensions import db
from outreach.models import Attendance, Registration
from outreach.services import consent
from outreach.timeutil import UTC
from tests.conftest import sign_in
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person


def test_attendance_history_and_the_calendar_link(live_server, phone, desktop, screenshot, playwright_instance):
    # Sessions at 18:00 UTC (19:00 or 18:00 in London), the first upcoming in 6 days.
    now = datetime.combine(date.today(), time(18, 0), tzinfo=UTC)
    with live_server.app.app_context():
        guardian = make_user("jo@example.org", "Jo Carer")
        org = make_org("Moss Side Sports")
        climbing = make_programme(org, "Climbing Course", registration_mode="enrol", min_age=8, max_age=16)
        dance = make_programme(org, "Street Dance", registration_mode="per_session", min_age=8, max_age=16)
        maya = make_young_person("Maya", last_name="Carer", dob=date(2013, 3, 14), guardian=guardian)
        theo = make_young_person("Theo", last_name="Carer", dob=date(2015, 9, 2), guardian=guardian)
        weeks = [make_session(climbing, starts_at=now - timedelta(weeks=n)) for n in (5, 4, 3, 2, 1)]
        upcoming = make_session(climbing, starts_at=now + timedelta(days=6))
        db.session.add(Registration(young_person_id=maya.id, programme_id=climbing.id, status="confirmed",
                                    confirmed_at=now - timedelta(weeks=6)))
        for s in weeks[:2] + weeks[3:]:
            db.session.add(Attendance(session_id=s.id, young_person_id=maya.id, method="qr", checked_in_at=s.starts_at))
        taster = make_session(dance, starts_at=now - timedelta(days=9))
        db.session.add(Registration(young_person_id=theo.id, session_id=taster.id, status="confirmed",
                                    confirmed_at=now - timedelta(days=20)))
        next_dance = make_session(dance, starts_at=now + timedelta(days=3))
        db.session.add(Registration(young_person_id=theo.id, session_id=next_dance.id, status="cancelled",
                                    confirmed_at=now - timedelta(days=2), cancelled_at=now - timedelta(days=1)))
        for child in (maya, theo):
            consent.record_consent(child, given_by=guardian, kind="guardian")
        db.session.commit()
        upcoming_start = upcoming.starts_at

    for context, label in ((phone, "phone"), (desktop, "desktop")):
        page = context.new_page()
        sign_in(page, live_server.url, "jo@example.org", "**/family")
        for summary in page.locator(".attendance summary").all():
            summary.click()
        maya_card = page.locator(".child-card", has_text="Maya Carer")
        assert "Came to 4" in maya_card.inner_text() and "Missed 1" in maya_card.inner_text()
        theo_card = page.locator(".child-card", has_text="Theo Carer")
        assert "Came to 0" in theo_card.inner_text() and "Missed 1" in theo_card.inner_text()
        assert page.locator(".feed-panel").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= context.pages[0].viewport_size["width"]
        screenshot(page, f"issue16-attendance-and-feed-panel-{label}")

    page = phone.pages[-1]
    page.click("text=Set up the calendar")
    page.click("text=Make my calendar link")
    link = page.input_value("#feed-url")
    screenshot(page, "issue16-calendar-link-phone")
    page.goto(live_server.url + "/family/calendar")
    assert link not in page.content()  # shown once
    screenshot(page, "issue16-calendar-manage-phone")

    app = playwright_instance.request.new_context()  # a calendar app: no cookies
    try:
        feed = app.get(link)
        assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
        events = Calendar.from_ical(feed.body()).walk("VEVENT")
        statuses = {(str(e["summary"]), e.decoded("dtstart").astimezone(UTC)): str(e["status"]) for e in events}
        assert statuses[("Maya: Climbing Course", upcoming_start)] == "CONFIRMED"
        assert "CANCELLED" in statuses.values()
        assert b"Carer" not in feed.body()

        page.goto(live_server.url + "/family/calendar")
        page.check("#confirm")
        page.click("text=Make a new link")
        new_link = page.input_value("#feed-url")
        assert new_link != link
        assert app.get(link).status == 404 and app.get(new_link).status == 200
        page.goto(live_server.url + "/family/calendar")
        page.check("#stop_confirm")
        with page.expect_navigation():
            page.click("main button:has-text('Stop the link')")
        page.wait_for_selector("text=Your calendar link no longer works")
        assert app.get(new_link).status == 404
    finally:
        app.dispose()
