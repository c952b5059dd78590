"""The natural retry after an error page: back to the form, fill it in again, send. It adds nobody twice."""
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.models import YoungPerson
from tests.conftest import sign_in
from tests.factories import make_user
from tests.browser.fill import fill_date_of_birth


def _fill_in(page):
    page.fill("#first_name", "Rosa")
    page.fill("#last_name", "Bus")
    fill_date_of_birth(page, "2013-03-03")
    page.fill("#emergency_contact_name", "Sam Bus")
    page.fill("#emergency_contact_phone", "07700 900321")
    page.check("#consent")
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/family")


def test_back_and_send_again_adds_the_child_once(live_server, phone, screenshot):
    with live_server.app.app_context():
        make_user("retry@example.org", "Sam Bus", email_confirmed=True)
        db.session.commit()
    page = phone.new_page()
    sign_in(page, live_server.url, "retry@example.org", "**/family**")
    page.goto(live_server.url + "/family/children/new")
    _fill_in(page)
    page.go_back()  # as from an error page that hid a saved child
    page.wait_for_url("**/family/children/new?once=*")
    _fill_in(page)
    screenshot(page, "retry-already-saved-phone")
    assert "This was already saved." in page.inner_text("main")
    assert page.locator("main h2", has_text="Rosa Bus").count() == 1
    with live_server.app.app_context():
        assert db.session.execute(select(func.count()).select_from(YoungPerson)).scalar_one() == 1
