"""Two outbox workers sending at once never send one message twice (services/outbox.py claims
each message with a conditional UPDATE), on SQLite and on PostgreSQL."""
import threading

from sqlalchemy import func, select

from outreach.extensions import db as _db
from outreach.listeners import deliver_waiting
from outreach.models import OutgoingMessage
from outreach.services import outbox
from tests.conftest import free_port, make_test_app
from tests.mailservers import real_smtp

MESSAGES = 60


def test_two_workers_sending_at_once_never_send_a_message_twice(databases, tmp_path):
    port = free_port()
    app = make_test_app(databases.new("outbox_race"), tmp_path, MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.app_context():
        for i in range(MESSAGES):
            outbox.queue_email(f"person{i}@example.org", f"Message {i}", "Hello", kind="test")
        _db.session.commit()
        _db.session.remove()

    barrier = threading.Barrier(2)
    reports, errors = [], []

    def worker():
        try:
            with app.app_context():
                barrier.wait()
                reports.append(deliver_waiting())
                _db.session.remove()
        except Exception as exc:  # reported below instead of vanishing with the thread
            errors.append(exc)

    with real_smtp(port) as inbox:
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        received = sorted(m["Subject"] for m in inbox.received)

    assert errors == []
    assert received == sorted(f"Message {i}" for i in range(MESSAGES))  # each exactly once
    assert sorted(r.sent for r in reports) != [0, MESSAGES], "one worker did everything: not concurrent"
    assert sum(r.sent for r in reports) == MESSAGES
    with app.app_context():
        assert _db.session.scalar(select(func.count()).select_from(OutgoingMessage)
                                  .where(OutgoingMessage.status == "sent")) == MESSAGES
        _db.session.remove()
        _db.engine.dispose()
