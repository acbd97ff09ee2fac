"""Aggregation per quarter, district and city, with suppression."""
import pytest

from app.domain.aggregation import CITY, Area, Counts, aggregate
from app.domain.definition import OptionDef, QuestionDef

AREAS = [Area("city", "", "Stuttgart"), Area("district", "02", "Nord"),
         Area("quarter", "126", "Nordbahnhof", "02"), Area("quarter", "127", "Am Pragfriedhof", "02"),
         Area("quarter", "128", "Am Rosensteinpark", "02"),
         Area("district", "06", "Bad Cannstatt"), Area("quarter", "214", "Hallschlag", "06")]

CHOICE = QuestionDef("meeting", "single_choice", options=[OptionDef("yes_often"), OptionDef("sometimes"), OptionDef("never")])
SCALE = QuestionDef("satisfaction", "scale", settings={"min": 1, "max": 5})


def counts_for(rows):
    """Counts from (quarter, option) answers of the choice question, one per response."""
    counts = Counts()
    for quarter, option in rows:
        counts.options[("meeting", quarter, option)] = counts.options.get(("meeting", quarter, option), 0) + 1
        counts.answered[("meeting", quarter)] = counts.answered.get(("meeting", quarter), 0) + 1
        counts.responses[quarter] = counts.responses.get(quarter, 0) + 1
    return counts


def test_quarter_with_four_answers_is_suppressed_but_the_city_is_shown():
    rows = ([("126", "yes_often")] * 10 + [("126", "never")] * 10 + [("127", "yes_often")] * 6
            + [("127", "never")] * 6 + [("128", "sometimes")] * 4 + [("214", "never")] * 12)
    results = aggregate([CHOICE], AREAS, counts_for(rows), k=5)
    meeting = results.questions[0]
    assert results.responses[("quarter", "128")].hidden
    assert results.responses[("quarter", "128")].shown is None
    assert meeting.areas[("quarter", "128")].base.hidden
    assert meeting.areas[CITY].base.shown == 48
    assert meeting.areas[("quarter", "126")].options["yes_often"].shown == 10
    # Nord − 126 − 127 would reveal 128's zero: the smaller neighbour (127) is hidden too.
    assert meeting.areas[("quarter", "127")].options["yes_often"].hidden
    assert meeting.areas[("quarter", "126")].options["sometimes"].shown == 0
    assert meeting.areas[("quarter", "126")].options["yes_often"].share == pytest.approx(0.5)


def test_a_hidden_quarter_cannot_be_recomputed_from_its_district():
    # Nord = 126 + 127 + 128. With only 128 hidden, Nord − 126 − 127 would reveal it.
    rows = [("126", "yes_often")] * 20 + [("127", "never")] * 9 + [("128", "yes_often")] * 3 + [("214", "never")] * 12
    results = aggregate([CHOICE], AREAS, counts_for(rows), k=5)
    figures = results.responses
    nord = [figures[key].shown for key in [("district", "02"), ("quarter", "126"), ("quarter", "127"), ("quarter", "128")]]
    assert nord.count(None) == 2
    assert figures[("quarter", "127")].hidden  # the smallest partner of 128
    option = results.questions[0].areas
    cells = [option[key].options["yes_often"] for key in [("district", "02"), ("quarter", "126"), ("quarter", "127"), ("quarter", "128")]]
    assert [c.hidden for c in cells].count(True) >= 2


def test_a_single_small_option_in_a_quarter_hides_a_second_option():
    rows = [("126", "yes_often")] * 12 + [("126", "sometimes")] * 9 + [("126", "never")] * 2 + [("214", "never")] * 30
    results = aggregate([CHOICE], AREAS, counts_for(rows), k=5)
    q126 = results.questions[0].areas[("quarter", "126")]
    assert q126.base.shown == 23
    assert q126.options["never"].hidden
    assert q126.options["sometimes"].hidden  # else never = 23 − 12 − 9
    assert q126.options["yes_often"].shown == 12


def test_mean_and_median_of_a_scale_are_given_only_where_the_base_is_shown():
    counts = Counts()
    values = {"126": [1, 2, 2, 3, 5, 5], "128": [4, 4]}
    for quarter, points in values.items():
        counts.answered[("satisfaction", quarter)] = len(points)
        counts.responses[quarter] = len(points)
        for point in points:
            key = ("satisfaction", quarter, str(point))
            counts.options[key] = counts.options.get(key, 0) + 1
            nkey = ("satisfaction", quarter, float(point))
            counts.numbers[nkey] = counts.numbers.get(nkey, 0) + 1
    results = aggregate([SCALE], AREAS, counts, k=5)
    scale = results.questions[0]
    assert scale.areas[("quarter", "126")].mean == pytest.approx(3.0)
    assert scale.areas[("quarter", "126")].median == pytest.approx(2.5)
    assert scale.areas[("quarter", "128")].mean is None
    assert scale.areas[CITY].median == pytest.approx(3.5)  # 1 2 2 3 4 4 5 5


def test_breakdowns_by_channel_hide_small_channels_and_a_partner():
    counts = counts_for([("126", "never")] * 30)
    counts.breakdowns["channel"] = {"web": 20, "paper": 7, "kiosk": 3}
    results = aggregate([CHOICE], AREAS, counts, k=5)
    channel = results.breakdowns["channel"]
    assert channel["kiosk"].hidden and channel["paper"].hidden
    assert channel["web"].shown == 20
    assert channel["web"].share == pytest.approx(20 / 30)
