"""The attacks of issue 14, run against what planners and machines download: a lone resident in
a quarter (Am Pragfriedhof, 127) beside a larger quarter of the same district (Nordbahnhof,
126). Before the cell key method, the district's "No" minus Nordbahnhof's gave the lone
resident's answer, and the district's mean times its base minus Nordbahnhof's gave their number.

An attack *succeeds* when the published figures admit exactly one value for the lone answer.
The attacker here is strong: they know the method and its parameters (every export states
them), every published figure of the JSON export and the API, and even Nordbahnhof's largest
number. They still find more than one possible answer, with every draw of record keys.
"""
import json

import pytest

from app.domain.aggregation import MAGNITUDE_SHARE
from app.results.queries import perturbation_table
from tests.analyse.test_results import add_responses
from tests.conftest import hidden_fields
from tests.figures import D, K

LONE = {"help_nearby": "no", "minutes_to_stop": "55", "living_satisfaction": "1", "home_quarter": "127"}
NORDBAHNHOF_MINUTES = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]


@pytest.fixture
def lone_in_a_district(placement, today):
    add_responses(placement, today,
                  [{"help_nearby": "no" if i < 9 else "yes", "minutes_to_stop": str(m), "living_satisfaction": "4"}
                   for i, m in enumerate(NORDBAHNHOF_MINUTES)]
                  + [LONE]
                  + [{"help_nearby": "yes", "minutes_to_stop": "20", "home_quarter": "214"}] * 12)
    return placement


def documents(login) -> dict[str, dict]:
    """The JSON export and the API's aggregates, as the attacker downloads them."""
    planner = login("planner")
    form = hidden_fields(planner.get("/results/api-tokens").get_data(as_text=True))
    page = planner.post("/results/api-tokens", data={**form, "label": "Attacker"}).get_data(as_text=True)
    token = page.split("<code>")[1].split("</code>")[0]
    api = planner.get("/api/v1/surveys/quarter-needs/aggregates", headers={"Authorization": f"Bearer {token}"})
    return {"json": json.loads(planner.get("/results/quarter-needs/export.json").data), "api": api.get_json()}


def areas_of(document: dict, code: str) -> dict:
    """A question's figures per area (``district:02`` …), from the JSON export's questions or
    from the API's tidy rows, in the JSON export's shape."""
    if "questions" in document:
        return next(q for q in document["questions"] if q["code"] == code)["areas"]
    areas: dict[str, dict] = {}
    for row in document["rows"]:
        if row["question_code"] != code:
            continue
        key = {"city": "city", "district": f"district:{row['district_code']}",
               "quarter": f"quarter:{row['quarter_code']}"}[row["level"]]
        area = areas.setdefault(key, {"options": {}})
        figure = {"count": row["count"], "suppressed": row["suppressed"]}
        if row["option_code"]:
            area["options"][row["option_code"]] = figure
        else:
            area.update(answered=figure, mean=row.get("mean"), median=row.get("median"))
    return areas


def possible_counts(figure: dict, table) -> set[int]:
    """True counts a published figure admits: its candidates, or 0 … k − 1 + D if not shown."""
    if figure["suppressed"]:
        return set(range(K + D))
    return set(table.candidates(figure["count"]))


@pytest.mark.parametrize("draw", range(6))
def test_district_minus_quarter_does_not_give_the_lone_residents_choice(login, lone_in_a_district, draw):
    table = perturbation_table()
    for name, document in documents(login).items():
        areas = areas_of(document, "help_nearby")
        lone = areas["quarter:127"]
        assert lone["answered"]["suppressed"] and all(o["suppressed"] for o in lone["options"].values()), name
        district, quarter = areas["district:02"]["options"]["no"], areas["quarter:126"]["options"]["no"]
        lone_said_no = {a - b for a in possible_counts(district, table) for b in possible_counts(quarter, table)}
        assert {0, 1} <= lone_said_no, (name, district, quarter)  # "no" and "yes" both stay possible


@pytest.mark.parametrize("draw", range(6))
def test_means_times_bases_do_not_give_the_lone_residents_number(login, lone_in_a_district, draw):
    """Mean × base of the district minus the same of Nordbahnhof would be the lone number (55)
    if means were exact. The attacker tries every number from 0 to 60 against every deviation
    the method could have added to either sum and every true base the published bases admit."""
    table = perturbation_table()
    deviations = set(table.row(table.last).deviations)  # what the method may add (by at most D)
    largest_nordbahnhof = max(NORDBAHNHOF_MINUTES)
    for name, document in documents(login).items():
        areas = areas_of(document, "minutes_to_stop")
        district, quarter = areas["district:02"], areas["quarter:126"]
        assert district["mean"] is not None and quarter["mean"] is not None, name
        assert areas["quarter:127"]["mean"] is None and areas["quarter:127"]["median"] is None
        n_district, n_quarter = district["answered"]["count"], quarter["answered"]["count"]

        def sums(mean: float, base: int, largest: float) -> list[tuple[float, float]]:
            """Intervals of true sums that give ``mean`` over the published ``base``."""
            return [((mean - 0.05) * base - e * MAGNITUDE_SHARE * largest,
                     (mean + 0.05) * base - e * MAGNITUDE_SHARE * largest) for e in deviations]

        possible = set()
        for number in range(0, 61):
            in_district = sums(district["mean"], n_district, max(number, largest_nordbahnhof))
            in_quarter = sums(quarter["mean"], n_quarter, largest_nordbahnhof)
            if any(low_d - high_q <= number <= high_d - low_q
                   for low_d, high_d in in_district for low_q, high_q in in_quarter):
                possible.add(number)
        assert 55 in possible, name  # the truth is among them: the attacker's model is right …
        assert len(possible) > 1, (name, sorted(possible))  # … and it does not pin the answer
        naive = district["mean"] * n_district - quarter["mean"] * n_quarter
        assert len(possible) >= 10 or abs(naive - 55) >= 1, (name, naive, sorted(possible))


def test_a_channel_or_language_nobody_used_reads_like_one_a_few_used(lone_in_a_district):
    """"Not shown" must not mean "someone": an unused channel is a cell too, published as 0 and
    not shown, like the language only the lone resident might have used."""
    from app.results.queries import survey_results
    results = survey_results(lone_in_a_district.survey)
    channels = results.breakdowns["channel"]
    assert set(channels) == {"web", "paper", "kiosk", "assisted"}
    assert not channels["web"].hidden and all(channels[c].hidden for c in ("paper", "kiosk", "assisted"))
    languages = results.breakdowns["language"]
    assert set(languages) == set(lone_in_a_district.survey.languages)
    assert all(figure.hidden for code, figure in languages.items() if code != "de")
