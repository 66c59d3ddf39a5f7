"""Dispensing (MED-2, MED-6): today's dose at the desk, take-home doses and the second dose
of a day as an exception.

Every write is a keyword-only service in one transaction; django-auditlog keeps the old and
new values, and the client's open episode gets a timeline event. Each safety rule of the
dispensing desk is checked in exactly one place, :func:`_check_can_dispense`, and the one
that matters most (one dose per prescription and day) is also a database constraint, so two
nurses recording the same dose at the same moment end in one dispensing and one refusal.
The arithmetic of the rules is in :mod:`bedring.medication.rules`.
"""

from __future__ import annotations

import datetime
import uuid as uuid_lib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import may
from bedring.accounts.models import Site, User
from bedring.accounts.selectors import SiteCalendar, site_calendar
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.errors import Conflict, Forbidden, ValidationFailed
from bedring.core.roles import Perm

from .. import rules
from ..models import (
    Delivery,
    Dispensing,
    DispensingKind,
    Effect,
    ExceptionReason,
    MovementKind,
    Prescription,
    PrescriptionStatus,
    PrescriptionVersion,
    StockMovement,
)
from ..selectors import current_version, take_home_allowed
from .common import _event, _show, prescription_for_update, rule_error
from .holds import apply_hold_if_due, covered_days


@dataclass(frozen=True)
class Observation:
    """The nurse's observation at a supervised intake (MED-2), all optional."""

    effect: str = ""
    side_effects: str = ""
    intoxication_signs: str = ""


def _check_can_dispense(
    *,
    prescription: Prescription,
    version: PrescriptionVersion,
    site: Site,
    calendar: SiteCalendar,
    at: datetime.datetime,
    actor: User,
    kind: str,
) -> datetime.date:
    """Every rule that stands between a nurse and a dose, in one place. Answers the local
    day the dose is handed out on. For the day's own dose (``kind`` supervised) also the
    dose day and one dose per prescription and day; the unique constraint on the
    dispensings is the backstop for two nurses at the same moment (:func:`_insert_dose`)."""
    if not may(actor, Perm.DISPENSE, prescription.organisation_id):
        raise Forbidden("not_a_dispenser", _("Only nurses and doctors hand out doses."))
    if prescription.status == PrescriptionStatus.ENDED:
        raise Conflict("prescription_ended", _("The prescription has ended."))
    if prescription.status == PrescriptionStatus.ON_HOLD:
        raise Conflict(
            "prescription_on_hold",
            _("The prescription is on hold until a doctor reviews it: %(reason)s")
            % {"reason": prescription.hold_reason},
        )
    if version.site_id != site.pk:
        raise ValidationFailed(
            "wrong_site",
            _("This prescription is dispensed at %(site)s.") % {"site": version.site.name},
        )
    local = calendar.local(at)
    day = local.date()
    if calendar.is_closed_day(day):
        raise ValidationFailed(
            "closed_day", _("The site is closed today: no medication is handed out.")
        )
    if not calendar.is_open("medication", at):
        raise ValidationFailed(
            "outside_medication_hours",
            _("It is outside the site's medication hours."),
        )
    try:
        rules.check_in_period(day, version.starts_on, version.ends_on)
    except rules.DoseRuleError as exc:
        raise rule_error(exc) from exc
    if kind == DispensingKind.SUPERVISED:
        if not version.dose_on(day.weekday()):
            raise ValidationFailed(
                "no_dose_today", _("The prescription has no dose on this weekday.")
            )
        if (
            Dispensing.objects.given()
            .filter(prescription=prescription, day=day)
            .exclude(kind=DispensingKind.EXCEPTION)
            .exists()
        ):
            raise Conflict(
                "already_dispensed",
                _(
                    "%(day)s's dose has already been handed out. A second dose is only "
                    "possible as an exception with a reason."
                )
                % {"day": _show(day)},
                details={"day": day.isoformat()},
            )
    return day


def _hold_first(
    prescription: Prescription, site: Site, at: datetime.datetime | None
) -> tuple[datetime.datetime, SiteCalendar]:
    """Put the prescription on hold first if missed doses say so, in its own transaction
    (before the dose's), so the hold stays when the dose is then refused."""
    at = at or clock.now()
    version = current_version(prescription)
    # Missed days are counted on the calendar of the prescription's own site; a dose asked
    # for at another site is refused after this (wrong_site).
    calendar = site_calendar(version.site if version.site_id != site.pk else site)
    apply_hold_if_due(
        prescription=prescription,
        version=version,
        calendar=calendar,
        today=calendar.local(at).date(),
    )
    return at, calendar


def _prepare(
    prescription: Prescription,
    actor: User,
    site: Site,
    at: datetime.datetime,
    calendar: SiteCalendar,
    kind: str,
) -> tuple[Prescription, PrescriptionVersion, datetime.date]:
    """Inside the dose's transaction: lock the client (one client's doses queue, whichever
    prescription they are on), then the prescription, and check every rule."""
    Client.objects.select_for_update().filter(pk=prescription.client_id).first()
    locked = prescription_for_update(prescription)
    version = current_version(locked)
    day = _check_can_dispense(
        prescription=locked,
        version=version,
        site=site,
        calendar=calendar,
        at=at,
        actor=actor,
        kind=kind,
    )
    return locked, version, day


def _check_one_substitution_dose(prescription: Prescription, days: list[datetime.date]) -> None:
    """MED-2, MED-8: a client takes one substitution medicine a day. A dose of another
    substitution prescription on the same day (one ended and a new one started that day) is
    refused; the client row lock makes the check safe against a simultaneous dose."""
    if not prescription.medicine.is_substitution:
        return
    other = (
        Dispensing.objects.given()
        .filter(
            client_id=prescription.client_id,
            day__in=days,
            prescription__medicine__is_substitution=True,
        )
        .exclude(prescription=prescription)
        .exclude(kind=DispensingKind.EXCEPTION)
        .order_by("day")
        .values_list("day", flat=True)
        .first()
    )
    if other is not None:
        raise Conflict(
            "substitution_already_dispensed",
            _(
                "The client already had a dose of substitution medicine for %(day)s on "
                "another prescription."
            )
            % {"day": _show(other)},
            details={"day": other.isoformat()},
        )


def _dose(
    prescription: Prescription,
    version: PrescriptionVersion,
    *,
    site: Site,
    day: datetime.date,
    kind: str,
    at: datetime.datetime,
    actor: User,
    **fields: Any,
) -> Dispensing:
    """One day's dose of the prescription's current version (the daily dose unless a
    ``quantity`` is given), not yet saved."""
    fields.setdefault("quantity", version.daily_dose)
    return Dispensing(
        client_id=prescription.client_id,
        prescription=prescription,
        version=version,
        organisation_id=prescription.organisation_id,
        site=site,
        day=day,
        kind=kind,
        handed_out_at=at,
        handed_out_by=actor,
        **fields,
    )


def _insert_dose(dispensing: Dispensing) -> Dispensing:
    """Insert, with the unique constraint as the last word on "one dose a day"."""
    try:
        with transaction.atomic():
            dispensing.save()
    except IntegrityError as exc:
        raise Conflict(
            "already_dispensed",
            _(
                "%(day)s's dose has already been handed out. A second dose is only possible "
                "as an exception with a reason."
            )
            % {"day": _show(dispensing.day)},
            details={"day": dispensing.day.isoformat()},
        ) from exc
    StockMovement.objects.create(
        organisation_id=dispensing.organisation_id,
        site_id=dispensing.site_id,
        medicine_id=dispensing.prescription.medicine_id,
        kind=MovementKind.DISPENSED,
        quantity=dispensing.quantity,
        at=dispensing.handed_out_at,
        actor=dispensing.handed_out_by,
        dispensing=dispensing,
    )
    return dispensing


def _check_observation(observation: Observation) -> None:
    if observation.effect and observation.effect not in Effect.values:
        raise ValidationFailed("bad_effect", _("Choose an effect from the list."), field="effect")


def dispense(
    *,
    prescription: Prescription,
    actor: User,
    site: Site,
    observation: Observation | None = None,
    at: datetime.datetime | None = None,
) -> Dispensing:
    """MED-2, MED-6: record today's dose, taken at the desk under supervision (or, on a
    take-home day, handed out for today). Refused when today's dose was already handed out,
    outside medication hours, on a closed day, before the start or after the end, on hold,
    at another site."""
    observation = observation or Observation()
    _check_observation(observation)
    at, calendar = _hold_first(prescription, site, at)
    with transaction.atomic():
        locked, version, day = _prepare(
            prescription, actor, site, at, calendar, DispensingKind.SUPERVISED
        )
        _check_one_substitution_dose(locked, [day])
        dispensing = _insert_dose(
            _dose(
                locked,
                version,
                site=site,
                day=day,
                kind=DispensingKind.SUPERVISED,
                at=at,
                actor=actor,
                effect=observation.effect,
                side_effects=observation.side_effects.strip()[:500],
                intoxication_signs=observation.intoxication_signs.strip()[:500],
            )
        )
    return dispensing


def take_home_handover(
    *,
    prescription: Prescription,
    actor: User,
    site: Site,
    days: Iterable[datetime.date],
    at: datetime.datetime | None = None,
) -> list[Dispensing]:
    """MED-2, MED-3: hand out take-home doses for the prescribed take-home days within
    reach, one row per day covered, never over a day already covered. With delivery to home
    nursing or a residential home, the doses go to them."""
    wanted = sorted(set(days))
    at, calendar = _hold_first(prescription, site, at)
    with transaction.atomic():
        locked, version, today = _prepare(
            prescription, actor, site, at, calendar, DispensingKind.TAKE_HOME
        )
        allowed = take_home_allowed(version=version, today=today)
        covered = covered_days(locked, today)
        try:
            rules.check_take_home(wanted, allowed=allowed, covered=covered)
        except rules.DoseRuleError as exc:
            raise rule_error(exc) from exc
        _check_one_substitution_dose(locked, wanted)
        handover = uuid_lib.uuid4()
        recipient = version.delivery if version.delivery != Delivery.PHARMACY else Delivery.CLINIC
        made = [
            _insert_dose(
                _dose(
                    locked,
                    version,
                    site=site,
                    day=day,
                    kind=DispensingKind.TAKE_HOME,
                    at=at,
                    actor=actor,
                    handover=handover,
                    recipient=recipient,
                )
            )
            for day in wanted
        ]
    return made


def dispense_exception(
    *,
    prescription: Prescription,
    actor: User,
    site: Site,
    exception_reason: str,
    reason: str,
    quantity: Decimal | None = None,
    at: datetime.datetime | None = None,
) -> Dispensing:
    """MED-2: a second dose on a day only as an explicit exception: a replacement for a lost
    or vomited dose, or an extra dose, always with a written reason. The day's regular dose
    must have been handed out (otherwise it is simply the day's dose). The exceptions of a
    day add up to at most the daily dose."""
    if exception_reason not in ExceptionReason.values:
        raise ValidationFailed(
            "bad_exception",
            _("Choose why a second dose is handed out."),
            field="exception_reason",
        )
    if not reason.strip():
        raise ValidationFailed(
            "reason_required", _("A second dose needs a written reason."), field="reason"
        )
    at, calendar = _hold_first(prescription, site, at)
    with transaction.atomic():
        locked, version, day = _prepare(
            prescription, actor, site, at, calendar, DispensingKind.EXCEPTION
        )
        regular = (
            Dispensing.objects.given()
            .filter(prescription=locked, day=day)
            .exclude(kind=DispensingKind.EXCEPTION)
            .exists()
        )
        if not regular:
            raise ValidationFailed(
                "no_regular_dose",
                _("Today's regular dose has not been handed out: record it as the day's dose."),
            )
        amount = version.daily_dose if quantity is None else quantity
        if not amount.is_finite() or amount <= 0 or amount > version.daily_dose:
            raise ValidationFailed(
                "exception_quantity",
                _("An exception dose is more than 0 and at most the daily dose of %(dose)s.")
                % {"dose": _show(version.daily_dose)},
                field="quantity",
            )
        given = Dispensing.objects.given().filter(
            prescription=locked, day=day, kind=DispensingKind.EXCEPTION
        ).aggregate(total=Sum("quantity"))["total"] or Decimal("0")
        if given + amount > version.daily_dose:
            raise Conflict(
                "exception_limit",
                _(
                    "Exception doses on one day add up to at most the daily dose of %(dose)s; "
                    "%(given)s has already been handed out as exceptions today."
                )
                % {"dose": _show(version.daily_dose), "given": _show(given)},
                field="quantity",
            )
        dispensing = _insert_dose(
            _dose(
                locked,
                version,
                site=site,
                day=day,
                kind=DispensingKind.EXCEPTION,
                at=at,
                actor=actor,
                quantity=amount.quantize(Decimal("0.01")),
                exception_reason=exception_reason,
                reason=reason.strip()[:500],
            )
        )
        _event(
            locked.client,
            actor,
            "dispensing_exception",
            str(_("Second dose of %(medicine)s: %(reason)s"))
            % {"medicine": locked.medicine.display_name, "reason": reason.strip()},
            prescription=str(locked.uuid),
        )
    return dispensing
