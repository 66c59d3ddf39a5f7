"""Prescribing, dispensing and stock (MED-1, MED-2, MED-3, MED-6, MED-7, MED-8).

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
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import may
from bedring.accounts.models import Organisation, Site, User
from bedring.accounts.roles import Perm
from bedring.accounts.selectors import SiteCalendar, rules_for, site_calendar
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.errors import Conflict, Forbidden, ValidationFailed
from bedring.pathway.deadlines import DeadlineSpec
from bedring.pathway.models import Episode
from bedring.pathway.models.episode import DeadlineKind
from bedring.pathway.states import OPEN_STATES
from bedring.pathway.timeline import deadline_open, deadlines_close, record_event

from . import rules
from .models import (
    Delivery,
    Dispensing,
    DispensingKind,
    Effect,
    ExceptionReason,
    Medicine,
    MovementKind,
    Prescription,
    PrescriptionStatus,
    PrescriptionVersion,
    StockMovement,
)

# The message of each dose-rule refusal; the field it concerns on the prescription form.
RULE_MESSAGES: dict[str, tuple[Any, str | None]] = {
    "bad_weekday": (_("A weekday must be Monday to Sunday."), "supervised_weekdays"),
    "weekday_twice": (
        _("A day cannot be both a supervised day and a take-home day."),
        "take_home_weekdays",
    ),
    "no_dose_days": (_("Choose the days the dose is taken."), "supervised_weekdays"),
    "take_home_without_visit": (
        _("Take-home doses are handed out at a visit: choose at least one supervised day."),
        "supervised_weekdays",
    ),
    "pickup_interval_range": (
        _("Take-home doses can be handed out at most %(maximum)s days ahead."),
        "pickup_interval_days",
    ),
    "pickup_interval_too_short": (
        _(
            "The last take-home day is %(needed)s days after the visit before it: take-home "
            "doses must be handed out at least %(needed)s days ahead."
        ),
        "pickup_interval_days",
    ),
    "dose_not_positive": (_("The daily dose must be more than 0."), "daily_dose"),
    "dose_precision": (_("The daily dose has at most two decimals."), "daily_dose"),
    "dose_above_maximum": (
        _("The daily dose is above this medicine's maximum of %(maximum)s."),
        "daily_dose",
    ),
    "end_before_start": (_("The end date is before the start date."), "ends_on"),
    "substitution_age_unknown": (
        _(
            "Substitution treatment needs the client's birth date: it is only for clients "
            "aged %(minimum)s or over (MED-8)."
        ),
        None,
    ),
    "substitution_under_age": (
        _(
            "Substitution treatment is only for clients aged %(minimum)s or over (MED-8); "
            "the client is %(age)s on the start date."
        ),
        None,
    ),
    "not_started": (_("The prescription starts on %(starts_on)s."), None),
    "expired": (_("The prescription ended on %(ends_on)s."), None),
    "no_take_home_days": (_("Choose the take-home days to hand out."), "days"),
    "take_home_not_prescribed": (
        _("%(day)s is not a prescribed take-home day within reach of this handover."),
        "days",
    ),
    "take_home_overlap": (_("%(day)s is already covered by a dose."), "days"),
}


HOLD_REASON = _(
    "%(count)s doses missed in a row since %(since)s: a doctor reviews before the next dose."
)
END_IN_FUTURE = _(
    "A prescription ends today at the latest; to stop on a later day, change its end date."
)
BAD_MOVEMENT = _(
    "Record received, wasted, returned or counted stock; doses are dispensed at the desk."
)


def _show(value: object) -> object:
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(value.normalize())
    return value


def rule_error(exc: rules.DoseRuleError) -> ValidationFailed:
    message, field = RULE_MESSAGES[exc.code]
    params = {k: _show(v) for k, v in exc.params.items()}
    return ValidationFailed(
        exc.code, message % params if params else message, field=field, details=exc.params
    )


def open_episode_of(client: Client) -> Episode | None:
    return (
        Episode.objects.filter(client=client, state__in=OPEN_STATES)
        .select_related("organisation")
        .first()
    )


def _event(client: Client, actor: User | None, kind: str, summary: str, **data: Any) -> None:
    episode = open_episode_of(client)
    if episode is not None:
        record_event(episode=episode, actor=actor, kind=kind, summary=summary, data=data)


# --- prescribing (MED-1, MED-3, MED-8) -----------------------------------------------------


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
            _("Name where the doses are delivered (MED-3)."),
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
            _("Substitution treatment is never given in anonymous treatment (MED-8)."),
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
        raise Forbidden("not_a_doctor", _("Only a doctor prescribes (MED-1)."))


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
        episode=open_episode_of(client),
        medicine=medicine,
        doses_counted_from=terms.starts_on,
    )
    _version_create(prescription=prescription, actor=actor, terms=terms, number=1, reason="")
    _event(
        client,
        actor,
        "prescription",
        str(_("Prescribed %(medicine)s, %(dose)s %(unit)s a day"))
        % {"medicine": medicine.name, "dose": _show(terms.daily_dose), "unit": medicine.unit},
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


def prescription_for_update(prescription: Prescription) -> Prescription:
    """Lock the prescription: a change, a hold and a dispensing of one prescription queue."""
    return (
        Prescription.objects.select_for_update(of=("self",))
        .select_related("client__organisation", "medicine", "organisation")
        .get(pk=prescription.pk)
    )


def current_version(prescription: Prescription) -> PrescriptionVersion:
    return PrescriptionVersion.objects.select_related("site").get(
        prescription=prescription, is_current=True
    )


@transaction.atomic
def prescription_change(
    *,
    prescription: Prescription,
    actor: User,
    terms: PrescriptionTerms,
    reason: str = "",
) -> PrescriptionVersion:
    """MED-1: a change is a new version; the old one is kept, never overwritten. A dose
    change larger than the medicine's step needs a reason."""
    prescription = prescription_for_update(prescription)
    _check_prescriber(actor, prescription.organisation_id)
    if prescription.status == PrescriptionStatus.ENDED:
        raise Conflict("prescription_ended", _("The prescription has ended."))
    old = current_version(prescription)
    if terms.starts_on != old.starts_on and old.starts_on <= clock.today(prescription.organisation):
        raise ValidationFailed(
            "start_fixed",
            _("The prescription has started: its start date cannot change."),
            field="starts_on",
        )
    today = clock.today(prescription.organisation)
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
            "medicine": prescription.medicine.name,
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
    *, prescription: Prescription, actor: User, on: datetime.date, reason: str
) -> Prescription:
    """MED-1: a doctor ends a prescription; its versions and doses stay. It ends today or
    on a past day, not before its start (once started) nor before a dose handed out."""
    prescription = prescription_for_update(prescription)
    _check_prescriber(actor, prescription.organisation_id)
    if prescription.status == PrescriptionStatus.ENDED:
        raise Conflict("prescription_ended", _("The prescription has ended."))
    if not reason.strip():
        raise ValidationFailed("reason_required", _("Give a reason."), field="reason")
    today = clock.today(prescription.organisation)
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
        Dispensing.objects.filter(prescription=prescription, day__lte=today)
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
        str(_("%(medicine)s ended")) % {"medicine": prescription.medicine.name},
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
        % {"medicine": prescription.medicine.name, "note": note.strip()},
        prescription=str(prescription.uuid),
    )
    return prescription


def _close_review(prescription: Prescription, *, on: datetime.date, note: str) -> None:
    episode = open_episode_of(prescription.client)
    if episode is not None:
        deadlines_close(
            episode=episode,
            kinds=[DeadlineKind.PRESCRIPTION_REVIEW],
            on=on,
            subject_id=prescription.pk,
            note=note,
        )


# --- missed doses and the hold (MED-2) -----------------------------------------------------


def desk_open_on(calendar: SiteCalendar) -> Any:
    """Whether the site gave medication on a day: medication hours that weekday and not a
    closed day."""
    medication = calendar.hours.get("medication", {})

    def is_open(day: datetime.date) -> bool:
        return bool(medication.get(day.weekday())) and not calendar.is_closed_day(day)

    return is_open


def missed_doses(
    *,
    prescription: Prescription,
    version: PrescriptionVersion,
    covered: Iterable[datetime.date],
    calendar: SiteCalendar,
    today: datetime.date,
    limit: int,
) -> tuple[int, datetime.date | None]:
    week = rules.DoseWeek(
        frozenset(version.supervised_weekdays), frozenset(version.take_home_weekdays)
    )
    return rules.missed_in_a_row(
        today=today,
        counted_from=max(prescription.doses_counted_from, version.starts_on),
        week=week,
        ends_on=version.ends_on,
        covered=frozenset(covered),
        desk_open=desk_open_on(calendar),
        limit=limit,
    )


def hold_for_missed_doses(
    *, prescription: Prescription, missed: int, since: datetime.date, today: datetime.date
) -> bool:
    """MED-2: put an active prescription on hold after the rule pack's number of missed
    days in a row (``missed_dose_hold_days``, default 3), with a review task for a doctor on
    the worklist. Idempotent; its own transaction, so a refusal that follows keeps the hold.
    Answers whether the hold was put now."""
    with transaction.atomic():
        locked = prescription_for_update(prescription)
        # A review since the run was counted (a desk page loaded before it) has the last word.
        if locked.status != PrescriptionStatus.ACTIVE or since < locked.doses_counted_from:
            return False
        locked.status = PrescriptionStatus.ON_HOLD
        locked.held_since = today
        locked.hold_reason = str(HOLD_REASON % {"count": missed, "since": _show(since)})[:300]
        locked.save(update_fields=["status", "held_since", "hold_reason", "updated_at"])
        episode = open_episode_of(locked.client)
        if episode is not None:
            deadline_open(
                episode=episode,
                spec=DeadlineSpec(
                    kind=DeadlineKind.PRESCRIPTION_REVIEW,
                    due_on=today,
                    basis={"rule": "missed_dose_hold_days", "value": missed, "req": "MED-2"},
                ),
                subject_id=locked.pk,
            )
            record_event(
                episode=episode,
                actor=None,
                kind="prescription_hold",
                summary=locked.hold_reason,
                data={"prescription": str(locked.uuid), "missed": missed},
            )
    prescription.status = PrescriptionStatus.ON_HOLD
    prescription.held_since = today
    prescription.hold_reason = locked.hold_reason
    return True


def covered_days(prescription: Prescription, since: datetime.date) -> set[datetime.date]:
    return set(
        Dispensing.objects.filter(prescription=prescription, day__gte=since)
        .exclude(kind=DispensingKind.EXCEPTION)
        .values_list("day", flat=True)
    )


def apply_hold_if_due(
    *,
    prescription: Prescription,
    version: PrescriptionVersion,
    calendar: SiteCalendar,
    today: datetime.date,
    covered: Iterable[datetime.date] | None = None,
) -> bool:
    """Count the prescription's missed days and hold it if the rule pack's limit is reached."""
    if prescription.status != PrescriptionStatus.ACTIVE:
        return False
    limit = rules_for(prescription.organisation).missed_dose_hold_days
    if covered is None:
        since = today - datetime.timedelta(days=rules.lookback_days(limit))
        covered = covered_days(prescription, since)
    missed, since_day = missed_doses(
        prescription=prescription,
        version=version,
        covered=covered,
        calendar=calendar,
        today=today,
        limit=limit,
    )
    if missed >= limit and since_day is not None:
        return hold_for_missed_doses(
            prescription=prescription, missed=missed, since=since_day, today=today
        )
    return False


# --- dispensing (MED-2, MED-6) -------------------------------------------------------------


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
) -> datetime.date:
    """Every rule that stands between a nurse and a dose, in one place. Answers the local
    day the dose is handed out on."""
    if not may(actor, Perm.DISPENSE, prescription.organisation_id):
        raise Forbidden("not_a_dispenser", _("Only nurses and doctors hand out doses (MED-2)."))
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
            "closed_day", _("The site is closed today: no medication is handed out (MED-6).")
        )
    if not calendar.is_open("medication", at):
        raise ValidationFailed(
            "outside_medication_hours",
            _("It is outside the site's medication hours (MED-6)."),
        )
    try:
        rules.check_in_period(day, version.starts_on, version.ends_on)
    except rules.DoseRuleError as exc:
        raise rule_error(exc) from exc
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
) -> tuple[Prescription, PrescriptionVersion, datetime.date]:
    """Inside the dose's transaction: lock the client (one client's doses queue, whichever
    prescription they are on), then the prescription, and check every rule."""
    Client.objects.select_for_update().filter(pk=prescription.client_id).first()
    locked = prescription_for_update(prescription)
    version = current_version(locked)
    day = _check_can_dispense(
        prescription=locked, version=version, site=site, calendar=calendar, at=at, actor=actor
    )
    return locked, version, day


def _check_one_substitution_dose(prescription: Prescription, days: list[datetime.date]) -> None:
    """MED-2, MED-8: a client takes one substitution medicine a day. A dose of another
    substitution prescription on the same day (one ended and a new one started that day) is
    refused; the client row lock makes the check safe against a simultaneous dose."""
    if not prescription.medicine.is_substitution:
        return
    other = (
        Dispensing.objects.filter(
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
        locked, version, day = _prepare(prescription, actor, site, at, calendar)
        if not version.dose_on(day.weekday()):
            raise ValidationFailed(
                "no_dose_today", _("The prescription has no dose on this weekday.")
            )
        if (
            Dispensing.objects.filter(prescription=locked, day=day)
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


def take_home_allowed(*, version: PrescriptionVersion, today: datetime.date) -> list[datetime.date]:
    week = rules.DoseWeek(
        frozenset(version.supervised_weekdays), frozenset(version.take_home_weekdays)
    )
    return rules.take_home_days_allowed(
        today=today,
        week=week,
        interval_days=version.pickup_interval_days,
        starts_on=version.starts_on,
        ends_on=version.ends_on,
    )


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
        locked, version, today = _prepare(prescription, actor, site, at, calendar)
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
        locked, version, day = _prepare(prescription, actor, site, at, calendar)
        regular = (
            Dispensing.objects.filter(prescription=locked, day=day)
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
        given = Dispensing.objects.filter(
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
            % {"medicine": locked.medicine.name, "reason": reason.strip()},
            prescription=str(locked.uuid),
        )
    return dispensing


# --- stock (MED-2) -------------------------------------------------------------------------

MANUAL_MOVEMENTS = (
    MovementKind.RECEIVED,
    MovementKind.WASTED,
    MovementKind.RETURNED,
    MovementKind.COUNTED,
)


@transaction.atomic
def stock_record(
    *,
    site: Site,
    medicine: Medicine,
    actor: User,
    kind: str,
    quantity: Decimal,
    witness: User | None = None,
    batch: str = "",
    note: str = "",
    at: datetime.datetime | None = None,
) -> StockMovement:
    """MED-2: stock received, wasted (with a witness who is another staff member of the
    organisation), returned, or counted on the shelf. Dispensed stock is written by the
    dispensing itself, never by hand."""
    if not may(actor, Perm.STOCK, site.organisation_id):
        raise Forbidden("not_stock_staff", _("Your role does not keep the stock."))
    if kind not in MANUAL_MOVEMENTS:
        raise ValidationFailed(
            "bad_movement",
            BAD_MOVEMENT,
            field="kind",
        )
    if not quantity.is_finite() or quantity < 0 or (quantity == 0 and kind != MovementKind.COUNTED):
        raise ValidationFailed(
            "quantity_not_positive", _("The quantity must be more than 0."), field="quantity"
        )
    if quantity >= Decimal("10000000000") or quantity != quantity.quantize(Decimal("0.01")):
        raise ValidationFailed(
            "quantity_precision",
            _("The quantity has at most two decimals and ten digits."),
            field="quantity",
        )
    if kind == MovementKind.WASTED:
        if witness is None:
            raise ValidationFailed(
                "witness_required", _("Wasted medicine needs a witness."), field="witness"
            )
        if witness.pk == actor.pk:
            raise ValidationFailed(
                "witness_is_actor", _("The witness must be someone else."), field="witness"
            )
        if not may(witness, Perm.STOCK, site.organisation_id):
            raise ValidationFailed(
                "witness_not_staff",
                _("The witness must be a nurse, doctor or manager of the organisation."),
                field="witness",
            )
    return StockMovement.objects.create(
        organisation_id=site.organisation_id,
        site=site,
        medicine=medicine,
        kind=kind,
        quantity=quantity,
        at=at or clock.now(),
        actor=actor,
        witness=witness if kind == MovementKind.WASTED else None,
        batch=batch.strip()[:60],
        note=note.strip()[:300],
    )
