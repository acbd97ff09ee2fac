"""Aggregation per quarter, district and city, as published: perturbed by the cell key method,
small figures not shown. Each expected figure is worked out here from the responses' record
keys, independently of the aggregation's own bookkeeping."""
import random

import pytest

from app.domain.aggregation import (CITY, DEFAULT_PERTURBATION, MEDIAN_MINIMUM, Area, Counts, aggregate)
from app.domain.cellkey import RECORD_KEYS, cell_key
from app.domain.definition import OptionDef, QuestionDef

AREAS = [Area("city", "", "Stuttgart"), Area("district", "02", "Nord"),
         Area("quarter", "126", "Nordbahnhof", "02"), Area("quarter", "127", "Am Pragfriedhof", "02"),
         Area("quarter", "128", "Am Rosensteinpark", "02"),
         Area("district", "06", "Bad Cannstatt"), Area("quarter", "214", "Hallschlag", "06")]
DISTRICT_OF = {"126": "02", "127": "02", "128": "02", "214": "06"}
OPTIONS = ["yes_often", "sometimes", "never"]
CHOICE = QuestionDef("meeting", "single_choice", options=[OptionDef(code) for code in OPTIONS])
SCALE = QuestionDef("satisfaction", "scale", settings={"min": 1, "max": 5})
NUMBER = QuestionDef("minutes", "number")
K = 5
D = DEFAULT_PERTURBATION.parameters.max_deviation


def responses(rows, seed=1):
    """(quarter, option) rows with a record key each: (quarter, option, key)."""
    draw = random.Random(seed)
    return [(quarter, option, draw.choice(RECORD_KEYS)) for quarter, option in rows]


def counts_for(rows, code="meeting"):
    """Counts and key sums of (quarter, option, key) responses to one question, one answer each."""
    counts = Counts()
    for quarter, option, key in rows:
        for table, keys, cell in ((counts.options, counts.option_keys, (code, quarter, option)),
                                  (counts.answered, counts.answered_keys, (code, quarter)),
                                  (counts.responses, counts.response_keys, quarter)):
            table[cell] = table.get(cell, 0) + 1
            keys[cell] = keys.get(cell, 0) + key
    return counts


def in_area(row, area_key):
    level, code = area_key
    return level == "city" or (level == "quarter" and row[0] == code) or (
        level == "district" and DISTRICT_OF[row[0]] == code)


def expected(rows, area_key, option=None):
    """The published value of a cell, from its responses alone: count, cell key, table."""
    area = [row for row in rows if in_area(row, area_key)]
    cell = [row for row in area if option is None or row[1] == option]
    return DEFAULT_PERTURBATION.publish(len(cell), cell_key(sum(r[2] for r in cell), sum(r[2] for r in area)))


MIXED = ([("126", "yes_often")] * 10 + [("126", "never")] * 10 + [("127", "yes_often")] * 6
         + [("127", "never")] * 6 + [("128", "sometimes")] * 1 + [("214", "never")] * 12)


@pytest.mark.parametrize("seed", range(8))
def test_every_shown_figure_is_the_perturbed_count_of_its_own_responses(seed):
    rows = responses(MIXED, seed)
    results = aggregate([CHOICE], AREAS, counts_for(rows), k=K)
    meeting = results.questions[0]
    for area in AREAS:
        base = expected(rows, area.key)
        assert results.responses[area.key].shown == (None if base < K else base)
        assert meeting.areas[area.key].base.shown == (None if base < K else base)
        for option in OPTIONS:
            figure = meeting.areas[area.key].options[option]
            value = expected(rows, area.key, option)
            if base < K or value < K:
                assert figure.hidden and figure.shown is None and figure.count == 0, (area, option)
            else:
                assert figure.shown == value, (area, option)
                assert figure.share == pytest.approx(value / base)


@pytest.mark.parametrize("seed", range(8))
def test_no_shown_count_is_below_k_or_further_than_d_from_the_truth(seed):
    rows = responses(MIXED, seed)
    results = aggregate([CHOICE], AREAS, counts_for(rows), k=K)
    for area in AREAS:
        for option, figure in results.questions[0].areas[area.key].options.items():
            true = sum(1 for row in rows if in_area(row, area.key) and row[1] == option)
            if not figure.hidden:
                assert figure.count >= K  # zero included: a 0 may stand for up to D people
                assert abs(figure.count - true) <= D


def test_a_quarter_with_one_answer_shows_no_option_not_even_a_zero():
    rows = responses(MIXED)
    results = aggregate([CHOICE], AREAS, counts_for(rows), k=K)
    q128 = results.questions[0].areas[("quarter", "128")]
    assert q128.base.hidden  # 1 is published as 0, 3 or 4
    assert all(figure.hidden for figure in q128.options.values())


def test_a_district_of_one_quarter_shows_exactly_that_quarters_figures():
    """The same responses in the same area: the same value (here Bad Cannstatt = Hallschlag),
    so the two can never be told apart or subtracted."""
    for seed in range(20):
        results = aggregate([CHOICE], AREAS, counts_for(responses(MIXED, seed)), k=K)
        district, quarter = (results.questions[0].areas[key] for key in (("district", "06"), ("quarter", "214")))
        assert district.base == quarter.base
        assert district.options == quarter.options


def test_one_more_response_gives_fresh_noise_in_every_cell_of_its_area_not_just_its_own():
    """Before and after one response in Nordbahnhof (it answers "never"): the cells it is not
    counted in change as often as a matter of chance, so what changed does not tell its answer."""
    changed = {option: 0 for option in OPTIONS}
    trials = 300
    draw = random.Random(7)
    for trial in range(trials):
        rows = responses(MIXED, seed=1000 + trial)
        before = aggregate([CHOICE], AREAS, counts_for(rows), k=K).questions[0].areas[("quarter", "126")]
        after = aggregate([CHOICE], AREAS, counts_for(rows + [("126", "never", draw.choice(RECORD_KEYS))]),
                          k=K).questions[0].areas[("quarter", "126")]
        for option in OPTIONS:
            changed[option] += before.options[option].count != after.options[option].count
    assert changed["yes_often"] > trials * 0.4  # 10 before and after: only its noise moved
    assert changed["never"] > trials * 0.4
    assert abs(changed["yes_often"] - changed["never"]) < trials * 0.25
    assert before.options["sometimes"].hidden and after.options["sometimes"].hidden  # 0: not shown


def scale_counts(values: dict[str, list[int]], seed=3):
    draw = random.Random(seed)
    counts = Counts()
    for quarter, points in values.items():
        for point in points:
            key = draw.choice(RECORD_KEYS)
            for table, keys, cell in ((counts.options, counts.option_keys, ("satisfaction", quarter, str(point))),
                                      (counts.answered, counts.answered_keys, ("satisfaction", quarter)),
                                      (counts.responses, counts.response_keys, quarter)):
                table[cell] = table.get(cell, 0) + 1
                keys[cell] = keys.get(cell, 0) + key
            counts.numbers[("satisfaction", quarter, float(point))] = (
                counts.numbers.get(("satisfaction", quarter, float(point)), 0) + 1)
    return counts


def test_a_scale_mean_is_a_perturbed_sum_over_the_published_base_and_only_where_it_is_shown():
    values = {"126": [1] * 10 + [3] * 12 + [5] * 9, "127": [4, 4], "214": [2] * 30}
    results = aggregate([SCALE], AREAS, scale_counts(values), k=K)
    for key, points in ((("quarter", "126"), values["126"]), (("quarter", "214"), values["214"])):
        area = results.questions[0].areas[key]
        true_mean = sum(points) / len(points)
        # off by at most D × half the largest point over the published base, plus rounding
        assert abs(area.mean - true_mean) <= (D * 2.5 + D * 5) / area.base.count + 0.05
    assert results.questions[0].areas[("quarter", "127")].mean is None  # two answers
    assert results.questions[0].areas[("quarter", "127")].median is None


def test_medians_only_for_groups_of_twenty_or_more():
    values = {"126": [2] * 8 + [4] * 7, "214": [1] * 20 + [5] * 25}
    results = aggregate([SCALE], AREAS, scale_counts(values), k=K)
    assert results.questions[0].areas[("quarter", "126")].median is None  # 15 answers
    assert results.questions[0].areas[("quarter", "126")].mean is not None
    assert results.questions[0].areas[("quarter", "214")].median == 5.0
    assert MEDIAN_MINIMUM == 20


def test_a_number_mean_is_noisy_so_a_lone_answer_cannot_be_worked_out_from_the_means():
    """District mean × n minus the quarters' means × n gave one resident's 99 before; now the
    sums are perturbed in proportion to their largest number."""
    recovered = set()
    for seed in range(40):
        draw = random.Random(seed)
        counts = Counts()
        answers = [("126", 20)] * 12 + [("127", 30)] * 9 + [("128", 99)]
        for quarter, value in answers:
            key = draw.choice(RECORD_KEYS)
            for table, keys, cell in ((counts.answered, counts.answered_keys, ("minutes", quarter)),
                                      (counts.responses, counts.response_keys, quarter)):
                table[cell] = table.get(cell, 0) + 1
                keys[cell] = keys.get(cell, 0) + key
            cell = ("minutes", quarter, float(value))
            counts.numbers[cell] = counts.numbers.get(cell, 0) + 1
        areas = aggregate([NUMBER], AREAS, counts, k=K).questions[0].areas
        parts = [areas[("quarter", q)] for q in ("126", "127")]
        nord = areas[("district", "02")]
        if nord.mean is None or any(p.mean is None for p in parts):
            continue
        lone = nord.mean * nord.base.count - sum(p.mean * p.base.count for p in parts)
        recovered.add(round(lone))
    assert len(recovered) > 5 and recovered != {99}


def test_breakdowns_are_perturbed_and_hidden_below_k():
    rows = responses([("126", "never")] * 30)
    counts = counts_for(rows)
    channels = ["web"] * 20 + ["paper"] * 7 + ["kiosk"] * 3
    counts.breakdowns["channel"] = {"web": 20, "paper": 7, "kiosk": 3}
    counts.breakdown_keys["channel"] = {name: sum(r[2] for r, c in zip(rows, channels) if c == name)
                                        for name in ("web", "paper", "kiosk")}
    results = aggregate([CHOICE], AREAS, counts, k=K)
    channel = results.breakdowns["channel"]
    total = sum(r[2] for r in rows)
    for name, n in (("web", 20), ("paper", 7), ("kiosk", 3)):
        value = DEFAULT_PERTURBATION.publish(n, cell_key(counts.breakdown_keys["channel"][name], total))
        assert channel[name].shown == (None if 0 < value < K else value)
    city = results.responses[CITY].count
    assert channel["web"].share == pytest.approx(channel["web"].count / city)
    assert results.perturbation["max_deviation"] == D
