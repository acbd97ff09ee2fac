"""Cross tables: a question by a respondent question, with small counts and every figure that
would give one away hidden."""
import random
import re
from collections import Counter

import pytest

from app.analyse import crosstab_views  # noqa: F401  (routes join the blueprint before any app)
from app.domain.crosstab import TOTAL, crosstab, crosstab_constraints
from tests.analyse.test_results import add_responses

K = 5


def table_from_responses(responses, row_codes, col_codes, exclusive_rows=True, exclusive_cols=True):
    """A cross table of responses given as (row picks, column picks), as the SQL counts them."""
    answered = [(rows, cols) for rows, cols in responses if rows and cols]
    cells = Counter((r, c) for rows, cols in answered for r in rows for c in cols)
    row_totals = Counter(r for rows, _ in answered for r in rows)
    col_totals = Counter(c for _, cols in answered for c in cols)
    return crosstab(row_codes, col_codes, cells, row_totals, col_totals, len(answered), K,
                    exclusive_rows, exclusive_cols)


def hidden_keys(table):
    """The suppression keys of every hidden figure."""
    keys = {("cell", r, c) for (r, c), f in table.cells.items() if f.hidden}
    keys |= {("row", r) for r, f in table.row_totals.items() if f.hidden}
    keys |= {("col", c) for c, f in table.col_totals.items() if f.hidden}
    return keys | ({TOTAL} if table.total.hidden else set())


def recoverable(hidden, constraints):
    """Hidden figures an attacker can compute from one constraint with exactly one hidden figure."""
    found = set()
    for total, parts in constraints:
        unknown = [c for c in (total, *parts) if c in hidden]
        if len(unknown) == 1:
            found.add(unknown[0])
    return found


def test_cells_below_k_are_hidden_and_larger_ones_shown():
    cells = {("a", "x"): 10, ("a", "y"): 8, ("a", "z"): 12, ("b", "x"): 2, ("b", "y"): 6,
             ("b", "z"): 9, ("c", "x"): 7, ("c", "y"): 20, ("c", "z"): 15}
    table = crosstab(["a", "b", "c"], ["x", "y", "z"], cells, {"a": 30, "b": 17, "c": 42},
                     {"x": 19, "y": 34, "z": 36}, 89, K, True, True)
    assert table.cell("b", "x").hidden and table.cell("b", "x").share is None
    assert table.cell("c", "y").shown == 20 and table.cell("c", "y").share == pytest.approx(20 / 34)
    assert table.total.shown == 89
    assert all(not f.hidden for f in [*table.row_totals.values(), *table.col_totals.values()])


def test_a_single_hidden_cell_in_a_row_and_column_forces_a_second_one_in_each():
    # Row b: 8 = 2 + 6, column x: 12 = 10 + 2 — the 2 alone could be worked out either way.
    table = crosstab(["a", "b"], ["x", "y"], {("a", "x"): 10, ("a", "y"): 8, ("b", "x"): 2, ("b", "y"): 6},
                     {"a": 18, "b": 8}, {"x": 12, "y": 14}, 26, K, True, True)
    assert table.cell("b", "y").hidden  # second in row b
    assert table.cell("a", "x").hidden or table.col_totals["x"].hidden  # second in column x
    assert table.cell("b", "y").share is None


def test_a_single_hidden_cell_of_a_multiple_choice_row_variable_is_complemented_along_its_row_only():
    # Rows are a multiple-choice question: columns do not add up, so only rows constrain.
    table = crosstab(["a", "b"], ["x", "y"], {("a", "x"): 10, ("a", "y"): 8, ("b", "x"): 2, ("b", "y"): 6},
                     {"a": 18, "b": 8}, {"x": 11, "y": 13}, 24, K, False, True)
    assert table.cell("b", "x").hidden and table.cell("b", "y").hidden
    assert not table.cell("a", "x").hidden and not table.col_totals["x"].hidden


def test_a_table_whose_total_is_below_k_shows_nothing():
    table = crosstab(["a", "b"], ["x", "y"], {("a", "x"): 3, ("b", "y"): 1}, {"a": 3, "b": 1},
                     {"x": 3, "y": 1}, 4, K, True, True)
    figures = [*table.cells.values(), *table.row_totals.values(), *table.col_totals.values(), table.total]
    assert all(f.hidden and f.share is None for f in figures)


def test_every_cell_of_a_small_group_is_hidden_even_its_zeros():
    # The three in column y all answered a: "nobody in y answered b" would tell about them.
    table = crosstab(["a", "b"], ["x", "y"], {("a", "x"): 10, ("b", "x"): 6, ("a", "y"): 3},
                     {"a": 13, "b": 6}, {"x": 16, "y": 3}, 19, K, True, True)
    assert table.cell("b", "y").hidden and table.cell("a", "y").hidden


@pytest.mark.parametrize("exclusive_rows, exclusive_cols", [(True, True), (True, False), (False, True), (False, False)])
def test_no_hidden_figure_can_be_worked_out_from_any_published_sum(exclusive_rows, exclusive_cols):
    rng = random.Random(11)
    rows, cols = ["r1", "r2", "r3", "r4"], ["c1", "c2", "c3"]

    def picks(codes, exclusive):
        if exclusive:
            return [rng.choice(codes)] if rng.random() < 0.9 else []
        return rng.sample(codes, rng.randint(0, 2))

    for _ in range(150):
        weights = [rng.choice([0, 1, 3, 10]) for _ in rows]
        responses = []
        for _ in range(rng.randint(0, 40)):
            row = rng.choices(rows, weights=[w + 0.01 for w in weights])[0]
            row_picks = [row] if exclusive_rows else list({row, *picks(rows, False)})
            responses.append((row_picks, picks(cols, exclusive_cols)))
        table = table_from_responses(responses, rows, cols, exclusive_rows, exclusive_cols)
        hidden = hidden_keys(table)
        small = {key for key in (("cell", r, c) for r in rows for c in cols)
                 if 0 < table.cells[(key[1], key[2])].count < K}
        assert small <= hidden
        constraints = crosstab_constraints(rows, cols, exclusive_rows, exclusive_cols)
        # The constraints really hold on the data the SQL would give.
        values = {("cell", r, c): f.count for (r, c), f in table.cells.items()}
        values |= {("row", r): f.count for r, f in table.row_totals.items()}
        values |= {("col", c): f.count for c, f in table.col_totals.items()}
        values[TOTAL] = table.total.count
        for total, parts in constraints:
            assert values[total] == sum(values[p] for p in parts)
        assert not recoverable(hidden, constraints)


# --- the page -------------------------------------------------------------------------------

@pytest.fixture
def staff(login):
    return login("planner")


@pytest.fixture
def answered(placement, today):
    """Nordbahnhof (126), everyone with an age band but three:

    ============  =========  =========
    satisfaction  30 to 44   45 to 64
    ============  =========  =========
    4             6          5
    2             5          0
    5             0          2
    ============  =========  =========

    plus three in 126 who like it 2 without an age band, and five in Hallschlag (214) who like
    it 3 and are 18 to 29.
    """
    add_responses(placement, today,
                  [{"living_satisfaction": "4", "age_band": "age_30_44"}] * 6
                  + [{"living_satisfaction": "4", "age_band": "age_45_64"}] * 5
                  + [{"living_satisfaction": "2", "age_band": "age_30_44"}] * 5
                  + [{"living_satisfaction": "5", "age_band": "age_45_64"}] * 2
                  + [{"living_satisfaction": "2"}] * 3
                  + [{"living_satisfaction": "3", "age_band": "age_18_29", "home_quarter": "214"}] * 5)
    return placement


def cells_of(html, label):
    """The texts of the data cells of the row headed ``label``."""
    row = re.search(r'<tr[^>]*>\s*<th scope="row">' + re.escape(label) + r"</th>(.*?)</tr>", html, re.DOTALL)
    assert row, label
    return [re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.DOTALL)]


def test_crosstab_needs_a_staff_login(client, answered):
    page = client.get("/results/quarter-needs/crosstab")
    assert page.status_code == 302 and "/login" in page.location


def test_planner_sees_living_satisfaction_by_age_band_in_a_quarter(staff, answered):
    page = staff.get("/results/quarter-needs/crosstab?rows=living_satisfaction&columns=age_band"
                     "&area=quarter:126&lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<caption" in html and 'scope="col"' in html
    # Columns: under 18, 18–29, 30–44, 45–64, 65–79, 80+, prefer not: count and share each, then total.
    four = cells_of(html, "4")
    assert four[4:8] == ["6", "55 %", "5", "71 %"] and four[-1] == "11"
    two = cells_of(html, "2")
    assert two[4:8] == ["5", "45 %", "0", "0 %"] and two[-1] == "5"  # the three without age: left out
    assert cells_of(html, "3")[2] == "0"  # Hallschlag's five are not in Nordbahnhof
    five = cells_of(html, "5 – Very much")
    assert five[6] == "fewer than 5" and five[-1] == "fewer than 5"
    totals = cells_of(html, "Total")
    assert totals[4] == "11" and totals[6] == "7" and totals[-1] == "18"
    assert ">2</td>" not in html  # the two aged 45 to 64 who like it very much
    assert "worked out" in html


def test_city_crosstab_counts_every_quarter(staff, answered):
    html = staff.get("/results/quarter-needs/crosstab?rows=living_satisfaction&columns=age_band"
                     "&area=city:&lang=en").get_data(as_text=True)
    assert cells_of(html, "3")[2:4] == ["5", "100 %"]
    assert cells_of(html, "Total")[-1] == "23"


def test_form_alone_until_both_questions_are_chosen(staff, answered):
    html = staff.get("/results/quarter-needs/crosstab?lang=en").get_data(as_text=True)
    assert '<select id="columns" name="columns">' in html and "<table" not in html
    assert 'value="age_band"' in html and 'value="household"' in html
