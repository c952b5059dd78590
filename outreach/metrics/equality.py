"""For whom it works: reach and regular attendees by ethnic group, disability and special
educational needs (issue 17, point 7). Special category data: this metric is the only
reader of the equality answers outside the family's own pages, and everything that shows
its figures suppresses them (web/evaluation/delivery_view.py, exports/funder_return.py),
on the lead's own dashboard too."""
from sqlalchemy import case, func, select

from . import metric
from .regular import regular_per_person
from ..models import EqualityAnswers
from ..models.equality import ETHNIC_HEADING_LABELS, ETHNIC_HEADING_OF, PREFER_NOT, YES_NO

NOT_ANSWERED = "unknown"


def dimensions(e):
    """(key, title, SQL expression of the group, {group: label} in reading order) per breakdown,
    over the equality answers table `e` (outer-joined: no row is "Not answered")."""
    headings = {}
    for category, heading in ETHNIC_HEADING_OF.items():
        headings.setdefault(heading, []).append(category)
    ethnic = case(*[(e.c.ethnic_group.in_(cats), heading) for heading, cats in headings.items()],
                  else_=NOT_ANSWERED)
    not_answered = {NOT_ANSWERED: "Not answered"}
    return [
        ("ethnic_group", "Ethnic group", ethnic, ETHNIC_HEADING_LABELS | not_answered),
        ("disability", "Disability", func.coalesce(e.c.disability, NOT_ANSWERED), YES_NO | not_answered),
        ("special_needs", "Special educational needs", func.coalesce(e.c.special_needs, NOT_ANSWERED),
         YES_NO | not_answered),
    ]


HIDDEN_REASON = ("Shown only without the age band, gender and district filters, so that a small group of young "
                 "people cannot be singled out.")


@metric("equality", "For whom: reach by ethnic group, disability and special educational needs")
def equality(q):
    """Per group of young people, as the family answered the optional equality questions
    (ethnic group by the five GSS harmonised headings, disability, special educational
    needs; "Not answered" where they chose not to answer or were not asked): reach (young
    people with at least one attendance in the range) and regular attendees (as defined
    above). Every group is listed, zeros included. Always shown with small-number
    suppression, also on the organisation's own dashboard, and not with people filters."""
    if q.filters.filters_people:
        return {"hidden": True, "reason": HIDDEN_REASON, "dimensions": []}
    per_person = regular_per_person(q)
    e = EqualityAnswers.__table__
    dims = dimensions(e)
    exprs = [expr for _, _, expr, _ in dims]
    rows = q.rows(select(*exprs, func.count(), func.sum(per_person.c.regular))
                  .select_from(per_person.outerjoin(e, e.c.young_person_id == per_person.c.young_person_id))
                  .group_by(*exprs))
    out = []
    for i, (key, title, _, labels) in enumerate(dims):
        totals = {g: [0, 0] for g in labels}
        for row in rows:
            totals[row[i]][0] += row[-2]
            totals[row[i]][1] += int(row[-1] or 0)
        out.append({"key": key, "title": title,
                    "groups": [{"key": g, "label": labels[g], "reach": n, "regular": r}
                               for g, (n, r) in totals.items()]})
    return {"hidden": False, "reason": None, "dimensions": out}


__all__ = ["dimensions", "equality", "NOT_ANSWERED", "PREFER_NOT"]
