"""HRM-10: the evaluation in /api/v1/outreach/evaluation: the figures, the checklist's read and
write, the same codes as the pages, an outsider 404, another role 403, no partial write."""

from __future__ import annotations

import datetime
import json

import pytest

from bedring.accounts.models import Site
from bedring.core.roles import Role
from bedring.outreach import evaluation as ev
from bedring.outreach.models import FidelityCheck
from tests.conftest import TODAY, api_headers

from .evaluation_helpers import ago, inquire, record

pytestmark = pytest.mark.django_db

QUARTER = ev.quarter_start(TODAY)
FIGURES = "/api/v1/outreach/evaluation"
FIDELITY = "/api/v1/outreach/evaluation/fidelity"


def put(client, user, body):
    return client.put(
        FIDELITY, data=json.dumps(body), content_type="application/json", **api_headers(user)
    )


def body(org, site="odense", quarter=QUARTER, elements=None):
    return {
        "organisation": str(org.uuid),
        "site": site,
        "quarter": quarter.isoformat() if isinstance(quarter, datetime.date) else quarter,
        "elements": elements
        if elements is not None
        else [
            {"element": "documented", "held": True, "note": "All recorded."},
            {"element": "flexible-frame", "held": False},
        ],
    }


def test_the_figures_per_site_and_for_all_sites(
    client, org_outreach, odense, street_worker, manager_outreach, make_client, make_staff
):
    person = make_client(org_outreach)
    record(org_outreach, odense, street_worker, ago(10), client=person, minutes=30)
    record(org_outreach, odense, street_worker, ago(10), code="API1", minutes=20, hour=14)
    inquire(person, odense, make_staff(org_outreach, Role.COUNSELLOR), ago(5))
    response = client.get(
        f"{FIGURES}?from={ago(20).isoformat()}&to={ago(0).isoformat()}",
        **api_headers(manager_outreach),
    )
    assert response.status_code == 200
    data = response.json()
    assert data["organisation"] == str(org_outreach.uuid)
    assert data["treatment_start_days"] == 30
    assert data["treatment_start_source"].startswith("assumption")
    sites = {s["site"]: s["figures"] for s in data["sites"]}
    assert set(sites) == {"odense", "aarhus"}
    odense_f = sites["odense"]
    assert (odense_f["contacts"], odense_f["persons"], odense_f["persons_codes"]) == (2, 2, 1)
    assert odense_f["minutes_mean"] == 25.0 and odense_f["minutes_median"] == 25.0
    assert (odense_f["treatment_starts"], odense_f["contacts_known"]) == (1, 1)
    assert odense_f["referrals"] == []
    assert data["total"]["contacts"] == 2
    assert data["fidelity"] is not None and len(data["fidelity"]) >= 2


def test_the_default_period_is_the_current_quarter(client, manager_outreach):
    data = client.get(FIGURES, **api_headers(manager_outreach)).json()
    assert data["start"] == QUARTER.isoformat()
    assert data["end"] == ev.quarter_end(QUARTER).isoformat()


def test_an_organisation_without_the_models_evaluation_has_figures_without_the_window(
    client, org_dk, manager
):
    data = client.get(f"{FIGURES}?organisation={org_dk.uuid}", **api_headers(manager)).json()
    assert data["treatment_start_days"] is None and data["fidelity"] is None
    assert data["total"]["treatment_starts"] is None and data["total"]["referrals"] is None
    site = Site.objects.filter(organisation=org_dk).first()
    read = client.get(
        f"{FIDELITY}?organisation={org_dk.uuid}&site={site.slug}", **api_headers(manager)
    )
    assert read.status_code == 200 and read.json()["elements"] == []
    response = put(client, manager, body(org_dk, site=site.slug))
    assert response.status_code == 422
    assert response.json()["code"] == "no_fidelity_elements"


def test_an_organisation_without_outreach_is_422(client, org_no, make_staff):
    manager = make_staff(org_no, Role.MANAGER)
    response = client.get(FIGURES, **api_headers(manager))
    assert response.status_code == 422
    assert response.json()["code"] == "no_outreach"


def test_the_checklist_is_written_and_read(client, org_outreach, manager_outreach):
    response = put(client, manager_outreach, body(org_outreach))
    assert response.status_code == 200, response.content
    elements = {e["element"]: e for e in response.json()["elements"]}
    assert len(elements) == 6
    assert elements["documented"]["held"] is True
    assert elements["documented"]["note"] == "All recorded."
    assert elements["documented"]["checked_by"] == manager_outreach.username
    assert elements["flexible-frame"]["held"] is False
    assert elements["street-cooperation"]["held"] is None
    read = client.get(
        f"{FIDELITY}?site=odense&quarter={QUARTER.isoformat()}", **api_headers(manager_outreach)
    ).json()
    assert read["editable"] is True
    assert read["editable_until"] == ev.fidelity_editable_until(QUARTER).isoformat()
    assert {e["element"]: e["held"] for e in read["elements"]}["documented"] is True
    # A second write changes the one it names and keeps the others.
    put(
        client,
        manager_outreach,
        body(org_outreach, elements=[{"element": "documented", "held": False}]),
    )
    rows = {c.element: c for c in FidelityCheck.objects.filter(quarter=QUARTER)}
    assert not rows["documented"].met and rows["documented"].note == ""
    assert not rows["flexible-frame"].met


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"quarter": (QUARTER + datetime.timedelta(days=14)).isoformat()}, 422, "quarter_invalid"),
        ({"quarter": ev.next_quarter(QUARTER).isoformat()}, 422, "quarter_not_started"),
        (
            {
                "elements": [
                    {"element": "documented", "held": True},
                    {"element": "made-up", "held": True},
                ]
            },
            422,
            "unknown_element",
        ),
        ({"site": "skurvogne"}, 422, "unknown_site"),
        (
            {"elements": [{"element": "documented", "held": True, "note": "x" * 501}]},
            422,
            "note_too_long",
        ),
        ({"elements": []}, 422, "ticks_required"),
    ],
)
def test_bad_writes_answer_their_code_and_write_nothing(
    client, org_outreach, manager_outreach, change, status, code
):
    response = put(client, manager_outreach, {**body(org_outreach), **change})
    assert response.status_code == status
    assert response.json()["code"] == code
    assert not FidelityCheck.objects.exists()


def test_a_site_of_another_organisation_by_its_id_is_422(
    client, org_outreach, org_dk, manager_outreach
):
    other = Site.objects.filter(organisation=org_dk).first()
    response = put(client, manager_outreach, body(org_outreach, site=str(other.uuid)))
    assert response.json()["code"] == "unknown_site"
    read = client.get(f"{FIGURES}?site={other.uuid}", **api_headers(manager_outreach))
    assert (read.status_code, read.json()["code"]) == (422, "unknown_site")


def test_another_role_is_403_and_an_outsider_404(
    client, org_outreach, make_staff, outsider, street_worker
):
    for user in (street_worker, make_staff(org_outreach, Role.COUNSELLOR)):
        assert client.get(FIGURES, **api_headers(user)).status_code == 403
        assert put(client, user, body(org_outreach)).json()["code"] == "forbidden"
    named = f"?organisation={org_outreach.uuid}"
    assert client.get(FIGURES + named, **api_headers(outsider)).json()["code"] == "not_found"
    read = client.get(f"{FIDELITY}{named}&site=odense", **api_headers(outsider))
    assert read.status_code == 404
    response = put(client, outsider, body(org_outreach))
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert not FidelityCheck.objects.exists()


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("?from=2026-01-01", "period_incomplete"),
        ("?from=2026-13-01&to=2026-12-31", "invalid_date"),
        ("?from=2026-03-01&to=2026-02-01", "period_reversed"),
    ],
)
def test_a_bad_period_is_422(client, manager_outreach, query, code):
    response = client.get(FIGURES + query, **api_headers(manager_outreach))
    assert (response.status_code, response.json()["code"]) == (422, code)
