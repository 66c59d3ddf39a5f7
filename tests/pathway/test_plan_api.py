"""Plans and evaluations through /api/v1/ (PLN-1..6, PRV-2): the same service, rules and
error codes as the pages; another organisation's plan does not exist; refusals write nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client as HttpClient

from bedring.audit.models import AccessEvent
from bedring.clients import services as client_services
from bedring.core.roles import Role
from bedring.pathway.models import Plan
from bedring.pathway.models.episode import DeadlineStatus
from bedring.pathway.services.episode import episode_begin_assessment
from tests.conftest import TODAY, api_headers
from tests.pathway.conftest import at
from tests.pathway.test_plan import (
    AGREED,
    INQUIRY,
    consent,
    days,
    evaluate,
    make_plan,
    plan_deadlines,
    snapshot,
)


class Api:
    """A program calling the API with one staff member's token."""

    def __init__(self, user: Any) -> None:
        self.http = HttpClient(enforce_csrf_checks=True)
        self.headers = {"Authorization": api_headers(user)["HTTP_AUTHORIZATION"]}

    def get(self, path: str) -> Any:
        return self.http.get(path, headers=self.headers)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.http.post(path, body, content_type="application/json", headers=self.headers)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["message"]
    return body


def plan_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "agreed_on": AGREED.isoformat(),
        "aims": ["reduce"],
        "goals": [
            {
                "text": "Drink no alcohol on weekdays",
                "measure": "Drinking diary",
                "target": "0 drinks Monday to Thursday",
                "due_on": (AGREED + days(72)).isoformat(),
                "client_words": "Sober for my daughter",
            },
            {
                "text": "Apply for two jobs",
                "measure": "Applications shown",
                "target": "2",
                "due_on": (AGREED + days(131)).isoformat(),
                "short_term": False,
            },
        ],
        "client_words": "I want my life back.",
        "network": "Sister; housing",
    }
    body.update(overrides)
    return body


def plans_path(episode) -> str:
    return f"/api/v1/episodes/{episode.uuid}/plans"


@pytest.fixture
def episode(dk_client, open_episode, counsellor):
    """The Danish episode opened on INQUIRY (as in test_plan), its assessment begun."""
    received_at = at(dk_client.organisation, INQUIRY.year, INQUIRY.month, INQUIRY.day, 10)
    opened = open_episode(dk_client, received_at=received_at)
    return episode_begin_assessment(episode=opened, actor=counsellor)


@pytest.fixture
def api(counsellor):
    return Api(counsellor)


def test_a_plan_is_created_and_read_back_with_its_goals(api, episode):
    """PLN-1, PLN-2, PLN-6: the plan, its goals, its collaborators, the next evaluation."""
    given = consent(episode.client)
    response = api.post(
        plans_path(episode),
        plan_body(collaborators=[{"party": "job_centre", "name": "Anna"}]),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["version"], body["is_current"]) == (1, True)
    assert body["next_evaluation_on"] == (AGREED + relativedelta(months=3)).isoformat()
    assert [g["text"] for g in body["goals"]] == [
        "Drink no alcohol on weekdays",
        "Apply for two jobs",
    ]
    assert body["goals"][1]["short_term"] is False
    assert body["collaborators"] == [
        {"party": "job_centre", "name": "Anna", "consent": str(given.uuid)}
    ]
    assert body["episode"] == str(episode.uuid) and body["evaluations"] == []
    again = api.get(f"/api/v1/plans/{body['id']}")
    assert again.status_code == 200 and again.json() == body


def test_posting_again_makes_a_new_version_and_every_version_stays_readable(
    api, episode, counsellor
):
    """PLN-1: plans keep every version."""
    first = make_plan(episode, counsellor)
    response = api.post(
        plans_path(episode),
        plan_body(based_on_version=1, goals=[plan_body()["goals"][0]]),
    )
    assert response.status_code == 201
    assert response.json()["version"] == 2
    versions = api.get(plans_path(episode)).json()
    assert [(v["version"], v["is_current"]) for v in versions] == [(2, True), (1, False)]
    old = api.get(f"/api/v1/plans/{first.uuid}").json()
    assert old["is_current"] is False and len(old["goals"]) == 2


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"aims": []}, 422, "aims_required"),
        ({"aims": ["cure"]}, 422, "invalid_aim"),
        ({"goals": []}, 422, "goals_required"),
        (
            {"goals": [{"text": "Sleep", "measure": "Diary", "target": "6 h"}]},
            422,
            "goal_incomplete",
        ),
        (
            {"goals": [{"text": "S", "measure": "D", "target": "6", "due_on": AGREED.isoformat()}]},
            422,
            "goal_due_before_plan",
        ),
        ({"collaborators": [{"party": "gp"}]}, 422, "collaborator_without_consent"),
        ({"collaborators": [{"party": "astrologer"}]}, 422, "invalid_party"),
        ({"agreed_on": "2099-01-01"}, 422, "plan_date_future"),
        ({"client_words": ""}, 422, "client_words_required"),
        ({"individual_plan": True}, 422, "individual_plan_not_available"),
        ({"based_on_version": 3}, 409, "plan_changed"),
        ({"goals": "many"}, 422, "invalid_input"),
    ],
)
def test_every_bad_plan_gets_its_code_and_writes_nothing(api, episode, overrides, status, code):
    before = snapshot(episode)
    assert_error(api.post(plans_path(episode), plan_body(**overrides)), status, code)
    assert snapshot(episode) == before


def test_a_goal_refusal_says_which_goal(api, episode):
    goals = plan_body()["goals"]
    goals[1] = {**goals[1], "measure": ""}
    body = assert_error(
        api.post(plans_path(episode), plan_body(goals=goals)), 422, "goal_incomplete"
    )
    assert body["field"] == "goals"
    assert body["details"] == {"index": 1, "field": "measure", "missing": ["measure"]}


def test_a_withdrawn_consent_is_refused_naming_the_party(api, episode):
    """PLN-6, PRV-2."""
    client_services.consent_withdraw(consent=consent(episode.client), reason="No")
    body = assert_error(
        api.post(plans_path(episode), plan_body(collaborators=[{"party": "job_centre"}])),
        422,
        "collaborator_without_consent",
    )
    assert body["details"]["party"] == "job_centre"


def test_a_plan_before_the_assessment_is_a_conflict(api, dk_episode):
    assert_error(api.post(plans_path(dk_episode), plan_body()), 409, "plan_too_early")


def test_the_norwegian_coordinator_is_named_by_username(
    org_no, make_client, open_episode, make_staff
):
    """PLN-4 (NO)."""
    counsellor = make_staff(org_no, Role.COUNSELLOR)
    episode = episode_begin_assessment(episode=open_episode(make_client(org_no)), actor=counsellor)
    api = Api(counsellor)
    body = plan_body(individual_plan=True, coordinator="nobody-by-that-name")
    assert_error(api.post(plans_path(episode), body), 422, "coordinator_not_staff")
    body["coordinator"] = counsellor.username
    response = api.post(plans_path(episode), body)
    assert response.status_code == 201
    assert response.json()["coordinator"] == counsellor.username


# --- evaluations ------------------------------------------------------------------------------


def evaluation_body(plan: Plan, values: list[str], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "evaluated_on": (AGREED + days(1)).isoformat(),
        "client_view": "Better",
        "progress": [
            {"goal": str(g.uuid), "progress": v, "note": "n"}
            for g, v in zip(plan.goals.all(), values, strict=True)
        ],
    }
    body.update(overrides)
    return body


def test_an_evaluation_is_recorded_and_the_deadline_moves(api, episode, counsellor):
    """PLN-2."""
    plan = make_plan(episode, counsellor)
    response = api.post(
        f"/api/v1/plans/{plan.uuid}/evaluations", evaluation_body(plan, ["some", "reached"])
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["next_evaluation_on"] == (AGREED + days(1) + relativedelta(months=3)).isoformat()
    assert [p["progress"] for p in body["progress"]] == ["some", "reached"]
    assert [d.status for d in plan_deadlines(episode)] == [
        DeadlineStatus.MET,
        DeadlineStatus.OPEN,
    ]
    assert api.get(f"/api/v1/plans/{plan.uuid}").json()["evaluations"][0]["id"] == body["id"]


def test_a_missing_progress_is_refused_naming_the_goal(api, episode, counsellor):
    """PLN-2: progress on every goal."""
    plan = make_plan(episode, counsellor)
    body = evaluation_body(plan, ["some", "some"])
    skipped = body["progress"].pop()
    before = snapshot(episode)
    error = assert_error(
        api.post(f"/api/v1/plans/{plan.uuid}/evaluations", body), 422, "progress_missing"
    )
    assert error["details"]["goal"] == skipped["goal"]
    assert "Apply for two jobs" in error["message"]
    assert snapshot(episode) == before


def test_an_old_version_is_not_evaluated(api, episode, counsellor):
    old = make_plan(episode, counsellor)
    make_plan(episode, counsellor)
    before = snapshot(episode)
    assert_error(
        api.post(f"/api/v1/plans/{old.uuid}/evaluations", evaluation_body(old, ["some", "some"])),
        409,
        "plan_not_current",
    )
    assert snapshot(episode) == before


# --- access -----------------------------------------------------------------------------------


def every_route(episode, plan) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("post", plans_path(episode), plan_body()),
        ("get", plans_path(episode), None),
        ("get", f"/api/v1/plans/{plan.uuid}", None),
        ("post", f"/api/v1/plans/{plan.uuid}/evaluations", evaluation_body(plan, ["some"] * 2)),
    ]


def call(api: Api, method: str, path: str, body: dict[str, Any] | None) -> Any:
    return api.post(path, body or {}) if method == "post" else api.get(path)


def test_an_outsider_gets_404_everywhere(episode, counsellor, outsider):
    """PRV-1: another organisation's episodes and plans do not exist for them."""
    plan = make_plan(episode, counsellor)
    api = Api(outsider)
    before = snapshot(episode)
    for method, path, body in every_route(episode, plan):
        assert_error(call(api, method, path, body), 404, "not_found")
    assert snapshot(episode) == before


def test_unknown_plans_and_episodes_are_404(api):
    assert_error(api.get(f"/api/v1/plans/{uuid.uuid4()}"), 404, "not_found")
    assert_error(api.get(f"/api/v1/episodes/{uuid.uuid4()}/plans"), 404, "not_found")


@pytest.mark.parametrize("role", [Role.PEER_WORKER, Role.ADMINISTRATOR])
def test_roles_without_client_access_get_403(episode, counsellor, make_staff, org_dk, role):
    """PRV-1: peer workers and administrators open no client records."""
    plan = make_plan(episode, counsellor)
    api = Api(make_staff(org_dk, role))
    before = snapshot(episode)
    for method, path, body in every_route(episode, plan):
        assert_error(call(api, method, path, body), 403, "forbidden")
    assert snapshot(episode) == before


def test_reading_a_plan_is_in_the_clients_access_log(api, episode, counsellor):
    """PRV-1: every read of a client's record is logged, with the API as its channel."""
    plan = make_plan(episode, counsellor)
    evaluate(plan, counsellor)
    assert (
        api.get(f"/api/v1/plans/{plan.uuid}").json()["next_evaluation_on"]
        == (TODAY + relativedelta(months=3)).isoformat()
    )
    event = AccessEvent.objects.filter(client=episode.client).first()
    assert (event.view, event.channel, event.actor) == ("api_plan_detail", "api", counsellor)
