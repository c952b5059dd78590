"""Helpers the exports share: streaming reads, local times, pseudonymous codes."""
import base64
import hashlib
import hmac

from datetime import timedelta

from ..database import tune_for_reports
from ..extensions import db
from ..filenames import name_slug
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


def subject(ctx) -> tuple[str, str]:
    """What an export is about, as words and as part of a file name: its programme, or the
    whole organisation."""
    if ctx.programme is not None:
        return ctx.programme.title, name_slug(ctx.programme.title) or f"programme-{ctx.programme.id}"
    return ctx.organisation.name, ctx.organisation.slug


def period(ctx) -> tuple[str, str]:
    """The export's date range, as words and as part of a file name ("2026-11-01-to-2026-11-30")."""
    tz = ctx.organisation.timezone
    first = to_local(ctx.start, tz).date() if ctx.start else None
    # The range's end is exclusive: the last day is the one before it.
    last = to_local(ctx.end - timedelta(microseconds=1), tz).date() if ctx.end else None
    if first and last:
        return f"{first:%-d %b %Y} to {last:%-d %b %Y}", f"{first}-to-{last}"
    if first:
        return f"from {first:%-d %b %Y}", f"from-{first}"
    if last:
        return f"up to {last:%-d %b %Y}", f"to-{last}"
    return "all sessions", "all-sessions"


def file_name(ctx, kind: str, *parts: str) -> str:
    """`kind_subject_parts_made-2026-12-10-1432`: what the file holds, whose, for when, and
    the minute it was made, so two downloads never share a name."""
    made = to_local(ctx.as_of, ctx.organisation.timezone).strftime("made-%Y-%m-%d-%H%M")
    return "_".join(p for p in (kind, subject(ctx)[1], *parts, made) if p)
