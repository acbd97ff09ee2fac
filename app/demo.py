"""Demo data for ``make run``: Stuttgart, the two shipped surveys at meeting places, a coordinator
and a few hundred invented answers. Loading twice changes nothing."""
from __future__ import annotations

import random
import secrets
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app import accounts
from app.answering.operations import submit_response
from app.config import PROJECT_ROOT
from app.db import db
from app.domain import surveyfile
from app.domain.answers import option_codes, parse
from app.manage import operations
from app.models import MeetingPlace, Quarter, Response, Survey, User
from app.results import releases

DEMO_EMAIL = "koordination@quartiersstimme.example"
DEMO_PASSWORD = "demo-quartier-2026"

#: (name, kind, quarter code) — invented places in real quarters.
DEMO_PLACES = [
    ("Stadtteilhaus Nordbahnhof (Demo)", "community_centre", "126"),
    ("Familienzentrum Am Rosensteinpark (Demo)", "family_centre", "128"),
    ("Begegnungsstätte Hallschlag (Demo)", "senior_meeting_point", "214"),
    ("Stadtteilbibliothek Hallschlag (Demo)", "library", "214"),
    ("Moscheegemeinde Nordbahnhof (Demo)", "religious_community", "126"),
    ("Sportverein Auf der Prag (Demo)", "sports_club", "129"),
]
#: Quarters of the demo consultation: Nord (02) and the north of Bad Cannstatt (211–215).
DEMO_QUARTERS = ["121", "122", "123", "124", "125", "126", "127", "128", "129", "211", "212", "213", "214", "215"]


#: How often each language answers in the demo data (a rough Stuttgart mix; others: 1).
DEMO_LANGUAGE_WEIGHTS = {"de": 55, "tr": 12, "ar": 8, "uk": 5, "de-x-ls": 4, "ru": 4, "en": 3, "fa": 3}


def load_demo(responses: int = 400, seed: int = 2026) -> str:
    """Load the demo once and return what a person needs to try it (login and URLs)."""
    csv_text = (PROJECT_ROOT / "app" / "data" / "stuttgart_quarters.csv").read_text(encoding="utf-8")
    city = operations.load_areas("stuttgart", "Stuttgart", csv_text,
                                 "Landeshauptstadt Stuttgart, Statistisches Amt, Kleinräumige Gliederung").city
    quarters = {q.code: q for q in db.session.scalars(select(Quarter).where(Quarter.city_id == city.id))}
    surveys = {}
    for name in ("quarter-needs", "meeting-place"):
        defn = surveyfile.load((Path(current_app.config["SURVEY_DIR"]) / f"{name}.yaml").read_text(encoding="utf-8"))
        survey = Survey.by_code(defn.code)
        if survey is None:
            operations.import_survey(defn, city)
            survey = Survey.by_code(defn.code)
            if name == "quarter-needs":
                survey.consultation.quarters = [quarters[c] for c in DEMO_QUARTERS if c in quarters]
            operations.set_status(survey.consultation, "open")
        surveys[name] = survey
    places = []
    for place_name, kind, quarter_code in DEMO_PLACES:
        place = db.session.scalar(select(MeetingPlace).where(MeetingPlace.name == place_name))
        if place is None:
            place = operations.create_meeting_place(place_name, kind, quarters[quarter_code])
        places.append(place)
    placements = [operations.place_survey(surveys["quarter-needs"], place) for place in places]
    operations.place_survey(surveys["meeting-place"], places[0])
    if db.session.scalar(select(User).where(User.email == DEMO_EMAIL)) is None:
        accounts.create_user(DEMO_EMAIL, DEMO_PASSWORD, "coordinator", "Demo-Koordination")
    db.session.commit()
    survey = surveys["quarter-needs"]
    existing = db.session.scalar(select(func.count(Response.id)).where(
        Response.survey_version_id == survey.current_version.id))
    if not existing:
        add_sample_responses(survey, placements, responses, seed)
        releases.release(survey, date.today(), everything=True)  # invented answers: no one to protect
    return (f"Demo coordinator: {DEMO_EMAIL} / {DEMO_PASSWORD}\n"
            f"Demo survey: /{placements[0].token}")


def add_sample_responses(survey: Survey, placements, count: int, seed: int) -> None:
    """Invent ``count`` plausible answers (seeded, so every demo looks the same)."""
    from app.models.surveys import version_definition
    rng = random.Random(seed)
    version = survey.current_version
    defn = version_definition(version)
    quarter_codes = DEMO_QUARTERS
    today = date.today()
    weights = [40, 15, 20, 10, 10, 5]
    for _ in range(count):
        placement = rng.choices(placements, weights=weights[:len(placements)])[0]
        language = rng.choices(survey.languages,
                               weights=[DEMO_LANGUAGE_WEIGHTS.get(code, 1) for code in survey.languages])[0]
        answers = {}
        for question in defn.questions:
            if not question.required and rng.random() < 0.15:
                continue
            codes = option_codes(question, quarter_codes)
            if question.type in ("single_choice", "yes_no", "scale", "quarter"):
                raw = [rng.choice(codes)]
            elif question.type in ("multiple_choice", "priority"):
                picks = question.settings.get("max_picks", len(codes))
                raw = rng.sample(codes, rng.randint(1, min(3, picks)))
            elif question.type == "number":
                low, high = question.settings.get("min", 0), question.settings.get("max", 30)
                raw = [str(rng.randint(low, min(high, low + 20)))]
            else:
                continue  # no invented free text
            parsed = parse(question, raw, quarter_codes)
            if not parsed.error:
                answers[question.code] = parsed.parts
        submit_response(version, answers, language=language,
                        channel=rng.choices(["web", "paper", "kiosk", "assisted"], [70, 20, 5, 5])[0],
                        submission_key=secrets.token_urlsafe(16),
                        today=today - timedelta(days=rng.randint(0, 20)), placement=placement)
