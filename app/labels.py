"""Interface words that name fixed things: option codes the product adds, channels, place kinds.

Lazy strings, so each is translated when it is shown, in the language of that moment.
"""
from flask_babel import lazy_gettext as _l

from app.domain.definition import ELSEWHERE, NO, PREFER_NOT, YES

FIXED_OPTION_LABELS = {
    YES: _l("Yes"),
    NO: _l("No"),
    ELSEWHERE: _l("Somewhere else"),
    PREFER_NOT: _l("I prefer not to say"),
}

CHANNEL_LABELS = {
    "web": _l("Online"),
    "paper": _l("Paper form"),
    "kiosk": _l("Tablet on site"),
    "assisted": _l("With help from staff"),
}

PLACE_KIND_LABELS = {
    "community_centre": _l("Community centre"),
    "family_centre": _l("Family centre"),
    "senior_meeting_point": _l("Senior meeting point"),
    "library": _l("Library"),
    "school": _l("School"),
    "religious_community": _l("Religious community"),
    "sports_club": _l("Sports club"),
    "other": _l("Other place"),
}

STATUS_LABELS = {
    "draft": _l("Draft"),
    "open": _l("Open"),
    "closed": _l("Closed"),
}

ROLE_LABELS = {
    "admin": _l("Admin"),
    "coordinator": _l("Coordinator"),
    "planner": _l("Planner"),
}

PLACEMENT_MODE_LABELS = {
    "web": _l("Poster with QR code (own phone)"),
    "kiosk": _l("Tablet on site (kiosk: fresh start after every answer)"),
}

QUESTION_TYPE_LABELS = {
    "single_choice": _l("One answer from a list"),
    "multiple_choice": _l("Several answers from a list"),
    "priority": _l("Up to N answers from a list (priorities)"),
    "scale": _l("Scale, e.g. 1 to 5"),
    "number": _l("Whole number"),
    "short_text": _l("Short text"),
    "long_text": _l("Longer text"),
    "yes_no": _l("Yes or no"),
    "quarter": _l("Which quarter do you live in?"),
}
