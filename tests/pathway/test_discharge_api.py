"""Discharge and follow-up through /api/v1/ (DIS-1, DIS-2, DIS-5): the same service, rules
and error codes as the pages; another organisation's episode or follow-up does not exist;
refusals write nothing."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest

from bedring.core.roles import Role
from bedring.pathway.models import Deadline, Episode, FollowUp
from bedring.pathway.models.episode import DeadlineKind, DeadlineStatus
from tests.pathway.test_discharge import (
    current_goals,
    discharge,
    make_active,
    snapshot,
)
from tests.pathway.test_plan_api import Api, assert_error

D = datetime.date


def discharge_body(episode: Episode, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "discharged_on": "2026-11-20",
        "status": "completed",
        "overall_result": "stabilised",
        "goal_results": [
            {"goal": str(g.uuid), "outcome": "partly", "note": "Half way"}
            for g in current_goals(episode)
        ],
        "note": "",
    }
    body.update(overrides)
    return body


@pytest.fixture
def active(dk_client, counsellor, authority) -> Episode:
    return make_active(dk_client, counsellor, authority)


def url(episode: Episode) -> str:
    return f"/api/v1/episodes/{episode.uuid}/discharge"


def test_discharge_and_read_it_back(active, counsellor):
    api = Api(counsellor)
    before = api.get(url(active))
    assert before.status_code == 200
    assert before.json() == {"discharge": None, "goal_results": [], "follow_ups": []}
    response = api.post(url(active), discharge_body(active))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["discharge"]["status"] == "completed"
    assert body["discharge"]["intensity"] == "outpatient"
    assert [r["outcome"] for r in body["goal_results"]] == ["partly", "partly"]
    assert [(f["months"], f["due_on"]) for f in body["follow_ups"]] == [
        (1, "2026-12-20"),
        (6, "2027-05-20"),
    ]
    assert body["follow_ups"][0]["responsible"] == counsellor.username
    assert api.get(url(active)).json() == body


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"discharged_on": "2099-01-01"}, 422, "discharge_in_future"),
        ({"status": "hospital"}, 422, "destination_required"),
        ({"status": "gone"}, 422, "invalid_status"),
        ({"goal_results": []}, 422, "goal_result_missing"),
        (
            {"goal_results": [{"goal": str(uuid.uuid4()), "outcome": "reached"}]},
            422,
            "goal_not_in_plan",
        ),
    ],
)
def test_refusals_carry_the_services_code_and_write_nothing(
    active, counsellor, overrides, status, code
):
    before = snapshot(active)
    body = assert_error(
        Api(counsellor).post(url(active), discharge_body(active, **overrides)), status, code
    )
    assert body["message"]
    assert snapshot(active) == before


def test_a_second_discharge_is_409(active, counsellor):
    api = Api(counsellor)
    assert api.post(url(active), discharge_body(active)).status_code == 201
    before = snapshot(active)
    assert_error(api.post(url(active), discharge_body(active)), 409, "bad_transition")
    assert snapshot(active) == before


def test_record_a_follow_up_once(active, counsellor):
    result = discharge(active, counsellor, discharged_on=D(2026, 11, 10))
    follow_up = result.follow_ups.get(months=1)
    api = Api(counsellor)
    path = f"/api/v1/follow-ups/{follow_up.uuid}"
    assert_error(
        api.post(path, {"done_on": "2026-11-20", "contact_made": True}),
        422,
        "substance_use_required",
    )
    assert_error(
        api.post(
            path,
            {
                "done_on": "2026-11-20",
                "contact_made": True,
                "substance_use": "reduced",
                "situation": {"garden": "better"},
            },
        ),
        422,
        "invalid_life_area",
    )
    response = api.post(
        path,
        {
            "done_on": "2026-11-20",
            "contact_made": True,
            "substance_use": "reduced",
            "situation": {"housing": "better", "health": "worse"},
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["situation"] == {"health": "worse", "housing": "better"}
    deadline = Deadline.objects.get(kind=DeadlineKind.DISCHARGE_FOLLOW_UP, subject_id=follow_up.pk)
    assert deadline.status == DeadlineStatus.MET
    assert_error(
        api.post(path, {"done_on": "2026-11-21", "contact_made": False}),
        409,
        "follow_up_already_recorded",
    )
    follow_up.refresh_from_db()
    assert follow_up.done_on == D(2026, 11, 20)


def test_outsiders_get_404_and_roles_without_the_right_403(
    active, counsellor, outsider, org_dk, make_staff
):
    result = discharge(active, counsellor, discharged_on=D(2026, 11, 10))
    follow_up = result.follow_ups.get(months=1)
    stranger = Api(outsider)
    assert_error(stranger.get(url(active)), 404, "not_found")
    assert_error(stranger.post(url(active), discharge_body(active)), 404, "not_found")
    record = {"done_on": "2026-11-20", "contact_made": False}
    assert_error(stranger.post(f"/api/v1/follow-ups/{follow_up.uuid}", record), 404, "not_found")
    assert_error(stranger.post(f"/api/v1/follow-ups/{uuid.uuid4()}", record), 404, "not_found")
    admin = Api(make_staff(org_dk, Role.ADMINISTRATOR))
    assert_error(admin.get(url(active)), 403, "forbidden")
    assert_error(admin.post(f"/api/v1/follow-ups/{follow_up.uuid}", record), 403, "forbidden")
    assert FollowUp.objects.get(pk=follow_up.pk).done_on is None
