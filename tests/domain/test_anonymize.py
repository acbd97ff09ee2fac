"""k-anonymity decided once per key gives exactly what the old record-by-record algorithm gave."""
import copy
import random
from collections import Counter

import pytest

from app.domain.anonymize import Record, anonymize, decide, key_of

GEOGRAPHY = [["quarter_code", "quarter_name"], ["district_code", "district_name"]]
OTHERS = [["channel"], ["language"], ["age"], ["household__alone", "household__children"]]


def old_anonymize(records, k, geography, others):
    """The list-based algorithm as it was before the export streamed (kept verbatim as the
    reference): every record in memory, offenders found and blanked record by record."""

    def key(record, groups):
        return tuple(tuple(record.values.get(column) for column in group) for group in groups)

    groups = geography + others
    steps = list(geography) + list(reversed(others))

    def small(current):
        sizes = Counter(key(r, groups) for r in current)
        return [r for r in current if sizes[key(r, groups)] < k]

    for step in steps:
        offenders = small(records)
        if not offenders:
            break
        for record in offenders:
            for column in step:
                if record.values.get(column) not in (None, ""):
                    record.values[column] = ""
                    record.suppressed.append(column)
    offenders = {id(r) for r in small(records)}
    kept = [r for r in records if id(r) not in offenders]
    return kept, len(records) - len(kept)


QUARTERS = [("126", "Nordbahnhof", "02", "Nord"), ("128", "Rosensteinpark", "02", "Nord"),
            ("214", "Hallschlag", "06", "Bad Cannstatt"), ("", "", "", "")]


def make_record(rng: random.Random) -> Record:
    """A response with a random place, language, channel and respondent answers — including
    the two missing codes (None: not shown, -1: skipped) and absent columns."""
    quarter, quarter_name, district, district_name = rng.choice(QUARTERS)
    values = {"quarter_code": quarter, "quarter_name": quarter_name, "district_code": district,
              "district_name": district_name, "channel": rng.choice(["web", "web", "web", "paper"]),
              "language": rng.choice(["de", "de", "de", "tr", "ar"]), "living": rng.choice([1, 2, 3, 4, 5])}
    age = rng.choice(["30_44", "30_44", "45_64", "80_plus", None, -1, "absent"])
    if age != "absent":
        values["age"] = age
    household = rng.choice(["alone", "children", "skipped", "not shown"])
    if household == "skipped":
        values.update({"household__alone": -1, "household__children": -1})
    elif household != "not shown":
        values.update({"household__alone": int(household == "alone"), "household__children": int(household != "alone")})
    return Record(values)


def same_as_old(records, k, geography=GEOGRAPHY, others=OTHERS):
    """Run both algorithms on copies of ``records``; assert identical results."""
    old_kept, old_left_out = old_anonymize(copy.deepcopy(records), k, geography, others)
    new = anonymize(copy.deepcopy(records), k, geography, others)
    assert new.left_out == old_left_out
    assert [(r.values, r.suppressed) for r in new.records] == [(r.values, r.suppressed) for r in old_kept]
    return new


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("k", [2, 5, 11])
def test_deciding_per_key_gives_what_the_old_list_algorithm_gave(seed, k):
    rng = random.Random(seed)
    records = [make_record(rng) for _ in range(rng.choice([0, 1, 7, 60, 300]))]
    same_as_old(records, k)


def test_crafted_set_blanks_quarter_then_district_then_respondent_answers_one_group_at_a_time():
    def row(quarter, district, channel, language, age):
        return Record({"quarter_code": quarter, "quarter_name": quarter and f"Q{quarter}", "district_code": district,
                       "district_name": district and f"D{district}", "channel": channel, "language": language,
                       "age": age})
    records = ([row("126", "02", "web", "de", "30_44")] * 6      # a group of its own: untouched
               + [row("128", "02", "web", "de", "30_44")] * 2    # loses its quarter, joins nothing yet
               + [row("214", "06", "web", "de", "30_44")] * 3    # loses quarter, district: joins the two
               + [row("126", "02", "web", "de", -1)] * 5         # skipped age: a group of its own
               + [row("126", "02", "web", "de", None)] * 1       # not shown: alone, blanked to nothing
               + [row("126", "02", "paper", "tr", "80_plus")])   # the rarest: left out
    records = [copy.deepcopy(r) for r in records]
    result = same_as_old(records, 5, GEOGRAPHY, [["channel"], ["language"], ["age"]])
    kept = Counter((r.values["quarter_code"], r.values["district_code"], r.values["age"]) for r in result.records)
    assert kept[("126", "02", "30_44")] == 6 and kept[("126", "02", -1)] == 5
    assert kept[("", "", "30_44")] == 5
    assert result.left_out == 2
    moved = next(r for r in result.records if r.values["quarter_name"] == "")
    assert moved.suppressed[:2] == ["quarter_code", "quarter_name"]


def test_decide_works_on_a_count_of_keys_and_treats_a_key_alike_however_many_records_have_it():
    groups = [["quarter_code"], ["district_code"], ["age"]]
    counts = Counter({("126", "02", "30_44"): 6000, ("128", "02", "30_44"): 4, ("214", "06", "30_44"): 1,
                      ("128", "02", "80_plus"): 1})
    decisions = decide(counts, 5, [["quarter_code"], ["district_code"]], [["age"]])
    assert len(decisions.by_key) == 4  # memory for the keys, not for the 6006 records
    assert decisions.get(("126", "02", "30_44")).suppressed == ()
    # 4 + 1 without quarter are still small apart; without district they are five.
    moved = decisions.get(("128", "02", "30_44"))
    assert moved.suppressed == ("quarter_code", "district_code")
    assert decisions.get(("214", "06", "30_44")) is moved  # one decision object for every key that loses the same
    assert decisions.get(("128", "02", "80_plus")) is None and decisions.left_out == 1
    assert decisions.get(("999", "99", "x")) is None  # a key never counted is never published
    assert key_of({"quarter_code": "126", "district_code": "02", "age": "30_44"}, groups) in counts
    assert decisions.published() == {"quarter_code": {"126"}, "district_code": {"02"}, "age": {"30_44"}}


def test_a_column_in_two_groups_is_refused():
    with pytest.raises(ValueError):
        decide(Counter(), 5, [["quarter_code"]], [["quarter_code"]])
