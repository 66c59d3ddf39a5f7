"""The client's record as a FHIR R5 Bundle (GET /api/v1/clients/{id}/fhir): it parses with
fhir.resources, carries each resource type with references that resolve inside the bundle,
the national identifier with its jurisdiction's system (none for an anonymous client), only
the client's own organisation's rows, and costs the same number of queries for a long
history as for a short one. An outsider gets 404, a role without client access 403."""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from fhir.resources.bundle import Bundle
from stdnum.no import fodselsnummer

from bedring.audit.models import AccessEvent
from bedring.clients import services as client_services
from bedring.core import clock
from bedring.core.roles import Role
from bedring.health.services import vaccination_record
from bedring.interop.selectors import DOSE_WINDOW_DAYS
from bedring.medication.models import Dispensing, Medicine, Prescription, UrineTest
from bedring.medication.services.records import urine_test_record
from bedring.pathway.models import Discharge, Episode, GoalResult
from tests.conftest import api_headers
from tests.medication.records_fixtures import dispense, make_prescription

from .conftest import Record, build_record, days, take_home


def url(client: Any) -> str:
    return f"/api/v1/clients/{client.uuid}/fhir"


def fetch(http: Any, client: Any, user: Any) -> dict[str, Any]:
    response = http.get(url(client), **api_headers(user))
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate_json(response.content)
    assert bundle.type == "collection"
    return json.loads(response.content)


def resources(body: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in body["entry"] if e["resource"]["resourceType"] == kind]


def by_url(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["fullUrl"]: e["resource"] for e in body["entry"]}


def references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def urn(public_uuid: Any) -> str:
    return f"urn:uuid:{public_uuid}"


def test_the_bundle_carries_each_resource_with_references_inside_it(client, record: Record):
    body = fetch(client, record.client, record.counsellor)
    entries = by_url(body)
    # Every entry is urn:uuid:<public uuid> with the same id, once; every reference resolves.
    assert len(entries) == len(body["entry"])
    for full_url, resource in entries.items():
        assert full_url == urn(resource["id"])
    assert set(references(body)) <= set(entries)
    patient_url = urn(record.client.uuid)
    assert entries[patient_url]["resourceType"] == "Patient"
    for resource in entries.values():
        if resource["resourceType"] != "Patient":
            subject = resource.get("subject") or resource.get("patient")
            assert subject == {"reference": patient_url}, resource["resourceType"]

    (patient,) = resources(body, "Patient")
    assert patient["identifier"][0]["system"] == "urn:oid:1.2.208.176.1.2"
    assert patient["identifier"][0]["value"] == record.client.national_id
    assert patient["name"][0]["family"] == record.client.last_name
    assert patient["birthDate"] == record.client.birth_date.isoformat()
    assert patient["address"][0]["city"] == "Sønderborg"
    assert patient["communication"][0]["language"]["coding"][0]["code"] == "da"
    assert patient["managingOrganization"] == {"display": record.client.organisation.name}

    (episode,) = resources(body, "EpisodeOfCare")
    assert episode["id"] == str(record.episode.uuid)
    assert episode["status"] == "active"  # in assessment
    assert episode["period"] == {"start": record.episode.opened_on.isoformat()}
    assert episode["managingOrganization"] == {"display": record.client.organisation.name}

    (plan,) = resources(body, "CarePlan")
    goals = resources(body, "Goal")
    assert plan["id"] == str(record.plan.uuid)
    assert (plan["status"], plan["intent"]) == ("active", "plan")
    assert plan["supportingInfo"] == [{"reference": urn(record.episode.uuid)}]
    assert [g["reference"] for g in plan["goal"]] == [urn(g.uuid) for g in record.plan.goals.all()]
    assert [g["description"]["text"] for g in goals] == [
        "Drink no alcohol on weekdays",
        "Apply for two jobs",
    ]
    assert {g["lifecycleStatus"] for g in goals} == {"active"}
    assert goals[0]["target"][0]["detailString"] == "0 drinks Monday to Thursday"

    (request,) = resources(body, "MedicationRequest")
    request_url = urn(record.prescription.uuid)
    assert request["id"] == str(record.prescription.uuid)
    assert (request["status"], request["intent"]) == ("active", "order")
    coding = request["medication"]["concept"]["coding"][0]
    assert coding == {
        "system": "http://www.whocc.no/atc",
        "code": record.prescription.medicine.atc_code,
    }
    supervised_days, home_days = request["dosageInstruction"]
    assert supervised_days["timing"]["repeat"]["dayOfWeek"] == ["mon", "tue", "wed", "thu", "fri"]
    assert home_days["timing"]["repeat"]["dayOfWeek"] == ["sat", "sun"]
    assert supervised_days["doseAndRate"][0]["doseQuantity"]["value"] == 60
    assert request["supportingInformation"] == [{"reference": urn(record.episode.uuid)}]

    # The supervised dose of two days ago; the one of 200 days ago is outside the window.
    (administration,) = resources(body, "MedicationAdministration")
    assert administration["id"] == str(record.supervised.uuid)
    assert administration["request"] == {"reference": request_url}
    assert administration["dosage"]["dose"]["value"] == 60
    assert str(record.old_dose.uuid) not in {e["id"] for e in entries.values()}

    # The take-home handover of two days is one dispense of 120 mg for 2 days.
    (dispense_,) = resources(body, "MedicationDispense")
    assert dispense_["id"] == str(record.handover)
    assert dispense_["authorizingPrescription"] == [{"reference": request_url}]
    assert dispense_["quantity"]["value"] == 120
    assert dispense_["daysSupply"]["value"] == 2

    # A panel per urine test, a member per substance tested (not the ones not tested).
    observations = resources(body, "Observation")
    (panel,) = [o for o in observations if o["id"] == str(record.urine_test.uuid)]
    members = [entries[m["reference"]] for m in panel["hasMember"]]
    assert len(observations) == 3 and len(members) == 2
    values = {m["code"]["text"]: m["valueCodeableConcept"]["coding"][0]["code"] for m in members}
    assert values == {
        "Urine drug test: Opiates": "260385009",
        "Urine drug test: Cocaine": "10828004",
    }
    assert {m["effectiveDateTime"] for m in members} == {record.urine_test.sampled_on.isoformat()}

    (immunization,) = resources(body, "Immunization")
    assert immunization["vaccineCode"]["coding"] == [
        {"system": "http://www.whocc.no/atc", "code": "J07BC01"}
    ]
    assert immunization["protocolApplied"][0]["doseNumber"] == "1"
    assert immunization["protocolApplied"][0]["seriesDoses"] == "3"
    assert immunization["lotNumber"] == "HB-4711"
    assert immunization["occurrenceDateTime"] == record.vaccination.given_on.isoformat()

    consents = {c["id"]: c for c in resources(body, "Consent")}
    given = consents[str(record.consent.uuid)]
    assert (given["status"], given["decision"]) == ("active", "permit")
    assert given["grantor"] == [{"reference": patient_url}]
    assert given["grantee"] == [{"display": "Dr. Hansen"}]
    assert given["provision"][0]["code"] == [{"text": "The treatment plan and the medication"}]
    withdrawn = consents[str(record.withdrawn_consent.uuid)]
    assert withdrawn["status"] == "inactive"
    assert withdrawn["grantor"] == [{"display": "Grete Jensen"}]

    assert AccessEvent.objects.filter(
        client=record.client, actor=record.counsellor, view="api_client_fhir", channel="api"
    ).exists()


@pytest.mark.parametrize(
    ("organisation", "system"),
    [
        ("org_dk", "urn:oid:1.2.208.176.1.2"),
        ("org_no", "urn:oid:2.16.578.1.12.4.1.4.1"),
        ("org_be", "https://www.ehealth.fgov.be/standards/fhir/core/NamingSystem/ssin"),
    ],
)
def test_the_national_identifier_has_its_jurisdictions_system(
    client, request, make_client, make_staff, organisation, system
):
    org = request.getfixturevalue(organisation)
    person = make_client(org)
    body = fetch(client, person, make_staff(org, Role.COUNSELLOR))
    (patient,) = resources(body, "Patient")
    assert patient["identifier"] == [
        {
            "use": "official",
            "system": system,
            "value": person.national_id,
            "type": {"text": person.get_identifier_kind_display()},
        }
    ]


def d_number() -> str:
    """A synthetic Norwegian D-number (born 1 January 1980: day 01 + 40 = 41)."""
    for individual in range(500):
        for checks in range(100):
            candidate = f"410180{individual:03d}{checks:02d}"
            if fodselsnummer.is_valid(candidate):
                return candidate
    raise AssertionError("no D-number found")


def test_a_norwegian_d_number_has_its_own_system(client, org_no, make_client, make_staff):
    person = make_client(org_no, national_id=d_number())
    assert person.identifier_kind == "no_dnr"
    body = fetch(client, person, make_staff(org_no, Role.COUNSELLOR))
    (patient,) = resources(body, "Patient")
    assert patient["identifier"][0]["system"] == "urn:oid:2.16.578.1.12.4.1.4.2"


def test_an_anonymous_client_has_no_identifier_name_or_contact(
    client, org_dk, make_client, make_staff
):
    anonymous = make_client(
        org_dk,
        anonymous=True,
        national_id="",
        first_name="",
        last_name="",
        phone="",
        birth_date=datetime.date(1990, 5, 17),
    )
    body = fetch(client, anonymous, make_staff(org_dk, Role.COUNSELLOR))
    (patient,) = resources(body, "Patient")
    for element in ("identifier", "name", "telecom", "address"):
        assert element not in patient
    assert patient["birthDate"] == "1990"
    assert str(anonymous.code) not in json.dumps(body)


def test_an_outsider_gets_404_and_nothing_is_logged(client, record: Record, outsider):
    response = client.get(url(record.client), **api_headers(outsider))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not AccessEvent.objects.filter(actor=outsider).exists()


def test_a_role_without_client_access_gets_403(client, record: Record, org_dk, make_staff):
    administrator = make_staff(org_dk, Role.ADMINISTRATOR)
    response = client.get(url(record.client), **api_headers(administrator))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not AccessEvent.objects.filter(actor=administrator).exists()


def test_anonymous_callers_get_401(client, record: Record):
    response = client.get(url(record.client))
    assert response.status_code == 401


def test_a_discharged_episode_is_finished_with_the_goals_results(client, record: Record):
    """DIS-1 (the models only): a discharge makes the episode finished and ends its period,
    the plan completed, each goal completed with its result."""
    discharged_on = record.today
    discharge = Discharge.objects.create(
        episode=record.episode,
        organisation=record.client.organisation,
        client=record.client,
        discharged_on=discharged_on,
        status="completed",
        overall_result="reduced",
        discharged_by=record.counsellor,
    )
    first, second = record.plan.goals.all()
    GoalResult.objects.create(discharge=discharge, goal=first, outcome="reached")
    GoalResult.objects.create(discharge=discharge, goal=second, outcome="dropped")
    body = fetch(client, record.client, record.counsellor)
    (episode,) = resources(body, "EpisodeOfCare")
    assert episode["status"] == "finished"
    assert episode["period"]["end"] == discharged_on.isoformat()
    (plan,) = resources(body, "CarePlan")
    assert plan["status"] == "completed"
    goals = {g["id"]: g for g in resources(body, "Goal")}
    reached = goals[str(first.uuid)]
    assert reached["lifecycleStatus"] == "completed"
    assert reached["achievementStatus"]["coding"][0]["code"] == "achieved"
    assert goals[str(second.uuid)]["lifecycleStatus"] == "cancelled"


def test_a_withdrawn_episode_is_cancelled(client, record: Record):
    Episode.objects.filter(pk=record.episode.pk).update(state="withdrawn", closed_on=record.today)
    body = fetch(client, record.client, record.counsellor)
    (episode,) = resources(body, "EpisodeOfCare")
    assert episode["status"] == "cancelled"
    assert episode["period"]["end"] == record.today.isoformat()
    (plan,) = resources(body, "CarePlan")
    assert plan["status"] == "revoked"


def test_no_row_of_another_client_or_organisation(
    client, record: Record, org_dk, org_no, make_client
):
    """Another client's vaccination is not there, nor a (inconsistent) prescription row of
    another organisation that names this client."""
    other = make_client(org_dk)
    other_dose = vaccination_record(
        client=other,
        actor=record.nurse,
        schedule="hepatitis_a",
        dose=1,
        given_on=record.today,
    )
    foreign = Prescription.objects.create(
        client=record.client,
        organisation=org_no,
        medicine=Medicine.objects.get(key="methadone-oral-solution"),
        doses_counted_from=record.today,
    )
    foreign_test = UrineTest.objects.create(
        client=record.client,
        organisation=org_no,
        sampled_on=record.today,
        results={"opiates": "positive"},
        recorded_by=record.nurse,
    )
    body = fetch(client, record.client, record.counsellor)
    ids = {e["resource"]["id"] for e in body["entry"]}
    for row in (other, other_dose, foreign, foreign_test):
        assert str(row.uuid) not in ids
    assert other.national_id not in json.dumps(body)
    assert org_no.name not in json.dumps(body)


def lengthen(record: Record) -> None:
    """Years of history: old and recent doses, take-home handovers, urine tests, another
    prescription, episodes before this one, vaccinations and consents."""
    today = record.today
    for n in range(3, DOSE_WINDOW_DAYS):
        dispense(record.prescription, today - days(n), actor=record.nurse)
    second = make_prescription(
        record.client, prescriber=record.doctor, medicine="buprenorphine-sublingual"
    )
    for n in range(1, 20):
        dispense(second, today - days(n), actor=record.nurse)
    take_home(second, today + days(1), 3, actor=record.nurse)
    for n in range(1, 25):
        urine_test_record(
            client=record.client,
            actor=record.nurse,
            sampled_on=today - days(7 * n),
            results={"opiates": "negative", "cannabis": "positive", "alcohol": "negative"},
            today=today,
        )
    for years_ago in (3, 2):
        Episode.objects.create(
            organisation=record.client.organisation,
            client=record.client,
            state="withdrawn",
            opened_on=today - days(365 * years_ago),
            closed_on=today - days(365 * years_ago - 30),
        )
    vaccination_record(
        client=record.client,
        actor=record.nurse,
        schedule="hepatitis_a",
        dose=1,
        given_on=today - days(400),
    )
    for n in range(5):
        client_services.consent_add(
            client=record.client,
            party="hospital",
            scope=f"Discharge letters {n}",
            valid_from=today - days(100 + n),
            valid_until=today - days(50),
            given_by="client",
        )


def test_the_query_count_does_not_grow_with_the_history(
    client, org_dk, make_staff, make_client, record: Record
):
    short = build_record(org_dk, make_staff, make_client(org_dk))
    headers_short = api_headers(short.counsellor)
    headers_long = api_headers(record.counsellor)
    lengthen(record)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(short.client), **headers_short).status_code == 200
    with CaptureQueriesContext(connection) as many:
        response = client.get(url(record.client), **headers_long)
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries) <= 16
    body = json.loads(response.content)
    assert len(resources(body, "EpisodeOfCare")) == 3
    assert len(resources(body, "MedicationRequest")) == 2
    assert len(resources(body, "MedicationDispense")) == 2
    # Every dose in the window, not older: 87 + 1 supervised of the first prescription.
    assert len(resources(body, "MedicationAdministration")) == (DOSE_WINDOW_DAYS - 3) + 1 + 19
    Bundle.model_validate_json(response.content)


def test_a_dose_handed_out_before_the_window_is_left_out(client, record: Record):
    start = clock.today(record.client.organisation) - days(DOSE_WINDOW_DAYS)
    late = dispense(record.prescription, start - days(1), actor=record.nurse)
    inside = dispense(record.prescription, start + days(1), actor=record.nurse)
    Dispensing.objects.filter(pk=late.pk).update(
        handed_out_at=clock.now() - days(DOSE_WINDOW_DAYS + 2)
    )
    Dispensing.objects.filter(pk=inside.pk).update(
        handed_out_at=clock.now() - days(DOSE_WINDOW_DAYS - 2)
    )
    body = fetch(client, record.client, record.counsellor)
    ids = {a["id"] for a in resources(body, "MedicationAdministration")}
    assert str(inside.uuid) in ids
    assert str(late.uuid) not in ids
    assert uuid.UUID(body["id"])  # the bundle has an id of its own


def test_an_exception_dose_is_a_dispense_with_its_reason(client, record: Record):
    """A replacement for a lost dose was handed out, not seen taken: a MedicationDispense
    of one dose with the reason, next to the take-home handover."""
    lost = dispense(
        record.prescription, record.today - days(2), actor=record.nurse, kind="exception"
    )
    body = fetch(client, record.client, record.counsellor)
    dispenses = {d["id"]: d for d in resources(body, "MedicationDispense")}
    assert set(dispenses) == {str(lost.uuid), str(record.handover)}
    replacement = dispenses[str(lost.uuid)]
    assert replacement["type"] == {"text": "Replacement for a lost dose"}
    assert replacement["quantity"]["value"] == 60
    assert "daysSupply" not in replacement
    assert {"text": "Dose lost on the way home."} in replacement["note"]
    assert str(lost.uuid) not in {a["id"] for a in resources(body, "MedicationAdministration")}


def test_a_corrected_dose_is_entered_in_error_not_completed(client, record: Record):
    """A dose recorded by mistake and corrected at the desk stays in the record, but FHIR
    must not say it was given."""
    Dispensing.objects.filter(pk=record.supervised.pk).update(corrected=True)
    body = fetch(client, record.client, record.counsellor)
    (administration,) = resources(body, "MedicationAdministration")
    assert administration["id"] == str(record.supervised.uuid)
    assert administration["status"] == "entered-in-error"
    (dispense_,) = resources(body, "MedicationDispense")
    assert dispense_["status"] == "completed"
