"""Clients, consents, relatives and children through /api/v1/ (PRV-1, PRV-2, REL-1, DEC-7).

The API applies the same services and rules as the HTML pages and answers with the same
stable error codes, always as JSON. Failing requests write nothing.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.test import Client as HttpClient
from stdnum.be import nn as be_nn

from bedring.accounts import services as account_services
from bedring.accounts.models import Organisation, User
from bedring.audit.models import AccessEvent
from bedring.clients.models import ChildAtHome, Client, Consent, Relative
from bedring.core.roles import Role
from bedring.rules.loader import load_pack
from bedring.synthetic.people import dk_cpr, no_fnr
from tests.conftest import TODAY, api_headers

CLIENTS = "/api/v1/clients"


def row_counts() -> dict[str, int]:
    """Rows of client data and of the change log. The access log is checked separately:
    a request refused before the record is reached (401, 403, 404) must not add to it."""
    return {
        "clients": Client.objects.count(),
        "consents": Consent.objects.count(),
        "relatives": Relative.objects.count(),
        "children": ChildAtHome.objects.count(),
        "changes": LogEntry.objects.count(),
    }


def all_counts() -> dict[str, int]:
    return {**row_counts(), "access": AccessEvent.objects.count()}


class Api:
    """A program calling the API with one staff member's token."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.http = HttpClient(enforce_csrf_checks=True)
        self.headers = {"Authorization": api_headers(user)["HTTP_AUTHORIZATION"]}

    def get(self, path: str, **params: Any) -> Any:
        return self.http.get(path, params, headers=self.headers)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.http.post(path, body, content_type="application/json", headers=self.headers)

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.http.patch(path, body, content_type="application/json", headers=self.headers)

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.http.put(path, body, content_type="application/json", headers=self.headers)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["message"]
    return body


@pytest.fixture
def rng() -> random.Random:
    return random.Random(20261123)


@pytest.fixture
def api(counsellor: User) -> Api:
    """A Danish counsellor's script."""
    return Api(counsellor)


@pytest.fixture
def no_counsellor(org_no: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(org_no, Role.COUNSELLOR)


@pytest.fixture
def minor(org_dk: Organisation, make_client: Callable[..., Client], rng) -> Client:
    """A 12-year-old client in Sønderborg (DK: parental consent under 15)."""
    return make_client(
        org_dk,
        national_id=dk_cpr(TODAY - relativedelta(years=12, days=100), "female", rng),
        first_name="Ida",
    )


def consent_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "party": "gp",
        "party_name": "Lægehuset Kongevej",
        "scope": "Medication list and test results",
        "valid_from": TODAY.isoformat(),
        "given_by": "client",
    }
    body.update(overrides)
    return body


# --- Registering ---------------------------------------------------------------------------


def test_registering_a_client_with_a_valid_cpr_is_201_with_the_record(api, org_dk, rng):
    """PRV-1: a client is registered with a valid CPR number; birth date and sex follow."""
    # given a Danish counsellor's script and a valid synthetic CPR number
    cpr = dk_cpr(datetime.date(1985, 4, 12), "female", rng)
    before = all_counts()

    # when it registers a client
    response = api.post(
        CLIENTS,
        {"national_id": cpr, "first_name": "Mette", "last_name": "Holm", "city": "Sønderborg"},
    )

    # then the record is created in the counsellor's organisation
    assert response.status_code == 201, response.content
    body = response.json()
    client = Client.objects.get(uuid=body["id"])
    assert client.organisation_id == org_dk.pk
    assert body["organisation"] == str(org_dk.uuid)
    assert body["national_id"] == cpr
    assert body["identifier_kind"] == "dk_cpr"
    assert body["birth_date"] == "1985-04-12"
    assert body["sex"] == "female"
    assert (body["first_name"], body["last_name"], body["city"]) == ("Mette", "Holm", "Sønderborg")
    assert body["display_name"] == "Mette Holm"
    assert body["code"].startswith("SON-")
    assert body["anonymous"] is False
    assert body["archived"] is False
    assert all_counts()["clients"] == before["clients"] + 1


def test_registering_the_same_cpr_again_is_409_naming_the_existing_client(api, rng):
    """PRV-1: never two records for one person in one organisation."""
    # given a registered client
    cpr = dk_cpr(datetime.date(1979, 9, 30), "male", rng)
    first = api.post(CLIENTS, {"national_id": cpr, "last_name": "Lund"}).json()
    before = all_counts()

    # when the same CPR number is registered again (written with a dash)
    response = api.post(CLIENTS, {"national_id": f"{cpr[:6]}-{cpr[6:]}", "last_name": "Lund"})

    # then it is 409 duplicate_client pointing at the existing record, and nothing is written
    body = assert_error(response, 409, "duplicate_client")
    assert body["details"] == {"client": first["id"]}
    assert body["field"] == "national_id"
    assert all_counts() == before


def test_the_same_person_may_be_a_client_of_two_organisations(api, make_staff, rng):
    """PRV-1: each organisation has its own closed record system: the duplicate check does
    not look into (or reveal) another organisation's clients."""
    # given a person registered in Sønderborg
    cpr = dk_cpr(datetime.date(1990, 5, 17), "male", rng)
    assert api.post(CLIENTS, {"national_id": cpr, "last_name": "Lund"}).status_code == 201
    assens = Api(make_staff(load_pack("assens"), Role.COUNSELLOR))

    # when Assens registers the same person
    response = assens.post(CLIENTS, {"national_id": cpr, "last_name": "Lund"})

    # then Assens gets its own record; a repeat in Assens is a duplicate there
    assert response.status_code == 201, response.content
    assert Client.objects.filter(national_id=cpr).count() == 2
    again = assens.post(CLIENTS, {"national_id": cpr, "last_name": "Lund"})
    assert_error(again, 409, "duplicate_client")
    assert again.json()["details"] == {"client": response.json()["id"]}


def test_a_wrong_check_digit_in_norway_is_422_id_checksum(no_counsellor, rng):
    """PRV-1: a mistyped fødselsnummer is caught by its check digits."""
    # given a valid fødselsnummer with its last digit changed
    fnr = no_fnr(datetime.date(1990, 5, 17), "male", rng)
    typo = fnr[:-1] + str((int(fnr[-1]) + 1) % 10)
    assert not be_nn.is_valid(typo)  # not accidentally another country's number
    norway = Api(no_counsellor)
    before = all_counts()

    # when it is registered in Sandnes
    response = norway.post(CLIENTS, {"national_id": typo, "last_name": "Berg"})

    # then it is 422 id_checksum on the national_id field, and nothing is written
    body = assert_error(response, 422, "id_checksum")
    assert body["field"] == "national_id"
    assert all_counts() == before


def test_an_impossible_birth_date_is_422_invalid_input(api):
    """PRV-1: 30 February is not a date; the API says which field is wrong."""
    # given a payload with birth date 2026-02-30
    before = all_counts()

    # when it is posted
    response = api.post(CLIENTS, {"last_name": "Holm", "birth_date": "2026-02-30"})

    # then it is 422 invalid_input naming birth_date, and nothing is written
    body = assert_error(response, 422, "invalid_input")
    assert any("birth_date" in (err["field"] or "") for err in body["errors"])
    assert all_counts() == before


def test_a_birth_date_in_the_future_is_422(api):
    """PRV-1: a birth date after today is refused by the service rule."""
    # given a birth date next year
    before = all_counts()

    # when it is posted
    response = api.post(CLIENTS, {"last_name": "Holm", "birth_date": "2030-01-01"})

    # then it is refused with the service's code
    body = assert_error(response, 422, "birth_date_future")
    assert body["field"] == "birth_date"
    assert all_counts() == before


def test_a_client_needs_a_name_unless_anonymous(api):
    """PRV-1: a client without identifier is named, or registered as anonymous."""
    # given no name and no identifier
    before = all_counts()

    # when it is posted, and then posted as anonymous
    nameless = api.post(CLIENTS, {})
    assert_error(nameless, 422, "name_required")
    assert all_counts() == before
    anonymous = api.post(CLIENTS, {"anonymous": True, "first_name": "Not stored"})

    # then only the anonymous registration is accepted, without the name
    assert anonymous.status_code == 201
    assert anonymous.json()["first_name"] == ""
    assert anonymous.json()["identifier_kind"] == "none"


@pytest.mark.parametrize("role", [Role.PEER_WORKER, Role.ADMINISTRATOR, Role.DROPIN_WORKER])
def test_staff_without_client_rights_cannot_register(org_dk, make_staff, role, rng):
    """PRV-1: peer workers, drop-in workers and the administrator do not open records."""
    # given a staff member without client rights in Sønderborg
    api = Api(make_staff(org_dk, role))
    before = all_counts()

    # when their script registers a client
    response = api.post(
        CLIENTS,
        {"national_id": dk_cpr(datetime.date(1980, 1, 1), "male", rng), "last_name": "Holm"},
    )

    # then it is 403 forbidden and nothing is written
    assert_error(response, 403, "forbidden")
    assert all_counts() == before


def test_staff_in_two_organisations_must_name_the_organisation(counsellor, org_no, rng):
    """PRV-1: a record is registered in one named organisation, never a guessed one."""
    # given a counsellor in Sønderborg who also works in Sandnes
    account_services.membership_add(user=counsellor, organisation=org_no, roles=[Role.COUNSELLOR])
    api = Api(counsellor)
    before = all_counts()

    # when their script registers a client without naming the organisation
    response = api.post(CLIENTS, {"last_name": "Haugen"})

    # then it is 422 organisation_required and nothing is written
    body = assert_error(response, 422, "organisation_required")
    assert body["field"] == "organisation"
    assert all_counts() == before

    # and naming Sandnes registers the client there, with Norwegian identifier rules
    fnr = no_fnr(datetime.date(1988, 2, 2), "female", rng)
    named = api.post(
        CLIENTS, {"organisation": str(org_no.uuid), "national_id": fnr, "last_name": "Haugen"}
    )
    assert named.status_code == 201, named.content
    assert named.json()["organisation"] == str(org_no.uuid)
    assert named.json()["identifier_kind"] == "no_fnr"


def test_naming_an_organisation_one_does_not_belong_to_is_404(api, org_be):
    """PRV-1: another organisation is not revealed, let alone written to."""
    # given a Danish counsellor
    before = all_counts()

    # when their script registers a client in MSOC Oostende
    response = api.post(CLIENTS, {"organisation": str(org_be.uuid), "last_name": "Peeters"})

    # then it is 404 and nothing is written
    assert_error(response, 404, "not_found")
    assert all_counts() == before


# --- Reading -------------------------------------------------------------------------------


def test_reading_a_client_returns_the_record_and_logs_the_access(api, dk_client, counsellor):
    """PRV-1: every read of a client record through the API is in the access log."""
    # given a client of the counsellor's organisation
    before = AccessEvent.objects.count()

    # when the script reads the client
    response = api.get(f"{CLIENTS}/{dk_client.uuid}")

    # then the record is returned and one access event with channel api is written
    assert response.status_code == 200
    assert response.json()["id"] == str(dk_client.uuid)
    assert response.json()["last_name"] == dk_client.last_name
    assert AccessEvent.objects.count() == before + 1
    event = AccessEvent.objects.order_by("-pk").first()
    assert event is not None
    assert (event.actor_id, event.client_id, event.channel) == (
        counsellor.pk,
        dk_client.pk,
        "api",
    )
    assert event.organisation_id == dk_client.organisation_id
    assert event.remote_addr == "127.0.0.1"


@pytest.mark.parametrize("sub", ["", "/relatives", "/consents", "/children"])
def test_every_get_of_a_client_writes_one_api_access_event(api, dk_client, sub):
    """PRV-1: the client, its relatives, consents and children are all logged reads."""
    # given a client
    before = AccessEvent.objects.filter(client=dk_client, channel="api").count()

    # when the script reads it twice
    for _time in range(2):
        assert api.get(f"{CLIENTS}/{dk_client.uuid}{sub}").status_code == 200

    # then two access events with channel api are written
    assert AccessEvent.objects.filter(client=dk_client, channel="api").count() == before + 2


def test_a_client_of_another_organisation_is_404_for_the_outsider(outsider, dk_client):
    """PRV-1: a record of another organisation is not revealed, even to every role."""
    # given a staff member of Sandnes with every role, and a client of Sønderborg
    api = Api(outsider)
    before = all_counts()

    # when their script reads, changes or adds to the client
    responses = [
        api.get(f"{CLIENTS}/{dk_client.uuid}"),
        api.get(f"{CLIENTS}/{dk_client.uuid}/consents"),
        api.get(f"{CLIENTS}/{dk_client.uuid}/relatives"),
        api.get(f"{CLIENTS}/{dk_client.uuid}/children"),
        api.patch(f"{CLIENTS}/{dk_client.uuid}", {"last_name": "Hacked"}),
        api.post(f"{CLIENTS}/{dk_client.uuid}/consents", consent_body()),
        api.post(f"{CLIENTS}/{dk_client.uuid}/relatives", {"name": "X", "relation": "friend"}),
    ]

    # then every answer is 404 not_found and nothing is written, not even to the access log
    for response in responses:
        assert_error(response, 404, "not_found")
    assert all_counts() == before
    dk_client.refresh_from_db()
    assert dk_client.last_name != "Hacked"


def test_an_unknown_client_is_404(api):
    """PRV-1: a made-up id is simply not found."""
    # given no such client
    # when it is read
    response = api.get(f"{CLIENTS}/{uuid.uuid4()}")

    # then it is 404 not_found
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("role", [Role.PEER_WORKER, Role.ADMINISTRATOR])
def test_a_peer_worker_or_administrator_of_the_same_organisation_gets_403(
    org_dk, make_staff, dk_client, role
):
    """PRV-1: least privilege: roles without client rights see no records."""
    # given a peer worker or the administrator of Sønderborg
    api = Api(make_staff(org_dk, role))
    before = all_counts()

    # when their script reads the client, or searches
    detail = api.get(f"{CLIENTS}/{dk_client.uuid}")
    consents = api.get(f"{CLIENTS}/{dk_client.uuid}/consents")
    search = api.get(CLIENTS, q=dk_client.last_name)

    # then each is 403 forbidden, and no access is logged because none happened
    for response in (detail, consents, search):
        assert_error(response, 403, "forbidden")
    assert all_counts() == before


# --- Changing ------------------------------------------------------------------------------


def test_patching_the_last_name_is_in_the_change_log_with_the_tokens_user(
    api, dk_client, counsellor
):
    """PRV-1: every change is kept with old and new value and who made it."""
    # given a client
    old = dk_client.last_name

    # when the script changes the last name
    response = api.patch(f"{CLIENTS}/{dk_client.uuid}", {"last_name": "Østergaard"})

    # then the record has the new name and the change log has old and new, by the counsellor
    assert response.status_code == 200, response.content
    assert response.json()["last_name"] == "Østergaard"
    assert response.json()["first_name"] == dk_client.first_name
    dk_client.refresh_from_db()
    assert dk_client.last_name == "Østergaard"
    entry = (
        LogEntry.objects.get_for_object(dk_client)
        .filter(action=LogEntry.Action.UPDATE)
        .order_by("-pk")
        .first()
    )
    assert entry is not None
    assert entry.changes_dict["last_name"] == [old, "Østergaard"]
    assert entry.actor_id == counsellor.pk


def test_patch_changes_only_the_fields_sent(api, dk_client):
    """PRV-1: a partial update leaves the other fields alone."""
    # given a client with a phone number and an identifier
    phone, national_id = dk_client.phone, dk_client.national_id

    # when only the city is sent
    response = api.patch(f"{CLIENTS}/{dk_client.uuid}", {"city": "Aabenraa"})

    # then only the city changed
    assert response.status_code == 200
    dk_client.refresh_from_db()
    assert (dk_client.city, dk_client.phone, dk_client.national_id) == (
        "Aabenraa",
        phone,
        national_id,
    )


def test_a_patch_to_another_clients_cpr_is_409_and_changes_nothing(api, org_dk, make_client):
    """PRV-1: an update cannot create a duplicate either."""
    # given two clients
    first = make_client(org_dk)
    second = make_client(org_dk)
    before = row_counts()

    # when the second is given the first's CPR number
    response = api.patch(f"{CLIENTS}/{second.uuid}", {"national_id": first.national_id})

    # then it is 409 and neither record nor change log changed
    body = assert_error(response, 409, "duplicate_client")
    assert body["details"] == {"client": str(first.uuid)}
    assert row_counts() == before
    old_id = second.national_id
    second.refresh_from_db()
    assert second.national_id == old_id


def test_a_patch_removing_every_name_is_422_and_changes_nothing(api, dk_client):
    """PRV-1: the same rules hold for updates as for registration."""
    # given a named client
    names = (dk_client.first_name, dk_client.last_name)
    before = row_counts()

    # when both names are blanked
    response = api.patch(f"{CLIENTS}/{dk_client.uuid}", {"first_name": "", "last_name": " "})

    # then it is 422 name_required and nothing is written
    assert_error(response, 422, "name_required")
    assert row_counts() == before
    dk_client.refresh_from_db()
    assert (dk_client.first_name, dk_client.last_name) == names


@pytest.mark.parametrize(
    "field", ["first_name", "last_name", "sex", "language", "phone", "anonymous"]
)
def test_a_null_for_a_field_that_cannot_be_empty_is_422_and_changes_nothing(api, dk_client, field):
    """API-2: null is not a value for these fields (leave the field out to keep it); the
    answer is a 422 naming the field, not a server error or a false duplicate."""
    # given a client
    api.http.raise_request_exception = False
    before = row_counts()
    stored = Client.objects.filter(pk=dk_client.pk).values().get()

    # when the field is sent as null
    response = api.patch(f"{CLIENTS}/{dk_client.uuid}", {field: None})

    # then it is 422 invalid_input naming the field, and nothing changed
    body = assert_error(response, 422, "invalid_input")
    assert any((err["field"] or "").endswith(field) for err in body["errors"])
    assert row_counts() == before
    assert Client.objects.filter(pk=dk_client.pk).values().get() == stored


def test_a_null_birth_date_clears_it(api, org_dk, make_client):
    """API-2: the birth date of a client without identifier can be cleared with null."""
    # given a client without identifier but with a birth date
    client = make_client(org_dk, national_id="", birth_date=datetime.date(1980, 1, 1))

    # when the birth date is sent as null
    response = api.patch(f"{CLIENTS}/{client.uuid}", {"birth_date": None})

    # then it is cleared
    assert response.status_code == 200, response.content
    assert response.json()["birth_date"] is None
    client.refresh_from_db()
    assert client.birth_date is None


def test_a_counsellor_in_two_organisations_reads_clients_of_both(
    counsellor, org_no, dk_client, make_client
):
    """PRV-1: membership of two organisations gives access to both, each logged."""
    # given a counsellor in Sønderborg and Sandnes, and a client in each
    account_services.membership_add(user=counsellor, organisation=org_no, roles=[Role.COUNSELLOR])
    no_client = make_client(org_no)
    api = Api(counsellor)

    # when their script reads both
    # then both are returned
    assert api.get(f"{CLIENTS}/{dk_client.uuid}").status_code == 200
    assert api.get(f"{CLIENTS}/{no_client.uuid}").status_code == 200


# --- Consents ------------------------------------------------------------------------------


def test_consents_are_created_listed_and_withdrawn_once(api, dk_client):
    """PRV-2, PLN-6: a consent is given, listed, withdrawn; withdrawing twice is a conflict."""
    # given an adult client
    base = f"{CLIENTS}/{dk_client.uuid}/consents"

    # when the script records the client's consent to share with the GP
    created = api.post(base, consent_body())

    # then it is created and listed
    assert created.status_code == 201, created.content
    consent = created.json()
    assert consent["party"] == "gp"
    assert consent["withdrawn_at"] is None
    assert [c["id"] for c in api.get(base).json()] == [consent["id"]]

    # when it is withdrawn
    withdrawn = api.post(f"{base}/{consent['id']}/withdraw", {"reason": "Changed GP"})

    # then it carries the time and reason
    assert withdrawn.status_code == 200
    assert withdrawn.json()["withdrawn_at"] is not None
    assert withdrawn.json()["withdrawn_reason"] == "Changed GP"

    # and withdrawing again is 409 consent_already_withdrawn, keeping the first reason
    before = row_counts()
    again = api.post(f"{base}/{consent['id']}/withdraw", {"reason": "Again"})
    assert_error(again, 409, "consent_already_withdrawn")
    assert row_counts() == before
    assert Consent.objects.get(uuid=consent["id"]).withdrawn_reason == "Changed GP"


def test_a_consent_of_another_client_cannot_be_withdrawn_through_this_client(
    api, dk_client, org_dk, make_client
):
    """PRV-2: a consent belongs to its client."""
    # given a consent of another client
    other = make_client(org_dk)
    consent = api.post(f"{CLIENTS}/{other.uuid}/consents", consent_body()).json()

    # when it is withdrawn through the first client's address
    response = api.post(f"{CLIENTS}/{dk_client.uuid}/consents/{consent['id']}/withdraw", {})

    # then it is 404 and the consent is untouched
    assert_error(response, 404, "not_found")
    assert Consent.objects.get(uuid=consent["id"]).withdrawn_at is None


def test_a_child_under_the_consent_age_cannot_consent_alone(api, minor):
    """PRV-2: in Denmark a parent consents for a client under 15."""
    # given a 12-year-old client
    base = f"{CLIENTS}/{minor.uuid}/consents"
    before = row_counts()

    # when the script records the child's own consent
    response = api.post(base, consent_body())

    # then it is 422 consent_parent_required and nothing is written
    body = assert_error(response, 422, "consent_parent_required")
    assert body["field"] == "given_by"
    assert row_counts() == before

    # and a parent must be named
    unnamed = api.post(base, consent_body(given_by="parent"))
    assert_error(unnamed, 422, "consent_giver_name_required")
    assert row_counts() == before

    # and a named parent's consent is accepted
    named = api.post(base, consent_body(given_by="parent", given_by_name="Karen Holm"))
    assert named.status_code == 201


def test_a_consent_ending_before_it_starts_is_422(api, dk_client):
    """PRV-2: the consent period is in order."""
    # given an adult client
    before = row_counts()

    # when a consent valid until yesterday and from today is posted
    response = api.post(
        f"{CLIENTS}/{dk_client.uuid}/consents",
        consent_body(valid_until=(TODAY - datetime.timedelta(days=1)).isoformat()),
    )

    # then it is refused and nothing is written
    assert_error(response, 422, "consent_period")
    assert row_counts() == before


def test_an_unknown_consent_party_is_422_invalid_input(api, dk_client):
    """PRV-2: the recipient is one of the known kinds."""
    # given an adult client
    before = row_counts()

    # when a consent to share with "newspaper" is posted
    response = api.post(f"{CLIENTS}/{dk_client.uuid}/consents", consent_body(party="newspaper"))

    # then it is 422 invalid_input naming party, and nothing is written
    body = assert_error(response, 422, "invalid_input")
    assert any("party" in (err["field"] or "") for err in body["errors"])
    assert row_counts() == before


# --- Relatives and children ----------------------------------------------------------------


def test_relatives_are_created_listed_and_updated(api, dk_client):
    """REL-1: relatives are recorded with whether the client wishes them involved."""
    # given a client
    base = f"{CLIENTS}/{dk_client.uuid}/relatives"

    # when the script adds the client's mother, who the client wishes involved
    created = api.post(
        base, {"name": "Karen Holm", "relation": "parent", "involvement_wished": True}
    )

    # then she is created and listed
    assert created.status_code == 201, created.content
    relative = created.json()
    assert relative["involvement_wished"] is True
    assert [r["name"] for r in api.get(base).json()] == ["Karen Holm"]

    # when she is updated
    updated = api.put(
        f"{base}/{relative['id']}",
        {"name": "Karen Holm", "relation": "parent", "phone": "+45 20 00 123"},
    )

    # then the change is stored (and involvement reset as sent)
    assert updated.status_code == 200
    stored = Relative.objects.get(uuid=relative["id"])
    assert (stored.phone, stored.involvement_wished) == ("+45 20 00 123", False)


def test_a_relative_without_a_name_is_422(api, dk_client):
    """REL-1: a relative has a name."""
    # given a client
    before = row_counts()

    # when a nameless relative is posted
    response = api.post(f"{CLIENTS}/{dk_client.uuid}/relatives", {"name": "", "relation": "friend"})

    # then it is 422 and nothing is written
    assert_error(response, 422, "invalid_input")
    assert row_counts() == before


def test_a_relative_of_another_client_cannot_be_changed_through_this_client(
    api, dk_client, org_dk, make_client
):
    """REL-1: a relative belongs to its client."""
    # given a relative of another client
    other = make_client(org_dk)
    relative = api.post(
        f"{CLIENTS}/{other.uuid}/relatives", {"name": "Ole", "relation": "friend"}
    ).json()

    # when it is updated through the first client's address
    response = api.put(
        f"{CLIENTS}/{dk_client.uuid}/relatives/{relative['id']}",
        {"name": "Changed", "relation": "friend"},
    )

    # then it is 404 and the relative is untouched
    assert_error(response, 404, "not_found")
    assert Relative.objects.get(uuid=relative["id"]).name == "Ole"


def test_children_at_home_are_created_and_listed(api, dk_client):
    """DEC-7: children under 18 living with the client are recorded."""
    # given a client
    base = f"{CLIENTS}/{dk_client.uuid}/children"

    # when the script records a six-year-old living at home
    created = api.post(base, {"first_name": "Alma", "birth_date": "2020-06-01", "concern": True})

    # then the child is created and listed
    assert created.status_code == 201, created.content
    assert created.json()["lives_with_client"] is True
    assert [c["first_name"] for c in api.get(base).json()] == ["Alma"]


def test_an_adult_is_not_recorded_as_a_child_at_home(api, dk_client):
    """DEC-7: only children under 18."""
    # given a client
    before = row_counts()

    # when a 26-year-old is posted as a child at home
    response = api.post(
        f"{CLIENTS}/{dk_client.uuid}/children", {"first_name": "Jonas", "birth_date": "2000-01-01"}
    )

    # then it is 422 child_not_minor and nothing is written
    body = assert_error(response, 422, "child_not_minor")
    assert body["field"] == "birth_date"
    assert row_counts() == before


@pytest.mark.parametrize("role", [Role.PEER_WORKER, Role.ADMINISTRATOR])
def test_roles_without_client_rights_cannot_add_consents_relatives_or_children(
    org_dk, make_staff, dk_client, role
):
    """PRV-1: writes need client rights in the client's organisation."""
    # given a peer worker or administrator of Sønderborg
    api = Api(make_staff(org_dk, role))
    before = all_counts()

    # when their script adds a consent, a relative and a child
    responses = [
        api.post(f"{CLIENTS}/{dk_client.uuid}/consents", consent_body()),
        api.post(f"{CLIENTS}/{dk_client.uuid}/relatives", {"name": "X", "relation": "friend"}),
        api.post(
            f"{CLIENTS}/{dk_client.uuid}/children", {"first_name": "A", "birth_date": "2020-01-01"}
        ),
        api.patch(f"{CLIENTS}/{dk_client.uuid}", {"last_name": "Changed"}),
    ]

    # then each is 403 and nothing is written
    for response in responses:
        assert_error(response, 403, "forbidden")
    assert all_counts() == before


# --- Searching -----------------------------------------------------------------------------


def test_search_by_last_name_finds_only_the_own_organisations_clients(
    api, outsider, org_dk, org_no, make_client
):
    """INT-1, PRV-1: search finds by name and never crosses organisations."""
    # given a client named Vestergaard-Test in Sønderborg and one of that name in Sandnes
    dk = make_client(org_dk, last_name="Vestergaard-Test")
    no = make_client(org_no, last_name="Vestergaard-Test")
    make_client(org_dk, last_name="Someone-Else")

    # when each organisation's script searches for the name
    found_dk = api.get(CLIENTS, q="vestergaard-test")
    found_no = Api(outsider).get(CLIENTS, q="Vestergaard-Test")

    # then each finds only its own client
    assert found_dk.status_code == 200
    assert found_dk.json()["count"] == 1
    assert [c["id"] for c in found_dk.json()["results"]] == [str(dk.uuid)]
    assert [c["id"] for c in found_no.json()["results"]] == [str(no.uuid)]


def test_a_search_without_query_lists_only_the_own_organisation(api, outsider, org_dk, org_no):
    """PRV-1: the unfiltered list is scoped too."""
    # given clients in two organisations
    # (made through the API of each)
    api.post(CLIENTS, {"last_name": "Dansk"})
    Api(outsider).post(CLIENTS, {"last_name": "Norsk"})

    # when the Danish script lists all
    body = api.get(CLIENTS).json()

    # then only Danish clients are listed
    assert body["count"] == 1
    assert {c["organisation"] for c in body["results"]} == {str(org_dk.uuid)}


def test_naming_another_organisation_in_the_search_gives_nothing(api, org_no, make_client):
    """PRV-1: the organisation filter cannot widen the search."""
    # given a client in Sandnes
    make_client(org_no, last_name="Haugen-Test")

    # when the Danish script searches Sandnes by name
    response = api.get(CLIENTS, q="Haugen-Test", organisation=str(org_no.uuid))

    # then it is refused without any Norwegian client data
    assert response.status_code in (403, 404)
    assert response.json()["code"] in ("forbidden", "not_found")
    assert "Haugen-Test" not in response.content.decode()


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"limit": -5}])
def test_an_impossible_page_is_422_invalid_page(api, params):
    """API-2: limit is 1 to 200 and offset 0 or more."""
    # given a Danish counsellor's script
    # when it asks for an impossible page
    response = api.get(CLIENTS, **params)

    # then it is 422 invalid_page
    assert_error(response, 422, "invalid_page")


def test_paging_returns_the_requested_slice_and_the_total(api, org_dk, make_client):
    """API-2: count is the total; results are the page."""
    # given three clients named Paging-Test
    for first in ("Anne", "Bent", "Carl"):
        make_client(org_dk, first_name=first, last_name="Paging-Test")

    # when the second page of size 2 is asked for
    body = api.get(CLIENTS, q="Paging-Test", limit=2, offset=2).json()

    # then the total is 3 and one client is on the page
    assert body["count"] == 3
    assert [c["first_name"] for c in body["results"]] == ["Carl"]


# --- The API itself ------------------------------------------------------------------------


def test_the_openapi_document_lists_the_client_endpoints(db):
    """API-2: the API is described in OpenAPI at /api/v1/openapi.json."""
    # given the running application
    # when the OpenAPI document is fetched
    response = HttpClient().get("/api/v1/openapi.json")

    # then it lists the client endpoints
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/clients" in paths
    assert {"get", "post"} <= set(paths["/api/v1/clients"])
    assert "/api/v1/clients/{client_id}/consents" in paths


def test_the_client_endpoints_need_a_token(dk_client):
    """API-1: no token, no client data."""
    # given no token
    before = all_counts()

    # when the client endpoints are called
    responses = [
        HttpClient().get(CLIENTS),
        HttpClient().get(f"{CLIENTS}/{dk_client.uuid}"),
        HttpClient().post(CLIENTS, {"last_name": "X"}, content_type="application/json"),
    ]

    # then each is 401 and nothing is written
    for response in responses:
        assert_error(response, 401, "unauthenticated")
    assert all_counts() == before
