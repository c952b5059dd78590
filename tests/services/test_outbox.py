"""The outbox worker's rules (services/outbox.py): retries with growing pauses, refusals
that are final, claims that outlive a dead worker, messages that cannot be composed, and
reminders recorded in the transaction that queues their email."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from outreach.listeners import send_reminder
from outreach.models import OutgoingMessage, ReminderSent
from outreach.services import outbox, registration, reminders
from outreach.timeutil import UTC, utcnow
from tests.conftest import _Inbox, deliver, free_port
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person


@pytest.fixture()
def refused(app, monkeypatch):
    """A mail server address where nothing listens."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())


def _one(db, to="sam@example.org", **kw):
    message = outbox.queue_email(to, "Hello", "Hello there", kind="test", **kw)
    db.session.commit()
    return message


def test_each_try_waits_twice_as_long_as_the_last_up_to_an_hour(app, db, refused):
    message = _one(db)
    now = utcnow()
    pauses = []
    for _ in range(app.config["OUTBOX_MAX_ATTEMPTS"] - 1):
        assert deliver(now=now).retrying == 1
        db.session.refresh(message)
        pauses.append(round((message.next_attempt_at - now).total_seconds()))
        assert deliver(now=message.next_attempt_at - timedelta(seconds=1)).retrying == 0  # not yet
        now = message.next_attempt_at
    assert pauses == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert deliver(now=now).failed == 1  # the tenth try was the last
    db.session.refresh(message)
    assert (message.status, message.attempts) == ("failed", 10)
    assert message.text == "Hello there"  # kept, to be sent again


class _Refusing(_Inbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        return "550 5.1.1 No such mailbox here"


def test_an_address_the_server_refuses_for_good_fails_at_once_with_its_words(app, db, monkeypatch):
    from aiosmtpd.controller import Controller

    controller = Controller(_Refusing(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
        message = _one(db, to="gone@example.org")
        assert deliver().failed == 1
    finally:
        controller.stop()
    db.session.refresh(message)
    assert (message.status, message.attempts) == ("failed", 1)
    assert "refused the address" in message.last_error and "550" in message.last_error


def test_a_server_that_cannot_be_reached_stops_the_pass_and_the_rest_wait(app, db, refused):
    messages = [_one(db, to=f"p{i}@example.org") for i in range(3)]
    report = deliver()
    assert (report.retrying, report.unreachable) == (1, True)
    attempts = sorted(db.session.get(OutgoingMessage, m.id).attempts for m in messages)
    assert attempts == [0, 0, 1]  # one try spent, not three
    assert outbox.due_count() == 2  # and the others are free for the next pass


def test_a_message_held_by_a_worker_that_died_is_sent_when_its_claim_runs_out(app, db, smtp_server):
    message = _one(db)
    now = utcnow()
    message.claimed_until, message.claim_token = now + timedelta(minutes=10), "a-worker-that-died"
    db.session.commit()
    assert deliver(now=now).sent == 0  # another worker holds it
    assert smtp_server.received == []
    assert deliver(now=now + timedelta(minutes=11)).sent == 1
    assert [m["To"] for m in smtp_server.received] == ["sam@example.org"]


def test_a_message_that_cannot_be_composed_waits_with_the_reason(app, db, smtp_server):
    broken = outbox.queue_to_compose("sign_up", "sam@example.org", {"kind": "guardian"})  # no name, no hash
    db.session.commit()
    report = deliver()
    assert (report.sent, report.retrying) == (0, 1)
    db.session.refresh(broken)
    assert (broken.status, broken.attempts) == ("pending", 1)
    assert broken.last_error.startswith("Could not prepare the message: KeyError")
    assert broken.payload == {"kind": "guardian"}  # kept for the next try


def test_send_outbox_command_sends_what_is_due(app, db, runner, smtp_server):
    _one(db)
    result = runner.invoke(args=["send-outbox"])
    assert result.exit_code == 0, result.output
    assert "Sent 1;" in result.output
    assert len(smtp_server.received) == 1


NOW = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)


def _booked():
    programme = make_programme(make_org(), min_age=8, max_age=18)
    session = make_session(programme, starts_at=NOW + timedelta(hours=25))
    child = make_young_person(guardian=make_user("parent@example.org"))
    registration.book_place(child, programme, session, now=NOW - timedelta(days=3))


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_reminder_is_recorded_only_with_its_email(app, db):
    _booked()
    before = _count(db, OutgoingMessage)

    def breaks(session, young_person_id):
        raise RuntimeError("the template broke")

    with pytest.raises(RuntimeError):
        reminders.send_due_reminders(breaks, now=NOW)
    db.session.rollback()  # what the worker's task does with a failed run
    assert _count(db, ReminderSent) == 0  # so the next run tries again

    assert reminders.send_due_reminders(send_reminder, now=NOW) == 1
    assert _count(db, ReminderSent) == 1
    [reminder] = db.session.execute(select(OutgoingMessage).where(OutgoingMessage.kind == "reminder")).scalars()
    assert reminder.recipient == "parent@example.org" and _count(db, OutgoingMessage) == before + 1
    assert reminders.send_due_reminders(send_reminder, now=NOW) == 0

