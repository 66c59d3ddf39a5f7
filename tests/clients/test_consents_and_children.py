"""Consents (PRV-2) and children living with the client (DEC-7), through the services and
through the client's pages."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django.urls import reverse

from bedring.clients import services
from bedring.clients.models import ChildAtHome, Client, Consent
from bedring.core.errors import Conflict, ValidationFailed
from bedring.synthetic import people
from tests.conftest import login

TODAY = datetime.date(2026, 11, 23)


def years_before(day: datetime.date, years: int) -> datetime.date:
    return day.replace(year=day.year - years)


def client_aged(organisation, age: int) -> Client:
    """A client whose synthetic identifier makes them ``age`` on TODAY (birthday in June)."""
    birth = datetime.date(TODAY.year - age, 6, 1)
    national_id = people.GENERATORS[organisation.jurisdiction](birth, "female", random.Random(age))
    client = services.client_register(
        organisation=organisation,
        national_id=national_id,
        first_name="Freja",
        last_name="Holm",
        today=TODAY,
    )
    assert client.age_on(TODAY) == age
    return client


def add_consent(client: Client, **overrides) -> Consent:
    data: dict[str, Any] = {
        "party": "school",
        "scope": "Attendance and the treatment plan",
        "valid_from": TODAY,
        "given_by": "client",
    }
    data.update(overrides)
    return services.consent_add(client=client, **data)


def refused(call, *args, **kwargs) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        call(*args, **kwargs)
    return caught.value


# --- PRV-2: who gives the consent -------------------------------------------------------------


def test_a_client_under_15_cannot_consent_alone_in_denmark(org_dk):
    """PRV-2: under 15, a parent or guardian gives the consent."""
    # Given a Danish client aged 13
    client = client_aged(org_dk, 13)

    # When a consent given by the client is recorded
    error = refused(add_consent, client, given_by="client")

    # Then it is refused: a parent must give it
    assert error.code == "consent_parent_required"
    assert error.field == "given_by"
    assert "under 15" in str(error.message)
    assert not Consent.objects.exists()


def test_a_parents_consent_for_a_young_client_must_name_the_parent(org_dk):
    """PRV-2: the record says which parent consented."""
    # Given a Danish client aged 13
    client = client_aged(org_dk, 13)

    # When a parent's consent is recorded without the parent's name
    error = refused(add_consent, client, given_by="parent", given_by_name="  ")

    # Then it is refused until the parent is named
    assert error.code == "consent_giver_name_required"
    assert error.field == "given_by_name"
    assert not Consent.objects.exists()


@pytest.mark.parametrize("giver", ["parent", "guardian"])
def test_a_named_parents_consent_for_a_young_client_is_saved(org_dk, giver):
    """PRV-2: with a named parent or guardian the consent is recorded."""
    # Given a Danish client aged 13
    client = client_aged(org_dk, 13)

    # When a named parent's consent is recorded
    consent = add_consent(client, given_by=giver, given_by_name=" Mette Holm ")

    # Then it is saved with the giver and their name
    stored = Consent.objects.get(pk=consent.pk)
    assert stored.client == client
    assert (stored.given_by, stored.given_by_name) == (giver, "Mette Holm")
    assert stored.is_active_on(TODAY)


def test_a_danish_client_of_15_consents_alone(org_dk):
    """PRV-2: from 15 in Denmark the client gives the consent."""
    # Given a Danish client aged 15
    client = client_aged(org_dk, 15)

    # When the client's own consent is recorded
    consent = add_consent(client, given_by="client")

    # Then it is saved
    assert Consent.objects.get(pk=consent.pk).given_by == "client"


def test_a_norwegian_client_of_15_needs_a_parent(org_no):
    """PRV-2: Norway's rule pack sets the age to 16 (pasient- og brukerrettighetsloven)."""
    # Given a client aged 15 in Sandnes
    client = client_aged(org_no, 15)

    # When a consent given by the client is recorded
    error = refused(add_consent, client, given_by="client")

    # Then it is refused, naming Norway's age
    assert error.code == "consent_parent_required"
    assert "under 16" in str(error.message)
    assert not Consent.objects.exists()


def test_a_norwegian_client_of_16_consents_alone(org_no):
    # Given a client aged 16 in Sandnes
    client = client_aged(org_no, 16)

    # When the client's own consent is recorded
    consent = add_consent(client, given_by="client")

    # Then it is saved
    assert Consent.objects.filter(pk=consent.pk, given_by="client").exists()


def test_the_age_counts_on_the_day_the_consent_starts(org_dk):
    """PRV-2: a consent starting after the 15th birthday may be the client's own."""
    # Given a Danish client aged 14 who turns 15 on 1 June next year
    client = client_aged(org_dk, 14)

    # When the client's own consent starting on that birthday is recorded
    consent = add_consent(client, given_by="client", valid_from=datetime.date(2027, 6, 1))

    # Then it is saved, while one starting the day before is refused
    assert consent.pk is not None
    error = refused(add_consent, client, given_by="client", valid_from=datetime.date(2027, 5, 31))
    assert error.code == "consent_parent_required"


def test_an_adult_client_without_identifier_or_birth_date_consents_alone(org_dk):
    # Given a client without identifier or birth date
    client = services.client_register(organisation=org_dk, last_name="Dahl", today=TODAY)

    # When the client's own consent is recorded
    consent = add_consent(client, given_by="client")

    # Then it is saved
    assert Consent.objects.filter(pk=consent.pk).exists()


# --- PRV-2: the period, the scope and withdrawing ---------------------------------------------


def test_a_consent_cannot_end_before_it_starts(dk_client):
    """PRV-2: valid_until before valid_from is refused."""
    # When a consent is recorded that ends the day before it starts
    error = refused(
        add_consent,
        dk_client,
        valid_from=TODAY,
        valid_until=TODAY - datetime.timedelta(days=1),
    )

    # Then it is refused for its period, on the end date
    assert error.code == "consent_period"
    assert error.field == "valid_until"
    assert not Consent.objects.exists()


def test_a_consent_for_a_single_day_is_saved(dk_client):
    # When a consent that starts and ends on the same day is recorded
    consent = add_consent(dk_client, valid_from=TODAY, valid_until=TODAY)

    # Then it is saved and active that day only
    assert consent.is_active_on(TODAY)
    assert not consent.is_active_on(TODAY + datetime.timedelta(days=1))


def test_a_consent_must_say_what_may_be_shared(dk_client):
    # When a consent with an empty scope is recorded
    error = refused(add_consent, dk_client, scope="   ")

    # Then it is refused
    assert error.code == "consent_scope_required"
    assert not Consent.objects.exists()


def test_a_consent_can_be_withdrawn_once(dk_client):
    """PRV-2: a withdrawn consent stays withdrawn; withdrawing again is a conflict."""
    # Given a consent withdrawn once
    consent = add_consent(dk_client)
    services.consent_withdraw(consent=consent, reason="The client changed their mind")
    consent.refresh_from_db()
    first_withdrawal = consent.withdrawn_at
    assert first_withdrawal is not None
    assert not consent.is_active_on(TODAY)

    # When it is withdrawn again
    with pytest.raises(Conflict) as caught:
        services.consent_withdraw(consent=consent, reason="Again")

    # Then it is refused and the first withdrawal is kept
    assert caught.value.code == "consent_already_withdrawn"
    consent.refresh_from_db()
    assert consent.withdrawn_at == first_withdrawal
    assert consent.withdrawn_reason == "The client changed their mind"


# --- DEC-7: children living with the client ---------------------------------------------------


def test_a_child_of_17_is_recorded(dk_client):
    """DEC-7: children under 18 at home are recorded."""
    # When a child who turns 18 tomorrow is recorded
    birth = years_before(TODAY, 18) + datetime.timedelta(days=1)
    child = services.child_add(
        client=dk_client, first_name=" E. ", birth_date=birth, concern=True, today=TODAY
    )

    # Then the child is saved for the client
    stored = ChildAtHome.objects.get(pk=child.pk)
    assert stored.client == dk_client
    assert (stored.first_name, stored.birth_date, stored.concern) == ("E.", birth, True)


def test_a_child_of_18_is_not_recorded_as_a_child_at_home(dk_client):
    """DEC-7: from the 18th birthday the person is an adult."""
    # When a child who turns 18 today is recorded
    error = refused(
        services.child_add,
        client=dk_client,
        first_name="E.",
        birth_date=years_before(TODAY, 18),
        today=TODAY,
    )

    # Then it is refused as not a minor
    assert error.code == "child_not_minor"
    assert error.field == "birth_date"
    assert not ChildAtHome.objects.exists()


def test_a_child_born_in_the_future_is_refused(dk_client):
    # When a child with tomorrow as birth date is recorded
    error = refused(
        services.child_add,
        client=dk_client,
        first_name="E.",
        birth_date=TODAY + datetime.timedelta(days=1),
        today=TODAY,
    )

    # Then it is refused for the birth date
    assert error.code == "birth_date_future"
    assert not ChildAtHome.objects.exists()


def test_a_child_born_today_is_recorded(dk_client):
    # When a child born today is recorded
    child = services.child_add(client=dk_client, first_name="Baby", birth_date=TODAY, today=TODAY)

    # Then it is saved
    assert ChildAtHome.objects.filter(pk=child.pk).exists()


def test_a_child_needs_a_name_or_initials(dk_client):
    # When a child without a name is recorded
    error = refused(
        services.child_add,
        client=dk_client,
        first_name=" ",
        birth_date=datetime.date(2020, 1, 1),
        today=TODAY,
    )

    # Then it is refused
    assert error.code == "name_required"
    assert not ChildAtHome.objects.exists()


# --- Through the pages ------------------------------------------------------------------------


def consent_form(**fields: str) -> dict[str, str]:
    data = {
        "party": "gp",
        "party_name": "Dr. Lund",
        "scope": "Medication and test results",
        "valid_from": "2026-11-23",
        "valid_until": "",
        "given_by": "client",
        "given_by_name": "",
    }
    data.update(fields)
    return data


def test_the_consent_form_refuses_a_period_that_ends_before_it_starts(
    client, counsellor, dk_client
):
    """PRV-2: the page shows why, next to the end date, and records nothing."""
    # Given a logged-in counsellor
    login(client, counsellor)

    # When a consent ending before it starts is posted
    response = client.post(
        f"/clients/{dk_client.uuid}/consents/new/",
        consent_form(valid_from="2026-11-23", valid_until="2026-11-01"),
    )

    # Then the form answers 422 with the message on the end date, and no consent exists
    assert response.status_code == 422
    assert response.context["form"].errors["valid_until"] == [
        "The consent cannot end before it starts."
    ]
    assert "The consent cannot end before it starts." in response.content.decode()
    assert not Consent.objects.exists()


def test_the_consent_form_refuses_a_young_clients_own_consent(client, counsellor, org_dk):
    """PRV-2: through the page too, a parent consents for a client under 15."""
    # Given a logged-in counsellor and a client aged 13
    young = client_aged(org_dk, 13)
    login(client, counsellor)

    # When the client's own consent is posted
    response = client.post(f"/clients/{young.uuid}/consents/new/", consent_form())

    # Then the form refuses it on 'given by', and no consent exists
    assert response.status_code == 422
    [error] = response.context["form"].errors["given_by"]
    assert "a parent or guardian must give the consent" in error
    assert not Consent.objects.exists()


def test_the_consent_form_records_a_valid_consent(client, counsellor, dk_client):
    # Given a logged-in counsellor
    login(client, counsellor)

    # When a valid consent is posted
    response = client.post(
        f"/clients/{dk_client.uuid}/consents/new/", consent_form(valid_until="2027-11-23")
    )

    # Then it is recorded and the browser returns to the client page
    assert response.status_code == 302
    assert response["Location"] == reverse("web:client_detail", args=[dk_client.uuid])
    consent = Consent.objects.get(client=dk_client)
    assert (consent.party, consent.party_name) == ("gp", "Dr. Lund")
    assert consent.valid_until == datetime.date(2027, 11, 23)


def test_withdrawing_a_consent_twice_through_the_page_keeps_the_first_withdrawal(
    client, counsellor, dk_client
):
    # Given a consent withdrawn through the page
    consent = add_consent(dk_client)
    login(client, counsellor)
    url = f"/clients/{dk_client.uuid}/consents/{consent.uuid}/withdraw/"
    client.post(url, {"reason": "First"})
    consent.refresh_from_db()
    first_withdrawal = consent.withdrawn_at
    assert first_withdrawal is not None

    # When it is withdrawn again
    response = client.post(url, {"reason": "Second"}, follow=True)

    # Then the page says it is already withdrawn and the first withdrawal stands
    assert "This consent is already withdrawn." in response.content.decode()
    consent.refresh_from_db()
    assert (consent.withdrawn_at, consent.withdrawn_reason) == (first_withdrawal, "First")


def child_form(**fields: str) -> dict[str, str]:
    data = {"first_name": "E.", "birth_date": "2020-01-01", "lives_with_client": "on"}
    data.update(fields)
    return data


def test_the_child_form_records_a_child(client, counsellor, dk_client):
    """DEC-7: a child at home is recorded through the client page."""
    # Given a logged-in counsellor
    login(client, counsellor)

    # When a child born in 2020 is posted with a concern
    response = client.post(f"/clients/{dk_client.uuid}/children/new/", child_form(concern="on"))

    # Then the child is recorded for the client
    assert response.status_code == 302
    child = ChildAtHome.objects.get(client=dk_client)
    assert (child.first_name, child.birth_date) == ("E.", datetime.date(2020, 1, 1))
    assert child.lives_with_client
    assert child.concern


@pytest.mark.parametrize(
    ("birth_date", "message"),
    [
        ("2000-01-01", "Only children under 18 are recorded here."),
        ("2099-01-01", "The birth date is in the future."),
    ],
)
def test_the_child_form_refuses_an_adult_or_unborn_child(
    client, counsellor, dk_client, birth_date, message
):
    """DEC-7: the page shows the refusal on the birth date and records nothing."""
    # Given a logged-in counsellor
    login(client, counsellor)

    # When a child with that birth date is posted
    response = client.post(
        f"/clients/{dk_client.uuid}/children/new/", child_form(birth_date=birth_date)
    )

    # Then the form answers 422 with the message on the birth date, and no child exists
    assert response.status_code == 422
    assert response.context["form"].errors["birth_date"] == [message]
    assert message in response.content.decode()
    assert not ChildAtHome.objects.exists()


def test_the_child_form_refuses_an_impossible_date(client, counsellor, dk_client):
    # Given a logged-in counsellor
    login(client, counsellor)

    # When a child born on 30 February is posted
    response = client.post(
        f"/clients/{dk_client.uuid}/children/new/", child_form(birth_date="2020-02-30")
    )

    # Then the form shows an error, not a server error, and no child exists
    assert response.status_code == 422
    assert response.context["form"].errors["birth_date"]
    assert not ChildAtHome.objects.exists()


def test_an_outsider_cannot_add_a_consent_or_a_child(client, outsider, dk_client):
    """PRV-1: another organisation's staff get 404 and write nothing."""
    # Given a member of Sandnes with every role
    login(client, outsider)

    # When they post a consent and a child for a Sønderborg client
    consent = client.post(f"/clients/{dk_client.uuid}/consents/new/", consent_form())
    child = client.post(f"/clients/{dk_client.uuid}/children/new/", child_form())

    # Then both are not found and nothing is written
    assert (consent.status_code, child.status_code) == (404, 404)
    assert not Consent.objects.exists()
    assert not ChildAtHome.objects.exists()
