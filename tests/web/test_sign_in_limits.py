"""Sign-in limits: one count per account however the address is spelled, counted before the
password is checked, lifted by a successful sign-in or the emailed reset link.

The truly concurrent version (forty guesses at once) is in tests/concurrency/test_sign_in_concurrency.py.
"""
import re
import socket

import pytest
from sqlalchemy import func, select

from outreach.models import AuditEvent, User
from tests.conftest import deliver, make_test_app
from tests.factories import PASSWORD, make_user

NEW = "a brand new passphrase"
# What a guesser appended to dodge the old per-account key (%00 ... %0c), plus other junk that
# the sign-in itself ignores: every one of these reaches target@example.org's password check.
CONTROL_CHARACTERS = [chr(c) for c in range(0x00, 0x0d)]
OTHER_SPELLINGS = ["  target@example.org  ", "TARGET@Example.ORG", "target@ｅｘａｍｐｌｅ.org", "target@example.org\u00a0"]


def _app(databases, tmp_path, **settings):
    app = make_test_app(databases.new("signin"), tmp_path, RATELIMIT_ENABLED=True, **settings)
    with app.app_context():
        from outreach.extensions import db as _db
        make_user("target@example.org")
        _db.session.commit()
    return app


def _close(app):
    from outreach.extensions import db as _db
    from outreach.extensions import limiter
    # Flask-Limiter is one object for every app in this process: switch it back off.
    if app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        limiter.reset()
    limiter.enabled = False
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture()
def limited_app(databases, tmp_path):
    app = _app(databases, tmp_path)  # the real default: 5 per account, 20 per address, per 15 minutes
    yield app
    _close(app)


def _failed_checks(app) -> int:
    """How many wrong passwords were really checked against the account (the audit log says)."""
    with app.app_context():
        from outreach.extensions import db as _db
        target = _db.session.execute(select(User.id).where(User.email == "target@example.org")).scalar_one()
        n = _db.session.execute(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "account.sign_in_failed", AuditEvent.subject_id == target)).scalar_one()
        _db.session.remove()
        return n


def _post(client, email, password, addr="192.0.2.10"):
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": addr})


def test_control_characters_around_the_address_count_against_the_same_account(limited_app):
    client = limited_app.test_client()
    codes = [_post(client, "target@example.org" + c, "wrong guess").status_code for c in CONTROL_CHARACTERS]
    assert codes == [401] * 5 + [429] * 8
    assert _failed_checks(limited_app) == 5
    # The right password is not checked either while the account is paused.
    blocked = _post(client, "target@example.org", PASSWORD)
    assert blocked.status_code == 429
    page = blocked.get_data(as_text=True)
    assert "Too many sign-in attempts" in page and "Forgotten your password?" in page and "paused for 15 minutes" in page


def test_other_spellings_of_the_address_count_against_the_same_account(limited_app):
    client = limited_app.test_client()
    first = [_post(client, "target@example.org\x00", "wrong guess").status_code]
    codes = first + [_post(client, spelling, "wrong guess").status_code for spelling in OTHER_SPELLINGS]
    assert codes == [401] * 5
    assert _post(client, "target@example.org", PASSWORD).status_code == 429
    assert _failed_checks(limited_app) == 5
    # Another account from the same address is not paused by this one.
    assert _post(client, "someone.else@example.org", "x").status_code == 401


def test_five_guesses_from_elsewhere_do_not_keep_the_owner_out_for_good(limited_app):
    """Anyone can pause an account by guessing; the emailed reset link lets its owner straight back in."""
    guesser = limited_app.test_client()
    for i in range(5):
        assert _post(guesser, "target@example.org", f"guess {i}", addr="203.0.113.66").status_code == 401
    owner = limited_app.test_client()
    assert _post(owner, "target@example.org", PASSWORD).status_code == 429

    assert owner.post("/forgot-password", data={"email": "target@example.org"}).status_code == 200
    with limited_app.app_context():
        deliver()  # the worker writes the reset email
    from outreach.services.mail import read_outbox
    mail = read_outbox(limited_app.config["MAIL_OUTBOX_DIR"])[0]
    link = re.search(r"http://localhost(/reset-password/\S+)", mail["text"]).group(1)
    assert owner.post(link, data={"new_password": NEW, "confirm": NEW}).status_code == 302
    assert _post(owner, "target@example.org", NEW).status_code == 302


def test_a_successful_sign_in_clears_the_accounts_failures(limited_app):
    client = limited_app.test_client()
    for _ in range(4):
        assert _post(client, "target@example.org", "wrong guess").status_code == 401
    assert _post(client, "target@example.org", PASSWORD).status_code == 302
    client.post("/logout")
    for _ in range(4):
        assert _post(client, "Target@example.org", "wrong again").status_code == 401
    assert _post(client, "target@example.org", PASSWORD).status_code == 302


def test_successful_sign_ins_do_not_use_up_the_addresss_allowance(databases, tmp_path):
    """Staff in one office (one address) sign in all morning; only failures count against it."""
    app = _app(databases, tmp_path, LOGIN_LIMIT_PER_ADDRESS="3 per 15 minutes")
    try:
        client = app.test_client()
        for _ in range(5):
            assert _post(client, "target@example.org", PASSWORD).status_code == 302
            client.post("/logout")
        assert [_post(client, f"n{i}@example.org", "x").status_code for i in range(4)] == [401, 401, 401, 429]
    finally:
        _close(app)


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again at once: nothing listens there


def test_when_redis_stops_answering_sign_in_still_works_and_is_still_limited(databases, tmp_path):
    app = _app(databases, tmp_path, RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{_dead_port()}/0",
               LOGIN_LIMIT_PER_ACCOUNT="2 per 15 minutes")
    try:
        client = app.test_client()
        assert _post(client, "target@example.org", PASSWORD).status_code == 302
        client.post("/logout")
        assert [_post(client, "target@example.org", "wrong").status_code for _ in range(3)] == [401, 401, 429]
    finally:
        _close(app)
