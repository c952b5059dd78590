"""A family's private calendar feed: a secret URL a phone's calendar subscribes to, listing
the sessions the family's young people are booked on, cancellations marked cancelled.

The secret (32 random bytes, URL-safe) is shown once, when it is made; only its SHA-256 is
kept. Making a new one replaces the old, which then finds nothing (404); stopping the feed
removes it. A URL that finds no feed, whatever it holds, gets the same answer.
"""
import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from ..extensions import db
from ..models import CalendarFeed, ProgrammeSession, Registration
from ..timeutil import utcnow
from . import audit
from ..errors import N_
from .calendar import Entry, calendar_bytes

TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
# Sessions this far back stay in the feed, so last week's still shows in the calendar.
KEEP_PAST = timedelta(days=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def feed_of(user) -> CalendarFeed | None:
    return db.session.get(CalendarFeed, user.id)


def make_feed(user, *, now: datetime | None = None) -> str:
    """A new secret for the user's feed, replacing any old one (which stops working at once).
    Returns the secret: the only time it exists outside the family's calendar."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    feed = db.session.get(CalendarFeed, user.id, with_for_update=True)
    replaced = feed is not None
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.token_hash, feed.created_at, feed.last_fetched_at = _hash(token), now, None
    audit.record("calendar_feed.replaced" if replaced else "calendar_feed.created", actor=user, now=now)
    db.session.commit()
    return token


def stop_feed(user, *, now: datetime | None = None) -> bool:
    """Stop the user's feed; False when there was none."""
    feed = db.session.get(CalendarFeed, user.id)
    if feed is None:
        return False
    db.session.delete(feed)
    audit.record("calendar_feed.stopped", actor=user, now=now or utcnow())
    db.session.commit()
    return True


def find_feed(token: str) -> CalendarFeed | None:
    """The feed this secret opens, or None (malformed, replaced, stopped or never made)."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return None
    return db.session.execute(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token))).scalar_one_or_none()


def feed_calendar(feed: CalendarFeed, *, now: datetime | None = None, say=None, title=None) -> bytes:
    """The family's booked sessions as iCalendar: confirmed bookings, and cancelled ones that had
    a place (a cancelled booking or session shows STATUS:CANCELLED, so a subscribed calendar
    crosses it out). Waiting-list places are not in it: nobody is expected then. `say` and `title`
    word it in the family's language (calendar.calendar_bytes)."""
    from . import family

    now = now or utcnow()
    people = {yp.id: yp for yp in family.people_of(feed.user)}
    feed.last_fetched_at = now
    db.session.commit()
    entries = []
    if people:
        regs = db.session.execute(
            select(Registration).where(
                Registration.young_person_id.in_(people),
                or_(Registration.status == "confirmed",
                    (Registration.status == "cancelled") & Registration.confirmed_at.is_not(None)))
            .order_by(Registration.id)).scalars().all()
        by_key: dict[tuple[int, int], Entry] = {}
        since = now - KEEP_PAST
        for reg in regs:
            yp = people[reg.young_person_id]
            sessions = [reg.session] if reg.session_id else db.session.execute(
                select(ProgrammeSession).where(ProgrammeSession.programme_id == reg.programme_id)
                .order_by(ProgrammeSession.starts_at)).scalars().all()
            for s in sessions:
                if s.starts_at < since:
                    continue
                entry = Entry(s, yp.first_name or "", yp.id,
                              cancelled=reg.status == "cancelled" or s.status == "cancelled")
                key = (s.id, yp.id)
                # A booking made again after a cancellation wins over the cancelled one.
                if key not in by_key or (by_key[key].cancelled and not entry.cancelled):
                    by_key[key] = entry
        entries = list(by_key.values())
    entries.sort(key=lambda e: (e.session.starts_at, e.first_name))
    words = {k: v for k, v in (("say", say), ("title", title)) if v is not None}
    name = N_("Outreach: family bookings")
    return calendar_bytes(entries, name=say(name) if say else name, now=now, **words)
