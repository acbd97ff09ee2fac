"""Exports of a survey's results: the same files from the CLI (into ``exports/``) and the browser."""
from __future__ import annotations

import io
import random
from collections import defaultdict
from pathlib import Path

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select

from app.analyse.queries import option_labels, survey_results
from app.db import db
from app.domain.anonymize import Record, anonymize
from app.domain.exports import AGGREGATE_COLUMNS, DIALECTS, aggregate_rows, write_csv
from app.domain.texts import localized
from app.models import Answer, District, Quarter, Question, Response, Survey, SurveyVersion

TABLES = ("aggregates", "responses")


def write_aggregates(survey: Survey, dialect: str, out, k: int | None = None) -> None:
    """The tidy aggregate table of ``survey`` as CSV into ``out``."""
    language = survey.default_language
    version = survey.current_version
    labels = {q.code: localized(q.label, language, language) for q in version.questions}
    with force_locale(language):
        responses_label = gettext("Responses")
    rows = aggregate_rows(survey_results(survey, k), survey.code, version.number, labels,
                          option_labels(survey, language), responses_label)
    write_csv(AGGREGATE_COLUMNS, rows, DIALECTS[dialect], out)


def response_columns(version: SurveyVersion) -> tuple[list[str], dict[str, list[str]]]:
    """Columns of the response table, and the column groups of each respondent question."""
    columns = ["response", "version", "district_code", "district_name", "quarter_code",
               "quarter_name", "language", "channel"]
    respondent: dict[str, list[str]] = {}
    for question in version.questions:
        if question.type == "quarter":
            continue  # the response's quarter columns hold it
        if question.type in ("multiple_choice", "priority"):
            own = [f"{question.code}__{option.code}" for option in question.options]
        else:
            own = [question.code]
        columns += own
        if question.tags.get("respondent"):
            respondent[question.code] = own
    return columns + ["suppressed_fields"], respondent


def response_records(survey: Survey, k: int | None = None) -> tuple[list[str], list[dict], int]:
    """Anonymous response-level rows (one per response, option codes) and how many were left out."""
    k = current_app.config["K_ANONYMITY"] if k is None else k
    version = survey.current_version
    columns, respondent = response_columns(version)
    questions = {q.code: q for q in version.questions}
    quarters = {q.id: q for q in db.session.scalars(select(Quarter).where(Quarter.city_id == survey.consultation.city_id))}
    districts = {d.id: d for d in db.session.scalars(select(District))}
    responses = db.session.execute(
        select(Response.id, SurveyVersion.number, Response.quarter_id, Response.language, Response.channel)
        .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
        .where(SurveyVersion.survey_id == survey.id)).all()
    answers: dict[int, list] = defaultdict(list)
    for response_id, code, option, number, text in db.session.execute(
            select(Answer.response_id, Question.code, Answer.option_code, Answer.number, Answer.text)
            .join(Question, Question.id == Answer.question_id)
            .join(Response, Response.id == Answer.response_id)
            .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
            .where(SurveyVersion.survey_id == survey.id)):
        answers[response_id].append((code, option, number, text))
    records = []
    for response_id, number, quarter_id, language, channel in responses:
        quarter = quarters.get(quarter_id)
        district = districts.get(quarter.district_id) if quarter else None
        values = {"version": number, "language": language, "channel": channel,
                  "quarter_code": quarter.code if quarter else "",
                  "quarter_name": quarter.name if quarter else "",
                  "district_code": district.code if district else "",
                  "district_name": district.name if district else ""}
        for code, option, value, text in answers[response_id]:
            question = questions.get(code)
            if question is None or question.type == "quarter":
                continue
            if question.type in ("multiple_choice", "priority"):
                for choice in question.options:
                    values.setdefault(f"{code}__{choice.code}", 0)
                values[f"{code}__{option}"] = 1
            elif question.type == "number":
                values[code] = int(value)
            elif question.type == "scale":
                values[code] = int(value)
            elif text is not None:
                values[code] = text
            else:
                values[code] = option
        records.append(Record(values))
    result = anonymize(records, k,
                       geography=[["quarter_code", "quarter_name"], ["district_code", "district_name"]],
                       others=[["channel"], ["language"], *respondent.values()])
    # Shuffle: the order of rows must not tell the order in which people answered.
    rows = [{**r.values, "suppressed_fields": " ".join(sorted(set(r.suppressed) - {"quarter_name", "district_name"}))}
            for r in result.records]
    random.SystemRandom().shuffle(rows)
    for number, row in enumerate(rows, start=1):
        row["response"] = number
    return columns, rows, result.left_out


def write_responses(survey: Survey, dialect: str, out, k: int | None = None) -> int:
    """The anonymous response table as CSV into ``out``; returns how many were left out."""
    columns, rows, left_out = response_records(survey, k)
    write_csv(columns, rows, DIALECTS[dialect], out)
    return left_out


WRITERS = {"aggregates": write_aggregates, "responses": write_responses}


def export_filename(survey: Survey, table: str, dialect: str) -> str:
    """File name of an export: ``<survey>-v<version>-<table>[.de].csv``."""
    suffix = ".de.csv" if dialect == "csv-de" else ".csv"
    return f"{survey.code}-v{survey.current_version.number}-{table}{suffix}"


def export_csv(survey: Survey, table: str, dialect: str) -> str:
    """One export as text."""
    out = io.StringIO()
    WRITERS[table](survey, dialect, out)
    return out.getvalue()


def export_to_folder(survey: Survey, dialect: str, folder: str | Path) -> list[Path]:
    """Write both tables of ``survey`` into ``folder``; return the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES:
        path = folder / export_filename(survey, table, dialect)
        with path.open("w", encoding="utf-8", newline="") as out:
            WRITERS[table](survey, dialect, out)
        written.append(path)
    return written


def export_bundle(survey: Survey, k: int | None = None):
    """Gather everything the export formats write (see ``app.domain.bundle``)."""
    from sqlalchemy import func

    from app.domain import codebook
    from app.domain.bundle import ExportBundle
    from app.labels import FIXED_OPTION_LABELS
    from app.models.surveys import version_definition
    k = current_app.config["K_ANONYMITY"] if k is None else k
    version = survey.current_version
    defn = version_definition(version)
    language = survey.default_language
    results = survey_results(survey, k)
    labels = option_labels(survey, language)
    question_labels = {q.code: localized(q.label, language, language) for q in version.questions}
    with force_locale(language):
        responses_label = gettext("Responses")
    fixed = {}
    for code, text in FIXED_OPTION_LABELS.items():
        fixed[code] = {}
        for lang in survey.languages:
            with force_locale(lang):
                fixed[code][lang] = str(text)
    quarters = {q.code: q.name for q in db.session.scalars(
        select(Quarter).where(Quarter.city_id == survey.consultation.city_id))}
    columns, rows, left_out = response_records(survey, k)
    first, last = db.session.execute(
        select(func.min(Response.submitted_on), func.max(Response.submitted_on))
        .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
        .where(SurveyVersion.survey_id == survey.id)).one()
    return ExportBundle(
        survey=survey.code, version=version.number, title=dict(version.title),
        default_language=language, languages=list(survey.languages), k=k, period=(first, last),
        filters={}, results=results, codebook=codebook.build(defn, quarters, fixed),
        suppression_rule=codebook.suppression_rule(k), aggregate_columns=AGGREGATE_COLUMNS,
        aggregate_rows=lambda: aggregate_rows(results, survey.code, version.number, question_labels,
                                              labels, responses_label),
        response_columns=columns, response_rows=rows, left_out=left_out,
        question_labels=question_labels, option_labels=labels)


#: Formats of ``flask export`` and the download links, besides the two CSV dialects.
FILE_FORMATS = ("xlsx", "json", "datapackage", "sav")


def write_format(survey: Survey, fmt: str, folder: str | Path, boundaries: dict | None = None) -> list[Path]:
    """Write one export format of ``survey`` into ``folder``; return the paths written.

    ``csv``/``csv-de``: the aggregate and the response table; ``xlsx``: one workbook; ``json``;
    ``geojson`` (needs ``boundaries``, a FeatureCollection of the quarters); ``datapackage``: a
    folder with the CSVs, the codebook and ``datapackage.json``; ``sav``: SPSS.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if fmt in DIALECTS:
        return export_to_folder(survey, fmt, folder)
    bundle = export_bundle(survey)
    stem = f"{survey.code}-v{survey.current_version.number}"
    if fmt == "xlsx":
        from app.domain.export_xlsx import write_xlsx
        path = folder / f"{stem}.xlsx"
        with path.open("wb") as out:
            write_xlsx(bundle, out)
        return [path]
    if fmt == "json":
        from app.domain.export_json import write_json
        path = folder / f"{stem}.json"
        with path.open("w", encoding="utf-8") as out:
            write_json(bundle, out)
        return [path]
    if fmt == "geojson":
        from app.domain.export_json import write_geojson
        if boundaries is None:
            raise ValueError("GeoJSON needs the quarters' boundaries")
        path = folder / f"{stem}.geojson"
        with path.open("w", encoding="utf-8") as out:
            write_geojson(bundle, boundaries, out)
        return [path]
    if fmt == "datapackage":
        from app.domain.datapackage import write_datapackage
        return [write_datapackage(bundle, folder / f"{stem}-datapackage")]
    if fmt == "sav":
        from app.domain.export_spss import write_sav
        path = folder / f"{stem}.sav"
        write_sav(bundle, path)
        return [path]
    raise ValueError(f"unknown format {fmt!r}")
