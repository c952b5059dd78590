"""Issue 3, seen in a real browser at 390x844: a guardian signs up, adds two children,
books one onto a course and one onto a single session, and opens a pass whose PNG
decodes (zxing-cpp) to the pass URL, which opens the pass."""
import io
from datetime import date, datetime, timedelta

import zxingcpp
from PIL import Image

from outreach.extensions import db
from outreach.timeutil import UTC
from tests.conftest import confirm_link, watch
from tests.factories import make_org, make_programme, make_session, make_user
from tests.browser.fill import fill_date_of_birth

PASSWORD = "sunflower kettle ladder"


def _add_child(page, first, last, dob):
    page.fill("#first_name", first)
    page.fill("#last_name", last)
    fill_date_of_birth(page, dob)
    page.fill("#emergency_contact_name", "Jo Carer")
    page.fill("#emergency_contact_phone", "07700 900456")
    page.fill("#medical_notes", "Mild asthma, inhaler in bag")
    page.check("#photo_consent")
    page.check("#consent")
    page.click("main button[type=submit]")


def test_guardian_signs_up_adds_two_children_books_and_opens_a_pass(live_server, phone, screenshot):
    with live_server.app.app_context():
        org = make_org("Moss Side Sports", lead=make_user())
        course = make_programme(org, "Climbing Course", registration_mode="enrol", min_age=10, max_age=16,
                                capacity=12)
        for week in range(4):
            make_session(course, starts_at=datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
                         + timedelta(days=5 + 7 * week))
        single = make_programme(org, "Street Dance Taster", registration_mode="per_session", min_age=8,
                                max_age=14, capacity=15)
        make_session(single, starts_at=datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
                     + timedelta(days=3))
        db.session.commit()
        course_id, single_id = course.id, single.id

    page = phone.new_page()
    page.goto(live_server.url + "/signup")
    page.check("input[value=guardian]")
    assert not page.is_visible("#date_of_birth-day")  # only young people give theirs
    page.fill("#full_name", "Jo Carer")
    page.fill("#email", "jo.carer@example.org")
    page.fill("#phone", "07700 900456")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    screenshot(page, "issue3-signup-phone")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Check your email")
    page.goto(confirm_link(live_server))
    page.wait_for_url("**/family/children/new?once=*")

    today = date.today()
    _add_child(page, "Maya", "Carer", date(today.year - 13, 3, 14).isoformat())
    page.wait_for_url("**/family")
    page.click("text=Add a child")
    _add_child(page, "Theo", "Carer", date(today.year - 10, 9, 2).isoformat())
    page.wait_for_url("**/family")
    page.goto(live_server.url + "/family/children/new")
    screenshot(page, "issue3-add-child-phone")

    page.goto(f"{live_server.url}/activities/{course_id}")
    page.click("text=Book a place on the course")
    page.check("label:has-text('Maya')")
    screenshot(page, "issue3-booking-phone")
    page.click("main button:has-text('Book a place')")
    page.wait_for_selector("text=Maya has a place")

    page.goto(f"{live_server.url}/activities/{single_id}")
    page.click(".session-item a:has-text('Book')")
    page.check("label:has-text('Theo')")
    page.click("main button:has-text('Book a place')")
    page.wait_for_selector("text=Theo has a place")

    maya = page.locator(".child-card", has_text="Maya Carer")
    theo = page.locator(".child-card", has_text="Theo Carer")
    assert "Climbing Course" in maya.inner_text() and "Whole course" in maya.inner_text()
    assert "Street Dance Taster" in theo.inner_text() and "Booked" in theo.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "issue3-my-family-phone")

    maya.locator("text=Show pass").click()
    page.wait_for_selector("img.pass-card__qr")
    assert page.locator("text=Maya").first.is_visible()
    screenshot(page, "issue3-pass-phone")
    png_url = page.get_attribute("img.pass-card__qr", "src")
    png = page.request.get(live_server.url + png_url)
    assert png.status == 200 and png.headers["content-type"] == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.body())))
    assert len(decoded) == 1
    pass_url = decoded[0].text
    assert pass_url.startswith(live_server.url + "/p/") and pass_url == page.url.split("?")[0]

    stranger = watch(phone.browser.new_context(viewport={"width": 390, "height": 844}))
    try:
        other = stranger.new_page()
        other.goto(pass_url)
        assert other.locator("body").is_visible()
        assert "Carer" not in other.content()  # a stranger learns no name
    finally:
        stranger.close()
    page.goto(pass_url)
    assert "Maya" in page.content()
