"""Identifiers typed in other characters (issue 11, PRV-1, INT-1).

A full-width CPR number (``１６０６００４１６４``) is the same person as ``1606004164``: it is
normalised (NFKC, ASCII digits) before validation, duplicate check and search, through the
services, the HTML form and the API alike. Digits of another script that NFKC leaves alone are
refused with ``id_digit_script``, never stored and never a 500. Every number is synthetic
(bedring.synthetic.people) and passes its checksum.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.test import Client as HttpClient

from bedring.accounts.models import Organisation, User
from bedring.clients import services
from bedring.clients.identifiers import (
    MAX_INPUT,
    IdentifierError,
    normalise_identifier,
    parse_identifier,
)
from bedring.clients.models import Client
from bedring.core.errors import Conflict
from bedring.core.roles import Role
from bedring.synthetic import people as synthetic
from tests.catalogue.test_courses_world import course, person
from tests.clients.test_identifiers import synthetic_d_number
from tests.conftest import api_headers, login

TODAY = datetime.date(2026, 11, 23)
CLIENTS_API = "/api/v1/clients"
NEW_CLIENT_URL = "/clients/new/"
BIRTH = datetime.date(1990, 2, 14)

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
EXTENDED_ARABIC_INDIC = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
BENGALI = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
MATHEMATICAL_BOLD = str.maketrans("0123456789", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗")


def number_of(kind: str) -> str:
    """A synthetic identifier of ``kind`` that passes its checksum."""
    rng = random.Random(11)
    if kind == "dk_cpr":
        return synthetic.dk_cpr(BIRTH, "female", rng)
    if kind == "no_fnr":
        return synthetic.no_fnr(BIRTH, "male", rng)
    if kind == "no_dnr":
        return synthetic_d_number(BIRTH, "female")
    return synthetic.be_nn(BIRTH, "male", rng)


JURISDICTION = {"dk_cpr": "DK", "no_fnr": "NO", "no_dnr": "NO", "be_nn": "BE"}
KINDS = list(JURISDICTION)


def full_width(number: str) -> str:
    return number.translate(FULL_WIDTH)


# --- The one normalisation --------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "write",
    [
        full_width,
        lambda n: full_width(n[:6]) + "－" + full_width(n[6:]),  # full-width hyphen
        lambda n: n[:6] + "\u3000" + n[6:],  # ideographic space
        lambda n: n[:6] + "\u00a0" + n[6:],  # no-break space
        lambda n: n[:6] + "–" + n[6:],  # en dash, as a word processor writes a hyphen
        lambda n: n.translate(MATHEMATICAL_BOLD),
        lambda n: f" {n[:2]}.{n[2:4]}.{n[4:6]}-{n[6:9]}.{n[9:]} ",  # Belgian style
    ],
    ids=[
        "full-width",
        "full-width hyphen",
        "ideographic space",
        "nbsp",
        "en dash",
        "math bold",
        "belgian dots",
    ],
)
def test_an_identifier_in_compatibility_characters_is_the_same_ascii_number(
    kind: str, write: Callable[[str], str]
):
    """NFKC turns full-width and other compatibility digits into 0-9; separators are dropped."""
    # Given a valid synthetic number, written another way
    number = number_of(kind)

    # When it is parsed in its jurisdiction
    parsed = parse_identifier(write(number), JURISDICTION[kind], TODAY)

    # Then the value is the ASCII number, of the right kind
    assert parsed.value == number
    assert parsed.value.isascii()
    assert parsed.kind == kind


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "script",
    [ARABIC_INDIC, EXTENDED_ARABIC_INDIC, DEVANAGARI, BENGALI],
    ids=["arabic-indic", "extended arabic-indic", "devanagari", "bengali"],
)
def test_digits_of_another_script_are_refused_not_mapped(kind: str, script: dict[int, str]):
    """Digits that NFKC leaves alone are refused with their own code, wholly or in part."""
    number = number_of(kind)
    for written in (number.translate(script), number[:-1] + number[-1].translate(script)):
        with pytest.raises(IdentifierError) as caught:
            parse_identifier(written, JURISDICTION[kind], TODAY)
        assert caught.value.code == "id_digit_script"
        assert "0 to 9" in str(caught.value.message)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1606004\x00164", "id_format"),
        ("\x00", "id_format"),
        ("16060041６4x", "id_format"),
        ("- . /", "id_format"),
        ("1" * (MAX_INPUT + 1), "id_length"),
        ("１" * 100_000, "id_length"),
        ("160600416", "id_length"),
    ],
    ids=["nul inside", "nul only", "letter", "separators only", "overlong", "huge", "short"],
)
def test_nul_letters_and_overlong_input_are_refused_with_a_code(raw: str, code: str):
    with pytest.raises(IdentifierError) as caught:
        parse_identifier(raw, "DK", TODAY)
    assert caught.value.code == code


def test_the_normalisation_is_idempotent_and_empty_stays_empty():
    number = number_of("dk_cpr")
    assert normalise_identifier(full_width(number)) == number
    assert normalise_identifier(normalise_identifier(full_width(number))) == number
    assert normalise_identifier("  ") == ""


# --- Services ---------------------------------------------------------------------------------


@pytest.fixture
def orgs(org_dk: Organisation, org_no: Organisation, org_be: Organisation) -> dict[str, Any]:
    return {"DK": org_dk, "NO": org_no, "BE": org_be}


@pytest.mark.parametrize("kind", KINDS)
def test_the_service_stores_a_full_width_identifier_as_ascii(orgs, kind: str):
    number = number_of(kind)
    client = services.client_register(
        organisation=orgs[JURISDICTION[kind]],
        national_id=full_width(number),
        last_name="Brandt",
    )
    client.refresh_from_db()
    assert client.national_id == number
    assert client.identifier_kind == kind


@pytest.mark.parametrize("kind", KINDS)
def test_updating_to_the_full_width_number_of_another_client_is_a_duplicate(orgs, kind: str):
    org = orgs[JURISDICTION[kind]]
    number = number_of(kind)
    services.client_register(organisation=org, national_id=number, last_name="First")
    other = services.client_register(organisation=org, last_name="Second")
    with pytest.raises(Conflict) as caught:
        services.client_update(client=other, changes={"national_id": full_width(number)})
    assert caught.value.code == "duplicate_client"
    other.refresh_from_db()
    assert other.national_id == ""


# --- The API ----------------------------------------------------------------------------------


class Api:
    def __init__(self, user: User) -> None:
        self.http = HttpClient(enforce_csrf_checks=True)
        self.headers = {"Authorization": api_headers(user)["HTTP_AUTHORIZATION"]}

    def get(self, path: str, **params: Any) -> Any:
        return self.http.get(path, params, headers=self.headers)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.http.post(path, body, content_type="application/json", headers=self.headers)

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.http.patch(path, body, content_type="application/json", headers=self.headers)


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["message"]
    return body


def counts() -> tuple[int, int]:
    return Client.objects.count(), LogEntry.objects.count()


@pytest.fixture
def api_for(orgs, make_staff: Callable[..., User]) -> Callable[[str], Api]:
    return lambda jurisdiction: Api(make_staff(orgs[jurisdiction], Role.COUNSELLOR))


@pytest.mark.parametrize("kind", KINDS)
def test_the_api_refuses_the_full_width_number_of_an_existing_client_as_a_duplicate(
    api_for, kind: str
):
    """Issue 11: the same person in full-width digits is 409, not a second record."""
    # Given a client registered with the ASCII number
    api = api_for(JURISDICTION[kind])
    number = number_of(kind)
    first = api.post(CLIENTS_API, {"national_id": number, "last_name": "Lund"})
    assert first.status_code == 201, first.content
    before = counts()

    # When the same number is registered in full-width digits
    response = api.post(CLIENTS_API, {"national_id": full_width(number), "last_name": "Lund"})

    # Then it is 409 duplicate_client naming the existing record, and nothing is written
    body = error_of(response, 409)
    assert body["code"] == "duplicate_client"
    assert body["details"] == {"client": first.json()["id"]}
    assert counts() == before


@pytest.mark.parametrize("kind", KINDS)
def test_the_api_finds_a_client_by_the_full_width_number(api_for, kind: str):
    api = api_for(JURISDICTION[kind])
    number = number_of(kind)
    created = api.post(CLIENTS_API, {"national_id": number, "last_name": "Lund"}).json()

    found = api.get(CLIENTS_API, q=full_width(number[:6]) + " " + full_width(number[6:]))

    assert found.status_code == 200, found.content
    assert [c["id"] for c in found.json()["results"]] == [created["id"]]


@pytest.mark.parametrize("kind", KINDS)
def test_the_api_registers_a_full_width_number_as_ascii(api_for, kind: str):
    api = api_for(JURISDICTION[kind])
    number = number_of(kind)
    response = api.post(CLIENTS_API, {"national_id": full_width(number), "last_name": "Lund"})
    assert response.status_code == 201, response.content
    assert response.json()["national_id"] == number
    assert Client.objects.get().national_id == number


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("write", "code"),
    [
        (lambda n: n.translate(ARABIC_INDIC), "id_digit_script"),
        (lambda n: n.translate(DEVANAGARI), "id_digit_script"),
        (lambda n: n[:4] + "\x00" + n[4:], "id_format"),
        (lambda n: n * 5, "id_length"),
        (lambda n: n * 10_000, "id_length"),
    ],
    ids=["arabic-indic", "devanagari", "nul", "overlong", "huge"],
)
def test_the_api_refuses_other_scripts_nul_and_overlong_input_with_a_code(
    api_for, kind: str, write: Callable[[str], str], code: str
):
    api = api_for(JURISDICTION[kind])
    before = counts()

    response = api.post(CLIENTS_API, {"national_id": write(number_of(kind)), "last_name": "Lund"})

    body = error_of(response, 422)
    assert (body["code"], body["field"]) == (code, "national_id")
    assert counts() == before


def test_the_api_refuses_a_patch_to_another_script(api_for):
    api = api_for("DK")
    number = number_of("dk_cpr")
    created = api.post(CLIENTS_API, {"national_id": number, "last_name": "Lund"}).json()

    response = api.patch(
        f"{CLIENTS_API}/{created['id']}", {"national_id": number.translate(ARABIC_INDIC)}
    )

    assert error_of(response, 422)["code"] == "id_digit_script"
    assert Client.objects.get().national_id == number


def test_an_api_search_in_another_script_is_422_not_an_empty_list(api_for):
    api = api_for("DK")
    response = api.get(CLIENTS_API, q=number_of("dk_cpr").translate(ARABIC_INDIC))
    body = error_of(response, 422)
    assert (body["code"], body["field"]) == ("id_digit_script", "q")


# --- The HTML form and search -----------------------------------------------------------------


def form_data(**fields: str) -> dict[str, str]:
    data = dict.fromkeys(
        ("national_id", "first_name", "last_name", "birth_date", "phone", "email"), ""
    )
    data.update({"address": "", "postal_code": "", "city": "", "language": "", "sex": "unknown"})
    data.update(fields)
    return data


@pytest.fixture
def browser_for(
    orgs, make_staff: Callable[..., User], client: HttpClient
) -> Callable[[str], HttpClient]:
    return lambda jurisdiction: login(client, make_staff(orgs[jurisdiction], Role.COUNSELLOR))


@pytest.mark.parametrize("kind", KINDS)
def test_the_form_refuses_the_full_width_number_of_an_existing_client(orgs, browser_for, kind: str):
    """Issue 11 through the registration form: a duplicate with a link, no second record."""
    # Given a client registered with the ASCII number
    org = orgs[JURISDICTION[kind]]
    number = number_of(kind)
    existing = services.client_register(organisation=org, national_id=number, last_name="Vik")
    http = browser_for(JURISDICTION[kind])
    before = counts()

    # When the form is posted with the number in full-width digits
    response = http.post(NEW_CLIENT_URL, form_data(national_id=full_width(number), last_name="X"))

    # Then the page answers 422 with the duplicate error and a link; nothing is written
    assert response.status_code == 422
    assert response.context["form"].errors["national_id"]
    assert str(existing.uuid) in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("script", [ARABIC_INDIC, DEVANAGARI], ids=["arabic-indic", "devanagari"])
def test_the_form_refuses_digits_of_another_script_on_the_field(
    browser_for, kind: str, script: dict[int, str]
):
    http = browser_for(JURISDICTION[kind])
    before = counts()

    response = http.post(
        NEW_CLIENT_URL, form_data(national_id=number_of(kind).translate(script), last_name="X")
    )

    assert response.status_code == 422
    assert response.context["form"].has_error("national_id", "id_digit_script")
    assert counts() == before


def test_the_form_refuses_a_nul_byte_on_the_field(browser_for):
    http = browser_for("DK")
    before = counts()
    number = number_of("dk_cpr")
    response = http.post(
        NEW_CLIENT_URL, form_data(national_id=number[:5] + "\x00" + number[5:], last_name="X")
    )
    assert response.status_code == 422
    assert response.context["form"].errors["national_id"]
    assert counts() == before


def test_the_edit_form_refuses_the_full_width_number_of_another_client(orgs, browser_for):
    org = orgs["DK"]
    number = number_of("dk_cpr")
    services.client_register(organisation=org, national_id=number, last_name="Vik")
    other = services.client_register(organisation=org, first_name="Bo", last_name="Holm")
    http = browser_for("DK")

    response = http.post(
        f"/clients/{other.uuid}/edit/",
        form_data(national_id=full_width(number), first_name="Bo", last_name="Holm"),
    )

    assert response.status_code == 422
    assert response.context["form"].errors["national_id"]
    other.refresh_from_db()
    assert other.national_id == ""


@pytest.mark.parametrize("kind", KINDS)
def test_the_client_search_finds_a_client_by_the_full_width_number(orgs, browser_for, kind: str):
    org = orgs[JURISDICTION[kind]]
    number = number_of(kind)
    existing = services.client_register(organisation=org, national_id=number, last_name="Vik")
    http = browser_for(JURISDICTION[kind])

    response = http.get("/clients/", {"q": full_width(number)}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert str(existing.uuid) in response.content.decode()


def test_the_client_search_says_why_digits_of_another_script_find_nobody(orgs, browser_for):
    services.client_register(
        organisation=orgs["DK"], national_id=number_of("dk_cpr"), last_name="Vik"
    )
    http = browser_for("DK")

    response = http.get(
        "/clients/",
        {"q": number_of("dk_cpr").translate(ARABIC_INDIC)},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response.context["search_error"]
    assert "0 to 9" in response.content.decode()
    assert "Vik" not in response.content.decode()


def test_the_course_enrolment_search_finds_full_width_and_explains_another_script(
    org_dk, counsellor, as_user
):
    """The course page's client search uses the same normalisation (SCH-1, INT-1)."""
    planned = course(org_dk, "relatives-course", datetime.date(2027, 3, 18), actor=counsellor)
    found_client = person(org_dk, first_name="Birthe", last_name="Skov")
    http = as_user(counsellor)
    url = f"/catalogue/courses/{planned.uuid}/enrol/"

    found = http.get(url, {"q": full_width(found_client.national_id)}, HTTP_HX_REQUEST="true")
    refused = http.get(
        url, {"q": found_client.national_id.translate(ARABIC_INDIC)}, HTTP_HX_REQUEST="true"
    )

    assert found.status_code == 200
    assert "Birthe Skov" in found.content.decode()
    assert refused.status_code == 200
    assert "Birthe Skov" not in refused.content.decode()
    assert "0 to 9" in refused.content.decode()
