"""Reading a survey file — our YAML format or an XLSForm from KoboToolbox/ODK — into a survey
definition, for the coordinators' upload and for ``flask survey import``."""
from __future__ import annotations

from flask_babel import gettext

from app.domain import surveyfile, xlsform
from app.domain.definition import DefinitionError
from app.i18n import force_language, ui_languages


def other_option_label(language: str) -> str:
    """The label of the "other" choice that an XLSForm's ``or_other`` adds, from the interface
    catalog in ``language``; ``""`` for a language the interface does not speak (the translation
    page then lists it as missing)."""
    if language not in ui_languages():
        return ""
    with force_language(language):
        # Translators: an answer option that XLSForm's "or_other" adds to a choice question;
        # residents who choose it write their own answer in a text field right under it.
        return gettext("Other")


def read_survey_file(filename: str, data: bytes):
    """A survey definition from an uploaded file (YAML or XLSForm) and the rows it skipped."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        result = xlsform.from_xlsform(data, other_label=other_option_label)
        return result.definition, result.skipped
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DefinitionError(["the file is not UTF-8 text, nor an .xlsx file"]) from None
    return surveyfile.load(text), []
