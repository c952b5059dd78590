"""Issue 5, seen in a real browser on the demo term: a lead reads the programme dashboard
on a laptop and a phone, and prints the report to PDF; the PDF's pages are turned into
PNGs (pypdfium2) for a person to look at, and its text must carry the suppression note."""
import re

import pypdfium2 as pdfium

from outreach.extensions import db
from outreach.models import Programme
from outreach.services import demo
from outreach.services.passwords import hash_password
from outreach.timeutil import utcnow
from tests.conftest import ARTIFACTS, sign_in


def test_programme_dashboard_and_printed_report(live_server, desktop, phone, screenshot, tmp_path):
    with live_server.app.app_context():
        demo.seed_demo(utcnow(), password_hash=hash_password(demo.DEMO_PASSWORD))
        programme = db.session.execute(db.select(Programme).where(Programme.title == "Street Safe")).scalar_one()
        slug, pid = programme.organisation.slug, programme.id

    def lead_page(context):
        page = context.new_page()
        sign_in(page, live_server.url, "lead@northside-police.example", f"**/org/{slug}/", demo.DEMO_PASSWORD)
        return page

    page = lead_page(desktop)
    page.click("text=Evaluation and exports")
    page.click("text=Street Safe")
    page.wait_for_url(f"**/evaluation/programmes/{pid}")
    assert page.locator("h1").inner_text() == "Evaluation: Street Safe"
    # Every chart is an image with a title, and its values are written out as text.
    charts = page.locator("figure.chart svg[role=img]")
    assert charts.count() == 5
    assert all(charts.nth(i).locator("title").count() >= 1 for i in range(charts.count()))
    assert re.search(r"\d+%", page.locator("#h-cohort + figure").inner_text())
    screenshot(page, "issue5-programme-dashboard-desktop")

    small = lead_page(phone)
    small.goto(f"{live_server.url}/org/{slug}/evaluation/programmes/{pid}")
    assert small.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(small, "issue5-programme-dashboard-phone")

    page.click("text=Report to share")
    assert "Small numbers hidden" in page.locator(".note").first.inner_text()
    page.emulate_media(media="print")
    pdf_path = tmp_path / "report.pdf"
    page.pdf(path=str(pdf_path), format="A4", print_background=True)
    pdf = pdfium.PdfDocument(str(pdf_path))
    assert 1 <= len(pdf) <= 10
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "Counts from 1 to 4" in text and "Evaluation report: Street Safe" in text
    ARTIFACTS.mkdir(exist_ok=True)
    for i in range(len(pdf)):
        pdf[i].render(scale=1.2).to_pil().save(ARTIFACTS / f"issue5-report-page{i + 1}.png")


def test_dashboard_filters_say_the_figures_are_on_their_way(live_server, desktop):
    # Over a big programme the figures take seconds; until they come the page must not
    # look as if the tap did nothing.
    with live_server.app.app_context():
        demo.seed_demo(utcnow(), password_hash=hash_password(demo.DEMO_PASSWORD))
        slug = db.session.execute(db.select(Programme).where(Programme.title == "Street Safe")).scalar_one() \
            .organisation.slug
    page = desktop.new_page()
    sign_in(page, live_server.url, "lead@northside-police.example", f"**/org/{slug}/", demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/org/{slug}/evaluation")
    # What the form shows once sent, noted where the next page can read it (the page is gone
    # by the time the figures arrive); this listener runs after the page's own.
    page.evaluate("""document.addEventListener("submit", (e) => sessionStorage.setItem("sent",
        e.submitter.textContent + "|" + e.target.getAttribute("aria-busy")))""")
    button = page.locator("form[aria-label=Filters] button[type=submit]")
    assert button.inner_text() == "Show"
    page.select_option("#gender", index=1)
    with page.expect_navigation():
        button.click()
    assert page.evaluate("sessionStorage.getItem('sent')") == "Working out the figures…|true"
    assert "gender=" in page.url
    assert button.inner_text() == "Show"


def test_platform_admin_compares_partners_from_the_admin_pages(live_server, desktop, phone, screenshot):
    with live_server.app.app_context():
        demo.seed_demo(utcnow(), password_hash=hash_password(demo.DEMO_PASSWORD))
    page = desktop.new_page()
    sign_in(page, live_server.url, demo.ADMIN_EMAIL, "**/admin/**", demo.DEMO_PASSWORD)
    page.goto(live_server.url + "/admin/")
    page.click("text=Compare partners")
    page.wait_for_url("**/admin/evaluation/partners")
    assert page.locator("h1").inner_text() == "Partners side by side"
    rows = page.locator("table.partners tbody tr")
    # The three approved demo partners, by name; the applicant waiting for approval is not one.
    assert rows.count() == 3
    names = [rows.nth(i).locator("th").inner_text() for i in range(3)]
    assert names == sorted(names, key=str.lower) and "Levenshulme" not in " ".join(names)
    for i in range(3):
        cells = rows.nth(i).locator("td")
        assert int(cells.nth(0).inner_text()) > 0 and re.match(r"\d+% of \d+ bookings", cells.nth(3).inner_text())
    assert page.locator("table.partners tfoot th").inner_text() == "All partners"
    screenshot(page, "issue16-partners-desktop")
    page.click("text=Dashboard across all partners")
    page.wait_for_url("**/admin/evaluation")
    assert page.locator("h1").inner_text() == "Evaluation across all partners"
    # Months in full: "Oct 2026", never "Oct 26".
    labels = page.locator("#h-time + figure").inner_text()
    assert re.search(r"\b[A-Z][a-z]{2} 20\d\d\b", labels) and not re.search(r"\b[A-Z][a-z]{2} \d\d\b", labels)

    small = phone.new_page()
    sign_in(small, live_server.url, demo.ADMIN_EMAIL, "**/admin/**", demo.DEMO_PASSWORD)
    small.goto(live_server.url + "/admin/evaluation/partners")
    assert small.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(small, "issue16-partners-phone")


def _printed_pages(pdf_path):
    """Per page of the PDF: its height, the bottom of its ink (text, bars, lines) and each line
    of text with its top and bottom, measured from the top of the page in points."""
    pdf = pdfium.PdfDocument(str(pdf_path))
    pages = []
    for page in pdf:
        _, height = page.get_size()
        text = page.get_textpage()
        lines = []
        for i in range(text.count_rects()):
            left, bottom, right, top = text.get_rect(i)
            words = " ".join(text.get_text_bounded(left, bottom, right, top).split())
            if words:
                lines.append({"text": words, "top": height - top, "bottom": height - bottom})
        grey = page.render(scale=1).to_pil().convert("L")
        ink = grey.point(lambda v: 255 if v < 245 else 0).getbbox()
        pages.append({"height": height, "ink_bottom": ink[3] if ink else 0, "lines": lines})
    return pages


MARGIN_PT = 15 / 25.4 * 72  # the report's @page margin


def _check_printed_report(pages, headings):
    """No page but the last filled to less than 70% of its printable height; no heading with
    less than three lines' worth of its section under it on its page."""
    problems = []
    for n, page in enumerate(pages, start=1):
        printable = page["height"] - 2 * MARGIN_PT
        filled = (page["ink_bottom"] - MARGIN_PT) / printable
        if n < len(pages) and filled < 0.7:
            problems.append(f"page {n} of {len(pages)} is only {filled:.0%} full")
        for line in page["lines"]:
            if line["text"] in headings and n < len(pages) and page["ink_bottom"] - line["bottom"] < 36:
                problems.append(f"page {n}: heading {line['text']!r} is left at the bottom of the page")
    return problems


def test_printed_reports_have_no_half_empty_page_and_no_heading_left_at_a_page_bottom(live_server, desktop, phone,
                                                                                   screenshot, tmp_path):
    # The check itself, on pages made up here (A4 is 842 points high, 42.5 of margin each side),
    # sees a half-empty page and a heading at a page's foot.
    full = {"height": 842, "ink_bottom": 790, "lines": [{"text": "Dosage", "top": 60, "bottom": 72}]}
    half = {"height": 842, "ink_bottom": 400, "lines": []}
    orphan = {"height": 842, "ink_bottom": 790, "lines": [{"text": "Feedback", "top": 770, "bottom": 785}]}
    assert _check_printed_report([full, full], {"Dosage"}) == []
    assert _check_printed_report([half, full], set()) == ["page 1 of 2 is only 47% full"]
    assert _check_printed_report([orphan, full], {"Feedback"}) == [
        "page 1: heading 'Feedback' is left at the bottom of the page"]
    assert _check_printed_report([full, half], set()) == []  # the last page ends where it ends

    with live_server.app.app_context():
        demo.seed_demo(utcnow(), password_hash=hash_password(demo.DEMO_PASSWORD))
        programme = db.session.execute(db.select(Programme).where(Programme.title == "Street Safe")).scalar_one()
        slug, pid = programme.organisation.slug, programme.id
    page = desktop.new_page()
    sign_in(page, live_server.url, "lead@northside-police.example", f"**/org/{slug}/", demo.DEMO_PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)
    for name, url in (("programme", f"/org/{slug}/evaluation/report?programme={pid}"),
                      ("organisation", f"/org/{slug}/evaluation/report")):
        page.goto(live_server.url + url)
        screenshot(page, f"issue16-report-{name}-desktop")
        page.emulate_media(media="print")
        headings = set(page.locator("main h2:visible, main h3:visible").all_inner_texts())
        headings = {" ".join(h.split()) for h in headings if h.strip()}
        pdf_path = tmp_path / f"{name}.pdf"
        page.pdf(path=str(pdf_path), format="A4", print_background=True)
        page.emulate_media(media="screen")
        pages = _printed_pages(pdf_path)
        pdf = pdfium.PdfDocument(str(pdf_path))
        for i in range(len(pdf)):
            pdf[i].render(scale=1.2).to_pil().save(ARTIFACTS / f"issue16-report-{name}-page{i + 1}.png")
        problems = _check_printed_report(pages, headings)
        assert not problems, f"{name} report:\n" + "\n".join(problems)
    small = phone.new_page()
    sign_in(small, live_server.url, "lead@northside-police.example", f"**/org/{slug}/", demo.DEMO_PASSWORD)
    small.goto(f"{live_server.url}/org/{slug}/evaluation/report?programme={pid}")
    assert small.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(small, "issue16-report-programme-phone")

