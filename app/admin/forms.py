"""Forms of the admin pages."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length


class UserForm(FlaskForm):
    """A new staff account with its role and scope."""

    email = EmailField(_l("Email address"), validators=[DataRequired(_l("Please enter an email address.")),
                                                        Email(_l("Please enter a valid email address.")),
                                                        Length(max=254)])
    name = StringField(_l("Name"), validators=[Length(max=120)])
    role = SelectField(_l("Role"), choices=[("coordinator", _l("Coordinator")), ("planner", _l("Planner")),
                                            ("admin", _l("Admin"))])
    password = PasswordField(_l("First password (at least 10 characters)"),
                             validators=[DataRequired(_l("Please enter a password.")),
                                         Length(min=10, max=200, message=_l("The password needs at least 10 characters."))])
    is_city_wide = BooleanField(_l("Whole city"), default=True)
    districts = SelectMultipleField(_l("Or only these districts"), coerce=int, choices=[])
    quarters = SelectMultipleField(_l("And/or only these quarters"), coerce=int, choices=[])
