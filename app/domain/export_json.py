"""JSON and GeoJSON exports of a survey's results: one document for scripts, one map layer for QGIS.

Both are written from an ``ExportBundle``, so they carry the same suppressed figures as the CSV
tables. A suppressed figure is marked the same way everywhere: its count (and share) is ``null``
and its ``suppressed`` flag is ``true``. Both writers stream: each item is serialised on its own
and written at once, so no export is ever held as one string.

The JSON document also carries the anonymous response table (``responses``), one object per row
taken from the bundle's stream as it is written: ``null`` where a question was not shown (or a
quasi-identifier was blanked for k-anonymity), ``-1`` where it was shown and skipped, text
defused as in every other format.

The GeoJSON layer joins the results to quarter polygons the planner brings (Stuttgart's
"Stadtteile", say). Its properties are flat and short (at most 63 characters, the limit of
PostgreSQL and of many GIS tools), so QGIS can style by them directly:
``<question>__<option>_share`` (0–1) with ``<question>__<option>_suppressed``, and for scale and
number questions ``<question>_mean`` and ``<question>_median``.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TextIO

from app.domain.aggregation import AreaResult, Figure, QuestionResult
from app.domain.bundle import ExportBundle
from app.domain.codebook import NOT_SHOWN_MEANING, SKIPPED, SKIPPED_MEANING, VariableEntry
from app.domain.exports import defuse

#: Question types whose options become share fields of the map layer. ``quarter`` questions do
#: not: where people say they live, counted per quarter, is a table and not a map.
MAP_CHOICE_TYPES = ("single_choice", "multiple_choice", "priority", "yes_no", "scale")
#: Question types with a mean and a median.
NUMERIC_TYPES = ("scale", "number")
#: Property names that often hold a quarter's official code, in order of preference. Compared
#: without regard to case: "STADTTEILNR", "quarter_code", "QUARTER_CODE", "Code" … all match.
QUARTER_PROPERTIES = ("stadtteilnr", "stadtteil_nr", "stadtteilnummer", "stt_nr", "quarter_code",
                      "quartercode", "quarter_id", "quarter", "code", "nummer", "nr")
#: Longest property name of the map layer (PostgreSQL's identifier limit; GeoPackage and QGIS
#: take it as it is).
MAX_FIELD_LENGTH = 63
#: Length of the longest suffix of a field name ("_answered_suppressed").
LONGEST_SUFFIX = 20
#: Properties every feature of the map layer has before the question fields.
BASE_PROPERTIES = ("quarter_code", "quarter_name", "district_code", "district_name", "in_results",
                   "responses", "responses_suppressed")


def _dumps(value: Any) -> str:
    """One JSON value: UTF-8 text as it is, dates as ISO dates, never NaN."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def _write_array(out: TextIO, items: Iterable[Any], encode: Callable[[Any], str] = _dumps) -> None:
    """A JSON array, one item per line, each serialised (by ``encode``) and written on its own."""
    out.write("[")
    first = True
    for item in items:
        out.write("\n  " if first else ",\n  ")
        out.write(encode(item))
        first = False
    out.write("]" if first else "\n]")


def area_key(level: str, code: str) -> str:
    """The key of an area in the JSON document: ``city``, ``district:02``, ``quarter:126``."""
    return level if level == "city" else f"{level}:{code}"


def count(figure: Figure) -> dict:
    """A count as the exports mark it: ``null`` with ``suppressed`` true when it may not be shown."""
    return {"count": figure.shown, "suppressed": figure.hidden}


def count_and_share(figure: Figure) -> dict:
    """A count with its share (0–1 of those who answered), both ``null`` when suppressed."""
    return {"count": figure.shown, "share": None if figure.hidden else figure.share,
            "suppressed": figure.hidden}


def _period(bundle: ExportBundle) -> dict:
    first, last = bundle.period
    return {"first": first.isoformat() if first else None, "last": last.isoformat() if last else None}


def _codebook_entry(entry: VariableEntry) -> dict:
    return {"code": entry.code, "type": entry.type, "labels": entry.labels, "hints": entry.hints,
            "options": [{"code": option.code, "labels": option.labels} for option in entry.options],
            "tags": entry.tags, "relevant": entry.relevant, "columns": entry.columns}


def _response_row(row: dict, columns: list[str]) -> dict:
    """A row of the response table as JSON: every column, empty cells ``null``, text defused."""
    item = {}
    for column in columns:
        value = row.get(column)
        if value is None or value == "":
            value = None
        elif isinstance(value, str):
            value = defuse(value)
        item[column] = value
    return item


def _area_figures(result: QuestionResult, area_result: AreaResult) -> dict:
    hidden = area_result.base.hidden
    return {"answered": count(area_result.base),
            "options": {code: count_and_share(area_result.options[code])
                        for code in result.option_codes if code in area_result.options},
            "mean": None if hidden else area_result.mean,
            "median": None if hidden else area_result.median}


def _write_question(out: TextIO, result: QuestionResult, areas) -> None:
    """One question, each area's figures written on their own (a quarter question in a city-wide
    survey has an option per quarter in every area: as one piece it would be megabytes)."""
    out.write(f'{{"code": {_dumps(result.question.code)}, "type": {_dumps(result.question.type)}, '
              f'"options": {_dumps(list(result.option_codes))}, "areas": {{')
    first = True
    for area in areas:
        if area.key in result.areas:
            out.write("\n    " if first else ",\n    ")
            out.write(f"{_dumps(area_key(*area.key))}: {_dumps(_area_figures(result, result.areas[area.key]))}")
            first = False
    out.write("}}" if first else "\n  }}")


def write_json(bundle: ExportBundle, out: TextIO) -> None:
    """Write ``bundle`` into ``out`` as one JSON document (UTF-8 text, nothing escaped).

    Top-level members: the survey's ``survey`` code, ``title`` (every language), ``version``,
    ``default_language``, ``languages``, ``period`` (first and last day with a response), ``k``,
    ``suppression_rule``, ``filters``, ``left_out`` (responses the anonymous table left out),
    ``responses_in_table``, ``missing_codes`` (``null`` and ``-1`` in the response table), the ``codebook``, the ``areas``
    (with their ``key``, e.g. ``quarter:126``, and their responses), the ``questions`` with their
    figures per area key, and the anonymous response table: ``response_columns`` and
    ``responses``, one object per row in random order, written as the rows are streamed.
    """
    results = bundle.results
    head = {
        "survey": bundle.survey, "title": bundle.title, "version": bundle.version,
        "default_language": bundle.default_language, "languages": bundle.languages,
        "period": _period(bundle), "k": bundle.k, "perturbation": bundle.results.perturbation,
        "suppression_rule": bundle.suppression_rule,
        "filters": bundle.filters, "left_out": bundle.left_out, "responses_in_table": bundle.response_count,
        "missing_codes": {"null": NOT_SHOWN_MEANING, str(SKIPPED): SKIPPED_MEANING},
    }
    out.write("{\n")
    out.writelines(f"{_dumps(name)}: {_dumps(value)},\n" for name, value in head.items())
    out.write('"codebook": ')
    _write_array(out, (_codebook_entry(entry) for entry in bundle.codebook))
    out.write(',\n"areas": ')
    _write_array(out, ({"key": area_key(area.level, area.code), "level": area.level,
                        "code": area.code or None, "name": area.name,
                        "district_code": area.district_code or None,
                        "responses": count(results.responses[area.key])}
                       for area in results.areas))
    out.write(',\n"questions": [')
    for number, result in enumerate(results.questions):
        out.write("\n  " if number == 0 else ",\n  ")
        _write_question(out, result, results.areas)
    out.write("\n]" if results.questions else "]")
    columns = bundle.response_columns
    out.write(f',\n"response_columns": {_dumps(columns)},\n"responses": ')
    _write_array(out, (_response_row(row, columns) for row in bundle.response_rows()))
    out.write("\n}\n")


# --- GeoJSON -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapField:
    """A property of the map layer: ``measure`` of ``question`` (and ``option``)."""

    name: str
    question: str
    option: str | None
    #: share, suppressed, answered, answered_suppressed, mean or median
    measure: str
    label: str


def field_name(stem: str, suffix: str, used: set[str]) -> str:
    """``stem + suffix``, never a name already ``used``. A name longer than ``MAX_FIELD_LENGTH``
    gets its stem cut, with a short hash of the whole stem, to the same length for every suffix
    (up to ``LONGEST_SUFFIX``), so a share and its flag keep the same stem."""
    stem = re.sub(r"[^A-Za-z0-9_]", "_", stem)
    name = stem + suffix
    if len(name) > MAX_FIELD_LENGTH:
        digest = hashlib.sha1(stem.encode("utf-8")).hexdigest()[:6]
        keep = MAX_FIELD_LENGTH - max(LONGEST_SUFFIX, len(suffix)) - len(digest) - 1
        name = f"{stem[:keep]}_{digest}{suffix}"
    unique, number = name, 2
    while unique in used:
        unique = f"{name[:MAX_FIELD_LENGTH - len(str(number)) - 1]}_{number}"
        number += 1
    used.add(unique)
    return unique


def map_fields(bundle: ExportBundle) -> list[MapField]:
    """The question fields of the map layer, in the order of the questions and their options."""
    used = set(BASE_PROPERTIES)
    fields = []
    for result in bundle.results.questions:
        question = result.question
        if question.type not in MAP_CHOICE_TYPES and question.type not in NUMERIC_TYPES:
            continue
        code = question.code
        label = bundle.question_labels.get(code, code)
        fields.append(MapField(field_name(code, "_answered", used), code, None, "answered",
                               f"{label}: answered"))
        fields.append(MapField(field_name(code, "_answered_suppressed", used), code, None,
                               "answered_suppressed", f"{label}: answered (suppressed)"))
        if question.type in MAP_CHOICE_TYPES:
            for option in result.option_codes:
                option_label = bundle.option_labels.get((code, option), option)
                stem = f"{code}__{option}"
                fields.append(MapField(field_name(stem, "_share", used), code, option, "share",
                                       f"{label}: {option_label}"))
                fields.append(MapField(field_name(stem, "_suppressed", used), code, option,
                                       "suppressed", f"{label}: {option_label} (suppressed)"))
        if question.type in NUMERIC_TYPES:
            fields.append(MapField(field_name(code, "_mean", used), code, None, "mean", f"{label}: mean"))
            fields.append(MapField(field_name(code, "_median", used), code, None, "median",
                                   f"{label}: median"))
    return fields


def _field_value(field: MapField, area_result: AreaResult | None):
    if area_result is None:
        return None
    base = area_result.base
    if field.measure == "answered":
        return base.shown
    if field.measure == "answered_suppressed":
        return base.hidden
    if field.measure in ("mean", "median"):
        return None if base.hidden else getattr(area_result, field.measure)
    figure = area_result.options.get(field.option)
    if figure is None:
        return None
    if field.measure == "suppressed":
        return figure.hidden
    return None if figure.hidden else figure.share


def normalise_code(value: Any) -> str | None:
    """A quarter code as text: ``126`` and ``126.0`` become ``"126"``; text keeps its leading
    zeros; anything else (missing, empty, a list …) is None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d+\.0+", text):
            text = text.split(".")[0]
        return text or None
    return None


def _feature_code(value: Any, known: set[str], by_number: dict[int, str]) -> str | None:
    """The quarter code a property value names; a number also matches a code with leading zeros."""
    code = normalise_code(value)
    if code is not None and code not in known and isinstance(value, (int, float)) \
            and not isinstance(value, bool) and code.isdigit():
        return by_number.get(int(code), code)
    return code


def _number_lookup(known: set[str]) -> dict[int, str]:
    """Digit-only codes by their number, where that number is unambiguous."""
    lookup: dict[int, str] = {}
    ambiguous = set()
    for code in known:
        if code.isdigit():
            if int(code) in lookup:
                ambiguous.add(int(code))
            lookup[int(code)] = code
    return {number: code for number, code in lookup.items() if number not in ambiguous}


def _properties(feature: Any) -> dict:
    properties = feature.get("properties") if isinstance(feature, dict) else None
    return properties if isinstance(properties, dict) else {}


def detect_quarter_property(features: list, known: set[str]) -> str | None:
    """The property of ``features`` that holds quarter codes: of the common names (see
    ``QUARTER_PROPERTIES``) the one whose values match most of the ``known`` codes; failing
    that, any property whose values match some; failing that, the first common name present."""
    names: dict[str, None] = {}
    for feature in features:
        names.update(dict.fromkeys(_properties(feature)))
    by_number = _number_lookup(known)

    def matches(name: str) -> int:
        return sum(_feature_code(_properties(f).get(name), known, by_number) in known for f in features)

    common = [name for candidate in QUARTER_PROPERTIES for name in names if name.lower() == candidate]
    scored = [(matches(name), -rank, name) for rank, name in enumerate(common)]
    if scored and max(scored)[0] > 0:
        return max(scored)[2]
    others = [(matches(name), -rank, name) for rank, name in enumerate(names) if name not in common]
    if others and max(others)[0] > 0:
        return max(others)[2]
    return common[0] if common else None


def _shorten(codes: list[str], limit: int = 20) -> str:
    shown = ", ".join(codes[:limit])
    return shown + (f" … ({len(codes)} in all)" if len(codes) > limit else "")


def write_geojson(bundle: ExportBundle, boundaries: dict, out: TextIO,
                  quarter_property: str | None = None) -> list[str]:
    """Write the quarter results of ``bundle`` joined to ``boundaries`` (a parsed GeoJSON
    FeatureCollection of quarter polygons) into ``out`` as a GeoJSON FeatureCollection.

    Each feature keeps its geometry (and ``id``) unchanged; its properties are replaced by the
    quarter's figures (see the module docstring and ``metadata.fields``). Features are joined on
    ``quarter_property``, or on the property ``detect_quarter_property`` finds. A top-level
    ``crs`` or ``bbox`` is passed on, so QGIS places a non-WGS84 file right.

    Returns the problems found: features without a quarter code or with one the results do not
    know (written with empty figures), quarters of the results without a feature. Raises
    ``ValueError`` if ``boundaries`` is not a FeatureCollection.
    """
    if not isinstance(boundaries, dict) or boundaries.get("type") != "FeatureCollection":
        found = boundaries.get("type") if isinstance(boundaries, dict) else type(boundaries).__name__
        raise ValueError(f"The boundaries must be a GeoJSON FeatureCollection, not {found!r}.")
    features = boundaries.get("features")
    if not isinstance(features, list):
        raise ValueError("The boundaries' FeatureCollection has no list of 'features'.")  # noqa: TRY004

    results = bundle.results
    quarters = {area.code: area for area in results.areas if area.level == "quarter"}
    district_names = {area.code: area.name for area in results.areas if area.level == "district"}
    known = set(quarters)
    by_number = _number_lookup(known)
    problems: list[str] = []
    prop = quarter_property or detect_quarter_property(features, known)
    if prop is None:
        problems.append("No property with a quarter code found (tried "
                        + ", ".join(QUARTER_PROPERTIES) + "); pass the property's name.")

    # First pass: the quarter code of every feature, and what does not fit.
    codes: list[str | None] = []
    no_code, unknown, skipped, no_geometry = [], [], [], []
    for number, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            skipped.append(str(number))
            codes.append(None)
            continue
        if not isinstance(feature.get("geometry"), (dict, type(None))):
            no_geometry.append(str(number))
        code = _feature_code(_properties(feature).get(prop), known, by_number) if prop else None
        codes.append(code)
        if code is None:
            no_code.append(str(number))
        elif code not in known:
            unknown.append(code)
    if skipped:
        problems.append(f"{len(skipped)} entries are not GeoJSON Features and were left out: "
                        f"number {_shorten(skipped)}.")
    if no_code and prop:
        problems.append(f"{len(no_code)} features have no quarter code in {prop!r} (written without "
                        f"figures): feature number {_shorten(no_code)}.")
    if unknown:
        problems.append(f"{len(unknown)} features have a quarter code that is not among the results' quarters "
                        f"(outside the survey or unknown; written without figures): {_shorten(sorted(set(unknown)))}.")
    if no_geometry:
        problems.append(f"{len(no_geometry)} features have no valid geometry (written without one): "
                        f"feature number {_shorten(no_geometry)}.")
    seen = Counter(code for code in codes if code in known)
    missing = sorted(known - set(seen))
    if missing:
        problems.append(f"{len(missing)} quarters of the results have no feature: {_shorten(missing)}.")
    doubled = sorted(code for code, times in seen.items() if times > 1)
    if doubled:
        problems.append(f"Quarters with more than one feature (each gets the figures): {_shorten(doubled)}.")

    fields = map_fields(bundle)
    by_question = {result.question.code: result for result in results.questions}
    metadata = {
        "survey": bundle.survey, "title": bundle.title, "version": bundle.version,
        "period": _period(bundle), "k": bundle.k, "perturbation": bundle.results.perturbation,
        "suppression_rule": bundle.suppression_rule,
        "filters": bundle.filters, "quarter_property": prop,
        "share": "fraction (0 to 1) of those in the quarter who answered the question",
        "fields": [{"name": f.name, "question": f.question, "option": f.option, "measure": f.measure,
                    "label": f.label} for f in fields],
    }
    out.write('{\n"type": "FeatureCollection",\n')
    out.write(f'"name": {_dumps(f"{bundle.survey}-v{bundle.version}")},\n')
    for member in ("crs", "bbox"):
        if member in boundaries:
            out.write(f"{_dumps(member)}: {_dumps(boundaries[member])},\n")
    out.write(f'"metadata": {_dumps(metadata)},\n"features": ')

    def properties(code: str | None) -> dict:
        area = quarters.get(code) if code is not None else None
        responses = results.responses.get(area.key) if area else None
        props = {
            "quarter_code": code,
            "quarter_name": area.name if area else None,
            "district_code": (area.district_code or None) if area else None,
            "district_name": district_names.get(area.district_code) if area else None,
            "in_results": area is not None,
            "responses": responses.shown if responses else None,
            "responses_suppressed": responses.hidden if responses else False,
        }
        for field in fields:
            area_result = by_question[field.question].areas.get(area.key) if area else None
            props[field.name] = _field_value(field, area_result)
        return props

    cache: dict[str | None, dict] = {}

    def feature_items():
        for feature, code in zip(features, codes):
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                continue
            if code not in cache:
                cache[code] = properties(code)
            item = {"type": "Feature"}
            if "id" in feature:
                item["id"] = feature["id"]
            if "bbox" in feature:
                item["bbox"] = feature["bbox"]
            item["properties"] = cache[code]
            geometry = feature.get("geometry")
            item["geometry"] = geometry if isinstance(geometry, dict) else None
            yield item

    def encode(item: dict) -> str:
        """A feature; a geometry that is no valid JSON (NaN coordinates) is left out and reported."""
        try:
            return _dumps(item)
        except ValueError:
            problems.append(f"Feature with quarter code {item['properties']['quarter_code']!r}: its "
                            f"geometry holds numbers JSON cannot write (NaN or infinity); written without it.")
            return _dumps({**item, "geometry": None})

    _write_array(out, feature_items(), encode)
    out.write("\n}\n")
    return problems


__all__ = ["MAX_FIELD_LENGTH", "QUARTER_PROPERTIES", "MapField", "area_key", "detect_quarter_property",
           "field_name", "map_fields", "normalise_code", "write_geojson", "write_json"]
