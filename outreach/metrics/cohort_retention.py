from sqlalchemy import and_, case, func, select

from . import metric
from ._sql import month_of
from .base import ratio


@metric("cohort_retention", "Cohort retention curve")
def cohort_retention(q):
    """Number the held sessions of each programme in the range 1, 2, 3… by start. A
    young person's start session s0 is the first of them they attended. Retention at
    step k = of those whose start session s0 is followed by a session numbered s0+k,
    the share who attended any session numbered s0+k or later; k = 1…K (setting,
    default 8). Cohorts: young people with the same start session (one programme), or
    the same calendar month of their start session (organisation and platform)."""
    steps = q.settings.cohort_steps
    spans = q.attendance_per_participant()
    by_session = q.scope.level == "programme"
    cohort = spans.c.first_idx if by_session else month_of(spans.c.first_at)
    columns = []
    for k in range(1, steps + 1):
        eligible = spans.c.first_idx + k <= spans.c.held
        columns += [func.sum(case((eligible, 1), else_=0)),
                    func.sum(case((and_(eligible, spans.c.last_idx >= spans.c.first_idx + k), 1), else_=0))]
    rows = q.rows(select(cohort.label("cohort"), func.count(), *columns)
                  .group_by(cohort).order_by(cohort))
    cohorts, totals = [], [[0, 0] for _ in range(steps)]
    for row in rows:
        curve = []
        for k in range(steps):
            eligible, retained = row[2 + 2 * k] or 0, row[3 + 2 * k] or 0
            totals[k][0] += eligible
            totals[k][1] += retained
            curve.append({"k": k + 1, "eligible": eligible, "retained": retained, "share": ratio(retained, eligible)})
        label = f"From session {row[0]}" if by_session else f"Started {row[0]}"
        cohorts.append({"cohort": row[0], "label": label, "size": row[1], "curve": curve})
    overall = [{"k": k + 1, "eligible": e, "retained": r, "share": ratio(r, e)} for k, (e, r) in enumerate(totals)]
    return {"steps": steps, "cohorts": cohorts, "overall": overall, "by": "session" if by_session else "month"}
