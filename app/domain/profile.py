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


def _measured(question: QuestionDef, result: QuestionResult) -> list[tuple[str, str]]:
    """(option code, measure) pairs a question gives indicators for."""
    if question.type == "yes_no":
        return [(YES, SHARE)]
    if question.type in MEAN_TYPES:
        return [("", MEAN)]
    if question.type in SHARE_TYPES:
        chosen = question.tags.get("indicator_option")
        if chosen:
            return [(str(chosen), SHARE)] if str(chosen) in result.option_codes else []
        return [(option, SHARE) for option in result.option_codes]
    return []


def indicators(results: Results, defn: SurveyDef, quarter_code: str) -> list[Indicator]:
    """Every indicator of ``defn`` for ``quarter_code``, in the order of the questions."""
    by_code = {result.question.code: result for result in results.questions}
    quarter_key = ("quarter", quarter_code)
    rows = []
    for question in defn.questions:
        name = question.tags.get("indicator")
        result = by_code.get(question.code)
        if not name or result is None:
            continue
        field_name = question.tags.get("field", OTHER_FIELD)
        field_name = field_name if field_name in FIELDS else OTHER_FIELD
        for option, measure in _measured(question, result):
            if measure == MEAN:
                quarter, city = _mean(result, quarter_key), _mean(result, CITY)
            else:
                quarter, city = _share(result, quarter_key, option), _share(result, CITY, option)
            rows.append(Indicator(field_name, str(name), question, option, measure, quarter, city))
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


@dataclass
class WaveRow:
    """One indicator across survey waves: ``values[i]`` is the quarter's value in wave ``i``
    (None where the wave did not ask it), ``city[i]`` the city's."""

    question_code: str
    option_code: str
    measure: str
    name: str
    values: list[Value | None]
    city: list[Value | None]


@dataclass
class WaveComparison:
    """Indicators asked in several waves, side by side; ``labels`` name the waves in order."""

    labels: list[str]
    rows: list[WaveRow]


def compare_waves(results_by_survey: list[tuple[str, Results, SurveyDef]],
                  quarter_code: str) -> WaveComparison:
    """The quarter's indicators in each wave (survey), for every question code that two or more
    waves share (the same code reused in a later wave). Rows follow the first wave that asks
    the question; a wave that does not ask it has None in its place.
    """
    per_wave: list[dict[tuple[str, str, str], Indicator]] = []
    order: list[tuple[str, str, str]] = []
    for _label, results, defn in results_by_survey:
        rows = {row.key: row for row in indicators(results, defn, quarter_code)}
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
        name = next(row.name for row in found if row is not None)
        comparison.append(WaveRow(key[0], key[1], key[2], name,
                                  [row.quarter if row else None for row in found],
                                  [row.city if row else None for row in found]))
    return WaveComparison([label for label, _results, _defn in results_by_survey], comparison)


__all__ = ["FIELDS", "MEAN", "OTHER_FIELD", "SHARE", "FieldProfile", "Indicator", "Profile", "Value",
           "WaveComparison", "WaveRow", "build_profile", "compare_waves", "indicators"]
