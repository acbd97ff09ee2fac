"""A quarter's needs profile: each indicator of the survey, the quarter against the city.

Pure Python on top of :mod:`app.domain.aggregation`: the figures are already suppressed there,
so a hidden figure simply gives no value here (shown as "fewer than k") and no difference.

An indicator is a question tagged with ``indicator``. Its value is

- for ``yes_no``: the share answering "yes";
- for ``single_choice``, ``multiple_choice`` and ``priority``: the share choosing the option named
  by the tag ``indicator_option``, or, without that tag, one row per option;
- for ``scale`` and ``number``: the mean.

Text and quarter questions have no value and are left out.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.domain.aggregation import CITY, QuestionResult, Results
from app.domain.definition import YES, QuestionDef, SurveyDef

#: The four fields of action of Stuttgart's strategy for social quarter development, in order.
FIELDS = ("living_together", "participation", "social_infrastructure", "housing")
#: Field of indicators without a known ``field`` tag; listed after the four.
OTHER_FIELD = ""
#: Measures of an indicator.
SHARE, MEAN = "share", "mean"
SHARE_TYPES = {"single_choice", "multiple_choice", "priority"}
MEAN_TYPES = {"scale", "number"}


@dataclass(frozen=True)
class Value:
    """One indicator in one area: ``value`` None when ``hidden`` or when nobody answered."""

    value: float | None
    hidden: bool = False


NO_VALUE = Value(None)


@dataclass
class Indicator:
    """One row of a profile: an indicator in the quarter and in the city."""

    field: str
    name: str
    question: QuestionDef
    #: The option whose share is the value ("yes" for yes/no); empty for a mean.
    option_code: str
    measure: str
    quarter: Value
    city: Value

    @property
    def gap(self) -> float | None:
        """Quarter minus city; None when either has no value."""
        if self.quarter.value is None or self.city.value is None:
            return None
        return self.quarter.value - self.city.value

    @property
    def key(self) -> tuple[str, str, str]:
        """What identifies the indicator across waves: question code, option code, measure."""
        return (self.question.code, self.option_code, self.measure)


@dataclass
class FieldProfile:
    """The indicators of one field of action, largest absolute gap first."""

    field: str
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class Profile:
    """A quarter's needs profile."""

    quarter_code: str
    quarter_name: str
    k: int
    fields: list[FieldProfile]

    def indicators(self) -> list[Indicator]:
        """Every indicator, field after field."""
        return [indicator for f in self.fields for indicator in f.indicators]


def _share(result: QuestionResult, area_key: tuple[str, str], option: str) -> Value:
    area = result.areas.get(area_key)
    if area is None:
        return NO_VALUE
    figure = area.options.get(option)
    if figure is None:
        return NO_VALUE
    if figure.hidden or area.base.hidden:
        return Value(None, hidden=True)
    return Value(figure.share)


def _mean(result: QuestionResult, area_key: tuple[str, str]) -> Value:
    area = result.areas.get(area_key)
    if area is None:
        return NO_VALUE
    if area.base.hidden:
        return Value(None, hidden=True)
    return Value(area.mean)


def _measured(question: QuestionDef, result: QuestionResult,
              every_option: bool = False) -> list[tuple[str, str]]:
    """(option code, measure) pairs a question gives indicators for; ``every_option`` ignores
    the tag ``indicator_option``."""
    if question.type == "yes_no":
        return [(YES, SHARE)]
    if question.type in MEAN_TYPES:
        return [("", MEAN)]
    if question.type in SHARE_TYPES:
        chosen = None if every_option else question.tags.get("indicator_option")
        if chosen:
            return [(str(chosen), SHARE)] if str(chosen) in result.option_codes else []
        return [(option, SHARE) for option in result.option_codes]
    return []


def indicators(results: Results, defn: SurveyDef, quarter_code: str) -> list[Indicator]:
    """Every indicator of ``defn`` for ``quarter_code``, in the order of the questions."""
    return _area_indicators(results, defn, ("quarter", quarter_code))


def _area_indicators(results: Results, defn: SurveyDef, area_key: tuple[str, str],
                     every_question: bool = False) -> list[Indicator]:
    """The indicators of ``defn`` for the area ``area_key`` (its value in ``Indicator.quarter``).

    ``every_question`` also measures questions without the ``indicator`` tag (named by their
    code), and every option of a choice question.
    """
    by_code = {result.question.code: result for result in results.questions}
    rows = []
    for question in defn.questions:
        name = question.tags.get("indicator") or (question.code if every_question else None)
        result = by_code.get(question.code)
        if not name or result is None:
            continue
        field_name = question.tags.get("field", OTHER_FIELD)
        field_name = field_name if field_name in FIELDS else OTHER_FIELD
        for option, measure in _measured(question, result, every_option=every_question):
            if measure == MEAN:
                value, city = _mean(result, area_key), _mean(result, CITY)
            else:
                value, city = _share(result, area_key, option), _share(result, CITY, option)
            rows.append(Indicator(field_name, str(name), question, option, measure, value, city))
    return rows


def _by_gap(indicator: Indicator) -> tuple[bool, float]:
    """Sort key: indicators with a gap first, largest absolute gap first."""
    gap = indicator.gap
    return (gap is None, -abs(gap) if gap is not None else 0.0)


def build_profile(results: Results, defn: SurveyDef, quarter_code: str) -> Profile:
    """The needs profile of one quarter: per field of action (in the strategy's order, then
    indicators without a field), the indicators sorted by the absolute gap to the city.

    Raises ``LookupError`` if ``results`` has no such quarter.
    """
    area = results.area(("quarter", quarter_code))
    if area is None:
        raise LookupError(quarter_code)
    rows = indicators(results, defn, quarter_code)
    fields = []
    for name in (*FIELDS, OTHER_FIELD):
        in_field = sorted((row for row in rows if row.field == name), key=_by_gap)
        if in_field or name != OTHER_FIELD:
            fields.append(FieldProfile(name, in_field))
    return Profile(quarter_code, area.name, results.k, fields)


def _change(values: list[Value | None]) -> float | None:
    """The value in the last wave that asks the question minus the value in the first; None
    when fewer than two waves ask it or either value is hidden or missing."""
    asked = [value for value in values if value is not None]
    if len(asked) < 2 or asked[0].value is None or asked[-1].value is None:
        return None
    return asked[-1].value - asked[0].value


@dataclass
class WaveRow:
    """One indicator across survey waves: ``values[i]`` is the compared area's value in wave
    ``i`` (None where the wave did not ask it), ``city[i]`` the city's. ``question`` is the
    question as the latest wave that asks it words it."""

    question_code: str
    option_code: str
    measure: str
    name: str
    values: list[Value | None]
    city: list[Value | None]
    question: QuestionDef | None = None

    @property
    def change(self) -> float | None:
        """The area's change from the first to the last wave that asks the question."""
        return _change(self.values)

    @property
    def city_change(self) -> float | None:
        """The city's change from the first to the last wave that asks the question."""
        return _change(self.city)


@dataclass
class WaveComparison:
    """Indicators asked in several waves, side by side; ``labels`` name the waves in order."""

    labels: list[str]
    rows: list[WaveRow]
    #: The smallest count shown (for "fewer than k"); 0 when there are no waves.
    k: int = 0

    def questions(self) -> list[tuple[str, list[WaveRow]]]:
        """The rows grouped by question code, in the order of the rows."""
        groups: dict[str, list[WaveRow]] = {}
        for row in self.rows:
            groups.setdefault(row.question_code, []).append(row)
        return list(groups.items())


def compare_waves(results_by_survey: list[tuple[str, Results, SurveyDef]],
                  quarter_code: str | None = None, *, area: tuple[str, str] | None = None,
                  every_question: bool = False) -> WaveComparison:
    """The indicators in each wave (survey), for every question code that two or more waves
    share (the same code reused in a later wave). Rows follow the first wave that asks the
    question; a wave that does not ask it has None in its place.

    The compared area is the quarter ``quarter_code``, else ``area`` (a ``(level, code)`` key
    such as ``("district", "02")``), else the city. ``every_question`` compares every question
    with a value (yes/no, choice, scale, number), not only those tagged ``indicator``, and every
    option of a choice question. Values are the suppressed figures of each wave's ``Results``:
    a hidden one has no value and gives no change.
    """
    area_key = ("quarter", quarter_code) if quarter_code else (area or CITY)
    per_wave: list[dict[tuple[str, str, str], Indicator]] = []
    order: list[tuple[str, str, str]] = []
    for _label, results, defn in results_by_survey:
        rows = {row.key: row for row in _area_indicators(results, defn, area_key, every_question)}
        per_wave.append(rows)
        order += [key for key in rows if key not in order]
    waves_of_code: dict[str, int] = {}
    for rows in per_wave:
        for code in {key[0] for key in rows}:
            waves_of_code[code] = waves_of_code.get(code, 0) + 1
    comparison = []
    for key in order:
        if waves_of_code[key[0]] < 2:
            continue
        found = [rows.get(key) for rows in per_wave]
        asked = [row for row in found if row is not None]
        comparison.append(WaveRow(key[0], key[1], key[2], asked[0].name,
                                  [row.quarter if row else None for row in found],
                                  [row.city if row else None for row in found],
                                  asked[-1].question))
    k = results_by_survey[0][1].k if results_by_survey else 0
    return WaveComparison([label for label, _results, _defn in results_by_survey], comparison, k)


__all__ = ["FIELDS", "MEAN", "OTHER_FIELD", "SHARE", "FieldProfile", "Indicator", "Profile", "Value",
           "WaveComparison", "WaveRow", "build_profile", "compare_waves", "indicators"]
