"""The Belgian co-payment ledger (MED-9): a week charged once (week price share and the
medicine share per dose), payments, write-offs, the running balance; no charges at all in
Denmark and Norway."""

from __future__ import annotations

import datetime
import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.db import OperationalError, connection, connections
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from bedring.accounts.access import load_staff
from bedring.audit.models import AccessEvent
from bedring.core.errors import Conflict, DomainError, ValidationFailed
from bedring.core.roles import Role
from bedring.medication.models import CoPaymentEntry, DispensingKind
from bedring.medication.rules import medicine_note_shown, week_days, week_of
from bedring.medication.selectors import copayment_balance, records_context
from bedring.medication.services import records as services_records
from bedring.medication.services.records import (
    copayment_charge_week,
    copayment_payment_record,
    copayment_write_off,
)
from bedring.rules.loader import load_pack
from tests.conftest import api_headers, login
from tests.medication.records_fixtures import dispense, make_prescription, today_of

WEEK_SHARE = Decimal("4.50")  # BE.yaml
DOSE_SHARE = Decimal("0.30")


@pytest.fixture
def be_nurse(org_be, make_staff):
    return make_staff(org_be, Role.NURSE)


@pytest.fixture
def be_client(org_be, make_client):
    return make_client(org_be)


def last_week(client) -> tuple[str, datetime.date]:
    week = week_of(today_of(client) - datetime.timedelta(days=7))
    return week, week_days(week)[0]


def charge(client, actor, week=None):
    return copayment_charge_week(client=client, actor=actor, week=week or last_week(client)[0])


# --- pure ----------------------------------------------------------------------------------


def test_an_iso_week_is_monday_to_sunday_including_week_53():
    """MED-9: weeks are ISO weeks, written 2026-W48."""
    assert week_days("2026-W48") == (datetime.date(2026, 11, 23), datetime.date(2026, 11, 29))
    assert week_days("2026-W53") == (datetime.date(2026, 12, 28), datetime.date(2027, 1, 3))
    assert week_of(datetime.date(2027, 1, 3)) == "2026-W53"
    with pytest.raises(ValueError, match="54"):
        week_days("2026-W54")
    with pytest.raises(ValueError, match="2026-48"):
        week_days("2026-48")


@pytest.mark.parametrize("week", ["9999-W52", "3000-W01", "1899-W52", "0000-W01"])
def test_a_week_outside_the_years_1900_to_2999_is_no_week_to_charge(week):
    """MED-9: 9999-W52 would end after the calendar does; a ValueError, not an overflow."""
    with pytest.raises(ValueError, match=week):
        week_days(week)


def test_the_medicine_note_is_written_in_the_active_languages_number_format():
    """MED-9: "7 x 0.30" is stored; a Dutch reader sees 7 × 0,30. Other notes as written."""
    with translation.override("nl"):
        assert medicine_note_shown("7 x 0.30") == "7 × 0,30"
        assert medicine_note_shown("12 x 0.125") == "12 × 0,125"
        assert medicine_note_shown("Paid in cash 2.50") == "Paid in cash 2.50"
    with translation.override("en"):
        assert medicine_note_shown("7 x 0.3") == "7 × 0.30"


# --- charging a week -----------------------------------------------------------------------


def test_a_week_is_charged_the_week_price_share_and_the_medicine_share_per_dose(
    org_be, be_client, be_nurse, make_client
):
    """MED-9: 4.50 for the week and 0.30 for each dose handed out in it (supervised,
    take-home and exception doses); doses of other weeks and other clients do not count."""
    week, monday = last_week(be_client)
    methadone = make_prescription(
        be_client, prescriber=be_nurse, starts_on=monday - datetime.timedelta(days=30)
    )
    for offset in range(3):
        dispense(methadone, monday + datetime.timedelta(days=offset), actor=be_nurse)
    for offset in (3, 4):
        dispense(
            methadone,
            monday + datetime.timedelta(days=offset),
            actor=be_nurse,
            kind=DispensingKind.TAKE_HOME,
        )
    dispense(methadone, monday, actor=be_nurse, kind=DispensingKind.EXCEPTION)
    dispense(methadone, monday - datetime.timedelta(days=1), actor=be_nurse)  # the week before
    other = make_client(org_be)
    dispense(make_prescription(other, prescriber=be_nurse), monday, actor=be_nurse)

    rows = charge(be_client, be_nurse, week)

    assert [(r.kind, r.amount, r.week) for r in rows] == [
        ("week_price", WEEK_SHARE, week),
        ("medicine", DOSE_SHARE * 6, week),
    ]
    assert rows[1].note == "6 x 0.30"
    assert copayment_balance(be_client) == Decimal("6.30")


def test_a_week_without_doses_is_charged_the_week_price_only(be_client, be_nurse):
    rows = charge(be_client, be_nurse)
    assert [(r.kind, r.amount) for r in rows] == [("week_price", WEEK_SHARE)]


def test_a_week_is_charged_once(be_client, be_nurse):
    """MED-9: a second charge of the same week is a conflict; nothing more is written."""
    charge(be_client, be_nurse)
    with pytest.raises(Conflict) as caught:
        charge(be_client, be_nurse)
    assert caught.value.code == "already_charged"
    assert CoPaymentEntry.objects.filter(client=be_client).count() == 1


def test_a_charge_that_loses_the_race_is_turned_into_already_charged(
    be_client, be_nurse, monkeypatch
):
    """MED-9: when the check passes for both, the constraint copay_week_once decides and the
    loser is told already_charged, not a 500."""
    charge(be_client, be_nurse)
    monkeypatch.setattr(services_records, "_already_charged", lambda client, week: False)
    with pytest.raises(Conflict) as caught:
        charge(be_client, be_nurse)
    assert caught.value.code == "already_charged"
    assert CoPaymentEntry.objects.filter(client=be_client).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_staff_charging_the_same_week_at_once_write_it_once():
    """MED-9: two threads with their own connections charge the same week together; one
    writes, the other gets already_charged (see tests/catalogue/test_enrolment_race.py for
    how SQLite's shared in-memory test database is handled)."""
    from bedring.accounts import services as account_services
    from bedring.clients import services as client_services

    organisation = load_pack("msoc-oostende")
    staff = [
        account_services.staff_create(
            username=f"race-{n}",
            password="a-long-test-password-1",
            first_name="Race",
            last_name=str(n),
            organisation=organisation,
            roles=[Role.NURSE],
        )
        for n in range(2)
    ]
    client = client_services.client_register(
        organisation=organisation, first_name="Race", last_name="Client"
    )
    week = last_week(client)[0]
    barrier = threading.Barrier(2)
    outcomes: dict[int, Any] = {}
    sqlite = connection.vendor == "sqlite"

    def attempt(number: int) -> None:
        try:
            barrier.wait(timeout=10)
            for _try in range(200):
                try:
                    copayment_charge_week(client=client, actor=staff[number], week=week)
                except OperationalError as exc:
                    if not (sqlite and "locked" in str(exc)):
                        raise
                    time.sleep(0.01)
                else:
                    break
            else:
                raise AssertionError("the database stayed locked")
            outcomes[number] = "charged"
        except DomainError as exc:
            outcomes[number] = exc.code
        except Exception as exc:  # reported by the assertion below
            outcomes[number] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["already_charged", "charged"], outcomes
    assert CoPaymentEntry.objects.filter(client=client, week=week).count() == 1


def test_a_week_that_has_not_ended_is_refused(be_client, be_nurse):
    """MED-9: the doses of a week are known when it is over."""
    with pytest.raises(ValidationFailed) as caught:
        charge(be_client, be_nurse, week_of(today_of(be_client)))
    assert caught.value.code == "week_not_over"
    assert not CoPaymentEntry.objects.exists()


@pytest.mark.parametrize("week", ["9999-W52", "3000-W01", "1899-W52"])
def test_a_week_outside_the_years_1900_to_2999_is_refused(be_client, be_nurse, week):
    """MED-9: a week the calendar cannot end (9999-W52) or a typing error of the year is
    refused with a code, not a 500; nothing is written."""
    with pytest.raises(ValidationFailed) as caught:
        charge(be_client, be_nurse, week)
    assert caught.value.code == "week_out_of_range"
    assert caught.value.field == "week"
    assert "1900" in str(caught.value.message)
    assert not CoPaymentEntry.objects.exists()


def test_a_week_that_is_no_iso_week_is_refused(be_client, be_nurse):
    for bad in ("2026-48", "2026-W54", "next week"):
        with pytest.raises(ValidationFailed) as caught:
            charge(be_client, be_nurse, bad)
        assert caught.value.code == "invalid_week"
    assert not CoPaymentEntry.objects.exists()


# --- payments, write-offs, the balance -----------------------------------------------------


def test_the_balance_is_charges_minus_payments_and_write_offs(be_client, be_nurse):
    """MED-9: 4.50 charged, 3.00 paid, 1.00 written off: 0.50 owed."""
    charge(be_client, be_nurse)
    copayment_payment_record(client=be_client, actor=be_nurse, amount=Decimal("3.00"))
    entry = copayment_write_off(
        client=be_client, actor=be_nurse, amount="1", note="Cannot pay this month."
    )
    assert entry.amount == Decimal("1.00")
    assert entry.on == today_of(be_client)
    assert copayment_balance(be_client) == Decimal("0.50")


def test_a_payment_may_exceed_the_balance(be_client, be_nurse):
    """MED-9: a client may pay ahead; the balance goes below zero."""
    copayment_payment_record(client=be_client, actor=be_nurse, amount="10.00")
    assert copayment_balance(be_client) == Decimal("-10.00")


def test_a_write_off_needs_a_note(be_client, be_nurse):
    charge(be_client, be_nurse)
    with pytest.raises(ValidationFailed) as caught:
        copayment_write_off(client=be_client, actor=be_nurse, amount="1.00", note="  ")
    assert caught.value.code == "note_required"
    assert caught.value.field == "note"
    assert not CoPaymentEntry.objects.filter(kind="write_off").exists()


def test_a_write_off_over_the_balance_is_refused(be_client, be_nurse):
    charge(be_client, be_nurse)
    with pytest.raises(ValidationFailed) as caught:
        copayment_write_off(client=be_client, actor=be_nurse, amount="4.51", note="Too much")
    assert caught.value.code == "write_off_exceeds_balance"
    assert not CoPaymentEntry.objects.filter(kind="write_off").exists()


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("0", "amount_not_positive"),
        ("-2.00", "amount_not_positive"),
        ("1.005", "amount_precision"),
        ("abc", "invalid_amount"),
        ("NaN", "amount_not_positive"),
        ("100000000", "amount_too_large"),
        ("1e30", "amount_too_large"),
        ("1E+999999", "amount_too_large"),
        ("Infinity", "amount_not_positive"),
        ("1e-30", "amount_precision"),
    ],
)
def test_a_payment_amount_that_is_not_a_positive_sum_in_cents_is_refused(
    be_client, be_nurse, amount, code
):
    with pytest.raises(ValidationFailed) as caught:
        copayment_payment_record(client=be_client, actor=be_nurse, amount=amount)
    assert caught.value.code == code
    assert not CoPaymentEntry.objects.exists()


def test_a_write_off_of_a_huge_amount_is_refused(be_client, be_nurse):
    """MED-9: the maximum is checked before the amount is rounded to cents."""
    charge(be_client, be_nurse)
    with pytest.raises(ValidationFailed) as caught:
        copayment_write_off(client=be_client, actor=be_nurse, amount="1e30", note="Hardship")
    assert caught.value.code == "amount_too_large"
    assert not CoPaymentEntry.objects.filter(kind="write_off").exists()


def test_a_payment_dated_in_the_future_is_refused(be_client, be_nurse):
    with pytest.raises(ValidationFailed) as caught:
        copayment_payment_record(
            client=be_client,
            actor=be_nurse,
            amount="1.00",
            on=today_of(be_client) + datetime.timedelta(days=1),
        )
    assert caught.value.code == "date_in_future"
    assert not CoPaymentEntry.objects.exists()


# --- no charges in Denmark and Norway ------------------------------------------------------


@pytest.mark.parametrize("pack", ["sonderborg", "sandnes"])
def test_denmark_and_norway_charge_nothing(pack, make_client, make_staff, db):
    """MED-9: treatment and medicine are free; every write is refused naming MED-9."""
    organisation = load_pack(pack)
    client = make_client(organisation)
    nurse = make_staff(organisation, Role.NURSE)
    attempts = [
        lambda: charge(client, nurse),
        lambda: copayment_payment_record(client=client, actor=nurse, amount="1.00"),
        lambda: copayment_write_off(client=client, actor=nurse, amount="1.00", note="x"),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationFailed) as caught:
            attempt()
        assert caught.value.code == "no_charges"
        assert "charges no co-payment" in str(caught.value.message)
        assert "MED-" not in str(caught.value.message)
    assert not CoPaymentEntry.objects.exists()
    assert records_context(client, load_staff(nurse, None))["copayment_summary"].applies is False


def test_the_co_payment_section_is_hidden_where_nothing_is_charged(dk_client, counsellor):
    context = records_context(dk_client, load_staff(counsellor, None))
    html = render_to_string(
        "medication/partials/_copayments.html",
        {**context, "client": dk_client, "can_write": True, "can_prescribe": False},
    )
    assert html.strip() == ""


def test_the_medication_page_shows_co_payments_in_belgium_only(
    be_client, be_nurse, dk_client, counsellor, as_user
):
    """MED-9: the section is on the Belgian client's page and absent from the Danish one."""
    be_page = as_user(be_nurse).get(reverse("medication:client", args=[be_client.uuid]))
    assert 'data-testid="co-payments"' in be_page.content.decode()
    dk_page = as_user(counsellor).get(reverse("medication:client", args=[dk_client.uuid]))
    assert dk_page.status_code == 200
    assert 'data-testid="co-payments"' not in dk_page.content.decode()


def test_the_danish_ledger_page_says_that_no_charges_apply(dk_client, counsellor, as_user):
    """MED-9: 200 with the reason, not an error; the forms say it too and refuse a POST."""
    http = as_user(counsellor)
    page = http.get(reverse("medication:copayments", args=[dk_client.uuid]))
    assert page.status_code == 200
    assert 'data-testid="no-charges"' in page.content.decode()
    form_url = reverse("medication:copayment_payment", args=[dk_client.uuid])
    assert 'data-testid="no-charges"' in http.get(form_url).content.decode()
    response = http.post(form_url, {"amount": "2.00"})
    assert response.status_code == 422
    assert "charges no co-payment" in response.content.decode()
    assert "MED-" not in response.content.decode()
    assert not CoPaymentEntry.objects.exists()


# --- pages ---------------------------------------------------------------------------------


def test_the_ledger_page_shows_the_running_balance_in_the_language_number_format(
    be_client, be_nurse, as_user
):
    """MED-9: each entry with the balance after it; Dutch writes 4,50."""
    charge(be_client, be_nurse)
    copayment_payment_record(client=be_client, actor=be_nurse, amount="2.25")
    http = as_user(be_nurse)
    http.cookies["django_language"] = "nl"
    html = http.get(reverse("medication:copayments", args=[be_client.uuid])).content.decode()
    assert html.count('data-testid="ledger-row"') == 2
    assert "4,50" in html
    assert "2,25" in html  # the payment, and the balance after it
    assert 'data-testid="copayment-balance">2,25<' in html
    assert AccessEvent.objects.filter(client=be_client, view="copayments").exists()


def test_the_medicine_note_is_shown_in_the_language_number_format(be_client, be_nurse, as_user):
    """MED-9: the medicine row stores "7 x 0.30"; a Dutch page shows 7 × 0,30, on the ledger
    and on the client's medication page. A payment's own note is shown as written."""
    # Given a week with seven doses, charged, and a payment with a note that looks alike
    week, monday = last_week(be_client)
    methadone = make_prescription(
        be_client, prescriber=be_nurse, starts_on=monday - datetime.timedelta(days=30)
    )
    for offset in range(7):
        dispense(methadone, monday + datetime.timedelta(days=offset), actor=be_nurse)
    charge(be_client, be_nurse, week)
    copayment_payment_record(client=be_client, actor=be_nurse, amount="3.00", note="2 x 1.50")
    assert CoPaymentEntry.objects.get(kind="medicine").note == "7 x 0.30"
    # When a Dutch-speaking nurse opens the ledger and the medication page
    http = as_user(be_nurse)
    http.cookies["django_language"] = "nl"
    ledger = http.get(reverse("medication:copayments", args=[be_client.uuid])).content.decode()
    page = http.get(reverse("medication:client", args=[be_client.uuid])).content.decode()
    # Then the figures are in the Dutch number format
    for html in (ledger, page):
        assert "(7 × 0,30)" in html
        assert "7 x 0.30" not in html
        assert "(2 x 1.50)" in html


def test_the_ledger_page_has_a_bounded_query_count_with_a_long_history(
    be_client, be_nurse, as_user
):
    """MED-9: 50 entries a page; the queries do not grow with the ledger."""
    http = as_user(be_nurse)
    url = reverse("medication:copayments", args=[be_client.uuid])

    def count(page: int = 1) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(f"{url}?page={page}").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        copayment_payment_record(client=be_client, actor=be_nurse, amount="1.00")
    few = count()
    CoPaymentEntry.objects.bulk_create(
        CoPaymentEntry(
            client=be_client,
            organisation_id=be_client.organisation_id,
            kind="payment",
            amount=Decimal("1.00"),
            on=today_of(be_client) - datetime.timedelta(days=n),
            recorded_by=be_nurse,
        )
        for n in range(300)
    )
    assert count() == few
    last = http.get(f"{url}?page=7").content.decode()
    assert "Page 7 of 7" in last
    assert last.count('data-testid="ledger-row"') == 303 - 6 * 50


def test_the_client_page_section_shows_the_balance_and_the_last_entries(be_client, be_nurse):
    charge(be_client, be_nurse)
    context = records_context(be_client, load_staff(be_nurse, None))
    with translation.override("en"):
        html = render_to_string(
            "medication/partials/_copayments.html",
            {**context, "client": be_client, "can_write": True, "can_prescribe": False},
        )
    assert 'data-testid="copayment-balance">4.50<' in html
    assert html.count('data-testid="ledger-row"') == 1


def test_a_week_is_charged_with_the_form_and_a_second_time_refused(be_client, be_nurse, as_user):
    http = as_user(be_nurse)
    url = reverse("medication:copayment_charge", args=[be_client.uuid])
    week = last_week(be_client)[0]
    assert week in http.get(url).content.decode()  # last week is proposed
    assert http.post(url, {"week": week}).status_code == 302
    again = http.post(url, {"week": week})
    assert again.status_code == 422
    assert f"Week {week} has already been charged." in again.content.decode()
    assert CoPaymentEntry.objects.filter(client=be_client).count() == 1


def test_a_write_off_without_a_reason_is_refused_by_the_form(be_client, be_nurse, as_user):
    charge(be_client, be_nurse)
    http = as_user(be_nurse)
    url = reverse("medication:copayment_write_off", args=[be_client.uuid])
    response = http.post(url, {"amount": "1.00", "note": ""})
    assert response.status_code == 422
    assert "Write why the amount is written off." in response.content.decode()
    assert http.post(url, {"amount": "1.00", "note": "Hardship"}).status_code == 302
    assert copayment_balance(be_client) == Decimal("3.50")


def test_outsiders_get_404_and_roles_without_permission_403(
    be_client, outsider, org_be, make_staff, as_user, client
):
    """PRV-1: outsiders see nothing; a peer worker opens no records."""
    foreign = as_user(outsider)
    peer = make_staff(org_be, Role.PEER_WORKER)
    login(client, peer)
    for name in (
        "medication:copayments",
        "medication:copayment_charge",
        "medication:copayment_payment",
        "medication:copayment_write_off",
    ):
        url = reverse(name, args=[be_client.uuid])
        assert foreign.get(url).status_code == 404, name
        assert client.get(url).status_code == 403, name
    assert not CoPaymentEntry.objects.exists()


# --- the API -------------------------------------------------------------------------------


def test_the_api_charges_records_payments_and_write_offs_and_lists_the_ledger(
    be_client, be_nurse, client
):
    """MED-9: the same services through /api/v1/, with the balance after each entry."""
    headers = api_headers(be_nurse)
    base = f"/api/v1/clients/{be_client.uuid}/co-payments"
    week = last_week(be_client)[0]
    response = client.post(
        f"{base}/charges", {"week": week}, content_type="application/json", **headers
    )
    assert response.status_code == 201, response.content
    assert Decimal(response.json()["balance"]) == WEEK_SHARE
    again = client.post(
        f"{base}/charges", {"week": week}, content_type="application/json", **headers
    )
    assert again.status_code == 409
    assert again.json()["code"] == "already_charged"
    paid = client.post(
        f"{base}/payments", {"amount": "2.00"}, content_type="application/json", **headers
    )
    assert paid.status_code == 201
    written = client.post(
        f"{base}/write-offs",
        {"amount": 0.5, "note": "Hardship"},
        content_type="application/json",
        **headers,
    )
    assert written.status_code == 201
    ledger = client.get(base, **headers).json()
    assert ledger["charges_co_payment"] is True
    assert Decimal(ledger["balance"]) == Decimal("2.00")
    assert [e["kind"] for e in ledger["results"]] == ["write_off", "payment", "week_price"]
    assert [Decimal(e["balance_after"]) for e in ledger["results"]] == [
        Decimal("2.00"),
        Decimal("2.50"),
        Decimal("4.50"),
    ]
    assert AccessEvent.objects.filter(
        client=be_client, view="api_copayments", channel="api"
    ).exists()


@pytest.mark.parametrize("path", ["payments", "write-offs"])
@pytest.mark.parametrize("amount", ["1e30", 1e30, "100000000", "1.005", "NaN", "Infinity"])
def test_the_api_refuses_an_amount_the_ledger_cannot_hold(
    be_client, be_nurse, client, path, amount
):
    """MED-9: more than 99999999.99 or finer than cents is invalid_input, never a 500."""
    charge(be_client, be_nurse)
    response = client.post(
        f"/api/v1/clients/{be_client.uuid}/co-payments/{path}",
        {"amount": amount, "note": "Hardship"},
        content_type="application/json",
        **api_headers(be_nurse),
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_input"
    assert CoPaymentEntry.objects.filter(client=be_client).count() == 1  # the week's charge


def test_a_week_outside_the_years_1900_to_2999_is_refused_by_the_form_and_the_api(
    be_client, be_nurse, as_user, client
):
    """MED-9: 9999-W52 is answered with 422 and the reason, on the page and in the API."""
    page = as_user(be_nurse).post(
        reverse("medication:copayment_charge", args=[be_client.uuid]), {"week": "9999-W52"}
    )
    assert page.status_code == 422
    assert "Charge a week of the years 1900 to 2999." in page.content.decode()
    response = client.post(
        f"/api/v1/clients/{be_client.uuid}/co-payments/charges",
        {"week": "9999-W52"},
        content_type="application/json",
        **api_headers(be_nurse),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "week_out_of_range"
    assert not CoPaymentEntry.objects.exists()


def test_the_api_refuses_a_write_off_without_a_note(be_client, be_nurse, client):
    charge(be_client, be_nurse)
    response = client.post(
        f"/api/v1/clients/{be_client.uuid}/co-payments/write-offs",
        {"amount": "1.00"},
        content_type="application/json",
        **api_headers(be_nurse),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "note_required"
    assert not CoPaymentEntry.objects.filter(kind="write_off").exists()


def test_the_api_in_denmark_lists_an_empty_ledger_and_refuses_charges(
    dk_client, counsellor, client
):
    """MED-9: no charges in Denmark; the refusal names MED-9."""
    headers = api_headers(counsellor)
    base = f"/api/v1/clients/{dk_client.uuid}/co-payments"
    ledger = client.get(base, **headers).json()
    assert ledger == {"charges_co_payment": False, "balance": "0.00", "count": 0, "results": []}
    for path, body in (
        ("charges", {"week": "2026-W40"}),
        ("payments", {"amount": "1.00"}),
        ("write-offs", {"amount": "1.00", "note": "x"}),
    ):
        response = client.post(f"{base}/{path}", body, content_type="application/json", **headers)
        assert response.status_code == 422
        assert response.json()["code"] == "no_charges"
        assert "charges no co-payment" in response.json()["message"]
        assert "MED-" not in response.json()["message"]
    assert not CoPaymentEntry.objects.exists()


def test_the_api_answers_outsiders_404_and_roles_without_permission_403(
    be_client, outsider, org_be, make_staff, client
):
    base = f"/api/v1/clients/{be_client.uuid}/co-payments"
    foreign = api_headers(outsider)
    peer = api_headers(make_staff(org_be, Role.DROPIN_WORKER))
    assert client.get(base, **foreign).status_code == 404
    assert client.get(base, **peer).status_code == 403
    for path, body in (
        ("charges", {"week": last_week(be_client)[0]}),
        ("payments", {"amount": "1.00"}),
        ("write-offs", {"amount": "1.00", "note": "x"}),
    ):
        url = f"{base}/{path}"
        response = client.post(url, body, content_type="application/json", **foreign)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert client.post(url, body, content_type="application/json", **peer).status_code == 403
    assert not CoPaymentEntry.objects.exists()
