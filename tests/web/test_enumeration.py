"""Sign-up, sign-in and password reset do the same work for an address with an account and
one without, whatever the mail server does (issue #15, point 6).

Checked by structure, not by the clock: the same SQL statements, in the same order, the
same status and the same page. `make bench-enumeration` measures the times.
"""
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from outreach.models import OutgoingMessage, User
from tests.conftest import deliver
from tests.factories import make_user
from tests.mailservers import hanging_smtp, real_smtp

KNOWN, UNKNOWN = "known@example.org", "nobody@example.org"
NEW = "a brand new passphrase"


def _reset(address):
    return "/forgot-password", {"email": address}


def _sign_up(address):
    return "/signup", {"kind": "guardian", "full_name": "Sam Carer", "email": address, "phone": "07700 900111",
                       "password": NEW, "confirm": NEW}


def _sign_in(address):
    return "/login", {"email": address, "password": "not the password at all"}


FORMS = {"reset": _reset, "sign-up": _sign_up, "sign-in": _sign_in}


def _post(client, build, address):
    path, data = build(address)
    return client.post(path, data=data)


@contextmanager
def statements(engine):
    """The SQL statements run meanwhile, as written (parameters apart)."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(re.sub(r"sa_savepoint_\d+", "sa_savepoint_N", " ".join(statement.split())))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _page(response, address):
    return response.get_data(as_text=True).replace(address, "ADDRESS")


@pytest.fixture()
def known(db):
    make_user(KNOWN)
    db.session.commit()


@pytest.mark.parametrize("form", FORMS)
def test_known_and_unknown_addresses_run_the_same_statements_and_get_the_same_page(client, db, known, form):
    build = FORMS[form]
    _post(client, build, "warm-up@example.org")  # first-use work (templates, the dummy hash) out of the way
    answers = {}
    for address in (KNOWN, UNKNOWN):
        with statements(db.engine) as seen:
            response = _post(client, build, address)
        answers[address] = (response.status_code, _page(response, address), seen)
    assert answers[KNOWN][0] == answers[UNKNOWN][0]
    assert answers[KNOWN][1] == answers[UNKNOWN][1]
    assert answers[KNOWN][2] == answers[UNKNOWN][2]
    assert answers[KNOWN][2], "no statements were seen: the listener is not on the right engine"


@pytest.mark.parametrize("form,kind", [("reset", "password_reset"), ("sign-up", "sign_up")])
def test_the_page_writes_one_message_for_the_worker_whatever_the_address(client, db, known, form, kind):
    for address in (KNOWN, UNKNOWN):
        assert _post(client, FORMS[form], address).status_code == 200
    rows = db.session.execute(select(OutgoingMessage).order_by(OutgoingMessage.id)).scalars().all()
    assert [(m.kind, m.recipient, m.status, m.text) for m in rows] == [
        (kind, KNOWN, "pending", None), (kind, UNKNOWN, "pending", None)]
    # Nothing about either address was decided by the page: no account made, none looked up.
    assert db.session.scalar(select(User.id).where(User.email == UNKNOWN)) is None


def test_with_a_hanging_mail_server_both_answer_at_once_and_the_worker_decides(app, client, db, known,
                                                                               monkeypatch):
    with hanging_smtp() as hanging:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", hanging.port)
        for form in ("reset", "sign-up"):
            for address in (KNOWN, UNKNOWN):
                assert _post(client, FORMS[form], address).status_code == 200
        assert hanging.connections == 0  # no page went near the mail server
        port = hanging.port

    with real_smtp(port) as inbox:
        deliver()
        got = sorted((m["To"], m["Subject"]) for m in inbox.received)
    assert got == [
        (KNOWN, "Reset your Outreach password"),
        (KNOWN, "You already have an Outreach account"),
        (UNKNOWN, "Confirm your email to finish signing up to Outreach"),
    ]
    # The reset for an address with no account sent nothing, and keeps no trace of the address.
    [dropped] = db.session.execute(select(OutgoingMessage).where(OutgoingMessage.status == "dropped")).scalars()
    assert (dropped.kind, dropped.recipient, dropped.payload) == ("password_reset", "", None)
    # The sign-up's password hash does not stay in the outbox once the account is made.
    assert all(m.payload is None for m in db.session.execute(select(OutgoingMessage)).scalars())
    assert db.session.scalar(select(User.email_confirmed).where(User.email == UNKNOWN)) is False


def test_a_sign_up_asked_twice_makes_one_account_and_tells_the_owner(app, client, db, smtp_server):
    assert _post(client, _sign_up, UNKNOWN).status_code == 200
    assert _post(client, _sign_up, UNKNOWN).status_code == 200
    subjects = sorted(m["Subject"] for m in smtp_server.messages)
    assert subjects == ["Confirm your email to finish signing up to Outreach", "You already have an Outreach account"]
    assert len(db.session.execute(select(User).where(User.email == UNKNOWN)).all()) == 1
