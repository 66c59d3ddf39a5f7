"""Registering, editing and finding clients (PRV-1, INT-1), through the services and through
the HTML pages a counsellor uses."""

from __future__ import annotations

import datetime
import random
import re
from collections.abc import Callable

import pytest
from auditlog.models import LogEntry
from django.test import Client as HttpClient
from django.urls import reverse

from bedring.clients import services
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.errors import Conflict, ValidationFailed
from bedring.core.roles import Role
from bedring.rules.loader import load_pack
from bedring.synthetic import people
from tests.conftest import login

TODAY = datetime.date(2026, 11, 23)
NEW_CLIENT_URL = "/clients/new/"


def cpr(birth: datetime.date, sex: str = "female", seed: int = 1) -> str:
    return people.dk_cpr(birth, sex, random.Random(seed))


def form_data(**fields: str) -> dict[str, str]:
    """What the registration form posts: every field, mostly empty."""
    data = {
        "national_id": "",
        "first_name": "",
        "last_name": "",
        "birth_date": "",
        "sex": "unknown",
        "phone": "",
        "email": "",
        "address": "",
        "postal_code": "",
        "city": "",
        "language": "",
    }
    data.update(fields)
    return data


def field_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


# --- Registration through the services --------------------------------------------------------


def test_a_valid_cpr_number_registers_a_client_with_birth_date_and_sex(org_dk):
    """PRV-1: the birth date and sex are taken from the CPR number."""
    # Given a CPR number of a man born on 14 February 1990
    number = cpr(datetime.date(1990, 2, 14), "male")

    # When a client is registered with it
    client = services.client_register(
        organisation=org_dk, national_id=number, first_name="Lars", last_name="Holm", today=TODAY
    )

    # Then the stored client has the identifier, birth date, sex and a client code
    stored = Client.objects.get(pk=client.pk)
    assert stored.organisation == org_dk
    assert stored.identifier_kind == "dk_cpr"
    assert stored.national_id == number
    assert stored.birth_date == datetime.date(1990, 2, 14)
    assert stored.sex == "male"
    assert re.fullmatch(r"SON-[A-Z2-9]{6}", stored.code)


def test_the_same_cpr_number_cannot_be_registered_twice_in_one_organisation(org_dk):
    """PRV-1: never two records for one person in one organisation."""
    # Given a registered client
    number = cpr(datetime.date(1975, 6, 1))
    first = services.client_register(
        organisation=org_dk, national_id=number, first_name="Mette", last_name="Lund", today=TODAY
    )

    # When the same number is registered again, typed with a dash
    with pytest.raises(Conflict) as caught:
        services.client_register(
            organisation=org_dk,
            national_id=f"{number[:6]}-{number[6:]}",
            first_name="Mette",
            last_name="Lund-Hansen",
            today=TODAY,
        )

    # Then it is refused as a duplicate pointing at the existing client, and nothing is written
    assert caught.value.code == "duplicate_client"
    assert caught.value.details == {"client": str(first.uuid)}
    assert first.code in str(caught.value.message)
    assert Client.objects.filter(organisation=org_dk).count() == 1


def test_another_organisation_may_register_the_same_person(org_dk):
    """PRV-1: each organisation keeps its own record system."""
    # Given a client registered in Sønderborg
    number = cpr(datetime.date(1975, 6, 1))
    services.client_register(organisation=org_dk, national_id=number, last_name="Lund", today=TODAY)
    assens = load_pack("assens")

    # When Assens registers the same person
    other = services.client_register(
        organisation=assens, national_id=number, last_name="Lund", today=TODAY
    )

    # Then both records exist, one in each organisation
    assert other.organisation == assens
    assert Client.objects.filter(national_id=number).count() == 2


def mistyped_fnr() -> str:
    number = people.no_fnr(datetime.date(1985, 7, 3), "male", random.Random(4))
    return number[:-1] + str((int(number[-1]) + 1) % 10)


@pytest.mark.parametrize(
    ("pack", "make_raw", "code"),
    [
        ("sandnes", mistyped_fnr, "id_checksum"),
        ("sonderborg", lambda: "3002901234", "id_date"),  # 30 February
        ("sonderborg", lambda: cpr(datetime.date(2030, 1, 1)), "id_future"),
        ("msoc-oostende", lambda: cpr(datetime.date(1990, 2, 14)), "id_other_jurisdiction"),
    ],
    ids=["checksum", "impossible date", "future", "other jurisdiction"],
)
def test_an_invalid_identifier_is_refused_and_nothing_is_written(db, pack, make_raw, code):
    """PRV-1: the refusal names the problem and is attached to the identifier field."""
    # Given an organisation without clients
    organisation = load_pack(pack)
    raw = make_raw()

    # When a client is registered with an identifier that is wrong in one way
    with pytest.raises(ValidationFailed) as caught:
        services.client_register(
            organisation=organisation, national_id=raw, last_name="Berg", today=TODAY
        )

    # Then the refusal has the specific code, on the identifier field, and no row exists
    assert caught.value.code == code
    assert caught.value.field == "national_id"
    assert not Client.objects.exists()


def test_a_birth_date_in_the_future_is_refused_without_an_identifier(org_dk):
    # When a client without an identifier is registered with tomorrow as birth date
    with pytest.raises(ValidationFailed) as caught:
        services.client_register(
            organisation=org_dk,
            last_name="Berg",
            birth_date=TODAY + datetime.timedelta(days=1),
            today=TODAY,
        )

    # Then it is refused for the birth date and nothing is written
    assert caught.value.code == "birth_date_future"
    assert caught.value.field == "birth_date"
    assert not Client.objects.exists()


def test_a_birth_date_that_contradicts_the_identifier_is_refused(org_dk):
    # When a CPR number for 14 February 1990 is given with another birth date
    with pytest.raises(ValidationFailed) as caught:
        services.client_register(
            organisation=org_dk,
            national_id=cpr(datetime.date(1990, 2, 14)),
            birth_date=datetime.date(1990, 2, 15),
            last_name="Berg",
            today=TODAY,
        )

    # Then it is refused, saying which date the identifier gives
    assert caught.value.code == "birth_date_mismatch"
    assert "1990-02-14" in str(caught.value.message)
    assert not Client.objects.exists()


def test_an_anonymous_client_gets_a_generated_code_and_no_name(org_dk):
    """PRV-1: anonymous clients are found by their client code only."""
    # When an anonymous client is registered, even with a name typed in
    client = services.client_register(
        organisation=org_dk, anonymous=True, first_name="Kim", last_name="Berg", today=TODAY
    )

    # Then the client has a code, no name, no identifier, and is shown by the code
    stored = Client.objects.get(pk=client.pk)
    assert stored.anonymous
    assert re.fullmatch(r"SON-[A-Z2-9]{6}", stored.code)
    assert (stored.first_name, stored.last_name) == ("", "")
    assert (stored.identifier_kind, stored.national_id) == ("none", "")
    assert stored.display_name == f"Anonymous {stored.code}"


def test_two_anonymous_clients_get_different_codes(org_dk):
    # When two anonymous clients are registered
    first = services.client_register(organisation=org_dk, anonymous=True, today=TODAY)
    second = services.client_register(organisation=org_dk, anonymous=True, today=TODAY)

    # Then each has its own code
    assert first.code != second.code


def test_an_anonymous_client_cannot_have_an_identifier(org_dk):
    # When an anonymous client is registered with a CPR number
    with pytest.raises(ValidationFailed) as caught:
        services.client_register(
            organisation=org_dk,
            anonymous=True,
            national_id=cpr(datetime.date(1990, 2, 14)),
            today=TODAY,
        )

    # Then it is refused and nothing is written
    assert caught.value.code == "anonymous_with_identifier"
    assert not Client.objects.exists()


@pytest.mark.parametrize(("first", "last"), [("", ""), ("  ", " ")])
def test_a_client_who_is_not_anonymous_needs_a_name(org_dk, first, last):
    """PRV-1: without a name the client is registered as anonymous, on purpose."""
    # When a client is registered neither anonymous nor with a name
    with pytest.raises(ValidationFailed) as caught:
        services.client_register(organisation=org_dk, first_name=first, last_name=last, today=TODAY)

    # Then it is refused with name_required and nothing is written
    assert caught.value.code == "name_required"
    assert not Client.objects.exists()


# --- Registration through the page ------------------------------------------------------------


def test_a_counsellor_registers_a_client_through_the_form(client, counsellor, org_dk):
    """PRV-1: the form derives birth date and sex from the CPR number."""
    # Given a logged-in counsellor of Sønderborg
    login(client, counsellor)
    number = cpr(datetime.date(1988, 3, 9), "female")

    # When the registration form is posted with a CPR number and a name
    response = client.post(
        NEW_CLIENT_URL,
        form_data(national_id=f"{number[:6]}-{number[6:]}", first_name="Ida", last_name="Dahl"),
    )

    # Then the client exists with the derived data, and the browser goes to the client page
    stored = Client.objects.get(organisation=org_dk)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:client_detail", args=[stored.uuid])
    assert stored.national_id == number
    assert stored.birth_date == datetime.date(1988, 3, 9)
    assert stored.sex == "female"
    assert (stored.first_name, stored.last_name) == ("Ida", "Dahl")


def test_the_form_refuses_a_duplicate_with_a_link_to_the_existing_client(
    client, counsellor, org_dk
):
    """PRV-1: the counsellor is sent to the existing record rather than making a second."""
    # Given a registered client
    number = cpr(datetime.date(1975, 6, 1))
    existing = services.client_register(
        organisation=org_dk, national_id=number, first_name="Anne", last_name="Vik"
    )
    login(client, counsellor)
    log_entries = LogEntry.objects.count()

    # When the same CPR number is registered through the form
    response = client.post(
        NEW_CLIENT_URL, form_data(national_id=number, first_name="Anne", last_name="Vik")
    )

    # Then the page answers 422 with a link to the existing client, and nothing is written
    assert response.status_code == 422
    url = reverse("web:client_detail", args=[existing.uuid])
    assert f'<a href="{url}" data-testid="duplicate-link">' in response.content.decode()
    assert field_errors(response, "national_id")
    assert Client.objects.filter(organisation=org_dk).count() == 1
    assert LogEntry.objects.count() == log_entries


def test_the_form_refuses_a_mistyped_norwegian_number(client, org_no, make_staff):
    """PRV-1: a typo in a fødselsnummer is caught by its check digits."""
    # Given a counsellor in Sandnes and a fødselsnummer with its last digit changed
    login(client, make_staff(org_no, Role.COUNSELLOR))
    typo = mistyped_fnr()

    # When the form is posted with it
    response = client.post(NEW_CLIENT_URL, form_data(national_id=typo, last_name="Olsen"))

    # Then the identifier field says the check digits do not match, and no client exists
    assert response.status_code == 422
    [error] = field_errors(response, "national_id")
    assert "check digits" in error
    assert error in response.content.decode()
    assert not Client.objects.exists()


def test_the_form_refuses_a_cpr_number_with_an_impossible_date(client, counsellor):
    # Given a logged-in counsellor
    login(client, counsellor)

    # When a CPR number for 30 February is posted
    response = client.post(NEW_CLIENT_URL, form_data(national_id="300290-1234", last_name="Moe"))

    # Then the identifier field says it holds no real birth date, and no client exists
    assert response.status_code == 422
    assert field_errors(response, "national_id") == [
        "This Danish CPR number does not contain a real birth date."
    ]
    assert not Client.objects.exists()


def test_the_form_refuses_a_cpr_number_of_someone_not_yet_born(client, counsellor, org_dk):
    # Given a logged-in counsellor and a CPR number for a birth date 60 days from now
    login(client, counsellor)
    number = cpr(clock.today(org_dk) + datetime.timedelta(days=60))

    # When it is posted
    response = client.post(NEW_CLIENT_URL, form_data(national_id=number, last_name="Moe"))

    # Then the identifier field says the birth date is in the future, and no client exists
    assert response.status_code == 422
    assert field_errors(response, "national_id") == [
        "This Danish CPR number gives a birth date in the future."
    ]
    assert not Client.objects.exists()


def test_the_form_refuses_an_identifier_of_another_country(client, counsellor):
    """PRV-1: a Norwegian number in a Danish organisation is named as such."""
    # Given a logged-in counsellor in Denmark and a valid Norwegian fødselsnummer
    login(client, counsellor)
    number = people.no_fnr(datetime.date(1985, 7, 3), "male", random.Random(4))

    # When it is posted
    response = client.post(NEW_CLIENT_URL, form_data(national_id=number, last_name="Olsen"))

    # Then the identifier field says it is a valid Norwegian number, and no client exists
    assert response.status_code == 422
    [error] = field_errors(response, "national_id")
    assert "valid Norwegian national identity number" in error
    assert not Client.objects.exists()


@pytest.mark.parametrize("birth_date", ["2026-02-30", "1990-13-01", "not a date"])
def test_the_form_refuses_an_impossible_birth_date_without_an_error_page(
    client, counsellor, birth_date
):
    # Given a logged-in counsellor
    login(client, counsellor)

    # When a client without identifier is posted with an impossible birth date
    response = client.post(NEW_CLIENT_URL, form_data(last_name="Strand", birth_date=birth_date))

    # Then the form shows an error on the birth date (no server error) and no client exists
    assert response.status_code == 422
    assert field_errors(response, "birth_date")
    assert not Client.objects.exists()


def test_the_form_refuses_a_future_birth_date_without_an_identifier(client, counsellor, org_dk):
    # Given a logged-in counsellor
    login(client, counsellor)
    tomorrow = clock.today(org_dk) + datetime.timedelta(days=1)

    # When a client is posted with tomorrow as birth date
    response = client.post(
        NEW_CLIENT_URL, form_data(last_name="Strand", birth_date=tomorrow.isoformat())
    )

    # Then the birth date field says it is in the future, and no client exists
    assert response.status_code == 422
    assert field_errors(response, "birth_date") == ["The birth date is in the future."]
    assert not Client.objects.exists()


def test_the_form_registers_an_anonymous_client_by_code(client, counsellor, org_dk):
    # Given a logged-in counsellor
    login(client, counsellor)

    # When the form is posted with only 'anonymous' ticked
    response = client.post(NEW_CLIENT_URL, form_data(anonymous="on"))

    # Then an anonymous client with a code exists
    stored = Client.objects.get(organisation=org_dk)
    assert response.status_code == 302
    assert stored.anonymous
    assert stored.code.startswith("SON-")
    assert (stored.first_name, stored.last_name) == ("", "")


def test_the_form_asks_for_a_name_unless_the_client_is_anonymous(client, counsellor):
    # Given a logged-in counsellor
    login(client, counsellor)

    # When the form is posted with neither a name nor 'anonymous'
    response = client.post(NEW_CLIENT_URL, form_data(phone="+45 20 00 001"))

    # Then the last name field asks for a name, and no client exists
    assert response.status_code == 422
    assert field_errors(response, "last_name") == [
        "Give a name, or register the client as anonymous."
    ]
    assert not Client.objects.exists()


def test_staff_without_write_permission_cannot_register(client, org_dk, make_staff):
    """PRV-1: drop-in workers do not open client records."""
    # Given a logged-in drop-in worker
    login(client, make_staff(org_dk, Role.DROPIN_WORKER))

    # When the registration form is posted
    response = client.post(NEW_CLIENT_URL, form_data(last_name="Aas"))

    # Then it is forbidden and no client exists
    assert response.status_code == 403
    assert not Client.objects.exists()


# --- Editing ----------------------------------------------------------------------------------


def edit_data(client_record: Client, **changes: str) -> dict[str, str]:
    data = form_data(
        national_id=client_record.national_id,
        first_name=client_record.first_name,
        last_name=client_record.last_name,
        birth_date=client_record.birth_date.isoformat() if client_record.birth_date else "",
        sex=client_record.sex,
        phone=client_record.phone,
    )
    data.update(changes)
    return data


def test_editing_a_client_saves_and_records_the_change(client, counsellor, dk_client):
    """PRV-1: every change to a client is recorded with old and new value and who made it."""
    # Given a logged-in counsellor and a client
    login(client, counsellor)
    old_phone = dk_client.phone

    # When the client's phone number is changed through the edit form
    response = client.post(
        f"/clients/{dk_client.uuid}/edit/", edit_data(dk_client, phone="+45 20000999")
    )

    # Then the change is saved, and recorded with old and new value and the counsellor as actor
    assert response.status_code == 302
    dk_client.refresh_from_db()
    assert dk_client.phone == "+45 20 00 09 99"  # stored in the international format
    entry = LogEntry.objects.get_for_object(dk_client).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == counsellor
    assert entry.changes_dict["phone"] == [old_phone, "+45 20 00 09 99"]
    assert "last_name" not in entry.changes_dict  # only what changed is recorded


def test_editing_a_client_to_another_clients_identifier_is_refused(
    client, counsellor, org_dk, make_client
):
    """PRV-1: an edit cannot create a second record for the same person either."""
    # Given two clients
    first = make_client(org_dk)
    second = make_client(org_dk)
    login(client, counsellor)

    # When the second client's identifier is changed to the first client's
    response = client.post(
        f"/clients/{second.uuid}/edit/", edit_data(second, national_id=first.national_id)
    )

    # Then the form refuses it and the second client keeps its own identifier
    assert response.status_code == 422
    assert field_errors(response, "national_id")
    old = second.national_id
    second.refresh_from_db()
    assert second.national_id == old


def test_a_client_of_another_organisation_cannot_be_edited(client, outsider, dk_client):
    """PRV-1: another organisation's client does not exist for the outsider."""
    # Given a member of Sandnes with every role
    login(client, outsider)

    # When they post the edit form of a Sønderborg client
    response = client.post(
        f"/clients/{dk_client.uuid}/edit/", edit_data(dk_client, last_name="Changed")
    )

    # Then the client is not found and not changed
    assert response.status_code == 404
    dk_client.refresh_from_db()
    assert dk_client.last_name != "Changed"


# --- Searching --------------------------------------------------------------------------------


@pytest.fixture
def searchable(org_dk, org_no, make_client) -> tuple[Client, Client]:
    """A Danish client and a Norwegian client with names nobody else has."""
    dane = make_client(org_dk, first_name="Signe", last_name="Kvistgaard")
    norwegian = make_client(org_no, first_name="Ragnhild", last_name="Fjellheim")
    make_client(org_dk, first_name="Søren", last_name="Rasmussen")
    return dane, norwegian


def search(http: HttpClient, query: str) -> str:
    """The results part of the client list, as the live search fetches it (htmx)."""
    response = http.get("/clients/", {"q": query}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.templates[0].name == "clients/partials/_results.html"
    return response.content.decode()


@pytest.mark.parametrize(
    "query_for",
    [
        lambda c: c.last_name,
        lambda c: c.last_name.lower()[:5],
        lambda c: f"{c.first_name} {c.last_name}",
        lambda c: c.code,
        lambda c: c.code.lower(),
        lambda c: c.national_id,
        lambda c: c.identifier_display,
    ],
    ids=["last name", "part of it", "full name", "code", "code lower", "identifier", "formatted"],
)
def test_searching_finds_the_client_by_name_code_or_identifier(
    client, counsellor, searchable, query_for: Callable[[Client], str]
):
    """INT-1: a client is found by name, client code or national identifier."""
    # Given a logged-in counsellor and a client of their organisation
    dane, _norwegian = searchable
    login(client, counsellor)

    # When they search
    page = search(client, query_for(dane))

    # Then that client is in the results, and the other Danish client is not
    assert str(dane.uuid) in page
    assert "Rasmussen" not in page


@pytest.mark.parametrize(
    "query_for",
    [lambda c: c.last_name, lambda c: c.code, lambda c: c.national_id],
    ids=["last name", "code", "identifier"],
)
def test_searching_never_finds_a_client_of_another_organisation(
    client, counsellor, outsider, searchable, query_for: Callable[[Client], str]
):
    """PRV-1: a Danish counsellor never sees a Norwegian organisation's client."""
    # Given a client of Sandnes, found by Sandnes staff themselves
    _dane, norwegian = searchable
    assert str(norwegian.uuid) in search(login(HttpClient(), outsider), query_for(norwegian))

    # When a Sønderborg counsellor searches for that client
    login(client, counsellor)
    page = search(client, query_for(norwegian))

    # Then nothing of that client appears
    assert str(norwegian.uuid) not in page
    assert "Fjellheim" not in page
    assert norwegian.code not in page
    assert "No client matches." in page


def test_the_client_list_without_a_query_lists_nobody_until_a_search(
    client, counsellor, searchable
):
    """PRV-1: the list does not open on every client of the organisation."""
    # Given clients in Sønderborg and Sandnes that the counsellor has never opened
    dane, norwegian = searchable
    login(client, counsellor)

    # When the counsellor opens the client list
    page = search(client, "")

    # Then nobody is listed, only the empty list of recent clients
    assert str(dane.uuid) not in page
    assert "Rasmussen" not in page
    assert str(norwegian.uuid) not in page
    assert 'data-testid="recent-clients"' in page
