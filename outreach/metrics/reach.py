from sqlalchemy import distinct, func, select

from . import metric


@metric("reach", "Reach and attendances")
def reach(q):
    """Reach = number of distinct young people with at least one attendance at a held
    session in the range. Attendances = number of attendance rows at those sessions
    (one per young person per session)."""
    att = q.attendance()
    young_people, attendances = q.one(
        select(func.count(distinct(att.c.young_person_id)), func.count()).select_from(att))
    return {"reach": young_people, "attendances": attendances}
