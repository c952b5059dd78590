"""Issue 17, points 4 and 5, seen in a browser: a programme dashboard's "Served and comparison
groups" section with enough pairs in both groups (40 served, 30 waiting) and with too few in
the comparison group (40 and 6), and the national figure beside the programme's, on a laptop
(1280x800) and a phone (390x844); the set-up page and a waiting member's pass page.
Screenshots go to test-artifacts/."""
import random
from datetime import date

import pytest

from outreach.extensions import db
from outreach.models import GuardianLink, Registration
from outreach.services import passes, surveys
from outreach.timeutil import utcnow
from tests.comparison_course import random_answers, seed_groups
from tests.conftest import ARTIFACTS, sign_in
from tests.factories import add_member, make_org, make_programme, make_user, make_young_person


def _path(name):
    ARTIFACTS.mkdir(exist_ok=True)
    return str(ARTIFACTS / f"{name}.png")


def _street_safe(waiting):
    org = make_org("Northside Police Community Team")
    lead = make_user()
    add_member(org, lead, "lead")
    programme = make_programme(org, title="Street Safe", min_age=14, max_age=19, registration_mode="enrol")
    for kind in ("start", "end"):
        surveys.add_instrument(programme, surveys.ensure_survey(programme, kind), "csew_police")
    rng = random.Random(4)

    def more(survey, young_person, kind):
        codes = {q.code: q.id for q in survey.questions}
        lift = 1 if kind == "end" and young_person.first_name.startswith("Served") else 0
        return {codes["felt_safe"]: min(5, rng.randint(2, 4) + lift),
                codes["csew_police_1"]: min(5, rng.randint(2, 4) + lift)}

    seed_groups(programme, random_answers(40, rise=0.5, seed=1), random_answers(waiting, rise=0.1, seed=2),
                lead=lead, extra=more)
    return org, lead, programme


@pytest.mark.parametrize("waiting", [30, 6])
def test_comparison_section(live_server, desktop, phone, waiting):
    with live_server.app.app_context():
        org, lead, programme = _street_safe(waiting)
        db.session.commit()
        url = f"{live_server.url}/org/{org.slug}/evaluation/programmes/{programme.id}"
        email = lead.email

    for context, size in ((desktop, "desktop"), (phone, "phone")):
        page = context.new_page()
        sign_in(page, live_server.url, email, "**/org/**")
        page.goto(url)
        section = page.locator("section[aria-labelledby=h-comparison]")
        text = section.inner_text()
        assert "Not randomised: the groups may differ in ways that affect the result." in text
        assert f"Comparison group: {waiting} young people ({waiting} from the waiting list)" in text
        assert ("Too few pairs to say" in text) == (waiting < 20)
        if waiting >= 20:
            assert "on average, 40 pairs" in text and f"on average, {waiting} pairs" in text
        if size == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        section.scroll_into_view_if_needed()
        section.screenshot(path=_path(f"issue17-comparison-{waiting}-waiting-{size}"))
        benchmark = page.locator("section[aria-labelledby=h-benchmarks]")
        assert "England and Wales" in benchmark.inner_text() and "49%" in benchmark.inner_text()
        if waiting >= 20:
            benchmark.screenshot(path=_path(f"issue17-benchmark-{size}"))
        page.close()


def test_setting_up_the_group_and_a_waiting_members_pass(live_server, desktop, phone):
    with live_server.app.app_context():
        org = make_org("Northside Police Community Team")
        lead = make_user()
        add_member(org, lead, "lead")
        programme = make_programme(org, title="Street Safe", min_age=14, max_age=19, registration_mode="enrol")
        make_programme(org, title="Street Safe (spring term)")
        surveys.ensure_survey(programme, "start")
        surveys.ensure_survey(programme, "end")
        guardian = make_user()
        ruby = make_young_person("Ruby", "Carter", dob=date(2011, 2, 1))
        db.session.add(GuardianLink(guardian_id=guardian.id, young_person_id=ruby.id))
        for yp in [ruby] + [make_young_person(f"Wait{i}") for i in range(3)]:
            db.session.add(Registration(young_person_id=yp.id, programme_id=programme.id, status="waitlisted",
                                        waitlisted_at=utcnow()))
        secret = passes.ensure_pass(ruby).secret
        db.session.commit()
        base, lead_email, guardian_email = live_server.url, lead.email, guardian.email
        manage = f"/org/{org.slug}/evaluation/programmes/{programme.id}/comparison"

    page = desktop.new_page()
    sign_in(page, base, lead_email, "**/org/**")
    page.goto(base + manage)
    assert "4 young people are waiting for a place" in page.inner_text("main")
    page.click("text=Include the waiting list")
    page.wait_for_url("**/comparison")
    assert "4 young people from the waiting list added" in page.inner_text("main")
    page.screenshot(path=_path("issue17-comparison-setup-desktop"), full_page=True)
    page.close()

    page = phone.new_page()
    sign_in(page, base, lead_email, "**/org/**")
    page.goto(base + manage)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=_path("issue17-comparison-setup-phone"), full_page=True)
    page.goto(base + manage.replace("/comparison", "/benchmarks/csew_police_1"))
    page.fill("#area", "Greater Manchester Police")
    page.fill("#percent", "about half")
    page.click("text=Save")
    assert "Enter a number from 0 to 100" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=_path("issue17-area-figure-phone"), full_page=True)
    page.close()
    phone.clear_cookies()  # the guardian next, on the same phone

    page = phone.new_page()
    sign_in(page, base, guardian_email, "**/family")
    page.goto(f"{base}/p/{secret}")
    waiting = page.locator("section[aria-labelledby=waiting-h]")
    assert "Street Safe: start of the programme" in waiting.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=_path("issue17-comparison-pass-phone"), full_page=True)
    waiting.locator("a").click()
    page.wait_for_url("**/feedback/**")
    page.locator("label.face").nth(3).click()
    page.click("text=Send answers")
    page.wait_for_url("**/p/**")
    assert "Thank you!" in page.content() and "While you wait" not in page.content()
