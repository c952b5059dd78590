"""Accounts: sign-up (guardian and young person), sign-in limits, reset links, password change."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from outreach.models import Consent, User, YoungPerson
from outreach.services import accounts, passes
from outreach.services.passwords import verify_password
from tests.conftest import deliver, make_test_app
from tests.factories import PASSWORD, make_user

NEW = "a brand new passphrase"


def _signup(client, **over):
    data = dict(kind="guardian", full_name="Sam Carer", email="sam@example.org", phone="07700 900111",
                password=NEW, confirm=NEW)
    data.update(over)
    return client.post("/signup", data=data)


def _confirm_link(mail) -> str:
    return re.search(r"http://localhost(/signup/confirm/\S+)", mail["text"]).group(1)


def test_guardian_confirms_the_emailed_link_and_is_sent_to_add_a_child(client, db, outbox):
    resp = _signup(client)
    assert resp.status_code == 200 and "Check your email" in resp.get_data(as_text=True)
    deliver()  # the worker creates the account and sends the link
    user = db.session.execute(select(User).where(User.email == "sam@example.org")).scalar_one()
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, NEW)
    assert user.email_confirmed is False
    assert client.get("/family").status_code == 302  # not signed in until the address is proved
    signed_in = client.post("/login", data={"email": "sam@example.org", "password": NEW})
    assert signed_in.status_code == 401 and "Confirm your email address first" in signed_in.get_data(as_text=True)

    mail = outbox()[0]
    assert mail["to"] == "sam@example.org" and "Confirm your email" in mail["subject"]
    resp = client.get(_confirm_link(mail))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/family/children/new")
    assert client.get("/family").status_code == 200  # signed in
    db.session.refresh(user)
    assert user.email_confirmed is True


def test_confirmation_link_keeps_where_they_were_going(client, db, outbox):
    client.post("/signup?next=/organisations/apply", data=dict(
        kind="guardian", full_name="Pat Lead", email="pat@example.org", password=NEW, confirm=NEW))
    resp = client.get(_confirm_link(outbox()[0]))
    assert resp.headers["Location"].endswith("/organisations/apply")
    assert client.get("/signup/confirm/not-a-token").status_code == 400


def test_sign_up_answers_the_same_for_a_taken_address(client, db, outbox):
    make_user("sam@example.org")
    db.session.commit()
    taken = _signup(client, email="Sam@Example.ORG")
    fresh = _signup(client, email="new.person@example.org")
    assert taken.status_code == fresh.status_code == 200

    def page(resp, address):
        return re.sub(r'name="csrf_token"[^>]*', "", resp.get_data(as_text=True).replace(address, "ADDRESS"))
    assert page(taken, "Sam@Example.ORG") == page(fresh, "new.person@example.org")
    # The owner of the taken address hears about it; no second account exists.
    mails = {m["to"]: m for m in outbox()}
    assert "already have an Outreach account" in mails["sam@example.org"]["subject"]
    assert "/signup/confirm/" in mails["new.person@example.org"]["text"]
    assert len(db.session.execute(select(User).where(User.email == "sam@example.org")).all()) == 1


def test_login_and_reset_answer_the_same_for_unknown_addresses(client, db):
    make_user("known@example.org")
    db.session.commit()
    known = client.post("/login", data={"email": "known@example.org", "password": "wrong password!"})
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "wrong password!"})
    assert known.status_code == unknown.status_code == 401
    assert known.get_data(as_text=True).replace("known@", "X@") == unknown.get_data(as_text=True).replace("nobody@", "X@")
    known = client.post("/forgot-password", data={"email": "known@example.org"})
    unknown = client.post("/forgot-password", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True).replace("known@", "X@") == unknown.get_data(as_text=True).replace("nobody@", "X@")


def test_very_common_passwords_are_refused(client, db):
    page = _signup(client, password="password123", confirm="password123").get_data(as_text=True)
    assert "most common" in page
    page = _signup(client, password="Qwertyuiop", confirm="Qwertyuiop").get_data(as_text=True)
    assert "most common" in page
    assert db.session.execute(select(User)).first() is None


YOUNG = dict(kind="young_person", emergency_contact_name="Jo Young", emergency_contact_phone="07700 900222")


def test_young_person_over_age_of_consent_signs_up_with_own_consent(client, db):
    today = date.today()
    dob = date(today.year - 14, 1, 1)
    resp = _signup(client, **YOUNG, full_name="Alex Young", email="alex@example.org", date_of_birth=dob.isoformat())
    assert resp.status_code == 200 and "Check your email" in resp.get_data(as_text=True)
    deliver()  # the worker creates the account and sends the link
    user = db.session.execute(select(User).where(User.email == "alex@example.org")).scalar_one()
    yp = db.session.execute(select(YoungPerson).where(YoungPerson.user_id == user.id)).scalar_one()
    assert (yp.first_name, yp.last_name, yp.date_of_birth) == ("Alex", "Young", dob)
    # Someone else to call, not their own phone; home alone only if they said so.
    assert (yp.emergency_contact_name, yp.emergency_contact_phone, yp.may_go_home_alone) == (
        "Jo Young", "07700 900222", False)
    consent = db.session.execute(select(Consent).where(Consent.young_person_id == yp.id)).scalar_one()
    assert consent.kind == "self"
    assert passes.live_pass(yp) is not None  # their own pass to show at the door


@pytest.mark.parametrize("missing,message", [
    ("emergency_contact_name", "Enter the name of someone we can call in an emergency"),
    ("emergency_contact_phone", "Enter your emergency contact&#39;s phone number."),
])
def test_young_person_sign_up_asks_for_an_emergency_contact(client, db, missing, message):
    dob = date(date.today().year - 14, 1, 1).isoformat()
    data = dict(YOUNG, full_name="Alex Young", email="alex@example.org", date_of_birth=dob)
    data.pop(missing)
    resp = _signup(client, **data)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and message in page and 'class="field__error"' in page
    assert db.session.execute(select(User).where(User.email == "alex@example.org")).first() is None
    if missing == "emergency_contact_phone":
        bad = _signup(client, **dict(data, emergency_contact_phone="call Jo"))
        assert "Enter a phone number, like 07700 900123." in bad.get_data(as_text=True)
        assert db.session.execute(select(User).where(User.email == "alex@example.org")).first() is None


def test_young_person_who_may_go_home_alone_says_so_at_sign_up(client, db):
    dob = date(date.today().year - 15, 1, 1).isoformat()
    _signup(client, **YOUNG, full_name="Sol Alone", email="sol@example.org", date_of_birth=dob, may_go_home_alone="y")
    deliver()  # the worker creates the account
    yp = db.session.execute(select(YoungPerson).where(YoungPerson.first_name == "Sol")).scalar_one()
    assert yp.may_go_home_alone is True


def test_a_guardian_signing_up_is_not_asked_for_an_emergency_contact(client, db):
    assert "Check your email" in _signup(client).get_data(as_text=True)
    assert db.session.execute(select(YoungPerson)).first() is None


def test_under_age_of_consent_is_told_kindly_to_ask_a_guardian(client, db):
    today = date.today()
    resp = _signup(client, **YOUNG, email="kid@example.org", date_of_birth=date(today.year - 11, 1, 1).isoformat())
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "13 or older" in page and "parent or carer" in page
    assert db.session.execute(select(User).where(User.email == "kid@example.org")).first() is None


def test_short_password_and_mismatch_are_refused(client, db):
    page = _signup(client, password="short", confirm="short").get_data(as_text=True)
    assert "at least 10 characters" in page
    page = _signup(client, confirm="something else entirely").get_data(as_text=True)
    assert "don&#39;t match" in page or "don't match" in page


def test_login_and_logout(client, db):
    user = make_user("worker@example.org")
    db.session.commit()
    bad = client.post("/login", data={"email": "worker@example.org", "password": "wrong password!"})
    assert bad.status_code == 401 and "don&#39;t match" in bad.get_data(as_text=True)
    ok = client.post("/login", data={"email": "WORKER@example.org", "password": PASSWORD})
    assert ok.status_code == 302
    assert client.get("/account").status_code == 200
    assert client.get("/logout").status_code == 405  # GET never signs out (no CSRF-less logout links)
    client.post("/logout")
    assert client.get("/account").status_code == 302
    assert user.last_login_at is not None


def test_sign_in_starts_a_fresh_session_and_sign_out_ends_it(app, client, db):
    make_user("worker@example.org")
    db.session.commit()
    client.get("/login")
    with client.session_transaction() as before:
        before["planted"] = "set before sign-in"
    client.post("/login", data={"email": "worker@example.org", "password": PASSWORD})
    with client.session_transaction() as after:
        assert "planted" not in after and after.get("_user_id")
    stolen = client.get_cookie("session").value
    client.post("/logout")
    # A copy of the signed-in cookie taken before sign-out no longer works.
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/account").status_code == 302


def test_next_parameter_only_goes_to_this_site(client, db):
    make_user("a@example.org")
    db.session.commit()
    resp = client.post("/login?next=https://evil.example/x", data={"email": "a@example.org", "password": PASSWORD})
    assert resp.headers["Location"] in ("/family", "http://localhost/family")
    client.post("/logout")
    resp = client.post("/login?next=/activities", data={"email": "a@example.org", "password": PASSWORD})
    assert resp.headers["Location"].endswith("/activities")


@pytest.fixture()
def limited_app(databases, tmp_path):
    app = make_test_app(databases.new("limits"), tmp_path, RATELIMIT_ENABLED=True,
                        LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes", LOGIN_LIMIT_PER_ADDRESS="5 per 15 minutes")
    with app.app_context():
        make_user("target@example.org")
        from outreach.extensions import db as _db
        _db.session.commit()
    yield app
    from outreach.extensions import limiter
    # The limiter is one object for every app in this process: switch it back
    # off so the rest of the suite is not limited by these attempts.
    limiter.reset()
    limiter.enabled = False
    with app.app_context():
        from outreach.extensions import db as _db
        _db.session.remove()
        _db.engine.dispose()


def test_failed_logins_are_limited_per_account_with_a_clear_message(limited_app):
    client = limited_app.test_client()
    for _ in range(3):
        assert client.post("/login", data={"email": "target@example.org", "password": "wrong!"}).status_code == 401
    blocked = client.post("/login", data={"email": "target@example.org", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many sign-in attempts" in blocked.get_data(as_text=True)
    # Another account from the same address is not locked by this one.
    assert client.post("/login", data={"email": "other@example.org", "password": "x"}).status_code == 401


def test_failed_logins_are_limited_per_address(limited_app):
    client = limited_app.test_client()
    for i in range(5):
        assert client.post("/login", data={"email": f"n{i}@example.org", "password": "x"}).status_code == 401
    assert client.post("/login", data={"email": "fresh@example.org", "password": "x"}).status_code == 429
    other = limited_app.test_client()
    resp = other.post("/login", data={"email": "target@example.org", "password": PASSWORD},
                      environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert resp.status_code == 302


def _reset_link(outbox):
    mail = outbox()[0]
    return re.search(r"http://localhost(/reset-password/\S+)", mail["text"]).group(1)


def test_password_reset_by_emailed_link_works_once(app, client, db, outbox):
    user = make_user("forgetful@example.org")
    db.session.commit()
    page = client.post("/forgot-password", data={"email": "forgetful@example.org"}).get_data(as_text=True)
    assert "Check your email" in page
    link = _reset_link(outbox)
    assert client.get(link).status_code == 200
    resp = client.post(link, data={"new_password": NEW, "confirm": NEW})
    assert resp.status_code == 302
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW)
    again = client.get(link)
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)


def test_unknown_address_gets_the_same_answer_and_no_mail(client, db, outbox):
    page = client.post("/forgot-password", data={"email": "nobody@example.org"}).get_data(as_text=True)
    assert "Check your email" in page
    assert outbox() == []


def test_reset_token_expires(app, db):
    user = make_user("late@example.org")
    db.session.commit()
    token = accounts.reset_token(user, app.config["SECRET_KEY"])
    with pytest.raises(accounts.ValidationError) as err:
        accounts.user_for_reset_token(token, secret_key=app.config["SECRET_KEY"], max_age=-1)
    assert err.value.code == "token_expired"
    with pytest.raises(accounts.ValidationError) as err:
        accounts.user_for_reset_token(token + "x", secret_key=app.config["SECRET_KEY"], max_age=3600)
    assert err.value.code == "token_invalid"


def test_change_password_signs_out_other_devices(app, client, db, login_as):
    user = make_user("moving@example.org")
    db.session.commit()
    other_device = app.test_client()
    login_as(user, other_device)
    client.post("/login", data={"email": "moving@example.org", "password": PASSWORD})
    wrong = client.post("/account", data={"current_password": "not it at all", "new_password": NEW, "confirm": NEW})
    assert "not your current password" in wrong.get_data(as_text=True)
    resp = client.post("/account", data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW})
    assert resp.status_code == 302
    assert client.get("/account").status_code == 200          # this device stays in
    assert other_device.get("/account").status_code == 302    # the other is signed out


def test_csrf_is_required_on_forms(databases, tmp_path):
    app = make_test_app(databases.new("csrf"), tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    resp = client.post("/login", data={"email": "a@example.org", "password": "whatever"})
    assert resp.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    with app.app_context():
        from outreach.extensions import db as _db
        _db.engine.dispose()


def test_a_hash_made_with_older_settings_still_signs_in_and_is_renewed(db):
    from argon2 import PasswordHasher, extract_parameters

    old_hash = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4).hash(PASSWORD)
    user = make_user("older.hash@example.org", password_hash=old_hash)
    db.session.commit()

    assert accounts.authenticate("older.hash@example.org", PASSWORD) == user
    renewed = extract_parameters(user.password_hash)
    # One lane: a sign-in takes one core, not all of them (see services/passwords.py).
    assert (renewed.parallelism, renewed.memory_cost, renewed.time_cost) == (1, 64 * 1024, 3)
    assert verify_password(user.password_hash, PASSWORD)
