from sqlalchemy import case, distinct, func, select

from . import metric
from ._sql import hours_between

HOUR_BANDS = [("under_2", "Under 2 h", 0, 2), ("2_5", "2–5 h", 2, 5), ("5_10", "5–10 h", 5, 10),
              ("10_20", "10–20 h", 10, 20), ("20_plus", "20 h or more", 20, None)]


@metric("dosage", "Dosage: contact hours, weeks and activities")
def dosage(q):
    """Contact hours of an attendance = check-out − check-in when the young person was
    checked out; otherwise the session's scheduled length (end − start), counted and
    labelled apart as "scheduled". Contact hours per participant = sum over their
    attendances in the range. Weeks engaged = (start of last attended session − start
    of first) ÷ 7 days. Activities = number of distinct programme categories attended."""
    # Everything comes from the per-participant summary other metrics share (its hours
    # summed in the same pass over the attendances).
    per = q.attendance_per_participant()
    per_person = select(per.c.young_person_id, func.sum(per.c.measured_hours).label("measured"),
                        func.sum(per.c.scheduled_hours).label("scheduled"),
                        func.sum(per.c.checked_out).label("checked_out"),
                        func.sum(per.c.attended).label("attendances"),
                        (hours_between(func.min(per.c.first_at), func.max(per.c.last_at)) / 168.0).label("weeks"),
                        func.count(distinct(per.c.category)).label("categories")) \
        .group_by(per.c.young_person_id).subquery()
    hours = per_person.c.measured + per_person.c.scheduled
    bands = [func.sum(case((hours >= lo, 1), else_=0) * (case((hours < hi, 1), else_=0) if hi else 1))
             for _, _, lo, hi in HOUR_BANDS]
    row = q.one(select(func.count(), func.sum(per_person.c.measured), func.sum(per_person.c.scheduled),
                       func.sum(per_person.c.checked_out), func.sum(per_person.c.attendances),
                       func.avg(hours), func.avg(per_person.c.weeks), func.avg(per_person.c.categories),
                       *bands).select_from(per_person))
    people = row[0]
    return {"participants": people, "measured_hours": row[1] or 0.0, "scheduled_hours": row[2] or 0.0,
            "checked_out_attendances": row[3] or 0, "attendances": row[4] or 0,
            "mean_hours": row[5] if people else None, "mean_weeks": row[6] if people else None,
            "mean_categories": row[7] if people else None,
            "bands": [{"key": key, "label": label, "participants": row[8 + i] or 0}
                      for i, (key, label, _, _) in enumerate(HOUR_BANDS)]}
