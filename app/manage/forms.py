"""Forms of the coordinators' workspace."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from app.labels import PLACE_KIND_LABELS, PLACEMENT_MODE_LABELS


class PlaceForm(FlaskForm):
    """A new meeting place."""

    name = StringField(_l("Name of the meeting place"),
                       validators=[DataRequired(_l("Please enter a name.")), Length(max=200)])
    kind = SelectField(_l("Kind of place"), choices=list(PLACE_KIND_LABELS.items()))
    quarter = SelectField(_l("Quarter"), coerce=int, choices=[])
    address = StringField(_l("Address (optional)"), validators=[Length(max=300)])


class PlacementForm(FlaskForm):
    """Place a survey at a meeting place."""

    place = SelectField(_l("Meeting place"), coerce=int, choices=[])
    mode = SelectField(_l("How residents answer there"), choices=list(PLACEMENT_MODE_LABELS.items()))


class NewSurveyForm(FlaskForm):
    """A new consultation with its survey."""

    title = StringField(_l("Title"), validators=[DataRequired(_l("Please enter a title.")), Length(max=200)])
    code = StringField(_l("Short name for links and exports (letters, digits, -)"),
                       validators=[DataRequired(_l("Please enter a short name.")), Length(max=60),
                                   Regexp(r"^[a-z][a-z0-9-]*$", message=_l("Use small letters, digits and - only."))])
    default_language = SelectField(_l("Language you write in"), choices=[])
    languages = SelectMultipleField(_l("Other languages the survey is offered in"), choices=[])
    districts = SelectMultipleField(_l("Districts (none chosen: the whole city)"), coerce=int, choices=[])


class QuestionForm(FlaskForm):
    """One question of the builder, in the survey's source language."""

    code = StringField(_l("Short name (for exports; small letters, digits, _)"),
                       validators=[DataRequired(_l("Please enter a short name.")), Length(max=80),
                                   Regexp(r"^[a-z][a-z0-9_]*$", message=_l("Use small letters, digits and _ only."))])
    type = SelectField(_l("Kind of question"), choices=[])
    label = TextAreaField(_l("Question"), validators=[DataRequired(_l("Please write the question.")), Length(max=1000)])
    hint = TextAreaField(_l("Help text (optional)"), validators=[Length(max=1000)])
    required = BooleanField(_l("An answer is required"))
    options = TextAreaField(_l("Answers to choose from, one per line: short name: text"), validators=[Length(max=10000)])
    scale_min = IntegerField(_l("Scale from"), default=1, validators=[Optional(), NumberRange(0, 10)])
    scale_max = IntegerField(_l("Scale to"), default=5, validators=[Optional(), NumberRange(1, 10)])
    min_label = StringField(_l("Text at the low end"), validators=[Length(max=200)])
    max_label = StringField(_l("Text at the high end"), validators=[Length(max=200)])
    number_min = IntegerField(_l("Smallest number allowed"), validators=[Optional()])
    number_max = IntegerField(_l("Largest number allowed"), validators=[Optional()])
    max_picks = IntegerField(_l("How many answers may be picked"), default=3, validators=[Optional(), NumberRange(1, 50)])
    relevant = StringField(_l("Ask only if (optional), e.g. ${has_children} = 'yes'"), validators=[Length(max=500)])


class SettingsForm(FlaskForm):
    """A consultation's and its survey's own texts and time window, in the source language."""

    consultation_title = StringField(_l("Title of the consultation"),
                                     validators=[DataRequired(_l("Please enter a title.")), Length(max=200)])
    description = TextAreaField(_l("Description of the consultation (for staff and the public results page)"),
                                validators=[Length(max=4000)])
    opens_on = DateField(_l("First day for answers (optional)"), validators=[Optional()])
    closes_on = DateField(_l("Last day for answers (optional)"), validators=[Optional()])
    title = StringField(_l("Title of the survey (residents see it at the top)"),
                        validators=[DataRequired(_l("Please enter a title.")), Length(max=200)])
    intro = TextAreaField(_l("Introduction (a few plain sentences: what, how long, anonymous)"),
                          validators=[Length(max=4000)])
    thanks = TextAreaField(_l("Thank-you text (what happens next)"), validators=[Length(max=4000)])
    layout = SelectField(_l("Questions per page"), choices=[
        ("auto", _l("One question per page if the survey has more than 8 questions")),
        ("one", _l("Always one question per page")),
        ("all", _l("As many questions per page as possible"))], default="auto")

    def validate_closes_on(self, field):
        """The window must not end before it starts."""
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_l("The last day cannot be before the first day."))


class DeleteResponsesForm(FlaskForm):
    """Delete every response of a survey, e.g. at the request of a council or a data
    protection officer: the survey's short name must be typed to confirm."""

    confirm = StringField(_l("Type the survey's short name to confirm"),
                          validators=[DataRequired(_l("Please type the survey's short name."))])
    reason = StringField(_l("Why (kept in the audit log)"),
                         validators=[DataRequired(_l("Please say why the responses are deleted.")),
                                     Length(max=300)])
