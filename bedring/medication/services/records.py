"""Writes for three medication records: urine drug tests (MED-4), travel certificates (MED-5)
and the Belgian co-payment ledger (MED-9).

Keyword-only, typed, one transaction each; a refusal is a ``DomainError`` with a stable code
and nothing written. The arithmetic (ISO weeks, travel days, quantities) is in plain
functions in :mod:`bedring.medication.rules`, tested without the database.

Rules decided here where the sources are silent:

* **Urine tests (MED-4).** The result is kept per substance group; every group of the list
  is stored, a group left out counts as "not tested", and at least one group must have been
  tested. The sample date may not be in the future (in the organisation's time zone) nor
  before the client's birth date. A test is written on the open episode's timeline.
* **Travel certificates (MED-5).** Only a doctor (``Perm.PRESCRIBE``) signs one, from the
  prescription's current version. The Schengen certificate (art. 75 of the Convention
  implementing the Schengen Agreement) exists for narcotic and psychotropic medicines: it is
  issued for substitution medicines and benzodiazepines only (``not_narcotic`` otherwise).
  Outside the Schengen area a plain medical statement in English is given for any medicine.
  Both cover at most the rule pack's ``travel_certificate_max_days`` (30) days, first and
  last day included: a longer stay needs an arrangement with the destination country, not
  a bigger certificate. The period starts today or later and lies within the prescription's
  validity; the prescription must be active (not on hold, not ended). An anonymous client
  has no identity to certify. The total quantity is the daily dose times the days.
* **Co-payments (MED-9).** Only where the rule pack has ``charges_co_payment`` (Belgium);
  elsewhere every write is refused with ``no_charges``. A week is charged once, after it has
  ended (so the doses of the whole week are counted): the share of the week price, and the
  medicine share per dose handed out that week (supervised, take-home and exception doses).
  A week without doses has no medicine row. Weeks of the years 1900 to 2999 only: outside
  them a week is a typing error (and 9999-W52 would end after the calendar does). The
  medicine row's note keeps the figures in a fixed, language-neutral form ("7 x 0.30");
  the pages show it in the reader's number format (``medicine_note_shown``). Payments may
  exceed the balance (a client may pay ahead); a write-off needs a note and may not exceed
  what is owed.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import may
from bedring.accounts.models import User
from bedring.accounts.selectors import rules_for
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from bedring.core.roles import Perm
from bedring.pathway.selectors import open_episode
from bedring.pathway.timeline import record_event

from ..models import (
    ChargeKind,
    CoPaymentEntry,
    Medicine,
    Prescription,
    PrescriptionStatus,
    PrescriptionVersion,
    SubstanceGroup,
    TestResult,
    TravelCertificate,
    UrineTest,
)
from ..rules import (
    WEEK_YEARS,
    WeekOutOfRange,
    medicine_note,
    total_quantity,
    travel_days,
    week_days,
)
from ..selectors import (
    CHARGE_KINDS,
    copayment_balance,
    copayments_apply,
    current_version,
    doses_in_week,
)

NOTE_MAX = 500
COUNTRIES_MAX = 300
LEDGER_NOTE_MAX = 300
AMOUNT_MAX = Decimal("99999999.99")  # max_digits=10, decimal_places=2
CREDIT_KINDS = (ChargeKind.PAYMENT, ChargeKind.WRITE_OFF)
# ATC groups of the benzodiazepines (anxiolytics, hypnotics, clonazepam): psychotropic
# substances under the 1971 Convention, which the Schengen certificate covers.
BENZODIAZEPINE_ATC = ("N05BA", "N05CD", "N03AE")


# --- what the Schengen certificate covers --------------------------------------------------


def is_narcotic_or_psychotropic(medicine: Medicine) -> bool:
    """MED-5: what the Schengen certificate may be issued for."""
    return medicine.is_substitution or medicine.atc_code.startswith(BENZODIAZEPINE_ATC)


# --- shared --------------------------------------------------------------------------------


# --- urine tests (MED-4) -------------------------------------------------------------------


def _urine_results(results: Mapping[str, str]) -> dict[str, str]:
    unknown_groups = sorted(set(results) - set(SubstanceGroup.values))
    if unknown_groups:
        raise ValidationFailed(
            "unknown_substance_group",
            _("Unknown substance group: %(groups)s.") % {"groups": ", ".join(unknown_groups)},
            field="results",
            details={"groups": unknown_groups},
        )
    unknown_results = sorted(
        {str(value) for value in results.values() if value not in TestResult.values}
    )
    if unknown_results:
        raise ValidationFailed(
            "unknown_test_result",
            _("A result is negative, positive or not tested, not: %(results)s.")
            % {"results": ", ".join(unknown_results)},
            field="results",
            details={"results": unknown_results},
        )
    full = {group: results.get(group, TestResult.NOT_TESTED) for group in SubstanceGroup.values}
    if all(value == TestResult.NOT_TESTED for value in full.values()):
        raise ValidationFailed(
            "nothing_tested",
            _("Record the result of at least one substance group."),
            field="results",
        )
    return {group: str(value) for group, value in full.items()}


@transaction.atomic
def urine_test_record(
    *,
    client: Client,
    actor: User,
    sampled_on: datetime.date,
    results: Mapping[str, str],
    supervised: bool = False,
    note: str = "",
    today: datetime.date | None = None,
) -> UrineTest:
    """MED-4: a urine drug test with its result per substance group."""
    today = today or clock.today(client.organisation)
    if sampled_on > today:
        raise ValidationFailed(
            "sample_in_future", _("The sample date cannot be in the future."), field="sampled_on"
        )
    if client.birth_date is not None and sampled_on < client.birth_date:
        raise ValidationFailed(
            "sample_before_birth",
            _("The sample date is before the client's birth date."),
            field="sampled_on",
        )
    stored = _urine_results(results)
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            "note_too_long",
            _("The note can be at most %(max)d characters.") % {"max": NOTE_MAX},
            field="note",
        )
    test = UrineTest.objects.create(
        client=client,
        organisation_id=client.organisation_id,
        sampled_on=sampled_on,
        supervised=supervised,
        results=stored,
        note=note,
        recorded_by=actor,
    )
    episode = open_episode(client)
    if episode is not None:
        positive = [group for group, value in stored.items() if value == TestResult.POSITIVE]
        record_event(
            episode=episode,
            actor=actor,
            kind="urine_test",
            # Stored text, in the recording staff member's language like the other events.
            summary=date_format(sampled_on, "SHORT_DATE_FORMAT"),
            data={
                "urine_test": str(test.uuid),
                "positive": positive,
                "supervised": supervised,
            },
        )
    return test


# --- travel certificates (MED-5) -----------------------------------------------------------


def _check_travel(
    *,
    travel_from: datetime.date,
    travel_to: datetime.date,
    today: datetime.date,
    max_days: int,
    version: PrescriptionVersion,
) -> None:
    if travel_from < today:
        raise ValidationFailed(
            "travel_start_past",
            _("The travel period cannot start in the past."),
            field="travel_from",
        )
    if travel_to < travel_from:
        raise ValidationFailed(
            "travel_end_before_start",
            _("The travel period ends before it starts."),
            field="travel_to",
        )
    if travel_days(travel_from, travel_to) > max_days:
        raise ValidationFailed(
            "travel_too_long",
            _("A travel certificate covers at most %(days)d days, first and last day included.")
            % {"days": max_days},
            field="travel_to",
            details={"max_days": max_days},
        )
    if travel_from < version.starts_on or (
        version.ends_on is not None and travel_to > version.ends_on
    ):
        raise ValidationFailed(
            "outside_prescription",
            _("The travel period must lie within the prescription's validity."),
            field="travel_to",
            details={
                "starts_on": version.starts_on.isoformat(),
                "ends_on": version.ends_on.isoformat() if version.ends_on else None,
            },
        )


@transaction.atomic
def travel_certificate_issue(
    *,
    client: Client,
    prescription: Prescription,
    actor: User,
    travel_from: datetime.date,
    travel_to: datetime.date,
    countries: str,
    schengen: bool = True,
    today: datetime.date | None = None,
) -> TravelCertificate:
    """MED-5: a doctor's certificate for carrying the medicine abroad, filled from the
    prescription's current version and stored, so that it can be printed again."""
    organisation = client.organisation
    if not may(actor, Perm.PRESCRIBE, organisation.pk):
        raise Forbidden("certificate_role", _("Only a doctor may issue a travel certificate."))
    if prescription.client_id != client.pk:
        raise NotFound("not_found", _("Not found."))
    if client.anonymous:
        raise ValidationFailed(
            "anonymous_client",
            _("An anonymous client has no identity a certificate could confirm."),
        )
    if prescription.status != PrescriptionStatus.ACTIVE:
        raise Conflict(
            "prescription_not_active",
            _("Only an active prescription can be certified (this one is %(status)s).")
            % {"status": prescription.get_status_display().lower()},
            field="prescription",
        )
    medicine = prescription.medicine
    if schengen and not is_narcotic_or_psychotropic(medicine):
        raise ValidationFailed(
            "not_narcotic",
            _(
                "The Schengen certificate is for narcotic and psychotropic medicines "
                "(substitution medicines, benzodiazepines). For %(medicine)s, give a medical "
                "statement instead."
            )
            % {"medicine": medicine.display_name},
            field="schengen",
        )
    countries = " ".join(countries.split())
    if not countries:
        raise ValidationFailed(
            "countries_required", _("Name the countries of travel."), field="countries"
        )
    if len(countries) > COUNTRIES_MAX:
        raise ValidationFailed(
            "countries_too_long",
            _("The countries can be at most %(max)d characters.") % {"max": COUNTRIES_MAX},
            field="countries",
        )
    today = today or clock.today(organisation)
    version = current_version(prescription)
    _check_travel(
        travel_from=travel_from,
        travel_to=travel_to,
        today=today,
        max_days=rules_for(organisation).travel_certificate_max_days,
        version=version,
    )
    certificate = TravelCertificate.objects.create(
        client=client,
        prescription=prescription,
        version=version,
        schengen=schengen,
        countries=countries,
        travel_from=travel_from,
        travel_to=travel_to,
        total_quantity=total_quantity(version.daily_dose, travel_days(travel_from, travel_to)),
        issued_by=actor,
        issued_on=today,
    )
    episode = open_episode(client)
    if episode is not None:
        record_event(
            episode=episode,
            actor=actor,
            kind="travel_certificate",
            summary=countries,
            data={
                "certificate": str(certificate.uuid),
                "schengen": schengen,
                "travel_from": travel_from.isoformat(),
                "travel_to": travel_to.isoformat(),
            },
        )
    return certificate


# --- co-payments (MED-9) -------------------------------------------------------------------


def _check_charges(client: Client) -> None:
    if not copayments_apply(client):
        raise ValidationFailed(
            "no_charges",
            _(
                "This organisation charges no co-payment: treatment and medicine are free of "
                "charge."
            ),
        )


def _already_charged(client: Client, week: str) -> bool:
    return CoPaymentEntry.objects.filter(client=client, kind__in=CHARGE_KINDS, week=week).exists()


def _already_charged_error(week: str) -> Conflict:
    return Conflict(
        "already_charged",
        _("Week %(week)s has already been charged.") % {"week": week},
        field="week",
        details={"week": week},
    )


@transaction.atomic
def copayment_charge_week(
    *, client: Client, actor: User, week: str, today: datetime.date | None = None
) -> list[CoPaymentEntry]:
    """MED-9 (BE): charge one ended ISO week: the share of the rehabilitation week price
    and the medicine share for each dose handed out that week. Once per week."""
    _check_charges(client)
    week = week.strip()
    try:
        monday, sunday = week_days(week)
    except WeekOutOfRange as exc:
        raise ValidationFailed(
            "week_out_of_range",
            _("Charge a week of the years %(first)d to %(last)d.")
            % {"first": WEEK_YEARS[0], "last": WEEK_YEARS[1]},
            field="week",
            details={"first_year": WEEK_YEARS[0], "last_year": WEEK_YEARS[1]},
        ) from exc
    except (ValueError, OverflowError) as exc:
        raise ValidationFailed(
            "invalid_week", _("Write the week as an ISO week, e.g. 2026-W48."), field="week"
        ) from exc
    today = today or clock.today(client.organisation)
    if sunday >= today:
        raise ValidationFailed(
            "week_not_over",
            _("A week is charged after it has ended, when all its doses are known."),
            field="week",
        )
    if _already_charged(client, week):
        raise _already_charged_error(week)
    rules = rules_for(client.organisation)
    doses = doses_in_week(client, monday, sunday)
    medicine_share = rules.co_payment_medicine_share_per_dose
    amounts = [
        (ChargeKind.WEEK_PRICE, rules.co_payment_week_share, ""),
        # The medicine row names the doses counted, for the client's questions later.
        (ChargeKind.MEDICINE, medicine_share * doses, medicine_note(doses, medicine_share)),
    ]
    rows = [
        CoPaymentEntry(
            client=client,
            organisation_id=client.organisation_id,
            kind=kind,
            amount=amount.quantize(Decimal("0.01")),
            week=week,
            on=today,
            note=note,
            recorded_by=actor,
        )
        for kind, amount, note in amounts
        if amount > 0
    ]
    if not rows:
        raise ValidationFailed(
            "nothing_to_charge", _("There is nothing to charge for week %(week)s.") % {"week": week}
        )
    try:
        with transaction.atomic():
            for row in rows:
                row.save()
    except IntegrityError as exc:
        # Two people charging the same week at the same moment: copay_week_once decides.
        raise _already_charged_error(week) from exc
    return rows


def _amount(amount: Decimal | str | int | float) -> Decimal:
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(
            "invalid_amount", _("Enter an amount in euro."), field="amount"
        ) from exc
    if not value.is_finite() or value <= 0:
        raise ValidationFailed(
            "amount_not_positive", _("The amount must be more than zero."), field="amount"
        )
    # The maximum before rounding: quantize() cannot round 1e30 to cents (InvalidOperation).
    if value > AMOUNT_MAX:
        raise ValidationFailed("amount_too_large", _("The amount is too large."), field="amount")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationFailed(
            "amount_precision", _("An amount has at most two decimals (cents)."), field="amount"
        )
    return value.quantize(Decimal("0.01"))


def _credit(
    *,
    client: Client,
    actor: User,
    kind: str,
    amount: Decimal,
    on: datetime.date | None,
    note: str,
    today: datetime.date | None,
) -> CoPaymentEntry:
    today = today or clock.today(client.organisation)
    on = on or today
    if on > today:
        raise ValidationFailed("date_in_future", _("The date cannot be in the future."), field="on")
    if len(note) > LEDGER_NOTE_MAX:
        raise ValidationFailed(
            "note_too_long",
            _("The note can be at most %(max)d characters.") % {"max": LEDGER_NOTE_MAX},
            field="note",
        )
    return CoPaymentEntry.objects.create(
        client=client,
        organisation_id=client.organisation_id,
        kind=kind,
        amount=amount,
        on=on,
        note=note,
        recorded_by=actor,
    )


@transaction.atomic
def copayment_payment_record(
    *,
    client: Client,
    actor: User,
    amount: Decimal | str,
    on: datetime.date | None = None,
    note: str = "",
    today: datetime.date | None = None,
) -> CoPaymentEntry:
    """MED-9 (BE): the client paid (part of) the co-payment."""
    _check_charges(client)
    value = _amount(amount)
    return _credit(
        client=client,
        actor=actor,
        kind=ChargeKind.PAYMENT,
        amount=value,
        on=on,
        note=note.strip(),
        today=today,
    )


@transaction.atomic
def copayment_write_off(
    *,
    client: Client,
    actor: User,
    amount: Decimal | str,
    note: str,
    on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> CoPaymentEntry:
    """MED-9 (BE): write off what the client cannot pay, with the reason. Never more than
    the client owes."""
    _check_charges(client)
    value = _amount(amount)
    note = note.strip()
    if not note:
        raise ValidationFailed(
            "note_required", _("Write why the amount is written off."), field="note"
        )
    # Lock the client row so that two write-offs cannot both fit under the same balance.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    owed = copayment_balance(client)
    if value > owed:
        raise ValidationFailed(
            "write_off_exceeds_balance",
            _("At most the balance of %(balance)s can be written off.")
            % {"balance": number_format(owed, 2, force_grouping=True)},
            field="amount",
            details={"balance": str(owed)},
        )
    return _credit(
        client=client,
        actor=actor,
        kind=ChargeKind.WRITE_OFF,
        amount=value,
        on=on,
        note=note,
        today=today,
    )
