"""Exports of a survey's results: the same files from the CLI (into ``exports/``) and the browser.

The anonymous response table is read in two passes, so memory grows with the number of distinct
quasi-identifier combinations, never with the number of responses:

1. ``anonymous_responses`` streams the responses in id order with only the answers that make up
   their key (place, language, channel, respondent questions and what their conditions depend
   on), counts the keys and decides once per key what k-anonymity blanks or leaves out
   (``app.domain.anonymize.decide``). How many rows the table has and how many were left out is
   known from here on.
2. ``AnonymousResponses.rows`` streams the responses again, in a random order the database
   chooses, ``CHUNK`` at a time with their answers, applies each key's decision, numbers the rows
   1..n in the order written and yields them one by one. Each call is a fresh pass (and a fresh
   order).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select

from app.db import db
from app.domain.anonymize import decide
from app.domain.exports import AGGREGATE_COLUMNS, DIALECTS, HIDDEN, ResponseLayout, aggregate_rows, csv_chunks
from app.domain.texts import localized
from app.i18n import force_language
from app.models import (
    Answer,
    AnswerCoding,
    District,
    HiddenAnswer,
    Quarter,
    Response,
    Survey,
    SurveyVersion,
    TextCategory,
)
from app.results import releases
from app.results.queries import option_labels, survey_results

TABLES = ("aggregates", "responses")
#: Responses read per query (and their answers with one ``IN``) when streaming the response table.
CHUNK = 1000


def _aggregate_table(survey: Survey, k: int | None = None) -> tuple[list[str], Iterator[dict]]:
    """The tidy aggregate table of ``survey``: its columns and its rows."""
    language = survey.default_language
    version = survey.current_version
    labels = {q.code: localized(q.label, language, language) for q in version.questions}
    with force_language(language):
        responses_label = gettext("Responses")
    rows = aggregate_rows(survey_results(survey, k), survey.code, version.number, labels,
                          option_labels(survey, language), responses_label)
    return AGGREGATE_COLUMNS, rows


def write_aggregates(survey: Survey, dialect: str, out, k: int | None = None) -> None:
    """The tidy aggregate table of ``survey`` as CSV into ``out``."""
    columns, rows = _aggregate_table(survey, k)
    out.writelines(csv_chunks(columns, rows, DIALECTS[dialect]))


def category_codes(survey: Survey) -> list[str]:
    """The codes of the planners' categories of text answers, in display order."""
    return list(db.session.scalars(select(TextCategory.code).where(TextCategory.survey_id == survey.id)
                                   .order_by(TextCategory.position, TextCategory.id)))


def categories(survey: Survey) -> list:
    """The planners' categories as codebook options (code and label in every language)."""
    from app.domain.codebook import OptionEntry
    return [OptionEntry(category.code, dict(category.label)) for category in db.session.scalars(
        select(TextCategory).where(TextCategory.survey_id == survey.id)
        .order_by(TextCategory.position, TextCategory.id))]


def response_layout(survey: Survey) -> tuple[ResponseLayout, dict[int, str]]:
    """How ``survey``'s responses become rows (see ``ResponseLayout``), and the code of every
    question id of every version (answers point at their own version's questions)."""
    from app.models.surveys import version_definition
    definitions = {version.number: version_definition(version) for version in survey.versions}
    layout = ResponseLayout(definitions[survey.current_version.number], definitions, category_codes(survey))
    return layout, {q.id: q.code for version in survey.versions for q in version.questions}


def _places(survey: Survey) -> dict[int, dict]:
    """The place columns of each quarter id of the survey's city."""
    districts = {d.id: d for d in db.session.scalars(select(District))}
    places = {}
    for quarter in db.session.scalars(select(Quarter).where(Quarter.city_id == survey.consultation.city_id)):
        district = districts.get(quarter.district_id)
        places[quarter.id] = {"quarter_code": quarter.code, "quarter_name": quarter.name,
                              "district_code": district.code if district else "",
                              "district_name": district.name if district else ""}
    return places


#: The place columns of a response without a quarter.
NO_PLACE = {"quarter_code": "", "quarter_name": "", "district_code": "", "district_name": ""}


def answers_of(response_ids: list[int], question_ids: Collection[int] | None):
    """The answers of some responses (to some questions; all when None), with the mark of a
    hidden text, in response order."""
    query = (select(Answer.response_id, Answer.question_id, Answer.option_code, Answer.number, Answer.text,
                    HiddenAnswer.answer_id)
             .outerjoin(HiddenAnswer, HiddenAnswer.answer_id == Answer.id)
             .where(Answer.response_id.in_(response_ids))
             .order_by(Answer.response_id, Answer.id))
    if question_ids is not None:
        # "+ 0": the answers are found by their response (an index lookup), then these questions
        # kept. Filtering through the question index instead (SQLite's choice without it) reads
        # every answer to those questions for each chunk: time grows with the square of responses.
        query = query.where((Answer.question_id + 0).in_(list(question_ids)))
    return query


def _stream(survey: Survey, codes: dict[int, str], question_ids: Collection[int] | None, *,
            random_order: bool, upto: int | None = None, codings: bool = False) -> Iterator[tuple[tuple, list, dict]]:
    """Each response of ``survey`` — ``(id, version number, quarter id, language, channel)`` —
    with its answer parts ``(question code, option, number, text)`` and the planners'
    categories of its text answers (``{question code: {category codes}}``), ``CHUNK`` responses
    per query and their answers with one more; only the answers to ``question_ids`` (all when
    None). The text of a hidden answer comes as ``HIDDEN``: it never leaves the database. The
    categories are read (one more query per chunk) only with ``codings``.

    In id order, or with ``random_order`` in an order the database draws (``ORDER BY random()``,
    the same in SQLite and PostgreSQL); with ``upto``, only responses up to that id. Nothing but
    one chunk is held at a time.
    """
    query = (select(Response.id, SurveyVersion.number, Response.quarter_id, Response.language, Response.channel)
             .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
             .where(SurveyVersion.survey_id == survey.id, Response.release_id.is_not(None)))
    if upto is not None:
        query = query.where(Response.id <= upto)
    query = query.order_by(func.random() if random_order else Response.id)
    result = db.session.execute(query.execution_options(yield_per=CHUNK))
    try:
        for chunk in result.partitions():
            parts: dict[int, list] = defaultdict(list)
            coded: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
            if question_ids is None or question_ids:
                ids = [response[0] for response in chunk]
                for response_id, question_id, option, number, text, hidden in db.session.execute(
                        answers_of(ids, question_ids)):
                    parts[response_id].append((codes.get(question_id), option, number,
                                               HIDDEN if hidden is not None and text is not None else text))
                if codings:
                    for response_id, question_id, category in db.session.execute(
                            select(Answer.response_id, Answer.question_id, TextCategory.code)
                            .join(AnswerCoding, AnswerCoding.answer_id == Answer.id)
                            .join(TextCategory, TextCategory.id == AnswerCoding.category_id)
                            .where(Answer.response_id.in_(ids))):
                        coded[response_id][codes.get(question_id)].add(category)
            for response in chunk:
                yield tuple(response), parts.pop(response[0], []), coded.pop(response[0], {})
    finally:
        result.close()


def _head(response: tuple, places: dict[int, dict]) -> dict:
    """The columns of a response row that do not come from its answers."""
    _, number, quarter_id, language, channel = response
    return {"response": None, "version": number, **places.get(quarter_id, NO_PLACE),
            "language": language, "channel": channel}


@dataclass
class AnonymousResponses:
    """A survey's anonymous response table after the first pass: its columns, how many rows it
    has and how many k-anonymity left out; ``rows()`` streams the rows (a fresh pass each call)."""

    columns: list[str]
    count: int
    left_out: int
    #: Every value each quasi-identifier column can hold in the table (blanked ones not included).
    values: dict[str, set[str]]
    rows: Callable[[], Iterator[dict]] = field(repr=False)


def anonymous_responses(survey: Survey, k: int | None = None) -> AnonymousResponses:
    """The anonymous response-level table of ``survey`` (one row per response, option codes):
    the first pass, deciding k-anonymity per key, done now; the rows come from ``rows()``."""
    k = current_app.config["K_ANONYMITY"] if k is None else k
    releases.ensure(survey)
    layout, codes = response_layout(survey)
    places = _places(survey)
    needed = [question_id for question_id, code in codes.items() if code in layout.key_questions]
    counts: Counter = Counter()
    last = None
    for response, parts, _ in _stream(survey, codes, needed, random_order=False):
        counts[layout.key(layout.row(_head(response, places), parts, only=layout.key_questions))] += 1
        last = response[0]
    decisions = decide(counts, k, layout.geography, layout.others)
    total = sum(counts.values())
    del counts  # the decisions hold every key from here on

    def rows() -> Iterator[dict]:
        """The second pass: rows in random order, numbered as written. Responses that came in
        after the first pass (or whose key it did not count) are not in it."""
        if last is None:
            return
        number = 0
        for response, parts, coded in _stream(survey, codes, None, random_order=True, upto=last,
                                                   codings=layout.has_categories):
            row = layout.row(_head(response, places), parts, coded=coded)
            decision = decisions.get(layout.key(row))
            if decision is None:
                continue
            number += 1
            yield layout.publish(row, decision, number)

    return AnonymousResponses(layout.columns, total - decisions.left_out, decisions.left_out,
                              decisions.published(), rows)


def write_responses(survey: Survey, dialect: str, out, k: int | None = None) -> int:
    """The anonymous response table as CSV into ``out``; returns how many were left out."""
    table = anonymous_responses(survey, k)
    out.writelines(csv_chunks(table.columns, table.rows(), DIALECTS[dialect]))
    return table.left_out


WRITERS = {"aggregates": write_aggregates, "responses": write_responses}


def stream_csv(survey: Survey, table: str, dialect: str, k: int | None = None) -> Iterator[str]:
    """One export table (``aggregates`` or ``responses``) as CSV text in chunks, for a streamed
    download. The figures (and the response table's first pass) are worked out when this is
    called; the rows are read as the chunks are taken, so the database session must stay open
    until the last one (``stream_with_context`` in a view)."""
    if table == "aggregates":
        columns, rows = _aggregate_table(survey, k)
    elif table == "responses":
        responses = anonymous_responses(survey, k)
        columns, rows = responses.columns, responses.rows()
    else:
        raise ValueError(f"unknown table {table!r}")
    return csv_chunks(columns, rows, DIALECTS[dialect])


def export_filename(survey: Survey, table: str, dialect: str) -> str:
    """File name of an export: ``<survey>-v<version>-<table>[.de].csv``."""
    suffix = ".de.csv" if dialect == "csv-de" else ".csv"
    return f"{survey.code}-v{survey.current_version.number}-{table}{suffix}"


def export_csv(survey: Survey, table: str, dialect: str) -> str:
    """One export as text (the whole of ``stream_csv``)."""
    return "".join(stream_csv(survey, table, dialect))


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


def export_bundle(survey: Survey, k: int | None = None, responses: bool = True):
    """Gather everything the export formats write (see ``app.domain.bundle``). The response
    table's first pass runs here; its rows are streamed each time a writer asks for them.
    ``responses=False`` leaves the response table out (empty), for readers of the aggregates
    alone such as the API: its first pass reads every response."""
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
    with force_language(language):
        responses_label = gettext("Responses")
    fixed = {}
    for code, text in FIXED_OPTION_LABELS.items():
        fixed[code] = {}
        for lang in survey.languages:
            with force_language(lang):
                fixed[code][lang] = str(text)
    quarters = {q.code: q.name for q in db.session.scalars(
        select(Quarter).where(Quarter.city_id == survey.consultation.city_id))}
    responses = (anonymous_responses(survey, k) if responses
                 else AnonymousResponses([], 0, 0, {}, lambda: iter(())))
    first, last = db.session.execute(
        select(func.min(Response.submitted_on), func.max(Response.submitted_on))
        .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
        .where(SurveyVersion.survey_id == survey.id, releases.RELEASED)).one()
    return ExportBundle(
        survey=survey.code, version=version.number, title=dict(version.title),
        default_language=language, languages=list(survey.languages), k=k, period=(first, last),
        filters={}, results=results, codebook=codebook.build(defn, quarters, fixed, categories(survey)),
        suppression_rule=codebook.suppression_rule(k, results.perturbation), aggregate_columns=AGGREGATE_COLUMNS,
        aggregate_rows=lambda: aggregate_rows(results, survey.code, version.number, question_labels,
                                              labels, responses_label),
        response_columns=responses.columns, response_rows=responses.rows, left_out=responses.left_out,
        response_count=responses.count, response_values=responses.values,
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
