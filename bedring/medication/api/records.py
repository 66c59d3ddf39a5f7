"""Urine drug tests (MED-4), travel certificates (MED-5) and the co-payment ledger (MED-9) in
/api/v1/clients/{client_id}/...: the same services, rules and error codes as the pages. The
client is reached through ``client_for`` (organisation check, permission, access log)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import Field, Router, Schema, Status

from bedring.accounts.access import Staff
from bedring.clients.access import client_for
from bedring.clients.models import Client
from bedring.core.paging import api_page, check_page
from bedring.core.roles import Perm

from .. import rules, selectors
from ..certificates import certificate_pdf
from ..models import CoPaymentEntry, Prescription, TravelCertificate, UrineTest
from ..services import records

router = Router(tags=["medication"])

CLIENT = "/clients/{client_id}"


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


def _client(
    request: HttpRequest, client_id: UUID, *, view: str, perm: Perm = Perm.CLIENT_READ
) -> Client:
    return client_for(request, _staff(request), client_id, view=view, perm=perm, channel="api")


# --- urine tests (MED-4) -------------------------------------------------------------------


class UrineTestIn(Schema):
    sampled_on: datetime.date
    supervised: bool = False
    results: dict[str, str] = Field(
        ...,
        description=(
            "Substance group -> negative | positive | not_tested. Groups: opiates, methadone, "
            "buprenorphine, cocaine, amphetamines, benzodiazepines, cannabis, alcohol, other. "
            "A group left out was not tested; at least one must be."
        ),
    )
    note: str = Field("", max_length=500)


class UrineTestOut(Schema):
    id: UUID
    sampled_on: datetime.date
    supervised: bool
    results: dict[str, str]
    positive: bool
    note: str
    recorded_by: str
    created_at: datetime.datetime


class UrineTestPage(Schema):
    count: int
    results: list[UrineTestOut]


def urine_test_out(test: UrineTest) -> UrineTestOut:
    return UrineTestOut(
        id=test.uuid,
        sampled_on=test.sampled_on,
        supervised=test.supervised,
        results=test.results,
        positive=selectors.is_positive(test.results),
        note=test.note,
        recorded_by=test.recorded_by.username,
        created_at=test.created_at,
    )


@router.get(f"{CLIENT}/urine-tests", response=UrineTestPage)
def urine_test_list(
    request: HttpRequest, client_id: UUID, offset: int = 0, limit: int = 50
) -> UrineTestPage:
    """MED-4: the client's urine drug tests, newest first."""
    client = _client(request, client_id, view="api_urine_tests")
    count, tests = api_page(
        UrineTest.objects.filter(client=client).select_related("recorded_by"), offset, limit
    )
    return UrineTestPage(count=count, results=[urine_test_out(t) for t in tests])


@router.post(f"{CLIENT}/urine-tests", response={201: UrineTestOut})
def urine_test_create(
    request: HttpRequest, client_id: UUID, payload: UrineTestIn
) -> Status[UrineTestOut]:
    """MED-4: record a urine drug test with the result per substance group."""
    client = _client(request, client_id, view="api_urine_test_create", perm=Perm.CLIENT_WRITE)
    test = records.urine_test_record(
        client=client,
        actor=_staff(request).user,
        sampled_on=payload.sampled_on,
        supervised=payload.supervised,
        results=payload.results,
        note=payload.note,
    )
    return Status(201, urine_test_out(test))


# --- travel certificates (MED-5) -----------------------------------------------------------


class TravelCertificateIn(Schema):
    prescription: UUID
    schengen: bool = Field(
        True,
        description="True: the Schengen certificate (art. 75); false: a medical statement in "
        "English for travel outside the Schengen area.",
    )
    countries: str = Field(..., max_length=300)
    travel_from: datetime.date
    travel_to: datetime.date


class TravelCertificateOut(Schema):
    id: UUID
    prescription: UUID
    medicine: str
    inn: str
    schengen: bool
    countries: str
    travel_from: datetime.date
    travel_to: datetime.date
    days: int
    daily_dose: Decimal
    total_quantity: Decimal
    unit: str
    issued_by: str
    issued_on: datetime.date


class TravelCertificatePage(Schema):
    count: int
    results: list[TravelCertificateOut]


def certificate_out(c: TravelCertificate) -> TravelCertificateOut:
    medicine = c.prescription.medicine
    return TravelCertificateOut(
        id=c.uuid,
        prescription=c.prescription.uuid,
        medicine=medicine.name,
        inn=medicine.inn,
        schengen=c.schengen,
        countries=c.countries,
        travel_from=c.travel_from,
        travel_to=c.travel_to,
        days=rules.travel_days(c.travel_from, c.travel_to),
        daily_dose=c.version.daily_dose,
        total_quantity=c.total_quantity,
        unit=medicine.unit,
        issued_by=c.issued_by.username,
        issued_on=c.issued_on,
    )


@router.get(f"{CLIENT}/travel-certificates", response=TravelCertificatePage)
def certificate_list(
    request: HttpRequest, client_id: UUID, offset: int = 0, limit: int = 50
) -> TravelCertificatePage:
    """MED-5: the client's travel certificates, newest first, a page at a time."""
    client = _client(request, client_id, view="api_travel_certificates")
    count, certificates = api_page(selectors.certificates_of(client), offset, limit)
    return TravelCertificatePage(count=count, results=[certificate_out(c) for c in certificates])


@router.post(f"{CLIENT}/travel-certificates", response={201: TravelCertificateOut})
def certificate_issue(
    request: HttpRequest, client_id: UUID, payload: TravelCertificateIn
) -> Status[TravelCertificateOut]:
    """MED-5: a doctor issues a travel certificate from the prescription's current version."""
    client = _client(request, client_id, view="api_travel_certificate_issue", perm=Perm.PRESCRIBE)
    prescription = (
        Prescription.objects.filter(client=client, uuid=payload.prescription)
        .select_related("medicine")
        .first()
    )
    if prescription is None:
        raise Http404
    certificate = records.travel_certificate_issue(
        client=client,
        prescription=prescription,
        actor=_staff(request).user,
        travel_from=payload.travel_from,
        travel_to=payload.travel_to,
        countries=payload.countries,
        schengen=payload.schengen,
    )
    reloaded = selectors.certificates_of(client).get(pk=certificate.pk)
    return Status(201, certificate_out(reloaded))


@router.get(
    f"{CLIENT}/travel-certificates/{{certificate_id}}/pdf",
    openapi_extra={
        "responses": {
            200: {
                "description": "The travel certificate",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def certificate_download(
    request: HttpRequest, client_id: UUID, certificate_id: UUID
) -> HttpResponse:
    """MED-5: the certificate as a PDF, regenerated from the stored row (logged as a print)."""
    client = client_for(
        request, _staff(request), client_id, view="api_travel_certificate_pdf", channel="print"
    )
    certificate = selectors.certificates_of(client).filter(uuid=certificate_id).first()
    if certificate is None:
        raise Http404
    certificate.client = client
    pdf, document = certificate_pdf(certificate)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=document.filename
    )
    response["Content-Language"] = document.language
    response["Cache-Control"] = "no-store"
    return response


# --- co-payments (MED-9) -------------------------------------------------------------------


class LedgerEntryOut(Schema):
    id: UUID
    kind: str
    amount: Decimal
    week: str
    on: datetime.date
    note: str
    recorded_by: str
    balance_after: Decimal | None = None


class LedgerOut(Schema):
    charges_co_payment: bool
    balance: Decimal
    count: int
    results: list[LedgerEntryOut]


class ChargeIn(Schema):
    week: str = Field(..., max_length=8, description='An ended ISO week, e.g. "2026-W48".')


class ChargeOut(Schema):
    week: str
    entries: list[LedgerEntryOut]
    balance: Decimal


# The ledger's column holds at most 99999999.99, in cents: a larger or finer amount is
# refused as invalid_input before the service is called.
AMOUNT_DESCRIPTION = "Euro, more than 0, at most 99999999.99 and two decimals (cents)."


class PaymentIn(Schema):
    amount: Decimal = Field(..., max_digits=10, decimal_places=2, description=AMOUNT_DESCRIPTION)
    on: datetime.date | None = None
    note: str = Field("", max_length=300)


class WriteOffIn(Schema):
    amount: Decimal = Field(..., max_digits=10, decimal_places=2, description=AMOUNT_DESCRIPTION)
    on: datetime.date | None = None
    note: str = Field("", max_length=300, description="Why the amount is written off; required.")


def entry_out(e: CoPaymentEntry) -> LedgerEntryOut:
    return LedgerEntryOut(
        id=e.uuid,
        kind=e.kind,
        amount=e.amount,
        week=e.week,
        on=e.on,
        note=e.note,
        recorded_by=e.recorded_by.username,
        balance_after=getattr(e, "running_balance", None),
    )


@router.get(f"{CLIENT}/co-payments", response=LedgerOut)
def ledger(request: HttpRequest, client_id: UUID, offset: int = 0, limit: int = 50) -> LedgerOut:
    """MED-9: the co-payment ledger, newest first, with the balance after each entry. Where
    the organisation charges nothing (DK, NO) the ledger is empty and says so."""
    client = _client(request, client_id, view="api_copayments")
    check_page(offset, limit)
    if not selectors.copayments_apply(client):
        return LedgerOut(charges_co_payment=False, balance=Decimal("0.00"), count=0, results=[])
    count, entries = api_page(selectors.ledger_entries(client), offset, limit)
    return LedgerOut(
        charges_co_payment=True,
        balance=selectors.copayment_balance(client),
        count=count,
        results=[entry_out(e) for e in entries],
    )


@router.post(f"{CLIENT}/co-payments/charges", response={201: ChargeOut})
def charge_week(request: HttpRequest, client_id: UUID, payload: ChargeIn) -> Status[ChargeOut]:
    """MED-9 (BE): charge one ended week; a week is charged once (409 already_charged)."""
    client = _client(request, client_id, view="api_copayment_charge", perm=Perm.CLIENT_WRITE)
    rows = records.copayment_charge_week(
        client=client, actor=_staff(request).user, week=payload.week
    )
    return Status(
        201,
        ChargeOut(
            week=payload.week.strip(),
            entries=[entry_out(r) for r in rows],
            balance=selectors.copayment_balance(client),
        ),
    )


@router.post(f"{CLIENT}/co-payments/payments", response={201: LedgerEntryOut})
def payment(request: HttpRequest, client_id: UUID, payload: PaymentIn) -> Status[LedgerEntryOut]:
    """MED-9 (BE): record a payment by the client."""
    client = _client(request, client_id, view="api_copayment_payment", perm=Perm.CLIENT_WRITE)
    entry = records.copayment_payment_record(
        client=client,
        actor=_staff(request).user,
        amount=payload.amount,
        on=payload.on,
        note=payload.note,
    )
    return Status(201, entry_out(entry))


@router.post(f"{CLIENT}/co-payments/write-offs", response={201: LedgerEntryOut})
def write_off(request: HttpRequest, client_id: UUID, payload: WriteOffIn) -> Status[LedgerEntryOut]:
    """MED-9 (BE): write off an amount the client cannot pay; the note says why."""
    client = _client(request, client_id, view="api_copayment_write_off", perm=Perm.CLIENT_WRITE)
    entry = records.copayment_write_off(
        client=client,
        actor=_staff(request).user,
        amount=payload.amount,
        on=payload.on,
        note=payload.note,
    )
    return Status(201, entry_out(entry))
