"""Issue 17, point 3, seen in a browser: a programme dashboard's feedback section with 40
start/end pairs (a finding, with its interval) and with 5 (too few pairs to say), on a
laptop (1280x800) and a phone (390x844). Screenshots go to test-artifacts/."""
import pytest

from outreach.extensions import db
from tests.conftest import sign_in
from tests.factories import add_member, make_org, make_programme, make_user
from tests.survey_pairs import seed_pairs


@pytest.mark.parametrize("pairs", [40, 5])
def test_feedback_change_section(live_server, desktop, phone, pairs):
    with live_server.app.app_context():
        org = make_org("Northside Youth Voice")
        lead = make_user()
        add_member(org, lead, "lead")
        programme = make_programme(org, title="Youth Voice", min_age=12, max_age=16, registration_mode="enrol")
        seed_pairs(programme, pairs)
        db.session.commit()
        url, email = f"{live_server.url}/org/{org.slug}/evaluation/programmes/{programme.id}", lead.email

    for context, size in ((desktop, "desktop"), (phone, "phone")):
        page = context.new_page()
        sign_in(page, live_server.url, email, "**/org/**")
        page.goto(url)
        section = page.locator("section[aria-labelledby=h-surveys]")
        text = section.inner_text()
        assert f"With {pairs} pairs, only a change of" in text
        assert ("Too few pairs to say" in text) == (pairs < 20)
        assert "© NHS Health Scotland, University of Warwick and University of Edinburgh" in text
        if size == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        section.scroll_into_view_if_needed()
        section.screenshot(path=str(_path(f"issue17-change-{pairs}-pairs-{size}")))
        page.close()


def _path(name):
    from tests.conftest import ARTIFACTS
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"
