"""Planners' coding of free-text answers: a survey's own categories, the categories given to an
answer, and the answers hidden from every list and export (e.g. because they name a person).

Who coded or hid an answer, and when, is in the audit log, not here: these tables hold only
the current state. Deleting an answer deletes its codes and its hidden mark (ON DELETE CASCADE);
deleting a category deletes its codes.
"""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import db

#: A category's machine name: lower-case letters, digits and ``_``, starting with a letter.
CATEGORY_CODE = re.compile(r"[a-z][a-z0-9_]*")
#: Longest category code (it becomes part of export column names).
CATEGORY_CODE_LENGTH = 40


class TextCategory(db.Model):
    """A category of a survey's category set, given to free-text answers by planners."""

    __tablename__ = "text_categories"
    __table_args__ = (
        UniqueConstraint("survey_id", "code"),
        CheckConstraint("code <> ''", name="code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    #: Stable machine name, unique within the survey; exports and counts key on it.
    code: Mapped[str] = mapped_column(String(CATEGORY_CODE_LENGTH))
    #: ``{language: text}`` in the survey's languages.
    label: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Order in lists, forms and results.
    position: Mapped[int] = mapped_column(default=0)


class AnswerCoding(db.Model):
    """One category given to one text answer."""

    __tablename__ = "answer_codings"

    #: The coded answer (a row with a ``text``).
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"),
                                           primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("text_categories.id", ondelete="CASCADE"),
                                             primary_key=True, index=True)


class HiddenAnswer(db.Model):
    """A text answer that no list and no export shows; it still counts as answered."""

    __tablename__ = "hidden_answers"

    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"),
                                           primary_key=True)
    #: The day it was hidden (who hid it is in the audit log).
    hidden_on: Mapped[date] = mapped_column(Date, default=date.today)
