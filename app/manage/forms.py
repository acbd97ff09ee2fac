"""Forms of the coordinators' workspace."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

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
