"""Counts and results of surveys, kept between requests in each worker process.

Working out a survey's results reads every answer (``GROUP BY`` over all of them) and then
suppresses tens of thousands of cells; with a city's 100,000 responses that takes seconds, on
every results page, map, comparison and export. Yet the counts change in only two ways:
a release takes in responses (release ids only grow, ``app.results.releases``), or a survey's
responses are deleted (which raises ``Survey.deletions``). So each process keeps, per survey,
the answer counts up to the latest release it has seen, with the number of responses they hold,
and:

- when the survey still has exactly those responses, reuses the counts and the results;
- when releases came since, counts only the responses they took in and adds them;
- after a deletion, or when the numbers do not add up, counts everything afresh.

The planners' categories of text answers are not kept: they are counted on every call (a small
table) and compared, so a change of coding shows at once. Nothing here is shared between
processes or written anywhere; a new worker starts empty. Each app has its own store.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Hashable, TypeVar

from flask import current_app
from sqlalchemy import func, select

from app.db import db
from app.domain.aggregation import Counts, add, counts_total
from app.models import Response, Survey, SurveyVersion

#: Surveys kept per process; the least recently used one is dropped first. A city-wide survey
#: with 100,000 responses keeps about 40 MB (counts and one set of results) in each worker.
KEPT_SURVEYS = 4
#: Figures worked out from the counts kept per survey (results for a k, the places, …).
KEPT_DERIVED = 6
#: Marks a value not kept (``None`` may be a kept value).
_MISSING = object()
T = TypeVar("T")

_lock = threading.Lock()


@dataclass(frozen=True)
class Mark:
    """What the kept counts hold: the survey's deletion count, its latest release's id and the
    number of released responses counted."""

    deletions: int
    upto: int
    responses: int


@dataclass
class _Kept:
    mark: Mark
    counts: Counts
    derived: OrderedDict = field(default_factory=OrderedDict)


def _store() -> OrderedDict:
    return current_app.extensions.setdefault("quartiersstimme_results", OrderedDict())


def current_mark(survey: Survey) -> Mark:
    """The survey's released responses now: one query on the responses' indexes."""
    count, upto = db.session.execute(
        select(func.count(Response.id), func.coalesce(func.max(Response.release_id), 0))
        .join(SurveyVersion, SurveyVersion.id == Response.survey_version_id)
        .where(SurveyVersion.survey_id == survey.id, Response.release_id.is_not(None))).one()
    return Mark(survey.deletions or 0, upto, count)


def answer_counts(survey: Survey, count: Callable[[object], Counts]) -> tuple[Counts, Mark]:
    """The counts of every released response of ``survey`` and their mark. ``count(condition)``
    counts the released responses that meet a condition on ``Response`` (without categories)."""
    mark = current_mark(survey)
    with _lock:
        kept = _store().get(survey.id)
    if kept is not None and kept.mark == mark:
        _touch(survey.id)
        return kept.counts, mark
    counts = None
    if kept is not None and kept.mark.deletions == mark.deletions and kept.mark.upto < mark.upto:
        more = count((Response.release_id > kept.mark.upto) & (Response.release_id <= mark.upto))
        if kept.mark.responses + counts_total(more.responses) == mark.responses:
            counts = add(kept.counts, more)
    if counts is None:
        counts = count(Response.release_id <= mark.upto)
        if counts_total(counts.responses) != mark.responses:
            return counts, mark  # changed while counting: correct now, but not worth keeping
    with _lock:
        store = _store()
        store[survey.id] = _Kept(mark, counts)
        store.move_to_end(survey.id)
        while len(store) > KEPT_SURVEYS:
            store.popitem(last=False)
    return counts, mark


def remember(survey: Survey, mark: Mark, key: Hashable, compute: Callable[[], T]) -> T:
    """What ``compute`` works out from the survey's responses as ``mark`` describes them (results,
    the meeting places answered at, …); ``key`` names it and everything else it depends on. Kept
    until the responses change. Callers must not change what they get."""
    with _lock:
        kept = _store().get(survey.id)
        found = kept.derived.get(key, _MISSING) if kept is not None and kept.mark == mark else _MISSING
    if found is not _MISSING:
        return found
    computed = compute()
    with _lock:
        kept = _store().get(survey.id)
        if kept is not None and kept.mark == mark:
            kept.derived[key] = computed
            while len(kept.derived) > KEPT_DERIVED:
                kept.derived.popitem(last=False)
    return computed


def _touch(survey_id: int) -> None:
    with _lock:
        store = _store()
        if survey_id in store:
            store.move_to_end(survey_id)
