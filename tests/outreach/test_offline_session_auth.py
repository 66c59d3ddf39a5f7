"""HRM-8: the phone's page sends its contacts to /api/v1/outreach/contacts with the worker's
session instead of a token (bedring.accounts.api_auth.StaffSession): only a session that
passed the second factor, only with the CSRF token, and only on that route."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from bedring.accounts.models import Organisation, User
from bedring.core import clock
from bedring.core.roles import Role
from bedring.outreach.models import OutreachContact
from tests.conftest import api_headers, login

pytestmark = pytest.mark.django_db

URL = "/api/v1/outreach/contacts"


def _contact(**kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "site": "odense",
        "at": (clock.now() - datetime.timedelta(minutes=5)).isoformat(),
        "location_type": "street",
        "activities": ["conversation"],
        "items_out": {"syringe-1ml": 2},
        "minutes": 10,
        "note": "Talked by the station.",
        "offline_id": str(uuid.uuid4()),
    }
    data.update(kw)
    return data


def _phone(user: User) -> tuple[HttpClient, str]:
    """A browser as the phone is: logged in with both factors, the CSRF check on, and the
    token it got from a page of ours."""
    http = login(HttpClient(enforce_csrf_checks=True), user)
    assert http.get(reverse("outreach:contact_new")).status_code == 200
    return http, http.cookies["csrftoken"].value


def test_a_verified_session_with_the_csrf_token_records_a_contact_once(
    street_worker: User, org_outreach: Organisation
) -> None:
    http, token = _phone(street_worker)
    body = _contact()
    first = http.post(URL, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert first.status_code == 201, first.content
    again = http.post(URL, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    contact = OutreachContact.objects.get(offline_id=body["offline_id"])
    assert contact.recorded_by == street_worker and contact.organisation == org_outreach


def test_a_validation_answer_names_the_field_for_the_phone_to_show(
    street_worker: User,
) -> None:
    http, token = _phone(street_worker)
    response = http.post(
        URL,
        _contact(pseudonym="NEW1", pseudonym_consent=False),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "pseudonym_consent_required"
    assert response.json()["field"] == "pseudonym_consent"
    assert not OutreachContact.objects.exists()


def test_a_session_without_the_second_factor_is_refused(street_worker: User) -> None:
    http = HttpClient()
    http.force_login(street_worker)  # the password, not the code
    response = http.post(URL, _contact(), content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert not OutreachContact.objects.exists()


def test_a_request_without_the_csrf_token_is_refused(street_worker: User) -> None:
    http, _token = _phone(street_worker)
    response = http.post(URL, _contact(), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not OutreachContact.objects.exists()


def test_a_cross_site_request_is_refused_even_with_cookie_and_token(street_worker: User) -> None:
    http, token = _phone(street_worker)
    response = http.post(
        URL,
        _contact(),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not OutreachContact.objects.exists()


def test_a_session_may_only_what_the_role_may(make_staff: Any, org_outreach: Organisation) -> None:
    doctor = make_staff(org_outreach, Role.DOCTOR)  # no harm reduction
    http = login(HttpClient(enforce_csrf_checks=True), doctor)
    http.get(reverse("web:dashboard"))
    token = http.cookies["csrftoken"].value
    response = http.post(URL, _contact(), content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_other_routes_still_take_a_token_only(street_worker: User) -> None:
    http, token = _phone(street_worker)
    for method, path in (("get", "/api/v1/me"), ("get", "/api/v1/clients")):
        response = getattr(http, method)(path, HTTP_X_CSRFTOKEN=token)
        assert response.status_code == 401, path
    response = http.post(
        "/api/v1/clients",
        {"first_name": "A", "last_name": "B"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 401


def test_a_bearer_token_still_works_and_needs_no_csrf_token(street_worker: User) -> None:
    http = HttpClient(enforce_csrf_checks=True)
    response = http.post(
        URL, _contact(), content_type="application/json", **api_headers(street_worker)
    )
    assert response.status_code == 201


def test_the_schema_names_both_ways_in_for_the_route() -> None:
    from bedring.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    security = schema["paths"][URL]["post"]["security"]
    assert {name for entry in security for name in entry} == {"StaffToken", "StaffSession"}
    others = schema["paths"]["/api/v1/clients"]["get"]["security"]
    assert {name for entry in others for name in entry} == {"StaffToken"}
