"""Helpers the exports share: streaming reads, local times, pseudonymous codes."""
import base64
import hashlib
import hmac

from sqlalchemy import text

from ..extensions import db
from ..timeutil import to_local

STREAM_BATCH = 5000
# Sort memory for one export query on PostgreSQL (the server's default is 4 MB): half a
# million rows sorted by person and date need about 60 MB, and with less the sort spills
# to disk. With it, and with the planner told that every row of the cursor will be read
# (it otherwise favours a plan that starts fast and finishes slow), the evaluator dataset
# of a partner with 448,904 rows took 2.6 s instead of 3.8 s.
EXPORT_WORK_MEM = "64MB"


def stream(stmt):
    """Rows of a query fetched in batches (a server-side cursor on PostgreSQL)."""
    if db.session.get_bind().dialect.name == "postgresql":
        # For this transaction only; an export runs in its own, after its audit event is committed.
        db.session.execute(text(f"SET LOCAL work_mem = '{EXPORT_WORK_MEM}'"))
        db.session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
    return db.session.execute(stmt.execution_options(stream_results=True, yield_per=STREAM_BATCH))


def local(moment, tz, fmt="%Y-%m-%d %H:%M"):
    return to_local(moment, tz).strftime(fmt) if moment is not None else None


def participant_code(key: bytes, young_person_id: int) -> str:
    """A stable pseudonym: HMAC-SHA256 of the id under a key kept outside the database,
    so the code cannot be worked out from the id (or back) without the key, and the
    same young person gets the same code in every export."""
    digest = hmac.new(key, f"young-person:{young_person_id}".encode(), hashlib.sha256).digest()
    return "P-" + base64.b32encode(digest[:10]).decode().rstrip("=")
