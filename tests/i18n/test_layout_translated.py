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


def test_hostile_language_headers_and_cookies_get_a_page_in_a_shipped_language(client):
    hostile = ["ur;q=abc", "*", ";;;,,,", "x" * 10000, "ur-" + "a" * 300, "ar;q=0.5, ar;q=2",
               "zh-Hant-TW;q=0.9, pl;q=0.1", "\u0627\u0631\u062f\u0648".encode().decode("latin-1")]
    for header in hostile:
        page = client.get("/activities", headers={"Accept-Language": header})
        assert page.status_code == 200, header
        assert any(f'<html lang="{tag}"' in page.get_data(as_text=True) for tag in ("en-GB", "pl", "ur", "ar"))
    for cookie in ("../../etc/passwd", "eo", "EN_gb", "ur\x00", "x" * 4000):
        client.set_cookie("language", cookie, domain="localhost")
        assert client.get("/privacy").status_code == 200, cookie


def test_an_account_whose_language_is_no_longer_shipped_falls_back(client, login_as, db):
    guardian = make_user("old@example.org", "Old Setting")
    guardian.language = "zh"
    db.session.commit()
    login_as(guardian)
    page = client.get("/privacy", headers={"Accept-Language": "pl"})
    assert page.status_code == 200 and '<html lang="pl"' in page.get_data(as_text=True)


def test_a_staff_page_in_english_reads_left_to_right_for_an_urdu_reading_lead(client, login_as, db):
    from tests.factories import make_org, make_programme

    lead = make_user("lead.ur@example.org", "Bilal Ahmed")
    lead.language = "ur"
    org = make_org("Cheetham Youth", lead=lead, slug="cheetham")
    programme = make_programme(org, "Boxing")
    db.session.commit()
    login_as(lead)
    staff = client.get(f"/org/cheetham/programmes/{programme.id}/edit").get_data(as_text=True)
    assert '<html lang="ur" dir="rtl">' in staff  # the frame: the switcher and menus in Urdu
    assert '<main id="main" class="page" lang="en-GB" dir="ltr">' in staff
    family = client.get("/family").get_data(as_text=True)
    assert '<main id="main" class="page">' in family  # a translated page keeps the reader's direction
    catalogue = client.get("/activities").get_data(as_text=True)
    assert '<main id="main" class="page">' in catalogue
