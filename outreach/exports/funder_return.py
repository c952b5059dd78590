from sqlalchemy import case, func, select

from . import Table, export
from ._evidence import evidence, programme_titles
from ._common import file_name, period, subject
from ..metrics.base import AGE_BAND_LABELS
from ..metrics.breakdown import in_order
from ..metrics.regular import BANDS, regular_per_person, rule
from ..metrics.suppression import footnote, suppress_table
from ..models import YoungPerson
from ..models.young_person import GENDERS
from ._funder_sections import delivery_lines, equality_lines


@export("funder_return", "Funder return", level="organisation", leaves_organisation=True,
        description="Participants, regular attendees and attendance bands by age band, gender and postcode "
                    "district; who answered the start and end surveys, change from start to end with its 95% "
                    "interval, the comparison group and the definitions; small numbers suppressed. Fit to send "
                    "to a funder.")
def funder_return(ctx):
    """Participants = young people with at least one attendance in the range. Bands and
    regular attendees as in the "regular" metric. Each breakdown is a table whose rows
    are the groups and whose columns are the attendance bands; row totals are the
    participants. Regular attendees are a column of their own with its total, suppressed
    as a table of one column. Suppressed as in `metrics.suppression`."""
    q = ctx.metric_query()
    per_person = regular_per_person(q)
    yp = YoungPerson.__table__
    n = per_person.c.n
    band = case(*[((n <= hi), key) for key, _, _, hi in BANDS if hi], else_=BANDS[-1][0])
    dimensions = [
        ("Age band", q.age_band_of(yp.c.date_of_birth), AGE_BAND_LABELS),
        ("Gender", func.coalesce(yp.c.gender, "unknown"), GENDERS | {"unknown": "Not known"}),
        ("Postcode district", func.coalesce(yp.c.postcode_district, "unknown"), {"unknown": "Not known"}),
    ]
    threshold = ctx.settings.suppression_threshold
    band_keys = [key for key, _, _, _ in BANDS]
    applied = rule(q)
    lines, breaks = [], []
    for title, expr, labels in dimensions:
        counts = q.rows(select(expr.label("group"), band.label("band"), func.count(), func.sum(per_person.c.regular))
                        .select_from(per_person.join(yp, yp.c.id == per_person.c.young_person_id))
                        .group_by(expr, band))
        groups = in_order({g for g, _, _, _ in counts}, labels)
        if not groups:
            continue
        grid = [[0] * len(band_keys) for _ in groups]
        regulars = [0] * len(groups)
        for g, b, c, r in counts:
            grid[groups.index(g)][band_keys.index(b)] = c
            regulars[groups.index(g)] += int(r or 0)
        table = suppress_table(grid, threshold)
        breaks.append(len(lines))  # each breakdown on its own printed page
        regular = suppress_table([[r] for r in regulars], threshold)
        for g, cells, total, reg in zip(groups, table.cells, table.row_totals, regular.cells):
            lines.append([title, labels.get(g, g), total, *cells, reg[0]])
        lines.append([title, "All", table.grand_total, *table.column_totals, regular.grand_total])
    width = 4 + len(band_keys)
    lines += equality_lines(q, per_person, band, band_keys, threshold, width, breaks, len(lines))
    lines += delivery_lines(q, threshold, width, breaks, len(lines))
    # Issue 17 point 9: who answered, change with its interval, the comparison and the definitions.
    more, starts = evidence(q, programme_titles(ctx), threshold)
    breaks += [len(lines) + start for start in starts]
    lines += more
    return Table(filename=file_name(ctx, "funder-return", period(ctx)[1]), rows=iter(lines), page_breaks=tuple(breaks),
                 title=f"Funder return · {subject(ctx)[0]} · {period(ctx)[0]}",
                 footnote=f"{applied.sentence()} {footnote(threshold)}",
                 # Printed on one A4 width at a readable scale: the definitions' column wide, the
                 # figures' columns narrow, their longer notes wrapped.
                 wrap_widths={0: 18, 1: 50, **{c: 16 for c in range(2, width)}},
                 header=["Breakdown", "Group", "Participants", *[f"{label} sessions" for _, label, _, _ in BANDS],
                         f"Regular attendees ({applied.short})"])
