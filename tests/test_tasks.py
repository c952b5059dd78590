"""The task queue (outreach/tasks.py): a real Huey consumer process picks up the nudge that a
commit gives and sends the mail; the periodic tasks exist with their schedules; a nudge that
cannot be queued loses nothing."""
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from outreach import tasks
from outreach.extensions import db as _db
from outreach.models import OutgoingMessage
from outreach.services import registration
from outreach.timeutil import UTC
from tests.conftest import ROOT, free_port, make_test_app
from tests.factories import make_org, make_programme, make_session, make_user, make_young_person
from tests.mailservers import real_smtp

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CONSUMER = [sys.executable, "-m", "huey.bin.huey_consumer", "outreach.tasks.huey"]


def _redis_answers() -> bool:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False
    return True


def _queue_env(kind: str, tmp_path) -> dict:
    """The variables that choose the queue: the web side and the worker must agree."""
    if kind == "redis":
        if not _redis_answers():
            pytest.skip(f"no Redis answers at {REDIS_URL}")
        # A queue name of its own: other test runs share the Redis server.
        return {"REDIS_URL": REDIS_URL, "TASK_QUEUE_NAME": f"outreach_test_{uuid.uuid4().hex[:12]}"}
    return {"TASK_QUEUE_FILE": str(tmp_path / "queue" / "tasks.sqlite3")}


def _book_one(app):
    guardian = make_user("grace@example.org")
    programme = make_programme(make_org(), "Friday Football", min_age=8, max_age=18)
    session = make_session(programme, starts_at=datetime.now(UTC) + timedelta(days=3))
    child = make_young_person("Kofi", dob=date(2013, 2, 2), guardian=guardian)
    _db.session.commit()
    registration.book_place(child, programme, session, booked_by=guardian)  # commits, then nudges


def _status():
    _db.session.remove()
    [message] = _db.session.execute(select(OutgoingMessage)).scalars()
    status = (message.status, message.attempts)
    _db.session.remove()
    return status


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_a_consumer_process_takes_the_nudge_and_sends_the_mail(kind, databases, tmp_path, monkeypatch):
    queue_env = _queue_env(kind, tmp_path)
    database_url = databases.new("tasks")
    smtp_port = free_port()
    app = make_test_app(database_url, tmp_path, OUTBOX_NUDGE=True, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port)
    # This process queues into the same place as the consumer it starts.
    queue = tasks.make_huey(queue_env)
    monkeypatch.setattr(tasks.huey, "storage", queue.storage)
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "TASK_QUEUE_NAME", "TASK_QUEUE_FILE")}
    env.update(queue_env, DATABASE_URL=database_url, SECRET_KEY="test-secret-key", MAIL_SERVER="127.0.0.1",
               MAIL_PORT=str(smtp_port), OUTREACH_INSTANCE_PATH=str(tmp_path / "instance"), REQUEST_LOG="0",
               BASE_URL="http://localhost", PYTHONUNBUFFERED="1")
    log = open(tmp_path / "consumer.log", "w+")
    # No periodic tasks: the mail must come from the nudge, not the minute's sweep.
    consumer = subprocess.Popen([*CONSUMER, "--no-periodic", "-w", "1", "-d", "0.1", "-m", "0.5"], cwd=ROOT,
                                env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        with real_smtp(smtp_port) as inbox, app.app_context():
            _book_one(app)
            deadline = time.monotonic() + 60
            while not inbox.received and time.monotonic() < deadline and consumer.poll() is None:
                time.sleep(0.1)
            log.seek(0)
            assert [m["Subject"] for m in inbox.received] == ["Booked: Friday Football"], log.read()
            # The worker records the message sent just after the server took it.
            while time.monotonic() < deadline and _status() != ("sent", 1):
                time.sleep(0.1)
            assert _status() == ("sent", 1)
    finally:
        consumer.send_signal(signal.SIGINT)
        try:
            consumer.wait(timeout=20)
        except subprocess.TimeoutExpired:
            consumer.kill()
        log.close()
        queue.storage.flush_all()
        with app.app_context():
            _db.engine.dispose()


def test_a_nudge_that_cannot_be_queued_loses_nothing(databases, tmp_path, monkeypatch, caplog):
    app = make_test_app(databases.new("nudge"), tmp_path, OUTBOX_NUDGE=True)
    # A Redis that is not there: the booking still commits, its email waits for the sweep.
    broken = tasks.make_huey({"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})
    monkeypatch.setattr(tasks.huey, "storage", broken.storage)
    with app.app_context():
        _book_one(app)
        _db.session.remove()
        [message] = _db.session.execute(select(OutgoingMessage)).scalars()
        assert message.status == "pending"
        _db.session.remove()
        _db.engine.dispose()
    assert "could not wake the outbox worker" in caplog.text


def _due_at(when: datetime) -> set[str]:
    return {task.name for task in tasks.huey.read_periodic(when)}


def test_the_periodic_tasks_and_their_schedules():
    everything = {"send_outbox", "send_reminders", "purge_expired", "refresh_dashboards"}
    minutely = {"send_outbox", "refresh_dashboards"}  # the outbox sweep; the kept dashboards' round
    seen = set()
    day = datetime(2026, 12, 1, tzinfo=UTC).replace(tzinfo=None)  # huey reads naive UTC
    for minute in range(24 * 60):
        seen |= _due_at(day + timedelta(minutes=minute))
    assert seen == everything
    assert _due_at(day.replace(hour=14, minute=17)) == minutely  # every minute
    assert _due_at(day.replace(hour=14, minute=5)) == minutely | {"send_reminders"}  # hourly
    assert _due_at(day.replace(hour=2, minute=30)) == minutely | {"purge_expired"}  # nightly
    hourly = [m for m in range(24 * 60) if "send_reminders" in _due_at(day + timedelta(minutes=m))]
    nightly = [m for m in range(24 * 60) if "purge_expired" in _due_at(day + timedelta(minutes=m))]
    assert len(hourly) == 24 and len(nightly) == 1


def test_the_queue_is_redis_with_redis_url_and_a_sqlite_file_without(tmp_path):
    from huey import RedisHuey, SqliteHuey

    on_redis = tasks.make_huey({"REDIS_URL": "redis://127.0.0.1:6379/0", "TASK_QUEUE_NAME": "somewhere"})
    assert isinstance(on_redis, RedisHuey) and on_redis.name == "somewhere"
    laptop = tasks.make_huey({"OUTREACH_INSTANCE_PATH": str(tmp_path)})
    assert isinstance(laptop, SqliteHuey) and laptop.storage.filename == str(tmp_path / "tasks.sqlite3")
