from sqlalchemy import case, func, select

from . import metric

BANDS = [("1_9", "1–9", 1, 9), ("10_29", "10–29", 10, 29), ("30_59", "30–59", 30, 59), ("60_plus", "60+", 60, None)]


@metric("regular", "Regular attendees and attendance bands")
def regular(q):
    """Sessions attended by a young person = their attendances at held sessions in the
    range, across every programme in scope. Regular attendee = at least N sessions
    (setting, default 30, as in US 21st CCLC reporting). Bands: 1–9, 10–29, 30–59
    and 60+ sessions (30+ = 30–59 plus 60+)."""
    per_person = q.attendances_per_person()
    n, threshold = per_person.c.n, q.settings.regular_sessions
    columns = [func.sum(case((n >= lo, 1), else_=0) * (case((n <= hi, 1), else_=0) if hi else 1))
               for _, _, lo, hi in BANDS]
    row = q.one(select(func.count(), func.sum(case((n >= threshold, 1), else_=0)), *columns).select_from(per_person))
    return {"young_people": row[0], "regular": row[1] or 0, "threshold": threshold,
            "bands": [{"key": key, "label": label, "young_people": row[2 + i] or 0}
                      for i, (key, label, _, _) in enumerate(BANDS)]}
