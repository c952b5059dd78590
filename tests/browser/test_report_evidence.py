"""Issue 17, points 2 and 9, seen in a browser: the report to share for a programme with 40
start/end pairs and with 5 ("too few pairs to say"), each beside a comparison group, on a
laptop (1280x800) and a phone (390x844), and printed to PDF by headless Chromium with its
pages turned into PNGs (pypdfium2). Screenshots go to test-artifacts/ (and SHOTS_DIR if set)."""
import os
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from outreach.extensions import db
from outreach.services import surveys
from tests.comparison_course import random_answers, seed_groups
from tests.conftest import ARTIFACTS, sign_in
from tests.factories import add_member, make_org, make_programme, make_user


def _out(name):
    folders = [ARTIFACTS] + ([Path(os.environ["SHOTS_DIR"])] if os.environ.get("SHOTS_DIR") else [])
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return [folder / name for folder in folders]


def _seed(pairs):
    org = make_org("Northside Youth Voice")
    lead = make_user()
    add_member(org, lead, "lead")
    programme = make_programme(org, title="Youth Voice", min_age=12, max_age=18, registration_mode="enrol")
    for kind in ("start", "end"):
        survey = surveys.ensure_survey(programme, kind)
        surveys.add_instrument(programme, survey, "swemwbs")
        db.session.refresh(survey)

    def swemwbs(survey, yp, kind):
        # Raw totals rising from 21 to 25 on average: a little for some, more for others.
        lift = 0 if kind == "start" else (yp.id % 3)
        return {q.id: min(5, 3 + (lift if q.item_number <= 2 else 0)) for q in survey.questions
                if q.instrument == "swemwbs"}

    seed_groups(programme, random_answers(pairs, rise=0.6, seed=1), random_answers(max(3, pairs // 2), rise=0.1, seed=2),
                extra=swemwbs)
    db.session.commit()
    return org, lead, programme


@pytest.mark.parametrize("pairs", [40, 5])
def test_report_with_change_comparison_and_who_answered(live_server, desktop, phone, pairs, tmp_path):
    with live_server.app.app_context():
        org, lead, programme = _seed(pairs)
        url, email = f"{live_server.url}/org/{org.slug}/evaluation/report?programme={programme.id}", lead.email

    for context, size, width in ((desktop, "desktop", 1280), (phone, "phone", 390)):
        page = context.new_page()
        sign_in(page, live_server.url, email, "**/org/**")
        page.goto(url)
        feedback = page.locator("section[aria-labelledby=h-surveys]").inner_text()
        assert "Change from start to end" in feedback and "Who answered the start and end surveys" in feedback
        assert ("Too few pairs to say" in feedback) == (pairs < 20)
        if pairs >= 20:
            assert "95%" in feedback or " to +" in feedback
        groups = page.locator("section[aria-labelledby=h-comparison]").inner_text()
        assert "Not randomised" in groups
        definitions = page.locator("section[aria-labelledby=h-defs]").inner_text()
        assert "Who answered the start and end surveys" in definitions and "Change from start to end" in definitions
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for path in _out(f"report-{pairs}-pairs-{size}.png"):
            page.screenshot(path=str(path), full_page=True)
        for name, selector in (("feedback", "h-surveys"), ("comparison", "h-comparison")):
            for path in _out(f"report-{pairs}-pairs-{size}-{name}.png"):
                page.locator(f"section[aria-labelledby={selector}]").screenshot(path=str(path))
        if size == "desktop":
            page.emulate_media(media="print")
            pdf_path = tmp_path / "report.pdf"
            page.pdf(path=str(pdf_path), format="A4", print_background=True)
            pdf = pdfium.PdfDocument(str(pdf_path))
            text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
            assert "Who answered the start and end surveys" in text and "Not randomised" in text
            assert ("Too few pairs to say" in text) == (pairs < 20)
            for i in range(len(pdf)):
                for path in _out(f"report-{pairs}-pairs-print-page{i + 1}.png"):
                    pdf[i].render(scale=1.2).to_pil().save(path)
        page.close()
