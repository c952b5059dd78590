"""SQL injection scan of a local Outreach with sqlmap: sign-in, catalogue search, booking, check-in API, pass page.

    python scripts/security_scan.py [--database POSTGRES_SERVER_URL] [--only NAME ...] [--jobs N] [--verbose]

Starts a throwaway Outreach (a temporary instance folder, migrated and seeded with the demo data,
served by gunicorn on a free loopback port, rate limits off), signs in the demo accounts it needs,
runs Debian's sqlmap (/usr/bin/sqlmap) against each target and prints one line per target:
the parameters sqlmap tested, how many requests reached the target and what the app answered,
and the verdict. The app is stopped and the temporary folder removed at the end, whatever happens.

A target only counts as tested when sqlmap's requests really reached the code under test: a scan
whose requests were refused (CSRF token rejected, signed out) proves nothing and fails the run.

With --database, a fresh database is created on that PostgreSQL server for the scan and dropped
after it (like `bench/checkin.py --database`); by default the scan runs on SQLite.

Exit status: 0 when every target was tested and nothing is injectable; 1 when something is
injectable or a target could not really be tested; 2 when sqlmap is missing or the app will not start.
"""
import argparse
import collections
import concurrent.futures
import http.client
import http.cookies
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLMAP = "/usr/bin/sqlmap"
PYTHON = sys.executable
SECRET_KEY = "security-scan-not-a-secret"
# The same User-Agent for our own sign-ins and for sqlmap, so a session is always used
# by the client it was made for.
USER_AGENT = "outreach-security-scan/1.0 (sqlmap)"
DEMO_PASSWORD = "outreach-demo-2026"
LOGIN_ACCOUNT = "lead@northside-police.example"    # signs in over and over: nobody else uses it here
GUARDIAN = "guardian@outreach.example"
WORKER = "worker@moss-side-sports.example"
CLIENT_REF = "security-scan-0001"
# A refused request: the generic 400 page (HTML) or its JSON twin; Flask-WTF's CSRF failure is one.
REFUSED_MARKERS = ("Something in that request was not right", '"bad_request"')
SIGNED_OUT_MARKERS = ('"not_signed_in"',)
MAX_REFUSED_SHARE = 0.10     # more refused or signed-out responses than this: the target was not really tested


# ---------------------------------------------------------------- small helpers

def say(*parts):
    print(*parts, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """A tiny HTTP client with a cookie jar of its own (stdlib only; no redirects followed)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method, path, body=None, headers=None, keep_cookies=True):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"User-Agent": USER_AGENT, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = self.cookie_header()
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        try:
            conn.request(method, path, body=body, headers=sent)
            resp = conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
            got = {k.lower(): v for k, v in resp.getheaders() if k.lower() != "set-cookie"}
            if keep_cookies:
                for name, value in resp.getheaders():
                    if name.lower() == "set-cookie":
                        jar = http.cookies.SimpleCookie()
                        jar.load(value)
                        for morsel in jar.values():
                            expired = morsel["expires"] and "1970" in morsel["expires"] or morsel["max-age"] == "0"
                            if expired or not morsel.value:
                                self.cookies.pop(morsel.key, None)
                            else:
                                self.cookies[morsel.key] = morsel.value
            return resp.status, got, text
        finally:
            conn.close()


def csrf_token_in(page: str) -> str | None:
    """The token of the first form on the page (every signed-in page has the sign-out form)."""
    for tag in re.findall(r"<input[^>]*>", page):
        if re.search(r"""name=["']?csrf_token\b""", tag):
            m = re.search(r"""value=["']([^"']+)""", tag)
            if m:
                return m.group(1)
    m = re.search(r"""data-csrf-token=["']([^"']+)""", page)
    return m.group(1) if m else None


def sign_in(port: int, email: str) -> Client:
    client = Client(port)
    status, _, page = client.request("GET", "/login")
    token = csrf_token_in(page)
    if status != 200 or not token:
        raise ScanError(f"GET /login answered {status} without a CSRF token")
    status, headers, _ = client.request("POST", "/login", {"email": email, "password": DEMO_PASSWORD,
                                                           "csrf_token": token})
    if status != 302 or "/login" in headers.get("location", ""):
        raise ScanError(f"could not sign in as {email} (POST /login answered {status})")
    return client


class ScanError(Exception):
    pass


# ---------------------------------------------------------------- the throwaway app

@dataclass
class Instance:
    folder: Path
    env: dict
    database_url: str
    dbms: str
    pg_server: str | None = None
    pg_name: str | None = None
    server: subprocess.Popen | None = None
    port: int = 0
    log_path: Path | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def make_instance(folder: Path, pg_server: str | None) -> Instance:
    pg_name = None
    if pg_server:
        import psycopg
        pg_name = f"outreach_scan_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(pg_server, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        database_url, dbms = urllib.parse.urlsplit(pg_server)._replace(path="/" + pg_name).geturl(), "PostgreSQL"
    else:
        database_url, dbms = f"sqlite:///{folder / 'outreach.db'}", "SQLite"
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL", "MAIL_SERVER", "BASE_URL", "TRUSTED_PROXY_COUNT"):
        env.pop(name, None)
    env.update(DATABASE_URL=database_url, OUTREACH_INSTANCE_PATH=str(folder), SECRET_KEY=SECRET_KEY,
               RATELIMIT_ENABLED="0", MAIL_OUTBOX_DIR=str(folder / "outbox"), PYTHONUNBUFFERED="1")
    return Instance(folder, env, database_url, dbms, pg_server, pg_name)


def flask(inst: Instance, *args):
    cmd = [PYTHON, "-m", "flask", "--app", "wsgi", *args]
    done = subprocess.run(cmd, cwd=ROOT, env=inst.env, capture_output=True, text=True)
    if done.returncode != 0:
        raise ScanError(f"`flask --app wsgi {' '.join(args)}` failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def serve(inst: Instance, app: str):
    inst.port = free_port()
    inst.log_path = inst.folder / "server.log"
    if (ROOT / "gunicorn.conf.py").exists():
        cmd = [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", app]
    else:
        cmd = [PYTHON, "-m", "gunicorn", "--worker-class", "gthread", "--bind", f"127.0.0.1:{inst.port}",
               app]
    env = dict(inst.env, GUNICORN_BIND=f"127.0.0.1:{inst.port}", WEB_CONCURRENCY="2", GUNICORN_THREADS="8",
               GUNICORN_LOG_LEVEL="warning")
    log = open(inst.log_path, "w")
    # A session of its own, so it can be stopped as one group (master and workers).
    inst.server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    log.close()
    deadline = time.time() + 60
    while time.time() < deadline:
        if inst.server.poll() is not None:
            break
        try:
            status, _, _ = Client(inst.port).request("GET", "/login")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise ScanError(f"the app did not answer on port {inst.port}; its log ends:\n{tail(inst.log_path)}")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop(inst: Instance):
    proc = inst.server
    if proc is not None and proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    if inst.pg_name:
        import psycopg
        try:
            with psycopg.connect(inst.pg_server, autocommit=True, connect_timeout=5) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{inst.pg_name}" WITH (FORCE)')
        except Exception as exc:  # noqa: BLE001 - report, never mask the scan's own result
            say(f"warning: could not drop the scan database {inst.pg_name}: {exc}")


# ---------------------------------------------------------------- what to scan, found with the app's models

def find_fixtures(inst: Instance) -> dict:
    """Ids and values for the targets, read (and where needed added) with the app's own models.

    The check-in target needs a session of the worker's organisation today; when the demo term has
    none today, one happening now is added to this throwaway database, with a booked young person.
    """
    os.environ.update({k: inst.env[k] for k in ("DATABASE_URL", "OUTREACH_INSTANCE_PATH", "SECRET_KEY",
                                                "RATELIMIT_ENABLED", "MAIL_OUTBOX_DIR")})
    os.environ["REQUEST_LOG"] = "0"
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select

    from outreach import create_app
    from outreach.extensions import db
    from outreach.models import (GuardianLink, Membership, Organisation, Pass, Programme, ProgrammeSession,
                                 Registration, User, YoungPerson)
    from outreach.timeutil import age_on, to_local, utcnow

    app = create_app()
    with app.app_context():
        now = utcnow()
        tz = app.config["DEFAULT_TIMEZONE"]
        live = (Programme.is_published.is_(True), Organisation.status == "approved")
        upcoming = (select(ProgrammeSession).join(Programme).join(Organisation)
                    .where(*live, ProgrammeSession.status == "scheduled",
                           ProgrammeSession.starts_at > now + timedelta(hours=2))
                    .order_by(ProgrammeSession.starts_at))

        # Catalogue: filters that match the programme with the next session, so the page lists something.
        nxt = db.session.execute(upcoming.limit(1)).scalar_one()
        p = nxt.programme
        catalogue = {"q": max(p.title.split(), key=len), "category": p.category, "age": str(p.min_age),
                     "area": p.postcode_district, "on": to_local(nxt.starts_at, tz).date().isoformat(),
                     "page": "1"}

        # Booking: a child of the demo guardian and a bookable session of a book-each-session programme.
        guardian = db.session.execute(select(User).where(User.email == GUARDIAN)).scalar_one()
        children = db.session.execute(select(YoungPerson).join(GuardianLink, GuardianLink.young_person_id ==
                                                               YoungPerson.id)
                                      .where(GuardianLink.guardian_id == guardian.id,
                                             YoungPerson.erased_at.is_(None))
                                      .order_by(YoungPerson.id)).scalars().all()
        booking = None
        for s in db.session.execute(upcoming.where(Programme.registration_mode == "per_session")).scalars():
            pr = s.programme
            for child in children:
                if child.date_of_birth and pr.min_age <= age_on(child.date_of_birth, s.starts_at.date()) <= pr.max_age:
                    booking = {"programme_id": pr.id, "title": pr.title, "young_person_id": child.id,
                               "child": child.first_name, "session_id": s.id}
                    break
            if booking:
                break
        if booking is None:
            raise ScanError("no per-session programme with an upcoming session the demo guardian's children "
                            "could book")

        # Check-in: a session of the worker's organisation today, and a booked young person's pass.
        worker = db.session.execute(select(User).where(User.email == WORKER)).scalar_one()
        org = db.session.execute(select(Organisation).join(Membership)
                                 .where(Membership.user_id == worker.id)).scalars().first()
        today = to_local(now, org.timezone).date()
        sessions = db.session.execute(select(ProgrammeSession).join(Programme)
                                      .where(Programme.organisation_id == org.id,
                                             ProgrammeSession.status == "scheduled",
                                             ProgrammeSession.starts_at > now - timedelta(days=2),
                                             ProgrammeSession.starts_at < now + timedelta(days=2))
                                      ).scalars().all()
        todays = sorted((s for s in sessions if to_local(s.starts_at, org.timezone).date() == today),
                        key=lambda s: abs((s.starts_at - now).total_seconds()))
        added = False
        if todays:
            session = todays[0]
        else:
            programme = db.session.execute(select(Programme).where(Programme.organisation_id == org.id,
                                                                   Programme.is_published.is_(True))
                                           .order_by(Programme.id)).scalars().first()
            session = ProgrammeSession(programme_id=programme.id, starts_at=now - timedelta(minutes=15),
                                       ends_at=now + timedelta(hours=2))
            db.session.add(session)
            db.session.flush()
            added = True
        programme = session.programme
        if programme.registration_mode == "enrol":
            booked_on = Registration.programme_id == programme.id
        else:
            booked_on = Registration.session_id == session.id
        with_pass = (select(YoungPerson, Pass).join(Pass, Pass.young_person_id == YoungPerson.id)
                     .where(Pass.revoked_at.is_(None), YoungPerson.erased_at.is_(None),
                            YoungPerson.date_of_birth.is_not(None)))
        person = None
        if programme.registration_mode != "drop_in":
            for yp, pass_ in db.session.execute(with_pass.join(Registration, Registration.young_person_id ==
                                                               YoungPerson.id)
                                                .where(booked_on, Registration.status == "confirmed")
                                                .order_by(YoungPerson.id)):
                person = (yp, pass_)
                break
        if person is None:
            for yp, pass_ in db.session.execute(with_pass.order_by(YoungPerson.id)):
                if programme.min_age <= age_on(yp.date_of_birth, session.starts_at.date()) <= programme.max_age:
                    person = (yp, pass_)
                    break
            if person is None:
                raise ScanError(f"no young person with a pass fits {programme.title}")
            if programme.registration_mode != "drop_in":
                db.session.add(Registration(young_person_id=person[0].id, status="confirmed", confirmed_at=now,
                                            programme_id=programme.id if programme.registration_mode == "enrol"
                                            else None,
                                            session_id=None if programme.registration_mode == "enrol"
                                            else session.id))
        db.session.commit()
        checkin = {"org": org.slug, "session_id": session.id, "title": programme.title,
                   "starts": to_local(session.starts_at, org.timezone).strftime("%Y-%m-%d %H:%M"),
                   "added": added, "secret": person[1].secret, "young_person": person[0].first_name}
        db.session.remove()
        db.engine.dispose()
    return {"catalogue": catalogue, "booking": booking, "checkin": checkin}


# ---------------------------------------------------------------- targets

@dataclass
class Target:
    name: str
    label: str                     # what is scanned, for the table
    method: str
    path: str                      # the path sqlmap's injected requests go to (no query)
    params: list[str]
    args: list[str]                # sqlmap arguments for this target
    expect: int                    # the status our own baseline request got
    signed_in: Client | None = None
    check_path: str | None = None  # a page the signed-in client must still open afterwards
    note: str = ""


def prepare_targets(inst: Instance, fx: dict, only: set[str] | None) -> list[Target]:
    base, port = inst.base, inst.port
    targets = []

    def wanted(name):
        return not only or name in only

    if wanted("login"):
        # An anonymous session of our own, kept for every request (--drop-set-cookie), so a
        # successful sign-in does not turn the following requests into "already signed in".
        anon = Client(port)
        status, _, page = anon.request("GET", "/login")
        token = csrf_token_in(page)
        data = {"email": LOGIN_ACCOUNT, "password": DEMO_PASSWORD, "csrf_token": token}
        ok, headers, _ = anon.request("POST", "/login", data, keep_cookies=False)
        bad, _, _ = anon.request("POST", "/login", dict(data, password="not-the-password"), keep_cookies=False)
        if status != 200 or not token or ok != 302 or bad != 401:
            raise ScanError(f"login baseline: GET {status}, right password {ok}, wrong password {bad} "
                            "(expected 200, 302, 401)")
        targets.append(Target(
            "login", "POST /login (sign-in form)", "POST", "/login", ["email", "password"],
            ["-u", f"{base}/login", "--data", urllib.parse.urlencode(dict(data, csrf_token="x")),
             "-p", "email,password", "--csrf-token", "csrf_token", "--csrf-url", f"{base}/login",
             "--csrf-method", "GET", "--cookie", anon.cookie_header(), "--drop-set-cookie", "--ignore-code", "401"],
            expect=302, note=f"as {LOGIN_ACCOUNT} (right password: 302, wrong: 401)"))

    if wanted("catalogue"):
        query = urllib.parse.urlencode(fx["catalogue"])
        status, _, page = Client(port).request("GET", f"/activities?{query}")
        if status != 200:
            raise ScanError(f"catalogue baseline answered {status}")
        targets.append(Target(
            "catalogue", "GET /activities (search filters)", "GET", "/activities", list(fx["catalogue"]),
            ["-u", f"{base}/activities?{query}", "-p", ",".join(fx["catalogue"])],
            expect=200, note="anonymous; " + query))

    if wanted("booking"):
        b = fx["booking"]
        guardian = sign_in(port, GUARDIAN)
        path = f"/activities/{b['programme_id']}/book"
        form_url = f"{path}?session={b['session_id']}"
        data = {"young_person_id": b["young_person_id"], "session_id": b["session_id"]}
        # Book once first, so every request of the scan meets the same state ("already booked").
        for _attempt in range(2):
            status, _, page = guardian.request("GET", form_url)
            token = csrf_token_in(page)
            if status != 200 or not token:
                raise ScanError(f"booking form {form_url} answered {status} without a CSRF token")
            first, _, text = guardian.request("POST", path, dict(data, csrf_token=token), keep_cookies=False)
        if first != 200:
            raise ScanError(f"booking baseline: a repeated booking answered {first}, expected 200 (already booked)")
        state = "already booked" if "already booked" in text else "the form answers 200"
        targets.append(Target(
            "booking", f"POST {path} (book a place)", "POST", path, list(data),
            ["-u", f"{base}{path}", "--data", urllib.parse.urlencode(dict(data, csrf_token="x")),
             "-p", ",".join(data), "--csrf-token", "csrf_token", "--csrf-url", f"{base}{form_url}",
             "--csrf-method", "GET", "--cookie", guardian.cookie_header(), "--drop-set-cookie"],
            expect=200, signed_in=guardian, check_path="/family",
            note=f"as {GUARDIAN}: {b['child']} on {b['title']}, session {b['session_id']} ({state})"))

    if wanted("checkin") or wanted("pass"):
        c = fx["checkin"]
    if wanted("checkin"):
        worker = sign_in(port, WORKER)
        status, _, page = worker.request("GET", f"/org/{c['org']}/")
        token = csrf_token_in(page)
        if status != 200 or not token:
            raise ScanError(f"/org/{c['org']}/ answered {status} without a CSRF token")
        path = f"/api/sessions/{c['session_id']}/checkins"
        body = json.dumps({"pass": c["secret"], "client_ref": CLIENT_REF})
        headers = {"Content-Type": "application/json", "X-CSRFToken": token}
        # Check in once first: the scan's own requests then replay that check-in (same client_ref).
        answers = []
        for _attempt in range(2):
            status, _, text = worker.request("POST", path, body, headers, keep_cookies=False)
            answers.append((status, text))
        status, text = answers[-1]
        if status != 200 or '"checked_in"' not in text:
            raise ScanError(f"check-in baseline answered {status}: {text[:200]}")
        targets.append(Target(
            "checkin", f"POST {path} (check-in API, JSON)", "POST", path, ["pass", "client_ref"],
            ["-u", f"{base}{path}", "--data", body, "-p", "pass,client_ref",
             "--headers", f"X-CSRFToken: {token}", "--cookie", worker.cookie_header(), "--drop-set-cookie"],
            expect=200, signed_in=worker, check_path=f"/api/sessions/{c['session_id']}/roster",
            note=(f"as {WORKER}: session {c['session_id']} ({c['title']}, {c['starts']}"
                  f"{', added for the scan' if c['added'] else ''}), {c['young_person']}'s pass")))

    if wanted("pass"):
        path = f"/p/{c['secret']}"
        status, _, _ = Client(port).request("GET", path)
        unknown, _, _ = Client(port).request("GET", "/p/not-a-real-pass-0000")
        if status != 200 or unknown != 404:
            raise ScanError(f"pass page baseline: {status} for a real pass, {unknown} for an unknown one")
        targets.append(Target(
            "pass", "GET /p/<secret> (pass look-up)", "GET", path, ["#1*"],
            ["-u", f"{base}{path}*"], expect=200, note="anonymous; the secret in the path (URI marker *)"))
    return targets


# ---------------------------------------------------------------- running sqlmap and reading what happened

@dataclass
class Result:
    target: Target
    returncode: int = 0
    seconds: float = 0.0
    tested: list[str] = field(default_factory=list)
    not_injectable: list[str] = field(default_factory=list)
    injectable: list[str] = field(default_factory=list)
    all_clear: bool = False
    identified: bool = False
    criticals: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    requests: int = 0
    token_fetches: int = 0
    statuses: collections.Counter = field(default_factory=collections.Counter)
    refused: int = 0
    signed_out: int = 0
    server_errors: int = 0
    verdict: str = ""
    reasons: list[str] = field(default_factory=list)


def sqlmap_command(t: Target, out: Path, args) -> list[str]:
    # sqlmap refuses --threads with --csrf-url: those targets run on one thread.
    threads = 1 if "--csrf-url" in t.args else args.threads
    # --ignore-stdin: a non-terminal stdin would otherwise put sqlmap in "multiple targets" mode.
    # --answers: after a finding, go on testing the other parameters, so the report names them all.
    return [SQLMAP, "--batch", "--ignore-stdin", "--disable-coloring", "--flush-session", "--output-dir", str(out),
            "-t", str(out / "traffic.txt"), "--level", str(args.level), "--risk", str(args.risk),
            "--technique", args.technique, "--threads", str(threads), "--dbms", args.dbms,
            "--time-sec", str(args.time_sec), "--user-agent", USER_AGENT, "--ignore-redirects",
            "--timeout", "60", "--retries", "3", "--answers", "keep testing=Y", *t.args]


RUNNING: list[subprocess.Popen] = []     # sqlmap processes, stopped if the scan is interrupted
STOPPING = threading.Event()


def stop_sqlmaps(lock: threading.Lock):
    with lock:
        STOPPING.set()
    for proc in RUNNING:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def run_sqlmap(t: Target, folder: Path, args, lock: threading.Lock) -> Result:
    out = folder / "sqlmap" / t.name
    out.mkdir(parents=True, exist_ok=True)
    cmd = sqlmap_command(t, out, args)
    (out / "command.txt").write_text(" ".join(cmd) + "\n")
    result = Result(t)
    started = time.perf_counter()
    with open(out / "sqlmap.log", "w") as log:
        with lock:
            if STOPPING.is_set():
                raise ScanError("interrupted")
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, text=True, errors="replace", cwd=out,
                                    env=dict(os.environ, TERM="dumb"))
            RUNNING.append(proc)
        for line in proc.stdout:
            log.write(line)
            if args.verbose:
                with lock:
                    sys.stdout.write(f"[{t.name}] {line}")
                    sys.stdout.flush()
        result.returncode = proc.wait()
    result.seconds = time.perf_counter() - started
    read_output(result, (out / "sqlmap.log").read_text(errors="replace"))
    read_traffic(result, out / "traffic.txt")
    return result


PARAM = r"parameter '(?P<p>[^']+)'"


def read_output(r: Result, text: str):
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if m := re.search(r"testing for SQL injection on .*?" + PARAM, line):
            r.tested.append(m["p"])
        elif m := re.search(PARAM + r" does not seem to be injectable", line):
            r.not_injectable.append(m["p"])
        elif (m := re.search(PARAM + r" (?:is|appears to be) '(?P<t>[^']+)' injectable", line)):
            r.injectable.append(f"{m['p']}: {m['t']}")
        elif "false positive or unexploitable injection point detected" in line:
            r.notes.append("sqlmap dismissed a false positive or unexploitable injection point")
        elif "all tested parameters do not appear to be injectable" in line:
            r.all_clear = True
        elif "identified the following injection point" in line:
            r.identified = True
        elif "might be vulnerable to cross-site scripting" in line:
            r.notes.append("sqlmap's heuristic XSS check: " + line.split("] ", 1)[-1])
        elif "target URL content is not stable" in line:
            r.notes.append("sqlmap: target content not stable")
        elif "HTTP error codes detected during run" in line and i + 1 < len(lines):
            r.notes.append("sqlmap saw HTTP errors: " + lines[i + 1].strip())
        elif "[CRITICAL]" in line and "all tested parameters do not appear to be injectable" not in line:
            message = line.split("[CRITICAL] ", 1)[-1].strip()
            if "going to retry" in message:       # a slow or dropped request, retried (--retries)
                r.notes.append("sqlmap: " + message)
            else:
                r.criticals.append(message)
    r.tested = list(dict.fromkeys(name.removeprefix("JSON ") for name in r.tested))
    r.not_injectable = list(dict.fromkeys(name.removeprefix("JSON ") for name in r.not_injectable))


def read_traffic(r: Result, path: Path):
    """Count the target's requests and what the app answered, from sqlmap's own traffic log (-t)."""
    if not path.exists():
        return
    t = r.target
    request_line = status = location = None
    body_hits = set()
    state = None

    def finish():
        if request_line is None or status is None:
            return
        method, _, rest = request_line.partition(" ")
        target_path = urllib.parse.unquote(rest.rsplit(" ", 1)[0].split("?", 1)[0])
        if target_path == "None":
            return                          # sqlmap logs a redirect twice; the copy has no path
        if method == "GET" and t.method == "POST" and target_path == t.path:
            r.token_fetches += 1            # sqlmap fetching a fresh CSRF token
            return
        if method != t.method:
            return
        if t.name == "pass":
            if not target_path.startswith("/p/"):
                return
        elif target_path != t.path:
            return
        r.requests += 1
        r.statuses[status] += 1
        if status == 400 and "refused" in body_hits:
            r.refused += 1
        if (t.signed_in and status == 302 and "/login" in (location or "")) or "signed_out" in body_hits:
            r.signed_out += 1
        if status >= 500:
            r.server_errors += 1

    with open(path, errors="replace") as fh:
        for raw in fh:
            line = raw.rstrip("\r\n")
            if line.startswith("HTTP request [#"):
                finish()
                request_line, status, location, body_hits, state = None, None, None, set(), "request"
            elif state == "request" and request_line is None and line:
                request_line = line
            elif line.startswith(("HTTP response [#", "HTTP redirect [#")):
                m = re.search(r"\((\d{3})", line)
                status = int(m.group(1)) if m else None
                state = "response"
            elif state == "response":
                if line.lower().startswith("location:"):
                    location = line.split(":", 1)[1].strip()
                if any(mark in line for mark in REFUSED_MARKERS):
                    body_hits.add("refused")
                if any(mark in line for mark in SIGNED_OUT_MARKERS):
                    body_hits.add("signed_out")
        finish()


def judge(r: Result):
    t = r.target
    if r.identified or r.injectable:
        r.verdict = "INJECTABLE"
        r.reasons += r.injectable or ["sqlmap identified an injection point"]
        return
    problems = []
    if r.returncode != 0:
        problems.append(f"sqlmap exited {r.returncode}")
    problems += r.criticals
    if not r.all_clear:
        problems.append("sqlmap did not finish with 'all tested parameters do not appear to be injectable'")
    missing = [p for p in t.params if p not in r.not_injectable]
    if missing:
        problems.append("not tested: " + ", ".join(missing))
    if r.requests == 0:
        problems.append("no request reached the target")
    else:
        bad = r.refused + r.signed_out
        if bad > MAX_REFUSED_SHARE * r.requests:
            problems.append(f"{r.refused} of {r.requests} requests refused (CSRF/400), {r.signed_out} signed out")
        if r.statuses.get(t.expect, 0) == 0:
            problems.append(f"no response had the baseline status {t.expect}")
        if set(r.statuses) == {400}:
            problems.append("every response was 400")
    if t.signed_in is not None and t.check_path:
        status, _, _ = t.signed_in.request("GET", t.check_path, keep_cookies=False)
        if status != 200:
            problems.append(f"the signed-in account lost its session (GET {t.check_path} answered {status})")
    if r.requests:
        r.notes.insert(0, f"{r.requests - r.refused - r.signed_out} of {r.requests} requests reached the code under "
                          f"test ({r.refused} refused as a bad request/CSRF, {r.signed_out} signed out)")
    if r.server_errors:
        r.notes.append(f"{r.server_errors} server errors (5xx) during the scan: see the app's log")
    if problems:
        r.verdict = "NOT TESTED"
        r.reasons += problems
    else:
        r.verdict = "not injectable"


# ---------------------------------------------------------------- report

def table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        out.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def report(results: list[Result]):
    rows = [["target", "parameters tested", "requests", "app answered", "time", "verdict"]]
    for r in results:
        answered = " ".join(f"{code}x{n}" for code, n in sorted(r.statuses.items()))
        fetches = f" (+{r.token_fetches} token)" if r.token_fetches else ""
        rows.append([r.target.label, ", ".join(r.tested) or "-", f"{r.requests}{fetches}",
                     answered or "-", f"{r.seconds:.0f}s", r.verdict])
    say(table(rows))
    for r in results:
        lines = [r.target.note] + r.reasons + r.notes
        say(f"\n{r.target.name}: {r.verdict}")
        for line in lines:
            if line:
                say(f"  - {line}")


# ---------------------------------------------------------------- main

TARGETS = ("login", "catalogue", "booking", "checkin", "pass")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--database", metavar="URL",
                        help="PostgreSQL server URL (postgresql://user@host:5432/postgres): a fresh database is "
                             "created there for the scan and dropped after it. Default: SQLite in a temporary folder.")
    parser.add_argument("--only", action="append", choices=TARGETS, help="scan only this target (repeatable)")
    parser.add_argument("--level", type=int, default=2,
                        help="sqlmap --level (default 2). On SQLite, sqlmap's only time-based and stacked tests "
                             "need --level 3 --risk 2 (about 1 minute more)")
    parser.add_argument("--risk", type=int, default=1, help="sqlmap --risk (default 1)")
    parser.add_argument("--technique", default="BEUST", help="sqlmap --technique (default BEUST)")
    parser.add_argument("--threads", type=int, default=4,
                        help="sqlmap --threads (default 4; targets with a CSRF token page run on 1)")
    parser.add_argument("--time-sec", type=int, default=5, help="sqlmap --time-sec (default 5)")
    parser.add_argument("--jobs", type=int, default=2, help="sqlmap runs at once (default 2)")
    parser.add_argument("--app", default="wsgi:app",
                        help="WSGI app gunicorn serves (default wsgi:app); a wrapper with a planted injection "
                             "checks that the scan can find one")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (sqlmap logs, traffic)")
    parser.add_argument("--verbose", "-v", action="store_true", help="show sqlmap's output as it runs")
    args = parser.parse_args()

    if not os.access(SQLMAP, os.X_OK):
        say(f"security-scan: {SQLMAP} not found. Install Debian's sqlmap first:\n\n"
            "    apt-get install -y sqlmap\n\n(`make security-scan` does this itself when it can.)")
        return 2
    shown = subprocess.run([SQLMAP, "--version"], capture_output=True, text=True).stdout
    version = (re.findall(r"\d+\.\d+[\w.#]*", shown) or ["(unknown version)"])[0]

    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="outreach-security-scan-"))
    inst = None
    # A SIGTERM (CI cancelling the job) unwinds like Ctrl+C, so the app is stopped and the folder removed.
    signal.signal(signal.SIGTERM, _interrupt)
    results: list[Result] = []
    try:
        inst = make_instance(folder, args.database)
        args.dbms = inst.dbms
        say(f"security-scan: sqlmap {version}, {inst.dbms}, instance {folder}")
        flask(inst, "db", "upgrade")
        flask(inst, "seed-demo")
        fx = find_fixtures(inst)
        serve(inst, args.app)
        say(f"security-scan: app on {inst.base} (gunicorn, rate limits off); level {args.level}, risk "
            f"{args.risk}, techniques {args.technique}, {args.threads} threads, {args.jobs} sqlmap runs at once")
        targets = prepare_targets(inst, fx, set(args.only or []))
        lock = threading.Lock()
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs))
        try:
            futures = [pool.submit(run_sqlmap, t, folder, args, lock) for t in targets]
            for future in concurrent.futures.as_completed(futures):
                r = future.result()
                judge(r)
                say(f"security-scan: {r.target.name} done in {r.seconds:.0f}s: {r.verdict}")
                results.append(r)
        finally:
            stop_sqlmaps(lock)
            pool.shutdown(wait=True, cancel_futures=True)
        results.sort(key=lambda r: targets.index(r.target))
    except ScanError as err:
        say(f"security-scan: FAILED before the scan could finish: {err}")
        if inst and inst.log_path:
            say(f"app log ends:\n{tail(inst.log_path)}")
        return 2
    except KeyboardInterrupt:
        say("security-scan: interrupted")
        return 130
    finally:
        if inst is not None:
            stop(inst)
        if results and inst and inst.log_path:
            errors = [ln for ln in inst.log_path.read_text(errors="replace").splitlines()
                      if '"level": "ERROR"' in ln or "Traceback" in ln]
            if errors:
                say(f"security-scan: the app logged {len(errors)} error line(s); first: {errors[0][:300]}")
        if args.keep:
            say(f"security-scan: kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)

    say("")
    report(results)
    failed = [r for r in results if r.verdict != "not injectable"]
    total = time.perf_counter() - started
    say(f"\nsecurity-scan: {len(results) - len(failed)} of {len(results)} targets tested and not injectable; "
        f"total time {total:.0f}s ({total / 60:.1f} min)")
    if failed:
        say("security-scan: FAILED: " + ", ".join(f"{r.target.name} ({r.verdict})" for r in failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
