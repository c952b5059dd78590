"""Helpers the exports share: streaming reads, local times, pseudonymous codes."""
import base64
import hashlib
import hmac

from ..database import tune_for_reports
from ..extensions import db
from ..timeutil import to_local

STREAM_BATCH = 5000


def stream(stmt):
    """Rows of a query fetched in batches (a server-side cursor on PostgreSQL)."""
    # For this transaction only; an export runs in its own, after its audit event is committed.
    tune_for_reports(db.session, reading_all=True)
    return db.session.execute(stmt.execution_options(stream_results=True, yield_per=STREAM_BATCH))


def local(moment, tz, fmt="%Y-%m-%d %H:%M"):
    return to_local(moment, tz).strftime(fmt) if moment is not None else None


def person_name(row) -> str:
    """A register's name cell: as YoungPerson.display_name says it, never "None None"."""
    if row.erased_at:
        return "Erased record"
    if row.anonymised_at:
        return "Anonymised record"
    return f"{row.first_name or ''} {row.last_name or ''}".strip() or "Name not given"


def participant_code(key: bytes, young_person_id: int) -> str:
    """A stable pseudonym: HMAC-SHA256 of the id under a key kept outside the database,
    so the code cannot be worked out from the id (or back) without the key, and the
    same young person gets the same code in every export."""
    digest = hmac.new(key, f"young-person:{young_person_id}".encode(), hashlib.sha256).digest()
    return "P-" + base64.b32encode(digest[:10]).decode().rstrip("=")
