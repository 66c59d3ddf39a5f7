"""HRM-8, PRV-4 through /api/v1/: the same services and codes as the pages. Contacts listed a
page at a time with filters, read, marked checked; a client's street contacts; the people
met recently for the phone's picker; codes created, read, turned into a client, merged. A
phone's ``datetime-local`` time without an offset is the organisation's wall clock. Known
clients are hidden from roles that open no record; an outsider finds nothing."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.test import Client as HttpClient

from bedring.accounts.models import Organisation, Site, User
from bedring.audit.models import AccessEvent
from bedring.clients.models import Client
from bedring.core import clock
from bedring.outreach.models import OutreachContact, Pseudonym
from bedring.outreach.services.contacts import Conflicts
from tests.conftest import api_headers
from tests.outreach.conftest import record

pytestmark = pytest.mark.django_db

CONTACTS = "/api/v1/outreach/contacts"
CODES = "/api/v1/outreach/pseudonyms"


def get(user: User, url: str, status: int = 200) -> object:
    response = HttpClient().get(url, **api_headers(user))
    assert response.status_code == status, response.content
    return response.json()


def post(user: User, url: str, body: object, status: int) -> object:
    response = HttpClient().post(url, body, content_type="application/json", **api_headers(user))
    assert response.status_code == status, response.content
    return response.json()


def test_a_phones_local_time_is_the_organisations_wall_clock(
    org_outreach: Organisation, street_worker: User, outreach_client: Client
) -> None:
    local = clock.local_now(org_outreach).replace(second=0, microsecond=0) - datetime.timedelta(
        minutes=20
    )
    body = {
        "site": "odense",
        "location_type": "shelter",
        "at": local.strftime("%Y-%m-%dT%H:%M"),
        "client": str(outreach_client.uuid),
        "activities": ["conversation"],
        "items_out": {"needle": 2},
        "minutes": 5,
        "note": "From the phone",
        "offline_id": str(uuid.uuid4()),
    }
    created = post(street_worker, CONTACTS, body, 201)
    assert isinstance(created, dict)
    contact = OutreachContact.objects.get(uuid=created["id"])
    assert contact.at == local
    assert created["client"] == str(outreach_client.uuid) and created["note"] == "From the phone"
    assert created["recorded_by"] == street_worker.username
    assert post(street_worker, CONTACTS, body, 200)["id"] == created["id"]  # type: ignore[index]


def test_contacts_are_listed_a_page_at_a_time_with_filters(
    org_outreach: Organisation, odense: Site, street_worker: User
) -> None:
    aarhus = Site.objects.get(organisation=org_outreach, slug="aarhus")
    now = clock.now()
    for hours in (1, 2, 3):
        record(org_outreach, odense, street_worker, at=now - datetime.timedelta(hours=hours))
    record(org_outreach, aarhus, street_worker, at=now - datetime.timedelta(days=3))
    everything = get(street_worker, f"{CONTACTS}?limit=2")
    assert isinstance(everything, dict)
    assert everything["count"] == 4 and len(everything["results"]) == 2
    assert everything["results"][0]["at"] > everything["results"][1]["at"]
    assert get(street_worker, f"{CONTACTS}?site=aarhus")["count"] == 1  # type: ignore[index]
    since = (now - datetime.timedelta(hours=2, minutes=30)).isoformat()
    until = (now - datetime.timedelta(hours=1, minutes=30)).isoformat()
    found = get(
        street_worker,
        f"{CONTACTS}?since={since.replace('+', '%2B')}&until={until.replace('+', '%2B')}",
    )
    assert found["count"] == 1  # type: ignore[index]
    bad = get(street_worker, f"{CONTACTS}?limit=500", 422)
    assert bad["code"] == "invalid_page"  # type: ignore[index]


def test_a_contact_is_read_and_checked_and_a_known_client_is_hidden_from_a_peer_worker(
    org_outreach: Organisation,
    odense: Site,
    street_worker: User,
    outreach_client: Client,
    make_staff,
) -> None:
    contact = record(org_outreach, odense, street_worker, client=outreach_client, note="Private")
    OutreachContact.objects.filter(pk=contact.pk).update(conflict=Conflicts.BECAME_CLIENT)
    read = get(street_worker, f"{CONTACTS}/{contact.uuid}")
    assert read["client"] == str(outreach_client.uuid) and read["note"] == "Private"  # type: ignore[index]
    assert AccessEvent.objects.filter(
        actor=street_worker, client=outreach_client, view="api_outreach_contact", channel="api"
    ).exists()
    peer = make_staff(org_outreach, "peer_worker")
    hidden = get(peer, f"{CONTACTS}/{contact.uuid}")
    assert hidden["client"] is None and hidden["note"] == ""  # type: ignore[index]
    listed = get(peer, CONTACTS)
    assert listed["results"][0]["client"] is None  # type: ignore[index]
    checked = post(peer, f"{CONTACTS}/{contact.uuid}/checked", {}, 200)
    assert checked["conflict"] == ""  # type: ignore[index]
    assert not AccessEvent.objects.filter(actor=peer).exists()


def test_a_clients_street_contacts(
    org_outreach: Organisation,
    odense: Site,
    street_worker: User,
    outreach_client: Client,
    outsider: User,
) -> None:
    record(org_outreach, odense, street_worker, client=outreach_client)
    record(org_outreach, odense, street_worker)
    url = f"/api/v1/clients/{outreach_client.uuid}/outreach-contacts"
    page = get(street_worker, url)
    assert page["count"] == 1  # type: ignore[index]
    assert get(outsider, url, 404)["code"] == "not_found"  # type: ignore[index]


def test_the_people_met_recently_for_the_phones_picker(
    org_outreach: Organisation,
    odense: Site,
    street_worker: User,
    outreach_client: Client,
    dropin_worker: User,
    make_client,
) -> None:
    long_ago = make_client(org_outreach)
    record(org_outreach, odense, street_worker, client=outreach_client)
    record(org_outreach, odense, street_worker, pseudonym_code="RP-1", pseudonym_consent=True)
    OutreachContact.objects.create(
        organisation=org_outreach,
        site=odense,
        at=clock.now() - datetime.timedelta(days=45),
        location_type="street",
        client=long_ago,
        minutes=5,
        recorded_by=street_worker,
    ).staff.set([street_worker])
    recent = get(street_worker, "/api/v1/outreach/people/recent")
    assert recent == {
        "clients": [
            {
                "id": str(outreach_client.uuid),
                "code": outreach_client.code,
                "first_name": outreach_client.first_name,
            }
        ],
        "pseudonyms": [{"code": "RP-1"}],
    }
    assert AccessEvent.objects.filter(client=outreach_client, view="api_outreach_recent").exists()
    record(org_outreach, odense, dropin_worker, pseudonym_code="RP-1")
    assert get(dropin_worker, "/api/v1/outreach/people/recent") == {
        "clients": [],
        "pseudonyms": [{"code": "RP-1"}],
    }


def test_codes_are_created_read_turned_into_a_client_and_merged(
    org_outreach: Organisation,
    odense: Site,
    street_worker: User,
    dropin_worker: User,
    outsider: User,
) -> None:
    created = post(street_worker, CODES, {"code": "api-1", "consent": True}, 201)
    assert created["code"] == "API-1" and created["contact_count"] == 0  # type: ignore[index]
    refused = post(street_worker, CODES, {"code": "API-2"}, 422)
    assert refused["code"] == "pseudonym_consent_required"  # type: ignore[index]
    taken = post(street_worker, CODES, {"code": "API-1", "consent": True}, 409)
    assert taken["code"] == "pseudonym_taken"  # type: ignore[index]
    post(street_worker, CODES, {"code": "API-3", "consent": True}, 201)
    record(org_outreach, odense, street_worker, pseudonym_code="API-3")
    listed = get(street_worker, f"{CODES}?q=api")
    assert listed["count"] == 2 and listed["results"][0]["code"] == "API-3"  # type: ignore[index]

    merged = post(street_worker, f"{CODES}/{created['id']}/merge", {"into": "api-3"}, 200)  # type: ignore[index]
    assert merged["code"] == "API-3"  # type: ignore[index]
    again = post(street_worker, f"{CODES}/{created['id']}/merge", {"into": "api-3"}, 409)  # type: ignore[index]
    assert again["code"] == "pseudonym_merged"  # type: ignore[index]
    kept = Pseudonym.objects.get(organisation=org_outreach, code="API-3")
    assert get(street_worker, f"{CODES}/{created['id']}")["merged_into"] == "API-3"  # type: ignore[index]

    client_url = f"{CODES}/{kept.uuid}/client"
    assert post(
        dropin_worker, client_url, {"consent": True, "first_name": "A", "last_name": "B"}, 403
    )
    assert post(street_worker, client_url, {"first_name": "A", "last_name": "B"}, 422)["code"] == (  # type: ignore[index]
        "client_consent_required"
    )
    became = post(
        street_worker, client_url, {"consent": True, "first_name": "Ane", "last_name": "Gade"}, 201
    )
    assert became["joined"] == 1  # type: ignore[index]
    client = Client.objects.get(uuid=became["client"]["id"])  # type: ignore[index]
    assert OutreachContact.objects.get(pseudonym=kept).client == client
    detail = get(street_worker, f"{CODES}/{kept.uuid}")
    assert detail["client"] == str(client.uuid)  # type: ignore[index]
    assert get(dropin_worker, f"{CODES}/{kept.uuid}")["client"] is None  # type: ignore[index]
    # another organisation finds nothing of ours
    assert get(outsider, f"{CODES}/{kept.uuid}", 404)["code"] == "not_found"  # type: ignore[index]
    assert post(outsider, f"{CODES}/{kept.uuid}/merge", {"into": "API-1"}, 404)
    assert post(
        outsider, CODES, {"organisation": str(org_outreach.uuid), "code": "X", "consent": True}, 404
    )
    assert get(outsider, f"{CODES}")["count"] == 0  # type: ignore[index]


def test_a_role_without_harm_reduction_is_refused(
    org_outreach: Organisation, odense: Site, street_worker: User, outreach_doctor: User
) -> None:
    contact = record(org_outreach, odense, street_worker)
    for url in (CONTACTS, f"{CONTACTS}/{contact.uuid}", CODES, "/api/v1/outreach/people/recent"):
        assert get(outreach_doctor, url, 403)["code"] == "forbidden"  # type: ignore[index]


def test_naming_another_organisation_reveals_nothing(
    org_outreach: Organisation, outsider: User
) -> None:
    assert get(outsider, f"{CONTACTS}?organisation={org_outreach.uuid}", 404)["code"] == "not_found"  # type: ignore[index]
    assert get(outsider, f"{CODES}?organisation={org_outreach.uuid}", 404)["code"] == "not_found"  # type: ignore[index]
