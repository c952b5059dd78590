"""Do sign-up, sign-in and password reset take as long for an address with an account as for
one without? Median times over many tries, side by side.

    python bench/enumeration.py [--database URL] [--tries 30] [--mail hanging|outbox]

Runs the app in this process (Flask's test client: the app's own work, no network) on a
fresh SQLite file, or a fresh PostgreSQL database made on the server at --database and
dropped after. Known and unknown addresses are tried in turn, in alternating order, after a
few warm-up requests. With --mail hanging (the default) the mail server is a socket that
accepts and never answers, so a page that waited on mail would show it; --mail outbox
writes mail to files instead (for code that still sends inside the request).

Prints one line per form: median ms for the known address, for the unknown one, the
difference, and the status codes seen.
"""
import argparse
import os
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The same shape as the unknown addresses (nobody-<10 hex>@example.org), so that the checks
# which look at the text (address syntax, password strength against the address) cost the same.
KNOWN = "nobody-0a1b2c3d4e@example.org"
PASSWORD = "a long enough passphrase"


def hanging_smtp() -> int:
    """A loopback port that accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held = []

    def accept():
        while True:
            conn, _ = listener.accept()
            held.append(conn)

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1]


def make_app(database_url: str, tmp: str, mail: str):
    os.environ.update(OUTREACH_INSTANCE_PATH=tmp, TASK_QUEUE_FILE=os.path.join(tmp, "tasks.sqlite3"))
    os.environ.pop("REDIS_URL", None)
    from outreach import create_app
    from outreach.extensions import db
    from outreach.models import User
    from outreach.services.passwords import hash_password

    config = {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-secret", "WTF_CSRF_ENABLED": False,
              "RATELIMIT_ENABLED": False, "REQUEST_LOG": False, "MAIL_OUTBOX_DIR": os.path.join(tmp, "outbox"),
              "BASE_URL": "http://localhost", "MAIL_SERVER": ""}
    if mail == "hanging":
        config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=hanging_smtp())
    app = create_app(config)
    with app.app_context():
        db.create_all()
        db.session.add(User(email=KNOWN, full_name="Known Person", password_hash=hash_password(PASSWORD),
                            email_confirmed=True))
        db.session.commit()
        db.session.remove()
    return app


def forms():
    """(name, request for an address): the known address, or a fresh unknown one each time."""
    def reset(address):
        return "/forgot-password", {"email": address}

    def sign_up(address):
        return "/signup", {"kind": "guardian", "full_name": "Sam Carer", "email": address,
                           "phone": "07700 900111", "password": "another long passphrase",
                           "confirm": "another long passphrase"}

    def sign_in(address):
        return "/login", {"email": address, "password": "not the right password"}

    return [("reset", reset), ("sign-up", sign_up), ("sign-in", sign_in)]


def measure(app, build, tries: int, warmup: int = 3):
    client = app.test_client()
    times = {"known": [], "unknown": []}
    statuses = {"known": set(), "unknown": set()}

    def one(which):
        address = KNOWN if which == "known" else f"nobody-{uuid.uuid4().hex[:10]}@example.org"
        path, data = build(address)
        started = time.perf_counter()
        response = client.post(path, data=data)
        took = time.perf_counter() - started
        return took, response.status_code

    for i in range(warmup):
        one("known")
        one("unknown")
    for i in range(tries):
        for which in (("known", "unknown") if i % 2 == 0 else ("unknown", "known")):
            took, status = one(which)
            times[which].append(took * 1000)
            statuses[which].add(status)
    return ({k: statistics.median(v) for k, v in times.items()},
            {k: "/".join(str(s) for s in sorted(v)) for k, v in statuses.items()})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="PostgreSQL URL of a server; a fresh database is made and dropped. "
                                           "Default: a SQLite file in a temporary folder.")
    parser.add_argument("--tries", type=int, default=30)
    parser.add_argument("--mail", choices=("hanging", "outbox"), default="hanging")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        pg_admin, db_name = args.database, None
        if pg_admin:
            import psycopg

            db_name = f"outreach_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(pg_admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{db_name}"')
            database_url = "postgresql+psycopg://" + pg_admin.split("://", 1)[1].rsplit("/", 1)[0] + "/" + db_name
            backend = "PostgreSQL"
        else:
            database_url = f"sqlite:///{tmp}/bench.db"
            backend = "SQLite"
        try:
            app = make_app(database_url, tmp, args.mail)
            mail = "a mail server that accepts and never answers" if args.mail == "hanging" else "mail to files"
            print(f"# enumeration benchmark: {backend}, {mail}, {args.tries} tries per address and form; "
                  f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
                  f"{datetime.now():%Y-%m-%d}")
            print(f"{'form':<10}{'known ms':>10}{'unknown ms':>12}{'difference':>12}  status known/unknown")
            for name, build in forms():
                medians, statuses = measure(app, build, args.tries)
                diff = medians["known"] - medians["unknown"]
                print(f"{name:<10}{medians['known']:>10.2f}{medians['unknown']:>12.2f}{diff:>+12.2f}  "
                      f"{statuses['known']} / {statuses['unknown']}", flush=True)
            with app.app_context():
                from outreach.extensions import db

                db.session.remove()
                db.engine.dispose()
        finally:
            if db_name:
                import psycopg

                with psycopg.connect(pg_admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
