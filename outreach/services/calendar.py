"""Calendar files (iCalendar, RFC 5545) of a family's booked sessions: attached to booking
emails, and served as the family's private calendar feed (services/calendar_feed.py).

Built with the `icalendar` package. Times are written in the organisation's own zone (with
its VTIMEZONE), so a calendar shows 18:00 on both sides of a clock change. Each event's UID
stays the same for a young person at a session, so a calendar that already holds it updates
it (a cancellation turns it STATUS:CANCELLED) rather than adding a second one.

What an event says is what the family needs to turn up: the young person's first name, the
activity, the place and the organisation. Never a surname, a medical note or a phone number:
a calendar is shared, synced and shown on lock screens.
"""
from dataclasses import dataclass
from datetime import datetime

from icalendar import Calendar, Event

from ..errors import N_
from ..timeutil import to_local, utcnow

PRODID = "-//Outreach//Family bookings//EN"


def _english(message: str, **params) -> str:
    return message % params if params else message


def _own_title(programme) -> str:
    return programme.title


@dataclass(frozen=True)
class Entry:
    """One young person at one session, as a calendar shows it."""

    session: object  # ProgrammeSession
    first_name: str
    young_person_id: int
    cancelled: bool = False  # the session was cancelled, or the booking was

    @property
    def uid(self) -> str:
        return f"session-{self.session.id}-person-{self.young_person_id}@outreach"


def calendar_bytes(entries: list[Entry], *, name: str, now: datetime | None = None, say=_english,
                   title=_own_title) -> bytes:
    """An iCalendar file holding one VEVENT per entry, in the sessions' own zones.

    `say(message, **params)` words the events' text and `title(programme)` names the activity, in
    the family's language when the caller passes them (gettext and the programme's own text in
    that language); English and the title the organisation entered otherwise."""
    now = now or utcnow()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")  # information, not an invitation to answer
    cal.add("x-wr-calname", name)
    for entry in entries:
        cal.add_component(_event(entry, now, say, title))
    cal.add_missing_timezones()
    return cal.to_ical()


def _event(entry: Entry, now: datetime, say=_english, title=_own_title) -> Event:
    session = entry.session
    programme = session.programme
    tz = programme.organisation.timezone
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", now)
    event.add("dtstart", to_local(session.starts_at, tz))
    event.add("dtend", to_local(session.ends_at, tz))
    activity = title(programme)
    event.add("summary", say(N_("%(name)s: %(activity)s (cancelled)"), name=entry.first_name, activity=activity)
              if entry.cancelled else say(N_("%(name)s: %(activity)s"), name=entry.first_name, activity=activity))
    venue = ", ".join(v for v in (session.effective_venue_name, session.effective_venue_address) if v)
    if venue:
        event.add("location", venue)
    event.add("description", say(N_("%(activity)s with %(organisation)s. Bring %(name)s's pass."), activity=activity,
                                 organisation=programme.organisation.name, name=entry.first_name))
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    # A cancellation must win over the booking in a calendar that has both.
    event.add("sequence", 1 if entry.cancelled else 0)
    return event


def entries_for_registration(registration) -> list[Entry]:
    """The sessions one booking covers: its session, or a course's scheduled sessions."""
    yp = registration.young_person
    if registration.session is not None:
        sessions = [registration.session]
    else:
        sessions = [s for s in registration.programme.sessions if s.status == "scheduled"]
    return [Entry(s, yp.first_name or "", yp.id, cancelled=s.status == "cancelled") for s in sessions]
