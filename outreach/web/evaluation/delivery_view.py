"""What the dashboard and the report show of delivery and cost, and of "for whom"
(issue 17, points 6 and 7), from the `delivery` and `equality` metrics."""
from ...metrics.suppression import count, suppress_table
from ...services.delivery import pounds_text


def _money(pence):
    return "–" if pence is None else pounds_text(pence)


def _hours(value):
    return "–" if value is None else f"{value:,.1f}"


def delivery_view(d, *, shared, t, titles) -> dict:
    """Sessions planned and delivered, staff and volunteer hours, cost per participant and per
    contact hour. Shared: the participant count is suppressed, and cost per participant is
    hidden when fewer than `t` participants are behind it (it would give their number away)."""
    c = (lambda n: count(n, t)) if shared else (lambda n: n)
    cost = d["cost"]
    few = shared and 0 < cost["participants"] < t
    programmes = []
    for x in d["programmes"]:
        if not (x["planned"] or x["upcoming"] or x["cost_pence"] is not None):
            continue
        few_here = shared and 0 < x["participants"] < t
        programmes.append({
            "title": titles.get(x["programme_id"], ""), "planned": x["planned"], "delivered": x["delivered"],
            "cancelled": x["cancelled"], "no_register": x["no_register"],
            "hours": _hours(x["staff_hours"] + x["volunteer_hours"]), "cost": _money(x["cost_pence"]),
            "per_participant": "–" if few_here else _money(x["per_participant_pence"])})
    return {
        "planned": d["planned"], "delivered": d["delivered"], "cancelled": d["cancelled"],
        "no_register": d["no_register"], "upcoming": d["upcoming"],
        "staff_hours": _hours(d["staff_hours"]), "volunteer_hours": _hours(d["volunteer_hours"]),
        "per_session": _hours(d["hours_per_delivered_session"]), "sessions_with_time": d["sessions_with_time"],
        "cost_available": cost["available"], "cost_reason": cost["reason"], "cost": _money(cost["pence"]),
        "participants": c(cost["participants"]), "contact_hours": _hours(cost["contact_hours"]),
        "per_participant": "–" if few else _money(cost["per_participant_pence"]),
        "per_contact_hour": "–" if few else _money(cost["per_contact_hour_pence"]),
        "few": few,
        "terms": [{"title": titles.get(x["programme_id"], ""), "term": x["term"], "first_day": x["first_day"],
                   "last_day": x["last_day"], "amount": _money(x["amount_pence"]), "counted": _money(x["counted"]),
                   "days": x["days"], "days_counted": x["days_counted"]} for x in cost["terms"]],
        "uncosted": [titles.get(pid, "") for pid in cost["uncosted_programmes"]],
        "by_programme": programmes if len(programmes) > 1 else [],
    }


def equality_view(e, *, t) -> dict:
    """Reach and regular attendees per group, always suppressed (also on the organisation's
    own dashboard: special category data). The totals are taken as known to the reader
    (reach and regular attendees are headline figures), so hidden cells are protected
    against them, and a breakdown that cannot be protected is withheld whole."""
    if e["hidden"]:
        return {"hidden": True, "reason": e["reason"], "dimensions": []}
    out = []
    for dim in e["dimensions"]:
        groups = dim["groups"]
        reach = sum(g["reach"] for g in groups)
        if not reach:
            out.append({"title": dim["title"], "rows": [], "withheld": False})
            continue
        table = suppress_table([[g["regular"], g["reach"] - g["regular"]] for g in groups], t, published_totals=True)
        rows = [{"label": g["label"], "regular": cells[0], "other": cells[1], "reach": total}
                for g, cells, total in zip(groups, table.cells, table.row_totals)]
        out.append({"title": dim["title"], "withheld": table.withheld, "rows": rows,
                    "total": {"regular": table.column_totals[0], "other": table.column_totals[1],
                              "reach": table.grand_total}})
    return {"hidden": False, "reason": None, "dimensions": out}
