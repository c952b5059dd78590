"""Backing up and restoring the database: SQLite or PostgreSQL, by URL.

SQLite is copied with SQLite's online backup API, which reads one consistent
snapshot while the app goes on reading and writing (the database runs in WAL
mode, so the copy never blocks a writer). PostgreSQL is dumped with pg_dump in
its custom format and loaded with pg_restore in a single transaction, so a
failed restore leaves the database as it was.

Plain functions over a database URL and file paths, with no app or Flask
imports, so they run the same from `flask backup`, cron or a test.
"""
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, urlencode

from sqlalchemy import create_engine, inspect, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".dump"}
# How long a backup or restore waits for other connections' locks before giving up,
# so a cron job reports a stuck database instead of hanging.
LOCK_WAIT_SECONDS = 60


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why and what to do."""


@dataclass
class Summary:
    action: str                    # "Backed up" or "Restored"
    database: str                  # the database, password hidden
    path: Path                     # the backup file
    size: int                      # bytes
    row_counts: dict[str, int]     # table -> rows, as written to / read from the backup
    notes: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())

    def lines(self, width: int = 100) -> list[str]:
        direction = "to" if self.action == "Backed up" else "from"
        lines = [f"{self.action} {self.database}", f"  {direction} {self.path} ({human_size(self.size)})",
                 f"  {len(self.row_counts)} tables, {self.total_rows:,} rows" + (":" if self.row_counts else "")]
        pairs = [f"{name} {count:,}" for name, count in sorted(self.row_counts.items())]
        line = "   "
        for i, pair in enumerate(pairs):
            item = f" {pair}" + ("," if i < len(pairs) - 1 else "")
            if len(line) + len(item) > width and line.strip():
                lines.append(line)
                line = "   "
            line += item
        if line.strip():
            lines.append(line)
        return lines + [f"  {note}" for note in self.notes]


@dataclass
class RestorePlan:
    """What a restore would overwrite, for the confirmation message."""
    database: str
    current_rows: int | None       # None: the database does not exist yet
    current_tables: int
    path: Path
    size: int
    written_at: datetime

    def describe(self) -> str:
        if self.current_rows is None:
            now = "which does not exist yet"
        else:
            now = f"now {self.current_tables} tables, {self.current_rows:,} rows"
        return (f"This replaces every table in {self.database} ({now}) with the backup {self.path} "
                f"({human_size(self.size)}, written {self.written_at:%Y-%m-%d %H:%M} UTC). "
                f"Changes made since that backup will be lost.")


# ---------------------------------------------------------------- entry points

def backend_of(url: str | URL) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in SUFFIXES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {backend}.")
    return backend


def default_backup_path(folder: str | Path, url: str | URL, now: datetime) -> Path:
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return Path(folder) / f"outreach-{stamp}{SUFFIXES[backend_of(url)]}"


def backup_database(url: str | URL, path: str | Path) -> Summary:
    """Write a backup of the database at `url` to `path` (which must not exist yet)."""
    url, path = make_url(url), Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists; backups are never overwritten. Choose another path.")
    if backend_of(url) == "sqlite":
        counts = _sqlite_backup(_sqlite_path(url), path)
    else:
        counts = _pg_backup(url, path)
    return Summary("Backed up", describe_database(url), path, path.stat().st_size, counts)


def plan_restore(url: str | URL, path: str | Path) -> RestorePlan:
    """Check that `path` is a backup this database can take, and say what a restore would replace."""
    url, path = make_url(url), Path(path)
    _check_backup_file(url, path)
    if backend_of(url) == "sqlite":
        db_path = _sqlite_path(url)
        counts = _sqlite_row_counts_at(db_path) if db_path.exists() else None
    else:
        counts = _pg_row_counts(url)
    stat = path.stat()
    return RestorePlan(describe_database(url), None if counts is None else sum(counts.values()),
                       len(counts or {}), path, stat.st_size,
                       datetime.fromtimestamp(stat.st_mtime, timezone.utc))


def restore_database(url: str | URL, path: str | Path) -> Summary:
    """Replace the database at `url` with the backup at `path`.

    Callers should let go of their own connections first: on PostgreSQL the
    restore drops and recreates every table, which waits for their locks.
    """
    url, path = make_url(url), Path(path)
    _check_backup_file(url, path)
    notes = []
    if backend_of(url) == "sqlite":
        counts = _sqlite_restore(path, _sqlite_path(url))
    else:
        counts, left_alone = _pg_restore(url, path)
        if left_alone:
            notes.append("Not in the backup, so left as they were: " + ", ".join(left_alone)
                         + ". Drop them if they should go.")
    return Summary("Restored", describe_database(url), path, path.stat().st_size, counts, notes)


def describe_database(url: str | URL) -> str:
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        return f"the SQLite database {url.database}"
    return f"the PostgreSQL database {url.set(drivername='postgresql').render_as_string(hide_password=True)}"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            break
    return f"{size:.1f} {unit}"


def _check_backup_file(url: URL, path: Path) -> None:
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    with path.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    kind = "sqlite" if head.startswith(SQLITE_MAGIC) else "postgresql" if head.startswith(PG_DUMP_MAGIC) else None
    if kind is None:
        raise BackupError(f"{path} is neither an SQLite backup nor a pg_dump custom-format file.")
    if kind != backend_of(url):
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(f"{path} is a {names[kind]} backup, but the database is {names[backend_of(url)]}. "
                          "Moving data between the two is not a restore.")


def _reserve(path: Path) -> Path:
    """An empty file next to `path`, readable by this user only: backups hold children's personal data."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(fd)
    return Path(name)


def _publish(tmp: Path, path: Path) -> None:
    """Move a finished backup into place, durably, without ever replacing an existing file."""
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    try:
        # link() fails if `path` exists, unlike rename(): two runs in the same second must not clobber.
        os.link(tmp, path)
    except FileExistsError:
        raise BackupError(f"{path} already exists; backups are never overwritten. Choose another path.") from None


# ---------------------------------------------------------------- SQLite

def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError(f"Cannot back up the SQLite database {url.database or '(in memory)'}: "
                          "only a database file can be backed up.")
    return Path(url.database).resolve()


def _open_readonly(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise BackupError(f"There is no SQLite database at {path}.")
    # Read-only: reading a backup or the live file must never change it, nor create a missing one.
    # isolation_level=None leaves transactions to SQLite rather than the sqlite3 module.
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                           timeout=LOCK_WAIT_SECONDS)


def _give_up_when_stuck(what: str):
    """A backup() progress callback: SQLite retries a locked step for ever, a cron job should not."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS

    def progress(status, remaining, total):
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise BackupError(f"{what} waited {LOCK_WAIT_SECONDS} s for another connection's lock; try again.")
    return progress


def _sqlite_backup(db_path: Path, path: Path) -> dict[str, int]:
    tmp = _reserve(path)
    try:
        with closing(_open_readonly(db_path)) as source, \
                closing(sqlite3.connect(tmp, isolation_level=None)) as copy:
            # pages=-1 copies everything in one step, i.e. from one read snapshot. In WAL mode
            # that snapshot needs no lock that writers wait for; copying in several steps would
            # instead restart whenever another connection commits.
            source.backup(copy, pages=-1, progress=_give_up_when_stuck("The backup"))
            # A self-contained file: no -wal/-shm companions to forget when copying it elsewhere.
            copy.execute("PRAGMA journal_mode=DELETE")
            _check_integrity(copy, "The backup just written")
            counts = _sqlite_row_counts(copy)
        _publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return counts


def _sqlite_restore(path: Path, db_path: Path) -> dict[str, int]:
    with closing(_open_readonly(path)) as backup:
        _check_integrity(backup, f"The backup {path}")
        db_path.parent.mkdir(parents=True, exist_ok=True)
        # Written through SQLite as one write transaction, not by copying the file over: connections
        # the app already has open then read the restored pages instead of a file swapped under them.
        with closing(sqlite3.connect(db_path, isolation_level=None, timeout=LOCK_WAIT_SECONDS)) as target:
            backup.backup(target, pages=-1, progress=_give_up_when_stuck("The restore"))
            _check_integrity(target, f"The restored database {db_path}")
            return _sqlite_row_counts(target)


def _check_integrity(conn: sqlite3.Connection, what: str) -> None:
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise BackupError(f"{what} failed SQLite's integrity check: " + "; ".join(problems[:5]))


def _sqlite_row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _sqlite_row_counts_at(db_path: Path) -> dict[str, int]:
    with closing(_open_readonly(db_path)) as conn:
        return _sqlite_row_counts(conn)


# ---------------------------------------------------------------- PostgreSQL

def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found on PATH. Install the PostgreSQL client tools of the server's "
                          f"major version or newer (Debian: apt-get install postgresql-client).")
    return found


def libpq_url(url: str | URL) -> str:
    """SQLAlchemy's `postgresql+psycopg://` URL as a libpq URL for pg_dump/pg_restore, without the password."""
    url = make_url(url)
    netloc = quote(url.username or "", safe="")
    host = url.host or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    netloc = f"{netloc}@{host}" if netloc else host
    if url.port:
        netloc += f":{url.port}"
    query = urlencode(sorted(url.query.items()), doseq=True, quote_via=quote)
    return f"postgresql://{netloc}/{quote(url.database or '', safe='')}" + (f"?{query}" if query else "")


def _pg_env(url: URL) -> dict[str, str]:
    env = dict(os.environ)
    if url.password:
        # In the environment rather than on the command line, where `ps` would show it to every user.
        env["PGPASSWORD"] = url.password
    # Fail rather than queue for ever behind a long transaction (a restore drops every table).
    env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + f" -c lock_timeout={LOCK_WAIT_SECONDS}s").strip()
    return env


def _run(args: list[str], url: URL, what: str) -> str:
    result = subprocess.run(args, env=_pg_env(url), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()}")
    return result.stdout


@contextmanager
def _connection(url: URL):
    engine = create_engine(url.set(drivername="postgresql+psycopg"), poolclass=NullPool, hide_parameters=True)
    try:
        with engine.connect() as conn:
            yield conn
    except SQLAlchemyError as err:
        # A one-line reason (server down, wrong password) instead of a traceback in the cron mail.
        reason = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
        raise BackupError(f"Could not use {describe_database(url)}: {reason}") from None
    finally:
        engine.dispose()


def _pg_count(conn) -> dict[str, int]:
    quote_name = conn.dialect.identifier_preparer.quote
    return {name: conn.exec_driver_sql(f"SELECT count(*) FROM {quote_name(name)}").scalar_one()
            for name in sorted(inspect(conn).get_table_names())}


def _pg_row_counts(url: URL) -> dict[str, int]:
    with _connection(url) as conn:
        return _pg_count(conn)


def _pg_backup(url: URL, path: Path) -> dict[str, int]:
    pg_dump = _tool("pg_dump")
    tmp = _reserve(path)
    try:
        with _connection(url) as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin():
                # pg_dump reads the snapshot this transaction exports, so the row counts
                # reported are those of the dump itself, not of a moment before or after it.
                snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
                counts = _pg_count(conn)
                _run([pg_dump, "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                      f"--lock-wait-timeout={LOCK_WAIT_SECONDS}s", f"--file={tmp}", f"--dbname={libpq_url(url)}"],
                     url, "pg_dump")
        _publish(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return counts


_TABLE_ENTRY = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ")


def _pg_restore(url: URL, path: Path) -> tuple[dict[str, int], list[str]]:
    pg_restore = _tool("pg_restore")
    listing = _run([pg_restore, "--list", str(path)], url, "Reading the backup's contents")
    in_backup = {m.group(2) for line in listing.splitlines() if (m := _TABLE_ENTRY.match(line))}
    # --clean --if-exists drops each object in the backup before recreating it, and
    # --single-transaction makes that all-or-nothing: a failed restore changes nothing.
    _run([pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
          f"--dbname={libpq_url(url)}", str(path)], url, "pg_restore")
    counts = _pg_row_counts(url)
    left_alone = sorted(set(counts) - in_backup)
    return {name: n for name, n in counts.items() if name in in_backup}, left_alone
