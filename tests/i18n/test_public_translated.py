"""The public pages in the reader's language: the catalogue and a programme's page, signing in and
up, forgotten and changed passwords, the account page, the privacy notice, the accessibility
statement and the error pages; and a new account that keeps the language it signed up in."""
import json
import re
from datetime import date

import pytest
from sqlalchemy import select

from outreach.models import ProgrammeText, User
from outreach.services import accounts, registration
from tests.conftest import deliver
from tests.factories import PASSWORD, make_org, make_programme, make_session, make_user, make_young_person
from tests.i18n import pseudo
from tests.i18n.conftest import assert_translated

M = pseudo.marked


def _org():
    return make_org(M("Northside Youth"))


def _programme(org, **kw):
    values = dict(description=M("Weekly football for young people."), venue_name=M("Community Centre"),
                  venue_address=M("High Street"), venue_directions=M("Side door, by the car park."))
    values.update(kw)
    return make_programme(org, M("Football Club"), **values)


@pytest.fixture()
def programmes(db):
    org = _org()
    weekly = _programme(org)
    first, second = make_session(weekly), make_session(weekly, starts_at=None, hours=3)
    registration.book_place(make_young_person(M("Amira"), M("Khan"), dob=date(2012, 1, 1)), weekly, first)
    course = _programme(org, category="arts", registration_mode="enrol", capacity=1)
    make_session(course)
    registration.book_place(make_young_person(M("Sami"), M("Khan"), dob=date(2012, 1, 1)), course)
    drop_in = _programme(org, category="social", registration_mode="drop_in")
    make_session(drop_in)
    db.session.commit()
    return weekly, course, drop_in


def test_the_catalogue_with_and_without_filters(pseudo_client, programmes):
    assert_translated(pseudo_client.get("/activities"), "the catalogue")
    assert_translated(pseudo_client.get("/activities?category=sport&age=12&area=M13"), "the catalogue, filtered")
    assert_translated(pseudo_client.get("/activities?q=nothing-like-this"), "no activity matches")
    assert_translated(pseudo_client.get("/activities?age=40&area=12345"), "filters sent back with errors")


def test_the_catalogue_with_nothing_published(pseudo_client, db):
    assert_translated(pseudo_client.get("/activities"), "an empty catalogue")


def test_a_programme_page_with_sessions_and_places(pseudo_client, programmes):
    for programme in programmes:
        page = pseudo_client.get(f"/activities/{programme.id}")
        assert_translated(page, programme.registration_mode)
    assert "Side door, by the car park." in page.get_data(as_text=True)
    empty = _programme(programmes[0].organisation)
    assert_translated(pseudo_client.get(f"/activities/{empty.id}"), "no upcoming sessions")


def test_a_programme_page_shows_the_readers_own_title_and_directions(client, db):
    programme = make_programme(make_org(), "Football Club", venue_directions="Side door, by the car park.")
    programme.texts.append(ProgrammeText(language="pl", title="Klub piłkarski", description="",
                                         venue_directions="Boczne drzwi, przy parkingu."))
    db.session.commit()
    page = client.get(f"/activities/{programme.id}", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert "Klub piłkarski" in page and "Boczne drzwi, przy parkingu." in page


def test_a_programme_page_in_english_shows_the_english_directions_only_when_there_are_some(client, db):
    # (One language per test: Flask-Babel keeps the locale on `g`, which a test's app context keeps.)
    programme = make_programme(make_org(), "Football Club", venue_directions="Side door, by the car park.")
    bare = make_programme(make_org(), "Chess")
    db.session.commit()
    english = client.get(f"/activities/{programme.id}").get_data(as_text=True)
    assert "Football Club" in english and "Side door, by the car park." in english
    assert '<span class="small"></span>' not in client.get(f"/activities/{bare.id}").get_data(as_text=True)


def test_signing_in_and_a_wrong_password(pseudo_client, db):
    make_user("amira@example.org", M("Amira Khan"))
    db.session.commit()
    assert_translated(pseudo_client.get("/login"), "sign in")
    wrong = pseudo_client.post("/login", data={"email": "amira@example.org", "password": "not the one"})
    assert wrong.status_code == 401
    assert_translated(wrong, "error page")
    empty = pseudo_client.post("/login", data={})
    assert_translated(empty, "error page")
    title = empty.get_data(as_text=True).split("<title>")[1].split("</title>")[0]
    assert title.startswith(M("Error: ")), title  # "Error: " before the page's title, translated too


def test_signing_up_and_its_errors(pseudo_client, db):
    assert_translated(pseudo_client.get("/signup"), "sign up")
    assert_translated(pseudo_client.post("/signup", data={}), "sign up sent back empty")
    young = pseudo_client.post("/signup", data={
        "kind": "young_person", "full_name": M("Sami Khan"), "email": "sami@example.org", "password": "short",
        "confirm": "other", "date_of_birth-day": "31", "date_of_birth-month": "", "date_of_birth-year": "2010"})
    assert_translated(young, "a young person's sign-up with errors")
    common = pseudo_client.post("/signup", data={
        "kind": "young_person", "full_name": M("Sami Khan"), "email": "sami@example.org", "password": "password123",
        "confirm": "password123", "date_of_birth-day": "1", "date_of_birth-month": "1",
        "date_of_birth-year": str(date.today().year - 10), "emergency_contact_name": M("Amira Khan"),
        "emergency_contact_phone": "07700 900123"})
    assert_translated(common, "a service's message: under the age of consent")
    sent = pseudo_client.post("/signup", data={"kind": "guardian", "full_name": M("Amira Khan"),
                                               "email": "amira@example.org", "password": PASSWORD,
                                               "confirm": PASSWORD})
    assert_translated(sent, "sign-up sent")


def test_a_urdu_visitors_sign_up_creates_an_urdu_account(client, db):
    client.post("/signup", data={"kind": "guardian", "full_name": "Amira Khan", "email": "amira@example.org",
                                 "password": PASSWORD, "confirm": PASSWORD},
                headers={"Accept-Language": "ur-PK,ur;q=0.9,en;q=0.5"})
    deliver()  # the worker creates the account
    user = db.session.execute(select(User).where(User.email == "amira@example.org")).scalar_one()
    assert user.language == "ur"


def test_an_english_visitors_sign_up_creates_an_english_account(client, db):
    client.post("/signup", data={"kind": "guardian", "full_name": "Sam Jones", "email": "sam@example.org",
                                 "password": PASSWORD, "confirm": PASSWORD}, headers={"Accept-Language": "en-GB"})
    deliver()
    assert db.session.execute(select(User).where(User.email == "sam@example.org")).scalar_one().language == "en_GB"


def test_a_sign_up_in_a_language_not_offered_keeps_none(db):
    accounts.sign_up(accounts.SignUp(kind="guardian", full_name="Sam Jones", email="sam@example.org",
                                     password=PASSWORD, language="fr"), age_of_consent=13)
    assert db.session.execute(select(User).where(User.email == "sam@example.org")).scalar_one().language is None


def test_forgotten_and_reset_password_pages(app, pseudo_client, db):
    user = make_user("amira@example.org", M("Amira Khan"))
    db.session.commit()
    assert_translated(pseudo_client.get("/forgot-password"), "forgotten password")
    assert_translated(pseudo_client.post("/forgot-password", data={}), "forgotten password sent back empty")
    assert_translated(pseudo_client.post("/forgot-password", data={"email": "amira@example.org"}), "reset sent")
    token = accounts.reset_token(user, app.config["SECRET_KEY"])
    assert_translated(pseudo_client.get(f"/reset-password/{token}"), "choose a new password")
    bad = pseudo_client.post(f"/reset-password/{token}", data={"new_password": "password123",
                                                                "confirm": "password1234"})
    assert_translated(bad, "a new password with errors")
    assert_translated(pseudo_client.get("/reset-password/not-a-token"), "error page")
    assert_translated(pseudo_client.get("/signup/confirm/not-a-token"), "error page")
    done = pseudo_client.post(f"/reset-password/{token}", data={"new_password": "a brand new password here",
                                                                 "confirm": "a brand new password here"},
                              follow_redirects=True)
    assert_translated(done, "the flash after a reset")


def test_the_account_page_and_changing_the_password(pseudo_client, login_as, db, pseudo_language):
    user = make_user("amira@example.org", M("Amira Khan"), language=pseudo_language)
    db.session.commit()
    login_as(user)
    assert_translated(pseudo_client.get("/account"), "the account page")
    wrong = pseudo_client.post("/account", data={"current_password": "not it", "new_password": "password123",
                                                 "confirm": "password123"})
    assert_translated(wrong, "a password change with errors")
    done = pseudo_client.post("/account", data={"current_password": PASSWORD,
                                                "new_password": "a brand new password here",
                                                "confirm": "a brand new password here"}, follow_redirects=True)
    assert_translated(done, "the flash after a change")
    signed_out = pseudo_client.post("/logout", follow_redirects=True)
    assert_translated(signed_out, "signed out")


def test_a_page_that_needs_signing_in_says_so(pseudo_client, db):
    assert_translated(pseudo_client.get("/account", follow_redirects=True), "please sign in")


def test_a_family_sign_in_that_has_lasted_too_long_says_so(pseudo_client, db):
    import time

    from outreach.web.auth.sessions import LAST_SEEN, SIGNED_IN_AT

    guardian = make_user("amira@example.org", M("Amira Khan"))
    db.session.commit()
    with pseudo_client.session_transaction() as sess:
        sess["_user_id"] = guardian.get_id()
        sess[SIGNED_IN_AT] = sess[LAST_SEEN] = int(time.time() - 31 * 86400)
    page = pseudo_client.get("/family", follow_redirects=True)
    assert_translated(page, "signed out after 30 days")
    assert pseudo.OPEN + "You were signed out because sign-ins last 30 days at most." in page.get_data(as_text=True)


def test_the_privacy_notice_and_the_accessibility_statement(app, pseudo_client, db):
    assert_translated(pseudo_client.get("/privacy"), "the privacy notice")
    assert_translated(pseudo_client.get("/accessibility"), "the accessibility statement")
    app.config["SERVICE_CONTACT_EMAIL"] = "access@council.example"
    try:
        assert_translated(pseudo_client.get("/privacy"), "the privacy notice with a contact")
        assert_translated(pseudo_client.get("/accessibility"), "the accessibility statement with a contact")
    finally:
        app.config["SERVICE_CONTACT_EMAIL"] = ""


def test_the_error_pages(pseudo_client, login_as, db, pseudo_language):
    missing = pseudo_client.get("/activities/999999")
    assert missing.status_code == 404
    assert_translated(missing, "error page")
    login_as(make_user("amira@example.org", M("Amira Khan"), language=pseudo_language))
    db.session.commit()
    forbidden = pseudo_client.get("/admin/organisations")
    assert forbidden.status_code == 403
    assert_translated(forbidden, "error page")
    # The JSON answers stay in English: clients match on them.
    assert pseudo_client.get("/api/v1/nothing-here").get_json()["error"]["message"] == "Page not found"


def test_the_too_many_attempts_page(app, pseudo_language, db):
    from werkzeug.exceptions import TooManyRequests

    with app.test_request_context("/signup", method="POST", headers={"Cookie": f"language={pseudo_language}"}):
        response = app.make_response(app.handle_http_exception(TooManyRequests("3 per 1 hour")))
    assert response.status_code == 429
    assert not pseudo.unmarked(response.get_data(as_text=True))


def test_the_server_error_page_is_translated_without_the_app_context(app, pseudo_client, pseudo_language):
    from outreach.errors import _server_error

    with app.test_request_context("/", headers={"Cookie": f"language={pseudo_language}"}):
        page = _server_error().get_data(as_text=True)
    assert M("Something went wrong on our side") in page and f'lang="{pseudo_language}"' in page
    assert not pseudo.unmarked(page)


def test_the_words_forms_js_shows_come_from_the_page(pseudo_client, db):
    page = pseudo_client.get("/login").get_data(as_text=True)
    words = json.loads(re.search(r'<script type="application/json" id="form-words">(.*?)</script>', page, re.S).group(1))
    assert words["sending"] == M("Sending…") and words["started"] == M("Your download has started.")
    assert words["preparing"] == M("Preparing…") and words["preparing_file"].startswith(M("Preparing your file…")[:-1])
