"""For whom it works (issue 17, point 7): the equality breakdowns, counted by hand and suppressed
so that no count from 1 to the threshold survives and none can be worked out from the totals."""
from datetime import date, datetime

import pytest

from outreach.metrics import MetricQuery, Scope, compute
from outreach.metrics.base import Filters
from outreach.metrics.suppression import suppress_table
from outreach.models import Attendance, EqualityAnswers
from outreach.web.evaluation.delivery_view import equality_view
from outreach.timeutil import UTC
from tests.factories import make_org, make_programme, make_young_person, session_on

AS_OF = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
T = 5


@pytest.fixture()
def people(db):
    """22 young people at one or two of three sessions. Ethnic group: 12 white_british, 3 roma
    (White: 15), 4 indian (Asian), 1 arab (Other), 1 prefer not to say, 1 not answered.
    Disability: 2 yes, 15 no, 5 not answered. Regular (75%+ of 3 sessions = all 3): the first 6."""
    org = make_org()
    programme = make_programme(org)
    sessions = [session_on(programme, date(2026, 11, d)) for d in (4, 11, 18)]
    groups = ["white_british"] * 12 + ["roma"] * 3 + ["indian"] * 4 + ["arab", "prefer_not", None]
    disability = ["yes"] * 2 + ["no"] * 15 + [None] * 5
    for i, (ethnic, dis) in enumerate(zip(groups, disability)):
        yp = make_young_person(f"P{i}")
        for s in (sessions if i < 6 else sessions[:1]):
            db.session.add(Attendance(session_id=s.id, young_person_id=yp.id, method="qr",
                                      checked_in_at=s.starts_at))
        if ethnic or dis:
            db.session.add(EqualityAnswers(young_person_id=yp.id, ethnic_group=ethnic, disability=dis))
    db.session.commit()
    return {"org": org, "programme": programme}


def q_for(p, **filters):
    return MetricQuery(scope=Scope(programme_id=p["programme"].id), filters=Filters(**filters), as_of=AS_OF)


def test_counts_by_hand(people):
    e = compute("equality", q_for(people))
    ethnic = {g["key"]: (g["reach"], g["regular"]) for g in e["dimensions"][0]["groups"]}
    # White 12 + 3 = 15, of whom the first 6 are regular; Asian 4; Other 1; prefer not 1; not answered 1.
    assert ethnic == {"white": (15, 6), "mixed": (0, 0), "asian": (4, 0), "black": (0, 0), "other": (1, 0),
                      "prefer_not": (1, 0), "unknown": (1, 0)}
    disability = {g["key"]: g["reach"] for g in e["dimensions"][1]["groups"]}
    assert disability == {"yes": 2, "no": 15, "prefer_not": 0, "unknown": 5}


def test_hidden_with_people_filters(people):
    assert compute("equality", q_for(people, gender="girl"))["hidden"]


def _bounds(cell, t, cap):
    if isinstance(cell, int):
        return cell, cell
    return (1, t - 1) if cell == f"<{t}" else (1, cap)


def assert_nothing_recoverable(rows, totals, t, grand):
    """Independent check: in every row (cells = row total) and column (cells = column total,
    the totals known to the reader), each hidden cell can take more than one value, and no
    shown cell is a count from 1 to t-1."""
    for row in rows:
        for cell in row:
            assert not (isinstance(cell, int) and 0 < cell < t), rows
    lines = [(row[:-1], row[-1]) for row in rows] + \
            [([row[j] for row in rows], totals[j]) for j in range(len(totals))]
    for cells, total in lines:
        lo_total, hi_total = _bounds(total, t, grand)
        hidden = [k for k, c in enumerate(cells) if not isinstance(c, int)]
        for k in hidden:
            others = [_bounds(c, t, grand) for i, c in enumerate(cells) if i != k]
            lo = lo_total - sum(hi for _, hi in others)
            hi = hi_total - sum(lo for lo, _ in others)
            own_lo, own_hi = _bounds(cells[k], t, grand)
            assert max(lo, own_lo) < min(hi, own_hi), f"{cells} = {total}: cell {k} can be worked out"


def test_dashboard_breakdown_hides_small_counts_and_their_complements(people):
    view = equality_view(compute("equality", q_for(people)), t=T)
    ethnic, disability, sen = view["dimensions"]
    rows = [[r["regular"], r["other"], r["reach"]] for r in ethnic["rows"]]
    # Asian 4, Other 1, prefer not 1, not answered 1: all "<5". With 22 known, they hold 22 - 15 = 7
    # between four cells of 1 to 4 each: more than one way, so White's 15 can stay.
    by_label = {r["label"]: r["reach"] for r in ethnic["rows"]}
    assert by_label["Asian or Asian British"] == by_label["Other ethnic group"] == "<5"
    assert by_label["White"] == 15 and by_label["Mixed or Multiple ethnic groups"] == 0
    # White's regulars (6) and others (9): the 6 regular attendees are all White, so the other
    # groups' regular column is 0 and their "others" equal their "<5" reach.
    totals = [6, 16, 22]  # regular 6, others 16, everyone 22: known from the headline figures
    assert_nothing_recoverable(rows, totals, T, 22)
    assert ethnic["total"]["reach"] == 22
    drows = [[r["regular"], r["other"], r["reach"]] for r in disability["rows"]]
    assert_nothing_recoverable(drows, totals, T, 22)
    # Nobody answered special educational needs: all 22 "Not answered", nothing to hide.
    assert [r["reach"] for r in sen["rows"]] == [0, 0, 0, 22]


def test_a_breakdown_that_cannot_be_protected_is_withheld():
    # 3 young people, all in one group, with the total known: hiding the cell protects nothing.
    table = suppress_table([[3], [0], [0]], T, published_totals=True)
    assert table.withheld and table.cells == [["x"], ["x"], ["x"]]
    # Without known totals the old rule still hides the grand total instead.
    assert not suppress_table([[3], [0], [0]], T).withheld


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_never_let_a_small_count_be_worked_out(seed):
    import random

    rng = random.Random(seed)
    cells = [[rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 14]) for _ in range(2)] for _ in range(rng.randint(2, 6))]
    table = suppress_table(cells, T, published_totals=True)
    if table.withheld:
        return
    rows = [[*row, total] for row, total in zip(table.cells, table.row_totals)]
    grand = sum(map(sum, cells))
    known = [sum(r[j] for r in cells) for j in range(2)] + [grand]
    assert_nothing_recoverable(rows, known, T, max(grand, T))
