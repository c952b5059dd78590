"""Who answered the start and end surveys, per start cohort, as a page shows it (issue 17,
point 2). Shared (the report, the funder return): each column suppressed with its total,
as a table of one column, so no small count survives or can be worked out from the total."""
from ...metrics.suppression import rate, suppress_table

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
