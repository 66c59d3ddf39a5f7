"""GET /api/v1/outcomes: the figures as JSON, scoped like the dashboard."""

from __future__ import annotations

import datetime

from django.test import Client as HttpClient

from bedring.core.roles import Role
from tests.conftest import api_headers

from .conftest import deadline, discharge, episode

D = datetime.date
URL = "/api/v1/outcomes"


def _world(org_dk, make_client, by):
    ann, bo = make_client(org_dk), make_client(org_dk)
    a1 = episode(ann, opened_on=D(2025, 1, 2), started_on=D(2025, 1, 9))
    discharge(a1, by, on=D(2025, 3, 1))
    b1 = episode(bo, opened_on=D(2025, 2, 2), started_on=D(2025, 2, 22))
    discharge(b1, by, on=D(2025, 5, 1), result="not_reached")
    # The TREATMENT_START deadlines (inquiry + 14 days): Ann started on day 7, Bo on day 20.
    deadline(a1, "treatment_start", D(2025, 1, 16), "met", D(2025, 1, 9))
    deadline(b1, "treatment_start", D(2025, 2, 16), "missed", D(2025, 2, 22))


def test_outcomes_as_json(org_dk, make_client, manager):
    _world(org_dk, make_client, manager)
    response = HttpClient().get(
        URL,
        {"organisation": str(org_dk.uuid), "from": "2025-01-01", "to": "2025-12-31"},
        **api_headers(manager),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    figures = {f["key"]: f for f in body["figures"]}
    assert figures["goal_attainment_all"]["numerator"] == 1
    assert figures["goal_attainment_all"]["denominator"] == 2
    assert figures["goal_attainment_all"]["value"] == 0.5
    # Sønderborg has no goal-attainment or readmission target (they are Assens', seed 002).
    assert figures["goal_attainment_all"]["target"] is None
    assert figures["readmission"]["target"] is None
    assert figures["treatment_guarantee"]["target"] == 1.0
    assert figures["treatment_guarantee"]["numerator"] == 1  # 7 days; 20 days is late
    assert figures["treatment_guarantee"]["denominator"] == 2
    assert body["waiting_time"] == {"count": 2, "median_days": 7, "p90_days": 20}
    assert body["organisations"] == [str(org_dk.uuid)]


def test_defaults_to_all_my_organisations_and_this_year(org_dk, manager):
    response = HttpClient().get(URL, **api_headers(manager))
    assert response.status_code == 200
    body = response.json()
    assert body["organisations"] == [str(org_dk.uuid)]
    assert body["start"].endswith("-01-01") and body["end"].endswith("-12-31")


def test_bad_parameters_are_refused_with_codes(org_dk, org_no, manager):
    headers = api_headers(manager)
    http = HttpClient()
    other_site = org_no.sites.first()
    for params, status, code in [
        ({"from": "2025-12-31", "to": "2025-01-01"}, 422, "period_reversed"),
        ({"from": "2025-02-30", "to": "2025-03-01"}, 422, "invalid_date"),
        ({"to": "2025-03-01"}, 422, "period_incomplete"),
        ({"from": "2000-01-01", "to": "2025-03-01"}, 422, "period_too_long"),
        # Dates near year 9999 overflowed the readmission window (a 500 before).
        ({"from": "9999-01-01", "to": "9999-12-31"}, 422, "invalid_date"),
        ({"from": "1999-12-31", "to": "2025-03-01"}, 422, "invalid_date"),
        ({"from": "2025-01-01", "to": "2101-01-01"}, 422, "invalid_date"),
        ({"site": str(other_site.uuid)}, 404, "site_not_found"),
        ({"site": "nonsense"}, 404, "site_not_found"),
        ({"organisation": str(org_no.uuid)}, 404, "organisation_not_found"),
    ]:
        response = http.get(URL, params, **headers)
        assert response.status_code == status, params
        assert response.json()["code"] == code, params


def test_outsider_gets_404_for_our_organisation_and_roles_without_outcomes_403(
    org_dk, make_client, manager, outsider, make_staff
):
    _world(org_dk, make_client, manager)
    response = HttpClient().get(URL, {"organisation": str(org_dk.uuid)}, **api_headers(outsider))
    assert response.status_code == 404
    assert response.json()["code"] == "organisation_not_found"
    # Their own figures hold none of ours.
    response = HttpClient().get(
        URL, {"from": "2025-01-01", "to": "2025-12-31"}, **api_headers(outsider)
    )
    figures = {f["key"]: f for f in response.json()["figures"]}
    assert figures["goal_attainment_all"]["denominator"] == 0
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    response = HttpClient().get(URL, **api_headers(counsellor))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
