"""Correcting a dose recorded by mistake (MED-2): the wrong client tapped, a dose recorded
twice by two desks, a take-home day handed out that was not.

Clinical records are never deleted nor overwritten: the dose stays on record with its
amount, a ``DispensingCorrection`` row says who corrected it, when and why, and the dose is
marked ``corrected`` (the one-dose-a-day constraint reads that flag, so the day's dose can
then be given again). The stock gets the quantity back through a compensating movement, so
the book and the doses handed out leave it out alike. django-auditlog writes the change log
of all three rows in the same transaction, with the actor; the open episode's timeline gets
an event.

Only the nurse who recorded the dose corrects it, and only on the day it was recorded: a
later correction is a clinical matter for the record (a journal note, a doctor), not a tap.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import may
from bedring.accounts.models import User
from bedring.accounts.selectors import site_calendar
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.errors import Conflict, Forbidden, ValidationFailed
from bedring.core.roles import Perm

from ..models import (
    Dispensing,
    DispensingCorrection,
    DispensingKind,
    MovementKind,
    StockMovement,
)
from .common import _event, _show, prescription_for_update

REASON_MAX = 500


def _check_can_correct(
    dose: Dispensing, *, actor: User, reason: str, at: datetime.datetime
) -> None:
    """Every rule that stands between a nurse and the correction of a dose, in one place."""
    if not may(actor, Perm.DISPENSE, dose.organisation_id):
        raise Forbidden("not_a_dispenser", _("Only nurses and doctors hand out doses."))
    if dose.corrected:
        raise Conflict("already_corrected", _("This dose has already been corrected."))
    if dose.handed_out_by_id != actor.pk:
        raise Conflict(
            "correction_by_another_nurse",
            _("Only %(nurse)s, who recorded this dose, can correct it.")
            % {"nurse": dose.handed_out_by.get_full_name() or dose.handed_out_by.username},
        )
    calendar = site_calendar(dose.site)
    recorded_on = calendar.local(dose.handed_out_at).date()
    if calendar.local(at).date() != recorded_on:
        raise Conflict(
            "correction_too_late",
            _(
                "A dose can only be corrected on the day it was recorded; this one was "
                "recorded on %(day)s."
            )
            % {"day": _show(recorded_on)},
            details={"recorded_on": recorded_on.isoformat()},
        )
    if dose.kind != DispensingKind.EXCEPTION and (
        Dispensing.objects.given()
        .filter(prescription_id=dose.prescription_id, day=dose.day, kind=DispensingKind.EXCEPTION)
        .exists()
    ):
        # An exception dose is a second dose after the day's own: it cannot outlive it.
        raise Conflict(
            "exceptions_first",
            _("Correct the day's exception doses first: they were given after this dose."),
        )
    if not reason.strip():
        raise ValidationFailed(
            "reason_required", _("Write why the dose is corrected."), field="reason"
        )


def dispensing_correct(
    *,
    dispensing: Dispensing,
    actor: User,
    reason: str,
    at: datetime.datetime | None = None,
) -> DispensingCorrection:
    """MED-2: correct a dose recorded by mistake, on the day it was recorded, by the nurse
    who recorded it, with the reason. The dose stays on record (amount unchanged) marked
    corrected; its quantity goes back into stock; the desk, the missed-dose count, the
    reconciliation and the co-payment count it as not given, so the day's dose can be given
    again. Refused (nothing written): ``already_corrected``, ``correction_by_another_nurse``,
    ``correction_too_late``, ``exceptions_first``, ``reason_required``, ``not_a_dispenser``."""
    at = at or clock.now()
    with transaction.atomic():
        # The dose's locks, in the dispensing's order: the client, then the prescription,
        # then the dose itself (two taps on "correct" queue; the second finds it corrected).
        Client.objects.select_for_update().filter(pk=dispensing.client_id).first()
        prescription = prescription_for_update(dispensing.prescription)
        dose = (
            Dispensing.objects.select_for_update(of=("self",))
            .select_related("handed_out_by", "site__organisation")
            .get(pk=dispensing.pk)
        )
        _check_can_correct(dose, actor=actor, reason=reason, at=at)
        correction = DispensingCorrection.objects.create(
            client_id=dose.client_id,
            dispensing=dose,
            organisation_id=dose.organisation_id,
            reason=reason.strip()[:REASON_MAX],
            corrected_at=at,
            corrected_by=actor,
        )
        # Not the amount, never deleted: the flag the one-dose-a-day constraint reads.
        dose.corrected = True
        dose.save(update_fields=["corrected", "updated_at"])
        StockMovement.objects.create(
            organisation_id=dose.organisation_id,
            site_id=dose.site_id,
            medicine_id=prescription.medicine_id,
            kind=MovementKind.CORRECTED,
            quantity=dose.quantity,
            at=at,
            actor=actor,
            correction=correction,
            note=correction.reason[:300],
        )
        _event(
            prescription.client,
            actor,
            "dispensing_corrected",
            str(_("Dose of %(medicine)s for %(day)s corrected: %(reason)s"))
            % {
                "medicine": prescription.medicine.display_name,
                "day": _show(dose.day),
                "reason": correction.reason,
            },
            prescription=str(prescription.uuid),
            dispensing=str(dose.uuid),
        )
    dispensing.corrected = True
    return correction
