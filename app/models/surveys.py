"""Consultations, their surveys, the frozen versions of a survey, and its questions.

Survey *content* (titles, questions, options) is translated with the content: every text is a
JSON object ``{language: text}``, read through ``app.domain.texts.localized`` with the survey's
default language as the fallback. It never goes through gettext.
"""
from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Column, Date, ForeignKey, String, Table, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import db
from app.models.areas import City, Quarter

#: Life cycle of a consultation.
STATUSES = ("draft", "open", "closed")

consultation_quarters = Table(
    "consultation_quarters",
    db.metadata,
    Column("consultation_id", ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True),
    Column("quarter_id", ForeignKey("quarters.id"), primary_key=True),
)


class Consultation(db.Model):
    """A needs survey or neighbourhood consultation: a time window, quarters, one or more surveys."""

    __tablename__ = "consultations"
    __table_args__ = (CheckConstraint("status IN ('draft', 'open', 'closed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    code: Mapped[str] = mapped_column(String(80), unique=True)
    #: ``{language: text}``
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    #: ``{language: text}``
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    #: First and last day on which answers are taken (both optional, both inclusive).
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    #: The day the consultation was last closed by hand (retention counts from it); cleared when
    #: it opens again.
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)
    #: Whether residents can see the main results on the public results page.
    results_public: Mapped[bool] = mapped_column(default=False)
    #: ``{language: text}``: what the coordinators say happens next, on the public results page.
    public_note: Mapped[dict] = mapped_column(JSON, default=dict)

    city: Mapped[City] = relationship()
    #: Quarters in scope; empty means the whole city.
    quarters: Mapped[list[Quarter]] = relationship(secondary=consultation_quarters,
                                                   order_by="Quarter.code")
    surveys: Mapped[list[Survey]] = relationship(back_populates="consultation",
                                                 order_by="Survey.id")

    def ended_on(self, today: date) -> date | None:
        """The day it stopped taking answers: closed by hand, or its last day has passed;
        None while it runs (or has never opened)."""
        if self.status == "closed":
            return self.closed_on or self.closes_on
        if self.status == "open" and self.closes_on and today > self.closes_on:
            return self.closes_on
        return None

    def is_taking_answers(self, today: date) -> bool:
        """Open, and ``today`` inside the time window."""
        if self.status != "open":
            return False
        if self.opens_on and today < self.opens_on:
            return False
        return not (self.closes_on and today > self.closes_on)


class Survey(db.Model):
    """A questionnaire of a consultation. Its content lives in versions."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    #: Stable machine name, used by the CLI, exports and file names.
    code: Mapped[str] = mapped_column(String(80), unique=True)
    #: Source and fallback language of the content.
    default_language: Mapped[str] = mapped_column(String(10), default="de")
    #: Languages the survey is offered in, in switcher order.
    languages: Mapped[list] = mapped_column(JSON, default=list)
    #: One answer per person by printed one-time codes (e.g. a youth council's vote).
    uses_codes: Mapped[bool] = mapped_column(default=False)
    #: One question per page: True, False, or None for "when the survey is long" (see paging).
    one_question_per_page: Mapped[bool | None] = mapped_column(nullable=True, default=None)
    #: Raised whenever responses are deleted: results kept between requests are then worked
    #: out afresh (see ``app/results/cache.py``); arriving responses need no such mark.
    deletions: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Salt of this survey's one-time code digests.
    code_salt: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))

    consultation: Mapped[Consultation] = relationship(back_populates="surveys")
    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey", order_by="SurveyVersion.number", cascade="all, delete-orphan"
    )
    placements: Mapped[list["Placement"]] = relationship(back_populates="survey")  # noqa: F821

    @property
    def current_version(self) -> SurveyVersion | None:
        """The newest version: the one residents answer."""
        return self.versions[-1] if self.versions else None

    @classmethod
    def by_code(cls, code: str) -> Survey | None:
        """The survey with this code, or None."""
        return db.session.scalar(select(cls).where(cls.code == code))


class SurveyVersion(db.Model):
    """A frozen state of a survey's questions; every response points at the version it answered."""

    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    number: Mapped[int] = mapped_column(default=1)
    #: ``{language: text}`` for the title, the introduction and the thank-you text.
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    intro: Mapped[dict] = mapped_column(JSON, default=dict)
    thanks: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)

    survey: Mapped[Survey] = relationship(back_populates="versions")
    questions: Mapped[list[Question]] = relationship(
        back_populates="version", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(db.Model):
    """A question of a survey version; ``code`` is its stable machine name."""

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("version_id", "code"),
        CheckConstraint(
            "type IN ('single_choice', 'multiple_choice', 'scale', 'number', 'short_text', "
            "'long_text', 'yes_no', 'quarter', 'priority')", name="type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(String(80))
    type: Mapped[str] = mapped_column(String(20))
    is_required: Mapped[bool] = mapped_column(default=False)
    #: ``{language: text}``
    label: Mapped[dict] = mapped_column(JSON, default=dict)
    hint: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Type settings: ``min``, ``max``, ``min_label``/``max_label`` (texts), ``max_picks``.
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Free tags, e.g. ``field: living_together``, ``respondent: true``.
    tags: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Condition on earlier answers (``app.domain.conditions``); empty: always asked.
    relevant: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[SurveyVersion] = relationship(back_populates="questions")
    #: Loaded with the questions (one query for all of a version's options, not one per question).
    options: Mapped[list[Option]] = relationship(
        back_populates="question", order_by="Option.position", cascade="all, delete-orphan", lazy="selectin"
    )


class Option(db.Model):
    """An answer option of a choice question; ``code`` is its stable machine name."""

    __tablename__ = "options"
    __table_args__ = (UniqueConstraint("question_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    code: Mapped[str] = mapped_column(String(80))
    #: ``{language: text}``
    label: Mapped[dict] = mapped_column(JSON, default=dict)

    question: Mapped[Question] = relationship(back_populates="options")


def version_definition(version: SurveyVersion) -> "SurveyDef":  # noqa: F821
    """The plain ``SurveyDef`` of a stored version (what the domain core works on)."""
    from app.domain.definition import OptionDef, QuestionDef, SurveyDef

    survey = version.survey
    consultation = survey.consultation
    return SurveyDef(
        code=survey.code, default_language=survey.default_language,
        languages=list(survey.languages), one_question_per_page=survey.one_question_per_page,
        title=dict(version.title), intro=dict(version.intro), thanks=dict(version.thanks),
        consultation={"code": consultation.code, "title": dict(consultation.title),
                      "description": dict(consultation.description)},
        questions=[
            QuestionDef(code=q.code, type=q.type, label=dict(q.label), hint=dict(q.hint),
                        required=q.is_required, settings=dict(q.settings), tags=dict(q.tags),
                        relevant=q.relevant or "",
                        options=[OptionDef(code=o.code, label=dict(o.label)) for o in q.options])
            for q in version.questions
        ],
    )


def scope_quarters(survey: Survey) -> list[Quarter]:
    """The quarters a survey reaches: its consultation's, or every quarter of the city."""
    consultation = survey.consultation
    if consultation.quarters:
        return list(consultation.quarters)
    return list(db.session.scalars(
        select(Quarter).where(Quarter.city_id == consultation.city_id).order_by(Quarter.code)))
