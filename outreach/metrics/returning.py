from sqlalchemy import and_, func, select

from . import metric
from .base import ratio
from ..models import Attendance


@metric("returning", "First-time and returning attendees")
def returning(q):
    """At each held session in the range: first-time = attendees for whom it is their
    first attended session of that programme (over all history); returning =
    attendees who had attended that programme before. Returning share = returning ÷
    attendances, per session and overall."""
    firsts, held, a = q.first_attendances(), q.held(), Attendance.__table__
    # Each person's first session per programme, matched to the session(s) of the programme
    # at that moment which they attended: no window over every attendance.
    # (The attendance check matters only when two sessions of a programme start together.)
    came = select(a.c.id).where(a.c.session_id == held.c.session_id, a.c.young_person_id == firsts.c.young_person_id)
    first_time = select(held.c.session_id, func.count().label("n")) \
        .select_from(firsts.join(held, and_(held.c.programme_id == firsts.c.programme_id,
                                            held.c.starts_at == firsts.c.first_at))) \
        .where(came.exists()).group_by(held.c.session_id).subquery()
    attendees = q.attendances_per_session()
    rows = q.rows(select(held.c.session_id, held.c.starts_at, attendees.c.n, func.coalesce(first_time.c.n, 0))
                  .select_from(held.join(attendees, attendees.c.session_id == held.c.session_id)
                               .outerjoin(first_time, first_time.c.session_id == held.c.session_id))
                  .order_by(held.c.starts_at, held.c.session_id))
    sessions = [{"session_id": sid, "starts_at": starts, "attendees": n, "first_time": first,
                 "returning": n - first, "returning_share": ratio(n - first, n)} for sid, starts, n, first in rows]
    attendances = sum(s["attendees"] for s in sessions)
    first_time = sum(s["first_time"] for s in sessions)
    return {"sessions": sessions, "first_time": first_time, "returning": attendances - first_time,
            "returning_share": ratio(attendances - first_time, attendances)}
