"""Forty wrong passwords sent at the same moment: no more are checked than the limit allows.

Each attempt is counted before its password is checked, so requests racing one another cannot
all slip in under the limit. "Checked" is read from the audit log: every wrong password checked
against a known account leaves an `account.sign_in_failed` event; a refused attempt leaves none.

Two set-ups: the app served by one process (a live server, on whichever database the suite runs
on), and, when the suite runs on PostgreSQL and Redis answers, gunicorn with gunicorn.conf.py
and 4 worker processes counting in Redis, as in production.
"""
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from outreach.extensions import db
from outreach.models import AuditEvent, User
from tests.concurrency.helpers import post_all_at_once
from tests.conftest import LiveServer, free_port, make_test_app
from tests.factories import make_user

pytestmark = pytest.mark.concurrency
ROOT = Path(__file__).resolve().parents[2]
ACCOUNT_LIMIT = 5     # the default LOGIN_LIMIT_PER_ACCOUNT: 5 per 15 minutes
ADDRESS_LIMIT = 20    # the default LOGIN_LIMIT_PER_ADDRESS: 20 per 15 minutes


def _failed_checks(session, emails) -> int:
    ids = select(User.id).where(User.email.in_(emails))
    return session.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "account.sign_in_failed", AuditEvent.subject_id.in_(ids))).scalar_one()


@pytest.fixture()
def limited_server(databases, tmp_path):
    """One process serving the app with its real sign-in limits on."""
    app = make_test_app(databases.new("signin_race"), tmp_path, RATELIMIT_ENABLED=True)
    server = LiveServer(app).start()
    yield server
    server.stop()
    from outreach.extensions import limiter
    limiter.reset()
    limiter.enabled = False
    with app.app_context():
        db.engine.dispose()


def test_forty_wrong_passwords_at_once_for_one_account_in_one_process(limited_server):
    app = limited_server.app
    with app.app_context():
        make_user("target@example.org")
        db.session.commit()
    requests = [("/login", {"email": "target@example.org", "password": f"guess {i}"}, "") for i in range(40)]

    statuses = post_all_at_once(limited_server.url, requests)

    assert sorted(statuses) == [401] * ACCOUNT_LIMIT + [429] * (40 - ACCOUNT_LIMIT), statuses
    with app.app_context():
        assert _failed_checks(db.session, ["target@example.org"]) == ACCOUNT_LIMIT


def test_forty_accounts_guessed_at_once_from_one_address(limited_server):
    app = limited_server.app
    emails = [f"member{i}@example.org" for i in range(40)]
    with app.app_context():
        for email in emails:
            make_user(email)
        db.session.commit()
    requests = [("/login", {"email": email, "password": "Summer2024!"}, "") for email in emails]

    statuses = post_all_at_once(limited_server.url, requests)

    assert sorted(statuses) == [401] * ADDRESS_LIMIT + [429] * (40 - ADDRESS_LIMIT), statuses
    with app.app_context():
        assert _failed_checks(db.session, emails) == ADDRESS_LIMIT


# ---------------------------------------------------------------- gunicorn, PostgreSQL and Redis

def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def _get(port, path, cookie=""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        resp = conn.getresponse()
        return resp.status, resp.getheader("Set-Cookie") or "", resp.read().decode()
    finally:
        conn.close()


def _wait_healthy(proc, port, seconds=60) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            if _get(port, "/healthz")[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


@pytest.fixture()
def gunicorn_server(databases, tmp_path):
    """gunicorn.conf.py with 4 workers on a PostgreSQL database of its own, limits in Redis."""
    if databases.backend != "postgresql":
        pytest.skip("gunicorn with PostgreSQL runs in the PostgreSQL pass (TEST_DATABASE_URL)")
    if not _redis_answers():
        pytest.skip("no Redis on 127.0.0.1:6379")
    import redis

    url = databases.new("signin_gunicorn")
    setup = make_test_app(url, tmp_path / "setup")  # creates the tables
    with setup.app_context():
        make_user("target@example.org")
        db.session.commit()
        db.engine.dispose()
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": "redis://127.0.0.1:6379/0", "RATELIMIT_KEY_PREFIX": prefix,
           "SECRET_KEY": "gunicorn-test", "PSEUDONYM_KEY": "gunicorn-test", "OUTREACH_INSTANCE_PATH": str(tmp_path),
           "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"), "BASE_URL": f"http://127.0.0.1:{port}", "REQUEST_LOG": "0",
           "WEB_CONCURRENCY": "4", "GUNICORN_BIND": f"127.0.0.1:{port}",
           # Only the per-account limit is under test here.
           "LOGIN_LIMIT_PER_ADDRESS": "1000 per 15 minutes"}
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert _wait_healthy(proc, port), "gunicorn did not come up:\n" + log_path.read_text()[-3000:]
        yield port, url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # its own process group: gunicorn and its workers only
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
        for key in client.scan_iter(match=f"*{prefix}*"):
            client.delete(key)
        client.close()


def test_forty_wrong_passwords_at_once_across_four_gunicorn_workers_with_redis(gunicorn_server):
    port, url = gunicorn_server
    # A real form post: CSRF is on, so take the token and the session cookie it belongs to.
    status, set_cookie, page = _get(port, "/login")
    assert status == 200
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    cookie = set_cookie.split(";", 1)[0]
    requests = [("/login", {"email": "target@example.org", "password": f"guess {i}", "csrf_token": token}, cookie)
                for i in range(40)]

    statuses = post_all_at_once(f"http://127.0.0.1:{port}", requests)

    assert sorted(statuses) == [401] * ACCOUNT_LIMIT + [429] * (40 - ACCOUNT_LIMIT), statuses
    engine = create_engine(url)
    try:
        from sqlalchemy.orm import Session
        with Session(engine) as session:
            assert _failed_checks(session, ["target@example.org"]) == ACCOUNT_LIMIT
    finally:
        engine.dispose()
