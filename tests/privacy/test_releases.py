"""Time: figures change in daily releases, a quarter's only once k answers wait there, so that
comparing what was published before and after someone answered gives nothing away.

The attack this guards against (issue 14): before releases, the results page, the API and every
export changed with each response, and a snapshot before and after one kiosk submission gave
all of that resident's answers (42, 4, option c, w3). Here the same comparison finds every page
byte for byte the same, on the same day and on the next.
"""
import json
import re
from datetime import date, timedelta

import pytest
from flask_migrate import downgrade, stamp, upgrade
from sqlalchemy import func, inspect, select

from app.db import db
from app.models import Release, Response
from app.results import releases
from app.results.queries import survey_results
from tests.analyse.test_results import add_responses
from tests.conftest import hidden_fields
from tests.figures import K

pytestmark = pytest.mark.daily_releases

SURVEY = "quarter-needs"
DAY = date(2026, 12, 8)


@pytest.fixture
def clock(monkeypatch):
    """The day the releases see (``releases.date.today()``); tests move it on."""

    class Clock:
        day = DAY

    class Today(date):
        @classmethod
        def today(cls):
            return Clock.day

    monkeypatch.setattr(releases, "date", Today)
    return Clock


def ordinary(n: int, **extra) -> list[dict]:
    return [{"living_satisfaction": "4", "help_nearby": "yes", "minutes_to_stop": "7",
             "change_wishes": f"Mehr Bänke {i}", "age_band": "age_30_44", **extra} for i in range(n)]


#: What one resident answered at the kiosk: everything the attacker wants to learn.
LONE = {"living_satisfaction": "1", "help_nearby": "no", "minutes_to_stop": "42",
        "change_wishes": "Ein Platz im Frauenhaus", "home_quarter": "214", "age_band": "age_80_plus"}


def published_paths(consultation_code: str) -> list[str]:
    return [f"/results/{SURVEY}", f"/results/{SURVEY}/aggregates.csv",
            f"/results/{SURVEY}/responses.csv", f"/results/{SURVEY}/export.json",
            f"/results/{SURVEY}/profile/214", f"/results/{SURVEY}/texts",
            f"/results/{SURVEY}/texts/change_wishes", f"/results/{SURVEY}/texts/change_wishes?area=quarter:214",
            f"/results/{SURVEY}/compare", f"/results/{SURVEY}/map",
            f"/results/{SURVEY}/crosstab?rows=help_nearby&columns=age_band&area=district:06",
            f"/manage/surveys/{SURVEY}/monitor", f"/manage/surveys/{SURVEY}", f"/r/{consultation_code}",
            f"/r/{consultation_code}/214"]


def comparable(path: str, text: str) -> str:
    """A page without what changes on every request: CSRF tokens, and the order and numbers of
    the anonymous response table's rows (written in a random order each time)."""
    text = re.sub(r"<input[^>]*csrf_token[^>]*>", "", text)
    if path.endswith("responses.csv"):
        head, *rows = text.splitlines()
        return "\n".join([head, *sorted(row.split(",", 1)[1] for row in rows)])
    if path.endswith(".json"):
        document = json.loads(text)
        document["responses"] = sorted(json.dumps({**row, "response": None}, sort_keys=True)
                                       for row in document.get("responses", []))
        return json.dumps(document, sort_keys=True)
    return text


def snapshot(clients: dict, paths: list[str], api: tuple) -> dict[str, str]:
    """Every published page, export and the API as the staff and the public see them now."""
    pages = {}
    for path in paths:
        client = clients["public"] if path.startswith("/r/") else clients["staff"]
        page = client.get(path)
        assert page.status_code == 200, path
        pages[path] = comparable(path, page.get_data(as_text=True))
    client, token = api
    pages["api"] = client.get(f"/api/v1/surveys/{SURVEY}/aggregates",
                              headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True)
    return pages


@pytest.fixture
def watcher(app, login, placement, clock):
    """Someone allowed to see every figure (a coordinator and planner, an API client and the
    public page), on a survey whose first release (today) holds yesterday's answers: 3k in 126
    and 2k in 214."""
    add_responses(placement, DAY - timedelta(days=1), ordinary(3 * K) + ordinary(2 * K, home_quarter="214"))
    coordinator = login("admin")
    consultation = placement.survey.consultation
    page = coordinator.get(f"/r/manage/{consultation.id}")
    assert coordinator.post(f"/r/manage/{consultation.id}", data={
        **hidden_fields(page.get_data(as_text=True)), "results_public": "y"}).status_code == 302
    form = hidden_fields(coordinator.get("/results/api-tokens").get_data(as_text=True))
    answer = coordinator.post("/results/api-tokens", data={**form, "label": "Warehouse"}).get_data(as_text=True)
    token = answer.split("<code>")[1].split("</code>")[0]
    clients = {"staff": coordinator, "public": app.test_client()}
    paths = published_paths(consultation.code)
    return lambda: snapshot(clients, paths, (coordinator, token))


def differing(before: dict, after: dict) -> list[str]:
    return [path for path in before if before[path] != after[path]]


def test_one_submission_between_two_snapshots_changes_nothing_that_is_published(watcher, placement, clock):
    before = watcher()
    assert "Mehr Bänke 0" in before[f"/results/{SURVEY}/texts/change_wishes"]  # the lists are really read
    assert "<table" in before[f"/results/{SURVEY}/crosstab?rows=help_nearby&columns=age_band&area=district:06"]
    add_responses(placement, DAY, [LONE])  # someone the attacker saw at the kiosk
    assert differing(before, watcher()) == []
    clock.day = DAY + timedelta(days=1)  # the next day: still alone in 214, so still waiting
    after = watcher()
    assert differing(before, after) == []
    assert all("Frauenhaus" not in page for page in after.values())
    assert db.session.scalar(select(func.count()).where(Response.release_id.is_(None))) == 1


def test_a_quarter_changes_only_when_k_answers_came_in_and_a_new_day_began(watcher, placement, clock):
    before = watcher()
    add_responses(placement, DAY, [LONE] + ordinary(K - 2, home_quarter="214"))  # k − 1 waiting
    clock.day = DAY + timedelta(days=1)
    assert differing(before, watcher()) == []
    add_responses(placement, clock.day, ordinary(1, home_quarter="214"))  # the k-th: in tomorrow's release
    assert differing(before, watcher()) == []
    clock.day = DAY + timedelta(days=2)
    after = watcher()
    changed = differing(before, after)
    assert f"/results/{SURVEY}/texts/change_wishes?area=quarter:214" in changed and "api" in changed
    assert "Ein Platz im Frauenhaus" in after[f"/results/{SURVEY}/texts/change_wishes?area=quarter:214"]
    assert "Stand der Zahlen: 08.12.2026." in before[f"/results/{SURVEY}"]  # the page says how new it is
    assert "Stand der Zahlen: 10.12.2026." in after[f"/results/{SURVEY}"]
    assert "höchstens einmal am Tag" in after[f"/r/{placement.survey.consultation.code}"]
    latest = releases.latest(placement.survey)
    assert latest.number == 2 and latest.released_on == DAY + timedelta(days=2) and not latest.final
    base = survey_results(placement.survey).questions[0].areas[("quarter", "214")].base
    assert base.shown is not None and abs(base.shown - 3 * K) <= 3  # 2k + k, perturbed


def test_a_release_takes_in_only_the_quarters_where_k_answers_wait(app, placement):
    survey = placement.survey
    add_responses(placement, DAY, ordinary(K) + ordinary(K - 1, home_quarter="214")
                  + ordinary(2, home_quarter="elsewhere"))
    assert releases.release(survey, DAY) is None  # nothing given before the day
    made = releases.release(survey, DAY + timedelta(days=1))
    assert made.number == 1 and not made.final
    waiting = releases.waiting_by_quarter(survey)
    assert sorted(waiting.values()) == [2, K - 1] and len(waiting) == 2  # 214 and "no quarter" wait
    add_responses(placement, DAY, ordinary(1, home_quarter="214"))  # typed in late, from a paper form
    assert releases.release(survey, DAY + timedelta(days=1)) is None  # one release a day
    assert releases.release(survey, DAY + timedelta(days=2)).number == 2
    assert list(releases.waiting_by_quarter(survey).values()) == [2]  # the two without a quarter


def test_the_last_release_after_the_survey_ended_takes_in_everything(app, placement):
    survey = placement.survey
    add_responses(placement, DAY, ordinary(K) + ordinary(1, home_quarter="214"))
    releases.release(survey, DAY + timedelta(days=1))
    survey.consultation.closes_on = DAY + timedelta(days=3)
    db.session.commit()
    assert releases.release(survey, DAY + timedelta(days=2)) is None  # 214 waits for k
    final = releases.release(survey, DAY + timedelta(days=4))
    assert final.final and final.number == 2 and releases.waiting_by_quarter(survey) == {}


def test_two_processes_releasing_at_once_release_once(app, placement, monkeypatch):
    survey = placement.survey
    add_responses(placement, DAY, ordinary(K))
    releases.release(survey, DAY + timedelta(days=1))
    add_responses(placement, DAY + timedelta(days=1), ordinary(K))
    monkeypatch.setattr(releases, "latest", lambda survey: None)  # what the slower one had read
    assert releases.release(survey, DAY + timedelta(days=1)) is None  # number 1 is taken: nothing done
    monkeypatch.undo()
    assert releases.latest(survey).number == 1 and sum(releases.waiting_by_quarter(survey).values()) == K


def test_reading_figures_with_changes_of_ones_own_pending_does_not_release(app, placement, clock):
    survey = placement.survey
    add_responses(placement, DAY - timedelta(days=1), ordinary(K))
    survey.consultation.title = dict(survey.consultation.title or {}) | {"de": "geändert"}
    releases.ensure(survey)  # the caller's change is not committed here as a side effect
    assert releases.latest(survey) is None
    db.session.flush()  # flushed is not committed either
    releases.ensure(survey)
    assert releases.latest(survey) is None
    db.session.rollback()
    assert survey.consultation.title.get("de") != "geändert"
    releases.ensure(survey)
    assert releases.latest(survey).number == 1


def test_the_command_line_releases_what_is_due(app, placement, today):
    add_responses(placement, today - timedelta(days=1), ordinary(K))
    add_responses(placement, today, ordinary(K))  # today's wait for tomorrow
    runner = app.test_cli_runner()
    first = runner.invoke(args=["release-results"])
    assert first.exit_code == 0 and f"{SURVEY}: release of {date.today().isoformat()}" in first.output
    second = runner.invoke(args=["release-results"])
    assert second.exit_code == 0 and "No survey had a release due." in second.output


def test_responses_stored_before_releases_existed_stay_published(app, placement, today):
    add_responses(placement, today, ordinary(K + 2))
    ids = sorted(db.session.scalars(select(Response.id)))
    db.session.remove()
    directory = app.config["MIGRATIONS_DIR"]
    stamp(directory=directory)
    downgrade(directory=directory, revision="e5c1a7d3b9f2")
    assert "releases" not in inspect(db.engine).get_table_names()
    upgrade(directory=directory)
    released = db.session.execute(select(Response.id, Response.release_id)).all()
    assert sorted(i for i, _ in released) == ids
    (only,) = db.session.scalars(select(Release)).all()
    assert {r for _, r in released} == {only.id} and only.number == 1 and only.released_on == date.today()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def test_a_page_says_plainly_when_nothing_is_published_yet(login, placement, clock):
    add_responses(placement, DAY, ordinary(K))  # today's: tomorrow's release
    planner = login("planner")
    page = planner.get(f"/results/{SURVEY}?lang=en").get_data(as_text=True)
    assert "No answers have been published yet." in page and "at least 5 new answers" in page
    clock.day = DAY + timedelta(days=1)
    page = planner.get(f"/results/{SURVEY}?lang=ar").get_data(as_text=True)
    assert "الأرقام حتى تاريخ" in page and "لم تُنشر" not in page
