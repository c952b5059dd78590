from datetime import timedelta

from sqlalchemy import func, literal, select

from . import metric
from ..models import REFERRAL_OUTCOMES, REFERRAL_SOURCES, Programme, Referral


def _day(moment):
    # The filters are local days turned into UTC instants (midnight where the organisation is);
    # half a day on gives back the local day for any zone within 12 hours of UTC.
    return (moment + timedelta(hours=12)).date()


@metric("referrals", "Referrals in and out")
def referrals(q):
    """Referrals in = referrals recorded as made to the organisation (who referred: school,
    police, social care, self, family, other) whose date falls in the range; signposted out =
    referrals recorded as made by it to another service in the range, by what came of it (not
    known yet, took it up, chose not to, not accepted there, lost contact). Counted per
    programme they were recorded against ("not for one programme" otherwise). Each referral
    counts once, whoever it is about; an erased young person's referrals still count."""
    r, p = Referral.__table__, Programme.__table__
    kind = func.coalesce(r.c.source, r.c.outcome, literal("waiting"))
    stmt = (select(r.c.programme_id, r.c.direction, kind.label("kind"), func.count().label("n"))
            .select_from(r.outerjoin(p, p.c.id == r.c.programme_id)))
    if q.scope.programme_id:
        stmt = stmt.where(r.c.programme_id == q.scope.programme_id)
    elif q.scope.organisation_id:
        stmt = stmt.where(r.c.organisation_id == q.scope.organisation_id)
    if q.filters.category:
        stmt = stmt.where(p.c.category == q.filters.category)
    if q.filters.start:
        stmt = stmt.where(r.c.referred_on >= _day(q.filters.start))
    if q.filters.end:
        stmt = stmt.where(r.c.referred_on < _day(q.filters.end))
    stmt = q._only_people(stmt, r.c.young_person_id)
    rows = q.rows(stmt.group_by(r.c.programme_id, r.c.direction, kind))
    programmes: dict = {}
    by_source = {k: 0 for k in REFERRAL_SOURCES}
    by_outcome = {k: 0 for k in REFERRAL_OUTCOMES}
    for programme_id, direction, key, n in rows:
        line = programmes.setdefault(programme_id, {"programme_id": programme_id, "in": 0, "out": 0})
        line[direction] += n
        (by_source if direction == "in" else by_outcome)[key] = \
            (by_source if direction == "in" else by_outcome).get(key, 0) + n
    return {
        "programmes": sorted(programmes.values(), key=lambda x: (x["programme_id"] is None, x["programme_id"] or 0)),
        "in_by_source": by_source,
        "out_by_outcome": by_outcome,
        "in_total": sum(by_source.values()),
        "out_total": sum(by_outcome.values()),
    }


def referrals_view(m: dict, *, shared: bool, threshold: int, titles: dict) -> dict:
    """What the dashboard's and the report's referrals section shows: per programme, by who
    referred, by what came of it. Shared: small numbers suppressed (metrics/suppression.py),
    with their totals, so no hidden count can be worked out."""
    from ..models import REFERRAL_OUTCOMES, REFERRAL_SOURCES
    from .suppression import suppress_table

    def table(labels, cells):
        if not cells:
            return {"rows": [], "totals": None}
        if shared:
            t = suppress_table(cells, threshold)
            return {"rows": [(label, *row, total) for label, row, total in zip(labels, t.cells, t.row_totals)]
                    if len(cells[0]) > 1 else [(label, row[0]) for label, row in zip(labels, t.cells)],
                    "totals": (*t.column_totals, t.grand_total) if len(cells[0]) > 1 else (t.grand_total,)}
        totals = [sum(col) for col in zip(*cells)]
        return {"rows": [(label, *row, sum(row)) if len(row) > 1 else (label, row[0]) for label, row in zip(labels, cells)],
                "totals": (*totals, sum(totals)) if len(totals) > 1 else (totals[0],)}

    lines = m["programmes"]
    per_programme = table([titles.get(x["programme_id"], "Not for one programme") if x["programme_id"]
                           else "Not for one programme" for x in lines], [[x["in"], x["out"]] for x in lines])
    return {
        "any": bool(m["in_total"] or m["out_total"]),
        "per_programme": per_programme,
        "by_source": table(list(REFERRAL_SOURCES.values()), [[m["in_by_source"][k]] for k in REFERRAL_SOURCES]),
        "by_outcome": table(list(REFERRAL_OUTCOMES.values()), [[m["out_by_outcome"][k]] for k in REFERRAL_OUTCOMES]),
    }
