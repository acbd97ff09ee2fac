"""The counts behind every results page: one pass over the answers gives what three separate
``GROUP BY`` queries gave (options, numbers, and how many answered each question)."""
from sqlalchemy import distinct, func, select

from app.db import db
from app.demo import add_sample_responses
from app.models import Answer, Quarter, Question, Response, SurveyVersion
from app.results import releases
from app.results.queries import count_answers
from tests.analyse.test_results import add_responses


def counted_separately(survey):
    """Options, numbers and answered as three plain queries, each answered question counted by
    its distinct responses whatever its type."""
    def grouped(columns, aggregate, *where):
        return db.session.execute(
            select(Question.code, Quarter.code, *columns, aggregate).select_from(Answer)
            .join(Question, Question.id == Answer.question_id).join(Response, Response.id == Answer.response_id)
            .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
            .outerjoin(Quarter, Quarter.id == Response.quarter_id)
            .where(SurveyVersion.survey_id == survey.id, *where)
            .group_by(Question.code, Quarter.code, *columns)).all()
    options = {(c, q, o): n for c, q, o, n in grouped([Answer.option_code], func.count(),
                                                      Answer.option_code.is_not(None))}
    numbers = {(c, q, v): n for c, q, v, n in grouped([Answer.number], func.count(), Answer.number.is_not(None))}
    answered = {(c, q): n for c, q, n in grouped([], func.count(distinct(Answer.response_id)))}
    return options, numbers, answered


def test_one_pass_counts_what_three_queries_count(placement, today):
    survey = placement.survey
    add_sample_responses(survey, [placement], 120, seed=3)  # every type: choices, priorities, numbers, scales
    add_responses(placement, today, [
        {"change_wishes": "Mehr Bänke", "meeting_places": ["other"], "meeting_places-other": "Im Hof",
         "top_needs": ["green_space", "meeting_place", "doctors"], "minutes_to_stop": "12"},
        {"change_wishes": "Ein Café", "home_quarter": "elsewhere", "living_satisfaction": "2"},
    ] * 3)
    releases.ensure(survey)  # the day's release
    counts = count_answers(survey)
    options, numbers, answered = counted_separately(survey)
    assert counts.options == options and counts.numbers == numbers and counts.answered == answered
    top_needs = sum(n for (code, _), n in answered.items() if code == "top_needs")
    picks = sum(n for (code, _, _), n in options.items() if code == "top_needs")
    assert picks > top_needs > 0  # several rows per answer: counted once each
    assert answered[("change_wishes", "126")] == 3 and answered[("change_wishes", None)] == 3  # "elsewhere"
