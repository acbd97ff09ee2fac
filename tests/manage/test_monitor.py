"""The monitor "Who have we not heard yet?": rates per 1,000 residents, representation of groups,
small counts hidden; the reference figures it needs, loaded from CSV by upload or command line."""
import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.db import db
from app.domain.aggregation import Area, Counts
from app.domain.definition import OptionDef, QuestionDef
from app.domain.monitor import FEWER_THAN_K, LOW, build_monitor, rate_per_residents
from app.manage import monitor_views  # noqa: F401  (routes join the blueprint before any app registers it)
from app.manage.figures import load_figures, parse_number
from app.models import AuditEntry, Quarter, QuarterFigure
from tests.analyse.test_results import add_responses
from tests.conftest import hidden_fields
from tests.figures import IDENTITY

K = 5
AGE_OPTIONS = ["under_18", "age_18_29", "age_30_44", "age_45_64", "age_65_79", "age_80_plus",
               "prefer_not_to_say"]


def scene(districts, responses, figures, *, languages=None, channels=None, ages=None, **options):
    """A monitor of quarters grouped as ``{district: [quarter codes]}``, from raw counts."""
    areas = [Area("city", "", "Stadt")]
    for district, codes in districts.items():
        areas.append(Area("district", district, f"D{district}"))
        areas += [Area("quarter", code, f"Q{code}", district) for code in codes]
    counts = Counts(responses=dict(responses))
    for name, mix in (("language", languages), ("channel", channels)):
        if mix is not None:
            counts.breakdowns[name] = mix
    age_question = None
    if ages is not None:
        age_question = QuestionDef("age_band", "single_choice", options=[OptionDef(o) for o in AGE_OPTIONS])
        for quarter, answers in ages.items():
            counts.answered[("age_band", quarter)] = sum(answers.values())
            for option, n in answers.items():
                counts.options[("age_band", quarter, option)] = n
    # The monitor's own arithmetic on published figures: perturbation itself is tested elsewhere.
    return build_monitor(areas, counts, figures, K, age_question=age_question, perturbation=IDENTITY, **options)


def row(monitor, code):
    return next(r for r in monitor.quarters if r.code == code)


# --- domain ------------------------------------------------------------------------------------

def test_rate_is_responses_per_1000_residents():
    monitor = scene({"1": ["a", "b"]}, {"a": 10, "b": 50},
                    {"a": {"population": 2000}, "b": {"population": 5000}})
    assert row(monitor, "a").rate == pytest.approx(5.0)
    assert row(monitor, "b").rate == pytest.approx(10.0)
    assert monitor.average_rate == pytest.approx(60 / 7000 * 1000)
    assert monitor.with_population.shown == 60 and monitor.population == 7000
    assert rate_per_residents(3, 0) is None


def test_a_quarter_with_fewer_than_k_responses_shows_neither_count_nor_rate():
    monitor = scene({"1": ["a", "b", "c"]}, {"a": 3, "b": 40, "c": 20},
                    {code: {"population": 1000} for code in "abc"})
    small = row(monitor, "a")
    assert small.responses.hidden and small.responses.shown is None
    assert small.rate is None and small.ratio is None
    # no second quarter hidden with it: the district minus the others is noise (perturbed figures)
    assert row(monitor, "c").responses.shown == 20 and row(monitor, "c").rate == pytest.approx(20.0)
    assert row(monitor, "b").responses.shown == 40


def test_quarters_with_fewer_than_k_responses_come_first_by_population_then_low_rates():
    figures = {"z1": {"population": 3000}, "z2": {"population": 8000}, "f1": {"population": 1000},
               "f2": {"population": 6000}, "low": {"population": 10000}, "high": {"population": 5000}}
    responses = {"z1": 0, "z2": 0, "f1": 2, "f2": 4, "low": 20, "high": 100}
    districts = {"1": ["nofig", *figures]}
    monitor = scene(districts, responses, figures)
    # zero is below k too: hidden like on the results pages, never told apart from 1–4
    assert all(row(monitor, code).responses.hidden for code in ("z1", "z2", "f1", "f2"))
    listed = monitor.under_represented_quarters
    assert [r.code for r in listed] == ["z2", "f2", "z1", "f1", "low"]
    assert [r.reason for r in listed] == [FEWER_THAN_K] * 4 + [LOW]
    # the sum over quarters with residents is a sum of its own (126 per 33,000 residents here,
    # where the test's table perturbs nothing); total minus it is noise where figures are perturbed
    assert monitor.with_population.shown == 126
    average = 126 / 33000 * 1000
    assert row(monitor, "low").ratio == pytest.approx(2.0 / average)
    assert row(monitor, "high").reason == ""
    # the order among hidden quarters never depends on their hidden counts
    swapped = scene(districts, {**responses, "f1": 4, "f2": 0, "z2": 3}, figures)
    assert [r.code for r in swapped.under_represented_quarters] == ["z2", "f2", "z1", "f1", "low"]
    # without a residents figure a quarter is never ranked
    assert "nofig" not in [r.code for r in listed]
    assert [r.code for r in monitor.where_next(limit=3)[0]] == ["z2", "f2", "z1"]


def test_a_quarter_with_fewer_than_k_responses_is_listed_even_where_few_people_live():
    figures = {"tiny": {"population": 50}, "big": {"population": 10000}}
    monitor = scene({"1": ["tiny"], "2": ["big"]}, {"tiny": 4, "big": 10, None: 3}, figures)
    # tiny first whatever its size; big (10 per 10,000) is below the average of the two together
    assert [(r.code, r.reason) for r in monitor.under_represented_quarters] == [("tiny", FEWER_THAN_K), ("big", LOW)]


def test_the_sum_over_quarters_with_residents_is_hidden_when_it_would_betray_one_quarter():
    figures = {"tiny": {"population": 50}, "big": {"population": 10000}}  # "other" has no figure
    monitor = scene({"1": ["tiny", "other"], "2": ["big"]}, {"tiny": 4, "other": 30, "big": 10}, figures)
    assert row(monitor, "tiny").responses.hidden and row(monitor, "other").responses.shown == 30
    assert row(monitor, "big").responses.shown == 10
    # tiny + big is a sum of its own, published by the cell key method (exact here, where the
    # test's table perturbs nothing): the average rate of the quarters with residents
    assert monitor.with_population.shown == 14
    assert monitor.average_rate == pytest.approx(14 / 10050 * 1000)


def test_only_quarters_of_the_consultations_area_are_ranked():
    figures = {"in": {"population": 1000}, "out": {"population": 1000}}
    monitor = scene({"1": ["in", "out"]}, {"in": 0, "out": 0}, figures, scope=["in"])
    assert [r.code for r in monitor.under_represented_quarters] == ["in"]
    assert not row(monitor, "out").in_scope and monitor.population == 1000


AGE_FIGURES = {"population": 1000, "age_under_18": 150, "age_18_64": 600, "age_65_plus": 250}


def test_groups_are_compared_by_share_among_respondents_over_share_among_residents():
    figures = {"a": AGE_FIGURES, "b": AGE_FIGURES, "nofig": {"population": 1000}}
    ages = {"a": {"age_18_29": 10, "age_45_64": 10, "age_65_79": 5, "under_18": 8},
            "b": {"age_30_44": 20, "prefer_not_to_say": 30},
            "nofig": {"age_80_plus": 40}}  # no age figures there: not compared
    monitor = scene({"1": ["a", "b", "nofig"]}, {"a": 33, "b": 50, "nofig": 40}, figures, ages=ages)
    groups = {g.name: g for g in monitor.groups}
    assert monitor.group_base.shown == 53 and monitor.group_population == 2000
    assert groups["age_18_64"].respondents.share == pytest.approx(40 / 53)
    assert groups["age_18_64"].population_share == pytest.approx(0.6)
    assert groups["age_18_64"].ratio == pytest.approx(40 / 53 / 0.6)
    assert groups["age_65_plus"].ratio == pytest.approx(5 / 53 / 0.25)
    assert groups["age_under_18"].ratio == pytest.approx(8 / 53 / 0.15)
    assert [(g.name, g.reason) for g in monitor.under_represented_groups] == [("age_65_plus", LOW)]


def test_a_group_with_fewer_than_k_respondents_is_listed_without_its_share():
    answers = {"age_18_29": 30, "age_65_79": 2, "under_18": 8}
    monitor = scene({"1": ["a", "b"]}, {"a": 40, "b": 40}, {"a": AGE_FIGURES, "b": AGE_FIGURES},
                    ages={"a": answers, "b": answers})
    groups = {g.name: g for g in monitor.groups}
    old = groups["age_65_plus"]
    assert old.respondents.hidden and old.respondents.share is None and old.ratio is None
    # no second group hidden: base minus the others is a difference of perturbed sums
    assert monitor.group_base.shown == 80 and groups["age_under_18"].respondents.shown == 16
    assert groups["age_18_64"].respondents.shown == 60
    assert [(g.name, g.reason) for g in monitor.under_represented_groups] == [("age_65_plus", FEWER_THAN_K)]


def test_a_group_nobody_from_answered_comes_first_as_fewer_than_k():
    monitor = scene({"1": ["a"]}, {"a": 30}, {"a": AGE_FIGURES},
                    ages={"a": {"age_18_29": 20, "under_18": 10}})
    old = next(g for g in monitor.groups if g.name == "age_65_plus")
    # a published 0 may stand for up to D people: it is not shown, like every count below k
    assert old.respondents.hidden and old.ratio is None
    assert [(g.name, g.reason) for g in monitor.under_represented_groups] == [("age_65_plus", FEWER_THAN_K)]


def test_no_group_is_compared_when_fewer_than_k_gave_their_age():
    monitor = scene({"1": ["a"]}, {"a": 40}, {"a": AGE_FIGURES}, ages={"a": {"age_18_29": 3}})
    assert monitor.group_base.hidden
    assert all(g.respondents.hidden for g in monitor.groups)
    assert monitor.under_represented_groups == []


def test_language_mix_hides_small_counts_and_tiny_totals_entirely():
    monitor = scene({"1": ["a"]}, {"a": 20}, {}, languages={"de": 14, "tr": 3, "ar": 3}, channels={"web": 20})
    langs = {m.value: m.figure for m in monitor.languages}
    assert langs["de"].shown == 14 and langs["de"].share == pytest.approx(0.7)
    assert langs["tr"].hidden and langs["ar"].hidden
    tiny = scene({"1": ["a"]}, {"a": 3}, {}, languages={"de": 3})
    assert all(m.figure.hidden for m in tiny.languages)
    assert tiny.total.hidden and row(tiny, "a").responses.hidden


def test_languages_and_channels_nobody_used_read_not_shown_like_those_a_few_used():
    """A visible 0 beside "not shown" would say that a hidden language was used by someone."""
    monitor = build_monitor([Area("city", "", "Stadt"), Area("district", "1", "D1"), Area("quarter", "a", "Qa", "1")],
                            Counts(responses={"a": 22}, breakdowns={"language": {"de": 20, "ar": 2},
                                                                    "channel": {"web": 22}}),
                            {}, K, languages=["de", "ar", "tr"], channels=["web", "paper"], perturbation=IDENTITY)
    assert {m.value: m.figure.shown for m in monitor.languages} == {"de": 20, "ar": None, "tr": None}
    assert {m.value: m.figure.shown for m in monitor.channels} == {"web": 22, "paper": None}
    tiny = build_monitor([Area("city", "", "Stadt")], Counts(responses={None: 3}, breakdowns={"language": {"de": 3}}),
                         {}, K, languages=["de", "tr"], perturbation=IDENTITY)
    assert [m.figure.hidden for m in tiny.languages] == [True, True]  # "nobody of three answered in Turkish"


def test_foreign_share_is_context_weighted_by_residents_never_a_group():
    figures = {"a": {"population": 1000, "foreign_share": 10.0}, "b": {"population": 3000, "foreign_share": 30.0}}
    monitor = scene({"1": ["a", "b"]}, {"a": 10, "b": 10}, figures)
    assert monitor.foreign_share == pytest.approx((100 + 900) / 4000)
    assert monitor.groups == []


# --- loading figures ---------------------------------------------------------------------------

def figure(code, name="population", year=2020):
    return db.session.scalar(select(QuarterFigure.value).join(Quarter).where(
        Quarter.code == code, QuarterFigure.name == name, QuarterFigure.year == year))


def count_figures():
    return db.session.scalar(select(func.count(QuarterFigure.id)))


GOOD = ("quarter_code,quarter_name,district_code,district_name,year,reference_date,population,age_65_plus,foreign_share\n"
        "126,Nordbahnhof,02,Nord,2020,05/2020,5021,710,38.5\n"
        "214,Hallschlag,05,Bad Cannstatt,2020,05/2020,6950,,\n"
        "141,Gänsheide,03,Ost,,,,,\n")


def test_a_good_file_is_loaded_with_empty_cells_skipped(stuttgart):
    rows, problems = load_figures(GOOD, "Statistisches Amt")
    assert (rows, problems) == (2, [])
    db.session.commit()
    assert figure("126") == 5021 and figure("126", "age_65_plus") == 710 and figure("126", "foreign_share") == 38.5
    assert figure("214") == 6950 and figure("214", "age_65_plus") is None
    assert figure("141") is None
    assert count_figures() == 4
    stored = db.session.scalar(select(QuarterFigure).where(QuarterFigure.value == 6950))
    assert stored.source == "Statistisches Amt · 05/2020"


def test_loading_the_same_year_again_updates_the_figures(stuttgart):
    load_figures(GOOD, "x")
    db.session.commit()
    rows, problems = load_figures("quarter_code,year,population\n126,2020,5100\n126,2021,5200\n".replace(
        "126,2021", "214,2021"), "y")
    db.session.commit()
    assert problems == [] and figure("126") == 5100 and figure("214", year=2021) == 5200
    assert count_figures() == 5


def test_a_file_with_an_unknown_quarter_and_a_word_for_a_number_stores_nothing(stuttgart):
    text = ("quarter_code,year,population\n"
            "126,2020,5021\n"
            "999,2020,100\n"
            "\n"
            "214,2020,about 7000\n")
    rows, problems = load_figures(text, "x")
    assert rows == 0
    assert [(p.line, p.kind) for p in problems] == [(3, "unknown_quarter"), (5, "not_a_number")]
    with force_locale("en"):
        messages = [str(p) for p in problems]
    assert messages[0] == "Line 3: there is no quarter with the code 999."
    assert messages[1].startswith("Line 5, column population: “about 7000” is not a number.")
    db.session.commit()
    assert count_figures() == 0


def test_a_file_needs_a_quarter_code_column_and_a_year(stuttgart):
    assert [p.kind for p in load_figures("code,population\n126,5\n", "")[1]] == ["missing_column"]
    assert [(p.line, p.kind) for p in load_figures("quarter_code,population\n126,5\n", "")[1]] == [(2, "no_year")]
    assert [(p.line, p.kind) for p in load_figures(
        "quarter_code,year,foreign_share\n126,2020,140\n", "")[1]] == [(2, "percent")]


def test_lines_that_end_with_a_lone_carriage_return_are_read_as_lines(stuttgart):
    """Old Mac line ends; found by fuzzing, where a lone ``\\r`` in the header gave a 500."""
    rows, problems = load_figures("quarter_code,year,population\r126,2020,5021\r214,2020,6950\r", "x")
    assert (rows, problems) == (2, [])
    assert figure("126") == 5021 and figure("214") == 6950


@pytest.fixture
def csv_default_limit():
    """The csv module's default cell limit (131,072 characters), as in the app: the limit is
    global, and a library the tests use (frictionless) raises it when it is imported."""
    import csv
    before = csv.field_size_limit(131_072)
    yield
    csv.field_size_limit(before)


@pytest.mark.parametrize("text, line", [
    ("quarter_code,year,population\n126,2020," + "9" * 200_000 + "\n", 2),  # a cell over the csv module's limit
    ("quarter_code," + "x" * 200_000 + "\n126,2020\n", 1),
])
def test_a_line_the_csv_module_cannot_read_is_named_and_nothing_is_stored(stuttgart, csv_default_limit, text, line):
    rows, problems = load_figures(text, "x")
    assert rows == 0 and [(p.line, p.kind) for p in problems] == [(line, "unreadable")]
    with force_locale("en"):
        assert str(problems[0]).startswith(f"Line {line} cannot be read as a table.")
    assert count_figures() == 0


def test_a_coordinator_of_some_quarters_may_load_figures_only_for_those(stuttgart):
    nordbahnhof = db.session.scalar(select(Quarter.id).where(Quarter.code == "126"))
    rows, problems = load_figures("quarter_code,year,population\n126,2020,5021\n214,2020,6950\n", "x",
                                  allowed_quarter_ids={nordbahnhof})
    assert rows == 0 and [(p.line, p.kind, p.value) for p in problems] == [(3, "out_of_scope", "214")]
    assert count_figures() == 0


def test_german_excel_files_use_semicolons_decimal_commas_and_thousands_dots(stuttgart):
    rows, problems = load_figures("quarter_code;year;population;foreign_share\n126;2020;5.021;38,5 %\n", "x")
    assert (rows, problems) == (1, [])
    assert figure("126") == 5021 and figure("126", "foreign_share") == 38.5
    assert parse_number("1.5", decimal_comma=True) is None  # neither 1,5 nor 15: asked, not guessed
    assert parse_number("1,5", decimal_comma=False) is None


def figures_command(app):
    from app.cli.figures import figures_cli
    if "figures" not in app.cli.commands:  # until the app factory registers it
        app.cli.add_command(figures_cli)


def test_flask_figures_load_stores_the_file_or_lists_every_problem(app, runner, stuttgart, tmp_path):
    figures_command(app)
    good = tmp_path / "figures.csv"
    good.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(args=["figures", "load", str(good), "--source", "Statistisches Amt"])
    assert result.exit_code == 0, result.output
    assert "figures loaded for 2 quarters" in result.output
    assert figure("126") == 5021
    assert db.session.scalar(select(AuditEntry.action)) == "figures.load"
    bad = tmp_path / "bad.csv"
    bad.write_text("quarter_code,year,population\n126,2020,1\n999,2020,1\n214,2020,x\n", encoding="utf-8")
    result = runner.invoke(args=["figures", "load", str(bad)])
    assert result.exit_code != 0
    assert "Line 3: there is no quarter with the code 999." in result.output
    assert "Line 4, column population" in result.output
    assert figure("126") == 5021


# --- pages ---------------------------------------------------------------------------------------

@pytest.fixture
def coordinator(login, stuttgart):
    return login("coordinator")


def upload(client, text, source="Statistisches Amt", name="figures.csv"):
    import io
    fields = hidden_fields(client.get("/manage/figures?lang=en").get_data(as_text=True))
    data = {**fields, "source": source, "file": (io.BytesIO(text.encode("utf-8")), name)}
    return client.post("/manage/figures?lang=en", data=data, content_type="multipart/form-data")


def test_a_coordinator_uploads_figures_and_the_load_is_audited(coordinator):
    page = upload(coordinator, GOOD)
    assert page.status_code == 302
    html = coordinator.get(page.location).get_data(as_text=True)
    assert "Figures for 2 quarters were loaded." in html
    assert "<caption" in html and 'scope="col"' in html
    assert figure("214") == 6950
    entry = db.session.scalar(select(AuditEntry))
    assert entry.action == "figures.load" and "2 quarters from figures.csv" in entry.summary


def test_an_upload_with_problems_lists_them_by_line_and_stores_nothing(coordinator):
    page = upload(coordinator, "quarter_code,year,population\n126,2020,5021\n999,2020,1\n214,2020,n/a\n")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "Line 3: there is no quarter with the code 999." in html
    assert "Line 4, column population: “n/a” is not a number." in html
    assert count_figures() == 0


def test_an_upload_that_is_no_table_gets_a_message_not_an_error(coordinator, csv_default_limit):
    page = upload(coordinator, "quarter_code,year,population\n126,2020," + "9" * 200_000 + "\n")
    assert page.status_code == 422
    assert "Line 2 cannot be read as a table." in page.get_data(as_text=True)
    assert count_figures() == 0


def test_an_upload_without_the_csrf_token_is_refused(coordinator):
    import io
    page = coordinator.post("/manage/figures", data={"file": (io.BytesIO(GOOD.encode()), "f.csv")},
                            content_type="multipart/form-data")
    assert page.status_code == 400 and count_figures() == 0


def test_files_up_to_1_mb_pass_although_other_forms_stop_at_256_kb(coordinator):
    padded = "quarter_code,year,population\n126,2020,5021\n" + "\n" * 600_000
    assert upload(coordinator, padded).status_code == 302
    assert figure("126") == 5021
    too_big = upload(coordinator, padded + "\n" * 500_000)
    assert too_big.status_code == 422 and "The file is larger than 1 MB." in too_big.get_data(as_text=True)
    assert upload(coordinator, padded * 2).status_code == 413


def test_a_planner_may_neither_see_nor_upload_figures(login, stuttgart):
    planner = login("planner")
    assert planner.get("/manage/figures").status_code == 403
    assert planner.post("/manage/figures", data={}).status_code in (400, 403)
    assert planner.get("/manage/surveys/quarter-needs/monitor").status_code == 403


def test_the_monitor_names_the_quarters_we_have_not_heard(coordinator, placement, today):
    # Nordbahnhof (126, where the poster hangs): 12 responses; Hallschlag (214): 2 of its own;
    # Lehen (162): none.
    add_responses(placement, today, [{"living_satisfaction": "4", "age_band": "age_30_44"}] * 12
                  + [{"living_satisfaction": "5", "home_quarter": "214", "age_band": "age_65_79"}] * 2)
    load_figures("quarter_code,year,population\n126,2020,5021\n214,2020,6950\n162,2020,11189\n", "x")
    db.session.commit()
    page = coordinator.get("/manage/surveys/quarter-needs/monitor?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    where_next = html[html.index('id="where-next"'):html.index("Responses per quarter")]
    assert "Lehen (Süd): fewer than 5 responses so far, while 11,189 people live there." in where_next
    assert "Hallschlag (Bad Cannstatt): fewer than 5 responses so far, while 6,950 people live there." in where_next
    assert where_next.index("Lehen") < where_next.index("Hallschlag")
    assert "Nordbahnhof" not in where_next
    start = html.index('id="monitor-quarters"')
    table = html[start:html.index("</table>", start)]
    hallschlag = table[table.index("214 Hallschlag"):].split("</tr>")[0]
    assert "not shown" in hallschlag and ">2<" not in hallschlag
    nordbahnhof = table[table.index("126 Nordbahnhof"):].split("</tr>")[0]
    assert "<td>12</td>" in nordbahnhof and "<td>5,021</td>" in nordbahnhof and "<td>2.4</td>" in nordbahnhof
    assert html.count("<h1") == 1 and 'scope="row"' in html


def test_blueprint_routes_can_only_be_added_before_an_app_registers_the_blueprint(app):
    """Why this module imports the monitor views at its top, and the app factory must import
    them before ``register_blueprint``: afterwards Flask refuses new routes."""
    from app.manage.views import bp
    assert "manage.show_monitor" in app.view_functions
    with pytest.raises(AssertionError):
        bp.route("/too-late")(lambda: "")
