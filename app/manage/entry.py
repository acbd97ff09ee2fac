"""Staff entering answers: paper forms typed in one after another, or a survey filled in together
with a resident ("assisted"). Both use the residents' form, built from the same survey."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, Regexp

from app.answering.forms import SurveyFormBase

#: Channels that staff enter.
ENTRY_CHANNELS = ("paper", "assisted")


class EntryFormBase(SurveyFormBase):
    """What staff say about an entered response besides the answers."""

    batch = StringField(_l("Batch number (printed on the stack of forms)"),
                        validators=[Optional(), Length(max=40),
                                    Regexp(r"^[\w .\-/]*$", message=_l("Please use letters, digits, - and / only."))])
    placement = SelectField(_l("Where the form was filled in"), coerce=int, choices=[])
    language = SelectField(_l("Language of the form"), choices=[])
