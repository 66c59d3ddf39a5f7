"""JRN-1 in the client's FHIR Bundle: a DocumentReference per signed version of every note
the requester may read; a correction replaces the version before it, which is superseded;
drafts are not there; a restricted note is there (labelled R) only for the roles that read
it, and its export is logged. The bundle still validates and costs the same queries for a
long journal as for a short one."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from fhir.resources.bundle import Bundle

from bedring.journal import services
from bedring.journal.models import NoteRead
from tests.conftest import api_headers
from tests.interop.conftest import build_record
from tests.journal.conftest import World, draft, signed

pytestmark = pytest.mark.django_db


def bundle(client, world: World, user) -> dict[str, Any]:
    response = client.get(f"/api/v1/clients/{world.client.uuid}/fhir", **api_headers(user))
    assert response.status_code == 200, response.content
    Bundle.model_validate_json(response.content)
    return json.loads(response.content)


def documents(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        e["resource"]["id"]: e["resource"]
        for e in body["entry"]
        if e["resource"]["resourceType"] == "DocumentReference"
    }


def text_of(document: dict[str, Any]) -> str:
    return base64.b64decode(document["content"][0]["attachment"]["data"]).decode()


def test_signed_notes_and_their_versions_are_document_references(client, world: World):
    first = signed(world.client, world.counsellor, goals=world.goals[:1])
    correction = services.note_correct(
        note=first, actor=world.counsellor, text="Corrected text.", reason="Typo."
    )
    unsigned = draft(world.client, world.counsellor, text="Not yet signed.")
    body = bundle(client, world, world.counsellor)
    docs = documents(body)
    assert set(docs) == {str(first.uuid), str(correction.uuid)}
    assert str(unsigned.uuid) not in docs
    old, new = docs[str(first.uuid)], docs[str(correction.uuid)]
    assert (old["status"], old["docStatus"]) == ("superseded", "final")
    assert (new["status"], new["docStatus"]) == ("current", "amended")
    assert new["relatesTo"][0]["target"]["reference"] == f"urn:uuid:{first.uuid}"
    assert new["description"] == "Typo."
    assert text_of(old) == "We talked about the week." and text_of(new) == "Corrected text."
    assert new["subject"]["reference"] == f"urn:uuid:{world.client.uuid}"
    assert new["context"][0]["reference"] == f"urn:uuid:{world.episode.uuid}"
    urls = {e["fullUrl"] for e in body["entry"]}
    assert new["context"][0]["reference"] in urls


def test_a_restricted_note_only_for_those_who_read_it(client, world: World):
    note = signed(world.client, world.psychologist, text="Restricted text.", restricted=True)
    assert str(note.uuid) not in documents(bundle(client, world, world.counsellor))
    docs = documents(bundle(client, world, world.doctor))
    assert docs[str(note.uuid)]["securityLabel"][0]["coding"][0]["code"] == "R"
    assert text_of(docs[str(note.uuid)]) == "Restricted text."
    read = NoteRead.objects.get(reader=world.doctor)
    assert (read.note, read.view, read.channel) == (note, "api_client_fhir", "api")


def test_the_bundle_keeps_its_query_bound_with_a_long_journal(
    client, org_dk, make_staff, make_client
):
    """The interop test's short and long records, one with a note and one with a long
    journal with corrections: the same number of queries."""
    short = build_record(org_dk, make_staff, make_client(org_dk))
    signed(short.client, short.counsellor)
    record = build_record(org_dk, make_staff, make_client(org_dk))
    for n in range(40):
        note = signed(record.client, record.counsellor, text=f"Note {n}")
        if n % 5 == 0:
            services.note_correct(note=note, actor=record.counsellor, text=f"{n}!", reason="x")
    headers_short = api_headers(short.counsellor)
    headers_long = api_headers(record.counsellor)
    with CaptureQueriesContext(connection) as few:
        response = client.get(f"/api/v1/clients/{short.client.uuid}/fhir", **headers_short)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/api/v1/clients/{record.client.uuid}/fhir", **headers_long)
    assert response.status_code == 200
    assert len(documents(json.loads(response.content))) == 48
    assert len(many.captured_queries) == len(few.captured_queries) <= 17
    Bundle.model_validate_json(response.content)
