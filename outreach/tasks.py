"""Background work: the task queue (Huey) and its tasks, thin like routes.

Run the worker with `huey_consumer outreach.tasks.huey -w 2` (`make run` starts it beside
the web server), with the same environment as the web server. The queue lives in Redis
when REDIS_URL is set, so several hosts share it; otherwise in a SQLite file in instance/
(TASK_QUEUE_FILE), so a laptop needs no server.

Tasks build the app once per worker process and run in its app context; each loads, calls
one service and lets the service decide:

- send_outbox: sends what is waiting in the outbox. Every minute (the sweep), and as soon
  as a commit queued mail (the nudge, see listeners.py). The nudge is best effort: if it
  cannot be queued the sweep sends the mail within the minute.
- send_reminders: the day-before reminders, hourly at :05.
- purge_expired: the retention schedule, nightly at 02:30 UTC.
- refresh_dashboards: the kept evaluation dashboards that are due, every minute (and
  work_out_dashboard when someone presses "work out now").

The periodic ones are idempotent (a reminder is recorded once; a purge done is done), so
running the scheduler in more than one consumer is harmless, if wasteful: pass
`--no-periodic` to all but one.
"""
import logging
import os
import threading

from huey import RedisHuey, SqliteHuey, crontab

log = logging.getLogger(__name__)


def make_huey(environ=os.environ):
    """The queue for this environment: RedisHuey with REDIS_URL, else SqliteHuey in instance/."""
    from . import instance_path

    name = environ.get("TASK_QUEUE_NAME") or "outreach"
    redis_url = environ.get("REDIS_URL")
    if redis_url:
        from redis import ConnectionPool

        # Bounded waits: a nudge from a page must not hang on an unreachable Redis. The
        # consumer's own blocking read is 1 s, well inside the socket timeout.
        pool = ConnectionPool.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)
        return RedisHuey(name, results=False, connection_pool=pool)
    path = environ.get("TASK_QUEUE_FILE") or os.path.join(instance_path(environ), "tasks.sqlite3")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    # No fsync: a nudge lost to a power cut costs nothing (the sweep runs every minute, and
    # the mail itself is in the database), while an fsync costs every page that queues mail
    # about 9 ms here (1.3 ms against 10.5 ms for a password reset, bench/enumeration.py).
    return SqliteHuey(name, results=False, filename=path, fsync=False)


huey = make_huey()

_app = None
_app_lock = threading.Lock()


def worker_app():
    """The app the tasks run in, made once per worker process (from the environment)."""
    global _app
    with _app_lock:
        if _app is None:
            from . import create_app

            _app = create_app()
        return _app


def _run(work):
    app = worker_app()
    with app.app_context():
        from .extensions import db

        try:
            return work(app)
        finally:
            db.session.remove()


@huey.periodic_task(crontab(minute="*"))
def send_outbox():
    """Send every message that is due (the nudge after a commit, and the sweep each minute)."""
    from . import listeners

    report = _run(lambda app: listeners.deliver_waiting())
    if report.sent or report.retrying or report.failed or report.dropped:
        log.info("outbox: %d sent, %d to try again, %d failed for good, %d dropped%s", report.sent,
                 report.retrying, report.failed, report.dropped,
                 " (mail server unreachable: the rest wait)" if report.unreachable else "")
    return report.sent


@huey.periodic_task(crontab(minute="5"))
def send_reminders():
    """Queue tomorrow's reminders (each recorded with its email, so never twice)."""
    from . import listeners
    from .services import reminders

    return _run(lambda app: reminders.send_due_reminders(listeners.send_reminder))


@huey.periodic_task(crontab(hour="2", minute="30"))
def purge_expired():
    """Apply the retention schedule (services/retention.py: every class, concerns never removed)."""
    from .services import retention
    from .timeutil import utcnow

    def purge(app):
        report = retention.purge_expired(retention.Schedule.from_config(app.config), now=utcnow())
        for result in report.classes:
            log.info("retention: %s", result.line)
        return report.anonymised

    return _run(purge)


@huey.periodic_task(crontab(minute="*"))
def refresh_dashboards():
    """Work out the kept dashboards that are due (services/dashboard_snapshots.py), most
    wanted first, for at most 50 s: what is left waits for the next minute's round."""
    return _run(lambda app: _refresh(app))


@huey.task()
def work_out_dashboard(view_key: str):
    """"Work out now": the worker's round, started at once (the view asked for goes first)."""
    return _run(lambda app: _refresh(app))


def _refresh(app):
    from .services import dashboard_snapshots
    from .timeutil import utcnow
    from .web.evaluation.dashboard import build

    options = dashboard_snapshots.Options.from_config(app.config)
    from huey.exceptions import TaskLockedException

    try:
        with huey.lock_task("refresh-dashboards"):  # one round at a time across consumers
            done = dashboard_snapshots.refresh_due(build, options, now=utcnow)
    except TaskLockedException:  # a round is under way; what it leaves, the next one does
        return 0
    if done:
        log.info("dashboards worked out: %s", ", ".join(done))
    return len(done)


def wake_dashboards(view_key: str) -> None:
    """Ask the worker to work a view out now; never raises (its round is the safety net)."""
    try:
        work_out_dashboard(view_key)
    except Exception:
        log.warning("could not wake the worker; its round works the figures out within minutes", exc_info=True)


def nudge() -> None:
    """Ask the worker to send now; never raises (the minute's sweep is the safety net)."""
    try:
        send_outbox()
    except Exception:  # Redis down, queue file locked...: the mail is safe in the outbox
        log.warning("could not wake the outbox worker; its sweep sends the mail within a minute", exc_info=True)
