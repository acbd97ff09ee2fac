"""Who may do what: named predicates, apart from the views (adhocracy4's permissions.py).

Roles: an *admin* may do everything; a *coordinator* creates and runs consultations; a *planner*
reads results and exports. Coordinators and planners are scoped to the whole city or to listed
districts and quarters. A consultation is in a user's scope when all its quarters are (a
consultation for the whole city only for city-wide users); a meeting place when its quarter is.
"""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from app.models import Consultation, MeetingPlace, Survey, User

STAFF_ROLES = ("admin", "coordinator", "planner")


def is_admin(user: User) -> bool:
    """Admins manage users and areas and may do everything."""
    return user.is_authenticated and user.role == "admin"


def can_manage(user: User) -> bool:
    """May create and run consultations, places and placements (within scope)."""
    return user.is_authenticated and user.role in ("admin", "coordinator")


def can_read_results(user: User) -> bool:
    """May read results and exports (within scope)."""
    return user.is_authenticated and user.role in STAFF_ROLES


def can_manage_city(user: User) -> bool:
    """May change what belongs to the whole city (e.g. its quarter boundaries): admins, and
    coordinators without a limited scope."""
    return can_manage(user) and scope_quarter_ids(user) is None


def scope_quarter_ids(user: User) -> set[int] | None:
    """The ids of the quarters a user may see, or None for the whole city."""
    if user.role == "admin" or user.is_city_wide:
        return None
    ids = {quarter.id for quarter in user.quarters}
    for district in user.districts:
        ids |= {quarter.id for quarter in district.quarters}
    return ids


def consultation_in_scope(user: User, consultation: Consultation) -> bool:
    """Whether all quarters of ``consultation`` lie within the user's scope."""
    scope = scope_quarter_ids(user)
    if scope is None:
        return True
    quarters = {quarter.id for quarter in consultation.quarters}
    return bool(quarters) and quarters <= scope


def survey_in_scope(user: User, survey: Survey) -> bool:
    """Whether the survey's consultation is within the user's scope."""
    return consultation_in_scope(user, survey.consultation)


def can_code_texts(user: User, survey: Survey) -> bool:
    """May hide a survey's free-text answers and code them into its categories: admins,
    coordinators and planners whose scope holds the survey."""
    return can_read_results(user) and survey_in_scope(user, survey)


def place_in_scope(user: User, place: MeetingPlace) -> bool:
    """Whether a meeting place lies in a quarter of the user's scope."""
    scope = scope_quarter_ids(user)
    return scope is None or place.quarter_id in scope


def require(predicate, *args) -> None:
    """Abort with 403 unless ``predicate(current_user, *args)`` holds."""
    if not predicate(current_user, *args):
        abort(403)


def role_required(predicate):
    """View decorator: log-in required (redirect), then ``predicate(current_user)`` (else 403)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            from app.security import login_manager
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            require(predicate)
            return view(*args, **kwargs)
        return wrapped
    return decorate
