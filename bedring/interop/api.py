"""Interoperability: a client's record as a FHIR Bundle.

``GET /clients/{client_id}/fhir`` (the client's public UUID) reads the client through
``clients.access.client_for`` like every client route: another organisation's client is 404,
a role without ``client_read`` 403, and the read is in the access log.
"""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Router

from bedring.accounts.access import Staff
from bedring.clients.access import client_for
from bedring.core.roles import Perm
from bedring.journal.selectors import staff_reader
from bedring.journal.services import restricted_reads_record

from .fhir import MEDIA_TYPE, client_bundle_json
from .selectors import client_record

router = Router(tags=["interop"])


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


@router.get(
    "/clients/{client_id}/fhir",
    openapi_extra={
        "responses": {
            200: {
                "description": "A FHIR R5 Bundle (type collection)",
                "content": {"application/fhir+json": {"schema": {"type": "object"}}},
            }
        }
    },
)
def client_fhir(request: HttpRequest, client_id: UUID) -> HttpResponse:
    """The client's record as a FHIR R5 Bundle of type ``collection``: Patient (with the
    national identifier; none for an anonymous client), EpisodeOfCare per episode, CarePlan
    and Goal per current plan, MedicationRequest per prescription, MedicationAdministration
    per supervised dose and MedicationDispense per take-home handover or exception dose
    handed out in the last 90 days, Observation per urine test and substance, Immunization
    per vaccination dose, Consent per consent and DocumentReference per signed version of
    each journal note the caller may read (a restricted note only for the roles that read
    it; the read is logged). Entries are ``urn:uuid:`` + the public UUID of each record and
    refer to each other by it."""
    client = client_for(
        request,
        _staff(request),
        client_id,
        view="api_client_fhir",
        perm=Perm.CLIENT_READ,
        channel="api",
    )
    staff = _staff(request)
    record = client_record(client, reader=staff_reader(staff, client))
    restricted_reads_record(
        reader=staff.user,
        client=client,
        notes=record.notes,
        view="api_client_fhir",
        channel="api",
        request=request,
    )
    response = HttpResponse(client_bundle_json(record), content_type=MEDIA_TYPE)
    response["Cache-Control"] = "no-store"
    response["X-Bedring-Doses-Since"] = record.doses_since.isoformat()
    return response
