"""Suppression: below k hidden, and nothing hidden can be recomputed from a published total."""
import random

from app.domain.suppression import suppress


def recoverable(values, hidden, constraints):
    """Cells an attacker can compute from one constraint with exactly one hidden cell."""
    found = set()
    for total, parts in constraints:
        cells = [total, *parts]
        unknown = [c for c in cells if c in hidden]
        if len(unknown) == 1:
            found.add(unknown[0])
    return found


def test_cells_below_k_are_hidden_and_others_shown():
    values = {"t": 30, "a": 20, "b": 6, "c": 4}
    hidden = suppress(values, 5, [("t", ["a", "b", "c"])])
    assert "c" in hidden
    assert "t" not in hidden


def test_a_single_hidden_cell_in_a_row_takes_the_smallest_other_cell_with_it():
    values = {"t": 30, "a": 20, "b": 6, "c": 4}
    hidden = suppress(values, 5, [("t", ["a", "b", "c"])])
    # c alone would be t - a - b = 4: b (the smallest shown part) must go too.
    assert hidden == {"c", "b"}


def test_a_row_with_two_small_cells_needs_no_second_suppression():
    values = {"t": 30, "a": 22, "b": 4, "c": 4}
    assert suppress(values, 5, [("t", ["a", "b", "c"])]) == {"b", "c"}


def test_a_total_equal_to_its_only_part_is_hidden_with_it():
    values = {"t": 3, "a": 3}
    assert suppress(values, 5, [("t", ["a"])]) == {"t", "a"}


def test_suppression_propagates_across_rows_and_columns_until_nothing_is_recoverable():
    # A 3 × 3 table with row and column totals: quarters × options.
    rng = random.Random(7)
    for _ in range(200):
        cells = {(r, c): rng.choice([0, 1, 2, 3, 4, 5, 8, 12, 20]) for r in range(3) for c in range(3)}
        values = dict(cells)
        constraints = []
        for r in range(3):
            values[(r, "T")] = sum(cells[(r, c)] for c in range(3))
            constraints.append(((r, "T"), [(r, c) for c in range(3)]))
        for c in range(3):
            values[("T", c)] = sum(cells[(r, c)] for r in range(3))
            constraints.append((("T", c), [(r, c) for r in range(3)]))
        values[("T", "T")] = sum(cells.values())
        constraints.append((("T", "T"), [(r, "T") for r in range(3)]))
        constraints.append((("T", "T"), [("T", c) for c in range(3)]))
        hidden = suppress(values, 5, constraints)
        assert {key for key, value in values.items() if 0 < value < 5} <= hidden
        assert not recoverable(values, hidden, constraints)


def test_a_zero_is_shown_but_a_zero_marked_hidden_is_protected():
    assert suppress({"t": 12, "a": 12}, 5, [("t", ["a", "b"])]) == set()
    hidden = suppress({"t": 12, "a": 12}, 5, [("t", ["a", "b"])], always_hidden={"b"})
    assert hidden == {"a", "b"}  # a = t − b would reveal b
