"""PRV-4: codes (pseudonyms): a new code needs the person's agreement; a person behind a code
becomes a client with their consent and their contacts (also those of codes merged into it)
join the record; two codes of one person are merged and their contacts move. Every write is
in the change log; another organisation's client or code is refused."""

from __future__ import annotations

import uuid

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from bedring.accounts.models import Organisation, Site, User
from bedring.clients.models import Client
from bedring.core.errors import Conflict, ValidationFailed
from bedring.health.models import HealthContact
from bedring.outreach.models import OutreachContact, Pseudonym
from bedring.outreach.services.contacts import Conflicts
from bedring.outreach.services.people import (
    pseudonym_create,
    pseudonym_merge,
    pseudonym_to_client,
)
from tests.conftest import TODAY
from tests.outreach.conftest import record

pytestmark = pytest.mark.django_db

PERSON = {"first_name": "Mette", "last_name": "Gadeplan", "sex": "female"}


def code(org: Organisation, user: User, value: str) -> Pseudonym:
    return pseudonym_create(organisation=org, actor=user, code=value, consent=True)


def test_a_new_code_is_stored_in_capitals_with_the_persons_agreement(
    org_outreach: Organisation, street_worker: User
) -> None:
    pseudonym = pseudonym_create(
        organisation=org_outreach,
        actor=street_worker,
        code=" ab-12 ",
        consent=True,
        birth_year=TODAY.year - 40,
    )
    assert pseudonym.code == "AB-12"
    assert pseudonym.created_by == street_worker
    assert pseudonym.birth_year == TODAY.year - 40


@pytest.mark.parametrize(
    ("kwargs", "error", "error_code"),
    [
        ({"code": "AB-1", "consent": False}, ValidationFailed, "pseudonym_consent_required"),
        ({"code": "  ", "consent": True}, ValidationFailed, "pseudonym_invalid"),
        ({"code": "X" * 33, "consent": True}, ValidationFailed, "pseudonym_invalid"),
        (
            {"code": "AB-2", "consent": True, "birth_year": 1850},
            ValidationFailed,
            "birth_year_invalid",
        ),
        ({"code": "taken", "consent": True}, Conflict, "pseudonym_taken"),
    ],
)
def test_a_code_is_refused_with_a_reason(
    org_outreach: Organisation, street_worker: User, kwargs, error, error_code
) -> None:
    code(org_outreach, street_worker, "TAKEN")
    with pytest.raises(error) as caught:
        pseudonym_create(organisation=org_outreach, actor=street_worker, **kwargs)
    assert caught.value.code == error_code
    assert Pseudonym.objects.filter(organisation=org_outreach).count() == 1


def test_an_organisation_without_street_work_records_no_code(org_no, make_staff) -> None:
    nurse = make_staff(org_no, "street_nurse")
    with pytest.raises(ValidationFailed) as caught:
        code(org_no, nurse, "AB-1")
    assert caught.value.code == "no_outreach"


def test_becoming_a_client_joins_every_contact_of_the_code_and_of_codes_merged_into_it(
    org_outreach: Organisation, odense: Site, street_worker: User, make_staff
) -> None:
    colleague = make_staff(org_outreach, "street_nurse")
    kept, given_up = (
        code(org_outreach, street_worker, "KEPT-1"),
        code(org_outreach, colleague, "OLD-1"),
    )
    first = record(org_outreach, odense, street_worker, pseudonym_code="KEPT-1")
    wound = record(
        org_outreach,
        odense,
        colleague,
        pseudonym_code="OLD-1",
        activities=["wound-care"],
        note="Abscess on the left arm, cleaned.",
    )
    pseudonym_merge(pseudonym=given_up, into=kept, actor=street_worker)

    client, joined = pseudonym_to_client(
        pseudonym=kept, actor=street_worker, consent=True, registration=PERSON
    )

    assert joined == 2
    assert client.first_name == "Mette" and client.organisation == org_outreach
    kept.refresh_from_db()
    assert kept.client == client and kept.became_client_at is not None
    assert set(OutreachContact.objects.filter(client=client)) == {first, wound}
    # the wound care of the contact before the person was known joins the health record,
    # held by the worker who did it
    health = HealthContact.objects.get(client=client)
    assert health.kind == "wound_care" and health.staff == colleague
    assert "Abscess" in health.note
    # each contact's change is in the change log, and belongs to the client's log
    changes = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(OutreachContact),
        object_pk__in=[str(first.pk), str(wound.pk)],
        action=LogEntry.Action.UPDATE,
    )
    assert changes.count() >= 2
    assert all(
        e.additional_data == {"client_id": str(client.pk)}
        for e in changes
        if "client" in e.changes_dict
    )


def test_without_consent_or_with_bad_details_nothing_changes(
    org_outreach: Organisation, odense: Site, street_worker: User
) -> None:
    pseudonym = code(org_outreach, street_worker, "AB-3")
    contact = record(org_outreach, odense, street_worker, pseudonym_code="AB-3")
    before = Client.objects.filter(organisation=org_outreach).count()
    with pytest.raises(ValidationFailed) as caught:
        pseudonym_to_client(
            pseudonym=pseudonym, actor=street_worker, consent=False, registration=PERSON
        )
    assert caught.value.code == "client_consent_required"
    with pytest.raises(ValidationFailed) as caught:
        pseudonym_to_client(
            pseudonym=pseudonym,
            actor=street_worker,
            consent=True,
            registration={**PERSON, "birth_date": TODAY.replace(year=TODAY.year + 1)},
        )
    assert caught.value.code == "birth_date_future"
    with pytest.raises(ValidationFailed) as caught:
        pseudonym_to_client(
            pseudonym=pseudonym, actor=street_worker, consent=True, registration={"colour": "red"}
        )
    assert caught.value.code == "unknown_field"
    pseudonym.refresh_from_db()
    contact.refresh_from_db()
    assert pseudonym.client is None and contact.client is None
    assert Client.objects.filter(organisation=org_outreach).count() == before


def test_a_person_registered_already_is_joined_and_a_code_becomes_a_client_once(
    org_outreach: Organisation,
    odense: Site,
    street_worker: User,
    outreach_client: Client,
    org_dk: Organisation,
    make_client,
) -> None:
    pseudonym = code(org_outreach, street_worker, "AB-4")
    record(org_outreach, odense, street_worker, pseudonym_code="AB-4")
    elsewhere = make_client(org_dk)
    with pytest.raises(ValidationFailed) as caught:
        pseudonym_to_client(
            pseudonym=pseudonym, actor=street_worker, consent=True, client=elsewhere
        )
    assert caught.value.code == "unknown_client"

    client, joined = pseudonym_to_client(
        pseudonym=pseudonym, actor=street_worker, consent=True, client=outreach_client
    )
    assert client == outreach_client and joined == 1
    with pytest.raises(Conflict) as again:
        pseudonym_to_client(
            pseudonym=pseudonym, actor=street_worker, consent=True, registration=PERSON
        )
    assert again.value.code == "pseudonym_already_client"


def test_a_duplicate_identifier_is_refused_and_names_the_client(
    org_outreach: Organisation, street_worker: User, outreach_client: Client
) -> None:
    pseudonym = code(org_outreach, street_worker, "AB-5")
    with pytest.raises(Conflict) as caught:
        pseudonym_to_client(
            pseudonym=pseudonym,
            actor=street_worker,
            consent=True,
            registration={"national_id": outreach_client.national_id},
        )
    assert caught.value.code == "duplicate_client"
    pseudonym.refresh_from_db()
    assert pseudonym.client is None


def test_merging_moves_the_contacts_and_a_phone_sending_the_old_code_is_kept_to_check(
    org_outreach: Organisation, odense: Site, street_worker: User
) -> None:
    kept, given_up, older = (
        code(org_outreach, street_worker, c) for c in ("KEEP", "GIVE-UP", "OLDER")
    )
    moved = record(org_outreach, odense, street_worker, pseudonym_code="GIVE-UP")
    pseudonym_merge(pseudonym=older, into=given_up, actor=street_worker)

    result = pseudonym_merge(pseudonym=given_up, into=kept, actor=street_worker)

    assert result == kept
    moved.refresh_from_db()
    given_up.refresh_from_db()
    older.refresh_from_db()
    assert moved.pseudonym == kept
    assert given_up.merged_into == kept and older.merged_into == kept
    # a phone offline meanwhile still sends the old code: stored on the code kept, to check
    late = record(
        org_outreach, odense, street_worker, pseudonym_code="give-up", offline_id=uuid.uuid4()
    )
    assert late.pseudonym == kept and late.conflict == Conflicts.PSEUDONYM_MERGED
    # the merge is in the change log
    assert LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Pseudonym), object_pk=str(given_up.pk)
    ).exists()


def test_merging_refuses_itself_a_merged_code_two_clients_and_another_organisation(
    org_outreach: Organisation,
    street_worker: User,
    outreach_client: Client,
    make_client,
    org_dk: Organisation,
    make_staff,
) -> None:
    a, b, c = (code(org_outreach, street_worker, x) for x in ("A-1", "B-1", "C-1"))
    with pytest.raises(ValidationFailed) as caught:
        pseudonym_merge(pseudonym=a, into=a, actor=street_worker)
    assert caught.value.code == "merge_same"
    pseudonym_merge(pseudonym=a, into=b, actor=street_worker)
    with pytest.raises(Conflict) as conflict:
        pseudonym_merge(pseudonym=a, into=c, actor=street_worker)
    assert conflict.value.code == "pseudonym_merged"
    # b (with a merged into it) into a: a now lives on b, so this is b into itself
    with pytest.raises(ValidationFailed) as caught:
        pseudonym_merge(pseudonym=b, into=Pseudonym.objects.get(pk=a.pk), actor=street_worker)
    assert caught.value.code == "merge_same"
    pseudonym_to_client(pseudonym=b, actor=street_worker, consent=True, client=outreach_client)
    pseudonym_to_client(
        pseudonym=c, actor=street_worker, consent=True, client=make_client(org_outreach)
    )
    with pytest.raises(Conflict) as conflict:
        pseudonym_merge(
            pseudonym=Pseudonym.objects.get(pk=c.pk),
            into=Pseudonym.objects.get(pk=b.pk),
            actor=street_worker,
        )
    assert conflict.value.code == "pseudonyms_two_clients"
    theirs = code(org_dk, make_staff(org_dk, "street_nurse"), "D-1")
    with pytest.raises(ValidationFailed) as caught:
        pseudonym_merge(pseudonym=Pseudonym.objects.get(pk=c.pk), into=theirs, actor=street_worker)
    assert caught.value.code == "unknown_pseudonym"


def test_the_code_kept_takes_the_client_of_the_code_given_up_and_its_contacts_join(
    org_outreach: Organisation, odense: Site, street_worker: User, outreach_client: Client
) -> None:
    kept, client_code = (
        code(org_outreach, street_worker, "K-9"),
        code(org_outreach, street_worker, "C-9"),
    )
    own = record(org_outreach, odense, street_worker, pseudonym_code="K-9")
    pseudonym_to_client(
        pseudonym=client_code, actor=street_worker, consent=True, client=outreach_client
    )

    pseudonym_merge(
        pseudonym=Pseudonym.objects.get(pk=client_code.pk), into=kept, actor=street_worker
    )

    kept.refresh_from_db()
    own.refresh_from_db()
    assert kept.client == outreach_client
    assert own.client == outreach_client
