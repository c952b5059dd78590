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


def test_answer_page_with_questionnaires_on_a_phone(live_server, phone, desktop):
    """A 16-year-old answers a start survey carrying SWEMWBS (1–5 words) and ONS4 (0–10)."""
    from datetime import date, timedelta

    from outreach.models import Attendance
    from outreach.services import passes, surveys
    from outreach.timeutil import utcnow
    from tests.factories import make_session, make_young_person

    with live_server.app.app_context():
        org = make_org("Northside Youth Voice")
        programme = make_programme(org, title="Youth Voice", min_age=12, max_age=18, registration_mode="enrol")
        session = make_session(programme, starts_at=utcnow() - timedelta(hours=3))
        start = surveys.ensure_survey(programme, "start")
        surveys.add_instrument(programme, start, "swemwbs")
        surveys.add_instrument(programme, start, "ons4")
        guardian = make_user()
        yp = make_young_person("Sam", dob=date(utcnow().year - 16, 1, 1), guardian=guardian)
        db.session.add(Attendance(session_id=session.id, young_person_id=yp.id, checked_in_at=session.starts_at,
                                  method="qr"))
        url = f"{live_server.url}/p/{passes.ensure_pass(yp).secret}/feedback/{start.id}"
        lead = make_user()
        add_member(org, lead, "lead")
        db.session.commit()
        email, lead_email, manage = guardian.email, lead.email, f"/org/{org.slug}/programmes/{programme.id}/surveys"

    page = phone.new_page()
    sign_in(page, live_server.url, email, "**/family")
    page.goto(url)
    assert page.locator("fieldset.survey__question").count() == 4 + 7 + 4
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("label.scale-word", has_text="Often").first.click()
    page.locator(".scale-numbers").first.locator("label.scale-number", has_text="7").click()
    page.screenshot(path=str(_path("issue17-answer-questionnaires-phone")), full_page=True)
    page.click("text=Send answers")
    page.wait_for_url("**/p/**")
    assert "Thank you!" in page.content()

    page = desktop.new_page()
    sign_in(page, live_server.url, lead_email, "**/org/**")
    page.goto(live_server.url + manage)
    page.locator("summary", has_text="SWEMWBS").first.click()
    page.screenshot(path=str(_path("issue17-manage-surveys-desktop")), full_page=True)
