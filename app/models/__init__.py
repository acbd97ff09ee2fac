"""All models, imported here so that Alembic and the app see the whole schema."""
from app.models.accounts import User
from app.models.api import ApiToken
from app.models.areas import City, District, Quarter
from app.models.audit import AuditEntry
from app.models.coding import AnswerCoding, HiddenAnswer, TextCategory
from app.models.figures import QuarterFigure
from app.models.places import MeetingPlace, Placement
from app.models.responses import Answer, Draft, OneTimeCode, Release, Response, SubmissionReceipt
from app.models.surveys import Consultation, Option, Question, Survey, SurveyVersion

__all__ = [
    "ApiToken", "AuditEntry", "Draft", "OneTimeCode", "QuarterFigure",
    "Answer", "City", "Consultation", "District", "MeetingPlace", "Option", "Placement",
    "Quarter", "Question", "Release", "Response", "SubmissionReceipt", "Survey", "SurveyVersion", "User",
]
