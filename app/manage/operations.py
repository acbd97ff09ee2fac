"""Writes of the coordinators' workspace, each a documented operation that commits nothing.

The caller (a view or a CLI command) commits, so that a failing step leaves nothing half-done.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from app.db import db
from app.domain.definition import SurveyDef
from app.models import (
    City,
    Consultation,
    District,
    MeetingPlace,
    Option,
    Placement,
    Quarter,
    Question,
    Response,
    Survey,
    SurveyVersion,
)
from app.models.places import PLACE_KINDS, PLACEMENT_MODES

AREA_COLUMNS = ("district_code", "district_name", "quarter_code", "quarter_name")


class OperationError(ValueError):
    """An operation was asked to do something it must not; the message says what."""


@dataclass
class AreaLoadResult:
    """What ``load_areas`` did."""

    city: City
    districts: int
    quarters: int


def load_areas(city_code: str, city_name: str, csv_text: str, source: str = "") -> AreaLoadResult:
    """Create or update a city's districts and quarters from a four-column CSV text.

    Columns: ``district_code, district_name, quarter_code, quarter_name``. Existing areas are
    matched by code and renamed if their name changed; nothing is deleted.
    """
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    missing = [c for c in AREA_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise OperationError(f"missing columns: {', '.join(missing)}")
    rows = list(reader)
    problems = [f"line {n}: empty {c}" for n, row in enumerate(rows, start=2)
                for c in AREA_COLUMNS if not (row.get(c) or "").strip()]
    if problems:
        raise OperationError("; ".join(problems[:10]))
    city = db.session.scalar(select(City).where(City.code == city_code))
    if city is None:
        city = City(code=city_code, name=city_name, source=source)
        db.session.add(city)
        db.session.flush()
    elif source:
        city.source = source
    districts = {d.code: d for d in city.districts}
    quarters = {q.code: q for q in db.session.scalars(select(Quarter).where(Quarter.city_id == city.id))}
    for row in rows:
        dcode, qcode = row["district_code"].strip(), row["quarter_code"].strip()
        district = districts.get(dcode)
        if district is None:
            district = districts[dcode] = District(city=city, code=dcode, name="")
            db.session.add(district)
        district.name = row["district_name"].strip()
        quarter = quarters.get(qcode)
        if quarter is None:
            quarter = quarters[qcode] = Quarter(city_id=city.id, code=qcode, name="")
            db.session.add(quarter)
        quarter.district = district
        quarter.name = row["quarter_name"].strip()
    db.session.flush()
    return AreaLoadResult(city, len(districts), len(quarters))


def _fill_version(version: SurveyVersion, defn: SurveyDef) -> None:
    """Write the texts and questions of ``defn`` into ``version``."""
    version.title, version.intro, version.thanks = defn.title, defn.intro, defn.thanks
    version.questions = [
        Question(position=position, code=q.code, type=q.type, is_required=q.required,
                 label=q.label, hint=q.hint, settings=q.settings, tags=q.tags, relevant=q.relevant,
                 options=[Option(position=i, code=o.code, label=o.label)
                          for i, o in enumerate(q.options)])
        for position, q in enumerate(defn.questions)
    ]


def version_has_responses(version: SurveyVersion) -> bool:
    """Whether any response answered ``version``."""
    return bool(db.session.scalar(
        select(func.count(Response.id)).where(Response.survey_version_id == version.id)))


def import_survey(defn: SurveyDef, city: City, quarters: list[Quarter] | None = None) -> SurveyVersion:
    """Store a survey definition and return the version that now takes answers.

    A new survey gets version 1 (and its consultation, created from the file's ``consultation``
    block when it does not exist yet, with ``quarters`` when given; an existing consultation is
    joined and never changed — who may join it is the caller's check, see
    ``consultation_named``). Importing a survey that exists replaces its current version while
    nobody has answered it; once responses exist, it adds a new version, so that every response
    stays readable against the version it answered.
    """
    survey = Survey.by_code(defn.code)
    if survey is None:
        consultation = consultation_named(defn)
        if consultation is None:
            consultation = _new_consultation(defn, city)
            if quarters is not None:
                consultation.quarters = list(quarters)
        survey = Survey(consultation=consultation, code=defn.code)
        db.session.add(survey)
    survey.default_language = defn.default_language
    survey.languages = list(defn.languages)
    survey.one_question_per_page = defn.one_question_per_page
    version = survey.current_version
    if version is None or version_has_responses(version):
        version = SurveyVersion(survey=survey, number=(version.number + 1) if version else 1)
        db.session.add(version)
    else:
        version.questions.clear()
        db.session.flush()
    _fill_version(version, defn)
    db.session.flush()
    return version


def consultation_named(defn: SurveyDef) -> Consultation | None:
    """The existing consultation a survey file names (its ``consultation`` block's code, else
    the survey's code), or None when the import would create it."""
    code = defn.consultation.get("code") or defn.code
    return db.session.scalar(select(Consultation).where(Consultation.code == code))


def _new_consultation(defn: SurveyDef, city: City) -> Consultation:
    """The consultation named in the file, created as a draft."""
    consultation = Consultation(
        city=city, code=defn.consultation.get("code") or defn.code, status="draft",
        title=defn.consultation.get("title") or defn.title,
        description=defn.consultation.get("description") or {},
    )
    db.session.add(consultation)
    return consultation


class IncompleteTranslations(OperationError):
    """A survey cannot open while a language it offers lacks texts; ``missing`` lists them."""

    def __init__(self, missing: list[str]):
        super().__init__("; ".join(missing[:10]))
        self.missing = missing


def set_status(consultation: Consultation, status: str) -> None:
    """Move a consultation to ``draft``, ``open`` or ``closed``. Opening needs every survey
    complete in every language it offers."""
    from app.domain.definition import missing_translations
    from app.models.surveys import version_definition
    if status not in ("draft", "open", "closed"):
        raise OperationError(f"unknown status {status!r}")
    if status == "open":
        missing = [f"{survey.code}: {item}" for survey in consultation.surveys
                   for item in missing_translations(version_definition(survey.current_version))]
        if missing:
            raise IncompleteTranslations(missing)
    if status == "closed" and consultation.status != "closed":
        consultation.closed_on = date.today()
    elif status != "closed":
        consultation.closed_on = None
    consultation.status = status


def is_frozen(version: SurveyVersion) -> bool:
    """A version is frozen once its consultation has opened or anyone has answered it."""
    return version.survey.consultation.status != "draft" or version_has_responses(version)


def _update_texts(version: SurveyVersion, defn: SurveyDef) -> None:
    """Write only the texts of ``defn`` into ``version`` (same questions and options)."""
    version.title, version.intro, version.thanks = dict(defn.title), dict(defn.intro), dict(defn.thanks)
    by_code = {q.code: q for q in defn.questions}
    for question in version.questions:
        new = by_code[question.code]
        question.label, question.hint = dict(new.label), dict(new.hint)
        question.settings = dict(new.settings)
        question.is_required, question.relevant, question.tags = new.required, new.relevant, dict(new.tags)
        labels = {o.code: o.label for o in new.options}
        for option in question.options:
            option.label = dict(labels[option.code])


def save_definition(survey: Survey, defn: SurveyDef) -> tuple[SurveyVersion, str]:
    """Save an edited definition under the versioning rule; return the version and what happened:

    - ``replaced``: a draft nobody answered is changed freely;
    - ``texts``: a frozen version gets text changes (typo fixes) in place — logged by the caller;
    - ``new_version``: a structural change of a frozen version starts a new version, so that
      earlier answers stay readable against the version they answered.
    """
    from app.domain.builder import is_structural
    from app.domain.definition import DefinitionError, check
    from app.models.surveys import version_definition
    problems = check(defn)
    if problems:
        raise DefinitionError(problems)
    version = survey.current_version
    old = version_definition(version)
    survey.languages = list(defn.languages)
    survey.default_language = defn.default_language
    if not is_frozen(version):
        version.questions.clear()
        db.session.flush()
        _fill_version(version, defn)
        outcome = "replaced"
    elif not is_structural(old, defn):
        _update_texts(version, defn)
        outcome = "texts"
    else:
        version = SurveyVersion(survey=survey, number=version.number + 1)
        db.session.add(version)
        _fill_version(version, defn)
        outcome = "new_version"
    db.session.flush()
    return version, outcome


def create_survey(city: City, code: str, title: str, default_language: str, languages: list[str],
                  quarters: list[Quarter]) -> Survey:
    """A new draft consultation with one survey of that code, and one first question to edit."""
    from app.domain.definition import NAME_PATTERN, QuestionDef
    if Survey.by_code(code) or db.session.scalar(select(Consultation).where(Consultation.code == code)):
        raise OperationError("code exists")
    if not NAME_PATTERN.match(code.replace("-", "_")):
        raise OperationError("code")
    languages = [default_language] + [lang for lang in languages if lang != default_language]
    defn = SurveyDef(code=code, default_language=default_language, languages=languages,
                     title={default_language: title}, intro={}, thanks={},
                     questions=[QuestionDef("first_question", "long_text", {default_language: title})],
                     consultation={"code": code, "title": {default_language: title}})
    import_survey(defn, city, quarters=list(quarters))
    return Survey.by_code(code)


def create_meeting_place(name: str, kind: str, quarter: Quarter, address: str | None = "") -> MeetingPlace:
    """Add a meeting place in ``quarter``."""
    if kind not in PLACE_KINDS:
        raise OperationError(f"unknown kind {kind!r}; one of {', '.join(PLACE_KINDS)}")
    if not name.strip():
        raise OperationError("a meeting place needs a name")
    place = MeetingPlace(name=name.strip(), kind=kind, quarter=quarter, address=(address or "").strip())
    db.session.add(place)
    db.session.flush()
    return place


def place_survey(survey: Survey, place: MeetingPlace, mode: str = "web") -> Placement:
    """Offer ``survey`` at ``place`` (once per mode): a poster's QR code (``web``) or a shared
    tablet (``kiosk``). The placement's token is what its QR code carries."""
    if mode not in PLACEMENT_MODES:
        raise OperationError(f"unknown mode {mode!r}")
    placement = db.session.scalar(select(Placement).where(
        Placement.survey_id == survey.id, Placement.meeting_place_id == place.id, Placement.mode == mode))
    if placement is None:
        placement = Placement(survey=survey, meeting_place=place, mode=mode)
        db.session.add(placement)
        db.session.flush()
    return placement


def create_codes(survey: Survey, count: int) -> list[str]:
    """Create ``count`` one-time codes for ``survey`` and return them, for printing once.

    Only salted digests are stored: the codes themselves cannot be shown again, and nothing
    records who gets which code.
    """
    from app.domain import codes
    from app.models import OneTimeCode
    if not 1 <= count <= 1000:
        raise OperationError("between 1 and 1000 codes at a time")
    fresh = [codes.new_code() for _ in range(count)]
    db.session.add_all(OneTimeCode(survey_id=survey.id, digest=codes.digest(survey.code_salt, code))
                       for code in fresh)
    db.session.flush()
    return fresh
