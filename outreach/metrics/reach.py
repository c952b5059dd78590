from sqlalchemy import distinct, func, select

from . import metric


@metric("reach", "Reach and attendances")
def reach(q):
    """Reach = number of distinct young people with at least one attendance at a held
    session in the range. Attendances = number of attendance rows at those sessions
    (one per young person per session)."""
    per = q.attendance_per_participant()
    young_people, attendances = q.one(select(func.count(distinct(per.c.young_person_id)), func.sum(per.c.attended)))
    return {"reach": young_people, "attendances": int(attendances or 0)}
