from sqlalchemy import and_, case, func, select

from . import metric
from ._sql import month_of
from ..models import ComparisonMember, FeedbackResponse, Programme, Survey
from ..models.comparison import served_by
from .suppression import rate, suppress_table


@metric("survey_response", "Who answered the start and end surveys")
def survey_response(q):
    """Per programme with a start or end survey, per start cohort (the calendar month of
    a young person's first attended held session of the programme in the range):
    started = young people in that cohort; answered at start = of them, those who
    answered the programme's start survey in the range; answered at end = those who
    answered its end survey in the range; paired = those who answered both, the young
    people change from start to end can be worked out for. Each share is of those who
    started. Answers from a programme's comparison group are not counted here; where the
    programme has one, a line of its own: members the programme has not served, and of
    them those whose answers, marked as comparison, are at start, at end, and both. The
    start survey is due at a young person's first or second session and the end survey at
    the programme's last session, or the programme's set number of weeks after their first
    session (services/survey_timing.py)."""
    sv, fr, p, cm = Survey.__table__, FeedbackResponse.__table__, Programme.__table__, ComparisonMember.__table__
    with_surveys = q._scoped_programmes(select(sv.c.programme_id).join(p, p.c.id == sv.c.programme_id), p) \
        .where(sv.c.kind.in_(["start", "end"]))
    survey_programmes = {pid for (pid,) in q.rows(with_surveys.distinct())}
    if not survey_programmes:
        return {"programmes": []}

    def answered(comparison):
        """Per programme and young person: whether they answered at start and at end (1/0)."""
        stmt = select(sv.c.programme_id, fr.c.young_person_id,
                      func.max(case((sv.c.kind == "start", 1), else_=0)).label("at_start"),
                      func.max(case((sv.c.kind == "end", 1), else_=0)).label("at_end")) \
            .join(sv, sv.c.id == fr.c.survey_id) \
            .where(sv.c.programme_id.in_(survey_programmes), sv.c.kind.in_(["start", "end"]),
                   fr.c.comparison.is_(comparison), fr.c.young_person_id.is_not(None), *q._in_range(fr.c.submitted_at))
        return stmt.group_by(sv.c.programme_id, fr.c.young_person_id).subquery()

    per = q.attendance_per_participant()
    a = answered(False)
    start, end = func.coalesce(a.c.at_start, 0), func.coalesce(a.c.at_end, 0)
    cohort = month_of(per.c.first_at)
    rows = q.rows(select(per.c.programme_id, cohort.label("cohort"), func.count(), func.sum(start), func.sum(end),
                         func.sum(case((and_(start == 1, end == 1), 1), else_=0)))
                  .select_from(per.outerjoin(a, and_(a.c.programme_id == per.c.programme_id,
                                                     a.c.young_person_id == per.c.young_person_id)))
                  .where(per.c.programme_id.in_(survey_programmes))
                  .group_by(per.c.programme_id, cohort).order_by(per.c.programme_id, cohort))
    out: dict[int, dict] = {}
    for programme_id, month, started, at_start, at_end, paired in rows:
        out.setdefault(programme_id, {"programme_id": programme_id, "cohorts": [], "comparison": None})
        out[programme_id]["cohorts"].append({"cohort": month, "started": started, "at_start": int(at_start or 0),
                                             "at_end": int(at_end or 0), "paired": int(paired or 0)})

    c = answered(True)
    members = select(cm.c.programme_id, cm.c.young_person_id).where(cm.c.programme_id.in_(survey_programmes))
    members = q._only_people(members, cm.c.young_person_id).subquery()
    c_start, c_end = func.coalesce(c.c.at_start, 0), func.coalesce(c.c.at_end, 0)
    # Only programmes that have a group: one query each (few), never one per programme in scope.
    grouped = sorted(pid for (pid,) in q.rows(select(members.c.programme_id).distinct()))
    for programme_id in grouped:
        found = q.rows(select(func.count(), func.sum(c_start), func.sum(c_end),
                              func.sum(case((and_(c_start == 1, c_end == 1), 1), else_=0)))
                       .select_from(members.outerjoin(c, and_(c.c.programme_id == members.c.programme_id,
                                                              c.c.young_person_id == members.c.young_person_id)))
                       .where(members.c.programme_id == programme_id,
                              members.c.young_person_id.not_in(served_by(programme_id))))
        n, at_start, at_end, paired = found[0]
        if n:
            entry = out.setdefault(programme_id, {"programme_id": programme_id, "cohorts": [], "comparison": None})
            entry["comparison"] = {"members": n, "at_start": int(at_start or 0), "at_end": int(at_end or 0),
                                   "paired": int(paired or 0)}
    for entry in out.values():
        entry["all"] = {key: sum(x[key] for x in entry["cohorts"]) for key in ("started", "at_start", "at_end", "paired")}
    return {"programmes": [out[pid] for pid in sorted(out)]}


# ---------------------------------------------------------------- as shown
# Shared (the report, the funder return): each column suppressed with its total, as a table of
# one column, so no small count survives or can be worked out from the total.


COLUMNS = [("started", "Started"), ("at_start", "Answered at start"), ("at_end", "Answered at end"),
           ("paired", "Paired (both)")]


def _month_label(month):
    import calendar

    year, mm = month.split("-")
    return f"Started {calendar.month_abbr[int(mm)]} {year}"


def _pct(share):
    return None if share is None else f"{round(share * 100)}%"


def survey_response_view(found, *, shared, t, titles):
    """Per programme: a row per start cohort and one for all of them, each cell a count with
    its share of those who started; the comparison group's line apart (its own base)."""
    out = []
    for p in found["programmes"]:
        cohorts = p["cohorts"]
        labels = [_month_label(x["cohort"]) for x in cohorts]
        raw = [[x[key] for key, _ in COLUMNS] for x in cohorts]
        if shared and raw:
            columns = [suppress_table([[row[j]] for row in raw], t) for j in range(len(COLUMNS))]
            shown = [[columns[j].cells[i][0] for j in range(len(COLUMNS))] for i in range(len(raw))]
            totals = [columns[j].grand_total for j in range(len(COLUMNS))]
        else:
            shown, totals = raw, [p["all"][key] for key, _ in COLUMNS]

        def cells(values, counts):
            started = counts[0]
            line = []
            for j, (value, n) in enumerate(zip(values, counts)):
                share = None
                if j and isinstance(value, int):
                    share = rate(n, started, t) if shared else (n / started if started else None)
                line.append({"count": value, "share": _pct(share)})
            return line

        rows = [{"label": label, "cells": cells(s, r)} for label, s, r in zip(labels, shown, raw)]
        if len(rows) != 1:
            rows.append({"label": "All cohorts", "cells": cells(totals, [p["all"][key] for key, _ in COLUMNS]),
                         "total": True})
        comparison = None
        if p["comparison"]:
            cmp = p["comparison"]
            counts = [cmp["members"], cmp["at_start"], cmp["at_end"], cmp["paired"]]
            values = [suppress_table([[n]], t).cells[0][0] for n in counts] if shared else counts
            comparison = {"label": "Comparison group", "cells": cells(values, counts)}
        out.append({"programme_id": p["programme_id"], "title": titles.get(p["programme_id"], ""), "rows": rows,
                    "comparison": comparison})
    return {"programmes": out, "columns": [label for _, label in COLUMNS]}
