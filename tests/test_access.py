"""Who may open what: every route of the URL map for anonymous visitors and each role, and scope."""
import re

import pytest
from sqlalchemy import select

from app import accounts
from app.db import db
from app.models import AuditEntry, District, User
from tests.conftest import hidden_fields, log_in

#: Endpoints anyone may open: residents' pages, the start page, privacy, log-in, static files.
PUBLIC = {"static", "main.index", "main.go_to_code", "main.privacy", "main.accessibility", "main.login",
          "respond.answer_survey", "respond.thank_resident", "respond.resume_survey", "public.show_results", "api.openapi_document"}


def concrete_urls(app, placement):
    """A URL for every route and each of its methods, with its parameters filled from the placement."""
    values = {"token": placement.token, "placement_id": placement.id, "kind": "png",
              "consultation_id": placement.survey.consultation_id, "code": placement.survey.code,
              "table": "aggregates", "user_id": 1, "change": "pause", "filename": "style.css",
              "channel": "paper", "question_code": "living_satisfaction", "language": "en",
              "action": "up", "extension": "json", "consultation_code": placement.survey.consultation.code, "quarter_code": "126"}
    for rule in app.url_map.iter_rules():
        url = rule.rule
        url = re.sub(r"<any\(([^),]+)[^)]*\):\w+>", lambda m: m.group(1).strip(), url)
        for name in rule.arguments:
            url = re.sub(r"<(?:[^:<>]+:)?" + name + ">", str(values[name]), url)
        for method in sorted({"GET", "POST"} & rule.methods):
            yield rule.endpoint, url, method


def csrf_token(client) -> str:
    """A valid CSRF token for ``client``'s session, so a refused POST is refused for who it is."""
    page = client.get("/login", follow_redirects=True)  # a logged-in user lands on a staff page: its log-out form
    return hidden_fields(page.get_data(as_text=True))["csrf_token"]


def test_every_staff_route_refuses_anonymous_visitors(app, client, placement):
    token = csrf_token(client)
    checked = 0
    for endpoint, url, method in concrete_urls(app, placement):
        if endpoint in PUBLIC:
            continue
        page = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        if endpoint.startswith("api."):  # a program gets 401, not a log-in page
            assert page.status_code == 401, endpoint
            continue
        assert page.status_code == 302, (endpoint, method, page.status_code)
        assert "/login" in page.location, endpoint
        checked += 1
    assert checked >= 60


#: What each role may not open at all: (endpoint prefix or exact endpoint) → refused with 403.
REFUSED = {
    "planner": ("manage.", "admin.", "analyse.upload_boundaries", "public.edit_publication"),
    "coordinator": ("admin.",),
    "admin": (),
}


def refused(role: str, endpoint: str) -> bool:
    return any(endpoint == rule or (rule.endswith(".") and endpoint.startswith(rule)) for rule in REFUSED[role])


@pytest.mark.parametrize("role", ["planner", "coordinator", "admin"])
def test_every_route_refuses_a_role_it_is_not_for_and_opens_for_the_roles_it_is_for(app, login, placement, role):
    """Every staff route of the URL map, GET and POST alike: 403 for the wrong role, a page for the right one."""
    client = login(role)
    token = csrf_token(client)
    refused_count = 0
    for endpoint, url, method in concrete_urls(app, placement):
        if endpoint in PUBLIC or endpoint.startswith("api."):
            continue
        if refused(role, endpoint):
            page = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            assert page.status_code == 403, (role, endpoint, method, page.status_code)
            refused_count += 1
        elif method == "GET" and endpoint not in {"main.logout"}:
            assert client.get(url).status_code in (200, 302), (role, endpoint)
    assert refused_count >= {"planner": 35, "coordinator": 4, "admin": 0}[role]


#: Routes that name a consultation, a survey or a placement and so belong to someone's scope.
SCOPED_ARGUMENTS = {"code", "consultation_id", "placement_id", "consultation_code"}


@pytest.mark.parametrize("role", ["coordinator", "planner"])
def test_every_route_of_a_survey_refuses_staff_whose_scope_lies_elsewhere(app, client, placement, role):
    """A city-wide survey placed in Nord is outside a Bad Cannstatt account: 403 on every route naming it."""
    cannstatt = db.session.scalar(select(District).where(District.code == "06"))
    user = accounts.create_user("scoped@example.org", "a-long-password", role)
    user.is_city_wide = False
    user.districts = [cannstatt]
    db.session.commit()
    log_in(client, "scoped@example.org", "a-long-password")
    token = csrf_token(client)
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    checked = 0
    for endpoint, url, method in concrete_urls(app, placement):
        rule = rules[endpoint]
        if endpoint in PUBLIC or endpoint.startswith("api.") or refused(role, endpoint):
            continue
        if not SCOPED_ARGUMENTS & set(rule.arguments):
            continue
        page = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert page.status_code == 403, (role, endpoint, method, page.status_code)
        checked += 1
    assert checked >= {"coordinator": 40, "planner": 10}[role]


def test_a_district_coordinator_sees_only_consultations_of_their_district(app, client, make_placement, stuttgart):
    placement = make_placement()  # the needs survey, city-wide: no quarters listed
    cannstatt = db.session.scalar(select(District).where(District.code == "06"))
    user = accounts.create_user("bc@example.org", "a-long-password", "coordinator")
    user.is_city_wide = False
    user.districts = [cannstatt]
    db.session.commit()
    log_in(client, "bc@example.org", "a-long-password")
    assert placement.survey.code not in client.get("/manage/").get_data(as_text=True)
    assert client.get(f"/manage/surveys/{placement.survey.code}").status_code == 403
    assert client.get(f"/results/{placement.survey.code}").status_code == 403
    assert client.get(f"/manage/placements/{placement.id}/qr.png").status_code == 403
    # Once the consultation covers only quarters of Bad Cannstatt, it is theirs.
    placement.survey.consultation.quarters = cannstatt.quarters[:3]
    db.session.commit()
    assert client.get(f"/manage/surveys/{placement.survey.code}").status_code == 200
    places = client.get("/manage/places").get_data(as_text=True)
    assert "Stadtteilhaus" not in places  # its place lies in Nordbahnhof (Nord)
    assert "<option value" in places and "Nordbahnhof" not in places.split('id="quarter"')[1]


def test_failed_log_ins_are_throttled(app, client):
    accounts.create_user("k@example.org", "a-long-password", "coordinator")
    db.session.commit()
    token = hidden_fields(client.get("/login").get_data(as_text=True))["csrf_token"]
    codes = [client.post("/login", data={"csrf_token": token, "email": "k@example.org", "password": f"wrong{i}"}).status_code
             for i in range(7)]
    assert codes[:5] == [401] * 5
    assert codes[5:] == [429, 429]
    page = client.post("/login", data={"csrf_token": token, "email": "k@example.org", "password": "a-long-password"})
    assert page.status_code == 429  # even the right password waits

    # … but only for that client: someone guessing elsewhere does not lock the owner out.
    owner = app.test_client()
    owner_token = hidden_fields(owner.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.7"})
                                .get_data(as_text=True))["csrf_token"]
    page = owner.post("/login", data={"csrf_token": owner_token, "email": "k@example.org",
                                      "password": "a-long-password"}, environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert page.status_code == 302


def test_an_unknown_address_is_answered_after_a_password_check_like_a_known_one(app, client, monkeypatch):
    """Issue 15, point 7: without a hash for unknown addresses, the time of the answer told
    which addresses have an account (20–40 ms against 300–530 ms)."""
    from app.models import accounts as account_model
    checked = []
    real = account_model.check_password_hash
    monkeypatch.setattr(account_model, "check_password_hash", lambda *args: checked.append(1) or real(*args))
    accounts.create_user("known@example.org", "a-long-password", "coordinator")
    db.session.commit()
    token = hidden_fields(client.get("/login").get_data(as_text=True))["csrf_token"]
    for email in ("known@example.org", "nobody@example.org"):
        before = len(checked)
        page = client.post("/login", data={"csrf_token": token, "email": email, "password": "wrong-password"})
        assert page.status_code == 401 and len(checked) == before + 1, email


def test_an_admin_creates_and_deactivates_an_account_and_both_are_audited(app, login, stuttgart):
    client = login("admin")
    form = hidden_fields(client.get("/admin/users").get_data(as_text=True))
    page = client.post("/admin/users", data={**form, "email": "neu@example.org", "name": "Neu",
                                             "role": "planner", "password": "ten-chars-ok"})
    assert page.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "neu@example.org"))
    assert user.role == "planner" and user.check_password("ten-chars-ok") and user.password_hash != "ten-chars-ok"
    client.post(f"/admin/users/{user.id}/deactivate", data=form)
    db.session.refresh(user)
    assert not user.is_enabled
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["user.create", "user.deactivate"]
    log = client.get("/admin/audit").get_data(as_text=True)
    assert "user.deactivate" in log and "neu@example.org" in log
    other = app.test_client()
    assert other.post("/login", data={**hidden_fields(other.get("/login").get_data(as_text=True)),
                                      "email": "neu@example.org", "password": "ten-chars-ok"}).status_code == 401


def test_a_coordinator_adds_a_place_places_the_survey_as_kiosk_and_pauses_it(app, login, placement):
    client = login("coordinator")
    form = hidden_fields(client.get("/manage/places").get_data(as_text=True))
    from app.models import MeetingPlace, Quarter
    quarter = db.session.scalar(select(Quarter).where(Quarter.code == "214"))
    assert client.post("/manage/places", data={**form, "name": "Bücherei Hallschlag", "kind": "library",
                                               "quarter": quarter.id}).status_code == 302
    place = db.session.scalar(select(MeetingPlace).where(MeetingPlace.name == "Bücherei Hallschlag"))
    code = placement.survey.code
    assert client.post(f"/manage/surveys/{code}", data={**form, "place": place.id, "mode": "kiosk"}).status_code == 302
    kiosk = next(p for p in placement.survey.placements if p.mode == "kiosk")
    assert kiosk.meeting_place_id == place.id and kiosk.token != placement.token
    client.post(f"/manage/placements/{kiosk.id}/pause", data=form)
    assert app.test_client().get(f"/{kiosk.token}").status_code == 403
    actions = {e.action for e in db.session.scalars(select(AuditEntry))}
    assert {"place.create", "placement.create", "placement.pause"} <= actions


def test_an_admin_limits_a_planner_to_two_quarters_and_results_follow_the_scope(app, login, make_placement, stuttgart):
    from app.models import Quarter
    admin = login("admin")
    placement = make_placement()
    q126, q128 = (db.session.scalar(select(Quarter).where(Quarter.code == c)) for c in ("126", "128"))
    form = hidden_fields(admin.get("/admin/users").get_data(as_text=True))
    admin.post("/admin/users", data={**form, "email": "p2@example.org", "role": "planner",
                                     "password": "ten-chars-ok", "quarters": [q126.id, q128.id]})
    user = db.session.scalar(select(User).where(User.email == "p2@example.org"))
    assert not user.is_city_wide and {q.code for q in user.quarters} == {"126", "128"}
    planner = app.test_client()
    log_in(planner, "p2@example.org", "ten-chars-ok")
    assert planner.get(f"/results/{placement.survey.code}").status_code == 403  # a city-wide survey
    placement.survey.consultation.quarters = [q126]
    db.session.commit()
    assert planner.get(f"/results/{placement.survey.code}").status_code == 200


def test_logging_out_ends_every_copy_of_the_session_and_a_session_ends_after_its_hours(app, client):
    """Issue 15, point 7: a cookie copied before log-out worked for 31 days."""
    accounts.create_user("s@example.org", "a-long-password", "planner")
    db.session.commit()
    log_in(client, "s@example.org", "a-long-password")
    assert client.get("/results/").status_code == 200
    copied = app.test_client()
    for cookie in client._cookies.values():
        copied.set_cookie(cookie.key, cookie.value)
    assert copied.get("/results/").status_code == 200  # the copy works while the session lasts
    token = hidden_fields(client.get("/results/").get_data(as_text=True))["csrf_token"]
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert copied.get("/results/").status_code in (302, 401)  # … and not after the log-out
    log_in(client, "s@example.org", "a-long-password")
    assert client.get("/results/").status_code == 200
    app.config["STAFF_SESSION_HOURS"] = 0
    assert client.get("/results/").status_code in (302, 401)
