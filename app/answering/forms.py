"""The answer form, built at run time from a survey version (one field per question).

Validation is the domain's (``app.domain.answers.parse``); this module only turns its error
codes into messages in the resident's language.
"""
from __future__ import annotations

import secrets

from flask_babel import format_decimal, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, StringField
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Length, ValidationError

from app.domain.answers import Part, option_codes, other_text, parse, with_other
from app.domain.definition import OTHER_TEXT_LIMIT, TEXT_LIMITS, QuestionDef, SurveyDef

#: Message for each error code of ``app.domain.answers.parse``.
ERROR_MESSAGES = {
    "required": _l("Please answer this question."),
    "unknown_option": _l("Please choose one of the answers shown."),
    "one_only": _l("Please choose only one answer."),
    "not_a_whole_number": _l("Please write a whole number, for example 3."),
    "too_small": _l("Please write a number that is %(min)s or more."),
    "too_large": _l("Please write a number that is %(max)s or less."),
    "too_long": _l("Please write no more than %(max)s characters. You wrote %(length)s."),
    # Translators: a single choice question where the resident ticked one answer and also wrote
    # their own answer in the text field beside "Other".
    "other_and_choice": _l("You chose an answer and also wrote your own. Please keep only one of them."),
}

#: Added to a question's field name for the text field beside its "other" option.
OTHER_SUFFIX = "-other"


def error_message(code: str, params: dict) -> str:
    """The resident-facing message for a domain error code."""
    if code == "too_many":
        return str(lazy_ngettext("Please choose no more than %(num)d answer.",
                                 "Please choose no more than %(num)d answers.", params["max"]))
    shown = {key: format_decimal(value) for key, value in params.items()}
    return str(ERROR_MESSAGES[code]) % shown


class AnswerField(Field):
    """Collects what was ticked or typed for one question; rendered by ``macros/answer.html``."""

    #: Longest text beside the "other" option (the text field's ``maxlength``).
    other_limit = OTHER_TEXT_LIMIT

    def __init__(self, label=None, validators=None, question: QuestionDef | None = None,
                 quarter_codes: list[str] | None = None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.question = question
        self.quarter_codes = quarter_codes or []
        self.parts: list[Part] = []
        self.raw_data = []
        #: What was written beside the "other" option, as sent.
        self.other_data: list[str] = []
        #: False for a question that does not apply (its condition fails) or lies on a later page.
        self.active = True

    @property
    def other_name(self) -> str:
        """The name of the text field beside the "other" option."""
        return self.name + OTHER_SUFFIX

    def process(self, formdata, data=unset_value, extra_filters=None):
        """Read the ticked or typed values, and the text beside the "other" option."""
        super().process(formdata, data, extra_filters)
        self.raw_data = [value for value in self.raw_data or [] if isinstance(value, str)]  # never a file
        if formdata is not None and self.question is not None and self.question.other_code:
            self.other_data = [value for value in formdata.getlist(self.other_name) if isinstance(value, str)]

    def process_formdata(self, valuelist):
        self.data = list(valuelist)

    def pre_validate(self, form):
        if not self.active:
            self.parts = []
            return
        parsed = parse(self.question, list(self.raw_data or []), self.quarter_codes, self.other_data)
        if parsed.error:
            raise ValidationError(error_message(parsed.error, parsed.params))
        self.parts = parsed.parts

    def chosen(self) -> list[str]:
        """The values the resident gave, to show them again (never lost on an error); the
        "other" option counts as chosen when its text is written (as ``parse`` counts it)."""
        values = [value for value in (self.raw_data or []) if value]
        return with_other(self.question, values, other_text(self.question, self.other_data))

    def other_text(self) -> str:
        """The text beside the "other" option as typed, to show it again."""
        return (self.other_data or [""])[0]

    def text(self) -> str:
        """A text or number answer as typed."""
        return (self.raw_data or [""])[0]


class SurveyFormBase(FlaskForm):
    """Fields every answer form has besides the questions."""

    class Meta:
        csrf_time_limit = None  # no time limit for residents

    #: Random key of this filled-in form: a second click on "Send" stores nothing twice.
    submission_key = HiddenField()
    #: Set when a second person answers on the same phone on purpose.
    another_person = HiddenField()
    #: The page of a survey with conditional questions (0 for the first).
    page = HiddenField(default="0")

    def prepare(self, another_person: bool) -> None:
        """Give a fresh form its random submission key; mark a deliberate second person."""
        if not self.submission_key.data:
            self.submission_key.data = secrets.token_urlsafe(16)
        if another_person:
            self.another_person.data = "1"

    def question_fields(self) -> list[AnswerField]:
        """The answer fields in question order."""
        return [field for field in self if isinstance(field, AnswerField)]

    def draft_fields(self) -> dict[str, list[str]] | None:
        """What to keep when the resident saves to continue later: every value ticked or typed
        (also on pages they have not sent yet), the "other" texts and the page — or None, with
        the fields' errors set, when a text is longer than an answer may be (a draft is checked
        like an answer: no one stores 250 KB without logging in). Values the form cannot
        send (an option the question does not have, a "number" of more than 20 characters)
        are left out."""
        fields: dict[str, list[str]] = {"page": [str(self.page.data or "0")[:4]]}
        too_long = False
        for field in self.question_fields():
            question = field.question
            values = [value for value in (field.raw_data or []) if value]
            if question.type in TEXT_LIMITS:
                limit = TEXT_LIMITS[question.type]
                if sum(len(value) for value in values) > limit:
                    field.errors = [error_message("too_long", {"max": limit, "length": sum(map(len, values))})]
                    too_long = True
                values = values[:1] if question.type == "short_text" else values[:20]
            elif question.type == "number":
                values = [value for value in values[:1] if len(value) <= 20]
            else:
                codes = set(option_codes(question, field.quarter_codes))
                values = [value for value in values[:200] if len(value) <= 64 and (not codes or value in codes)]
            if values:
                fields[field.name] = values
            if question.other_code and any(field.other_data):
                others = [text for text in field.other_data[:1] if text]
                if sum(map(len, others)) > OTHER_TEXT_LIMIT:
                    field.errors = [error_message("too_long", {"max": OTHER_TEXT_LIMIT,
                                                               "length": sum(map(len, others))})]
                    too_long = True
                fields[field.other_name] = others
        return None if too_long else fields

    def answers(self) -> dict[str, list[Part]]:
        """The valid answer parts per question code (after ``validate``), of questions that apply."""
        return {field.question.code: field.parts for field in self.question_fields() if field.active}

    def paginate(self, defn: SurveyDef) -> "Paging":
        """Work out the pages, the current page and which questions apply; deactivate the rest."""
        from app.domain.paging import applicable, one_per_page, pages
        layout = pages(defn)
        try:
            current = min(max(int(self.page.data or 0), 0), len(layout) - 1)
        except ValueError:
            current = 0
        applies = applicable(defn, {f.question.code: f.chosen() for f in self.question_fields()})
        reached = {code for page in layout[:current + 1] for code in page}
        for field in self.question_fields():
            field.active = field.question.code in applies and field.question.code in reached
        return Paging(layout, current, applies, single=one_per_page(defn))


class Paging:
    """Where a resident is in a survey with several pages (``single``: one question each)."""

    def __init__(self, layout: list[list[str]], current: int, applies: set[str], single: bool = False):
        self.layout, self.current, self.applies, self.single = layout, current, applies, single

    @property
    def total(self) -> int:
        """How many pages have questions that apply (as far as is known now)."""
        return sum(1 for page in self.layout if self.applies & set(page))

    @property
    def number(self) -> int:
        """The current page's number among the pages that apply, from 1."""
        return sum(1 for page in self.layout[:self.current + 1] if self.applies & set(page))

    def shows(self, code: str) -> bool:
        """Whether the question is asked on the current page."""
        return code in self.applies and code in self.layout[self.current]

    def carries(self, code: str) -> bool:
        """Whether the answer of another page travels along in hidden fields: earlier pages, and
        later ones the resident came back from, so that going back loses nothing."""
        return code in self.applies and code not in self.layout[self.current]

    def go(self, direction: int) -> bool:
        """Move to the next or previous page that applies; False if there is none."""
        from app.domain.paging import step
        target = step(self.layout, self.current, self.applies, direction)
        if target is None:
            return False
        self.current = target
        return True


def field_name(question: QuestionDef) -> str:
    """The form field name of a question."""
    return f"q_{question.code}"


def build_form_class(defn: SurveyDef, quarter_codes: list[str],
                     base: type[SurveyFormBase] = SurveyFormBase,
                     with_code: bool = False) -> type[SurveyFormBase]:
    """A form class with one ``AnswerField`` per question of ``defn``, in order, on ``base``;
    ``with_code`` adds the field for a one-time code."""
    fields = {}
    if with_code:
        fields["access_code"] = StringField(
            _l("Your code from the paper slip"),
            validators=[DataRequired(_l("Please type the code from your paper slip.")), Length(max=40)])
    fields.update({field_name(q): AnswerField(question=q, quarter_codes=quarter_codes)
                   for q in defn.questions})
    return type("SurveyForm", (base,), fields)
