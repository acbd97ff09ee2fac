"""Filtered results and cross tables: groups of respondents suppressed together with the whole,
so that no difference between published figures reveals a count below k."""
import random
from collections import defaultdict

import pytest

from app.domain.aggregation import BASE, CITY, REST, Counts, aggregate, aggregate_partition, subtract
from app.domain.crosstab import crosstab_from_parts
from app.domain.definition import OptionDef, QuestionDef
from tests.domain.test_aggregation import AREAS

K = 5
CHOICE = QuestionDef("meeting", "single_choice",
                     options=[OptionDef("often"), OptionDef("sometimes"), OptionDef("never")])
NEEDS = QuestionDef("needs", "multiple_choice",
                    options=[OptionDef("green"), OptionDef("bus"), OptionDef("doctor")])
QUARTERS = ["126", "127", "128", "214"]
DISTRICT = {"126": "02", "127": "02", "128": "02", "214": "06"}


def counts_of(responses):
    """Counts as the SQL gives them, from responses ``(quarter, {question: [options]})``."""
    counts = Counts()
    for quarter, answers in responses:
        counts.responses[quarter] = counts.responses.get(quarter, 0) + 1
        for code, options in answers.items():
            if not options:
                continue
            counts.answered[(code, quarter)] = counts.answered.get((code, quarter), 0) + 1
            for option in options:
                key = (code, quarter, option)
                counts.options[key] = counts.options.get(key, 0) + 1
    return counts


def cells(results):
    """Every figure of a results object: key → Figure, keyed like the suppression's cells."""
    found = {}
    for result in results.questions:
        for area, figures in result.areas.items():
            found[(result.question.code, area, BASE)] = figures.base
            for option, figure in figures.options.items():
                found[(result.question.code, area, option)] = figure
    for area, figure in results.responses.items():
        found[("_responses", area, BASE)] = figure
    return found


def published_sums(questions):
    """Every additive identity between cells of one table: (total, parts)."""
    identities = []
    for code in ["_responses", *[q.code for q in questions]]:
        question = next((q for q in questions if q.code == code), None)
        columns = [BASE] + ([o.code for o in question.options] if question else [])
        for column in columns:
            for district in ("02", "06"):
                identities.append(((code, ("district", district), column),
                                   [(code, ("quarter", q), column) for q in QUARTERS if DISTRICT[q] == district]))
            identities.append(((code, CITY, column),
                               [(code, ("district", d), column) for d in ("02", "06")]))
        if question is not None and question.is_exclusive:
            for area in [CITY, ("district", "02"), ("district", "06"), *[("quarter", q) for q in QUARTERS]]:
                identities.append(((code, area, BASE), [(code, area, o.code) for o in question.options]))
    return identities


def recoverable(known, identities):
    """Cells an attacker works out by repeatedly solving identities with one unknown."""
    known = dict(known)
    solved = set()
    progress = True
    while progress:
        progress = False
        for total, parts in identities:
            unknown = [cell for cell in (total, *parts) if cell not in known]
            if len(unknown) != 1:
                continue
            cell = unknown[0]
            if cell == total:
                known[cell] = sum(known[p] for p in parts)
            else:
                known[cell] = known[total] - sum(known[p] for p in parts if p != cell)
            solved.add(cell)
            progress = True
    return solved, known


def random_responses(rng, n, groups):
    """``n`` responses with a random quarter, group (or none), choice and needs."""
    responses = []
    for _ in range(n):
        quarter = rng.choices(QUARTERS, weights=[6, 3, 1, 4])[0]
        group = rng.choice([*groups, None])
        answers = {"meeting": [rng.choices(["often", "sometimes", "never"], weights=[5, 2, 1])[0]]
                   if rng.random() < 0.9 else [],
                   "needs": rng.sample(["green", "bus", "doctor"], rng.randint(0, 2))}
        responses.append((quarter, group, answers))
    return responses


@pytest.mark.parametrize("seed", range(25))
def test_no_hidden_figure_follows_from_the_whole_and_the_groups(seed):
    """An attacker who sees the results page and every group's filtered page, and knows every
    sum that holds between them (district = its quarters, city = its districts, a question's
    base = its options, the whole = every group plus the rest), learns no hidden figure — and
    every count below k stays hidden."""
    rng = random.Random(seed)
    groups = ["young", "middle", "old"]
    responses = random_responses(rng, rng.randint(30, 90), groups)
    whole = counts_of([(q, a) for q, _, a in responses])
    parts = {g: counts_of([(q, a) for q, grp, a in responses if grp == g]) for g in groups}
    whole_results, part_results = aggregate_partition([CHOICE, NEEDS], AREAS, whole, parts, K)

    published = {("whole", key): figure.count for key, figure in cells(whole_results).items()
                 if not figure.hidden}
    truth = {("whole", key): figure.count for key, figure in cells(whole_results).items()}
    for name, results in part_results.items():
        for key, figure in cells(results).items():
            truth[(name, key)] = figure.count
            if not figure.hidden:
                published[(name, key)] = figure.count
            if 0 < figure.count < K:
                assert figure.hidden, (name, key)
    rest = counts_of([(q, a) for q, grp, a in responses if grp is None])
    for key, figure in cells(aggregate([CHOICE, NEEDS], AREAS, rest, K)).items():
        truth[(REST, key)] = figure.count

    identities = []
    for name in ["whole", *groups, REST]:
        identities += [((name, total), [(name, p) for p in parts_])
                       for total, parts_ in published_sums([CHOICE, NEEDS])]
    for key in cells(whole_results):
        identities.append((("whole", key), [(name, key) for name in [*groups, REST]]))
    for total, parts_ in identities:  # the identities really hold
        assert truth.get(total, 0) == sum(truth.get(p, 0) for p in parts_)

    solved, known = recoverable(published, identities)
    for cell in solved:
        assert known[cell] == truth.get(cell, 0)
        assert not 0 < known[cell] < K, cell


def test_the_whole_is_suppressed_exactly_as_the_results_page():
    rng = random.Random(7)
    responses = random_responses(rng, 60, ["a", "b"])
    whole = counts_of([(q, a) for q, _, a in responses])
    parts = {g: counts_of([(q, a) for q, grp, a in responses if grp == g]) for g in ["a", "b"]}
    page = aggregate([CHOICE, NEEDS], AREAS, whole, K)
    together, _ = aggregate_partition([CHOICE, NEEDS], AREAS, whole, parts, K)
    assert {k: f.hidden for k, f in cells(page).items()} == {k: f.hidden for k, f in cells(together).items()}


def test_one_question_alone_hides_what_it_hides_among_all():
    """A cross table computes one question; it must hide what the full page hides."""
    rng = random.Random(3)
    responses = random_responses(rng, 70, ["a", "b", "c"])
    whole = counts_of([(q, a) for q, _, a in responses])
    parts = {g: counts_of([(q, a) for q, grp, a in responses if grp == g]) for g in ["a", "b", "c"]}
    _, all_questions = aggregate_partition([CHOICE, NEEDS], AREAS, whole, parts, K)
    _, one_question = aggregate_partition([NEEDS], AREAS, whole, parts, K)
    for group in parts:
        both = {k: f.hidden for k, f in cells(all_questions[group]).items() if k[0] == "needs"}
        alone = {k: f.hidden for k, f in cells(one_question[group]).items() if k[0] == "needs"}
        assert both == alone


def test_a_group_that_differs_from_the_whole_by_a_few_is_hidden_where_the_few_are():
    """Twelve in 126 chose 'often'; ten of them are 'young'. Showing 10 next to the page's 12
    would tell that two 'often' people in 126 are not young."""
    responses = ([("126", "young", {"meeting": ["often"]})] * 10
                 + [("126", None, {"meeting": ["often"]})] * 2
                 + [("126", "young", {"meeting": ["never"]})] * 8
                 + [("214", "young", {"meeting": ["never"]})] * 9)
    whole = counts_of([(q, a) for q, _, a in responses])
    young = counts_of([(q, a) for q, g, a in responses if g == "young"])
    whole_results, parts = aggregate_partition([CHOICE], AREAS, whole, {"young": young}, K)
    page = whole_results.questions[0].areas[("quarter", "126")]
    filtered = parts["young"].questions[0].areas[("quarter", "126")]
    assert page.options["often"].shown == 12 and page.base.shown == 20
    assert filtered.options["often"].count == 10 and filtered.options["often"].hidden
    # and a partner, so that 18 − 8 does not give the 10 back
    assert filtered.base.hidden or filtered.options["never"].hidden


def test_a_cross_table_takes_its_totals_from_the_whole():
    responses = ([("126", "young", {"meeting": ["often"]})] * 6
                 + [("126", "old", {"meeting": ["often"]})] * 7
                 + [("126", "old", {"meeting": ["never"]})] * 5
                 + [("126", None, {"meeting": ["sometimes"]})] * 5)
    whole = counts_of([(q, a) for q, _, a in responses])
    parts = {g: counts_of([(q, a) for q, grp, a in responses if grp == g]) for g in ["young", "old"]}
    whole_results, part_results = aggregate_partition([CHOICE], AREAS, whole, parts, K)
    table = crosstab_from_parts("meeting", ("quarter", "126"), whole_results, part_results)
    assert table.col_codes == ["young", "old", REST]
    assert table.total.shown == 23
    assert table.row_totals["often"].shown == 13
    assert table.cell("often", "young").shown == 6 and table.cell("often", "old").shown == 7
    assert table.cell("never", "old").shown == 5 and table.cell("sometimes", REST).shown == 5
    assert table.col_totals["old"].shown == 12
    assert table.cell("often", "old").share == pytest.approx(7 / 12)


def test_subtract_refuses_groups_larger_than_the_whole():
    whole = counts_of([("126", {"meeting": ["often"]})])
    with pytest.raises(ValueError):
        subtract(whole, [counts_of([("126", {"meeting": ["often"]})] * 2)])


def test_the_rest_is_everyone_in_no_group():
    everyone = [("126", {"meeting": ["often"]})] * 4 + [("214", {"meeting": ["never"]})] * 3
    rest = subtract(counts_of(everyone), [counts_of(everyone[:3])])
    counted = defaultdict(int, {k: v for k, v in rest.options.items() if v})
    assert dict(counted) == {("meeting", "126", "often"): 1, ("meeting", "214", "never"): 3}
    assert rest.responses == {"126": 1, "214": 3}


def test_groups_that_cover_everyone_protect_each_other_without_an_empty_rest():
    """Every response has a language. 12 in 126 like it, 10 of them German-speaking: showing
    the 10 would tell that two Turkish-speaking people in 126 like it — an empty "no language"
    group must not count as the hidden partner."""
    responses = ([("126", "de", {"meeting": ["often"]})] * 10
                 + [("126", "tr", {"meeting": ["often"]})] * 2
                 + [("126", "tr", {"meeting": ["never"]})] * 6
                 + [("214", "de", {"meeting": ["never"]})] * 9)
    whole = counts_of([(q, a) for q, _, a in responses])
    parts = {g: counts_of([(q, a) for q, grp, a in responses if grp == g]) for g in ["de", "tr"]}
    whole_results, part_results = aggregate_partition([CHOICE], AREAS, whole, parts, K)
    assert set(part_results) == {"de", "tr"}
    assert whole_results.questions[0].areas[("quarter", "126")].options["often"].shown == 12
    german = part_results["de"].questions[0].areas[("quarter", "126")]
    assert german.options["often"].hidden
