"""Issue 16 point 5, in Chromium at 390x844: a guardian starts from a programme page, signs
up, adds two children (each time coming back to the booking with the child chosen), sees a
third child greyed with the reason, books both in one step, and gets confirmation emails over a
real local SMTP server whose .ics the icalendar package reads with the right local times on
both sides of the October clock change."""
from datetime import date, time, timedelta

from aiosmtpd.controller import Controller
from icalendar import Calendar

from outreach.extensions import db
from tests.browser.fill import fill_date_of_birth
from tests.conftest import _Inbox, confirm_link, free_port
from tests.factories import make_org, make_programme, make_user, session_on
from tests.services.test_calendar import october_saturdays

PASSWORD = "sunflower kettle ladder"


def _add_child(page, first, dob):
    page.fill("#first_name", first)
    page.fill("#last_name", "Carer")
    fill_date_of_birth(page, dob)
    page.fill("#emergency_contact_name", "Jo Carer")
    page.fill("#emergency_contact_phone", "07700 900456")
    page.fill("#medical_notes", "Mild asthma, inhaler in bag")
    page.check("#consent")
    page.click("main button[type=submit]")


def test_a_guardian_signs_up_from_a_programme_adds_two_children_and_books_both(live_server, phone, desktop,
                                                                                screenshot):
    before, after = october_saturdays()
    with live_server.app.app_context():
        org = make_org("Moss Side Sports", lead=make_user(), timezone="Europe/London")
        course = make_programme(org, "Saturday Climbing", registration_mode="enrol", min_age=10, max_age=16,
                                capacity=12)
        for day in (before, after):
            session_on(course, day, start=time(10, 0), end=time(12, 0))
        db.session.commit()
        course_id = course.id

    page = phone.new_page()
    page.goto(f"{live_server.url}/activities/{course_id}")
    page.click("text=Book a place on the course")
    page.wait_for_url("**/login?next=**")
    page.click("text=Create an account")
    page.check("input[value=guardian]")
    page.fill("#full_name", "Jo Carer")
    page.fill("#email", "jo.carer@example.org")
    page.fill("#phone", "07700 900456")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Check your email")
    page.goto(confirm_link(live_server))
    page.wait_for_url(f"**/activities/{course_id}/book**")

    today = date.today()
    page.click("main a:has-text('Add a child')")
    _add_child(page, "Maya", date(today.year - 13, 3, 14))
    page.wait_for_url(f"**/activities/{course_id}/book?*child=*")
    assert page.is_checked("label:has-text('Maya Carer')")
    page.click("text=Add another child")
    _add_child(page, "Theo", date(today.year - 10, 9, 2))
    page.wait_for_url(f"**/activities/{course_id}/book?*child=*child=*")
    page.click("text=Add another child")
    _add_child(page, "Sam", date(today.year - 6, 1, 5))
    page.wait_for_url(f"**/activities/{course_id}/book?*child=*child=*child=*")
    assert page.is_checked("label:has-text('Maya Carer')") and page.is_checked("label:has-text('Theo Carer')")
    assert page.is_disabled("input[name=young_person_id] >> nth=1")  # Sam, in name order: Maya, Sam, Theo
    assert page.locator("text=Can't be booked: This programme is for ages 10 to 16; Sam will be").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "issue16-book-several-phone")
    wide = desktop.new_page()
    wide.context.add_cookies(phone.cookies())
    wide.goto(page.url)
    screenshot(wide, "issue16-book-several-desktop")

    inbox = _Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        live_server.app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port)
        page.click("main button:has-text('Book a place')")
        page.wait_for_url("**/family")
        result = page.locator(".booking-result")
        assert "Maya has a place" in result.inner_text() and "Theo has a place" in result.inner_text()
        assert "Sam" not in result.inner_text()  # not sent: greyed out
        screenshot(page, "issue16-book-several-result-phone")
        wide.goto(live_server.url + "/family")
        with live_server.app.app_context():
            messages = inbox.messages  # the worker's step: the outbox, then the SMTP server
    finally:
        smtp.stop()
        live_server.app.config.update(MAIL_SERVER="")

    assert sorted(m["Subject"] for m in messages) == ["Booked: Saturday Climbing"] * 2
    names = set()
    for message in messages:
        [ics] = [a for a in message.iter_attachments() if a.get_content_type() == "text/calendar"]
        body = ics.get_content()
        body = body.encode() if isinstance(body, str) else body
        events = Calendar.from_ical(body).walk("VEVENT")
        starts = sorted(e.decoded("dtstart") for e in events)
        assert [(d.date(), d.time(), d.tzinfo.key, d.utcoffset()) for d in starts] == [
            (before, time(10, 0), "Europe/London", timedelta(hours=1)),
            (after, time(10, 0), "Europe/London", timedelta(0))]
        names |= {str(e["summary"]).split(":")[0] for e in events}
        assert b"Carer" not in body and b"asthma" not in body
    assert names == {"Maya", "Theo"}
