"""Small-number suppression for published survey results.

UK public bodies do not publish a figure that reveals a count of fewer than ten responses, because a
small count can point to a particular person ("the one respondent over 85 in this ward said ...").
Hiding the small cells is not enough on its own: if a table is published with its totals, a single
hidden cell in a row is just the row total minus the cells that are shown. So we hide in two steps:

* primary suppression hides every cell and every total under the threshold (0 included);
* secondary suppression then hides further cells, smallest first, until no hidden figure can be
  worked out from the published ones by adding and subtracting.

Nothing published is ever altered: a figure is either shown exactly or not shown at all. Percentages
are for the caller to work out from what is published.
"""

from collections import deque
from dataclasses import dataclass

THRESHOLD = 10

Position = tuple[int, int]  # (row, column) in the grid of counts and totals
Equation = tuple[Position, list[Position]]  # a total and the figures that add up to it


@dataclass(frozen=True)
class SuppressedTable:
    """A two-way table ready to publish: None marks a figure that must not be shown."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None


def suppress_table(counts: list[list[int]], threshold: int = THRESHOLD) -> SuppressedTable:
    """Suppress a rows-by-columns table of counts published with its row, column and grand totals.

    The table is handled together with its totals as one grid: an extra row holds the column totals,
    an extra column the row totals, and the corner the grand total. Every row and column of that grid
    is then a sum ("these figures add up to that one") which anyone can use to recover a hidden figure.
    """
    rows = len(counts)
    columns = len(counts[0]) if counts else 0
    if not rows or not columns:
        raise ValueError("a table needs at least one row and one column")
    if any(len(row) != columns for row in counts):
        raise ValueError("every row of the table must have the same number of columns")
    if any(count < 0 for row in counts for count in row):
        raise ValueError("counts cannot be negative")

    grid = [[*row, sum(row)] for row in counts]
    grid.append([*(sum(column) for column in zip(*counts, strict=True)), sum(map(sum, counts))])
    equations: list[Equation] = [((i, columns), [(i, j) for j in range(columns)]) for i in range(rows)]
    equations += [((rows, j), [(i, j) for i in range(rows)]) for j in range(columns)]
    equations.append(((rows, columns), [(i, columns) for i in range(rows)]))  # grand total by rows
    equations.append(((rows, columns), [(rows, j) for j in range(columns)]))  # grand total by columns

    hidden = _suppress(grid, equations, threshold, two_way=True)
    shown = [[None if (i, j) in hidden else value for j, value in enumerate(row)] for i, row in enumerate(grid)]
    return SuppressedTable(
        cells=[row[:columns] for row in shown[:rows]],
        row_totals=[row[columns] for row in shown[:rows]],
        column_totals=shown[rows][:columns],
        total=shown[rows][columns],
    )


def suppress_counts(counts: list[int], threshold: int = THRESHOLD) -> tuple[list[int | None], int | None]:
    """Suppress a one-way list of counts published with its total: a table of one row and no column totals.

    Returns the counts (None where hidden) and the total (None if hidden). With a single sum the rule
    is simple: hide none of the figures or at least two of them.
    """
    if any(count < 0 for count in counts):
        raise ValueError("counts cannot be negative")
    grid = [[*counts, sum(counts)]]
    hidden = _suppress(grid, [((0, len(counts)), [(0, j) for j in range(len(counts))])], threshold, two_way=False)
    shown = [None if (0, j) in hidden else value for j, value in enumerate(grid[0])]
    return shown[:-1], shown[-1]


def _suppress(grid: list[list[int]], equations: list[Equation], threshold: int, two_way: bool) -> set[Position]:
    """Return the positions in the grid to hide: primary suppression, then secondary until stable."""
    hidden = {(i, j) for i, row in enumerate(grid) for j, value in enumerate(row) if value < threshold}

    def value(position: Position) -> int:
        return grid[position[0]][position[1]]

    while True:
        changed = True
        while changed:
            changed = False
            for total, members in equations:
                # A sum with exactly one figure hidden gives that figure away. Hide the smallest
                # published member (the first of equal ones); if every member is hidden, the total.
                # This also covers a total hidden on its own above members that are all shown,
                # which could simply be added up.
                if sum(position in hidden for position in (total, *members)) != 1:
                    continue
                candidates = [position for position in members if position not in hidden]
                hidden.add(min(candidates, key=value) if candidates else total)
                changed = True
        if not two_way:
            return hidden
        # Two hidden figures in every row and column are not always enough: two separate blocks of
        # hidden cells joined by a single hidden cell still give that cell away. Link the blocks.
        extra = _link_for_first_bridge(grid, hidden)
        if extra is None:
            return hidden
        hidden.add(extra)


def _link_for_first_bridge(grid: list[list[int]], hidden: set[Position]) -> Position | None:
    """Find a hidden figure that can still be worked out, and return a published figure that protects it.

    Think of the grid's rows and columns as points and each hidden figure as a line joining its row
    to its column. Every row and column of the grid sums to its last figure, so the hidden figures
    on a closed loop can all move together (add one, take one away, round the loop) without changing
    any published sum; a hidden figure on no loop (a "bridge") is fixed by the published ones. For a
    bridge, we hide the published figure, preferring cells to totals and then the smallest, that
    closes a loop through it. Returns None when every hidden figure is already on a loop.
    """
    last_row, last_column = len(grid) - 1, len(grid[0]) - 1
    neighbours: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for i, j in hidden:
        neighbours.setdefault(("row", i), []).append(("column", j))
        neighbours.setdefault(("column", j), []).append(("row", i))

    def reachable(start: tuple[str, int], cut: Position) -> set[tuple[str, int]]:
        seen, queue = {start}, deque([start])
        while queue:
            node = queue.popleft()
            for other in neighbours[node]:
                edge = (node[1], other[1]) if node[0] == "row" else (other[1], node[1])
                if edge != cut and other not in seen:
                    seen.add(other)
                    queue.append(other)
        return seen

    for i, j in sorted(hidden):
        row_side = reachable(("row", i), (i, j))
        if ("column", j) in row_side:
            continue  # on a loop
        column_side = reachable(("column", j), (i, j))
        links = [
            (a, b)
            for a in range(last_row + 1)
            for b in range(last_column + 1)
            if (a, b) not in hidden
            and (
                (("row", a) in row_side and ("column", b) in column_side)
                or (("row", a) in column_side and ("column", b) in row_side)
            )
        ]
        # Once every row and column has 0 or 2+ hidden figures, a link always exists; failing that,
        # hiding anything left is still safe.
        links = links or [(a, b) for a in range(last_row + 1) for b in range(last_column + 1) if (a, b) not in hidden]
        return min(links, key=lambda p: (p[0] == last_row or p[1] == last_column, grid[p[0]][p[1]], p))
    return None
