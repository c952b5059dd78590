from sqlalchemy import case, func, select

from . import Table, export
from ..metrics.base import AGE_BAND_LABELS
from ..metrics.regular import BANDS
from ..metrics.suppression import count, footnote, suppress_table
from ..models import YoungPerson
from ..models.young_person import GENDERS


@export("funder_return", "Funder return", level="organisation", leaves_organisation=True,
        description="Participants, regular attendees and attendance bands by age band, gender and postcode "
                    "district, with small numbers suppressed. Fit to send to a funder.")
def funder_return(ctx):
    """Participants = young people with at least one attendance in the range. Bands and
    regular attendees as in the "regular" metric. Each breakdown is a table whose rows
    are the groups and whose columns are the attendance bands; row totals are the
    participants. Suppressed as in `metrics.suppression`."""
    q = ctx.metric_query()
    att = q.attendance()
    per_person = select(att.c.young_person_id, func.count().label("n")).group_by(att.c.young_person_id).subquery()
    yp = YoungPerson.__table__
    n = per_person.c.n
    band = case(*[((n <= hi), key) for key, _, _, hi in BANDS if hi], else_=BANDS[-1][0])
    dimensions = [
        ("Age band", q.age_band_of(yp.c.date_of_birth), AGE_BAND_LABELS),
        ("Gender", func.coalesce(yp.c.gender, "unknown"), GENDERS | {"unknown": "Not known"}),
        ("Postcode district", func.coalesce(yp.c.postcode_district, "unknown"), {"unknown": "Not known"}),
    ]
    threshold = ctx.settings.suppression_threshold
    regular_from = ctx.settings.regular_sessions
    band_keys = [key for key, _, _, _ in BANDS]
    # Bands that make up "regular" (at least N sessions) when N falls on a band edge.
    regular_bands = [i for i, (_, _, lo, _) in enumerate(BANDS) if lo >= regular_from]
    lines = []
    for title, expr, labels in dimensions:
        counts = q.rows(select(expr.label("group"), band.label("band"), func.count())
                        .select_from(per_person.join(yp, yp.c.id == per_person.c.young_person_id))
                        .group_by(expr, band))
        groups = sorted({g for g, _, _ in counts}, key=lambda g: (g == "unknown", list(labels).index(g)
                                                                  if g in labels else 0, g))
        if not groups:
            continue
        grid = [[0] * len(band_keys) for _ in groups]
        for g, b, c in counts:
            grid[groups.index(g)][band_keys.index(b)] = c
        table = suppress_table(grid, threshold)
        for g, cells, total, raw in zip(groups, table.cells, table.row_totals, grid):
            lines.append([title, labels.get(g, g), total, *cells, _regular(cells, raw, regular_bands, threshold)])
        lines.append([title, "All", table.grand_total, *table.column_totals,
                      _regular(table.column_totals, [sum(col) for col in zip(*grid)], regular_bands, threshold)])
    return Table(filename=f"funder-return-{ctx.organisation.slug}", rows=iter(lines), footnote=footnote(threshold),
                 header=["Breakdown", "Group", "Participants", *[f"{label} sessions" for _, label, _, _ in BANDS],
                         f"Regular attendees ({regular_from}+ sessions)"])


def _regular(shown_cells, raw_cells, regular_bands, threshold):
    """Regular attendees as the sum of its bands; hidden when any of those bands is hidden."""
    if not regular_bands:
        return None
    if any(not isinstance(shown_cells[i], int) for i in regular_bands):
        return "x"
    return count(sum(raw_cells[i] for i in regular_bands), threshold)
