"""Headers, cookie flags, proxy trust, rate limits in Redis, the request log and the audit log."""
import json
import logging
import socket

import pytest
from sqlalchemy import select

from outreach.models import AuditEvent
from outreach.request_log import REQUEST_LOGGER
from outreach.services import family, passes
from outreach.services.family import ChildDetails
from tests.conftest import make_test_app
from tests.factories import PASSWORD, make_org, make_programme, make_session, make_user, make_young_person


def _assert_headers(resp):
    csp = resp.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no nonce: no inline script at all
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_headers_on_a_page_a_json_answer_and_an_error_page(client, db):
    page = client.get("/activities")
    api = client.post("/api/sessions/1/checkins", json={})
    missing = client.get("/no-such-page")
    assert (page.status_code, api.status_code, missing.status_code) == (200, 401, 404)
    assert api.is_json and "error" in api.json
    for resp in (page, api, missing):
        _assert_headers(resp)
        assert "Strict-Transport-Security" not in resp.headers  # plain http: no HSTS


@pytest.fixture()
def https_app(databases, tmp_path):
    """Configured as production is: HTTPS base URL, one TLS proxy in front."""
    app = make_test_app(databases.new("https"), tmp_path, BASE_URL="https://outreach.example",
                        SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, TRUSTED_PROXY_COUNT=1)
    with app.app_context():
        from outreach.extensions import db as _db
        make_user("lead@example.org")
        _db.session.commit()
    yield app
    with app.app_context():
        from outreach.extensions import db as _db
        _db.session.remove()
        _db.engine.dispose()


def test_behind_the_tls_proxy_cookies_are_secure_and_hsts_is_sent(https_app):
    client = https_app.test_client()
    via_proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    resp = client.post("/login", data={"email": "lead@example.org", "password": PASSWORD, "remember": "y"},
                       headers=via_proxy)
    assert resp.status_code == 302
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookies = {c.split("=", 1)[0]: c for c in resp.headers.getlist("Set-Cookie")}
    # "Keep me signed in" is the session cookie itself outlasting the browser (no separate remember-me cookie).
    assert set(cookies) == {"session"}
    flags = [f.strip().lower() for f in cookies["session"].split(";")]
    assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags, cookies["session"]
    assert any(f.startswith("expires=") for f in flags), cookies["session"]
    # The redirect is built from the forwarded scheme, not the proxy's plain-http hop.
    assert not resp.headers["Location"].startswith("http://")


def test_forms_post_over_https_without_a_referer(databases, tmp_path):
    """Browsers send no Referer (no-referrer policy); the CSRF token alone must let forms through."""
    import re

    app = make_test_app(databases.new("https_csrf"), tmp_path, WTF_CSRF_ENABLED=True, TRUSTED_PROXY_COUNT=1,
                        BASE_URL="https://outreach.example", SESSION_COOKIE_SECURE=True)
    try:
        with app.app_context():
            from outreach.extensions import db as _db
            make_user("door@example.org")
            _db.session.commit()
        client = app.test_client()
        https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
        page = client.get("/login", headers=https, base_url="https://outreach.example").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        resp = client.post("/login", headers=https, base_url="https://outreach.example",
                           data={"email": "door@example.org", "password": PASSWORD, "csrf_token": token})
        assert resp.status_code == 302
        refused = client.post("/logout", headers=https, base_url="https://outreach.example")
        assert refused.status_code == 400  # no token: still refused
    finally:
        with app.app_context():
            from outreach.extensions import db as _db
            _db.engine.dispose()


def test_only_the_trusted_hop_of_x_forwarded_for_is_believed(https_app):
    seen = {}

    @https_app.get("/_test/address")
    def _address():
        from flask import request
        seen["addr"] = request.remote_addr
        return "ok"

    client = https_app.test_client()
    # A client-made X-Forwarded-For entry in front of the proxy's own is ignored.
    client.get("/_test/address", headers={"X-Forwarded-For": "6.6.6.6, 198.51.100.7"})
    assert seen["addr"] == "198.51.100.7"


def test_the_pass_page_says_no_referrer(client, db):
    yp = make_young_person()
    secret = passes.ensure_pass(yp).secret
    resp = client.get(f"/p/{secret}")
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert '<meta name="referrer" content="no-referrer">' in resp.get_data(as_text=True)


def test_request_log_is_one_json_line_without_personal_data(databases, tmp_path, capsys):
    app = make_test_app(databases.new("log"), tmp_path, REQUEST_LOG=True)
    try:
        with app.app_context():
            from outreach.extensions import db as _db
            yp = make_young_person(first_name="Zebedee", last_name="Quackenbush")
            secret = passes.ensure_pass(yp).secret
            _db.session.commit()
        client = app.test_client()
        client.get(f"/p/{secret}?utm=someone@example.org")
        client.post("/login", data={"email": "private.person@example.org", "password": "hunter2hunter2"})
        client.get("/healthz")
        lines = [line for line in capsys.readouterr().err.splitlines() if '"outreach.request"' in line]
        records = [json.loads(line) for line in lines]
        assert [r["route"] for r in records] == ["/p/<secret>", "/login", "/healthz"]
        assert [r["status"] for r in records] == [200, 401, 200]
        assert all(isinstance(r["duration_ms"], float) and r["request_id"] for r in records)
        text = "\n".join(lines)
        for private in (secret, "Zebedee", "Quackenbush", "private.person", "hunter2", "someone@", "127.0.0.1"):
            assert private not in text
    finally:
        logging.getLogger(REQUEST_LOGGER).handlers.clear()
        with app.app_context():
            from outreach.extensions import db as _db
            _db.engine.dispose()


def test_healthz_answers_when_the_database_does(client, db):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.json["status"] == "ok" and resp.json["database"] == "ok"
    assert set(resp.json) <= {"status", "database", "disk"}  # one word per part, nothing more


def test_healthz_is_503_when_the_database_is_gone(tmp_path):
    from outreach import create_app
    broken = create_app({"TESTING": True, "SECRET_KEY": "x", "REQUEST_LOG": False, "PSEUDONYM_KEY": "x",
                         "MAIL_OUTBOX_DIR": str(tmp_path),
                         "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                         "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}})
    resp = broken.test_client().get("/healthz")
    assert resp.status_code == 503 and resp.json["database"] == "unreachable"


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
def test_rate_limits_held_in_redis_hold_across_processes(databases, tmp_path):
    """Two app instances (two gunicorn workers) share one count through Redis."""
    import redis

    redis.Redis.from_url("redis://127.0.0.1:6379/14").flushdb()
    url = databases.new("redis")
    settings = dict(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/14",
                    PASSWORD_RESET_LIMIT="3 per hour")
    first = make_test_app(url, tmp_path / "a", **settings)
    second = make_test_app(url, tmp_path / "b", **settings)
    from outreach.extensions import limiter
    try:
        codes = [app.test_client().post("/forgot-password", data={"email": "a@example.org"}).status_code
                 for app in (first, second, first, second)]
        assert codes == [200, 200, 200, 429]
    finally:
        redis.Redis.from_url("redis://127.0.0.1:6379/14").flushdb()
        limiter.enabled = False
        for app in (first, second):
            with app.app_context():
                from outreach.extensions import db as _db
                _db.engine.dispose()


@pytest.mark.parametrize("path, method, data", [
    ("/signup", "post", {"kind": "guardian", "full_name": "A", "email": "a@example.org",
                         "password": "x" * 12, "confirm": "x" * 12}),
    ("/p/not-a-real-secret", "get", None),
])
def test_sign_up_and_pass_lookups_are_limited(databases, tmp_path, path, method, data):
    app = make_test_app(databases.new("limits2"), tmp_path, RATELIMIT_ENABLED=True, SIGNUP_LIMIT="2 per hour",
                        PASS_LOOKUP_LIMIT="2 per minute")
    from outreach.extensions import limiter
    try:
        client = app.test_client()
        codes = [getattr(client, method)(path, data=data).status_code for _ in range(3)]
        assert codes[-1] == 429 and 429 not in codes[:2]
    finally:
        limiter.reset()
        limiter.enabled = False
        with app.app_context():
            from outreach.extensions import db as _db
            _db.engine.dispose()


def test_lead_reads_exports_medical_views_and_young_person_changes_in_the_audit_log(client, db, login_as):
    guardian, lead, worker = make_user("g@example.org"), make_user("lead@example.org"), make_user("w@example.org")
    org = make_org("Audit Club", lead=lead, worker=worker)
    other = make_org("Elsewhere", lead=make_user("other@example.org"))
    session = make_session(make_programme(org))
    child = make_young_person("Robin", "Hood", guardian=guardian, medical_notes="Asthma")
    stranger = make_young_person("Nobody", "Here")
    from outreach.services import registration
    registration.book_place(child, session.programme, session=session, booked_by=guardian)
    db.session.commit()

    details = ChildDetails(first_name="Robin", last_name="Hood", date_of_birth=child.date_of_birth,
                           emergency_contact_name="A Guardian", emergency_contact_phone="07700 900123",
                           medical_notes="Asthma and a nut allergy", photo_consent=False, may_go_home_alone=False)
    family.update_child(guardian, child, details)
    family.update_child(guardian, stranger, ChildDetails(
        first_name="Nobody", last_name="Here", date_of_birth=stranger.date_of_birth,
        emergency_contact_name="A Guardian", emergency_contact_phone="07700 900123"))
    login_as(worker)
    assert client.get(f"/org/{org.slug}/sessions/{session.id}/on-site").status_code == 200
    assert client.get(f"/org/{org.slug}/audit-log").status_code == 403  # leads only
    login_as(lead)
    assert client.post(f"/org/{org.slug}/exports/headcounts", data={"format": "csv"}).status_code == 200

    page = client.get(f"/org/{org.slug}/audit-log").get_data(as_text=True)
    assert "Viewed medical notes" in page and "Exported headcounts" in page
    assert "Changed a young person&#39;s details" in page and "medical notes" in page and "Robin Hood" in page
    assert "nut allergy" not in page      # which fields changed, never the values
    assert "Nobody Here" not in page      # not booked with this organisation
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action == "young_person.updated",
                                                         AuditEvent.subject_id == child.id)).scalar_one()
    assert events.detail["changed"] == ["medical_notes"]
    login_as(other.memberships[0].user)
    assert "Robin Hood" not in client.get(f"/org/{other.slug}/audit-log").get_data(as_text=True)
