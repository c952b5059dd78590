"""The site's frame (header, footer, language switcher) in the reader's language and direction."""
from outreach.models import User
from tests.factories import make_user
from tests.i18n.conftest import assert_translated


def test_the_frame_of_a_public_page_is_marked_for_translation(pseudo_client):
    assert_translated(pseudo_client.get("/privacy"), "the privacy notice")


def test_language_comes_from_the_browser_until_one_is_chosen(client):
    page = client.get("/activities", headers={"Accept-Language": "ur-PK,ur;q=0.9,en;q=0.5"})
    assert '<html lang="ur" dir="rtl">' in page.get_data(as_text=True)
    page = client.get("/activities", headers={"Accept-Language": "pl"})
    assert '<html lang="pl" dir="ltr">' in page.get_data(as_text=True)
    page = client.get("/activities", headers={"Accept-Language": "fr, de;q=0.8"})
    assert '<html lang="en-GB" dir="ltr">' in page.get_data(as_text=True)
    chosen = client.post("/language", data={"language": "ar", "next": "/activities?age=12"})
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith("/activities?age=12")
    page = client.get("/activities", headers={"Accept-Language": "pl"})
    assert '<html lang="ar" dir="rtl">' in page.get_data(as_text=True)


def test_the_switcher_never_sends_anyone_off_the_site_and_ignores_unknown_languages(client):
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"):
        answer = client.post("/language", data={"language": "pl", "next": target})
        assert answer.status_code == 302 and answer.headers["Location"] in ("/", "http://localhost/")
    answer = client.post("/language", data={"language": "zz-" * 500, "next": "/privacy"})
    assert answer.status_code == 302
    # Not offered: the language chosen before stays.
    assert '<html lang="pl"' in client.get("/privacy").get_data(as_text=True)


def test_an_account_remembers_its_language(client, login_as, db):
    guardian = make_user("amira@example.org", "Amira Khan")
    db.session.commit()
    login_as(guardian)
    client.post("/language", data={"language": "ur", "next": "/family"})
    assert db.session.get(User, guardian.id).language == "ur"
    # Another browser, another phone: the account's language, whatever that browser says.
    other = client.application.test_client()
    login_as(guardian, other)
    page = other.get("/privacy", headers={"Accept-Language": "pl"})
    assert '<html lang="ur" dir="rtl">' in page.get_data(as_text=True)
