"""Surveys that reuse question codes, compared wave by wave: the page, its order, scope, and
``compare_waves`` for areas other than a quarter."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from app import accounts
from app.db import db
from app.domain.aggregation import CITY, Area, Counts, aggregate
from app.domain.definition import QuestionDef, SurveyDef
from app.domain.profile import compare_waves
from app.manage import operations
from app.models import District, Quarter, Survey
from tests.analyse.test_results import add_responses
from tests.conftest import load_template, log_in
from tests.figures import IDENTITY


def earlier_wave(stuttgart, quarter_codes=None):
    """The needs survey of 2024 (code ``quarter-needs-2024``), without ``advice_known``, open
    from 1 March 2024 and placed in Nordbahnhof (126); ``quarter_codes`` limit its quarters."""
    defn = load_template("quarter-needs")
    defn.code = "quarter-needs-2024"
    defn.consultation = {**defn.consultation, "code": "quarter-needs-2024",
                         "title": {"de": "Bedarfsbefragung 2024", "en": "Quarter needs survey 2024"}}
    defn.questions = [q for q in defn.questions if q.code != "advice_known"]
    operations.import_survey(defn, stuttgart)
    survey = Survey.by_code("quarter-needs-2024")
    survey.consultation.opens_on = date(2024, 3, 1)
    if quarter_codes:
        survey.consultation.quarters = list(db.session.scalars(
            select(Quarter).where(Quarter.code.in_(quarter_codes))))
    operations.set_status(survey.consultation, "open")
    nordbahnhof = db.session.scalar(select(Quarter).where(Quarter.code == "126"))
    place = operations.create_meeting_place("Bücherei 2024", "library", nordbahnhof)
    placement = operations.place_survey(survey, place)
    db.session.commit()
    return placement


@pytest.fixture
def staff(login):
    return login("planner")


@pytest.fixture
def two_waves(placement, stuttgart, today):
    """2024: Nordbahnhof 5 of 10 have help nearby (all like living there 3), Hallschlag 5 of 15
    (all 5); 2026: Nordbahnhof 10 of 15 (all 4), Hallschlag 5 of 15 (all 5). The 2024 wave is
    created after the 2026 one, but its period comes first."""
    placement.survey.consultation.opens_on = date(2026, 3, 1)
    old = earlier_wave(stuttgart)
    add_responses(old, today, [{"help_nearby": "yes", "living_satisfaction": "3"}] * 5
                  + [{"help_nearby": "no", "living_satisfaction": "3"}] * 5
                  + [{"help_nearby": "yes", "living_satisfaction": "5", "home_quarter": "214"}] * 5
                  + [{"help_nearby": "no", "living_satisfaction": "5", "home_quarter": "214"}] * 10)
    add_responses(placement, today, [{"help_nearby": "yes", "living_satisfaction": "4"}] * 10
                  + [{"help_nearby": "no", "living_satisfaction": "4"}] * 5
                  + [{"help_nearby": "yes", "living_satisfaction": "5", "home_quarter": "214"}] * 5
                  + [{"help_nearby": "no", "living_satisfaction": "5", "home_quarter": "214"}] * 10)
    return placement


def section(html: str, code: str) -> str:
    """The section of one shared question."""
    match = re.search(rf'<section class="card" aria-labelledby="q-{code}">(.*?)</section>', html, re.DOTALL)
    assert match, code
    return match.group(1)


def row_cells(html: str, header: str) -> list[str]:
    """The cell texts of the body row whose header is ``header``, tags and spaces tidied."""
    match = re.search(rf'<th scope="row">{re.escape(header)}</th>(.*?)</tr>', html, re.DOTALL)
    assert match, header
    cells = re.findall(r"<td>(.*?)</td>", match.group(1), re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", "", c).replace("\xa0", " ").replace("\u202f", " ").split())
            for c in cells]


def published(survey_code, area_key):
    """The release layer's share answering yes to help_nearby and mean of living_satisfaction."""
    from app.results.queries import survey_results
    results = survey_results(Survey.by_code(survey_code))
    by_code = {q.question.code: q.areas[area_key] for q in results.questions}
    yes = by_code["help_nearby"].options["yes"]
    return (None if yes.hidden else yes.share), by_code["living_satisfaction"].mean


def number(text: str) -> float:
    return float(re.search(r"[−+-]?\d+(\.\d+)?", text).group(0).replace("−", "-"))


def assert_wave_cells(cells, first, second, percent=True):
    """Cells "old, new, change" show the published values (shares as whole percent)."""
    scale = 100 if percent else 1
    tolerance = 0.5 if percent else 0.05
    for cell, value in ((cells[0], first), (cells[1], second)):
        if value is None:
            assert cell == "not shown"
        else:
            assert abs(number(cell) - value * scale) <= tolerance + 1e-9, (cell, value)
    if first is None or second is None:
        assert cells[2] == "–"
    else:
        assert abs(number(cells[2]) - (second - first) * scale) <= tolerance + 1e-9, (cells[2], first, second)


def test_a_shared_question_shows_each_wave_oldest_first_with_the_change(staff, two_waves):
    html = staff.get("/results/quarter-needs/waves?area=quarter:126&lang=en").get_data(as_text=True)
    help_nearby = section(html, "help_nearby")
    assert re.findall(r'<th scope="col">(\w+ \d{4})</th>', help_nearby) == ["Mar 2024", "Mar 2026"] * 2
    legend = html.split('<ol class="waves">')[1].split("</ol>")[0]
    assert legend.index("Quarter needs survey 2024") < legend.index("Quarter needs survey 2026")
    # truly: Nordbahnhof 5/10 = 50 % → 10/15 = 67 %; the city 10/25 = 40 % → 15/30 = 50 %
    old_q, new_q = published("quarter-needs-2024", ("quarter", "126")), published("quarter-needs", ("quarter", "126"))
    old_c, new_c = published("quarter-needs-2024", CITY), published("quarter-needs", CITY)
    cells = row_cells(help_nearby, "Share answering yes")
    assert_wave_cells(cells[:3], old_q[0], new_q[0])
    assert_wave_cells(cells[3:], old_c[0], new_c[0])
    assert abs(new_c[0] - 0.5) < 0.15 and abs(old_c[0] - 0.4) < 0.15
    # means: truly Nordbahnhof 3.0 → 4.0; the city 4.2 → 4.5
    means = row_cells(section(html, "living_satisfaction"), "Mean")
    assert_wave_cells(means[:3], old_q[1], new_q[1], percent=False)
    assert_wave_cells(means[3:], old_c[1], new_c[1], percent=False)
    assert abs(new_c[1] - 4.5) < 1 and abs(old_c[1] - 4.2) < 1


def test_only_the_city_is_shown_without_a_chosen_area(staff, two_waves):
    html = staff.get("/results/quarter-needs/waves?lang=en").get_data(as_text=True)
    assert_wave_cells(row_cells(section(html, "help_nearby"), "Share answering yes"),
                      published("quarter-needs-2024", CITY)[0], published("quarter-needs", CITY)[0])
    assert 'scope="colgroup"' not in html


def test_a_district_can_be_compared_too(staff, two_waves):
    html = staff.get("/results/quarter-needs/waves?area=district:02&lang=en").get_data(as_text=True)
    # Nord holds only Nordbahnhof's answers: the same responses, the same figures
    cells = row_cells(section(html, "help_nearby"), "Share answering yes")[:3]
    assert_wave_cells(cells, published("quarter-needs-2024", ("quarter", "126"))[0],
                      published("quarter-needs", ("quarter", "126"))[0])


def test_questions_asked_in_one_wave_only_are_left_out(staff, two_waves):
    html = staff.get("/results/quarter-needs/waves?lang=en").get_data(as_text=True)
    assert 'aria-labelledby="q-advice_known"' not in html
    assert 'aria-labelledby="q-change_wishes"' not in html  # text: no value to compare
    assert 'aria-labelledby="q-top_needs"' in html


def test_hidden_values_are_never_shown_and_give_no_change(staff, two_waves):
    html = staff.get("/results/quarter-needs/waves?area=quarter:127&lang=en").get_data(as_text=True)
    cells = row_cells(section(html, "help_nearby"), "Share answering yes")
    assert cells[:3] == ["not shown", "not shown", "–"]  # nobody answered in 127
    assert_wave_cells(cells[3:], published("quarter-needs-2024", CITY)[0], published("quarter-needs", CITY)[0])


def test_other_surveys_are_offered_only_if_they_share_a_question_with_a_value(staff, two_waves, make_placement):
    make_placement(template="meeting-place")  # shares only home_quarter with the needs survey
    html = staff.get("/results/quarter-needs/waves?lang=en").get_data(as_text=True)
    form = html.split("<fieldset>")[1].split("</fieldset>")[0]
    assert 'value="quarter-needs-2024" checked' in form and "meeting-place" not in form


def test_a_wave_chosen_in_the_form_is_compared(staff, two_waves, stuttgart):
    html = staff.get("/results/quarter-needs/waves?with=quarter-needs-2024&lang=en").get_data(as_text=True)
    assert 'value="quarter-needs-2024" checked' in html and "Shared questions" in html


def test_a_survey_without_other_waves_says_so(staff, placement):
    page = staff.get("/results/quarter-needs/waves?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "No other survey you may see shares a question with this one." in html
    assert "Shared questions" not in html


def test_a_planner_of_one_district_sees_no_wave_outside_it(app, client, placement, stuttgart, today):
    placement.survey.consultation.quarters = list(db.session.scalars(
        select(Quarter).where(Quarter.code.in_(["126", "127"]))))
    other = earlier_wave(stuttgart, quarter_codes=["214"])  # Bad Cannstatt
    user = accounts.create_user("nord@example.org", "a-long-password", "planner")
    user.is_city_wide = False
    user.districts = [db.session.scalar(select(District).where(District.code == "02"))]
    db.session.commit()
    log_in(client, "nord@example.org", "a-long-password")
    html = client.get("/results/quarter-needs/waves?with=quarter-needs-2024&lang=en").get_data(as_text=True)
    assert "quarter-needs-2024" not in html and "Shared questions" not in html
    assert client.get(f"/results/{other.survey.code}/waves").status_code == 403


def test_waves_need_a_staff_login(client, placement):
    page = client.get("/results/quarter-needs/waves")
    assert page.status_code == 302 and "/login" in page.location


# --- compare_waves beyond quarters ---------------------------------------------------------------

AREAS = [Area("city", "", "Stadt"), Area("district", "01", "Eins"),
         Area("quarter", "101", "A", "01"), Area("quarter", "102", "B", "01")]
HELP = QuestionDef("help", "yes_no")  # no indicator tag
MOOD = QuestionDef("mood", "scale", settings={"min": 1, "max": 5}, tags={"indicator": "mood"})


def wave(yes_a, no_a, yes_b, no_b):
    """Results of one wave: ``help`` answered in quarters A and B."""
    counts = Counts(answered={("help", "101"): yes_a + no_a, ("help", "102"): yes_b + no_b},
                    options={("help", "101", "yes"): yes_a, ("help", "101", "no"): no_a,
                             ("help", "102", "yes"): yes_b, ("help", "102", "no"): no_b},
                    responses={"101": yes_a + no_a, "102": yes_b + no_b})
    return aggregate([HELP, MOOD], AREAS, counts, k=5, perturbation=IDENTITY)  # compare_waves' own logic


def test_compare_waves_takes_a_district_and_untagged_questions():
    first, second = wave(10, 10, 5, 5), wave(15, 5, 10, 10)
    defn = SurveyDef("s", "en", ["en"], questions=[HELP, MOOD])
    comparison = compare_waves([("w1", first, defn), ("w2", second, defn)], area=("district", "01"),
                               every_question=True)
    help_row = next(row for row in comparison.rows if row.question_code == "help")
    # district: 15/30 = 0.5 → 25/40 = 0.625
    assert [v.value for v in help_row.values] == [pytest.approx(0.5), pytest.approx(0.625)]
    assert help_row.change == pytest.approx(0.125) and help_row.question is HELP
    assert comparison.k == 5 and [code for code, _rows in comparison.questions()] == ["help", "mood"]
    # Without every_question only tagged indicators count: help has no tag.
    assert {row.question_code for row in compare_waves([("w1", first, defn), ("w2", second, defn)],
                                                       area=CITY).rows} == {"mood"}


def test_a_hidden_value_gives_no_change():
    first, second = wave(10, 10, 3, 1), wave(15, 5, 10, 10)  # B had 4 answers in the first wave
    defn = SurveyDef("s", "en", ["en"], questions=[HELP])
    row = compare_waves([("w1", first, defn), ("w2", second, defn)], "102", every_question=True).rows[0]
    assert row.values[0].hidden and row.values[0].value is None
    assert row.values[1].value == pytest.approx(0.5) and row.change is None
    assert row.city_change == pytest.approx(25 / 40 - 13 / 24)
