"""Small-number suppression: worked examples, then properties over random lists of counts.

The key property is checked independently of the module's own reasoning: we write out every sum a
reader could use, treat each hidden figure as an unknown, and use exact rational linear algebra to
show that no hidden figure is pinned down by the published ones.
"""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from ward_panels.suppression import THRESHOLD, suppress_counts

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


# Worked examples


def test_one_small_count_in_a_list_takes_the_next_smallest_with_it():
    # 3 alone would be 80 - 25 - 40 - 12, so the smallest other count (12) goes too.
    assert suppress_counts([25, 3, 40, 12]) == ([25, None, 40, None], 80)


def test_list_with_nothing_small_is_unchanged():
    assert suppress_counts([10, 20, 30]) == ([10, 20, 30], 60)


def test_list_with_a_small_total_hides_everything():
    assert suppress_counts([4, 3, 0]) == ([None, None, None], None)


# Properties over random lists


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
