"""Free-text answers: listing them per question and area, hiding them, and coding them into the
survey's own categories so that they can be counted like a choice question.

Reads first, then the operations. Every operation is audit-logged with ``record()`` and commits
nothing: the caller commits, so a failing step leaves nothing half-done. The audit log never
copies a resident's text (it may be the very reason an answer was hidden).

Privacy rules kept here, not in the views:

* Lists are in a neutral, stable order (the text, alphabetically), never by submission.
* Answers are named in pages and forms by an opaque reference (``answer_ref``), not by their
  database id, which counts up in the order people answered.
* No time and no day of submission is shown, and no quarter next to an answer.
* A quarter or district with fewer than k responses to the question gets no list
  (``too_small``): in a small group a text can tell who wrote it.
* Texts appear with the daily release of the figures, not as they come in (``releases``).
* Hidden answers appear only in the "hidden" list, in no export (``not_hidden``), but still
  count as answered and keep their categories (a count does not repeat the text).
"""
from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, delete, distinct, exists, func, select

from app.audit import record
from app.db import db
from app.domain.aggregation import Area, published_sum
from app.domain.texts import localized
from app.models import (
    Answer,
    AnswerCoding,
    District,
    HiddenAnswer,
    Quarter,
    Question,
    Response,
    Survey,
    SurveyVersion,
    TextCategory,
)
from app.models.coding import CATEGORY_CODE, CATEGORY_CODE_LENGTH
from app.results import releases
from app.results.queries import perturbation_table, survey_areas

#: Question types whose answers are free texts.
TEXT_TYPES = ("short_text", "long_text")
#: Answers per page of a list.
PAGE_SIZE = 50
#: The lists a planner can choose: every shown answer, those without a category, the hidden.
SHOWS = ("all", "uncoded", "hidden")
#: Longest category label, per language.
LABEL_LENGTH = 120


class CodingError(ValueError):
    """An operation was refused; ``message`` says why in the page's language, ``field`` where."""

    def __init__(self, message, field: str = ""):
        super().__init__(str(message))
        self.message = message
        self.field = field


# --- Reads --------------------------------------------------------------------------------------


def not_hidden():
    """SQL condition on ``Answer``: the answer is not hidden (for lists and exports)."""
    return ~exists().where(HiddenAnswer.answer_id == Answer.id)


def hidden_answer_ids(survey: Survey) -> set[int]:
    """Ids of the survey's hidden answers, which no list and no export may show."""
    return set(db.session.scalars(
        select(HiddenAnswer.answer_id)
        .join(Answer, Answer.id == HiddenAnswer.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
        .where(SurveyVersion.survey_id == survey.id)))


def survey_categories(survey: Survey) -> list[TextCategory]:
    """The survey's category set, in display order."""
    return list(db.session.scalars(select(TextCategory).where(TextCategory.survey_id == survey.id)
                                   .order_by(TextCategory.position, TextCategory.id)))


def category_codes(survey: Survey) -> list[str]:
    """Codes of the survey's categories in display order (the "options" of a text question)."""
    return [category.code for category in survey_categories(survey)]


def category_labels(survey: Survey, language: str) -> dict[str, str]:
    """Label of each category in ``language`` (falling back to the survey's default language)."""
    return {c.code: localized(c.label, language, survey.default_language) or c.code
            for c in survey_categories(survey)}


def _survey_answers(survey: Survey, *where) -> Select:
    """``select(...)`` skeleton: answers of ``survey`` joined to question, response and quarter —
    of released responses only: a text appears in a list with the figures' daily release, never
    as soon as it was written (``app.results.releases``)."""
    return (select(Answer).select_from(Answer)
            .join(Question, Question.id == Answer.question_id)
            .join(Response, Response.id == Answer.response_id)
            .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
            .outerjoin(Quarter, Quarter.id == Response.quarter_id)
            .where(SurveyVersion.survey_id == survey.id, Response.release_id.is_not(None), *where))


def has_text():
    """SQL condition on ``Answer``: it carries a non-empty text."""
    return and_(Answer.text.is_not(None), Answer.text != "")


def coded_counts(survey: Survey) -> dict[tuple[str, str | None, str], int]:
    """Responses per (question code, quarter code or None, category code) whose answer to the
    question carries the category; hidden answers count too. The same keys as
    ``Counts.options``, so that the categories can be counted like options."""
    releases.ensure(survey)
    stmt = (_survey_answers(survey)
            .join(AnswerCoding, AnswerCoding.answer_id == Answer.id)
            .join(TextCategory, TextCategory.id == AnswerCoding.category_id)
            .with_only_columns(Question.code, Quarter.code, TextCategory.code,
                               func.count(distinct(Answer.response_id)))
            .group_by(Question.code, Quarter.code, TextCategory.code))
    return {(question, quarter, category): n
            for question, quarter, category, n in db.session.execute(stmt)}


def response_categories(survey: Survey) -> dict[tuple[int, str], list[str]]:
    """(response id, question code) → its category codes in display order, for response-level
    exports (one 0/1 column per category, like a multiple-choice question)."""
    releases.ensure(survey)
    stmt = (_survey_answers(survey)
            .join(AnswerCoding, AnswerCoding.answer_id == Answer.id)
            .join(TextCategory, TextCategory.id == AnswerCoding.category_id)
            .with_only_columns(Answer.response_id, Question.code, TextCategory.code)
            .order_by(TextCategory.position, TextCategory.id))
    result: dict[tuple[int, str], list[str]] = defaultdict(list)
    for response_id, question, category in db.session.execute(stmt):
        if category not in result[(response_id, question)]:
            result[(response_id, question)].append(category)
    return dict(result)


def text_questions(survey: Survey) -> list[Question]:
    """Questions of the current version with free texts: the text types, and any other question
    that has text answers (e.g. an "other, namely" text of a choice question)."""
    releases.ensure(survey)
    with_texts = set(db.session.scalars(
        _survey_answers(survey, has_text()).with_only_columns(Question.code).distinct()))
    return [q for q in survey.current_version.questions if q.type in TEXT_TYPES or q.code in with_texts]


def text_question(survey: Survey, code: str) -> Question | None:
    """The question ``code`` of the newest version that has it, or None."""
    for version in reversed(survey.versions):
        for question in version.questions:
            if question.code == code:
                return question
    return None


@dataclass
class TextSummary:
    """How many texts a question has in the whole survey, published like every figure
    (perturbed by the cell key method; ``None``: not shown, below k)."""

    shown: int | None = None
    uncoded: int | None = None
    hidden: int | None = None


def text_summary(survey: Survey) -> dict[str, TextSummary]:
    """Question code → published counts of its shown texts, of those without a category, and
    of hidden ones: each a cell of the city (its key from the city's released responses), so
    that it never shows a count the results hide."""
    releases.ensure(survey)
    coded = select(AnswerCoding.answer_id).distinct().subquery()
    shown = HiddenAnswer.answer_id.is_(None)
    uncoded = and_(shown, coded.c.answer_id.is_(None))
    key = Response.record_key
    stmt = (_survey_answers(survey, has_text())
            .outerjoin(HiddenAnswer, HiddenAnswer.answer_id == Answer.id)
            .outerjoin(coded, coded.c.answer_id == Answer.id)
            .with_only_columns(Question.code,
                               func.sum(case((shown, 1), else_=0)), func.sum(case((shown, key), else_=0)),
                               func.sum(case((uncoded, 1), else_=0)), func.sum(case((uncoded, key), else_=0)),
                               func.count(HiddenAnswer.answer_id), func.sum(case((shown, 0), else_=key)))
            .group_by(Question.code))
    rows = db.session.execute(stmt).all()
    if not rows:
        return {}
    k = current_app.config["K_ANONYMITY"]
    table = perturbation_table()
    city = int(db.session.scalar(
        select(func.coalesce(func.sum(Response.record_key), 0))
        .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
        .where(SurveyVersion.survey_id == survey.id, Response.release_id.is_not(None))))

    def published(n, key_sum) -> int | None:
        return published_sum(int(n or 0), int(key_sum or 0), city, k, table).shown

    return {code: TextSummary(published(n_shown, k_shown), published(n_uncoded, k_uncoded),
                              published(n_hidden, k_hidden))
            for code, n_shown, k_shown, n_uncoded, k_uncoded, n_hidden, k_hidden in rows}


def answer_ref(answer_id: int) -> str:
    """An opaque, stable name of an answer for pages and forms (ids tell the order of answering)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"answer:{answer_id}".encode(), hashlib.sha256).hexdigest()[:20]


def find_answer(survey: Survey, question_code: str, ref: str) -> Answer | None:
    """The text answer of the question whose ``answer_ref`` is ``ref``, or None."""
    if not ref:
        return None
    ids = db.session.scalars(_survey_answers(survey, Question.code == question_code, has_text())
                             .with_only_columns(Answer.id))
    match = next((i for i in ids if hmac.compare_digest(answer_ref(i), ref)), None)
    return db.session.get(Answer, match) if match is not None else None


@dataclass(frozen=True)
class Listing:
    """Which texts to list: a question, an area (the city by default), a filter and a page.

    Built only from whitelisted values (``parse_listing``), so its URL is safe to redirect to.
    """

    survey_code: str
    question_code: str
    area: Area
    show: str = "all"
    page: int = 1

    def url_args(self) -> dict:
        """The URL arguments of this list (``code``, ``question_code``; defaults left out)."""
        args: dict = {"code": self.survey_code, "question_code": self.question_code}
        if self.area.level != "city":
            args["area"] = f"{self.area.level}:{self.area.code}"
        if self.show != "all":
            args["show"] = self.show
        if self.page > 1:
            args["page"] = self.page
        return args


def parse_listing(survey: Survey, question_code: str, args: Mapping[str, str]) -> Listing:
    """The list asked for in ``args`` (``area``, ``show``, ``page``); anything unknown falls back
    to the default, so the result only ever names real areas and filters."""
    areas = survey_areas(survey)
    wanted = args.get("area", "")
    area = next((a for a in areas if a.level != "city" and f"{a.level}:{a.code}" == wanted), areas[0])
    show = args.get("show", "all")
    page = args.get("page", "1")
    return Listing(survey.code, question_code, area, show if show in SHOWS else "all",
                   min(int(page), 10_000) if page.isdigit() and int(page) >= 1 else 1)


def _in_area(survey: Survey, area: Area) -> list:
    """SQL conditions that keep responses of ``area`` (none for the city)."""
    city_id = survey.consultation.city_id
    if area.level == "quarter":
        return [Quarter.code == area.code, Quarter.city_id == city_id]
    if area.level == "district":
        districts = select(District.id).where(District.code == area.code, District.city_id == city_id)
        return [Quarter.district_id.in_(districts)]
    return []


def answered_by_quarter(survey: Survey, question_code: str) -> dict[str | None, int]:
    """Responses that answered the question (hidden answers included), per quarter code (None:
    no quarter known)."""
    releases.ensure(survey)
    return dict(db.session.execute(
        _survey_answers(survey, Question.code == question_code)
        .with_only_columns(Quarter.code, func.count(distinct(Answer.response_id)))
        .group_by(Quarter.code)).all())


def _withhold_smallest(withheld: set, counts: Mapping, k: int) -> None:
    """If the withheld areas of ``counts`` hold 1 to k − 1 responses together, also withhold
    the smallest listed area with answers (which has at least k, so the sum reaches k)."""
    residue = sum(n for key, n in counts.items() if key in withheld)
    listed = [key for key, n in counts.items() if key not in withheld and n > 0]
    if 0 < residue < k and listed:
        withheld.add(min(listed, key=lambda key: (counts[key], key)))


def withheld_areas(survey: Survey, question_code: str, k: int | None = None) -> set[tuple[str, str]]:
    """Keys of the areas whose text lists are withheld for the question.

    A quarter or district with fewer than k responses to the question is withheld. So that no
    withheld group can be worked out as "the district's texts minus those of its listed
    quarters" (or the city's minus the listed districts', where responses without a quarter
    count as withheld), the withheld parts of a listed area must hold 0 or at least k responses
    together; otherwise the smallest listed part is withheld too (a whole district, quarters
    and all, at city level). When fewer than k answered in the whole city, nothing is listed.
    """
    k = current_app.config["K_ANONYMITY"] if k is None else k
    answered = answered_by_quarter(survey, question_code)
    quarters_of: dict[str, dict] = defaultdict(dict)
    for area in survey_areas(survey):
        if area.level == "quarter":
            quarters_of[area.district_code][area.key] = answered.get(area.code, 0)
    districts = {("district", code): sum(quarters.values()) for code, quarters in quarters_of.items()}
    withheld = {key for quarters in quarters_of.values() for key, n in quarters.items() if n < k}
    withheld |= {key for key, n in districts.items() if n < k}
    for code, quarters in quarters_of.items():
        if ("district", code) not in withheld:
            _withhold_smallest(withheld, quarters, k)
    city_parts = {**districts, ("none", ""): answered.get(None, 0)}
    marked = withheld | {("none", "")}
    _withhold_smallest(marked, city_parts, k)
    for key in marked - withheld - {("none", "")}:  # a district withheld for the city's sake
        withheld.add(key)
        withheld |= set(quarters_of[key[1]])
    if sum(answered.values()) < k:
        withheld |= {("city", ""), *districts, *(key for quarters in quarters_of.values() for key in quarters)}
    return withheld


def too_small(survey: Survey, listing: Listing, k: int | None = None) -> bool:
    """Whether the listing's area is withheld for its question (``withheld_areas``)."""
    return listing.area.key in withheld_areas(survey, listing.question_code, k)


@dataclass
class TextItem:
    """One answer in a list: its reference, its text, its categories, whether it is hidden."""

    ref: str
    text: str
    categories: set[str] = field(default_factory=set)
    is_hidden: bool = False


@dataclass
class TextPage:
    """A page of a list."""

    items: list[TextItem]
    has_next: bool
    #: The number of the page's first answer in the whole list (1 on the first page).
    first: int = 1


def text_page(survey: Survey, listing: Listing, page_size: int = PAGE_SIZE) -> TextPage:
    """One page of the listing's answers, alphabetically by text."""
    releases.ensure(survey)
    where = [Question.code == listing.question_code, has_text(), *_in_area(survey, listing.area)]
    if listing.show == "hidden":
        where.append(~not_hidden())
    else:
        where.append(not_hidden())
    if listing.show == "uncoded":
        where.append(~exists().where(AnswerCoding.answer_id == Answer.id))
    rows = db.session.execute(
        _survey_answers(survey, *where).with_only_columns(Answer.id, Answer.text)
        .order_by(func.lower(Answer.text), Answer.text, Answer.id)
        .offset((listing.page - 1) * page_size).limit(page_size + 1)).all()
    ids = [answer_id for answer_id, _ in rows[:page_size]]
    codes: dict[int, set[str]] = defaultdict(set)
    for answer_id, code in db.session.execute(
            select(AnswerCoding.answer_id, TextCategory.code)
            .join(TextCategory, TextCategory.id == AnswerCoding.category_id)
            .where(AnswerCoding.answer_id.in_(ids))):
        codes[answer_id].add(code)
    items = [TextItem(answer_ref(answer_id), text, codes[answer_id], listing.show == "hidden")
             for answer_id, text in rows[:page_size]]
    return TextPage(items, has_next=len(rows) > page_size, first=(listing.page - 1) * page_size + 1)


# --- Operations ---------------------------------------------------------------------------------


def survey_languages(survey: Survey) -> list[str]:
    """The survey's languages, its default language first."""
    rest = [code for code in survey.languages or [] if code != survey.default_language]
    return [survey.default_language, *rest]


def _clean_labels(survey: Survey, labels: Mapping[str, str]) -> dict[str, str]:
    """The labels in the survey's languages, trimmed; the default language's one is required."""
    cleaned = {lang: " ".join((labels.get(lang) or "").split())[:LABEL_LENGTH]
               for lang in survey_languages(survey)}
    if not cleaned[survey.default_language]:
        raise CodingError(_l("Please name the category in the survey's main language."),
                          f"label-{survey.default_language}")
    return {lang: text for lang, text in cleaned.items() if text}


def create_category(survey: Survey, code: str, labels: Mapping[str, str]) -> TextCategory:
    """Add a category to the survey's set, at the end; ``code`` is its stable machine name."""
    code = (code or "").strip()
    if len(code) > CATEGORY_CODE_LENGTH or not CATEGORY_CODE.fullmatch(code):
        raise CodingError(_l("Use small letters, digits and _ only, starting with a letter "
                             "(at most %(n)d characters).", n=CATEGORY_CODE_LENGTH), "code")
    if code in category_codes(survey):
        raise CodingError(_l("The survey already has a category with this short name."), "code")
    cleaned = _clean_labels(survey, labels)
    last = db.session.scalar(select(func.max(TextCategory.position))
                             .where(TextCategory.survey_id == survey.id))
    category = TextCategory(survey_id=survey.id, code=code, label=cleaned,
                            position=0 if last is None else last + 1)
    db.session.add(category)
    db.session.flush()
    record("text_category.create", f"text_category:{category.id}", f"{survey.code}: {code}",
           survey=survey.code, code=code, label=cleaned)
    return category


def rename_category(survey: Survey, category: TextCategory, labels: Mapping[str, str]) -> None:
    """Give a category new labels; its code, and so every count and export column, stays."""
    cleaned = _clean_labels(survey, labels)
    before = dict(category.label)
    category.label = cleaned
    record("text_category.rename", f"text_category:{category.id}", f"{survey.code}: {category.code}",
           survey=survey.code, code=category.code, before=before, after=cleaned)


def delete_category(survey: Survey, category: TextCategory) -> int:
    """Remove a category and every answer's coding with it; return how many codings went."""
    removed = db.session.execute(delete(AnswerCoding).where(AnswerCoding.category_id == category.id)
                                 ).rowcount or 0
    record("text_category.delete", f"text_category:{category.id}", f"{survey.code}: {category.code}",
           survey=survey.code, code=category.code, label=dict(category.label), codings=removed)
    db.session.delete(category)
    return removed


def _question_code(answer: Answer) -> str:
    """The code of the question an answer belongs to."""
    return db.session.get(Question, answer.question_id).code


def set_answer_categories(survey: Survey, answer: Answer, codes: Iterable[str]) -> tuple[list[str], list[str]]:
    """Give ``answer`` exactly the categories ``codes`` of the survey's set; return the codes
    added and removed (nothing is logged when nothing changed)."""
    categories = {c.code: c for c in survey_categories(survey)}
    wanted = set(codes)
    if wanted - set(categories):
        raise CodingError(_l("A category you chose no longer exists. Please try again."))
    current = {code for (code,) in db.session.execute(
        select(TextCategory.code).join(AnswerCoding, AnswerCoding.category_id == TextCategory.id)
        .where(AnswerCoding.answer_id == answer.id))}
    added, removed = sorted(wanted - current), sorted(current - wanted)
    for code in added:
        db.session.add(AnswerCoding(answer_id=answer.id, category_id=categories[code].id))
    if removed:
        db.session.execute(delete(AnswerCoding).where(
            AnswerCoding.answer_id == answer.id,
            AnswerCoding.category_id.in_([categories[code].id for code in removed])))
    if added or removed:
        question = _question_code(answer)
        record("answer.code", f"answer:{answer.id}",
               f"{survey.code}/{question}: +{','.join(added) or '–'} −{','.join(removed) or '–'}",
               survey=survey.code, question=question, added=added, removed=removed)
    return added, removed


def is_hidden(answer: Answer) -> bool:
    """Whether the answer is hidden."""
    return db.session.get(HiddenAnswer, answer.id) is not None


def hide_answer(survey: Survey, answer: Answer) -> bool:
    """Hide an answer from every list and export; False when it already was."""
    if is_hidden(answer):
        return False
    db.session.add(HiddenAnswer(answer_id=answer.id))
    question = _question_code(answer)
    record("answer.hide", f"answer:{answer.id}", f"{survey.code}/{question}",
           survey=survey.code, question=question)
    return True


def unhide_answer(survey: Survey, answer: Answer) -> bool:
    """Show a hidden answer again; False when it was not hidden."""
    hidden = db.session.get(HiddenAnswer, answer.id)
    if hidden is None:
        return False
    db.session.delete(hidden)
    question = _question_code(answer)
    record("answer.unhide", f"answer:{answer.id}", f"{survey.code}/{question}",
           survey=survey.code, question=question)
    return True
