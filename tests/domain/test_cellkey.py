"""The cell key method's perturbation table: its promises, for the default and other settings."""
import math

import pytest

from app.domain.cellkey import (KEY_RANGE, RECORD_KEYS, PerturbationParameters, PerturbationTable, allowed_deviations,
                                cell_key, max_entropy)

SETTINGS = [PerturbationParameters(),
            PerturbationParameters(max_deviation=4, variance=2.0, threshold=3),
            PerturbationParameters(max_deviation=5, variance=1.5, threshold=5),
            PerturbationParameters(max_deviation=2, variance=0.5, threshold=1)]


@pytest.fixture(scope="module", params=SETTINGS, ids=lambda p: f"D{p.max_deviation}-V{p.variance}-t{p.threshold}")
def table(request):
    return PerturbationTable.build(request.param)


def test_no_published_count_is_negative_too_far_off_or_below_the_threshold(table):
    limits = table.parameters
    for count in range(0, 60):
        for key in range(KEY_RANGE):
            published = table.publish(count, key)
            assert abs(published - count) <= limits.max_deviation
            assert published == 0 or published >= limits.threshold, (count, key, published)


def test_an_empty_cell_stays_empty_and_a_cell_counts_the_same_for_the_same_responses(table):
    assert {table.publish(0, key) for key in range(KEY_RANGE)} == {0}
    # The cell key is the record keys' sum modulo 256: the same responses, the same value.
    assert table.publish(17, 40) == table.publish(17, 40 + 3 * KEY_RANGE)


def test_counts_well_above_the_threshold_are_unbiased_with_the_variance_set(table):
    limits = table.parameters
    for count in range(limits.threshold + limits.max_deviation, 40):
        row = table.row(count)
        assert abs(row.mean()) <= limits.max_deviation / KEY_RANGE  # rounding to 256ths only
        assert row.variance() == pytest.approx(limits.variance, abs=0.05)
        assert set(row.deviations) <= set(range(-limits.max_deviation, limits.max_deviation + 1))
        assert len(set(row.deviations)) >= 3  # noise, not rounding


def test_small_counts_are_unbiased_too_and_really_perturbed(table):
    for count in range(1, table.last + 1):
        row = table.row(count)
        assert abs(row.mean()) <= table.parameters.max_deviation / KEY_RANGE, count
        assert len(set(row.deviations)) >= 2, count  # never published as it is for sure


def test_every_published_value_names_the_true_count_among_its_candidates(table):
    for count in range(0, 50):
        for key in range(0, KEY_RANGE, 7):
            candidates = table.candidates(table.publish(count, key))
            assert count in candidates
            assert len(candidates) >= 2 or count == 0 and table.parameters.threshold == 1


def test_the_default_table_publishes_neither_1_nor_2_and_deviates_by_less_than_one_on_average():
    table = PerturbationTable.build(PerturbationParameters())
    published = {table.publish(count, key) for count in range(0, 30) for key in range(KEY_RANGE)}
    assert not published & {1, 2}
    assert table.summary["mean_absolute_deviation"] < 1
    assert table.summary["max_deviation"] == 3


def test_the_ons_file_format_has_one_row_per_count_and_cell_key():
    table = PerturbationTable.build(PerturbationParameters())
    rows = list(table.ons_rows(up_to=10))
    assert len(rows) == 10 * KEY_RANGE
    assert rows[0][:2] == (1, 0) and rows[-1][:2] == (10, 255)
    assert all(table.deviation(pcv, key) == value for pcv, key, value in rows)


def test_allowed_deviations_skip_the_counts_that_are_never_published():
    parameters = PerturbationParameters(max_deviation=3, threshold=3)
    assert allowed_deviations(1, parameters) == [-1, 2, 3]
    assert allowed_deviations(4, parameters) == [-1, 0, 1, 2, 3]
    assert allowed_deviations(0, parameters) == [0]


def test_maximum_entropy_meets_its_moments():
    support = [-3, -2, -1, 0, 1, 2, 3]
    p = max_entropy(support, 1.0)
    assert sum(p) == pytest.approx(1)
    assert sum(pi * d for pi, d in zip(p, support)) == pytest.approx(0, abs=1e-9)
    assert sum(pi * d * d for pi, d in zip(p, support)) == pytest.approx(1.0, abs=1e-9)
    assert p == pytest.approx(list(reversed(p)))  # symmetric support, symmetric answer
    # Mean only: the flattest distribution with mean 0 (uniform on a symmetric support).
    assert max_entropy([-1, 0, 1], None) == pytest.approx([1 / 3] * 3)
    free = max_entropy([-1, 2, 3], None)
    assert sum(pi * d for pi, d in zip(free, [-1, 2, 3])) == pytest.approx(0, abs=1e-9)
    assert -sum(pi * math.log(pi) for pi in free) > 0.7


@pytest.mark.parametrize("parameters", [PerturbationParameters(max_deviation=2, threshold=3),
                                        PerturbationParameters(variance=0),
                                        PerturbationParameters(variance=9),
                                        PerturbationParameters(threshold=0)])
def test_parameters_that_cannot_protect_are_refused(parameters):
    assert parameters.problems()
    with pytest.raises(ValueError):
        PerturbationTable.build(parameters)


def test_one_more_response_moves_the_key_of_every_cell_of_its_area():
    """Whatever the keys before: the cells the new response is counted in, and the others."""
    assert 0 not in RECORD_KEYS and KEY_RANGE // 2 not in RECORD_KEYS and len(RECORD_KEYS) == 254
    for new in RECORD_KEYS:
        for cell_sum, area_sum in [(0, 0), (17, 300), (255, 255), (1000, 4099)]:
            before = cell_key(cell_sum, area_sum)
            assert cell_key(cell_sum + new, area_sum + new) != before  # counted in it
            assert cell_key(cell_sum, area_sum + new) != before  # not counted in it
    # The same responses, the same key; an area's response count still reaches every key.
    assert cell_key(40, 1000) == cell_key(40 + KEY_RANGE, 1000 - KEY_RANGE)
    assert {cell_key(s, s) for s in range(KEY_RANGE)} == set(range(KEY_RANGE))
