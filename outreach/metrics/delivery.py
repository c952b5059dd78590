"""Delivery and cost (EMMIE's implementation and economic cost): a plain function of the
scope (programme, organisation, platform) and the period, so its figures can be stored."""
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, distinct, exists, func, select

from . import metric
from ..models import Attendance, Organisation, Programme, ProgrammeCost, SessionStaffTime
from ..timeutil import to_local


def _pence(value: Decimal | None):
    return None if value is None else int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@metric("delivery", "Delivery and cost")
def delivery(q):
    """Sessions planned = sessions in the range whose scheduled end has passed, held or
    cancelled. Delivered = planned, not cancelled, and with a register (at least one
    attendance). Cancelled = planned and cancelled. Held with no one registered = planned,
    not cancelled, no attendance. Planned = delivered + cancelled + held with no one
    registered. Sessions still to come are counted apart.
    Staff and volunteer hours = the time recorded for each person at planned sessions.
    Cost counted = each term's cost spread evenly over the term's days: a term counts
    cost × (days of the term inside the range, up to today) ÷ (days in the term).
    Cost per participant = cost counted ÷ participants (young people with at least one
    attendance in the range) of the programmes with a cost entered. Cost per contact hour
    = cost counted ÷ their contact hours (as for dosage: check-out − check-in, or the
    session's length when no check-out was recorded). Not worked out when the view is
    filtered to some young people (age band, gender, district): the cost is everyone's."""
    sessions = q.sessions(held_only=False).subquery()
    a = Attendance.__table__
    due = sessions.c.ends_at <= q.as_of
    registered = exists(select(a.c.id).where(a.c.session_id == sessions.c.session_id))
    per_programme = {}

    def line(pid):
        return per_programme.setdefault(pid, {
            "programme_id": pid, "planned": 0, "delivered": 0, "cancelled": 0, "no_register": 0, "upcoming": 0,
            "staff_minutes": 0, "volunteer_minutes": 0, "cost_pence": Decimal(0), "has_cost": False,
            "participants": 0, "contact_hours": 0.0})

    # The flags worked out per session first, then grouped by name: PostgreSQL does not take
    # two copies of a CASE with bound parameters as the same grouping expression.
    flags = select(sessions.c.programme_id, sessions.c.status, case((due, 1), else_=0).label("is_due"),
                   case((registered, 1), else_=0).label("has_register")).subquery()
    for pid, status, is_due, has_register, n in q.rows(
            select(flags.c.programme_id, flags.c.status, flags.c.is_due, flags.c.has_register, func.count())
            .group_by(flags.c.programme_id, flags.c.status, flags.c.is_due, flags.c.has_register)):
        x = line(pid)
        if not is_due:
            x["upcoming"] += n if status == "scheduled" else 0
            continue
        x["planned"] += n
        key = "cancelled" if status == "cancelled" else "delivered" if has_register else "no_register"
        x[key] += n

    st = SessionStaffTime.__table__
    staff_rows = q.rows(select(sessions.c.programme_id, st.c.role, func.sum(st.c.minutes), func.count())
                        .select_from(st.join(sessions, sessions.c.session_id == st.c.session_id)).where(due)
                        .group_by(sessions.c.programme_id, st.c.role))
    person_sessions = 0
    for pid, role, minutes, n in staff_rows:
        line(pid)[f"{role}_minutes"] += int(minutes or 0)
        person_sessions += n
    with_time = q.one(select(func.count(distinct(st.c.session_id)))
                      .select_from(st.join(sessions, sessions.c.session_id == st.c.session_id)).where(due))[0]

    terms = _terms(q)
    for t in terms:
        if not t["days_counted"]:
            continue  # a term wholly outside the range costs nothing in it
        x = line(t["programme_id"])
        x["has_cost"] = True
        x["cost_pence"] += t["counted"]

    costed = sorted(pid for pid, x in per_programme.items() if x["has_cost"])
    per = q.attendance_per_participant()  # one row per programme and young person who came
    hours = per.c.measured_hours + per.c.scheduled_hours
    for pid, people, contact in q.rows(select(per.c.programme_id, func.count(), func.sum(hours))
                                       .group_by(per.c.programme_id)):
        x = line(pid)
        x["participants"], x["contact_hours"] = people, float(contact or 0)
    if costed:
        people, contact = q.one(select(func.count(distinct(per.c.young_person_id)), func.sum(hours))
                                .where(per.c.programme_id.in_(costed)))
    else:
        people, contact = 0, 0.0
    contact = float(contact or 0)
    cost = sum((per_programme[pid]["cost_pence"] for pid in costed), Decimal(0))

    filtered = q.filters.filters_people
    reason = ("The cost is for everyone in the programme: clear the age band, gender and district filters to see "
              "cost per participant." if filtered else
              None if costed else "No cost entered for the programmes and dates in view.")
    totals = {k: sum(x[k] for x in per_programme.values())
              for k in ("planned", "delivered", "cancelled", "no_register", "upcoming", "staff_minutes",
                        "volunteer_minutes")}
    programmes = []
    for pid in sorted(per_programme):
        x = per_programme[pid]
        programmes.append({**x, "cost_pence": _pence(x["cost_pence"]) if x["has_cost"] else None,
                           "staff_hours": x["staff_minutes"] / 60, "volunteer_hours": x["volunteer_minutes"] / 60,
                           "per_participant_pence": None if filtered or not x["has_cost"] or not x["participants"]
                           else _pence(x["cost_pence"] / x["participants"])})
    return {
        **totals,
        "staff_hours": totals["staff_minutes"] / 60, "volunteer_hours": totals["volunteer_minutes"] / 60,
        "person_sessions": person_sessions, "sessions_with_time": with_time,
        "hours_per_delivered_session": ((totals["staff_minutes"] + totals["volunteer_minutes"]) / 60
                                        / totals["delivered"]) if totals["delivered"] else None,
        "cost": {
            "available": bool(costed) and not filtered, "reason": reason,
            "pence": _pence(cost) if costed else None,
            "participants": people, "contact_hours": contact,
            "per_participant_pence": _pence(cost / people) if costed and people and not filtered else None,
            "per_contact_hour_pence": (_pence(cost / Decimal(str(round(contact, 6)))) if costed and contact
                                       and not filtered else None),
            "terms": [{**t, "counted": _pence(t["counted"])} for t in terms if t["days_counted"]],
            "uncosted_programmes": sorted(pid for pid, x in per_programme.items()
                                          if not x["has_cost"] and x["planned"]),
        },
        "programmes": programmes,
    }


def _terms(q) -> list[dict]:
    """Each term's cost in scope, with the share of its days inside the range (up to today,
    in the organisation's own zone)."""
    c, p, o = ProgrammeCost.__table__, Programme.__table__, Organisation.__table__
    stmt = q._scoped_programmes(
        select(c.c.programme_id, c.c.term, c.c.first_day, c.c.last_day, c.c.amount_pence, o.c.timezone)
        .select_from(c.join(p, p.c.id == c.c.programme_id).join(o, o.c.id == p.c.organisation_id)), p) \
        .order_by(c.c.first_day, c.c.programme_id)
    out = []
    for pid, term, first, last, amount, tz in q.rows(stmt):
        start = to_local(q.filters.start, tz).date() if q.filters.start else first
        end = to_local(min(q.filters.end, q.as_of) if q.filters.end else q.as_of, tz)
        # An end exclusive at midnight (the filters' end) leaves the day before as the last.
        end_day = (end - timedelta(microseconds=1)).date() if q.filters.end and q.filters.end <= q.as_of \
            else end.date()
        inside = (min(last, end_day) - max(first, start)).days + 1
        days = (last - first).days + 1
        inside = max(0, min(inside, days))
        out.append({"programme_id": pid, "term": term, "first_day": first.isoformat(), "last_day": last.isoformat(),
                    "amount_pence": int(amount), "days": days, "days_counted": inside,
                    "counted": Decimal(int(amount)) * inside / days})
    return out
