from sqlalchemy import func, select

from . import metric
from ._sql import month_of


@metric("headcounts", "Headcount per session")
def headcounts(q):
    """Headcount of a session = number of young people with an attendance at it.
    Listed for every held session in the range, zeros included; cancelled sessions
    in the range are counted apart and have no headcount. Attendance over time =
    attendances per calendar month (UTC) of the session's start."""
    held, counted = q.held(), q.attendances_per_session()
    per_session = q.rows(
        select(held.c.session_id, held.c.programme_id, held.c.starts_at, month_of(held.c.starts_at),
               func.coalesce(counted.c.n, 0))
        .select_from(held.outerjoin(counted, counted.c.session_id == held.c.session_id))
        .order_by(held.c.starts_at, held.c.session_id))
    # An attendance's month is its session's, so the months add up the sessions' headcounts
    # (a second pass over the attendances would give the same).
    months = {}
    for *_, month, n in per_session:
        if n:
            months[month] = months.get(month, 0) + n
    by_month = sorted(months.items())
    everything = q.sessions(held_only=False).subquery()
    cancelled = q.one(select(func.count()).select_from(everything).where(everything.c.status == "cancelled"))[0]
    sessions = [{"session_id": sid, "programme_id": pid, "starts_at": starts, "headcount": n}
                for sid, pid, starts, _, n in per_session]
    return {
        "sessions": sessions,
        "held": len(sessions),
        "cancelled": cancelled,
        "zero_attendance": sum(1 for s in sessions if s["headcount"] == 0),
        "by_month": [{"month": m, "attendances": n} for m, n in by_month],
    }
