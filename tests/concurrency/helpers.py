"""Truly concurrent HTTP requests against a live server: one thread per request,
all released together by a barrier."""
import http.client
import json
import threading
from urllib.parse import urlencode, urlsplit

from sqlalchemy import text
from sqlalchemy.orm import Session


def session_cookie(app, user) -> str:
    """A signed Flask session cookie that Flask-Login accepts as `user` signed in."""
    serializer = app.session_interface.get_signing_serializer(app)
    value = serializer.dumps({"_user_id": user.get_id(), "_fresh": True})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def post_all_at_once(base_url: str, requests: list[tuple[str, dict, str]], timeout=60, as_json=False) -> list[int]:
    """POST every (path, form, cookie) at the same moment; returns the status codes in order.

    With as_json the body is sent as JSON (the API) instead of a form."""
    host = urlsplit(base_url)
    barrier = threading.Barrier(len(requests))
    statuses: list[int | None] = [None] * len(requests)

    def worker(i, path, form, cookie):
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=timeout)
        body = json.dumps(form) if as_json else urlencode(form)
        kind = "application/json" if as_json else "application/x-www-form-urlencoded"
        try:
            conn.connect()
            barrier.wait()
            conn.request("POST", path, body=body, headers={"Content-Type": kind, "Cookie": cookie})
            statuses[i] = conn.getresponse().status
        except Exception as exc:  # recorded, so the test reports it instead of hanging
            statuses[i] = repr(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i, *r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + 5)
    return statuses


def counter(session) -> int:
    """The value in the counter database of the `counter_engine` fixture (conftest.py)."""
    return session.execute(text("SELECT n FROM counter WHERE id = 1")).scalar_one()


def writes_within(counter_engine, seconds: float) -> bool:
    """Whether another thread can write to the counter within `seconds` (the busy timeout is 15 s)."""
    done = threading.Event()

    def write():
        with Session(counter_engine) as s:
            s.execute(text("UPDATE counter SET n = n + 1 WHERE id = 1"))
            s.commit()
        done.set()

    threading.Thread(target=write, daemon=True).start()
    return done.wait(seconds)


def errors_in_threads(work, n: int, timeout: float) -> list[str]:
    """Run `work` in n threads at once and wait for them; what any of them raised, as reprs
    (recorded, so the test reports it instead of losing it in a thread)."""
    errors = []

    def run():
        try:
            work()
        except Exception as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return errors
