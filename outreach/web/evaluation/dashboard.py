"""Turn metrics into what a dashboard or report page shows: figures, charts, tables.

`shared=True` is for anything that leaves the organisation (the report page):
counts and rates go through small-number suppression."""
import inspect
from dataclasses import replace

from ... import instruments
from ...metrics import REGISTRY, Scope, compute_all
from ...metrics.change import NOT_RANDOMISED, detectable_effect, difference_in_change, paired_change, signed_rank
from ...models import COMPARISON_SOURCES
from ...metrics.referrals import referrals_view
from ...metrics.suppression import count, footnote, is_small, rate, suppress_table
from ...timeutil import to_local
from ...services.surveys import CORE_TEXT
from . import charts
from .delivery_view import delivery_view, equality_view
from ...metrics.survey_response import survey_response_view


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
           "definitions": [(REGISTRY[k].title, REGISTRY[k].formula) for k in REGISTRY] + CHANGE_DEFINITIONS}
    out["charts"] = _charts(q, m, c, shared, t, tz)
    out["breakdowns"] = _breakdowns(m["breakdown"], shared, t)
    out["surveys"] = _surveys(m["feedback"], c, r, shared, t, programme_titles or {})
    out["comparison"] = comparison_view(m["comparison"], c, shared, t, programme_titles or {})
    out["benchmarks"] = benchmark_view(m["benchmark"], c, shared, t, programme_titles or {})
    out["delivery"] = delivery_view(m["delivery"], shared=shared, t=t, titles=programme_titles or {})
    out["equality"] = equality_view(m["equality"], t=t)
    out["survey_response"] = survey_response_view(m["survey_response"], shared=shared, t=t,
                                                  titles=programme_titles or {})
    out["scope_programme_id"] = q.scope.programme_id
    out["referrals"] = referrals_view(m["referrals"], shared=shared, threshold=t, titles=programme_titles or {})
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


# How the start-to-end change is worked out, printed with the metrics' own definitions.
CHANGE_DEFINITIONS = [("Change from start to end", inspect.cleandoc(paired_change.__doc__)),
                      ("Wilcoxon signed-rank test", inspect.cleandoc(signed_rank.__doc__)),
                      ("Smallest change the pairs could detect", inspect.cleandoc(detectable_effect.__doc__)),
                      ("Difference between the groups", inspect.cleandoc(difference_in_change.__doc__))]


def _surveys(feedback, c, r, shared, t, titles):
    surveys, used = [], {}
    for s in feedback["surveys"]:
        kind = {"session": "After a session", "start": "Start of programme", "end": "End of programme"}[s["kind"]]
        tables = []
        for x in s["questions"]:
            inst = instruments.get(x.get("instrument"))
            if inst is not None:
                used[inst.code] = inst
                if shared and inst.has_score:  # the report gives its published score, not item by item
                    continue
            scale = (x.get("min", 1), x.get("max", 5), inst)
            if not tables or tables[-1]["scale"] != scale:
                tables.append({"scale": scale, "values": list(range(scale[0], scale[1] + 1)),
                               "title": inst.title if inst else None, "rows": []})
            tables[-1]["rows"].append({"text": x["text"],
                                       "mean": num(x["mean"]) if not shared or x["answers"] >= t else "–",
                                       "counts": _line(x["counts"], shared, t)})
        surveys.append({
            "title": f"{titles.get(s['programme_id'], '')} · {kind}".strip(" ·"), "responses": c(s["responses"]),
            "rate": r(s["responses"], s["eligible"]), "tables": tables,
            # Kept for pages that list every question in one table.
            "questions": [row for table in tables for row in table["rows"]],
        })
    change = []
    for x in feedback["change"]:
        inst, item = _item_of(x["code"])
        if inst is not None:
            used[inst.code] = inst
        if shared and inst is not None and inst.has_score:
            continue
        label = f"{inst.short_title}: {item.text}" if inst else CORE_TEXT.get(x["code"], x["code"])
        change.append(_change_row(label, x["stats"], c, shared, t) | {"code": x["code"]})
    scores = []
    for x in feedback.get("scores", []):
        inst = instruments.get(x["instrument"])
        used[inst.code] = inst
        scores.append(_change_row(x["name"], x["stats"], c, shared, t) | {"code": x["instrument"]})
    # Said once above the table when every line has the same pairs, as is usual.
    notes = {row.get("detectable_text") for row in change + scores}
    detectable_note = notes.pop() if len(notes) == 1 else None
    if detectable_note:
        for row in change + scores:
            row["detectable_text"] = None
    return {"surveys": surveys, "change": change, "scores": scores, "min_pairs": feedback.get("min_pairs"),
            "detectable_note": detectable_note, "attributions": [i.attribution for i in used.values()]}


def _item_of(code):
    """The instrument and item a shared question code names ("swemwbs_3"), or (None, None)."""
    name, _, number = (code or "").rpartition("_")
    inst = instruments.get(name)
    if inst is None or not number.isdigit() or int(number) not in {i.number for i in inst.items}:
        return None, None
    return inst, inst.item(int(number))


def signed(value, digits=2):
    if value is not None and round(value, digits) == 0:
        value = 0.0  # never "-0.00"
    return "–" if value is None else f"{value:+.{digits}f}"


def _p(p):
    # No-break spaces: "p = 0.004" stays on one line in a narrow column.
    return "–" if p is None else ("p\u00a0<\u00a00.001" if p < 0.001 else f"p\u00a0=\u00a0{p:.3f}")


def _change_row(label, st, c, shared, t):
    """One line of the change table. A finding only with enough pairs; in a shared report
    nothing but the suppressed count when the pairs are few."""
    hidden = shared and st.pairs < t
    row = {"text": label, "pairs": c(st.pairs), "enough": st.enough and not hidden,
           "detectable": None if st.detectable is None else f"{st.detectable:.2f}",
           "start": "–", "end": "–", "change": "–", "interval": "–", "effect": "–", "moves": "–", "shares": "",
           "wilcoxon": "–"}
    if st.detectable is not None and not hidden:
        row["detectable_text"] = (f"With {st.pairs} pairs, only a change of {st.detectable:.2f} standard "
                                  "deviations or more would show at 80% power.")
    elif not hidden:
        row["detectable_text"] = "With fewer than two pairs no change could show."
    if not row["enough"]:
        return row
    row.update(start=num(st.mean_before, 2), end=num(st.mean_after, 2), change=signed(st.mean_change),
               moves=" / ".join(str(n) for n in _line([st.up, st.same, st.down], shared, t)))
    if st.ci_low is not None:
        row["interval"] = f"{signed(st.ci_low)} to {signed(st.ci_high)}"
        row["effect"] = f"{st.effect_size:.2f}"
    else:
        row["interval"] = "every pair changed by the same amount"
    if not shared:
        row["shares"] = " / ".join(pct(st.share(n)) for n in (st.up, st.same, st.down))
    if st.wilcoxon is not None:
        row["wilcoxon"] = _p(st.wilcoxon.p_value)
    elif st.up == st.down == 0:
        row["wilcoxon"] = "nobody changed"
    return row


def _line(counts, shared, t):
    """A row of counts whose total is shown elsewhere: suppressed as a table row when shared."""
    if not shared:
        return counts
    return suppress_table([counts], t).cells[0]


# How the group's make-up reads: "(24 from the waiting list, 6 not yet served)".
MAKE_UP = {"waiting_list": "from the waiting list", "not_yet_served": "not yet served"}


def comparison_view(found, c, shared, t, titles):
    """Each programme's served and comparison groups side by side, with the difference.
    Shared: counts suppressed, the group's make-up as a suppressed table, and a line only
    when both groups have at least `t` pairs (else only its suppressed pair counts)."""
    out = []
    for p in found["programmes"]:
        sources = [(MAKE_UP[key], p["by_source"].get(key, 0)) for key in COMPARISON_SOURCES]
        sources = [(label, n) for label, n in sources if n]
        if shared:
            table = suppress_table([[n] for _, n in sources], t)
            make_up = [(label, cell[0]) for (label, _), cell in zip(sources, table.cells)]
            members = table.grand_total
        else:
            make_up, members = sources, p["members"]
        rows = []
        for x in p["rows"]:
            if x["kind"] == "score":
                inst = instruments.get(x["code"])
                label, strong = inst.score_name, True
            else:
                inst, item = _item_of(x["code"])
                if shared and inst is not None and inst.has_score:  # the report gives the score, as above
                    continue
                label = f"{inst.short_title}: {item.text}" if inst else CORE_TEXT.get(x["code"], x["code"])
                strong = False
            rows.append(_difference_row(label, strong, x["stats"], c, shared, t, found["min_pairs"]))
        # Said once above the table when every line lacks a finding for the same reason, as is usual.
        reasons = {row["why"] for row in rows}
        why = reasons.pop() if len(reasons) == 1 and None not in reasons else None
        if why:
            for row in rows:
                row["why"] = None
        out.append({"programme_id": p["programme_id"], "title": titles.get(p["programme_id"], ""),
                    "members": members, "make_up": make_up, "rows": rows, "why": why})
    return {"programmes": out, "min_pairs": found["min_pairs"], "label": NOT_RANDOMISED}


def _difference_row(label, strong, st, c, shared, t, min_pairs):
    """One line: each group's pairs and mean change with its interval, and the difference
    with Welch's interval, or why there is no finding."""
    served, comparison = st.served, st.comparison
    hidden = shared and (served.pairs < t or comparison.pairs < t)
    row = {"text": label, "strong": strong, "served_pairs": c(served.pairs), "comparison_pairs": c(comparison.pairs),
           "enough": st.enough and not hidden, "why": None}
    if not st.enough:
        short = [name for name, g in (("served", served), ("comparison", comparison)) if g.pairs < min_pairs]
        row["why"] = (f"Too few pairs to say: a finding needs {min_pairs} in each group, and the "
                      f"{' and the '.join(short)} group{'s have' if len(short) > 1 else ' has'} fewer.")
        return row
    if hidden:
        row["why"] = f"Too few pairs to show in a report that leaves the organisation: each group needs at least {t}."
        return row

    def group(g):
        interval = (f"{signed(g.ci_low)} to {signed(g.ci_high)}" if g.ci_low is not None
                    else "every pair changed by the same amount")
        return {"start": num(g.mean_before, 2), "end": num(g.mean_after, 2), "change": signed(g.mean_change),
                "interval": interval}

    row["served"], row["comparison"] = group(served), group(comparison)
    row["difference"] = signed(st.difference)
    row["interval"] = (f"{signed(st.ci_low)} to {signed(st.ci_high)}" if st.ci_low is not None
                       else "no spread in either group")
    return row


def benchmark_view(found, c, shared, t, titles):
    """The programme's share answering as the national figure counts, at start and at end,
    beside the national figure and the lead's force-area figure. Shared: a share is hidden
    when its count is small or fewer than `t` answered."""
    rows = []
    for x in found["rows"]:
        inst, item = _item_of(x["question"])
        national = x["national"]

        def share(kind):
            k = x[kind]
            value = rate(k["counted"], k["answers"], t) if shared else k["share"]
            return {"share": pct(value), "answers": c(k["answers"]), "counted": c(k["counted"])}

        rows.append({"programme_id": x["programme_id"], "title": titles.get(x["programme_id"], ""),
                     "question": x["question"], "text": item.text if item else x["question"],
                     "instrument": inst.short_title if inst else "", "measure": national.measure,
                     "start": share("start"), "end": share("end"),
                     "national": {"percent": percent_text(national.percent), "population": national.population,
                                  "year": national.year, "source": national.source, "url": national.url,
                                  "licence": national.licence},
                     "area": ({"area": x["area"]["area"], "percent": percent_text(x["area"]["percent"]),
                               "year": x["area"]["year"], "source": x["area"]["source"]} if x["area"] else None)})
    return {"rows": rows}


def percent_text(value):
    """A published percentage as written: 49 as "49%", 48.5 as "48.5%"."""
    return f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%"


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
