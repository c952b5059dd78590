"""Turn metrics into what a dashboard or report page shows: figures, charts, tables.

`shared=True` is for anything that leaves the organisation (the report page):
counts and rates go through small-number suppression."""
from dataclasses import replace

from ...metrics import REGISTRY, Scope, compute_all
from ...metrics.suppression import count, footnote, is_small, rate, suppress_table
from ...timeutil import to_local
from ...services.surveys import CORE_TEXT
from . import charts


def pct(share):
    return "–" if share is None else f"{round(share * 100)}%"


def num(value, digits=1):
    return "–" if value is None else f"{value:.{digits}f}"


def build(q, *, shared=False, tz="Europe/London", programme_titles=None):
    m = compute_all(q)
    t = q.settings.suppression_threshold
    c = (lambda n: count(n, t)) if shared else (lambda n: n)
    r = (lambda a, b: pct(rate(a, b, t))) if shared else (lambda a, b: pct(a / b if b else None))
    reach, rates, show, reg, dose = m["reach"], m["attendance_rate"], m["show_up"], m["regular"], m["dosage"]
    headline = [
        ("Reach", c(reach["reach"]), "young people who came at least once"),
        ("Attendances", c(reach["attendances"]), "check-ins at held sessions"),
        ("Sessions held", m["headcounts"]["held"], f"{m['headcounts']['cancelled']} cancelled"),
        ("Show-up rate", r(show["attended_booked"], show["booked"]), f"of {c(show['booked'])} bookings"),
        ("Average attendance", pct(rates["average_rate"]) if not shared or rates["participants"] >= t else "–",
         f"over {c(rates['participants'])} participants"),
        ("Retention", r(rates["retained"], rates["participants"]),
         f"came to {round(rates['threshold'] * 100)}%+ of their sessions"),
        ("Regular attendees", c(reg["regular"]), reg["rule_short"]),
        ("Contact hours", num(dose["mean_hours"]) if not shared or dose["participants"] >= t else "–",
         "per participant on average"),
        ("Returning share", r(m["returning"]["returning"], reach["attendances"]), "of attendances"),
        ("First-session drop-out", r(m["first_session_dropout"]["dropped_out"], m["first_session_dropout"]["could_return"]),
         "came once and not again"),
    ]
    out = {"metrics": m, "headline": headline, "shared": shared, "threshold": t,
           "footnote": footnote(t) if shared else None,
           "definitions": [(REGISTRY[k].title, REGISTRY[k].formula) for k in REGISTRY]}
    out["charts"] = _charts(q, m, c, shared, t, tz)
    out["breakdowns"] = _breakdowns(m["breakdown"], shared, t)
    out["surveys"] = _surveys(m["feedback"], c, r, shared, t, programme_titles or {})
    out["cohorts"] = [{"label": co["label"], "size": c(co["size"]),
                       "cells": [r(p["retained"], p["eligible"]) for p in co["curve"]]}
                      for co in m["cohort_retention"]["cohorts"]]
    return out


def _charts(q, m, c, shared, t, tz):
    # Shared: a hidden count is drawn as no bar at all, or its height would give it away.
    h = (lambda n: 0 if is_small(n, t) else n) if shared else (lambda n: n)
    out = {}
    if q.scope.level == "programme" and not shared:
        sessions = m["returning"]["sessions"]
        returning = {s["session_id"]: s for s in sessions}
        bars = []
        for s in m["headcounts"]["sessions"]:
            x = returning.get(s["session_id"], {"first_time": 0, "returning": 0})
            label = to_local(s["starts_at"], tz).strftime("%-d %b")
            bars.append((label, [x["returning"], x["first_time"]], str(c(s["headcount"]))))
        out["over_time"] = charts.columns(
            "Attendance at each session", bars, ["Returning", "First time"],
            "Young people at each held session, split into those who had come before and first-timers.")
    elif q.scope.level == "programme":
        bars = [(to_local(s["starts_at"], tz).strftime("%-d %b"), [h(s["headcount"])], str(c(s["headcount"])))
                for s in m["headcounts"]["sessions"]]
        out["over_time"] = charts.columns("Attendance at each session", bars, ["Young people"],
                                          "Young people at each held session.")
    else:
        bars = [(_month_label(x["month"]), [h(x["attendances"])], str(c(x["attendances"])))
                for x in m["headcounts"]["by_month"]]
        out["over_time"] = charts.columns("Attendances per month", bars, ["Attendances"],
                                          "Attendances at held sessions, by calendar month.")
    overall = m["cohort_retention"]["overall"]
    shares = [(rate(p["retained"], p["eligible"], t) if shared else p["share"]) for p in overall]
    # Draw only the steps anyone could have reached: a six-session programme has no "+8".
    steps = max([p["k"] for p in overall if p["eligible"]] + [1])
    out["cohort"] = charts.lines("Still coming k sessions after their first", [("All cohorts", shares[:steps])],
                                 steps,
                                 "Share of young people who came again at least k sessions after their first.")
    out["bands"] = charts.hbar("Sessions attended per young person",
                               [(f"{b['label']} sessions", h(b["young_people"]), str(c(b["young_people"])))
                                for b in m["regular"]["bands"]],
                               "Young people by the number of sessions they attended.")
    out["dosage"] = charts.hbar("Contact hours per participant",
                                [(b["label"], h(b["participants"]), str(c(b["participants"])))
                                 for b in m["dosage"]["bands"]],
                                "Participants by total contact hours.")
    out["rates"] = charts.hbar("Attendance rate of each participant",
                               [(b["label"], h(b["participants"]), str(c(b["participants"])))
                                for b in m["attendance_rate"]["bands"]],
                               "Participants by the share of offered sessions they attended.")
    return out


def _month_label(month):
    """"2026-10" as "Oct 2026": a two-digit year reads as a day ("Oct 26")."""
    import calendar

    year, mm = month.split("-")
    return f"{calendar.month_abbr[int(mm)]} {year}"


def _breakdowns(dimensions, shared, t):
    out = []
    for d in dimensions:
        groups = d["groups"]
        if shared and groups:
            table = suppress_table([[g["reach"]] for g in groups], t)
            rows = [(g["label"], cell[0]) for g, cell in zip(groups, table.cells)]
            total = table.grand_total
        else:
            rows = [(g["label"], g["reach"]) for g in groups]
            total = sum(g["reach"] for g in groups)
        out.append({"title": d["title"], "rows": rows, "total": total})
    return out


def _surveys(feedback, c, r, shared, t, titles):
    surveys = []
    for s in feedback["surveys"]:
        kind = {"session": "After a session", "start": "Start of programme", "end": "End of programme"}[s["kind"]]
        surveys.append({
            "title": f"{titles.get(s['programme_id'], '')} · {kind}".strip(" ·"), "responses": c(s["responses"]),
            "rate": r(s["responses"], s["eligible"]),
            "questions": [{"text": x["text"], "mean": num(x["mean"]) if not shared or x["answers"] >= t else "–",
                           "counts": _line(x["counts"], shared, t)} for x in s["questions"]],
        })
    change = [{"code": x["code"], "text": CORE_TEXT.get(x["code"], x["code"]), "pairs": c(x["pairs"]),
               "start": num(x["mean_start"]) if not shared or x["pairs"] >= t else "–",
               "end": num(x["mean_end"]) if not shared or x["pairs"] >= t else "–",
               "change": (f"{x['change']:+.1f}" if x["change"] is not None and (not shared or x["pairs"] >= t)
                          else "–"),
               "moves": _line([x["improved"], x["same"], x["worse"]], shared, t)}
              for x in feedback["change"]]
    return {"surveys": surveys, "change": change}


def _line(counts, shared, t):
    """A row of counts whose total is shown elsewhere: suppressed as a table row when shared."""
    if not shared:
        return counts
    return suppress_table([counts], t).cells[0]


# What the partner comparison shows, each from its metric: the same definitions as the dashboards.
PARTNER_METRICS = ["reach", "headcounts", "show_up", "attendance_rate"]


def compare_partners(q, organisations) -> dict:
    """One row per partner (and one for the whole platform): reach, attendances, sessions
    held, show-up rate and retention, each worked out by its metric over that partner's
    programmes with the query's filters. Identified and not suppressed: for platform
    admins only, never to leave the platform."""
    def row(name, m, org=None):
        reach, show, rates = m["reach"], m["show_up"], m["attendance_rate"]
        return {"name": name, "org": org, "reach": reach["reach"], "attendances": reach["attendances"],
                "held": m["headcounts"]["held"], "show_up": pct(show["show_up_rate"]), "booked": show["booked"],
                "retention": pct(rates["retention"]), "participants": rates["participants"]}

    rows = [row(org.name, compute_all(replace(q, scope=Scope(organisation_id=org.id)), PARTNER_METRICS), org)
            for org in organisations]
    everyone = compute_all(replace(q, scope=Scope()), PARTNER_METRICS)
    return {"rows": rows, "platform": row("All partners", everyone),
            "retention_threshold": round(q.settings.retention_threshold * 100),
            "definitions": [(REGISTRY[k].title, REGISTRY[k].formula) for k in ("reach", "show_up", "attendance_rate")]}
