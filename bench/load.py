"""Mixed load at city scale: guardians browsing and booking, door scanners, a lead exporting.

    python bench/load.py [--database postgresql://postgres@127.0.0.1:5432/outreach_bench_load]
                         [--workers 4] [--duration 60] [--scanners 32] [--guardians 30] [--ramp 15] [--reseed]

Seeds (once; later runs reuse it, --reseed starts again) a PostgreSQL database with
40 partners, 400 published programmes with weekly sessions (10 weeks past, 8 to come),
20,000 young people with 12,000 guardians, and about 230,000 past attendances. Each
run then opens, for every scanner, a session happening now at its own partner with
enough booked young people that every scan is a different pass.

The app runs under gunicorn with the repository's gunicorn.conf.py, rate limits on
(in Redis db 15, flushed first) and one trusted proxy hop: every simulated person
sends their own X-Forwarded-For address, as the TLS proxy would. Client processes
(several threads each, keep-alive connections) play the people below; they arrive
and sign in over a --ramp (15 s, not measured), then --duration seconds are measured:

- guardians (--guardians at once), each visit a different guardian and address: sign
  in, open the catalogue for their child's age, page through it, open programmes,
  book a place; 1-3 s of thinking between pages;
- scanners (--scanners), each signed in as their own youth worker: one distinct pass
  checked in about every second, every 20th scan a pass already scanned (answered
  "already checked in", which is a success);
- one lead, downloading a CSV export (register, matrix, headcounts) about every 10 s.

An error is a connection failure, a 5xx, a 429, any other unexpected status
(a CSRF 400, a failed sign-in, a refused booking) or a check-in whose outcome is
neither "checked in" nor "already checked in". The last two lines printed are
`errors=<N>` and `checkin_p95_ms=<p95 of check-in requests>`; before them, per kind of
request, count, p50/p95/p99 and errors, the check-in time the app itself logged, and
where the CPU went in the window (another busy program on the machine shows there).
Exits non-zero only when it cannot run: no PostgreSQL, no Redis, or the server never
answers 200 on /healthz. gunicorn's log is kept in bench/.data/load-server.log.
"""
import argparse
import html
import http.client
import json
import math
import multiprocessing as mp
import os
import platform
import queue as queue_module
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "bench" / ".data"
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/outreach_bench_load"
REDIS_URL = "redis://127.0.0.1:6379/15"
SECRET_KEY = "load-bench-secret-key"
PASSWORD = "load-bench-password-2026"
DOMAIN = "loadbench.example.org"

# The dataset. DATASET_VERSION is stored with it: change the shape, bump it, and the next run reseeds.
DATASET_VERSION = 2
ORGS, PROGRAMMES_PER_ORG, WORKERS_PER_ORG = 40, 10, 2
PAST_WEEKS, UPCOMING_WEEKS = 10, 8
GUARDIANS, TWO_CHILD_GUARDIANS = 12_000, 8_000            # 8,000 x 2 + 4,000 x 1 = 20,000 young people
PEOPLE = TWO_CHILD_GUARDIANS * 2 + (GUARDIANS - TWO_CHILD_GUARDIANS)
HISTORY_PROGRAMMES, SHOW_UP = 2, 0.6                      # each young person attended 2 programmes, 60% of weeks
PASSES_PER_SCANNER = 400
TZ = "Europe/London"
DISTRICTS = ["M1", "M4", "M8", "M11", "M12", "M13", "M14", "M15", "M16", "M18", "M19", "M20", "M21", "M22", "M40"]
GENDERS = ["girl", "boy", "boy", "girl", "non_binary", "prefer_not"]
ORG_KINDS = ["police", "youth_service", "charity", "sports_club", "other"]
AGE_BANDS = [(8, 12), (10, 14), (11, 16), (12, 18), (13, 18), (14, 19), (8, 18), (10, 18)]
TITLES = {
    "sport": ["Football", "Boxing Fit", "Basketball", "Netball", "Street Cricket", "Table Tennis"],
    "arts": ["Street Dance", "Music Studio", "Film Club", "Graffiti Art", "Drama Lab", "Podcast Crew"],
    "mentoring": ["Mentoring Circle", "Peer Mentors", "Big Brother Big Sister", "Future Leaders"],
    "safety": ["Stay Safe Online", "Knife Crime Awareness", "First Aid", "Healthy Relationships"],
    "skills": ["Coding Club", "Cooking Skills", "Bike Repair", "CV and Interviews", "Money Matters"],
    "outdoor": ["Climbing", "Canoeing", "Duke of Edinburgh", "Forest School", "Camping Weekend"],
    "social": ["Youth Club", "Games Night", "Friday Drop-in", "Girls Group", "LGBTQ+ Youth Group"],
}
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Pacing of the simulated people.
THINK = (1.0, 3.0)          # seconds between a guardian's pages
RESCAN_EVERY = 20           # every 20th scan is a pass already scanned
IDLE_RECONNECT = 3.5        # gunicorn.conf.py keeps idle connections 5 s; a browser would open a new one
TIMEOUT = 60                # per request


# ---------------------------------------------------------------- database

def database_url(arg: str) -> str:
    """Create the database if it is missing; return its URL for SQLAlchemy (psycopg 3)."""
    from sqlalchemy import create_engine, make_url, text

    url = make_url(arg)
    if not url.drivername.startswith("postgresql"):
        raise SystemExit("bench/load.py needs a PostgreSQL --database URL")
    url = url.set(drivername="postgresql+psycopg")
    name = url.database or "outreach_bench_load"
    engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as err:  # noqa: BLE001  (say what is wrong in one line)
        raise SystemExit(f"PostgreSQL did not answer at {url.set(database='postgres').render_as_string()}: "
                         f"{str(err).splitlines()[0]}") from None
    finally:
        engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def make_app(url: str, instance: str):
    os.environ.update(DATABASE_URL=url, SECRET_KEY=SECRET_KEY, PSEUDONYM_KEY="load-bench-pseudonym-key",
                      OUTREACH_INSTANCE_PATH=instance, MAIL_OUTBOX_DIR=os.path.join(instance, "outbox"),
                      REQUEST_LOG="0")
    from outreach import create_app

    return create_app()


def _schema_matches() -> bool:
    """Every table and column of the models exists (the models change; create_all adds no columns)."""
    from sqlalchemy import inspect

    from outreach.extensions import db

    inspector = inspect(db.engine)
    have = set(inspector.get_table_names())
    for table in db.metadata.sorted_tables:
        if table.name not in have:
            return False
        if {c.name for c in table.columns} - {c["name"] for c in inspector.get_columns(table.name)}:
            return False
    return True


def _has_tables() -> bool:
    from sqlalchemy import inspect

    from outreach.extensions import db

    return bool(inspect(db.engine).get_table_names())


def _seeded_version() -> int | None:
    from sqlalchemy import select

    from outreach.extensions import db
    from outreach.models import AuditEvent

    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "bench.load_seeded")
                               .order_by(AuditEvent.id.desc()).limit(1)).scalar_one_or_none()
    return event.detail.get("version") if event is not None else None


def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, dtime(hour, 0), tzinfo=ZoneInfo(TZ)).astimezone(timezone.utc)


def _bulk(model, rows, batch=20_000):
    from sqlalchemy import insert

    from outreach.extensions import db

    for i in range(0, len(rows), batch):
        db.session.execute(insert(model), rows[i:i + batch])


def seed() -> float:
    """Drop everything and seed the city; returns the seconds it took."""
    from sqlalchemy import text

    from outreach.extensions import db
    from outreach.models import (Attendance, AuditEvent, Consent, GuardianLink, Membership, Organisation, Pass,
                                 Programme, ProgrammeSession, User, YoungPerson)
    from outreach.services import consent
    from outreach.services.passwords import hash_password

    started = time.perf_counter()
    rng = random.Random(2026)
    db.session.rollback()
    db.drop_all()
    db.create_all()
    now = datetime.now(timezone.utc)
    today = now.astimezone(ZoneInfo(TZ)).date()
    password_hash = hash_password(PASSWORD)

    users, orgs, members = [], [], []
    for o in range(1, ORGS + 1):
        orgs.append(dict(id=o, name=f"Load Partner {o}", slug=f"load-partner-{o}", kind=ORG_KINDS[o % len(ORG_KINDS)],
                         description="A partner of the load benchmark.", contact_email=f"partner-{o}@{DOMAIN}",
                         timezone=TZ, status="approved", applied_at=now, decided_at=now))
        users.append(dict(id=o, email=f"lead-{o}@{DOMAIN}", full_name=f"Lead {o}", password_hash=password_hash,
                          created_at=now))
        members.append(dict(organisation_id=o, user_id=o, role="lead", created_at=now))
    for o in range(1, ORGS + 1):
        for j in range(1, WORKERS_PER_ORG + 1):
            uid = ORGS + (j - 1) * ORGS + o
            users.append(dict(id=uid, email=f"worker-{o}-{j}@{DOMAIN}", full_name=f"Worker {o}-{j}",
                              password_hash=password_hash, created_at=now))
            members.append(dict(organisation_id=o, user_id=uid, role="worker", created_at=now))
    first_guardian = ORGS * (1 + WORKERS_PER_ORG) + 1
    for g in range(GUARDIANS):
        users.append(dict(id=first_guardian + g, email=f"guardian-{g + 1}@{DOMAIN}", full_name=f"Guardian {g + 1}",
                          password_hash=password_hash, created_at=now))

    programmes, sessions = [], []
    categories = list(TITLES)
    for o in range(1, ORGS + 1):
        for k in range(PROGRAMMES_PER_ORG):
            pid = (o - 1) * PROGRAMMES_PER_ORG + k + 1
            category = categories[pid % len(categories)]
            low, high = AGE_BANDS[pid % len(AGE_BANDS)]
            mode = "drop_in" if pid % 10 == 3 else ("enrol" if pid % 5 in (1, 4) else "per_session")
            weekday = pid % 7
            title = f"{DAYS[weekday]} {TITLES[category][pid % len(TITLES[category])]} {pid}"
            district = DISTRICTS[pid % len(DISTRICTS)]
            programmes.append(dict(id=pid, organisation_id=o, title=title, category=category,
                                   description=f"{title}: weekly sessions for ages {low} to {high}.\n\nFree; "
                                               f"run by Load Partner {o}.",
                                   venue_name=f"{district} Community Centre", venue_address=f"{pid} High Street",
                                   postcode_district=district, min_age=low, max_age=high,
                                   capacity=rng.choice([20, 25, 30, 40]), registration_mode=mode,
                                   is_published=True, published_at=now, created_at=now, updated_at=now))
            for w in range(-PAST_WEEKS, UPCOMING_WEEKS):
                day = today + timedelta(days=7 * w + (weekday - today.weekday()) % 7)
                start = _local(day, 16 + pid % 4)
                status = "cancelled" if start < now and rng.random() < 0.03 else "scheduled"
                sessions.append(dict(id=len(sessions) + 1, programme_id=pid, starts_at=start,
                                     ends_at=start + timedelta(hours=2), status=status, created_at=now))
    for o in range(1, ORGS + 1):  # the door each scanner works at: one per partner, not in the catalogue
        programmes.append(dict(id=ORGS * PROGRAMMES_PER_ORG + o, organisation_id=o, title=f"Open Door Night {o}",
                               category="social", description="", venue_name="Youth Centre",
                               venue_address=f"{o} Station Road", postcode_district="M1", min_age=5, max_age=25,
                               capacity=5000, registration_mode="per_session", is_published=False,
                               created_at=now, updated_at=now))

    people, links, consents, passes = [], [], [], []
    yid = 0
    for g in range(GUARDIANS):
        for _ in range(2 if g < TWO_CHILD_GUARDIANS else 1):
            yid += 1
            age = rng.randint(8, 17)
            dob = today - timedelta(days=round(age * 365.25) + rng.randint(1, 360))   # birthdays all year round
            people.append(dict(id=yid, first_name=f"Child{yid}", last_name=f"Family{g + 1}", date_of_birth=dob,
                               gender=rng.choice(GENDERS), postcode_district=rng.choice(DISTRICTS),
                               emergency_contact_name=f"Guardian {g + 1}", emergency_contact_phone="07700 900000",
                               photo_consent=rng.random() < 0.7, may_go_home_alone=rng.random() < 0.4,
                               created_by_id=first_guardian + g, created_at=now))
            links.append(dict(guardian_id=first_guardian + g, young_person_id=yid, created_at=now))
            consents.append(dict(young_person_id=yid, given_by_id=first_guardian + g, kind="guardian",
                                 wording_version=consent.CURRENT_VERSION, given_at=now))
            passes.append(dict(id=yid, young_person_id=yid, secret=secrets.token_urlsafe(24), created_at=now))

    # History: each young person went to two programmes for their age, 60% of the weeks held.
    by_age = defaultdict(list)
    for p in programmes[:ORGS * PROGRAMMES_PER_ORG]:
        for age in range(p["min_age"], p["max_age"] + 1):
            by_age[age].append(p["id"])
    past = defaultdict(list)
    for s in sessions:
        if s["status"] == "scheduled" and s["ends_at"] <= now:
            past[s["programme_id"]].append(s)
    attendances = []
    for person in people:
        age = (today - person["date_of_birth"]).days // 365
        for pid in rng.sample(by_age[min(max(age, 8), 19)], HISTORY_PROGRAMMES):
            for s in past[pid]:
                if rng.random() < SHOW_UP:
                    checked_in = s["starts_at"] + timedelta(minutes=rng.randint(0, 15))
                    attendances.append(dict(id=len(attendances) + 1, session_id=s["id"], young_person_id=person["id"],
                                            checked_in_at=checked_in, method="qr",
                                            checked_out_at=checked_in + timedelta(minutes=100)
                                            if rng.random() < 0.5 else None))

    for model, rows in ((User, users), (Organisation, orgs), (Membership, members), (Programme, programmes),
                        (ProgrammeSession, sessions), (YoungPerson, people), (GuardianLink, links),
                        (Consent, consents), (Pass, passes), (Attendance, attendances)):
        _bulk(model, rows)
    db.session.add(AuditEvent(action="bench.load_seeded", occurred_at=now,
                              detail={"version": DATASET_VERSION, "attendances": len(attendances)}))
    db.session.commit()
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.autoincrement is not False and len(table.primary_key.columns) == 1:
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"))
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


def top_up_sessions(now: datetime) -> int:
    """Keep weekly sessions going UPCOMING_WEEKS ahead, so a dataset seeded weeks ago still has a catalogue."""
    from sqlalchemy import func, select

    from outreach.extensions import db
    from outreach.models import Programme, ProgrammeSession

    rows = db.session.execute(
        select(ProgrammeSession.programme_id, func.max(ProgrammeSession.starts_at))
        .join(Programme, Programme.id == ProgrammeSession.programme_id)
        .where(Programme.is_published.is_(True)).group_by(ProgrammeSession.programme_id)).all()
    added = []
    horizon = now + timedelta(weeks=UPCOMING_WEEKS)
    for pid, last in rows:
        if last > now + timedelta(weeks=UPCOMING_WEEKS - 2):
            continue
        start = last + timedelta(weeks=1)
        while start < horizon:
            if start > now:
                added.append(dict(programme_id=pid, starts_at=start, ends_at=start + timedelta(hours=2),
                                  status="scheduled", created_at=now))
            start += timedelta(weeks=1)
    _bulk(ProgrammeSession, added)
    db.session.commit()
    return len(added)


def dataset_summary() -> dict:
    from sqlalchemy import func, select

    from outreach.extensions import db
    from outreach.models import (Attendance, GuardianLink, Organisation, Programme, ProgrammeSession, Registration,
                                 YoungPerson)

    def count(q):
        return db.session.execute(q).scalar_one()

    now = datetime.now(timezone.utc)
    return {
        "partners": count(select(func.count()).select_from(Organisation)),
        "programmes": count(select(func.count()).select_from(Programme).where(Programme.is_published.is_(True))),
        "upcoming": count(select(func.count()).select_from(ProgrammeSession)
                          .join(Programme, Programme.id == ProgrammeSession.programme_id)
                          .where(Programme.is_published.is_(True), ProgrammeSession.starts_at > now)),
        "sessions": count(select(func.count()).select_from(ProgrammeSession)),
        "people": count(select(func.count()).select_from(YoungPerson)),
        "guardians": count(select(func.count(func.distinct(GuardianLink.guardian_id)))),
        "registrations": count(select(func.count()).select_from(Registration)),
        "attendances": count(select(func.count()).select_from(Attendance)),
    }


def prepare_run(scanners: int, guardians: int, duration: float, scan_interval: float, base_url: str) -> dict:
    """This run's doors (sessions happening now, with booked young people) and the guardians who will book."""
    from sqlalchemy import delete, select, text

    from outreach.extensions import db
    from outreach.models import Pass, ProgrammeSession, Registration
    from outreach.timeutil import age_on

    now = datetime.now(timezone.utc)
    rng = random.Random()
    # Last run's doors go (their registrations and attendances with them), so every run starts from the same city.
    db.session.execute(delete(ProgrammeSession).where(ProgrammeSession.programme_id > ORGS * PROGRAMMES_PER_ORG))
    # Scanners: scanner k works for partner (k-1) % ORGS + 1 as that partner's worker (k-1) // ORGS + 1.
    doors = []
    for k in range(1, scanners + 1):
        org, j = (k - 1) % ORGS + 1, (k - 1) // ORGS + 1
        s = ProgrammeSession(programme_id=ORGS * PROGRAMMES_PER_ORG + org, starts_at=now - timedelta(minutes=10),
                             ends_at=now + timedelta(hours=3), created_at=now)
        db.session.add(s)
        doors.append({"org": org, "slug": f"load-partner-{org}", "email": f"worker-{org}-{j}@{DOMAIN}",
                      "worker_id": ORGS + (j - 1) * ORGS + org, "session": s})
    db.session.flush()
    needed = math.ceil(duration / scan_interval * 1.2) + 10
    per_door = max(PASSES_PER_SCANNER, needed) if scanners else 0
    per_door = min(per_door, PEOPLE // max(scanners, 1))
    live = db.session.execute(select(Pass.young_person_id, Pass.secret).where(Pass.revoked_at.is_(None))
                              .order_by(Pass.young_person_id)).all()
    rng.shuffle(live)
    registrations, booked_at = [], now - timedelta(days=2)   # booked before the doors opened, as on a register
    for i, door in enumerate(doors):
        mine = live[i * per_door:(i + 1) * per_door]
        door["passes"] = [f"{base_url}/p/{secret}" for _, secret in mine]
        door["session_id"] = door.pop("session").id
        registrations += [dict(young_person_id=yp, session_id=door["session_id"], status="confirmed", source="staff",
                               created_by_id=door["worker_id"], created_at=booked_at, confirmed_at=booked_at)
                          for yp, _ in mine]
    _bulk(Registration, registrations)
    db.session.commit()

    # Guardians: a different guardian for every visit, one whose children have not been booked online before,
    # with a child whose age stays the same over the coming weeks (so the catalogue's age filter holds).
    visits_needed = guardians * (int(duration / 12) + 3)
    rows = db.session.execute(text(
        "SELECT u.email, yp.id, yp.date_of_birth FROM users u "
        "JOIN guardian_links gl ON gl.guardian_id = u.id JOIN young_people yp ON yp.id = gl.young_person_id "
        "WHERE u.email LIKE 'guardian-%' AND yp.erased_at IS NULL AND yp.date_of_birth IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM registrations r WHERE r.created_by_id = u.id) "
        "ORDER BY random() LIMIT :n"), {"n": visits_needed * 3}).all()
    today = now.date()
    seen, visits = set(), []
    for email, yp_id, dob in rows:
        age = age_on(dob, today)
        if email in seen or age != age_on(dob, today + timedelta(weeks=UPCOMING_WEEKS + 2)):
            continue
        seen.add(email)
        visits.append({"email": email, "child": yp_id, "age": age})
        if len(visits) >= visits_needed:
            break

    # The lead of partner 1 exports: its door's register, a programme's matrix, the partner's headcounts.
    register = next((d["session_id"] for d in doors if d["org"] == 1), None)
    if register is None:
        register = db.session.execute(select(ProgrammeSession.id).where(
            ProgrammeSession.programme_id == 1, ProgrammeSession.starts_at < now)
            .order_by(ProgrammeSession.starts_at.desc()).limit(1)).scalar_one()
    lead = {"email": f"lead-1@{DOMAIN}", "slug": "load-partner-1",
            "exports": [("session_register", {"session": str(register)}),
                        ("programme_matrix", {"programme": "1"}),
                        ("headcounts", {})]}
    return {"doors": doors, "visits": visits, "visits_needed": visits_needed, "lead": lead, "per_door": per_door}


# ---------------------------------------------------------------- server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env: dict, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "wb")
    try:
        return subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        log.close()


def wait_healthy(proc: subprocess.Popen, port: int, seconds: float = 60) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            resp = conn.getresponse()
            resp.read()
            conn.close()
            if resp.status == 200:
                return True
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.25)
    return False


def stop(proc: subprocess.Popen | None):
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)   # the group holds only this gunicorn and its workers
        proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def warm_up(port: int, paths: list[str], seconds: float = 4.0):
    """Fresh connections for a few seconds, so every worker has rendered each page once before timing starts."""
    deadline = time.time() + seconds

    def run(offset):
        i = offset
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", paths[i % len(paths)], headers={"X-Forwarded-For": f"10.254.0.{offset + 1}"})
                conn.getresponse().read()
                conn.close()
            except (OSError, http.client.HTTPException):
                time.sleep(0.1)
            i += 1

    threads = [threading.Thread(target=run, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


# ---------------------------------------------------------------- clients

CSRF_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE_RE = re.compile(r'value="([^"]*)"')
SCAN_TOKEN_RE = re.compile(r'data-csrf-token="([^"]+)"')
PROGRAMME_RE = re.compile(r'href="/activities/(\d+)"')
BOOK_RE = re.compile(r'href="(/activities/\d+/book(?:\?session=\d+)?)"')
PAGE_RE = re.compile(r'href="(/activities\?[^"]*page=\d+[^"]*)"')
FIELD_ERROR_RE = re.compile(r'class="field__error"[^>]*>([^<]*)<')
STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError, http.client.CannotSendRequest)


class Failed(Exception):
    """A request went wrong: already recorded as an error; the simulated person gives up this visit."""


class Browser:
    """One person's keep-alive connection and cookies; every request is timed and recorded."""

    def __init__(self, port: int, address: str, record):
        self.port, self.address, self.record = port, address, record
        self.conn, self.last = None, 0.0
        self.cookies: dict[str, str] = {}

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _send(self, method, path, body, headers):
        if self.conn is None or time.monotonic() - self.last > IDLE_RECONNECT:
            self.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        data = resp.read()
        self.last = time.monotonic()
        return resp, data

    def request(self, kind, method, path, *, form=None, json_body=None, headers=None, expect=(200,)):
        hdrs = {"X-Forwarded-For": self.address, "User-Agent": "outreach-load-bench",
                "Accept": "text/html,application/json"}
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        started = time.perf_counter()
        wall = time.time()
        retried = False
        try:
            try:
                resp, data = self._send(method, path, body, hdrs)
            except STALE:
                # The server closed a kept-alive connection between requests (as browsers do, try once more).
                retried = True
                self.close()
                resp, data = self._send(method, path, body, hdrs)
        except (OSError, http.client.HTTPException) as err:
            self.close()
            self.record(kind, wall, time.perf_counter() - started, f"connection: {type(err).__name__}", retried)
            raise Failed(None) from None
        took = time.perf_counter() - started
        for header in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            lowered = header.lower()
            if not value or "max-age=0" in lowered or "expires=thu, 01 jan 1970" in lowered:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        error = None
        if resp.status not in expect:
            error = f"HTTP {resp.status} on {kind}"
            if resp.status == 429:
                error = f"HTTP 429 (rate limited) on {kind}"
            elif resp.status == 400 and b"csrf" in data.lower():
                error = f"HTTP 400 CSRF on {kind}"
            elif resp.status == 200 and kind == "book":
                reasons = FIELD_ERROR_RE.findall(data.decode("utf-8", "replace"))
                error = "booking refused: " + (html.unescape(reasons[0]).strip() if reasons else "form shown again")
        self.record(kind, wall, took, error, retried)
        if error:
            raise Failed(resp.status)
        return resp, data

    def follow(self, kind, resp):
        location = resp.headers.get("Location") or "/"
        parts = urlsplit(location)
        return self.request(kind, "GET", parts.path + (f"?{parts.query}" if parts.query else ""))


def _csrf(data: bytes) -> str:
    match = CSRF_RE.search(data.decode("utf-8", "replace"))
    value = VALUE_RE.search(match.group(0)) if match else None
    return html.unescape(value.group(1)) if value else ""


class Actor:
    def __init__(self, port, end, record, stopping, ramp=0.0):
        self.port, self.end, self.record, self.stopping, self.ramp = port, end, record, stopping, ramp
        self.rng = random.Random()

    def running(self) -> bool:
        return time.time() < self.end and not self.stopping.is_set()

    def pause(self, seconds):
        """Think; False when the run ends meanwhile."""
        left = self.end - time.time()
        if left <= seconds:
            self.stopping.wait(max(left, 0))
            return False
        self.stopping.wait(seconds)
        return self.running()

    def think(self):
        return self.pause(self.rng.uniform(*THINK))

    def sign_in(self, browser, email, landing_kind):
        _, page = browser.request("login_page", "GET", "/login")
        if not self.pause(self.rng.uniform(1.0, 2.0)):
            return False
        resp, _ = browser.request("login", "POST", "/login",
                                  form={"csrf_token": _csrf(page), "email": email, "password": PASSWORD},
                                  expect=(302, 303))
        browser.follow(landing_kind, resp)
        return True


class Guardian(Actor):
    def __init__(self, port, end, record, stopping, ramp, visits, first_address):
        super().__init__(port, end, record, stopping, ramp)
        self.visits, self.first_address = visits, first_address

    def run(self):
        # Arrive spread over the ramp, so visits are out of step by the time measuring starts.
        if not self.pause(self.rng.uniform(0, max(self.ramp, THINK[1]))):
            return
        for n, visit in enumerate(self.visits):
            if not self.running():
                return
            browser = Browser(self.port, _address(self.first_address + n), self.record)
            try:
                self.visit(browser, visit)
            except Failed:
                pass
            finally:
                browser.close()
            if not self.think():
                return

    def visit(self, browser, visit):
        if not self.sign_in(browser, visit["email"], "family") or not self.think():
            return
        resp, _ = browser.request("home", "GET", "/", expect=(302,))
        browser.follow("catalogue", resp)
        if not self.think():
            return
        query = {"age": visit["age"]}
        if self.rng.random() < 0.3:
            query["category"] = self.rng.choice(list(TITLES))
        _, page = browser.request("catalogue", "GET", "/activities?" + urlencode(query))
        text = page.decode("utf-8", "replace")
        ids = PROGRAMME_RE.findall(text)
        if not ids and "category" in query:
            del query["category"]
            if not self.think():
                return
            _, page = browser.request("catalogue", "GET", "/activities?" + urlencode(query))
            text = page.decode("utf-8", "replace")
            ids = PROGRAMME_RE.findall(text)
        pages = [html.unescape(p) for p in PAGE_RE.findall(text)]
        if pages and self.rng.random() < 0.6:
            if not self.think():
                return
            _, page = browser.request("catalogue", "GET", pages[-1])
            ids += PROGRAMME_RE.findall(page.decode("utf-8", "replace"))
        # Look at one to three programmes (a drop-in has nothing to book: look further), book the last one seen.
        self.rng.shuffle(ids)
        looks, links = self.rng.choice((1, 2, 2, 3)), []
        for seen, pid in enumerate(ids[:6], start=1):
            if not self.think():
                return
            _, page = browser.request("programme", "GET", f"/activities/{pid}")
            links = [html.unescape(link) for link in BOOK_RE.findall(page.decode("utf-8", "replace"))] or links
            if links and seen >= looks:
                break
        if not links:
            return
        link = links[0] if self.rng.random() < 0.7 else self.rng.choice(links)
        if not self.think():
            return
        _, page = browser.request("book_form", "GET", link)
        form = {"csrf_token": _csrf(page), "young_person_id": str(visit["child"])}
        if "?session=" in link:
            form["session_id"] = link.rsplit("=", 1)[1]
        if not self.think():
            return
        resp, _ = browser.request("book", "POST", link.split("?", 1)[0], form=form, expect=(302, 303))
        browser.follow("family", resp)


class Scanner(Actor):
    def __init__(self, port, end, record, stopping, ramp, door, address, interval):
        super().__init__(port, end, record, stopping, ramp)
        self.door, self.address, self.interval = door, address, interval

    def open_scanner(self, browser) -> str:
        while self.running():
            try:
                if not self.sign_in(browser, self.door["email"], "dashboard"):
                    return ""
                _, page = browser.request(
                    "scan_page", "GET", f"/org/{self.door['slug']}/sessions/{self.door['session_id']}/scan")
                match = SCAN_TOKEN_RE.search(page.decode("utf-8", "replace"))
                if match:
                    return html.unescape(match.group(1))
            except Failed:
                pass
            browser.cookies.clear()
            if not self.pause(5):
                return ""
        return ""

    def run(self):
        # Phones at the door are signed in over the first part of the ramp, not in one instant.
        if not self.pause(self.rng.uniform(0, max(self.ramp * 2 / 3, 1.0))):
            return
        browser = Browser(self.port, self.address, self.record)
        token = self.open_scanner(browser)
        path = f"/api/sessions/{self.door['session_id']}/checkins"
        passes, done, n = self.door["passes"], [], 0
        next_at = time.time()
        while token and self.running():
            n += 1
            rescan = n % RESCAN_EVERY == 0 and done
            scanned = self.rng.choice(done) if rescan else passes[len(done) % len(passes)]
            try:
                _, data = browser.request("checkin", "POST", path, headers={"X-CSRFToken": token},
                                          json_body={"pass": scanned, "client_ref": uuid.uuid4().hex})
                self.check(data, rescan, browser)
            except Failed as failed:
                if failed.args and failed.args[0] in (400, 401, 403):   # signed out or token lost: sign in again
                    browser.cookies.clear()
                    token = self.open_scanner(browser)
            if not rescan:
                done.append(scanned)
            next_at += self.interval * self.rng.uniform(0.8, 1.2)
            now = time.time()
            if next_at < now - self.interval:  # fell behind: carry on from now rather than burst
                next_at = now
            if not self.pause(max(next_at - now, 0)):
                break
        browser.close()

    def check(self, data, rescan, browser):
        try:
            outcome = json.loads(data)
        except ValueError:
            outcome = {}
        code = (outcome.get("status"), outcome.get("code"))
        if code not in (("ok", "checked_in"), ("warn", "already_checked_in")):
            # The request itself was recorded as fine; mark its outcome as the error it is.
            self.record.fail_last("checkin", f"check-in outcome {code[0]}/{code[1]}")
            raise Failed(200)


class Lead(Actor):
    def __init__(self, port, end, record, stopping, ramp, lead, interval):
        super().__init__(port, end, record, stopping, ramp)
        self.lead, self.interval = lead, interval

    def run(self):
        if not self.pause(self.rng.uniform(0, 3)):
            return
        browser = Browser(self.port, "10.250.0.1", self.record)
        base = f"/org/{self.lead['slug']}/exports"
        token, n = "", 0
        while self.running():
            try:
                if not token:
                    browser.cookies.clear()
                    if not self.sign_in(browser, self.lead["email"], "dashboard") or not self.think():
                        break
                    _, page = browser.request("export_page", "GET", base)
                    token = _csrf(page)
                    if not self.think():
                        break
                key, fields = self.lead["exports"][n % len(self.lead["exports"])]
                n += 1
                form = {"csrf_token": token, "programme": "", "session": "", "start": "", "end": "",
                        "format": "csv", **fields}
                resp, data = browser.request("export", "POST", f"{base}/{key}", form=form)
                if not resp.headers.get("Content-Type", "").startswith("text/csv"):
                    self.record.fail_last("export", f"export {key} answered {resp.headers.get('Content-Type')}")
                else:
                    self.record.bytes += len(data)
            except Failed:
                token = ""
            if not self.pause(self.interval * self.rng.uniform(0.9, 1.1)):
                break
        browser.close()


class Recorder:
    """Results of one client process: (kind, wall start, seconds, error or None, retried)."""

    def __init__(self, start, end):
        self.start, self.end = start, end
        self.rows, self.bytes = [], 0
        self.lock = threading.Lock()
        self.local = threading.local()

    def __call__(self, kind, wall, took, error, retried):
        row = [kind, wall, took, error, retried]
        with self.lock:
            self.rows.append(row)
        self.local.last = row

    def fail_last(self, kind, error):
        row = getattr(self.local, "last", None)
        if row is not None and row[0] == kind:
            row[3] = error


def _address(n: int) -> str:
    return f"10.{1 + (n >> 16) % 190}.{(n >> 8) & 255}.{n & 255}"


def client_process(port, launch, ramp, end, actors, out):
    """Run this process's share of the people, one thread each, from `launch` (wall clock) to `end`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops everything on Ctrl+C
    record = Recorder(launch, end)
    stopping = threading.Event()
    time.sleep(max(launch - time.time(), 0))
    people = []
    for kind, spec in actors:
        if kind == "guardian":
            people.append(Guardian(port, end, record, stopping, ramp, spec["visits"], spec["first_address"]))
        elif kind == "scanner":
            people.append(Scanner(port, end, record, stopping, ramp, spec["door"], spec["address"],
                                  spec["interval"]))
        else:
            people.append(Lead(port, end, record, stopping, ramp, spec["lead"], spec["interval"]))
    threads = [threading.Thread(target=p.run, daemon=True) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(end - time.time(), 0) + TIMEOUT + 5)
    stopping.set()
    with record.lock:
        out.put({"rows": [tuple(r) for r in record.rows], "bytes": record.bytes})


# ---------------------------------------------------------------- report

KINDS = ["login_page", "login", "family", "dashboard", "home", "catalogue", "programme", "book_form", "book",
         "scan_page", "checkin", "export_page", "export"]


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def report(rows, start, duration, exported_bytes):
    counted = [r for r in rows if start <= r[1] < start + duration]
    by_kind = defaultdict(list)
    errors = Counter()
    for kind, _, took, error, _ in counted:
        by_kind[kind].append((took * 1000, error))
        if error:
            errors[error] += 1
    total = len(counted)
    print(f"requests={total} rps={total / duration:.1f} (in the {duration:.0f} s window; "
          f"{sum(1 for r in counted if r[4])} sent again on a fresh connection after the server closed an idle one; "
          f"{exported_bytes / 1024:,.0f} KiB of CSV read)")
    print(f"{'kind':<12} {'count':>6} {'p50_ms':>8} {'p95_ms':>8} {'p99_ms':>8} {'max_ms':>8} {'errors':>6}")
    for kind in KINDS + sorted(set(by_kind) - set(KINDS)):
        items = by_kind.get(kind)
        if not items:
            continue
        ms = [t for t, _ in items]
        print(f"{kind:<12} {len(items):>6} {percentile(ms, .5):>8.1f} {percentile(ms, .95):>8.1f} "
              f"{percentile(ms, .99):>8.1f} {max(ms):>8.1f} {sum(1 for _, e in items if e):>6}")
    if errors:
        print("# errors by cause:")
        for cause, n in errors.most_common(12):
            print(f"#   {n:>5}  {cause}")
    checkins = [t for t, _ in by_kind.get("checkin", [])]
    return sum(errors.values()), percentile(checkins, .95)


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=DEFAULT_DATABASE,
                        help="PostgreSQL URL of the bench database (created if missing; default %(default)s)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (WEB_CONCURRENCY)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of measured load")
    parser.add_argument("--ramp", type=float, default=15,
                        help="seconds before measuring, while scanners sign in and guardians arrive")
    parser.add_argument("--scanners", type=int, default=32, help=f"door phones, at most {ORGS * WORKERS_PER_ORG}")
    parser.add_argument("--guardians", type=int, default=30, help="guardians browsing and booking at once")
    parser.add_argument("--scan-interval", type=float, default=1.0, help="seconds between one phone's scans")
    parser.add_argument("--export-interval", type=float, default=10.0, help="seconds between the lead's exports")
    parser.add_argument("--client-processes", type=int, default=4, help="load generator processes")
    parser.add_argument("--reseed", action="store_true", help="drop the bench database's tables and seed again")
    args = parser.parse_args()
    if not 0 <= args.scanners <= ORGS * WORKERS_PER_ORG:
        parser.error(f"--scanners must be between 0 and {ORGS * WORKERS_PER_ORG}")

    # Ctrl+C and `kill` both end in the finally blocks below, which stop gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)   # even when started in the background
    tmp = tempfile.mkdtemp(prefix="outreach-load-")
    proc, clients = None, []
    try:
        url = database_url(args.database)
        app = make_app(url, tmp)
        from outreach.extensions import db

        print(f"# load benchmark: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
              f"{platform.system()} {platform.release()}, {datetime.now():%Y-%m-%d %H:%M}", flush=True)
        base_url = "http://127.0.0.1:5000"
        with app.app_context():
            reason = None
            if args.reseed:
                reason = "--reseed"
            elif not _has_tables():
                reason = "no dataset yet"
            elif not _schema_matches():
                reason = "the models have changed since it was seeded"
            elif _seeded_version() != DATASET_VERSION:
                reason = "no dataset yet" if _seeded_version() is None else "the dataset's shape has changed"
            db.session.rollback()
            if reason:
                print(f"# seeding {make_url_name(url)} ({reason}) ...", flush=True)
                took = seed()
                seeded = f"seeded in {took:.0f} s"
            else:
                seeded = "reused; --reseed to start again"
            topped = top_up_sessions(datetime.now(timezone.utc))
            base_url = app.config["BASE_URL"]
            run = prepare_run(args.scanners, args.guardians, args.ramp + args.duration, args.scan_interval, base_url)
            size = dataset_summary()
            db.session.remove()
            db.engine.dispose()
        print(f"# dataset ({seeded}{f'; {topped} sessions added to keep 8 weeks ahead' if topped else ''}): "
              f"{size['partners']} partners, {size['programmes']} published programmes "
              f"({size['upcoming']:,} upcoming of {size['sessions']:,} sessions), {size['people']:,} young people, "
              f"{size['guardians']:,} guardians, {size['registrations']:,} registrations, "
              f"{size['attendances']:,} attendances", flush=True)
        if len(run["visits"]) < run["visits_needed"]:
            print(f"# warning: only {len(run['visits'])} guardians left who have not booked before; "
                  f"BENCH_ARGS=--reseed starts again", flush=True)

        import redis

        try:
            redis.Redis.from_url(REDIS_URL, socket_timeout=3).flushdb()
        except redis.RedisError as err:
            raise SystemExit(f"Redis did not answer at {REDIS_URL}: {err}") from None

        db_name = make_url_name(url)
        port = free_port()
        env = dict(os.environ)
        for name in ("RATELIMIT_ENABLED", "REQUEST_LOG"):
            env.pop(name, None)  # rate limits on, and the request log as in production
        env.update(DATABASE_URL=url, SECRET_KEY=SECRET_KEY, PSEUDONYM_KEY="load-bench-pseudonym-key",
                   OUTREACH_INSTANCE_PATH=tmp, MAIL_OUTBOX_DIR=os.path.join(tmp, "outbox"),
                   GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(args.workers), REDIS_URL=REDIS_URL,
                   TRUSTED_PROXY_COUNT="1", FORWARDED_ALLOW_IPS="127.0.0.1", PYTHONUNBUFFERED="1",
                   OUTBOX_NUDGE="0")  # no worker runs here: bookings queue their email in the database
        threads_per_worker = int(os.environ.get("GUNICORN_THREADS", 4))
        log_path = Path(tmp) / "gunicorn.log"
        proc = serve(env, log_path)
        if not wait_healthy(proc, port):
            tail = log_path.read_text(errors="replace").splitlines()[-30:] if log_path.exists() else []
            print("\n".join(tail), file=sys.stderr)
            print(f"bench/load.py: the server did not answer 200 on /healthz at 127.0.0.1:{port}", file=sys.stderr)
            sys.exit(3)
        warm_up(port, ["/healthz", "/login", "/activities", "/activities?age=12", "/activities?age=14&page=2",
                       "/activities/1", "/activities/2", "/activities/5"])

        # Spread the people over the client processes.
        actors = []
        per_guardian = [run["visits"][i::max(args.guardians, 1)] for i in range(args.guardians)]
        for i, visits in enumerate(per_guardian):
            actors.append(("guardian", {"visits": visits, "first_address": i * 1000}))
        for k, door in enumerate(run["doors"], start=1):
            actors.append(("scanner", {"door": door, "address": f"10.200.{k // 256}.{k % 256}",
                                       "interval": args.scan_interval}))
        actors.append(("lead", {"lead": run["lead"], "interval": args.export_interval}))
        random.Random(7).shuffle(actors)
        nproc = max(1, min(args.client_processes, len(actors)))
        shares = [actors[i::nproc] for i in range(nproc)]
        print(f"# server: gunicorn -c gunicorn.conf.py, {args.workers} workers x {threads_per_worker} threads, "
              f"rate limits on (Redis), 1 trusted proxy hop; PostgreSQL {make_url_name(url)}", flush=True)
        print(f"# workload: {args.guardians} guardians at once (think {THINK[0]:.0f}-{THINK[1]:.0f} s, a new guardian "
              f"each visit), {len(run['doors'])} scanners (a scan every ~{args.scan_interval:g} s each, "
              f"{run['per_door']} booked passes per door, every {RESCAN_EVERY}th scan a repeat), 1 lead (a CSV export "
              f"every ~{args.export_interval:g} s); {nproc} client processes; {args.ramp:g} s ramp (not measured), "
              f"then {args.duration:g} s measured", flush=True)

        ctx = mp.get_context("spawn")
        out = ctx.Queue()
        launch = time.time() + 3.0   # time for the client processes to start
        start = launch + args.ramp   # measuring starts once everyone has arrived
        end = start + args.duration
        clients = [ctx.Process(target=client_process, args=(port, launch, args.ramp, end, share, out))
                   for share in shares]
        for c in clients:
            c.start()
        ours = {"gunicorn": lambda pid, pgid, cmd: pgid == proc.pid,
                "postgres": lambda pid, pgid, cmd: cmd.startswith(b"postgres: ") and f" {db_name} ".encode() in cmd,
                "clients": lambda pid, pgid, cmd: pid in {os.getpid(), *(c.pid for c in clients)}}
        time.sleep(max(start - time.time(), 0))
        load_before = os.getloadavg()[0]
        cpu_before = cpu_snapshot(ours)
        time.sleep(max(end - time.time(), 0))
        cpu_after = cpu_snapshot(ours)
        rows, exported = [], 0
        for _ in clients:
            try:
                got = out.get(timeout=max(end - time.time(), 0) + TIMEOUT + 30)
            except queue_module.Empty:
                print("# warning: a client process did not report back", file=sys.stderr)
                break
            rows += got["rows"]
            exported += got["bytes"]
        for c in clients:
            c.join(timeout=10)
        server_errors = _server_log_summary(log_path)
        server_checkins = _server_checkin_times(log_path, start, end)
    finally:
        for c in clients:
            if c.is_alive():
                c.terminate()
        stop(proc)
        log = Path(tmp) / "gunicorn.log"
        if log.exists():
            DATA.mkdir(parents=True, exist_ok=True)
            shutil.copy(log, DATA / "load-server.log")
        shutil.rmtree(tmp, ignore_errors=True)

    if server_errors:
        print(f"# server log: {server_errors} (kept in bench/.data/load-server.log)")
    print(f"# CPU in the measured window ({os.cpu_count()} CPUs = {os.cpu_count() * 100}%): "
          f"{cpu_report(cpu_before, cpu_after)}; load average at its start {load_before:.1f}")
    errors, checkin_p95 = report(rows, start, args.duration, exported)
    if server_checkins:
        p50, p95, p99 = (percentile(server_checkins, q) for q in (.5, .95, .99))
        print(f"# check-in time inside the app (its own request log, same window): "
              f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms")
    print(f"errors={errors}")
    print(f"checkin_p95_ms={checkin_p95:.1f}")


def cpu_snapshot(groups: dict) -> dict:
    """Busy CPU time of the whole machine and of each group of processes, in clock ticks (Linux /proc)."""
    snap = {name: {} for name in groups}
    try:
        with open("/proc/stat") as fh:
            fields = [int(v) for v in fh.readline().split()[1:]]
        snap["_total"] = sum(fields) - fields[3] - fields[4]   # all but idle and iowait
        snap["_all"] = sum(fields)
    except (OSError, ValueError, IndexError):
        return {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                rest = fh.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ")
        except OSError:
            continue
        pid, pgid, ticks = int(entry), int(rest[2]), int(rest[11]) + int(rest[12])
        for name, belongs in groups.items():
            if belongs(pid, pgid, cmd):
                snap[name][pid] = ticks
                break
    return snap


def cpu_report(before: dict, after: dict) -> str:
    if not before or not after:
        return "not measured (no /proc)"
    span = (after["_all"] - before["_all"]) or 1
    share = {name: sum(t - before[name].get(pid, 0) for pid, t in after[name].items())
             for name in after if not name.startswith("_")}
    total = after["_total"] - before["_total"]
    cpus = os.cpu_count() or 1

    def pct(ticks):
        return f"{100 * cpus * ticks / span:.0f}%"

    return (f"gunicorn {pct(share['gunicorn'])}, its PostgreSQL backends {pct(share['postgres'])}, "
            f"load generator {pct(share['clients'])}, everything else {pct(max(total - sum(share.values()), 0))}, "
            f"idle {pct(span - total)}")


def make_url_name(url: str) -> str:
    return url.rsplit("/", 1)[-1].split("?", 1)[0]


def _server_checkin_times(path: Path, start: float, end: float) -> list[float]:
    """duration_ms of the check-ins in the app's own request log (one JSON line per request) in the window."""
    times = []
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return times
    for line in lines:
        if '"/api/sessions/<int:session_id>/checkins"' not in line:
            continue
        try:
            entry = json.loads(line)
            # asctime is local time, as time.time() is once turned into local time.
            at = datetime.strptime(entry["time"], "%Y-%m-%d %H:%M:%S,%f").timestamp()
            if start <= at < end:
                times.append(float(entry["duration_ms"]))
        except (ValueError, KeyError, TypeError):
            continue
    return times


def _server_log_summary(path: Path) -> str:
    if not path.exists():
        return ""
    text = path.read_text(errors="replace")
    tracebacks = text.count("Traceback (most recent call last)")
    timeouts = text.count("WORKER TIMEOUT")
    parts = []
    if tracebacks:
        parts.append(f"{tracebacks} tracebacks")
    if timeouts:
        parts.append(f"{timeouts} worker timeouts")
    return ", ".join(parts)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("bench/load.py: interrupted; gunicorn stopped", file=sys.stderr)
        sys.exit(130)
