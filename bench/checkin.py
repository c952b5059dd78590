"""Check-in API under concurrent clients, against a bare Flask JSON endpoint.

    python bench/checkin.py [--database URL] [--clients 32] [--requests 3000]

Both apps run under gunicorn with the same settings, one after the other, on
loopback. Every check-in is a distinct booked young person's pass with its own
client_ref, so each request writes an attendance row, as at a real door.
Clients run in several processes so the load generator is not held back by
one interpreter's lock. A third run checks in with half the clients while
--readers clients keep asking /healthz (one database read each), for how long
a read waits while check-ins write. The last line is
`ratio=<check-in / bare throughput>`.
"""
import argparse
import http.client
import json
import multiprocessing as mp
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from statistics import quantiles

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GUNICORN = [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "gthread", "--threads", "8",
            "--log-level", "warning", "--keep-alive", "30"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- data

def prepare(database_url: str, instance: str, n: int):
    """Schema and a session happening now with n booked young people; returns (cookie, token, path, passes)."""
    os.environ.update(DATABASE_URL=database_url, SECRET_KEY="bench-secret", OUTREACH_INSTANCE_PATH=instance,
                      RATELIMIT_ENABLED="0", MAIL_OUTBOX_DIR=os.path.join(instance, "outbox"))
    from flask import session as flask_session
    from flask_wtf.csrf import generate_csrf

    from outreach import create_app
    from outreach.extensions import db
    from outreach.models import (Membership, Organisation, Pass, Programme, ProgrammeSession, Registration, User,
                                 YoungPerson)
    from outreach.services.passwords import hash_password

    app = create_app()
    with app.app_context():
        db.create_all()
        now = datetime.now(timezone.utc)
        user = User(email="bench@example.org", full_name="Bench Worker", password_hash=hash_password("x" * 12))
        org = Organisation(name="Bench Club", slug="bench", contact_email="b@example.org", status="approved")
        db.session.add_all([user, org])
        db.session.flush()
        db.session.add(Membership(organisation_id=org.id, user_id=user.id, role="worker"))
        programme = Programme(organisation_id=org.id, title="Bench Night", category="sport", venue_name="Hall",
                              venue_address="1 Road", postcode_district="M1", min_age=8, max_age=18,
                              capacity=n + 10, registration_mode="per_session", is_published=True)
        db.session.add(programme)
        db.session.flush()
        session = ProgrammeSession(programme_id=programme.id, starts_at=now - timedelta(minutes=5),
                                   ends_at=now + timedelta(hours=2))
        db.session.add(session)
        db.session.flush()
        people = [YoungPerson(first_name=f"P{i}", last_name="Bench", date_of_birth=date(2012, 1, 1),
                              emergency_contact_name="G", emergency_contact_phone="07700 900000")
                  for i in range(n)]
        db.session.add_all(people)
        db.session.flush()
        codes = [secrets.token_urlsafe(24) for _ in people]
        db.session.add_all([Pass(young_person_id=p.id, secret=c) for p, c in zip(people, codes)])
        db.session.add_all([Registration(young_person_id=p.id, session_id=session.id, status="confirmed",
                                         confirmed_at=now) for p in people])
        db.session.commit()
        with app.test_request_context():
            token = generate_csrf()
            flask_session["_user_id"] = user.get_id()
            flask_session["_fresh"] = True
            value = app.session_interface.get_signing_serializer(app).dumps(dict(flask_session))
        cookie = f"{app.config['SESSION_COOKIE_NAME']}={value}"
        path = f"/api/sessions/{session.id}/checkins"
        db.engine.dispose()
    return cookie, token, path, [f"http://127.0.0.1/p/{c}" for c in codes]


# ---------------------------------------------------------------- load

def _client_process(port, path, headers, bodies, threads, out):
    results = []
    lock = threading.Lock()
    chunks = [bodies[i::threads] for i in range(threads)]
    barrier = threading.Barrier(threads)

    def run(chunk):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.connect()
        mine = []
        barrier.wait()
        for body in chunk:
            t0 = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                ok = resp.status == 200 and b'"status":"error"' not in data.replace(b" ", b"")
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            mine.append((time.perf_counter() - t0, ok))
        conn.close()
        with lock:
            results.extend(mine)

    ts = [threading.Thread(target=run, args=(c,)) for c in chunks]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out.put(results)


def load(port, path, headers, bodies, clients, processes):
    per = clients // processes
    queue = mp.Queue()
    slices = [bodies[i::processes] for i in range(processes)]
    procs = [mp.Process(target=_client_process, args=(port, path, headers, s, per, queue)) for s in slices]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    results = []
    for _ in procs:
        results.extend(queue.get())
    elapsed = time.perf_counter() - t0
    for p in procs:
        p.join()
    latencies = [r[0] * 1000 for r in results]
    cuts = quantiles(latencies, n=100)
    return {"requests": len(results), "errors": sum(1 for r in results if not r[1]),
            "throughput": len(results) / elapsed, "p50": cuts[49], "p95": cuts[94]}


def serve(target, env, port, log=None):
    """gunicorn serving `target`; its output (the app's request log included) goes to `log`."""
    proc = subprocess.Popen(GUNICORN + ["--bind", f"127.0.0.1:{port}", target], cwd=ROOT, env=env,
                            start_new_session=True, stdout=log, stderr=log)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"{target} did not start on port {port}" + (f"; see {log.name}" if log else ""))


def stop(proc):
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)


def load_with_readers(port, path, headers, bodies, clients, processes, readers):
    """Check-ins as in load(), while `readers` threads read /healthz every 20 ms; latencies of the reads."""
    latencies, done = [], threading.Event()

    def read():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while not done.is_set():
            t0 = time.perf_counter()
            conn.request("GET", "/healthz")
            resp = conn.getresponse()
            resp.read()
            latencies.append(((time.perf_counter() - t0) * 1000, resp.status == 200))
            time.sleep(0.02)
        conn.close()

    threads = [threading.Thread(target=read) for _ in range(readers)]
    for t in threads:
        t.start()
    try:
        checkin = load(port, path, headers, bodies, clients, processes)
    finally:
        done.set()
        for t in threads:
            t.join()
    cuts = quantiles([ms for ms, _ in latencies], n=100)
    return checkin, {"requests": len(latencies), "errors": sum(1 for _, ok in latencies if not ok),
                     "p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


def warm(port, path, headers, bodies):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for body in bodies:
        conn.request("POST", path, body=body, headers=headers)
        conn.getresponse().read()
    conn.close()


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="PostgreSQL URL of a server; a fresh database is made and dropped. "
                                           "Default: a SQLite file in a temporary folder.")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--readers", type=int, default=4)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        pg_admin, db_name = None, None
        if args.database:
            import psycopg
            db_name = f"outreach_bench_{uuid.uuid4().hex[:8]}"
            pg_admin = args.database
            with psycopg.connect(pg_admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{db_name}"')
            database_url = pg_admin.rsplit("/", 1)[0] + "/" + db_name
            backend = "PostgreSQL"
        else:
            database_url = f"sqlite:///{tmp}/bench.db"
            backend = "SQLite"
        try:
            warmup = 100
            mixed = args.requests // 2
            cookie, token, path, urls = prepare(database_url, tmp, args.requests + warmup + mixed)
            env = dict(os.environ)
            headers = {"Content-Type": "application/json", "Cookie": cookie, "X-CSRFToken": token}
            bodies = [json.dumps({"pass": u, "client_ref": uuid.uuid4().hex}).encode() for u in urls]

            print(f"# check-in benchmark: {backend}, {args.clients} clients, {args.requests} requests each side, "
                  f"gunicorn 2 workers x 8 threads; {platform.machine()}, {os.cpu_count()} CPUs, "
                  f"Python {platform.python_version()}, {datetime.now():%Y-%m-%d}")
            port = free_port()
            app_log = open(os.path.join(tmp, "gunicorn.log"), "w")
            proc = serve("wsgi:app", env, port, app_log)
            try:
                warm(port, path, headers, bodies[:warmup])
                checkin = load(port, path, headers, bodies[warmup:warmup + args.requests], args.clients,
                               args.processes)
                mixed_checkin, reads = load_with_readers(port, path, headers, bodies[warmup + args.requests:],
                                                         args.clients // 2, args.processes, args.readers)
            finally:
                stop(proc)
                app_log.close()
            port = free_port()
            proc = serve("bench.bare_app:app", env, port)
            try:
                bare_bodies = [json.dumps({"client_ref": uuid.uuid4().hex}).encode() for _ in range(args.requests)]
                warm(port, "/api/echo", headers, bare_bodies[:warmup])
                bare = load(port, "/api/echo", headers, bare_bodies, args.clients, args.processes)
            finally:
                stop(proc)
        finally:
            if pg_admin:
                import psycopg
                with psycopg.connect(pg_admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')

    for name, r in (("check-in", checkin), ("bare", bare)):
        print(f"{name:9} requests={r['requests']} errors={r['errors']} throughput={r['throughput']:.0f}/s "
              f"p50={r['p50']:.1f}ms p95={r['p95']:.1f}ms")
    print(f"with {args.readers} readers: check-in ({args.clients // 2} clients) "
          f"throughput={mixed_checkin['throughput']:.0f}/s p95={mixed_checkin['p95']:.1f}ms; "
          f"reads={reads['requests']} p50={reads['p50']:.1f}ms p95={reads['p95']:.1f}ms p99={reads['p99']:.1f}ms")
    print(f"ratio={checkin['throughput'] / bare['throughput']:.2f}")
    if checkin["errors"] or bare["errors"] or mixed_checkin["errors"] or reads["errors"]:
        raise SystemExit("some requests failed")


if __name__ == "__main__":
    main()
