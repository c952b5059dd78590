from sqlalchemy import and_, func, or_, select, union_all

from . import metric
from .base import ratio
from ..models import Attendance, Registration


@metric("show_up", "Show-up rate and no-shows")
def show_up(q):
    """Booked for a session = registrations (for that session, or for the whole
    programme) confirmed before the session started and not cancelled before it.
    Show-up rate = booked young people who attended ÷ booked. No-shows = booked − booked
    who attended. Walk-ins = attendances by young people who were not booked.
    Cancelled in advance = bookings for that one session cancelled before it started;
    they are neither booked nor no-shows. (A course enrolment cancelled early means
    leaving the course, so it is not counted against later sessions.)"""
    held, r, a = q.held(), Registration.__table__, Attendance.__table__

    def kept(on):
        return and_(on, r.c.confirmed_at.is_not(None), r.c.confirmed_at <= held.c.starts_at,
                    or_(r.c.cancelled_at.is_(None), r.c.cancelled_at > held.c.starts_at))

    by_session = select(held.c.session_id, r.c.young_person_id).join(r, kept(r.c.session_id == held.c.session_id))
    by_course = select(held.c.session_id, r.c.young_person_id).join(r, kept(r.c.programme_id == held.c.programme_id))
    booked = union_all(q._only_people(by_session, r.c.young_person_id),
                       q._only_people(by_course, r.c.young_person_id)).subquery()
    booked_rows = q.rows(
        select(booked.c.session_id, func.count(), func.count(a.c.id))
        .select_from(booked.outerjoin(a, and_(a.c.session_id == booked.c.session_id,
                                              a.c.young_person_id == booked.c.young_person_id)))
        .group_by(booked.c.session_id))
    early = select(held.c.session_id, func.count()).join(
        r, and_(r.c.session_id == held.c.session_id, r.c.confirmed_at.is_not(None),
                r.c.cancelled_at.is_not(None), r.c.cancelled_at <= held.c.starts_at))
    early_rows = dict(q.rows(q._only_people(early, r.c.young_person_id).group_by(held.c.session_id)))
    per_session = q.attendances_per_session()
    attended = dict(q.rows(select(per_session.c.session_id, per_session.c.n)
                           .join(held, held.c.session_id == per_session.c.session_id)))
    held_ids = [row[0] for row in q.rows(select(held.c.session_id).order_by(held.c.starts_at))]

    booked_by = {sid: (n, came) for sid, n, came in booked_rows}
    sessions = []
    for sid in held_ids:
        n, came = booked_by.get(sid, (0, 0))
        sessions.append({"session_id": sid, "booked": n, "attended_booked": came, "no_shows": n - came,
                         "walk_ins": attended.get(sid, 0) - came, "cancelled_in_advance": early_rows.get(sid, 0),
                         "show_up_rate": ratio(came, n)})
    total_booked = sum(s["booked"] for s in sessions)
    total_came = sum(s["attended_booked"] for s in sessions)
    return {"sessions": sessions, "booked": total_booked, "attended_booked": total_came,
            "no_shows": total_booked - total_came, "walk_ins": sum(s["walk_ins"] for s in sessions),
            "cancelled_in_advance": sum(s["cancelled_in_advance"] for s in sessions),
            "show_up_rate": ratio(total_came, total_booked)}
