from sqlalchemy import case, func, over, select

from . import metric
from .base import ratio


@metric("returning", "First-time and returning attendees")
def returning(q):
    """At each held session in the range: first-time = attendees for whom it is their
    first attended session of that programme (over all history); returning =
    attendees who had attended that programme before. Returning share = returning ÷
    attendances, per session and overall."""
    history = q.attendance(in_range=False, name="history")
    first_at = over(func.min(history.c.starts_at), partition_by=[history.c.programme_id, history.c.young_person_id])
    marked = select(history.c.session_id, history.c.starts_at, first_at.label("first_at")).subquery()
    is_first = case((marked.c.first_at == marked.c.starts_at, 1), else_=0)
    rows = q.rows(select(marked.c.session_id, marked.c.starts_at, func.count(), func.sum(is_first))
                  .where(*q._in_range(marked.c.starts_at))
                  .group_by(marked.c.session_id, marked.c.starts_at).order_by(marked.c.starts_at))
    sessions = [{"session_id": sid, "starts_at": starts, "attendees": n, "first_time": first,
                 "returning": n - first, "returning_share": ratio(n - first, n)} for sid, starts, n, first in rows]
    attendances = sum(s["attendees"] for s in sessions)
    first_time = sum(s["first_time"] for s in sessions)
    return {"sessions": sessions, "first_time": first_time, "returning": attendances - first_time,
            "returning_share": ratio(attendances - first_time, attendances)}
