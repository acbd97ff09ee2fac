"""Cross tables: a question by a respondent question, with small counts and every figure that
would give one away hidden (the suppression itself: tests/domain/test_partition.py)."""
import re

import pytest

from app.analyse import crosstab_views  # noqa: F401  (routes join the blueprint before any app)
from tests.analyse.test_results import add_responses
from tests.figures import plausible

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
    # Columns: under 18, 18–29, 30–44, 45–64, 65–79, 80+, prefer not, no answer: count and
    # share each, then the total of all responses: the results page's figure. True counts:
    truth = {"4": {4: 6, 6: 5, -1: 11}, "2": {4: 5, 6: 0, -3: 3, -1: 8}, "5 – Very much": {4: 0, 6: 2, -1: 2},
             "Total": {4: 11, 6: 7, -1: 21}}
    for label, columns in truth.items():
        cells = cells_of(html, label)
        for position, true in columns.items():
            shown = cells[position]
            assert shown == "not shown" or plausible(shown, true), (label, position, shown, true)
    assert cells_of(html, "2")[-3] == "not shown"  # the three without an age band: their own column
    assert "No answer" in html
    assert cells_of(html, "3")[2] == "not shown"  # nobody aged 18 to 29 in 126: a group below 5
    assert cells_of(html, "5 – Very much")[-1] == "not shown"  # two people
    for small in (1, 2):
        assert f">{small}</td>" not in html
    assert "worked out" in html


def test_crosstab_totals_are_the_figures_of_the_results_page(staff, answered):
    """The total column shows what the results page shows for the quarter, hidden cells too:
    comparing the two pages gives nothing away."""
    cross = staff.get("/results/quarter-needs/crosstab?rows=living_satisfaction&columns=age_band"
                      "&area=quarter:126&lang=en").get_data(as_text=True)
    results = staff.get("/results/quarter-needs?area=quarter:126&lang=en").get_data(as_text=True)
    section = results[results.index('id="q-living_satisfaction"'):]
    section = section[:section.index("</table>")]
    for label in ["1 – Not at all", "2", "3", "4", "5 – Very much"]:
        page_cells = cells_of(section, label)
        assert cells_of(cross, label)[-1] == page_cells[-2], label  # the quarter's count


def test_city_crosstab_counts_every_quarter(staff, answered):
    html = staff.get("/results/quarter-needs/crosstab?rows=living_satisfaction&columns=age_band"
                     "&area=city:&lang=en").get_data(as_text=True)
    three = cells_of(html, "3")[2:4]  # the five in Hallschlag, all 18 to 29
    assert three == ["not shown", ""] or (plausible(three[0], 5) and three[1] == "100 %")
    assert plausible(cells_of(html, "Total")[-1], 26) and cells_of(html, "Total")[-1] != "not shown"


def test_form_alone_until_both_questions_are_chosen(staff, answered):
    html = staff.get("/results/quarter-needs/crosstab?lang=en").get_data(as_text=True)
    assert '<select id="columns" name="columns">' in html and "<table" not in html
    assert 'value="age_band"' in html and 'value="household"' in html
    assert 'value="living_satisfaction"' not in html.split('id="columns"')[1].split("</select>")[0]
