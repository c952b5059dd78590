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
    history = q.attendance(in_range=False, name="history")
    firsts = select(history.c.programme_id, history.c.young_person_id,
                    func.min(history.c.starts_at).label("first_at"), func.count().label("n")) \
        .group_by(history.c.programme_id, history.c.young_person_id).cte("firsts")
    held = q.held(in_range=False, name="all_held")
    later = select(firsts.c.programme_id, firsts.c.young_person_id, firsts.c.n,
                   func.count(held.c.session_id).label("later")) \
        .select_from(firsts.outerjoin(held, and_(held.c.programme_id == firsts.c.programme_id,
                                                 held.c.starts_at > firsts.c.first_at))) \
        .where(*q._in_range(firsts.c.first_at)) \
        .group_by(firsts.c.programme_id, firsts.c.young_person_id, firsts.c.n).subquery()
    newcomers, could_return, dropped = q.one(select(
        func.count(), func.sum(case((later.c.later > 0, 1), else_=0)),
        func.sum(case((and_(later.c.later > 0, later.c.n == 1), 1), else_=0))).select_from(later))
    return {"newcomers": newcomers, "could_return": could_return or 0, "dropped_out": dropped or 0,
            "rate": ratio(dropped or 0, could_return)}
