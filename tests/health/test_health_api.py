"""Health in /api/v1/ (HLT-1..4): the same services and error codes as the pages; an
outsider gets 404, a role without client access 403, and every call is in the access log."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bedring.audit.models import AccessEvent
from bedring.core.roles import Role
from bedring.health.models import HealthContact, Pregnancy, Screening, Vaccination
from bedring.health.services import (
    health_contact_record,
    pregnancy_end,
    pregnancy_record,
    screening_record,
    vaccination_record,
)
from bedring.pathway.models import Deadline
from tests.conftest import api_headers

from .conftest import days_ago


def base(client) -> str:
    return f"/api/v1/clients/{client.uuid}"


def post(http, url, user, body):
    return http.post(url, data=body, content_type="application/json", **api_headers(user))


def test_a_screening_is_created_and_listed(client, nurse, dk_client):
    """HLT-1: POST then GET; the read is logged with channel api."""
    today = days_ago(dk_client.organisation, 0).isoformat()
    response = post(
        client,
        f"{base(dk_client)}/screenings",
        nurse,
        {"kind": "hiv", "offered_on": today, "tested_on": today},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["result"], body["recorded_by"]) == ("hiv", "pending", nurse.username)
    listed = client.get(f"{base(dk_client)}/screenings", **api_headers(nurse)).json()
    assert listed["count"] == 1
    assert [s["id"] for s in listed["results"]] == [body["id"]]
    assert AccessEvent.objects.filter(
        client=dk_client, view="api_health_screenings", channel="api"
    ).exists()


def test_a_pending_result_is_recorded_and_a_final_one_is_409(client, nurse, dk_client):
    today = days_ago(dk_client.organisation, 0)
    screening = screening_record(
        client=dk_client, actor=nurse, kind="hepatitis_b", offered_on=today, tested_on=today
    )
    url = f"{base(dk_client)}/screenings/{screening.uuid}/result"
    response = post(client, url, nurse, {"result": "positive"})
    assert response.status_code == 200
    assert response.json()["result"] == "positive"
    again = post(client, url, nurse, {"result": "negative"})
    assert again.status_code == 409
    assert again.json()["code"] == "result_final"


def test_a_refused_screening_answers_the_services_code(client, nurse, dk_client):
    response = post(
        client,
        f"{base(dk_client)}/screenings",
        nurse,
        {"kind": "hiv", "offered_on": days_ago(dk_client.organisation, -1).isoformat()},
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("date_in_future", "offered_on")
    assert not Screening.objects.exists()


def test_doses_in_order_and_the_next_dose_on_the_worklist(client, nurse, dk_client, open_episode):
    """HLT-2: dose 1 gives dose 2's date; dose 2 twice is 409, dose 3 before 2 is 422."""
    open_episode(dk_client)
    url = f"{base(dk_client)}/vaccinations"
    today = days_ago(dk_client.organisation, 0).isoformat()
    first = post(client, url, nurse, {"schedule": "hepatitis_ab", "dose": 1, "given_on": today})
    assert first.status_code == 201
    body = first.json()
    assert (body["vaccine"], body["doses_in_schedule"]) == ("hepatitis_ab", 3)
    assert body["next_due_on"] is not None
    assert Deadline.objects.filter(client=dk_client, kind="vaccination", status="open").exists()
    skipped = post(client, url, nurse, {"schedule": "hepatitis_ab", "dose": 3, "given_on": today})
    assert (skipped.status_code, skipped.json()["code"]) == (422, "dose_out_of_order")
    twice = post(client, url, nurse, {"schedule": "hepatitis_ab", "dose": 1, "given_on": today})
    assert (twice.status_code, twice.json()["code"]) == (409, "duplicate_dose")
    listed = client.get(url, **api_headers(nurse)).json()
    assert [(v["schedule"], v["dose"]) for v in listed["results"]] == [("hepatitis_ab", 1)]
    assert Vaccination.objects.count() == 1


def test_an_unknown_schedule_is_invalid_input(client, nurse, dk_client):
    response = post(
        client,
        f"{base(dk_client)}/vaccinations",
        nurse,
        {"schedule": "rabies", "dose": 1, "given_on": "2026-01-01"},
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")


def test_a_health_contact_is_created_and_listed(client, nurse, dk_client):
    """HLT-3."""
    url = f"{base(dk_client)}/health-contacts"
    on = days_ago(dk_client.organisation, 2).isoformat()
    response = post(client, url, nurse, {"kind": "nada", "on": on, "note": "Calm"})
    assert response.status_code == 201
    assert response.json()["staff"] == nurse.username
    listed = client.get(url, **api_headers(nurse)).json()
    assert (listed["count"], [c["kind"] for c in listed["results"]]) == (1, ["nada"])


def test_a_pregnancy_with_follow_ups_and_its_birth(client, nurse, female):
    """HLT-4: create, follow up, end with the birth, list."""
    org = female.organisation
    url = f"{base(female)}/pregnancies"
    created = post(
        client,
        url,
        nurse,
        {
            "estimated_due_on": days_ago(org, -10).isoformat(),
            "noted_on": days_ago(org, 100).isoformat(),
        },
    )
    assert created.status_code == 201
    pregnancy_id = created.json()["id"]
    follow_ups = f"{url}/{pregnancy_id}/follow-ups"
    cooperation = post(
        client,
        follow_ups,
        nurse,
        {"kind": "cooperation", "partner": "family_clinic", "on": days_ago(org, 50).isoformat()},
    )
    assert cooperation.status_code == 201
    missing = post(
        client, follow_ups, nurse, {"kind": "cooperation", "on": days_ago(org, 5).isoformat()}
    )
    assert (missing.status_code, missing.json()["code"]) == (422, "partner_required")
    second = post(client, url, nurse, {"estimated_due_on": days_ago(org, -100).isoformat()})
    assert (second.status_code, second.json()["code"]) == (409, "pregnancy_ongoing")
    ended = post(
        client,
        f"{url}/{pregnancy_id}/end",
        nurse,
        {"outcome": "birth", "on": days_ago(org, 1).isoformat()},
    )
    assert ended.status_code == 200
    assert ended.json()["status"] == "birth"
    listed = client.get(follow_ups, **api_headers(nurse)).json()
    assert [f["partner"] for f in listed] == ["family_clinic"]
    pregnancies = client.get(url, **api_headers(nurse)).json()["results"]
    assert [p["status"] for p in pregnancies] == ["birth"]


def test_a_pregnancy_for_a_male_client_is_422(client, nurse, org_dk, make_client):
    male = make_client(org_dk, national_id="", sex="male")
    response = post(
        client,
        f"{base(male)}/pregnancies",
        nurse,
        {"estimated_due_on": days_ago(org_dk, -100).isoformat()},
    )
    assert (response.status_code, response.json()["code"]) == (422, "pregnancy_sex")
    assert not Pregnancy.objects.exists()


def test_an_outsider_gets_404_everywhere(client, outsider, female, nurse):
    """PRV-1: another organisation's client, and its records, do not exist."""
    pregnancy = pregnancy_record(
        client=female, actor=nurse, estimated_due_on=days_ago(female.organisation, -100)
    )
    headers = api_headers(outsider)
    for path in ("screenings", "vaccinations", "health-contacts", "pregnancies"):
        response = client.get(f"{base(female)}/{path}", **headers)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    response = client.get(f"{base(female)}/pregnancies/{pregnancy.uuid}/follow-ups", **headers)
    assert response.status_code == 404
    response = post(
        client,
        f"{base(female)}/health-contacts",
        outsider,
        {"kind": "nada", "on": "2026-01-01"},
    )
    assert response.status_code == 404
    assert not HealthContact.objects.exists()


def test_a_role_without_client_access_gets_403(client, org_dk, make_staff, female):
    admin = make_staff(org_dk, Role.ADMINISTRATOR)
    response = client.get(f"{base(female)}/screenings", **api_headers(admin))
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    response = post(
        client, f"{base(female)}/health-contacts", admin, {"kind": "nada", "on": "2026-01-01"}
    )
    assert response.status_code == 403
    assert not HealthContact.objects.exists()


def test_a_pregnancy_of_another_client_is_404(client, nurse, female, org_dk, make_client):
    pregnancy = pregnancy_record(
        client=female, actor=nurse, estimated_due_on=days_ago(org_dk, -100)
    )
    other = make_client(org_dk, national_id="", sex="female")
    response = client.get(
        f"{base(other)}/pregnancies/{pregnancy.uuid}/follow-ups", **api_headers(nurse)
    )
    assert response.status_code == 404


def test_the_screening_list_has_a_bounded_query_count(client, nurse, dk_client):
    headers = api_headers(nurse)
    url = f"{base(dk_client)}/screenings"
    on = days_ago(dk_client.organisation, 0)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, **headers).status_code == 200
        return len(ctx.captured_queries)

    screening_record(client=dk_client, actor=nurse, kind="hiv", offered_on=on, declined=True)
    count()  # the token's first use is recorded once
    few = count()
    for _ in range(40):
        screening_record(client=dk_client, actor=nurse, kind="hiv", offered_on=on, declined=True)
    assert count() == few


LISTS = ("screenings", "vaccinations", "health-contacts", "pregnancies")


def _three_of_each(client, actor):
    """Three screenings, doses, health contacts and pregnancies of one client."""
    org = client.organisation
    for days in (30, 20, 10):
        screening_record(
            client=client, actor=actor, kind="hiv", offered_on=days_ago(org, days), declined=True
        )
        health_contact_record(client=client, actor=actor, kind="nada", on=days_ago(org, days))
    for dose, days in ((1, 40), (2, 30), (3, 10)):
        vaccination_record(
            client=client,
            actor=actor,
            schedule="hepatitis_b_accelerated",
            dose=dose,
            given_on=days_ago(org, days),
        )
    for days in (300, 200):
        pregnancy = pregnancy_record(
            client=client,
            actor=actor,
            noted_on=days_ago(org, days),
            estimated_due_on=days_ago(org, days - 100),
        )
        pregnancy_end(pregnancy=pregnancy, actor=actor, outcome="ended", on=days_ago(org, days))
    pregnancy_record(client=client, actor=actor, estimated_due_on=days_ago(org, -100))


def test_the_lists_are_pages_with_a_count(client, nurse, female):
    """offset and limit, and the count of all, as the other client records in the API."""
    _three_of_each(female, nurse)
    headers = api_headers(nurse)
    for path in LISTS:
        url = f"{base(female)}/{path}"
        everything = client.get(url, **headers).json()
        assert everything["count"] == 3, path
        assert len(everything["results"]) == 3, path
        middle = client.get(f"{url}?offset=1&limit=1", **headers).json()
        assert middle == {"count": 3, "results": [everything["results"][1]]}, path
        beyond = client.get(f"{url}?offset=3&limit=200", **headers).json()
        assert beyond == {"count": 3, "results": []}, path


def test_an_impossible_page_is_422_invalid_page(client, nurse, female):
    headers = api_headers(nurse)
    for path in LISTS:
        for query in ("limit=0", "limit=201", "offset=-1", "offset=1000001"):
            response = client.get(f"{base(female)}/{path}?{query}", **headers)
            assert response.status_code == 422, (path, query)
            assert response.json()["code"] == "invalid_page", (path, query)


def test_a_date_in_year_one_is_422_not_500(client, nurse, female):
    """A "known since" date at the calendar's edge is refused with its own code (it used to
    overflow the due-date check)."""
    response = post(
        client,
        f"{base(female)}/pregnancies",
        nurse,
        {"noted_on": "0001-01-01", "estimated_due_on": "0001-01-15"},
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("date_too_early", "noted_on")
    response = post(
        client, f"{base(female)}/health-contacts", nurse, {"kind": "nada", "on": "1899-12-31"}
    )
    assert (response.status_code, response.json()["code"]) == (422, "date_too_early")
    assert not Pregnancy.objects.exists()
    assert not HealthContact.objects.exists()
