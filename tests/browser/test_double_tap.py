"""A form sent twice by a double tap on a slow connection reaches the server once."""
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.models import GuardianLink
from tests.conftest import sign_in
from tests.factories import make_user
from tests.browser.fill import fill_date_of_birth


def test_a_second_tap_while_the_first_is_on_its_way_is_not_sent(live_server, phone):
    with live_server.app.app_context():
        guardian = make_user("slow.bus@example.org", "Sam Bus", email_confirmed=True)
        db.session.commit()
        guardian_id = guardian.id

    page = phone.new_page()
    sign_in(page, live_server.url, "slow.bus@example.org", "**/family**")
    page.goto(live_server.url + "/family/children/new")
    page.fill("#first_name", "Rosa")
    page.fill("#last_name", "Bus")
    fill_date_of_birth(page, "2013-03-03")
    page.fill("#emergency_contact_name", "Sam Bus")
    page.fill("#emergency_contact_phone", "07700 900321")
    page.check("#consent")

    # The first POST gets 204 No Content, so the page stays as it is, as on a connection that has
    # not answered yet; later ones go through to the server.
    posts = []

    def answer(route):
        if route.request.method != "POST":
            return route.continue_()
        posts.append(route.request.url)
        return route.fulfill(status=204) if len(posts) == 1 else route.continue_()

    page.route("**/family/children/new?once=*", answer)  # the address carries the form's one-time token
    button = page.locator("main button[type=submit]")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)  # raw input, as a thumb would
    page.wait_for_timeout(300)
    assert len(posts) == 1
    assert button.inner_text() == "Sending…"

    # A few seconds on, the form can be sent again (a download leaves the page as it was).
    page.wait_for_timeout(4000)
    assert button.inner_text() == "Add child"
    button.click()
    page.wait_for_selector("text=Rosa")
    assert len(posts) == 2
    with live_server.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(GuardianLink)
                                 .where(GuardianLink.guardian_id == guardian_id)) == 1
