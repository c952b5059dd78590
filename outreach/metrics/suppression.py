"""Small-number suppression for anything that leaves the organisation.

Rule (printed as the footnote of every suppressed output):

- a count of 1 up to one below the threshold (1–4 with the default 5) is shown
  as "<5"; a true zero is shown as 0;
- a rate is hidden when its count is hidden or its denominator is below the
  threshold;
- secondary suppression: in every row and column of a table with totals, a
  hidden cell must not be workable out from the other cells and the total. Where
  it could be, the smallest other non-zero cell of that line is hidden too
  (shown as "x"), or, failing that, the line's total.

The lead's own identified registers are not suppressed.
"""
from dataclasses import dataclass

PRIMARY, SECONDARY = "<", "x"


def footnote(threshold: int) -> str:
    return (f"Counts from 1 to {threshold - 1} are shown as \"<{threshold}\" and true zeros as 0. Rates are hidden "
            f"when their count is hidden or fewer than {threshold} people are behind them. Cells marked \"x\" are "
            f"hidden as well, so that no small number can be worked out from a row or column total.")


def is_small(n: int, threshold: int) -> bool:
    return 0 < n < threshold


def count(n: int, threshold: int):
    """A count ready to leave the organisation: the number, or "<threshold"."""
    return f"<{threshold}" if is_small(n, threshold) else n


def rate(numerator: int, denominator: int, threshold: int):
    """A share (0..1) or None when it would give a small number away."""
    if not denominator or denominator < threshold or is_small(numerator, threshold):
        return None
    return numerator / denominator


@dataclass
class SuppressedTable:
    """A counts table with its totals, each cell either shown (int) or hidden ("<5" / "x")."""
    cells: list[list]
    row_totals: list
    column_totals: list
    grand_total: object
    threshold: int
    # True when no suppression could keep a small number from being worked out (the
    # totals are published elsewhere and too little is left to hide): show no cell at all.
    withheld: bool = False

    def rows_with_totals(self):
        for row, total in zip(self.cells, self.row_totals):
            yield [*row, total]
        yield [*self.column_totals, self.grand_total]


def suppress_table(cells: list[list[int]], threshold: int, *, published_totals: bool = False) -> SuppressedTable:
    """Suppress a table of counts that is published with row, column and grand totals.

    `published_totals`: the column totals and the grand total are known to the reader from
    elsewhere (the same people counted in another breakdown or a headline figure), so
    hiding them protects nothing. They are then taken as known, only cells and row totals
    are hidden, and where even that cannot protect a small number the table is `withheld`."""
    n_rows, n_cols = len(cells), len(cells[0]) if cells else 0
    # One matrix with the totals as its last row and column, so totals are hidden by the same rules.
    grid = [list(row) + [sum(row)] for row in cells]
    grid.append([sum(cells[i][j] for i in range(n_rows)) for j in range(n_cols)] + [sum(map(sum, cells))])
    state = [[PRIMARY if is_small(v, threshold) else None for v in row] for row in grid]
    if published_totals:
        # Known to the reader whatever this table shows: never counted on as hidden.
        state[-1] = [None] * (n_cols + 1)
        fixed = {(n_rows, j) for j in range(n_cols + 1)}
    else:
        fixed = set()
    withheld = False
    lines = [[(i, j) for j in range(n_cols + 1)] for i in range(n_rows + 1)] + \
            [[(i, j) for i in range(n_rows + 1)] for j in range(n_cols + 1)]

    changed = True
    while changed:
        changed = False
        for line in lines:
            if not _has_pinned_cell(line, grid, state, threshold):
                continue
            if _hide_one_more(line, grid, state, fixed):
                changed = True
            elif fixed:
                withheld, changed = True, False
                break
            elif state[-1][-1] is None:
                # A tiny table: the grand total bounds every cell. Hiding it removes that bound.
                state[-1][-1] = SECONDARY
                changed = True

    def shown(i, j):
        if withheld:
            return "x"
        s = state[i][j]
        if (i, j) in fixed and is_small(grid[i][j], threshold):
            s = PRIMARY
        return grid[i][j] if s is None else (f"<{threshold}" if s == PRIMARY else "x")

    return SuppressedTable(
        cells=[[shown(i, j) for j in range(n_cols)] for i in range(n_rows)],
        row_totals=[shown(i, n_cols) for i in range(n_rows)],
        column_totals=[shown(n_rows, j) for j in range(n_cols)],
        grand_total=shown(n_rows, n_cols),
        threshold=threshold,
        withheld=withheld,
    )


def _bounds(state, value, threshold, cap):
    """What a reader knows of a cell: its value, or the range its marker allows. No cell
    exceeds the grand total when that is shown."""
    if state is None:
        return value, value
    return (1, threshold - 1) if state == PRIMARY else (threshold, cap)


def _has_pinned_cell(line, grid, state, threshold) -> bool:
    """True when some hidden cell of the line has one possible value given the others.

    The line is `cells... = total` (its last member is the total): the sum of the
    first members minus the last is zero."""
    cap = max(grid[-1][-1], threshold) if state[-1][-1] is None else 10 ** 12
    members = [(1 if k < len(line) - 1 else -1, *_bounds(state[i][j], grid[i][j], threshold, cap), state[i][j])
               for k, (i, j) in enumerate(line)]
    hidden = [k for k, m in enumerate(members) if m[3] is not None]
    if not hidden:
        return False
    for k in hidden:
        sign = members[k][0]
        # sign * x_k = -(sum of the others, each in its range)
        rest_lo = sum(min(s * lo, s * hi) for idx, (s, lo, hi, _) in enumerate(members) if idx != k)
        rest_hi = sum(max(s * lo, s * hi) for idx, (s, lo, hi, _) in enumerate(members) if idx != k)
        lo_k, hi_k = (-rest_hi, -rest_lo) if sign == 1 else (rest_lo, rest_hi)
        own_lo, own_hi = members[k][1], members[k][2]
        if max(lo_k, own_lo) >= min(hi_k, own_hi):
            return True
    return False


def _hide_one_more(line, grid, state, fixed=frozenset()) -> bool:
    cells, total = line[:-1], line[-1]
    candidates = [(grid[i][j], (i, j)) for i, j in cells
                  if state[i][j] is None and grid[i][j] > 0 and (i, j) not in fixed]
    if candidates:
        _, (i, j) = min(candidates)
    elif state[total[0]][total[1]] is None and tuple(total) not in fixed:
        i, j = total
    else:  # nothing left to hide in this line
        return False
    state[i][j] = SECONDARY
    return True
