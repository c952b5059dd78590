from sqlalchemy import and_, case, func, select

from . import metric
from .base import ratio


@metric("first_session_dropout", "First-session drop-out")
def first_session_dropout(q):
    """For each young person whose first attendance at a programme falls in the range:
    they dropped out after the first session when they attended that programme only
    once although at least one later session of it has been held. Rate = those
    drop-outs ÷ young people whose first attendance was followed by at least one held
    session."""
    firsts = q.first_attendances()
    held = q.held(in_range=False, name="all_held")
    # A later session has been held exactly when the programme's last held session
    # started after their first: one row per programme to compare with, not a join
    # with every later session.
    last = select(held.c.programme_id, func.max(held.c.starts_at).label("last_at")) \
        .group_by(held.c.programme_id).subquery()
    could = firsts.c.first_at < last.c.last_at
    newcomers, could_return, dropped = q.one(select(
        func.count(), func.sum(case((could, 1), else_=0)),
        func.sum(case((and_(could, firsts.c.attended == 1), 1), else_=0)))
        .select_from(firsts.join(last, last.c.programme_id == firsts.c.programme_id))
        .where(*q._in_range(firsts.c.first_at)))
    return {"newcomers": newcomers, "could_return": could_return or 0, "dropped_out": dropped or 0,
            "rate": ratio(dropped or 0, could_return)}
