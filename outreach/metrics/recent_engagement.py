from sqlalchemy import case, func, literal, select, union_all

from . import metric
from .base import ratio
from ..models import Attendance


@metric("recent_engagement", "Engagement over the last sessions")
def recent_engagement(q):
    """Last N sessions = the N most recent held sessions of each programme in the range
    (setting, default 4). Among participants who attended at least once in the range:
    active = attended at least one of the last N sessions; dropped out = attended
    before but none of the last N. Recent attendance rate = attendances at the last N
    sessions ÷ last-N sessions offered to those participants (those since their start)."""
    n = q.settings.recent_sessions
    held = q.held(name="held_for_recent")
    ranked = select(held.c.session_id, held.c.programme_id, q.latest_first(held).label("rn")).subquery()
    recent = select(ranked).where(ranked.c.rn <= n).subquery()
    part, a = q.participation(), Attendance.__table__
    offered = select(part.c.programme_id, part.c.young_person_id, part.c.offered_recent.label("offered"),
                     literal(0).label("attended")).where(part.c.attended > 0)
    # Everyone who came to a programme's last sessions came in the range, so is among
    # those rows; attendances there all fall on or after the attendee's start.
    came = q._only_people(select(recent.c.programme_id, a.c.young_person_id, literal(0), func.count())
                          .select_from(recent.join(a, a.c.session_id == recent.c.session_id)), a.c.young_person_id) \
        .group_by(recent.c.programme_id, a.c.young_person_id)
    both = union_all(offered, came).subquery()
    per_person = select(func.sum(both.c.offered).label("offered"), func.sum(both.c.attended).label("attended")) \
        .group_by(both.c.programme_id, both.c.young_person_id).subquery()
    people, active, offered, attended = q.one(select(
        func.count(), func.sum(case((per_person.c.attended > 0, 1), else_=0)),
        func.sum(per_person.c.offered), func.sum(per_person.c.attended)).select_from(per_person))
    active = active or 0
    return {"last_n": n, "participants": people, "active": active, "dropped_out": people - active,
            "recent_rate": ratio(attended or 0, offered or 0)}
