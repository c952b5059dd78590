"""How long a sign-in lasts, checked on the server: staff 12 hours at most and 30 minutes idle,
families 30 days at most; no year-long remember-me cookie.

Times are moved by writing the sign-in and last-request times into the session as a browser
would carry them (no sleeping, no clock patched).
"""
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest
from flask_login.utils import encode_cookie

from outreach.web.auth.sessions import LAST_SEEN, SIGNED_IN_AT
from tests.factories import PASSWORD, make_org, make_programme, make_session, make_user

HOUR, MINUTE, DAY = 3600, 60, 86400


def _signed_in(client, user, *, signed_in_ago: float, idle_for: float = 0):
    now = time.time()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
        sess[SIGNED_IN_AT] = int(now - signed_in_ago)
        sess[LAST_SEEN] = int(now - idle_for)
    return client


@pytest.fixture()
def worker(db):
    user = make_user("door.worker@example.org")
    org = make_org("Door Club", worker=user)
    db.session.commit()
    return user, org


def _flash_after(client, resp) -> str:
    assert resp.status_code == 302 and "/login" in resp.headers["Location"], resp.headers.get("Location")
    return client.get(resp.headers["Location"]).get_data(as_text=True)


def test_a_staff_sign_in_ends_twelve_hours_after_it_began(client, worker):
    user, org = worker
    _signed_in(client, user, signed_in_ago=12 * HOUR + MINUTE, idle_for=10)
    resp = client.get(f"/org/{org.slug}/")
    page = _flash_after(client, resp)
    assert "staff sign-ins last 12 hours at most" in page and "Sign in again" in page
    assert "next=" in resp.headers["Location"]  # back to the page after signing in
    assert client.get("/account").status_code == 302  # really signed out


def test_a_staff_sign_in_ends_after_thirty_minutes_without_activity(client, worker):
    user, org = worker
    version = user.session_version
    _signed_in(client, user, signed_in_ago=HOUR, idle_for=31 * MINUTE)
    page = _flash_after(client, client.get(f"/org/{org.slug}/"))
    assert "You were signed out after 30 minutes without activity" in page
    # Only this browser: the worker's other devices are not signed out by it.
    assert user.session_version == version


def test_signing_out_after_the_idle_limit_still_signs_out_every_device(app, client, worker):
    user, org = worker
    other_device = app.test_client()
    _signed_in(other_device, user, signed_in_ago=HOUR)
    _signed_in(client, user, signed_in_ago=HOUR, idle_for=31 * MINUTE)
    assert client.post("/logout").status_code == 302
    assert other_device.get(f"/org/{org.slug}/").status_code == 302


def test_the_scanner_api_answers_401_json_after_thirty_idle_minutes(client, worker):
    user, org = worker
    session = make_session(make_programme(org))
    _signed_in(client, user, signed_in_ago=HOUR, idle_for=31 * MINUTE)
    resp = client.post(f"/api/sessions/{session.id}/checkins", json={"pass": "x", "client_ref": "r1"})
    assert resp.status_code == 401 and resp.is_json
    assert resp.json["error"]["code"] == "signed_out"
    assert "30 minutes without activity" in resp.json["error"]["message"]


def test_a_staff_sign_in_in_use_stays_and_its_last_request_time_moves_on(client, worker):
    user, org = worker
    _signed_in(client, user, signed_in_ago=11 * HOUR, idle_for=29 * MINUTE)
    assert client.get(f"/org/{org.slug}/").status_code == 200
    with client.session_transaction() as sess:
        assert time.time() - sess[LAST_SEEN] < 10
    assert client.get(f"/org/{org.slug}/").status_code == 200


def test_a_platform_admin_is_staff_too(client, db):
    admin = make_user("admin@example.org", admin=True)
    db.session.commit()
    _signed_in(client, admin, signed_in_ago=HOUR, idle_for=31 * MINUTE)
    assert "30 minutes without activity" in _flash_after(client, client.get("/admin/organisations"))


def test_a_family_sign_in_has_no_idle_limit_and_ends_after_thirty_days(client, db):
    guardian = make_user("parent@example.org")
    db.session.commit()
    _signed_in(client, guardian, signed_in_ago=29 * DAY, idle_for=5 * DAY)
    assert client.get("/family").status_code == 200
    _signed_in(client, guardian, signed_in_ago=30 * DAY + HOUR)
    assert "sign-ins last 30 days at most" in _flash_after(client, client.get("/family"))


def _cookies(resp) -> dict:
    return {c.split("=", 1)[0]: c for c in resp.headers.getlist("Set-Cookie")}


def _expires(cookie: str) -> datetime | None:
    for part in cookie.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "expires":
            return parsedate_to_datetime(value)
    return None


def test_keep_me_signed_in_lasts_thirty_days_for_a_family_and_is_the_session_itself(client, db):
    make_user("parent@example.org")
    db.session.commit()
    resp = client.post("/login", data={"email": "parent@example.org", "password": PASSWORD, "remember": "y"})
    assert resp.status_code == 302
    cookies = _cookies(resp)
    assert "remember_token" not in cookies  # Flask-Login's year-long cookie is not used
    expires = _expires(cookies["session"])
    assert expires is not None
    assert expires - datetime.now(timezone.utc) <= timedelta(days=30, minutes=1)
    with client.session_transaction() as sess:
        assert abs(time.time() - sess[SIGNED_IN_AT]) < 10 and sess[LAST_SEEN] == sess[SIGNED_IN_AT]


def test_keep_me_signed_in_does_not_outlast_the_browser_for_staff(client, worker):
    resp = client.post("/login", data={"email": "door.worker@example.org", "password": PASSWORD, "remember": "y"})
    assert resp.status_code == 302
    cookies = _cookies(resp)
    assert "remember_token" not in cookies and _expires(cookies["session"]) is None


def test_a_remember_me_cookie_issued_before_is_refused_and_deleted(app, client, db):
    guardian = make_user("parent@example.org")
    db.session.commit()
    with app.test_request_context():
        old_cookie = encode_cookie(guardian.get_id())  # what Flask-Login wrote, valid for a year
    client.set_cookie("remember_token", old_cookie)
    resp = client.get("/family")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    deleted = _cookies(resp)["remember_token"]
    assert _expires(deleted) < datetime.now(timezone.utc)
