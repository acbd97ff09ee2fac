"""Writes of the residents' side."""
from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.db import db
from app.domain.answers import Part, resident_quarter
from app.models import Answer, Placement, Quarter, Response, SubmissionReceipt, SurveyVersion


class CodeRejected(ValueError):
    """The one-time code is unknown or was used already."""


def spend_code(survey, typed_code: str) -> None:
    """Mark a one-time code as used, in the caller's transaction; raise ``CodeRejected`` if it
    is unknown or used. One UPDATE, so two people with the same code cannot both get through."""
    from sqlalchemy import update

    from app.domain import codes
    from app.models import OneTimeCode
    result = db.session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.survey_id == survey.id,
               OneTimeCode.digest == codes.digest(survey.code_salt, typed_code),
               OneTimeCode.is_used.is_(False))
        .values(is_used=True))
    if result.rowcount != 1:
        raise CodeRejected(typed_code)


def receipt_digest(survey_id: int, submission_key: str, answers: dict[str, list[Part]] | None = None) -> str:
    """The stored digest of a form's submission key and of the answers it carried (neither is
    stored itself). The same form sent twice (a double click, a retry) has the same digest; the
    same form sent again with other answers — the next person pressing Back on a kiosk or a
    shared phone — has another, and is stored as the new response it is."""
    content = sorted((code, [(p.option_code, p.number, p.text) for p in parts]) for code, parts in (answers or {}).items())
    return hashlib.sha256(f"{survey_id}:{submission_key}:{content!r}".encode()).hexdigest()


def already_stored(survey_id: int, submission_key: str, answers: dict[str, list[Part]] | None = None) -> bool:
    """Whether this form, with these answers, was stored before."""
    digest = receipt_digest(survey_id, submission_key, answers)
    return db.session.scalar(select(SubmissionReceipt.id).where(SubmissionReceipt.digest == digest)) is not None


def submit_response(version: SurveyVersion, answers: dict[str, list[Part]], *, language: str,
                    channel: str, submission_key: str, today: date,
                    placement: Placement | None = None, batch: str | None = None,
                    one_time_code: str | None = None) -> bool:
    """Store one response with all its answers exactly once, in one transaction.

    Returns True when it was stored now and False when this form (same ``submission_key``, same
    answers) had been stored before, e.g. after a double click. Commits: the response, its answers and the
    receipt are written together or not at all. Nothing identifying is stored: the day, not the
    time; no address, no browser, no cookie.
    """
    survey = version.survey
    if already_stored(survey.id, submission_key, answers):
        return False
    if survey.uses_codes:
        spend_code(survey, one_time_code or "")  # raises CodeRejected; nothing stored then
    questions = {q.code: q for q in version.questions}
    quarter_question = next((q.code for q in version.questions if q.type == "quarter"), None)
    place = placement.meeting_place if placement else None
    quarter_code, source = resident_quarter(answers, quarter_question,
                                            place.quarter.code if place else None)
    quarter = None
    if quarter_code:
        quarter = db.session.scalar(select(Quarter).where(
            Quarter.city_id == survey.consultation.city_id, Quarter.code == quarter_code))
    response = Response(
        version=version, placement_id=placement.id if placement else None,
        meeting_place_id=place.id if place else None, quarter=quarter,
        quarter_source=source if quarter or source == "answer" else None,
        channel=channel, language=language, submitted_on=today, batch=batch or None,
    )
    response.answers = [
        Answer(question_id=questions[code].id, option_code=part.option_code,
               number=part.number, text=part.text)
        for code, parts in answers.items() for part in parts
    ]
    db.session.add(response)
    if channel in ("paper", "assisted"):
        from app.audit import record
        record(f"responses.{channel}", f"survey:{survey.id}",
               f"{survey.code}: one response entered" + (f" (batch {batch})" if batch else ""))
    db.session.add(SubmissionReceipt(survey_id=survey.id, submitted_on=today,
                                     digest=receipt_digest(survey.id, submission_key, answers)))
    try:
        db.session.commit()
    except IntegrityError:  # the same form arrived twice at the same moment
        db.session.rollback()
        return False
    return True
