"""Assessments through /api/v1/ (ASM-1..5, TDI): the same services, rules and error codes as
the pages; another organisation's assessment is 404, a role without the right 403, and every
refusal writes nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.test import Client as HttpClient

from bedring.accounts.models import User
from bedring.audit.models import AccessEvent
from bedring.core.roles import Role
from bedring.pathway.models import Assessment, Episode, EpisodeEvent, TdiIntake
from bedring.pathway.services.episode import episode_withdraw
from tests.conftest import api_headers

API = "/api/v1"


class Api:
    def __init__(self, user: User) -> None:
        self.http = HttpClient(enforce_csrf_checks=True)
        self.headers = {"Authorization": api_headers(user)["HTTP_AUTHORIZATION"]}

    def get(self, path: str) -> Any:
        return self.http.get(API + path, headers=self.headers)

    def send(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        call = getattr(self.http, method)
        return call(
            API + path,
            data=json.dumps(body or {}),
            content_type="application/json",
            headers=self.headers,
        )


def writes() -> dict[str, int]:
    return {
        "assessments": Assessment.objects.count(),
        "tdi": TdiIntake.objects.count(),
        "events": EpisodeEvent.objects.count(),
        "log": LogEntry.objects.count(),
    }


def answer_everything(question_set: dict[str, Any]) -> dict[str, Any]:
    sample = {"text": "x", "bool": True, "number": 1, "date": "2026-11-20"}
    return {
        q["key"]: q["choices"][0]["value"] if q["type"] == "choice" else sample[q["type"]]
        for q in question_set["questions"]
    }


@pytest.fixture
def api(counsellor) -> Api:
    return Api(counsellor)


@pytest.fixture
def created(api, dk_episode) -> dict[str, Any]:
    response = api.send("post", f"/episodes/{dk_episode.uuid}/assessments")
    assert response.status_code == 201, response.content
    return response.json()


def test_creating_an_assessment_answers_201_with_its_question_set(api, dk_episode):
    """ASM-2: the assessment starts on the organisation's current question set."""
    response = api.send(
        "post",
        f"/episodes/{dk_episode.uuid}/assessments",
        {"conducted_on": "2026-11-20", "external_requested_from": "Dr. Hansen"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["episode"] == str(dk_episode.uuid)
    assert (body["question_set"]["key"], body["question_set"]["version"]) == ("assessment-dk", 1)
    assert body["conducted_on"] == "2026-11-20"
    assert body["external_requested_from"] == "Dr. Hansen"
    assert body["answers"] == {} and body["tdi"] is None and body["completed_at"] is None
    dk_episode.refresh_from_db()
    assert dk_episode.state == "assessment"


def test_the_assessment_is_read_back(api, created):
    body = api.get(f"/assessments/{created['id']}").json()
    assert body["id"] == created["id"]
    assert {q["key"] for q in body["question_set"]["questions"]} >= {"network", "housing"}


def test_answers_are_saved_and_a_bad_answer_is_422_with_the_question(api, created):
    """ASM-2: the same codes as the form; a refused answer writes nothing."""
    path = f"/assessments/{created['id']}/answers"
    response = api.send("put", path, {"answers": {"network": "Sister", "children_at_home": False}})
    assert response.status_code == 200
    assert response.json()["answers"] == {"network": "Sister", "children_at_home": False}
    before = writes()
    response = api.send("put", path, {"answers": {"housing": "castle"}})
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["field"]) == ("invalid_choice", "housing")
    assert "own_home" in body["details"]["allowed"]
    assert writes() == before


def test_offers_record_the_doctor_by_username(api, created, doctor, make_staff):
    """ASM-1, ASM-2: offers and the doctor who took part; a nurse is not a doctor."""
    path = f"/assessments/{created['id']}/offers"
    response = api.send(
        "put",
        path,
        {"veteran": False, "doctor_conversation_offered": True, "doctor": doctor.username},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["veteran"], body["doctor_conversation_offered"], body["doctor"]) == (
        False,
        True,
        doctor.username,
    )
    nurse = make_staff(doctor.memberships.get().organisation, Role.NURSE)
    before = writes()
    for username in (nurse.username, "nobody-at-all"):
        response = api.send("put", path, {"doctor": username})
        assert response.status_code == 422
        assert (response.json()["code"], response.json()["field"]) == ("not_a_doctor", "doctor")
    assert writes() == before


def test_the_tdi_items_are_saved_and_invalid_ones_are_422_per_field(api, created):
    path = f"/assessments/{created['id']}/tdi"
    response = api.send(
        "put",
        path,
        {
            "primary_substance": 11,
            "primary_route": 1,
            "ever_injected": 4,
            "secondary_substances": [{"substance": 42, "route": 3}],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["injected_last_30_days"] == 1
    assert body["secondary_substances"][0]["substance"] == 42
    before = writes()
    response = api.send(
        "put",
        path,
        {
            "primary_substance": 80,
            "primary_age_first_use": 3,
            "secondary_substances": [{"substance": s} for s in (21, 31, 42, 71, 90)],
        },
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "tdi_invalid"
    assert {k: v["code"] for k, v in body["details"]["fields"].items()} == {
        "primary_substance": "alcohol_not_primary",
        "primary_age_first_use": "age_too_low",
        "secondary_substances": "too_many_secondary",
    }
    assert writes() == before
    assert api.get(f"/assessments/{created['id']}").json()["tdi"]["primary_substance"] == 11


def test_completion_needs_the_required_answers_then_completes_once(api, created):
    """ASM-2: 422 answers_missing with the list; completed; a second time 409."""
    path = f"/assessments/{created['id']}/complete"
    before = writes()
    response = api.send("post", path)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "answers_missing"
    assert "network" in body["details"]["missing"]
    assert writes() == before
    api.send(
        "put",
        f"/assessments/{created['id']}/answers",
        {"answers": answer_everything(created["question_set"])},
    )
    response = api.send("post", path)
    assert response.status_code == 200
    assert response.json()["completed_at"] is not None
    response = api.send("post", path)
    assert (response.status_code, response.json()["code"]) == (409, "assessment_completed")
    response = api.send("put", f"/assessments/{created['id']}/answers", {"answers": {}})
    assert (response.status_code, response.json()["code"]) == (409, "assessment_completed")


def test_the_belgian_intake_is_not_completed_without_a_doctor(
    org_be, make_client, open_episode, make_staff
):
    """ASM-1: 422 doctor_required until the doctor is recorded."""
    counsellor = make_staff(org_be, Role.COUNSELLOR)
    doctor = make_staff(org_be, Role.DOCTOR)
    episode = open_episode(make_client(org_be))
    api = Api(counsellor)
    created = api.send("post", f"/episodes/{episode.uuid}/assessments").json()
    assert created["question_set"]["key"] == "intake-be"
    api.send(
        "put",
        f"/assessments/{created['id']}/answers",
        {"answers": answer_everything(created["question_set"])},
    )
    response = api.send("post", f"/assessments/{created['id']}/complete")
    assert (response.status_code, response.json()["code"]) == (422, "doctor_required")
    api.send("put", f"/assessments/{created['id']}/offers", {"doctor": doctor.username})
    assert api.send("post", f"/assessments/{created['id']}/complete").status_code == 200


def test_a_closed_episode_takes_no_assessment(api, dk_episode, counsellor):
    episode_withdraw(episode=dk_episode, actor=counsellor, reason="Moved away")
    before = writes()
    response = api.send("post", f"/episodes/{dk_episode.uuid}/assessments")
    assert (response.status_code, response.json()["code"]) == (409, "episode_closed")
    assert writes() == before


# --- Who may see what -----------------------------------------------------------------------


def every_call(assessment_id: str, episode_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("get", f"/assessments/{assessment_id}", {}),
        ("put", f"/assessments/{assessment_id}/answers", {"answers": {}}),
        ("put", f"/assessments/{assessment_id}/offers", {}),
        ("put", f"/assessments/{assessment_id}/tdi", {}),
        ("post", f"/assessments/{assessment_id}/complete", {}),
        ("post", f"/episodes/{episode_id}/assessments", {}),
    ]


def call(api: Api, method: str, path: str, body: dict[str, Any]) -> Any:
    return api.get(path) if method == "get" else api.send(method, path, body)


def test_an_outsider_gets_404_on_every_operation(created, outsider):
    """PRV-1: an assessment of another organisation does not exist for them."""
    api = Api(outsider)
    before = writes()
    for method, path, body in every_call(created["id"], created["episode"]):
        response = call(api, method, path, body)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), path
    assert writes() == before


def test_an_unknown_assessment_is_404(api):
    assert api.get(f"/assessments/{uuid.uuid4()}").status_code == 404


def test_a_role_without_client_rights_gets_403_on_every_operation(created, make_staff):
    """Least privilege: a drop-in worker of the same organisation opens no records."""
    episode = Episode.objects.get(uuid=created["episode"])
    api = Api(make_staff(episode.organisation, Role.DROPIN_WORKER))
    before = writes()
    for method, path, body in every_call(created["id"], created["episode"]):
        response = call(api, method, path, body)
        assert (response.status_code, response.json()["code"]) == (403, "forbidden"), path
    assert writes() == before


def test_without_a_token_every_operation_is_401(created):
    http = HttpClient()
    assert http.get(f"{API}/assessments/{created['id']}").status_code == 401
    response = http.post(
        f"{API}/assessments/{created['id']}/complete", content_type="application/json"
    )
    assert response.status_code == 401


def test_reading_an_assessment_is_logged_on_the_client(api, created):
    """PRV-1: every read of a client's record is in the access log, channel api."""
    api.get(f"/assessments/{created['id']}")
    event = AccessEvent.objects.filter(view="api_assessment_detail").get()
    assert event.channel == "api"
    assert event.client == Episode.objects.get().client
