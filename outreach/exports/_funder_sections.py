"""The funder return's "for whom" and "delivery and cost" sections (issue 17, points 6 and 7).

Equality breakdowns are the same table as the age band, gender and district ones (groups by
attendance bands, and regular attendees), built only from the equality metric's groups and
always suppressed; their grand and column totals are the participants already published in
the other breakdowns, so they are taken as known (`published_totals`), and a breakdown that
cannot then be protected is withheld whole."""
from sqlalchemy import func, select

from ..metrics.delivery import delivery
from ..metrics.equality import HIDDEN_REASON, dimensions
from ..metrics.suppression import count, suppress_table
from ..models import EqualityAnswers
from ..services.delivery import pounds_text

WITHHELD = "Too few young people to show this breakdown without giving someone's answer away"


def _pad(cells, width):
    return list(cells) + [None] * (width - len(cells))  # empty cells (None is written as nothing)


def equality_lines(q, per_person, band, band_keys, threshold, width, breaks, start) -> list:
    if q.filters.filters_people:
        return [_pad(["For whom", HIDDEN_REASON], width)]
    e = EqualityAnswers.__table__
    out = []
    for _, title, expr, labels in dimensions(e):
        counts = q.rows(select(expr.label("group"), band.label("band"), func.count(), func.sum(per_person.c.regular))
                        .select_from(per_person.outerjoin(e, e.c.young_person_id == per_person.c.young_person_id))
                        .group_by(expr, band))
        if not counts:
            continue
        groups = list(labels)  # every group, zeros included, in the published order
        grid = [[0] * len(band_keys) for _ in groups]
        regulars = [0] * len(groups)
        for g, b, c, r in counts:
            grid[groups.index(g)][band_keys.index(b)] += c
            regulars[groups.index(g)] += int(r or 0)
        table = suppress_table(grid, threshold, published_totals=True)
        regular = suppress_table([[r] for r in regulars], threshold, published_totals=True)
        breaks.append(start + len(out))
        if table.withheld or regular.withheld:
            out.append(_pad([title, WITHHELD], width))
            continue
        for g, cells, total, reg in zip(groups, table.cells, table.row_totals, regular.cells):
            out.append([title, labels[g], total, *cells, reg[0]])
        out.append([title, "All", table.grand_total, *table.column_totals, regular.grand_total])
    return out


def delivery_lines(q, threshold, width, breaks, start) -> list:
    """Sessions planned and delivered, hours, cost and cost per participant and per contact
    hour, one figure per line. The participants behind the cost are a count of people, so
    suppressed, and the costs per participant and per hour are left out when they are few."""
    d = delivery(q)
    cost = d["cost"]
    few = 0 < cost["participants"] < threshold
    title = "Delivery and cost"
    breaks.append(start)
    rows = [("Sessions planned (scheduled end passed)", d["planned"]),
            ("Sessions delivered (held, with a register)", d["delivered"]),
            ("Sessions cancelled", d["cancelled"]),
            ("Sessions held with no one registered", d["no_register"]),
            ("Staff hours", round(d["staff_hours"], 1)),
            ("Volunteer hours", round(d["volunteer_hours"], 1))]
    if cost["available"]:
        rows += [("Cost in the period", pounds_text(cost["pence"])),
                 ("Participants of the costed programmes", count(cost["participants"], threshold)),
                 ("Contact hours of the costed programmes", round(cost["contact_hours"], 1)),
                 ("Cost per participant", "–" if few or cost["per_participant_pence"] is None
                  else pounds_text(cost["per_participant_pence"])),
                 ("Cost per contact hour", "–" if few or cost["per_contact_hour_pence"] is None
                  else pounds_text(cost["per_contact_hour_pence"]))]
    else:
        rows.append(("Cost", cost["reason"]))
    return [_pad([title, label, value], width) for label, value in rows]
