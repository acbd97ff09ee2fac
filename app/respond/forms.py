"""Forms only residents see: the code of answers saved to continue later, and the messages for
codes that do not work. The answer form itself is ``app.answering.forms``."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

#: Shown when a one-time code is unknown or used.
CODE_REJECTED = _l("This code does not work. It may have been used already. Please check each letter.")

#: Shown when a code to continue saved answers is unknown or older than 30 days.
RESUME_REJECTED = _l("We found no saved answers with this code. Please check each letter. "
                     "Saved answers are kept for 30 days.")


class ResumeForm(FlaskForm):
    """The code of saved answers, typed on another device."""

    class Meta:
        csrf_time_limit = None

    code = StringField(_l("Your code (8 letters and digits)"),
                       validators=[DataRequired(_l("Please type your code.")), Length(max=20)])
