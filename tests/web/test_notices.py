"""The privacy notice (whole page, and its summary at sign-up and add-child), the accessibility
statement in every footer, and "Error:" at the start of the title of a form page sent back with errors."""
import re

import pytest

from outreach.services.privacy_notice import duration
from tests.factories import make_user
from tests.web.site_map import Forms, fill, open_page, world  # noqa: F401  (world is a fixture)


@pytest.mark.parametrize("days,said", [(365, "1 year"), (1095, "3 years"), (30, "30 days"), (1, "1 day"),
                                       (540, "18 months"), (400, "400 days")])
def test_durations_read_as_people_say_them(days, said):
    assert duration(days) == said


@pytest.fixture()
def short_retention(app):
    old = {k: app.config[k] for k in ("RETENTION_MEDICAL_NOTES_DAYS", "RETENTION_ANONYMISE_DAYS", "OUTBOX_KEEP_DAYS",
                                      "RETENTION_INCIDENT_YEARS")}
    app.config.update(RETENTION_MEDICAL_NOTES_DAYS=180, RETENTION_ANONYMISE_DAYS=730, OUTBOX_KEEP_DAYS=14,
                      RETENTION_INCIDENT_YEARS=6)
    yield
    app.config.update(old)


def _text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_privacy_notice_states_the_retention_settings(client, short_retention):
    page = _text(client.get("/privacy"))
    assert "6 months after the young person's last activity" in page
    assert "2 years after the last activity" in page
    assert "14 days after they are sent" in page
    assert "6 years after the incident" in page
    for heading in ("What we keep", "Why we keep it", "Who sees it", "How long we keep it",
                    "Download or delete your details"):
        assert heading in page


def test_the_summary_at_sign_up_follows_the_settings(client, short_retention):
    page = _text(client.get("/signup"))
    assert "How we use these details" in page
    assert "medical notes are removed 6 months after their last activity" in page
    assert "2 years after it" in page
    assert "download all of it or delete it" in page


def test_the_summary_at_add_child_follows_the_settings(client, db, login_as, short_retention):
    guardian = make_user("notice@example.org")
    db.session.commit()
    login_as(guardian)
    page = _text(client.get("/family/children/new", follow_redirects=True))
    assert "How we use these details" in page
    assert "removed 6 months after their last activity" in page


@pytest.mark.parametrize("path", ["/activities", "/signup", "/login", "/privacy"])
def test_every_footer_links_the_accessibility_statement_and_privacy_notice(client, path):
    page = client.get(path).get_data(as_text=True)
    assert 'href="/accessibility"' in page and 'href="/privacy"' in page


def test_the_accessibility_statement_follows_the_model_and_owns_up_to_gaps(client):
    page = _text(client.get("/accessibility"))
    for heading in ("How accessible this website is", "Feedback and contact information", "Enforcement procedure",
                    "Technical information about this website's accessibility", "Compliance status",
                    "Non-accessible content", "Preparation of this accessibility statement"):
        assert heading in page, heading
    assert "partially compliant" in page
    # The languages gap, said plainly: which languages the family pages are in, and which not yet.
    assert "English, Polish, Urdu and Arabic, but not yet in Chinese" in page
    assert "staff pages are in English only" in page


def test_the_contact_address_is_the_configured_one(app, client):
    app.config["SERVICE_CONTACT_EMAIL"] = "access@council.example"
    try:
        assert "mailto:access@council.example" in client.get("/accessibility").get_data(as_text=True)
        assert "mailto:access@council.example" in client.get("/privacy").get_data(as_text=True)
    finally:
        app.config["SERVICE_CONTACT_EMAIL"] = ""


def _title(response):
    return re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), re.S).group(1).strip()


def test_a_form_sent_back_with_errors_has_error_in_its_title(client):
    assert not _title(client.get("/signup")).startswith("Error:")
    response = client.post("/signup", data={"kind": "guardian"})
    assert response.status_code == 200
    assert _title(response) == "Error: Create an account · Outreach"


def test_a_sign_in_with_a_wrong_password_has_error_in_its_title(client, db):
    make_user("title@example.org")
    db.session.commit()
    assert not _title(client.get("/login")).startswith("Error:")
    response = client.post("/login", data={"email": "title@example.org", "password": "wrong one"})
    assert _title(response).startswith("Error: ")


@pytest.mark.parametrize("who", ["lead", "worker", "guardian", None])
def test_every_form_page_sent_back_empty_says_error_in_its_title(app, db, client, login_as, world, who):
    """Every form page, posted empty by each kind of user: where the answer shows a field's error, its
    title starts with "Error:" (one rule in the base template); a page without one never says it."""
    if who:
        login_as(world[who])
    checked = 0
    for rule in app.url_map.iter_rules():
        if not {"GET", "POST"} <= set(rule.methods or ()) or rule.endpoint == "auth.logout":
            continue
        target = fill(rule, world)
        if target is None:
            continue
        url, page = open_page(client, target)
        if page.status_code != 200 or "html" not in (page.content_type or ""):
            continue
        parser = Forms()
        parser.feed(page.get_data(as_text=True))
        for form in parser.forms:
            if "logout" in (form["action"] or ""):
                continue
            response = client.post(form["action"] or url, data={})
            if response.status_code == 200 and "html" in (response.content_type or ""):
                has_errors = 'class="field__error"' in response.get_data(as_text=True)
                assert _title(response).startswith("Error: ") == has_errors, f"{url} as {who}"
                checked += has_errors
            if who:
                login_as(world[who])
    assert checked >= 2
