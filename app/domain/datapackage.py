"""Frictionless Data Package export: the aggregate table, the anonymous response table and the
codebook as plain CSV, described by a ``datapackage.json`` that R (``frictionless``), Python,
Open Refine and CKAN read, and that the ``frictionless`` tool validates.

Every CSV resource carries a full Table Schema: types, descriptions (question texts in the survey's
default language), allowed codes (``constraints.enum``, plus Table Schema 2 ``categories`` naming
each code), its missing values, and the file's size and SHA-256 hash so a changed copy fails
validation. The response table has two missing values (``missingValues: ["", "-1"]``): an empty
cell where a question was not shown, ``-1`` where it was shown and skipped (see
``app.domain.codebook.MISSING_CODES``); the other tables only the empty cell. The codebook
resource lists every question and option in every language, with the SPSS variable and value
each becomes (see ``app.domain.export_spss``).

The response table is written straight from the bundle's stream, and every file is hashed in
blocks, so nothing holds a table whole.
"""
from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path

from app.domain.bundle import ExportBundle
from app.domain.codebook import SKIPPED, describe_missing
from app.domain.definition import QUESTION_TYPES
from app.domain.export_spss import ResponseVariable, response_variables
from app.domain.exports import DIALECTS, write_csv

#: File names inside the package folder.
AGGREGATES, RESPONSES, CODEBOOK, DESCRIPTOR = "aggregates.csv", "responses.csv", "codebook.csv", "datapackage.json"
MISSING = ""
#: Missing values of the response table: not shown, and shown but skipped.
RESPONSE_MISSING = [MISSING, str(SKIPPED)]
#: Bytes read at a time when hashing a written file.
BLOCK = 1 << 16
#: How booleans are written by ``write_csv``.
BOOLEAN = {"type": "boolean", "trueValues": ["true"], "falseValues": ["false"]}

AGGREGATE_FIELDS = {
    "survey": ("string", "Survey code"),
    "version": ("integer", "Survey version the figures are read against"),
    "question_code": ("string", "Question code (see codebook.csv); _responses: the number of responses"),
    "question_type": ("string", "Question type; responses for the number of responses"),
    "question_label": ("string", "Question text in the default language"),
    "level": ("string", "Area level: city, district or quarter"),
    "district_code": ("string", "Official district code (Stadtbezirk)"),
    "district_name": ("string", "District name"),
    "quarter_code": ("string", "Official quarter code (Stadtteil)"),
    "quarter_name": ("string", "Quarter name"),
    "option_code": ("string", "Option code; empty on the row with the number answering, mean and median"),
    "option_label": ("string", "Option label in the default language"),
    "count": ("integer", "Number of responses; empty when suppressed"),
    "share": ("number", "Count divided by the number answering (0 to 1); empty when suppressed"),
    "mean": ("number", "Mean of a scale or number question; empty when suppressed"),
    "median": ("number", "Median of a scale or number question; empty when suppressed"),
    "suppressed": ("boolean", "true when the figure is suppressed (fewer than k, or revealing such a count)"),
}


def _field(name: str, type_: str, description: str, **extra) -> dict:
    """A Table Schema field."""
    descriptor = {"name": name, "type": type_, "description": description}
    if type_ == "boolean":
        descriptor.update(BOOLEAN)
    descriptor.update({key: value for key, value in extra.items() if value})
    return descriptor


def _resource(folder: Path, name: str, path: str, title: str, description: str, schema: dict,
              missing: list[str] | None = None) -> dict:
    """A tabular data resource for a CSV written by ``write_csv`` in the plain dialect; its
    ``missing`` values (default: the empty cell)."""
    digest, size = hashlib.sha256(), 0
    with (folder / path).open("rb") as data:
        while block := data.read(BLOCK):
            digest.update(block)
            size += len(block)
    return {
        "name": name, "path": path, "profile": "tabular-data-resource", "title": title,
        "description": description, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "dialect": {"delimiter": DIALECTS["csv"].delimiter, "lineTerminator": "\r\n", "header": True},
        "bytes": size, "hash": "sha256:" + digest.hexdigest(),
        "schema": {"missingValues": missing or [MISSING], **schema},
    }


def aggregate_schema(bundle: ExportBundle) -> dict:
    """Table Schema of the aggregate table."""
    fields = []
    for column in bundle.aggregate_columns:
        type_, description = AGGREGATE_FIELDS.get(column, ("string", column))
        constraints = {}
        if column == "level":
            constraints = {"required": True, "enum": ["city", "district", "quarter"]}
        elif column == "question_code":
            constraints = {"required": True, "enum": ["_responses", *(e.code for e in bundle.codebook)]}
        elif column == "question_type":
            constraints = {"enum": ["responses", *QUESTION_TYPES]}
        elif column == "count":
            constraints = {"minimum": 0}
        elif column == "share":
            constraints = {"minimum": 0, "maximum": 1}
        elif column in ("survey", "version", "suppressed"):
            constraints = {"required": True}
        fields.append(_field(column, type_, description, constraints=constraints))
    return {"fields": fields}


def _response_field(variable: ResponseVariable, bundle: ExportBundle) -> dict:
    """The Table Schema field of one column of the response table."""
    column, entry = variable.column, variable.entry
    present = bundle.response_values.get(column, set())
    if variable.kind == "flag":
        return _field(column, "integer", f"{variable.label} (1 picked, 0 not; {SKIPPED}: question shown but not "
                      "answered; empty: question not shown)", constraints={"enum": [0, 1]})
    if variable.kind in ("scale", "choice"):
        options = entry.options
        labels = {o.code: bundle.option_labels.get((entry.code, o.code))
                  or o.labels.get(bundle.default_language) or o.code for o in options}
        if variable.kind == "scale":
            codes = [int(o.code) for o in options]
            return _field(column, "integer", variable.label, constraints={"enum": codes},
                          categories=[{"value": int(o.code), "label": labels[o.code]} for o in options],
                          categoriesOrdered=True)
        return _field(column, "string", variable.label, constraints={"enum": [o.code for o in options]},
                      categories=[{"value": o.code, "label": labels[o.code]} for o in options])
    if variable.kind == "integer":
        constraints = {}
        if column == "response":
            constraints = {"required": True, "unique": True, "minimum": 1}
        elif column == "version":
            constraints = {"required": True}
        elif entry is not None:
            settings = {}
            # Bounds the answers were checked against when they were given.
            question = next((r.question for r in bundle.results.questions if r.question.code == entry.code), None)
            if question is not None:
                settings = question.settings
            constraints = {key: settings[bound] for key, bound in (("minimum", "min"), ("maximum", "max"))
                           if settings.get(bound) is not None}
        return _field(column, "integer", variable.label, constraints=constraints)
    enum = []
    if column in ("quarter_code", "district_code"):
        level = column.split("_")[0]
        # Every area reported, plus any code the table can hold (a response may arrive between the two reads).
        enum = sorted({a.code for a in bundle.results.areas if a.level == level} | set(present))
    elif column == "language":
        enum = sorted(set(bundle.languages) | set(present))
    return _field(column, "string", variable.label, constraints={"enum": enum} if enum else {})


def response_schema(bundle: ExportBundle) -> dict:
    """Table Schema of the anonymous response table."""
    return {"fields": [_response_field(v, bundle) for v in response_variables(bundle)],
            "primaryKey": ["response"]}


def codebook_columns(bundle: ExportBundle) -> list[str]:
    """Columns of codebook.csv."""
    languages = bundle.languages
    return ["question_code", "question_type", "column", "option_code", "value",
            *(f"label_{lang}" for lang in languages), *(f"option_label_{lang}" for lang in languages),
            *(f"hint_{lang}" for lang in languages), "tags", "relevant", "missing", "spss_variable", "spss_value"]


def codebook_rows(bundle: ExportBundle) -> list[dict]:
    """One row per question (``option_code`` empty) and one per option: texts in every language,
    the response-table column and value it becomes, its missing values, and its SPSS variable
    and value."""
    by_column = {v.column: v for v in response_variables(bundle)}
    missing = describe_missing()
    rows = []
    for entry in bundle.codebook:
        head = {"question_code": entry.code, "question_type": entry.type,
                "tags": json.dumps(entry.tags, ensure_ascii=False, sort_keys=True) if entry.tags else "",
                "relevant": entry.relevant}
        head.update({f"label_{lang}": entry.labels.get(lang, "") for lang in bundle.languages})
        main = [column for column in entry.columns if column not in entry.extra_columns]
        single = main[0] if len(main) == 1 else ""
        variable = by_column.get(single)
        rows.append({**head, **{f"hint_{lang}": entry.hints.get(lang, "") for lang in bundle.languages},
                     "column": single, "missing": missing if entry.columns else "",
                     "spss_variable": variable.name if variable else ""})
        for option in entry.options:
            row = {**head, "option_code": option.code,
                   **{f"option_label_{lang}": option.labels.get(lang, "") for lang in bundle.languages}}
            flag = by_column.get(f"{entry.code}__{option.code}")
            if flag is not None and flag.kind == "flag":
                row.update({"column": flag.column, "value": "1", "spss_variable": flag.name, "spss_value": 1})
            elif variable is not None:
                row.update({"column": variable.column, "value": option.code, "spss_variable": variable.name,
                            "spss_value": variable.codes.get(option.code)})
            rows.append(row)
    return rows


def codebook_schema(bundle: ExportBundle) -> dict:
    """Table Schema of codebook.csv."""
    described = {
        "question_code": "Question code: the column of the response table, or its prefix",
        "question_type": "Question type",
        "column": "Column of responses.csv that holds the answer (empty: several, or the quarter columns)",
        "option_code": "Option code; empty on the row describing the question",
        "value": "Value of the option in that column of responses.csv",
        "tags": "Tags of the question as JSON (field of action, indicator, respondent …)",
        "relevant": "Condition under which the question is asked (XLSForm syntax); empty: always",
        "missing": f"Missing values of the question's columns in responses.csv (an empty cell, or {SKIPPED})",
        "spss_variable": "Variable name in the SPSS file",
        "spss_value": "Value of the option in the SPSS file (choices are numbered 1..n in questionnaire order)",
    }
    fields = []
    for column in codebook_columns(bundle):
        kind, _, lang = column.rpartition("_")
        if column.startswith(("label_", "option_label_", "hint_")):
            what = {"label": "Question text", "option_label": "Option label", "hint": "Hint"}[kind]
            fields.append(_field(column, "string", f"{what} in {lang}"))
        elif column == "spss_value":
            fields.append(_field(column, "integer", described[column]))
        elif column == "question_type":
            fields.append(_field(column, "string", described[column],
                                 constraints={"required": True, "enum": list(QUESTION_TYPES)}))
        else:
            constraints = {"required": True} if column == "question_code" else {}
            fields.append(_field(column, "string", described[column], constraints=constraints))
    return {"fields": fields}


def package_name(bundle: ExportBundle) -> str:
    """The package's name: lower-case letters, digits, ``-._`` only (``quarter-needs-v1``)."""
    return re.sub(r"[^a-z0-9._-]+", "-", f"{bundle.survey}-v{bundle.version}".lower()).strip("-")


def write_datapackage(bundle: ExportBundle, folder: Path, *, created: datetime | None = None) -> Path:
    """Write ``bundle`` into ``folder`` as a Frictionless tabular data package — aggregates.csv,
    responses.csv, codebook.csv and datapackage.json — and return the path of datapackage.json.

    ``created`` (default: now) is the package's creation time, fixed in tests for golden files.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    dialect = DIALECTS["csv"]
    tables = [
        (AGGREGATES, bundle.aggregate_columns, bundle.aggregate_rows()),
        (RESPONSES, bundle.response_columns, bundle.response_rows()),
        (CODEBOOK, codebook_columns(bundle), codebook_rows(bundle)),
    ]
    for path, columns, rows in tables:
        with (folder / path).open("w", encoding="utf-8", newline="") as out:
            write_csv(columns, rows, dialect, out)

    language = bundle.default_language
    title = bundle.title.get(language) or bundle.survey
    first, last = bundle.period
    missing = describe_missing()
    filters = json.dumps(bundle.filters, ensure_ascii=False, sort_keys=True) if bundle.filters else "none"
    created = (created or datetime.now(UTC)).astimezone(UTC)
    descriptor = {
        "profile": "tabular-data-package",
        "name": package_name(bundle),
        "title": title,
        "version": str(bundle.version),
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "description": (
            f"{title}: results and anonymous responses of survey {bundle.survey}, version "
            f"{bundle.version}, from {first or '–'} to {last or '–'}. Filters: {filters}. "
            f"Suppression with k = {bundle.k}: {bundle.suppression_rule} Missing values: {missing}. "
            f"Texts are in the default language ({language}); codebook.csv has every language."),
        "keywords": ["Stuttgart", "survey", "quarter", bundle.survey],
        "languages": list(bundle.languages),
        "quartiersstimme": {
            "survey": bundle.survey, "version": bundle.version, "k": bundle.k,
            "perturbation": bundle.results.perturbation, "default_language": language, "period": [str(first) if first else None, str(last) if last else None],
            "filters": bundle.filters, "left_out": bundle.left_out,
        },
        "resources": [
            _resource(folder, "aggregates", AGGREGATES, "Aggregates",
                      "Tidy table: one row per question, area (city, district, quarter) and option, plus "
                      "a row per question and area with the number answering, mean and median. "
                      f"Every count is perturbed by the cell key method (at most "
                      f"{bundle.results.perturbation.get('max_deviation')} off; see the description). "
                      f"Suppressed figures (k = {bundle.k}) are empty and marked suppressed = true.",
                      aggregate_schema(bundle)),
            _resource(folder, "responses", RESPONSES, "Anonymous responses",
                      "One row per response in random order; answers as option codes (see codebook.csv), "
                      f"multiple choice as one 0/1 column per option. k-anonymity with k = {bundle.k} "
                      f"blanked quasi-identifiers (see suppressed_fields) and left out {bundle.left_out} "
                      f"responses. Missing values: {missing}.",
                      response_schema(bundle), RESPONSE_MISSING),
            _resource(folder, "codebook", CODEBOOK, "Codebook",
                      "Every question and option with its texts in every language, its tags and condition, "
                      "the response-table column and value it becomes, and its SPSS variable and value.",
                      codebook_schema(bundle)),
        ],
    }
    path = folder / DESCRIPTOR
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


__all__ = ["aggregate_schema", "codebook_rows", "codebook_schema", "package_name", "response_schema",
           "write_datapackage"]
