"""Small-number suppression: no small count leaves, zeros stay, totals give nothing away.

The recoverability check here is written independently of the module: it
enumerates every value a hidden cell could take given its marker and the shown
members of its row or column, and fails if only one value fits."""
import itertools
import random

import pytest

from outreach.metrics.suppression import count, footnote, rate, suppress_table

T = 5


def test_counts_and_rates():
    assert [count(n, T) for n in range(0, 7)] == [0, "<5", "<5", "<5", "<5", 5, 6]
    assert rate(3, 40, T) is None          # the count is small
    assert rate(4, 4, T) is None           # the denominator is small
    assert rate(0, 20, T) == 0.0           # a true zero is fine
    assert rate(10, 40, T) == pytest.approx(0.25)
    assert "<5" in footnote(T) and "x" in footnote(T)


def _possible_values(marker, cap):
    if isinstance(marker, int):
        return [marker]
    if marker == f"<{T}":
        return list(range(1, T))
    assert marker == "x"
    return list(range(T, cap + 1))


def _line_is_safe(members, cap):
    """members: shown values or markers; the last is the total. Every hidden member must have
    at least two values consistent with cells summing to the total."""
    options = [_possible_values(m, cap) for m in members]
    hidden = [k for k, m in enumerate(members) if not isinstance(m, int)]
    if not hidden:
        return True
    seen = {k: set() for k in hidden}
    for combo in itertools.product(*options):
        if sum(combo[:-1]) == combo[-1]:
            for k in hidden:
                seen[k].add(combo[k])
    return all(len(values) >= 2 for values in seen.values())


def _check(cells):
    table = suppress_table(cells, T)
    grid = list(table.rows_with_totals())
    truth = [row + [sum(row)] for row in cells]
    truth.append([sum(col) for col in zip(*truth)])
    # The reader knows no cell exceeds the grand total when it is shown; when hidden, a wider
    # range stands in for "unbounded" (enough to show more than one value fits).
    cap = truth[-1][-1] if isinstance(grid[-1][-1], int) else truth[-1][-1] + 2 * T
    for i, row in enumerate(grid):
        for j, shown in enumerate(row):
            real = truth[i][j]
            if real == 0:
                assert shown == 0, "a true zero must stay 0"
            if 0 < real < T:
                assert shown == f"<{T}", f"small count {real} survived at {(i, j)}"
            if isinstance(shown, int):
                assert shown == real
    for row in grid:
        assert _line_is_safe(row, cap), row
    for column in zip(*grid):
        assert _line_is_safe(list(column), cap), column
    return table


def test_a_lone_small_cell_gets_a_partner_in_its_row_and_column():
    table = _check([[3, 12, 9],
                    [20, 15, 11]])
    # 3 is hidden; 9 (smallest other in its row) and 15... whichever: at least two hidden per line.
    assert table.cells[0][0] == "<5"
    assert sum(1 for v in table.cells[0] if not isinstance(v, int)) >= 2


def test_zeros_stay_and_do_not_count_as_cover():
    table = _check([[0, 2, 30], [0, 40, 50]])
    assert table.cells[0][0] == 0 and table.cells[1][0] == 0


def test_small_totals_are_hidden_too():
    table = _check([[1, 1, 0], [10, 12, 7]])
    assert table.row_totals[0] == "<5"


def test_many_random_tables_are_safe():
    rng = random.Random(20261125)
    for _ in range(150):
        rows, cols = rng.randint(1, 3), rng.randint(1, 3)
        cells = [[rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 12]) for _ in range(cols)] for _ in range(rows)]
        _check(cells)
