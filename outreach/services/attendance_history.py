"""Each young person's attendance as their family sees it: per programme, the sessions they
came to and the ones they missed.

A session counts once it has been held (scheduled, not cancelled, and started). It was
offered to the young person when they had a place on it: a confirmed booking of that
session, or a confirmed place on the course made before the session started (as the
evaluation's attendance rate counts "sessions held since they enrolled"). Attended: checked
in. Missed: offered and not checked in. A session they came to without a booking (a drop-in,
a walk-in) counts as attended.
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Attendance, Programme, ProgrammeSession, Registration
from ..timeutil import utcnow


@dataclass
class SessionLine:
    starts_at: datetime
    attended: bool


@dataclass
class ProgrammeHistory:
    programme_id: int
    title: str
    organisation: str
    tz: str
    sessions: list[SessionLine] = field(default_factory=list)  # newest first
    programme: object = None  # the Programme itself: its title in the reader's language (in_language)

    @property
    def attended(self) -> int:
        return sum(s.attended for s in self.sessions)

    @property
    def missed(self) -> int:
        return sum(not s.attended for s in self.sessions)


def history_by_child(people, *, now: datetime | None = None) -> dict[int, list[ProgrammeHistory]]:
    """Per young person id, their programmes with sessions attended and missed, the programme
    with the latest session first; programmes with no session held yet are left out."""
    now = now or utcnow()
    ids = [yp.id for yp in people]
    result: dict[int, list[ProgrammeHistory]] = {i: [] for i in ids}
    if not ids:
        return result
    held = (ProgrammeSession.status == "scheduled") & (ProgrammeSession.starts_at <= now)
    came = {(yp_id, session_id) for yp_id, session_id in db.session.execute(
        select(Attendance.young_person_id, Attendance.session_id).where(Attendance.young_person_id.in_(ids)))}
    offered: dict[int, set[int]] = {i: set() for i in ids}
    # Booked sessions that have been held.
    for yp_id, session_id in db.session.execute(
            select(Registration.young_person_id, Registration.session_id)
            .join(ProgrammeSession, Registration.session_id == ProgrammeSession.id)
            .where(Registration.young_person_id.in_(ids), Registration.status == "confirmed", held)):
        offered[yp_id].add(session_id)
    # Courses: every session held since the place was confirmed.
    for yp_id, session_id in db.session.execute(
            select(Registration.young_person_id, ProgrammeSession.id)
            .join(ProgrammeSession, Registration.programme_id == ProgrammeSession.programme_id)
            .where(Registration.young_person_id.in_(ids), Registration.status == "confirmed", held,
                   ProgrammeSession.starts_at >= Registration.confirmed_at)):
        offered[yp_id].add(session_id)
    for yp_id, session_id in came:
        offered[yp_id].add(session_id)
    all_sessions = {sid for s in offered.values() for sid in s}
    if not all_sessions:
        return result
    rows = db.session.execute(
        select(ProgrammeSession, Programme).join(Programme, ProgrammeSession.programme_id == Programme.id)
        .where(ProgrammeSession.id.in_(all_sessions))).all()
    sessions = {s.id: (s, p) for s, p in rows}
    for yp_id in ids:
        by_programme: dict[int, ProgrammeHistory] = {}
        for session_id in offered[yp_id]:
            s, p = sessions[session_id]
            line = by_programme.setdefault(p.id, ProgrammeHistory(p.id, p.title, p.organisation.name,
                                                                  p.organisation.timezone, programme=p))
            line.sessions.append(SessionLine(s.starts_at, (yp_id, session_id) in came))
        for line in by_programme.values():
            line.sessions.sort(key=lambda x: x.starts_at, reverse=True)
        result[yp_id] = sorted(by_programme.values(), key=lambda h: h.sessions[0].starts_at, reverse=True)
    return result
