"""A young person's timeline at one organisation: everything it holds about its work with them,
in date order (newest first).

Contact notes, milestones, referrals in and out, attendances at its sessions, incidents they
were in, and that a safeguarding concern exists. Only the organisation's own records: another
organisation that also knows the young person never sees these, nor they its.

What the reader sees of each is decided by access.py (access.timeline_reader builds the
`Reader` below from the reader's membership), and applied here before anything reaches a page:
a restricted note's text only for leads and designated safeguarding leads (its writer sees that
it was saved, not what it says), an incident only for those who may open it, a concern only for
designated safeguarding leads, and then only that it exists, with a link: never its text.
"""
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable

from sqlalchemy import select

from ..extensions import db
from ..models import (CONCERN_STATUSES, Attendance, Concern, Incident, IncidentPerson, Organisation, Programme,
                      ProgrammeSession, YoungPerson)
from ..timeutil import to_local, utcnow
from . import audit, contact_notes, milestones, referrals

KINDS = {
    "note": "Notes",
    "milestone": "Milestones",
    "referral": "Referrals",
    "attendance": "Attendance",
    "incident": "Incidents",
    "concern": "Safeguarding",
}


@dataclass(frozen=True)
class Reader:
    """What one member may see on a timeline (made by access.timeline_reader)."""

    user_id: int
    may_read_note: Callable
    may_read_incident: Callable
    sees_concerns: bool


@dataclass
class Entry:
    kind: str
    on: date
    sort_at: datetime
    title: str
    detail: str | None = None
    by: str | None = None
    badge: str | None = None
    record: object = None  # the row, for links (incident, concern, referral)
    extra: dict = field(default_factory=dict)


def _name(user) -> str | None:
    return user.full_name if user is not None else None


def entries(org: Organisation, yp: YoungPerson, reader: Reader, *, kind: str | None = None) -> list[Entry]:
    tz = org.timezone
    out: list[Entry] = []
    for note in contact_notes.notes_about(org, yp):
        if reader.may_read_note(note):
            out.append(Entry("note", note.contact_on, note.written_at, f"Note: {note.contact_label.lower()}",
                             note.text, _name(note.written_by), "Leads only" if note.restricted else None,
                             note, {"programme": note.programme.title if note.programme else None}))
        elif note.written_by_id == reader.user_id:
            # Its writer learns it was saved; what it says is for the leads.
            out.append(Entry("note", note.contact_on, note.written_at, "Note for leads only (you wrote it)",
                             "Saved. Only the leads and safeguarding leads can read it.", None, "Leads only"))
    for m in milestones.reached_by(org, yp):
        out.append(Entry("milestone", m.reached_on, m.recorded_at, m.kind.name, m.note, _name(m.recorded_by),
                         "Milestone", m, {"programme": m.programme.title if m.programme else None}))
    for r in referrals.of(org, yp):
        if r.direction == "in":
            title, detail = f"Referred in by {r.source_label.lower() if r.source != 'other' else r.source_label}", r.note
        else:
            title, detail = f"Signposted to {r.signposted_to}", r.note
        out.append(Entry("referral", r.referred_on, r.recorded_at, title, detail, _name(r.recorded_by),
                         "Referral in" if r.direction == "in" else "Referral out", r,
                         {"programme": r.programme.title if r.programme else None}))
    attended = db.session.execute(
        select(Attendance, ProgrammeSession, Programme)
        .join(ProgrammeSession, Attendance.session_id == ProgrammeSession.id)
        .join(Programme, ProgrammeSession.programme_id == Programme.id)
        .where(Programme.organisation_id == org.id, Attendance.young_person_id == yp.id)).all()
    for a, s, p in attended:
        local_in = to_local(a.checked_in_at, tz)
        times = f"{local_in:%H:%M}" + (f"–{to_local(a.checked_out_at, tz):%H:%M}" if a.checked_out_at else "")
        out.append(Entry("attendance", to_local(s.starts_at, tz).date(), s.starts_at, f"Came to {p.title}",
                         a.notes, None, None, a, {"times": times}))
    for person, incident in db.session.execute(
            select(IncidentPerson, Incident).join(Incident, IncidentPerson.incident_id == Incident.id)
            .where(Incident.organisation_id == org.id, IncidentPerson.young_person_id == yp.id)).all():
        if reader.may_read_incident(incident):
            out.append(Entry("incident", to_local(incident.occurred_at, tz).date(), incident.occurred_at,
                             "Hurt in an incident" if person.injured else "In an incident", None,
                             _name(incident.recorded_by), "Incident", incident))
    if reader.sees_concerns:
        for c in db.session.execute(select(Concern).where(Concern.organisation_id == org.id,
                                                          Concern.young_person_id == yp.id)).scalars():
            # That it exists and its status, with the way to it: the text stays on the concern's page.
            out.append(Entry("concern", to_local(c.raised_at, tz).date(), c.raised_at, "Safeguarding concern",
                             None, None, CONCERN_STATUSES[c.status], c))
    if kind in KINDS:
        out = [e for e in out if e.kind == kind]
    out.sort(key=lambda e: (e.on, e.sort_at), reverse=True)
    return out


def opened(org: Organisation, yp: YoungPerson, reader_user, *, shown: dict, now: datetime | None = None) -> None:
    """A timeline was read: who, whose, and how many entries of each kind (never their text)."""
    audit.record("timeline.viewed", actor=reader_user, organisation=org, subject=yp, now=now or utcnow(), **shown)
    db.session.commit()


def counts(rows: list[Entry]) -> dict[str, int]:
    return {k: sum(1 for e in rows if e.kind == k) for k in KINDS if any(e.kind == k for e in rows)}


def find_known(org: Organisation, query: str, *, limit: int = 30) -> list[YoungPerson]:
    """Young people the organisation knows (privacy.py) whose name contains `query`, for the way
    into a timeline. Names only; an empty query finds nobody (no list of everyone)."""
    from sqlalchemy import func

    from ..privacy import known_young_people

    query = (query or "").strip().lower()[:100]
    if not query:
        return []
    name = func.lower(func.coalesce(YoungPerson.first_name, "") + " " + func.coalesce(YoungPerson.last_name, ""))
    return db.session.execute(
        select(YoungPerson).where(YoungPerson.id.in_(known_young_people(org.id)), YoungPerson.erased_at.is_(None),
                                  YoungPerson.anonymised_at.is_(None), name.contains(query, autoescape=True))
        .order_by(func.lower(YoungPerson.first_name), func.lower(YoungPerson.last_name), YoungPerson.id)
        .limit(limit)).scalars().all()
