"""Places left, for the catalogue and booking pages (read-only; booking itself
counts again under a lock in registration.py).

A session's places depend on its programme's mode: `per_session` counts the
session's own confirmed bookings, `enrol` counts the programme's enrolments
(everyone enrolled is expected at every session), `drop_in` has no bookings
and so no places to show (None).
"""
from sqlalchemy import func, select

from ..extensions import db
from ..models import Programme, ProgrammeSession, Registration


def places_left_for_sessions(session_ids) -> dict[int, int | None]:
    session_ids = list(session_ids)
    if not session_ids:
        return {}
    rows = db.session.execute(
        select(ProgrammeSession.id, ProgrammeSession.capacity, Programme.id, Programme.capacity,
               Programme.registration_mode)
        .join(Programme, ProgrammeSession.programme_id == Programme.id)
        .where(ProgrammeSession.id.in_(session_ids))
    ).all()
    per_session = dict(db.session.execute(
        select(Registration.session_id, func.count())
        .where(Registration.session_id.in_(session_ids), Registration.status == "confirmed")
        .group_by(Registration.session_id)
    ).all())
    enrol_programmes = {prog_id for _, _, prog_id, _, mode in rows if mode == "enrol"}
    enrolled = dict(db.session.execute(
        select(Registration.programme_id, func.count())
        .where(Registration.programme_id.in_(enrol_programmes), Registration.status == "confirmed")
        .group_by(Registration.programme_id)
    ).all()) if enrol_programmes else {}

    result: dict[int, int | None] = {}
    for session_id, session_capacity, prog_id, prog_capacity, mode in rows:
        if mode == "drop_in":
            result[session_id] = None
            continue
        taken = per_session.get(session_id, 0) if mode == "per_session" else enrolled.get(prog_id, 0)
        capacity = session_capacity if session_capacity is not None else prog_capacity
        result[session_id] = max(capacity - taken, 0)
    return result


def places_left_for_programmes(programme_ids) -> dict[int, int | None]:
    """Places left on a whole course (enrol) for listing cards; None for other modes."""
    programme_ids = list(programme_ids)
    if not programme_ids:
        return {}
    rows = db.session.execute(
        select(Programme.id, Programme.capacity, Programme.registration_mode).where(Programme.id.in_(programme_ids))
    ).all()
    enrolled = dict(db.session.execute(
        select(Registration.programme_id, func.count())
        .where(Registration.programme_id.in_(programme_ids), Registration.status == "confirmed")
        .group_by(Registration.programme_id)
    ).all())
    return {pid: (max(cap - enrolled.get(pid, 0), 0) if mode == "enrol" else None) for pid, cap, mode in rows}
