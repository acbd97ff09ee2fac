"""The coordinators' responses per placement, day and channel: published like every count (cell
key method), not shown below k, the same responses giving the same figure."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db import db
from app.domain.aggregation import DEFAULT_PERTURBATION
from app.domain.cellkey import cell_key
from app.manage.queries import placement_counts
from app.models import Response
from tests.analyse.test_results import add_responses
from tests.figures import K, plausible


@pytest.fixture
def coordinator(login):
    return login("coordinator")


def test_counts_per_placement_day_and_channel_are_published_not_raw(coordinator, placement, today):
    add_responses(placement, today - timedelta(days=1), [{"living_satisfaction": "4"}] * 14)
    add_responses(placement, today, [{"living_satisfaction": "3"}] * 2)
    counts = placement_counts(placement.survey)[placement.id]
    assert plausible(counts.total, 16) and counts.total is not None
    assert plausible(counts.by_day[today - timedelta(days=1)], 14)
    assert counts.by_day[today] is None  # two people on one day: not shown
    # One channel only: the same responses as the total, so the very same published figure —
    # the total minus a day or a channel never gives a small count.
    assert counts.by_channel == {"web": counts.total}
    assert all(n is None or n >= K for n in [counts.total, *counts.by_day.values(), *counts.by_channel.values()])
    # The total is the true 16 perturbed by its responses' record keys, not the raw count.
    keys = sum(db.session.scalars(select(Response.record_key).where(Response.placement_id == placement.id)))
    assert counts.total == DEFAULT_PERTURBATION.publish(16, cell_key(keys, keys))


def test_the_survey_page_shows_the_published_figures(coordinator, placement, today):
    add_responses(placement, today, [{"living_satisfaction": "4"}])  # one: published 0, 3 or 4
    html = coordinator.get(f"/manage/surveys/{placement.survey.code}?lang=en").get_data(as_text=True)
    assert "Responses: <span class=\"suppressed\">not shown</span>" in html
    assert ">1</td>" not in html
