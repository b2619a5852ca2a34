"""Small-number suppression for published survey results.

UK public bodies do not publish a figure that reveals a count of fewer than ten responses, because a
small count can point to a particular person ("the one respondent over 85 in this ward said ...").
Hiding the small counts is not enough on its own: if a list is published with its total, a single
hidden count is just the total minus the counts that are shown. So we hide in two steps:

* primary suppression hides every count, and the total, under the threshold (0 included);
* secondary suppression then hides further counts, smallest first, until no hidden figure can be
  worked out from the published ones by adding and subtracting.

Nothing published is ever altered: a figure is either shown exactly or not shown at all. Percentages
are for the caller to work out from what is published.
"""

THRESHOLD = 10

Position = tuple[int, int]  # (row, column) in the grid of counts and totals
Equation = tuple[Position, list[Position]]  # a total and the figures that add up to it


def suppress_counts(counts: list[int], threshold: int = THRESHOLD) -> tuple[list[int | None], int | None]:
    """Suppress a one-way list of counts published with its total: a table of one row and no column totals.

    Returns the counts (None where hidden) and the total (None if hidden). With a single sum the rule
    is simple: hide none of the figures or at least two of them.
    """
    if any(count < 0 for count in counts):
        raise ValueError("counts cannot be negative")
    grid = [[*counts, sum(counts)]]
    hidden = _suppress(grid, [((0, len(counts)), [(0, j) for j in range(len(counts))])], threshold)
    shown = [None if (0, j) in hidden else value for j, value in enumerate(grid[0])]
    return shown[:-1], shown[-1]


def _suppress(grid: list[list[int]], equations: list[Equation], threshold: int) -> set[Position]:
    """Return the positions in the grid to hide: primary suppression, then secondary until stable."""
    hidden = {(i, j) for i, row in enumerate(grid) for j, value in enumerate(row) if value < threshold}

    def value(position: Position) -> int:
        return grid[position[0]][position[1]]

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
    return hidden
