"""Issue 17, point 2, seen in a browser: the scanner's green screen says a start survey is
due, with the whole result still in view on a 360x640 phone and a laptop; the guardian's
pass page marks it "Due now". Screenshots go to test-artifacts/ (and SHOTS_DIR if set)."""
import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from outreach.extensions import db
from outreach.models import Attendance, ProgrammeSession
from outreach.services import passes, surveys
from outreach.timeutil import utcnow
from tests.browser.fakecam import write_video
from tests.browser.test_scanner import SCREENS, _assert_in_view, _phone_with_camera, _wait_result, door  # noqa: F401
from tests.conftest import ARTIFACTS, sign_in
from tests.factories import make_programme, make_session, make_org, make_user, make_young_person


def _out(name):
    folders = [ARTIFACTS] + ([Path(os.environ["SHOTS_DIR"])] if os.environ.get("SHOTS_DIR") else [])
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return [str(folder / f"{name}.png") for folder in folders]


@pytest.mark.parametrize("screen", ["360x640", "1280x800"])
def test_the_green_screen_says_the_start_survey_is_due(live_server, door, playwright_instance, tmp_path, screen):
    with live_server.app.app_context():
        programme = db.session.get(ProgrammeSession, door["session_id"]).programme
        for kind in ("start", "end"):
            surveys.ensure_survey(programme, kind)
    video = write_video(tmp_path / "due.y4m", [(door["urls"][0], 2), (None, 3)])
    browser, context = _phone_with_camera(playwright_instance, video, SCREENS[screen])
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "worker@door.example.org", "**/org/door/")
        page.goto(door["scan"])
        green = _wait_result(page, "ok")
        assert "Start survey due (first session): ask Ava to answer it on their pass" in green
        page.wait_for_selector("[data-role=undo]:not([hidden])")
        _assert_in_view(page, screen, [".result-panel__word", ".result-panel__name", ".result-panel__surveys li",
                                       "[data-role=back]", "[data-role=undo]"])
        size = page.eval_on_selector(".result-panel__surveys li", "e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 16
        for path in _out(f"scanner-green-survey-due-{screen}"):
            page.screenshot(path=path)
    finally:
        context.close()
        browser.close()


def test_the_pass_page_marks_the_survey_due_now(live_server, phone, desktop):
    with live_server.app.app_context():
        org = make_org("Northside Youth Voice")
        programme = make_programme(org, title="Youth Voice", min_age=12, max_age=18, registration_mode="enrol")
        session = make_session(programme, starts_at=utcnow() - timedelta(hours=3))
        make_session(programme, starts_at=utcnow() + timedelta(weeks=3))
        for kind in ("start", "end", "session"):
            surveys.ensure_survey(programme, kind)
        guardian = make_user()
        yp = make_young_person("Sam", dob=date(utcnow().year - 14, 1, 1), guardian=guardian)
        db.session.add(Attendance(session_id=session.id, young_person_id=yp.id, checked_in_at=session.starts_at,
                                  method="qr"))
        url = f"{live_server.url}/p/{passes.ensure_pass(yp).secret}"
        db.session.commit()
        email = guardian.email
    for context, size, width in ((phone, "390x844", 390), (desktop, "1280x800", 1280)):
        page = context.new_page()
        sign_in(page, live_server.url, email, "**/family")
        page.goto(url)
        text = page.locator("#surveys-h + ul").inner_text()
        assert "Youth Voice: start of the programme" in text and "Due now (first session)" in text
        assert "end of the programme" not in text
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for path in _out(f"pass-page-survey-due-{size}"):
            page.screenshot(path=path, full_page=True)
        page.close()


def test_the_programme_form_asks_for_the_weeks_until_the_end_survey(live_server, phone):
    from tests.factories import add_member

    with live_server.app.app_context():
        org = make_org("Northside Youth Voice")
        lead = make_user()
        add_member(org, lead, "lead")
        programme = make_programme(org, title="Youth Voice", registration_mode="enrol")
        db.session.commit()
        email, url = lead.email, f"{live_server.url}/org/{org.slug}/programmes/{programme.id}/edit"
    page = phone.new_page()
    sign_in(page, live_server.url, email, "**/org/**")
    page.goto(url)
    page.fill("#end_survey_weeks", "0")
    page.click("text=Save programme")
    assert "Enter a number of weeks from 1 to 104" in page.locator("#end_survey_weeks-error").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("#end_survey_weeks").scroll_into_view_if_needed()
    for path in _out("programme-form-end-survey-weeks-390x844"):
        page.screenshot(path=path)
