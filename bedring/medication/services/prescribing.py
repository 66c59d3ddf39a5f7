"""Prescribing (MED-1, MED-3, MED-8): a doctor prescribes, changes (a new version, the old
one kept), ends and reviews a prescription. django-auditlog keeps the old and new values,
and the client's open episode gets a timeline event."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import may
from bedring.accounts.models import Organisation, Site, User
from bedring.accounts.selectors import rules_for, site_calendar
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.errors import Conflict, Forbidden, ValidationFailed
from bedring.core.roles import Perm
from bedring.pathway.models.episode import DeadlineKind
from bedring.pathway.selectors import open_episode
from bedring.pathway.timeline import deadlines_close

from .. import rules
from ..models import (
    Delivery,
    Dispensing,
    Medicine,
    Prescription,
    PrescriptionStatus,
    PrescriptionVersion,
)
from ..selectors import current_version
from .common import _event, _show, prescription_for_update, rule_error

END_IN_FUTURE = _(
    "A prescription ends today at the latest; to stop on a later day, change its end date."
)


@dataclass(frozen=True)
class PrescriptionTerms:
    """What a doctor writes on a prescription; validated by :func:`_check_terms`."""

    site: Site
    daily_dose: Decimal
    starts_on: datetime.date
    ends_on: datetime.date | None
    supervised_weekdays: tuple[int, ...]
    take_home_weekdays: tuple[int, ...] = ()
    pickup_interval_days: int = 1
    delivery: str = Delivery.CLINIC
    delivery_to: str = ""
    instructions: str = ""


def _check_terms(
    *, organisation: Organisation, medicine: Medicine, terms: PrescriptionTerms
) -> None:
    if terms.site.organisation_id != organisation.pk or not terms.site.is_active:
        raise ValidationFailed(
            "site_not_found", _("Choose one of the organisation's sites."), field="site"
        )
    if terms.delivery not in Delivery.values:
        raise ValidationFailed("bad_delivery", _("Choose how the doses are delivered."))
    if terms.delivery not in (Delivery.CLINIC, Delivery.PHARMACY) and not terms.delivery_to:
        raise ValidationFailed(
            "delivery_to_required",
            _("Name where the doses are delivered."),
            field="delivery_to",
        )
    try:
        rules.check_dose(terms.daily_dose, maximum=medicine.max_daily_dose)
        rules.check_period(terms.starts_on, terms.ends_on)
        week = rules.check_weekdays(terms.supervised_weekdays, terms.take_home_weekdays)
        rules.check_pickup_interval(week, terms.pickup_interval_days)
    except rules.DoseRuleError as exc:
        raise rule_error(exc) from exc
    if terms.delivery == Delivery.CLINIC and week.supervised:
        hours = site_calendar(terms.site).hours.get("medication", {})
        if not any(hours.get(d) for d in week.supervised):
            raise ValidationFailed(
                "site_closed_on_supervised_days",
                _("The site gives no medication on any of the supervised days."),
                field="supervised_weekdays",
            )


def _check_substitution(
    *, client: Client, medicine: Medicine, starts_on: datetime.date, exclude: int | None = None
) -> None:
    if not medicine.is_substitution:
        return
    if client.anonymous:
        raise ValidationFailed(
            "substitution_anonymous",
            _("Substitution treatment is never given in anonymous treatment."),
        )
    minimum = rules_for(client.organisation).substitution_min_age
    try:
        rules.check_substitution_age(client.birth_date, starts_on, minimum=minimum)
    except rules.DoseRuleError as exc:
        raise rule_error(exc) from exc
    running = Prescription.objects.filter(
        client=client,
        medicine__is_substitution=True,
        status__in=[PrescriptionStatus.ACTIVE, PrescriptionStatus.ON_HOLD],
    )
    if exclude is not None:
        running = running.exclude(pk=exclude)
    if running.exists():
        raise Conflict(
            "substitution_already_prescribed",
            _("The client already has a substitution prescription: change or end it first."),
        )


def _check_prescriber(actor: User, organisation_id: int) -> None:
    if not may(actor, Perm.PRESCRIBE, organisation_id):
        raise Forbidden("not_a_doctor", _("Only a doctor prescribes."))


@transaction.atomic
def prescription_create(
    *,
    client: Client,
    actor: User,
    medicine: Medicine,
    terms: PrescriptionTerms,
    today: datetime.date | None = None,
) -> Prescription:
    """MED-1, MED-3, MED-8: a doctor prescribes a medicine with its dose, period, supervised
    and take-home days, pick-up reach, delivery and dispensing site. Substitution is refused
    under the rule pack's age (18) and in anonymous treatment; one substitution prescription
    at a time."""
    client = Client.objects.select_for_update().select_related("organisation").get(pk=client.pk)
    organisation = client.organisation
    _check_prescriber(actor, organisation.pk)
    if not medicine.is_active:
        raise ValidationFailed(
            "medicine_inactive", _("This medicine is no longer in the list."), field="medicine"
        )
    today = today or clock.today(organisation)
    if terms.starts_on < today:
        raise ValidationFailed(
            "start_in_past", _("A new prescription cannot start in the past."), field="starts_on"
        )
    _check_terms(organisation=organisation, medicine=medicine, terms=terms)
    _check_substitution(client=client, medicine=medicine, starts_on=terms.starts_on)
    prescription = Prescription.objects.create(
        client=client,
        organisation=organisation,
        episode=open_episode(client),
        medicine=medicine,
        doses_counted_from=terms.starts_on,
    )
    _version_create(prescription=prescription, actor=actor, terms=terms, number=1, reason="")
    _event(
        client,
        actor,
        "prescription",
        str(_("Prescribed %(medicine)s, %(dose)s %(unit)s a day"))
        % {
            "medicine": medicine.display_name,
            "dose": _show(terms.daily_dose),
            "unit": medicine.unit,
        },
        prescription=str(prescription.uuid),
    )
    return prescription


def _version_create(
    *,
    prescription: Prescription,
    actor: User,
    terms: PrescriptionTerms,
    number: int,
    reason: str,
) -> PrescriptionVersion:
    return PrescriptionVersion.objects.create(
        prescription=prescription,
        client_id=prescription.client_id,
        number=number,
        is_current=True,
        prescriber=actor,
        site=terms.site,
        daily_dose=terms.daily_dose,
        starts_on=terms.starts_on,
        ends_on=terms.ends_on,
        supervised_weekdays=sorted(set(terms.supervised_weekdays)),
        take_home_weekdays=sorted(set(terms.take_home_weekdays)),
        pickup_interval_days=terms.pickup_interval_days,
        delivery=terms.delivery,
        delivery_to=terms.delivery_to,
        instructions=terms.instructions,
        reason=reason,
    )


@transaction.atomic
def prescription_change(
    *,
    prescription: Prescription,
    actor: User,
    terms: PrescriptionTerms,
    reason: str = "",
    today: datetime.date | None = None,
) -> PrescriptionVersion:
    """MED-1: a change is a new version; the old one is kept, never overwritten. A dose
    change larger than the medicine's step needs a reason. ``today`` is the organisation's
    day the change is made on (the caller reads the clock)."""
    prescription = prescription_for_update(prescription)
    _check_prescriber(actor, prescription.organisation_id)
    if prescription.status == PrescriptionStatus.ENDED:
        raise Conflict("prescription_ended", _("The prescription has ended."))
    old = current_version(prescription)
    today = today or clock.today(prescription.organisation)
    if terms.starts_on != old.starts_on and old.starts_on <= today:
        raise ValidationFailed(
            "start_fixed",
            _("The prescription has started: its start date cannot change."),
            field="starts_on",
        )
    if terms.starts_on != old.starts_on:
        if terms.starts_on < today:
            raise ValidationFailed(
                "start_in_past",
                _("A prescription cannot start in the past."),
                field="starts_on",
            )
        _check_substitution(
            client=prescription.client,
            medicine=prescription.medicine,
            starts_on=terms.starts_on,
            exclude=prescription.pk,
        )
    if terms.ends_on is not None and terms.ends_on < today:
        raise ValidationFailed(
            "end_in_past",
            _("The end date has passed: to stop the prescription now, end it."),
            field="ends_on",
        )
    _check_terms(
        organisation=prescription.organisation, medicine=prescription.medicine, terms=terms
    )
    reason = reason.strip()
    if not reason and rules.change_needs_reason(
        old.daily_dose, terms.daily_dose, step=prescription.medicine.dose_step
    ):
        raise ValidationFailed(
            "reason_required",
            _("A dose change of more than %(step)s %(unit)s needs a reason.")
            % {"step": _show(prescription.medicine.dose_step), "unit": prescription.medicine.unit},
            field="reason",
        )
    old.is_current = False
    old.save(update_fields=["is_current", "updated_at"])
    version = _version_create(
        prescription=prescription, actor=actor, terms=terms, number=old.number + 1, reason=reason
    )
    _event(
        prescription.client,
        actor,
        "prescription_changed",
        str(_("%(medicine)s changed: %(old)s to %(new)s %(unit)s a day"))
        % {
            "medicine": prescription.medicine.display_name,
            "old": _show(old.daily_dose),
            "new": _show(terms.daily_dose),
            "unit": prescription.medicine.unit,
        },
        prescription=str(prescription.uuid),
        version=version.number,
    )
    return version


@transaction.atomic
def prescription_end(
    *,
    prescription: Prescription,
    actor: User,
    on: datetime.date,
    reason: str,
    today: datetime.date | None = None,
) -> Prescription:
    """MED-1: a doctor ends a prescription; its versions and doses stay. It ends ``today``
    (the organisation's day, read by the caller) or on a past day, not before its start
    (once started) nor before a dose handed out."""
    prescription = prescription_for_update(prescription)
    _check_prescriber(actor, prescription.organisation_id)
    if prescription.status == PrescriptionStatus.ENDED:
        raise Conflict("prescription_ended", _("The prescription has ended."))
    if not reason.strip():
        raise ValidationFailed("reason_required", _("Give a reason."), field="reason")
    today = today or clock.today(prescription.organisation)
    if on > today:
        raise ValidationFailed(
            "end_in_future",
            END_IN_FUTURE,
            field="on",
        )
    version = current_version(prescription)
    if on < version.starts_on <= today:
        raise ValidationFailed(
            "end_before_start", _("The end date is before the start date."), field="on"
        )
    # Take-home doses already handed out for later days stay on record: a doctor must be
    # able to stop a prescription at once (an overdose), whatever is at the client's home.
    last_dose = (
        Dispensing.objects.given()
        .filter(prescription=prescription, day__lte=today)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    if last_dose is not None and on < last_dose:
        raise ValidationFailed(
            "end_before_last_dose",
            _("A dose was handed out for %(day)s: the prescription cannot end before it.")
            % {"day": _show(last_dose)},
            field="on",
        )
    prescription.status = PrescriptionStatus.ENDED
    prescription.ended_on = on
    prescription.end_reason = reason.strip()[:300]
    prescription.save(update_fields=["status", "ended_on", "end_reason", "updated_at"])
    _close_review(prescription, on=on, note=str(_("Prescription ended")))
    _event(
        prescription.client,
        actor,
        "prescription_ended",
        str(_("%(medicine)s ended")) % {"medicine": prescription.medicine.display_name},
        prescription=str(prescription.uuid),
    )
    return prescription


@transaction.atomic
def prescription_review(
    *, prescription: Prescription, actor: User, note: str, today: datetime.date | None = None
) -> Prescription:
    """MED-2: a doctor reviews a prescription on hold and lifts the hold. Missed doses are
    counted again from today. (To change the dose too, change the prescription; to stop,
    end it.)"""
    prescription = prescription_for_update(prescription)
    _check_prescriber(actor, prescription.organisation_id)
    if prescription.status != PrescriptionStatus.ON_HOLD:
        raise Conflict("not_on_hold", _("The prescription is not on hold."))
    if not note.strip():
        raise ValidationFailed(
            "review_note_required", _("Write what the review found."), field="note"
        )
    today = today or clock.today(prescription.organisation)
    prescription.status = PrescriptionStatus.ACTIVE
    prescription.hold_reason = ""
    prescription.held_since = None
    prescription.doses_counted_from = today
    prescription.save(
        update_fields=["status", "hold_reason", "held_since", "doses_counted_from", "updated_at"]
    )
    _close_review(prescription, on=today, note=note.strip())
    _event(
        prescription.client,
        actor,
        "prescription_reviewed",
        str(_("%(medicine)s reviewed, hold lifted: %(note)s"))
        % {"medicine": prescription.medicine.display_name, "note": note.strip()},
        prescription=str(prescription.uuid),
    )
    return prescription


def _close_review(prescription: Prescription, *, on: datetime.date, note: str) -> None:
    episode = open_episode(prescription.client)
    if episode is not None:
        deadlines_close(
            episode=episode,
            kinds=[DeadlineKind.PRESCRIPTION_REVIEW],
            on=on,
            subject_id=prescription.pk,
            note=note,
        )
