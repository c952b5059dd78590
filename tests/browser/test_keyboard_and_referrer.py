"""A young person signs up, books and opens their pass, and a worker checks them in,
all with the keyboard alone; the pass page never sends a Referer (issue 6)."""
from datetime import date, datetime, timedelta

from sqlalchemy import select

from outreach.extensions import db
from outreach.models import Attendance, Registration
from outreach.timeutil import UTC
from tests.conftest import confirm_link, sign_in
from tests.factories import make_org, make_programme, make_session, make_user
from tests.browser.fill import fill_date_of_birth

YP_PASSWORD = "marmalade lantern orbit"


def tab_to(page, selector, limit=80):
    """Press Tab until the focused element matches `selector` (fails if it never does)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            # The focus must be visible, not only present.
            outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"{selector} has focus but no visible focus outline"
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def test_young_person_books_and_worker_checks_in_with_the_keyboard_alone(live_server, phone, desktop):
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with live_server.app.app_context():
        org = make_org("Keyboard Club", lead=make_user(), worker=make_user("worker@keys.example.org"))
        programme = make_programme(org, "Late Night Football", registration_mode="per_session", min_age=12,
                                   max_age=18, capacity=20)
        session = make_session(programme, starts_at=now - timedelta(minutes=30), hours=3)
        upcoming = make_session(programme, starts_at=now + timedelta(days=2))
        db.session.commit()
        programme_id, session_id, upcoming_id, slug = programme.id, session.id, upcoming.id, org.slug

    # Sign-up with the form, then the emailed link.
    page = phone.new_page()
    page.goto(live_server.url + "/signup")
    page.check("input[value=young_person]")
    page.fill("#full_name", "Kai Keys")
    page.fill("#email", "kai@example.org")
    fill_date_of_birth(page, date(date.today().year - 15, 2, 1).isoformat())
    page.fill("#emergency_contact_name", "Mina Keys")
    page.fill("#emergency_contact_phone", "07700 900314")
    page.fill("#password", YP_PASSWORD)
    page.fill("#confirm", YP_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Check your email")
    page.goto(confirm_link(live_server))

    # Booking, keyboard only: from the activity page to the confirmation.
    page.goto(f"{live_server.url}/activities/{programme_id}")
    tab_to(page, f"a[href*='/activities/{programme_id}/book']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/activities/{programme_id}/book**")
    # Their own account books only themself: already ticked, reached by keyboard all the same.
    tab_to(page, "input[type=checkbox][name=young_person_id]")
    assert page.is_checked("input[type=checkbox][name=young_person_id]")
    tab_to(page, f"input[type=radio][name=session_id][value='{upcoming_id}']")
    page.keyboard.press("Space")
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/family")
    with live_server.app.app_context():
        db.session.remove()
        reg = db.session.execute(select(Registration).where(Registration.session_id == upcoming_id)).scalar_one()
        assert reg.status == "confirmed"
        kai_id = reg.young_person_id
        # Also booked (earlier) on tonight's session, where the worker will check them in.
        db.session.add(Registration(young_person_id=reg.young_person_id, session_id=session_id, status="confirmed",
                                    confirmed_at=now - timedelta(days=1)))
        db.session.commit()

    # The pass page: nothing it loads or links to is told where it came from.
    requests = []
    page.on("request", lambda r: requests.append((r.url, r.all_headers().get("referer"))))
    page.goto(live_server.url + "/family")
    page.click("a:has-text('Show pass')")
    page.wait_for_url("**/p/**")
    pass_url = page.url
    page.wait_for_load_state("networkidle")
    page.click("header a:has-text('Find activities')")
    page.wait_for_url("**/activities**")
    after_pass = [(url, ref) for url, ref in requests if url != live_server.url + "/family"]
    assert any("/qr" in url for url, _ in after_pass), after_pass  # the QR image was loaded from the pass page
    assert [(url, ref) for url, ref in after_pass if ref] == []

    # Check-in at the door, keyboard only: search by name, then check in.
    door = desktop.new_page()
    sign_in(door, live_server.url, "worker@keys.example.org", f"**/org/{slug}/")
    door.goto(f"{live_server.url}/org/{slug}/sessions/{session_id}")
    tab_to(door, "#q")
    door.keyboard.type("Kai")
    door.keyboard.press("Enter")
    door.wait_for_url("**q=Kai**")
    tab_to(door, f"form:has(input[name=young_person_id][value='{kai_id}']) button")
    assert door.evaluate("() => document.activeElement.textContent") == "Check in Kai Keys"  # its spoken name
    door.keyboard.press("Enter")
    door.wait_for_selector("text=In ")
    with live_server.app.app_context():
        db.session.remove()
        rows = db.session.execute(select(Attendance).where(Attendance.session_id == session_id)).scalars().all()
        assert len(rows) == 1 and rows[0].young_person.first_name == "Kai"
    assert pass_url  # kept for the failure message above
