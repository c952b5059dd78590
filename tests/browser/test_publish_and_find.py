"""Issue 2, seen in a real browser: a lead creates a programme with a weekly rule and
publishes it; a visitor on a phone finds it with the right sessions and places."""
from datetime import date, timedelta

from playwright.sync_api import expect

from outreach.extensions import db
from tests.conftest import sign_in
from tests.factories import make_org, make_user


def _next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def test_lead_publishes_weekly_programme_and_phone_visitor_finds_it(live_server, desktop, phone, screenshot):
    with live_server.app.app_context():
        lead = make_user("lead@northside.example.org", "Pat Lead")
        org = make_org("Northside Youth Trust", lead=lead, slug="northside", safeguarding_lead=lead)
        db.session.commit()

    page = desktop.new_page()
    sign_in(page, live_server.url, "lead@northside.example.org", "**/org/northside/")
    page.click("text=New programme")
    page.fill("#title", "Wednesday Street Dance")
    page.fill("#description", "Hip hop and street dance with a professional coach.")
    page.select_option("#category", "arts")
    page.fill("#venue_name", "Northside Community Hall")
    page.fill("#venue_address", "12 Mill Lane, Manchester")
    page.fill("#postcode_district", "M40")
    page.fill("#min_age", "11")
    page.fill("#max_age", "16")
    page.fill("#capacity", "15")
    page.check("input[value=per_session]")
    screenshot(page, "issue2-new-programme-desktop")
    page.click("main button[type=submit]")

    first = _next_weekday(date.today() + timedelta(days=7), 2)
    dates = [first + timedelta(weeks=i) for i in range(6)]
    page.wait_for_url("**/sessions/generate")
    page.select_option("#weekday", "2")
    page.fill("#start", "18:30")
    page.fill("#end", "20:00")
    page.fill("#first_date", first.isoformat())
    page.fill("#last_date", dates[-1].isoformat())
    page.fill("#skip_dates", dates[2].isoformat())  # half-term
    page.click("button[value=preview]")
    assert page.locator("h2", has_text="5 sessions to add").is_visible()
    screenshot(page, "issue2-weekly-preview-desktop")
    page.click("button[value=create]")
    page.wait_for_selector("text=5 sessions added")
    page.click("button:has-text('Publish')")
    page.wait_for_selector("text=is published")
    screenshot(page, "issue2-programme-published-desktop")

    visitor = phone.new_page()
    visitor.goto(live_server.url + "/activities")
    visitor.click("summary:has-text('Filter')")
    visitor.fill("#age", "13")
    visitor.fill("#area", "M40")
    visitor.click("button:has-text('Show activities')")
    card = visitor.locator(".programme-card", has_text="Wednesday Street Dance")
    assert card.is_visible()
    assert "15 places left" in card.inner_text()
    screenshot(visitor, "issue2-catalogue-phone")
    card.locator("a").first.click()
    visitor.wait_for_url("**/activities/*")
    items = visitor.locator(".session-item")
    expect(items).to_have_count(5)
    texts = items.all_inner_texts()
    expected = [d for i, d in enumerate(dates) if i != 2]
    for text, day in zip(texts, expected):
        assert day.strftime("%A %-d %B") in text
        assert "18:30–20:00" in text
        assert "15 places left" in text
    # Readable at a phone's width: nothing wider than the screen.
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(visitor, "issue2-programme-phone")
    # Too old for the age range: not found.
    visitor.goto(live_server.url + "/activities?age=18&area=M40")
    assert visitor.locator(".programme-card").count() == 0
    assert visitor.locator("text=No activities match").is_visible()
