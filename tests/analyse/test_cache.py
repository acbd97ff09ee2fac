"""Results kept between requests (``app/results/cache.py``) are always the results worked out
afresh: when nothing changed, after new responses (counted on top), after a deletion whose
ids are taken again, after a response with a lower id was committed late, after coding."""
import pytest
from flask import current_app
from sqlalchemy import select

from app.analyse.coding import create_category, set_answer_categories
from app.db import db
from app.domain.aggregation import counts_total
from app.maintenance import delete_responses
from app.models import Answer, Question, Response
from app.results import cache, queries
from app.results.queries import survey_results
from tests.analyse.test_results import add_responses


@pytest.fixture
def counted(monkeypatch):
    """How many responses each counting of answers covered, in order."""
    covered = []
    count_answers = queries.count_answers

    def recording(survey, only=None):
        counts = count_answers(survey, only)
        covered.append(counts_total(counts.responses))
        return counts

    monkeypatch.setattr(queries, "count_answers", recording)
    return covered


def fresh(survey):
    """The results worked out with nothing kept."""
    current_app.extensions.pop("quartiersstimme_results", None)
    return survey_results(survey)


def city(results, code="living_satisfaction"):
    """A question's published city figures: base and option counts (None where not shown)."""
    area = next(q for q in results.questions if q.question.code == code).areas[("city", "")]
    return {"base": None if area.base.hidden else area.base.count,
            **{option: None if fig.hidden else fig.count for option, fig in area.options.items()}}


def counted_city(survey, code="living_satisfaction"):
    """A question's true city counts as the kept counts hold them (before publication): what
    the cache must get right; that the published figures follow is ``kept == fresh(…)``."""
    counts = queries.survey_counts(survey)
    found = {"base": sum(n for (c, _), n in counts.answered.items() if c == code)}
    for (c, _, option), n in counts.options.items():
        if c == code:
            found[option] = found.get(option, 0) + n
    return found


def test_unchanged_responses_are_counted_once(placement, today, counted):
    add_responses(placement, today, [{"living_satisfaction": "4"}] * 6)
    first = survey_results(placement.survey)
    again = survey_results(placement.survey)
    assert again is first and counted == [6]
    assert counted_city(placement.survey)["4"] == 6


def test_new_responses_are_counted_on_top(placement, today, counted):
    add_responses(placement, today, [{"living_satisfaction": "4"}] * 6)
    survey_results(placement.survey)
    add_responses(placement, today, [{"living_satisfaction": "2"}] * 5)
    kept = survey_results(placement.survey)
    assert counted == [6, 5]  # only the five new ones were read
    assert counted_city(placement.survey) == {**counted_city(placement.survey), "base": 11, "4": 6, "2": 5}
    assert kept == fresh(placement.survey)


def stored_rows(response):
    """A response's columns and its answers' parts, to store it again."""
    columns = {column: getattr(response, column) for column in
               ("id", "survey_version_id", "placement_id", "meeting_place_id", "quarter_id", "quarter_source",
                "channel", "language", "submitted_on", "record_key")}
    return columns, [(a.question_id, a.option_code, a.number, a.text) for a in response.answers]


def test_a_deletion_is_never_hidden_by_ids_taken_again(placement, today, counted):
    """SQLite gives the highest id again once it is deleted: six new responses after a deletion can
    have the same ids (and number) as the six deleted ones. Stored so here on every database."""
    survey = placement.survey
    add_responses(placement, today, [{"living_satisfaction": "4"}] * 6)
    before = survey_results(survey)
    old = [stored_rows(response) for response in db.session.scalars(select(Response).order_by(Response.id))]
    delete_responses(survey, "test")
    db.session.commit()
    for columns, parts in old:  # the same ids (and record keys), other answers
        db.session.add(Response(**columns, answers=[Answer(question_id=q, option_code="1" if o == "4" else o,
                                                           number=1.0 if o == "4" else n, text=t)
                                                    for q, o, n, t in parts]))
    db.session.commit()
    after = survey_results(survey)
    assert counted == [6, 6] and survey.deletions == 1  # the same mark but for the deletion: counted afresh
    assert city(before)["4"] != city(after)["4"] or city(after)["4"] is None  # nobody says 4 any more
    assert counted_city(survey)["1"] == 6 and "4" not in counted_city(survey)
    assert after == fresh(survey)


def test_a_response_committed_late_under_a_lower_id_is_counted(placement, today, counted):
    """Two residents send at once; the one with the lower id commits last. When the results were
    worked out in between, the late one waits for the next release and is counted then, on top
    of what was kept: releases, not response ids, mark what the kept counts hold."""
    survey = placement.survey
    add_responses(placement, today, [{"living_satisfaction": "4"}] * 6)
    survey_results(survey)
    add_responses(placement, today, [{"living_satisfaction": "3"}, {"living_satisfaction": "5"}])
    late = db.session.scalar(select(Response).order_by(Response.id.desc()).offset(1))
    stored, parts = stored_rows(late)
    db.session.delete(late)  # not committed yet, as far as anyone else can see
    db.session.commit()
    survey_results(survey)
    assert counted_city(survey)["5"] == 1 and counted == [6, 1]  # 7 responses: "5" is 1
    db.session.add(Response(**stored, answers=[Answer(question_id=q, option_code=o, number=n, text=t)
                                               for q, o, n, t in parts]))
    db.session.commit()
    add_responses(placement, today, [{"living_satisfaction": "5"}])  # and one more arrives
    kept = survey_results(survey)
    assert counted == [6, 1, 2]  # the late one and the new one came with the next release
    assert counted_city(survey)["base"] == 9 and counted_city(survey)["5"] == 2
    assert kept == fresh(survey)


def test_coding_shows_at_once(placement, today):
    survey = placement.survey
    add_responses(placement, today, [{"change_wishes": "Mehr Bänke"}] * 6)
    assert "benches" not in city(survey_results(survey), "change_wishes")
    create_category(survey, "benches", {"de": "Bänke"})
    answers = db.session.scalars(select(Answer).join(Question).where(Question.code == "change_wishes")).all()
    for answer in answers:
        set_answer_categories(survey, answer, ["benches"])
    db.session.commit()
    assert counted_city(survey, "change_wishes")["benches"] == 6
    set_answer_categories(survey, answers[0], [])
    db.session.commit()
    assert counted_city(survey, "change_wishes")["benches"] == 5
    assert survey_results(survey) == fresh(survey)


def test_each_app_keeps_its_own(app, placement, today):
    add_responses(placement, today, [{"living_satisfaction": "4"}] * 6)
    survey_results(placement.survey)
    assert list(app.extensions["quartiersstimme_results"]) == [placement.survey.id]
    assert cache.current_mark(placement.survey) == cache.Mark(0, 1, 6)  # release 1 holds all six
