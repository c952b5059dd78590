"""Is the service able to do its job? Used by /healthz for the load balancer and monitoring.

"Able" means able to take a booking or a check-in, not only to answer a read: a database on a
full disk, or one that has been made read-only, still answers SELECT 1 while every write fails.
So the check commits a real write (one row of `health_checks`), and on SQLite also looks at the
free space on the disk that holds the database file, because SQLite can keep reusing the space
of its write-ahead log for a small write long after a booking no longer fits.
"""
import os
import shutil
from dataclasses import dataclass, field

from sqlalchemy import insert, text, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..extensions import db
from ..models import HealthCheck
from ..timeutil import utcnow

MB = 1024 * 1024


@dataclass
class Health:
    """Each part checked and its state in one word ("ok" when it is fine)."""
    parts: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(state == "ok" for state in self.parts.values())


def check(*, min_free_mb: int, now=None) -> Health:
    """database: ok, unreachable (no answer) or cannot_write (answers, but a write fails);
    disk (SQLite only): ok, low when less than `min_free_mb` is free under the database file, or
    unknown when its folder cannot be read."""
    health = Health()
    health.parts["database"] = _database(now or utcnow())
    path = _sqlite_file()
    if path:
        health.parts["disk"] = _disk(os.path.dirname(path) or ".", min_free_mb)
    return health


def _disk(folder: str, min_free_mb: int) -> str:
    try:
        free = shutil.disk_usage(folder).free
    except OSError:  # the folder itself is gone
        return "unknown"
    return "ok" if free >= min_free_mb * MB else "low"


def _database(now) -> str:
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
    except SQLAlchemyError:
        db.session.rollback()
        return "unreachable"
    try:
        _write(now)
    except SQLAlchemyError:
        db.session.rollback()
        return "cannot_write"
    return "ok"


def _write(now) -> None:
    touched = db.session.execute(update(HealthCheck).where(HealthCheck.id == 1).values(checked_at=now)).rowcount
    if not touched:
        try:
            db.session.execute(insert(HealthCheck).values(id=1, checked_at=now))
            db.session.commit()
            return
        except IntegrityError:  # another check made the row first
            db.session.rollback()
            db.session.execute(update(HealthCheck).where(HealthCheck.id == 1).values(checked_at=now))
    db.session.commit()


def _sqlite_file() -> str | None:
    """The main database file when the database is SQLite (and not in memory)."""
    if db.engine.dialect.name != "sqlite":
        return None
    try:
        rows = db.session.execute(text("PRAGMA database_list")).all()
        db.session.rollback()
    except SQLAlchemyError:
        db.session.rollback()
        url = db.engine.url.database or ""
        return url if url and url != ":memory:" else None
    return next((row[2] for row in rows if row[1] == "main" and row[2]), None)
