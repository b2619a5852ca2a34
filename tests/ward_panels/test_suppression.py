"""Small-number suppression: worked examples, then properties over random tables.

The key property is checked independently of the module's own reasoning: we write out every sum a
reader could use, treat each hidden figure as an unknown, and use exact rational linear algebra to
show that no hidden figure is pinned down by the published ones.
"""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from ward_panels.suppression import THRESHOLD, SuppressedTable, suppress_counts, suppress_table

tables = st.integers(1, 5).flatmap(
    lambda rows: st.integers(1, 6).flatmap(
        lambda columns: st.lists(
            st.lists(st.integers(0, 60), min_size=columns, max_size=columns), min_size=rows, max_size=rows
        )
    )
)
count_lists = st.lists(st.integers(0, 60), min_size=1, max_size=8)


def rank(matrix: list[list[Fraction]]) -> int:
    """Rank by Gaussian elimination over the rationals, so nothing is lost to rounding."""
    rows = [list(row) for row in matrix]
    rank = 0
    for column in range(len(rows[0]) if rows else 0):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][column] != 0:
                factor = rows[r][column] / rows[rank][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def recoverable(equations: list[dict], hidden: list) -> list:
    """The hidden unknowns whose values the equations (each {unknown: coefficient} = 0) fix exactly.

    Published figures only move to the right-hand side, so only the coefficients of the hidden ones
    matter. An unknown is fixed exactly when its unit vector lies in the row space of that matrix,
    that is when adding it as an extra row does not raise the rank.
    """
    matrix = [[Fraction(equation.get(name, 0)) for name in hidden] for equation in equations]
    matrix = [row for row in matrix if any(row)]
    base = rank(matrix)
    fixed = []
    for k, name in enumerate(hidden):
        unit = [Fraction(int(k == m)) for m in range(len(hidden))]
        if rank([*matrix, unit]) == base:
            fixed.append(name)
    return fixed


def table_equations(counts: list[list[int]]) -> list[dict]:
    """Every sum published with a table: rows, columns and the grand total three ways."""
    rows, columns = len(counts), len(counts[0])
    cell = [[("cell", i, j) for j in range(columns)] for i in range(rows)]
    equations = []
    for i in range(rows):
        equations.append({**dict.fromkeys(cell[i], 1), ("row", i): -1})
    for j in range(columns):
        equations.append({**{cell[i][j]: 1 for i in range(rows)}, ("column", j): -1})
    equations.append({**{("row", i): 1 for i in range(rows)}, "total": -1})
    equations.append({**{("column", j): 1 for j in range(columns)}, "total": -1})
    equations.append({**{name: 1 for row in cell for name in row}, "total": -1})
    return equations


def table_figures(table: SuppressedTable) -> dict:
    figures = {("cell", i, j): value for i, row in enumerate(table.cells) for j, value in enumerate(row)}
    figures |= {("row", i): value for i, value in enumerate(table.row_totals)}
    figures |= {("column", j): value for j, value in enumerate(table.column_totals)}
    figures["total"] = table.total
    return figures


# Worked examples


def test_one_small_count_in_a_list_takes_the_next_smallest_with_it():
    # 3 alone would be 80 - 25 - 40 - 12, so the smallest other count (12) goes too.
    assert suppress_counts([25, 3, 40, 12]) == ([25, None, 40, None], 80)


def test_list_with_nothing_small_is_unchanged():
    assert suppress_counts([10, 20, 30]) == ([10, 20, 30], 60)


def test_list_with_a_small_total_hides_everything():
    assert suppress_counts([4, 3, 0]) == ([None, None, None], None)


def test_table_with_every_cell_at_least_ten_is_unchanged():
    assert suppress_table([[10, 20], [30, 40]]) == SuppressedTable(
        cells=[[10, 20], [30, 40]], row_totals=[30, 70], column_totals=[40, 60], total=100
    )


def test_row_of_all_small_counts():
    # Row 0 and its total (9) go. Each column then has one hidden cell, so the smallest other cell in
    # it goes: all of row 1. Row 0's total alone would be 204 - 90 - 105, so row 1's total goes too.
    assert suppress_table([[2, 3, 4], [20, 30, 40], [25, 35, 45]]) == SuppressedTable(
        cells=[[None, None, None], [None, None, None], [25, 35, 45]],
        row_totals=[None, None, 105],
        column_totals=[47, 68, 89],
        total=204,
    )


def test_total_under_ten_is_hidden():
    # The second row's total is 7; hiding its cells forces the first row's cells and total to go too.
    assert suppress_table([[12, 15], [3, 4]]) == SuppressedTable(
        cells=[[None, None], [None, None]], row_totals=[None, None], column_totals=[15, 19], total=34
    )


def test_hidden_total_is_not_left_to_be_added_up_from_its_cells():
    # Row 0's total (7) forces a second row total to go: the smallest is row 3's (24). Its cells
    # 12 + 12 would give it back, and then 7 = 142 - 60 - 51 - 24, so one of its cells goes as well.
    table = suppress_table([[3, 4], [10, 50], [40, 11], [12, 12]])
    assert table == SuppressedTable(
        cells=[[None, None], [None, None], [None, None], [None, 12]],
        row_totals=[None, 60, 51, None],
        column_totals=[65, 77],
        total=142,
    )


def test_two_hidden_blocks_joined_by_one_cell_are_linked():
    # Two hidden in every row and column is not always enough. Here the small cells form one block in
    # rows 0-1 and another in rows 2-3, joined only by row 0, column 2. Rows 2 and 3 and column 3 then
    # show that the lower block holds 0, and column 2 would give that cell away (10 - 10 - 0). Hiding
    # the 10 at row 0, column 3 closes a loop through it.
    table = suppress_table([[0, 0, 0, 10, 0], [0, 0, 10, 10, 0], [10, 10, 0, 0, 10], [10, 10, 0, 0, 10]])
    assert table.cells == [
        [None, None, None, None, None],
        [None, None, 10, 10, None],
        [10, 10, None, None, 10],
        [10, 10, None, None, 10],
    ]
    assert (table.row_totals, table.column_totals, table.total) == ([10, 20, 30, 30], [20, 20, 10, 20, 20], 90)


def test_single_cell_table():
    assert suppress_table([[7]]) == SuppressedTable(cells=[[None]], row_totals=[None], column_totals=[None], total=None)
    assert suppress_table([[70]]) == SuppressedTable(cells=[[70]], row_totals=[70], column_totals=[70], total=70)


# Properties over random tables


@settings(max_examples=300, deadline=None)
@given(tables)
def test_every_published_figure_is_at_least_the_threshold(counts):
    assert all(value >= THRESHOLD for value in table_figures(suppress_table(counts)).values() if value is not None)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_hidden_figure_can_be_worked_out_from_the_published_ones(counts):
    figures = table_figures(suppress_table(counts))
    hidden = [name for name, value in figures.items() if value is None]
    assert recoverable(table_equations(counts), hidden) == []


@settings(max_examples=300, deadline=None)
@given(tables)
def test_published_figures_are_the_true_ones(counts):
    rows, columns = len(counts), len(counts[0])
    true = {("cell", i, j): counts[i][j] for i in range(rows) for j in range(columns)}
    true |= {("row", i): sum(counts[i]) for i in range(rows)}
    true |= {("column", j): sum(counts[i][j] for i in range(rows)) for j in range(columns)}
    true["total"] = sum(map(sum, counts))
    figures = table_figures(suppress_table(counts))
    assert figures.keys() == true.keys()
    assert all(value == true[name] for name, value in figures.items() if value is not None)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_table_suppression_is_deterministic(counts):
    assert suppress_table(counts) == suppress_table([list(row) for row in counts])


@settings(max_examples=300, deadline=None)
@given(count_lists)
def test_list_suppression_is_safe_true_and_deterministic(counts):
    shown, total = suppress_counts(counts)
    assert (shown, total) == suppress_counts(list(counts))
    assert all(value >= THRESHOLD for value in [*shown, total] if value is not None)
    assert all(value == count for value, count in zip(shown, counts, strict=True) if value is not None)
    assert total in (None, sum(counts))
    hidden = [j for j, value in enumerate(shown) if value is None] + (["total"] if total is None else [])
    equation = {**dict.fromkeys(range(len(counts)), 1), "total": -1}
    assert recoverable([equation], hidden) == []
