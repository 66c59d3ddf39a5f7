"""Numbers typed by people are read as ASCII digits (issue 11): ``str.isdigit``, ``int()`` and
a regular expression's ``\\d`` take the digits of every script, so each place that reads a
number from a request is checked here with full-width, other-script and huge input."""

from __future__ import annotations

import datetime

import pytest

from bedring.accounts.forms import TokenForm
from bedring.catalogue.calendar_feed import week_start
from bedring.core.digits import MAX_DIGITS, ascii_digits
from bedring.core.errors import ValidationFailed
from bedring.core.paging import Paginator
from bedring.medication.rules import medicine_note_figures, week_days
from tests.conftest import api_headers, login

TODAY = datetime.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("12", "12"),
        (" 12 ", "12"),
        ("１２", "12"),  # full-width: NFKC makes it 12
        ("٢٠٢٥", None),  # Arabic-Indic: not mapped
        ("२०२५", None),  # Devanagari
        ("-1", None),
        ("1e3", None),
        ("12\n3", None),
        ("", None),
        ("\x00", None),
        ("9" * (MAX_DIGITS + 1), None),
        ("９" * 100_000, None),
    ],
)
def test_ascii_digits_takes_ascii_and_full_width_digits_only(text: str, digits: str | None):
    assert ascii_digits(text) == digits


# --- ?page= on every HTML list -------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        ("3", 3),
        ("３", 3),
        ("٣", 1),  # Django's own paginator would show page 3
        ("¹", 1),
        ("9" * 5000, 1),
        ("99", 10),  # past the end: the last page, as before
        (None, 1),
    ],
)
def test_a_page_number_is_ascii_digits_or_the_first_page(page: str | None, shown: int):
    assert Paginator(range(100), 10).get_page(page).number == shown


@pytest.mark.parametrize("page", ["１２", "١٢", "9" * 5000, "-1", "\x00"])
def test_the_client_list_answers_any_page_number_without_an_error(
    client, counsellor, make_client, org_dk, page: str
):
    make_client(org_dk, last_name="Vestergaard")
    login(client, counsellor)
    # The list starts empty (privacy); a search's results are paged.
    response = client.get("/clients/", {"q": "Vestergaard", "page": page})
    assert response.status_code == 200
    assert response.context["page"].number == 1
    assert "Vestergaard" in response.content.decode()


# --- the six-digit login code --------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [("123456", "123456"), ("１２３４５６", "123456"), (" 123456 ", "123456")],
)
def test_a_login_code_is_read_as_ascii_digits(typed: str, code: str):
    form = TokenForm({"otp_token": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["otp_token"] == code


@pytest.mark.parametrize("typed", ["١٢٣٤٥٦", "१२३४५६", "12345a", "12 456", "\x0012345"])
def test_a_login_code_in_another_script_is_a_form_error(typed: str):
    form = TokenForm({"otp_token": typed})
    assert not form.is_valid()
    assert form.errors["otp_token"]


# --- ISO weeks -----------------------------------------------------------------------------


@pytest.mark.parametrize("week", ["٢٠٢٦-W٤٨", "2026-W٤٨", "२०२६-W48", "2026-W48\n"])
def test_a_copayment_week_in_another_script_is_no_week(week: str):
    with pytest.raises(ValueError, match="W") as caught:
        week_days(week)
    assert caught.value.args == (week,)


@pytest.mark.parametrize("week", ["٢٠٢٦-W٤٨", "2026-W٤٨", "२०२६-W48", "2026-W48\n"])
def test_a_calendar_week_in_another_script_is_bad_week(week: str):
    with pytest.raises(ValidationFailed) as caught:
        week_start(week, today=TODAY)
    assert caught.value.code == "bad_week"


def test_the_calendar_api_refuses_a_week_in_another_script_with_422(client, counsellor):
    response = client.get("/api/v1/me/calendar", {"week": "٢٠٢٦-W٤٨"}, **api_headers(counsellor))
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "bad_week"


def test_a_medicine_note_is_read_back_in_ascii_digits_only():
    assert medicine_note_figures("7 x 0.30") is not None
    assert medicine_note_figures("٧ x 0.30") is None
    assert medicine_note_figures("7 x 0.30\n") is None


# --- query parameters already read strictly: kept so ----------------------------------------


@pytest.mark.parametrize("offset", ["１２", "٢", "9" * 30])
def test_an_api_offset_in_another_script_or_huge_is_422(client, counsellor, offset: str):
    response = client.get("/api/v1/clients", {"offset": offset}, **api_headers(counsellor))
    assert response.status_code == 422, response.content
    assert response.json()["code"] in ("invalid_input", "invalid_page")


@pytest.mark.parametrize("year", ["٢٠٢٥", "２０２５", "9" * 30])
def test_a_kpi_year_in_another_script_or_huge_is_refused(client, manager, year: str):
    login(client, manager)
    response = client.get("/outcomes/", {"year": year})
    assert response.status_code == 422
    assert response.context["error"].code == "invalid_year"
