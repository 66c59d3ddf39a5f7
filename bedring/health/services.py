"""Health writes (HLT-1..4): keyword-only, typed, one transaction each; django-auditlog keeps
the old and new values, the client's open episode gets a timeline event.

Rules decided here where the sources are silent:

* **Dates.** No health record is dated in the future (the organisation's today), before
  the client's birth date or before :data:`EARLIEST_DAY` (``date_in_future``,
  ``date_before_birth``, ``date_too_early``): a date typed as year 1 or 9999 is a typing
  error, and the date arithmetic after the check (a due date weeks before or after the
  day, a next dose months after it) then stays inside the calendar.
* **Mandatory screenings (HLT-1).** When an episode opens, one SCREENING deadline per key in
  the rule pack's ``mandatory_screenings`` (Assens: HIV, hepatitis B and C) is due
  ``mandatory_screening_days`` (default 14) after the inquiry; the pathway opens it with the
  inquiry's other deadlines (:func:`bedring.pathway.deadlines.mandatory_screening_deadlines`).
  A screening of that key with a sample taken (whatever its result, pending included) or
  declined closes it, met or met late by the sample date (the offer date when declined).
  Only a screening dated on or after the inquiry closes it: an older test typed in as history
  is not the intake screening.
* **Vaccinations (HLT-2).** Doses are recorded in order, once each, per schedule and client
  (one series per schedule; a second series years later is not supported). The next dose's
  date is computed from the schedule data (:func:`bedring.health.schedules.next_dose_due`)
  and stored on the dose. It goes on the worklist as a VACCINATION deadline only when the
  client has an open episode at the time (a deadline needs an episode); otherwise it is shown
  on the client's health page only. Recording the next dose closes it.
* **Pregnancy (HLT-4).** Only a client recorded as female or of unknown sex; one ongoing
  pregnancy at a time (a partial unique constraint). The estimated due date must be at most
  ``DUE_DATE_MAX_AHEAD`` after the day the pregnancy is noted and not more than
  ``DUE_DATE_MAX_OVERDUE`` before it. Recording the birth ends the pregnancy as "birth" and
  opens a PREGNANCY_FOLLOW_UP deadline (:data:`~bedring.health.schedules.POSTNATAL_FOLLOW_UP_WEEKS`
  weeks later) on the open episode; a follow-up entry "after birth" closes it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import User
from bedring.clients.models import Client, Sex
from bedring.core import clock
from bedring.core.errors import Conflict, ValidationFailed
from bedring.pathway.models import Deadline, Episode
from bedring.pathway.models.episode import DeadlineKind, DeadlineStatus
from bedring.pathway.selectors import open_episode
from bedring.pathway.timeline import deadline_open, record_event

from .models import (
    CooperationPartner,
    FollowUpKind,
    HealthContact,
    HealthContactKind,
    Pregnancy,
    PregnancyFollowUp,
    PregnancyStatus,
    Screening,
    ScreeningKind,
    ScreeningResult,
    Vaccination,
    VaccinationSchedule,
)
from .schedules import (
    next_dose_deadline,
    next_dose_due,
    postnatal_follow_up_deadline,
    vaccination_schedules,
)

DUE_DATE_MAX_AHEAD = datetime.timedelta(weeks=42)
DUE_DATE_MAX_OVERDUE = datetime.timedelta(weeks=3)
NOTE_MAX = 2000
# No health record is older than this: an earlier date is a typing error (and a day at the
# calendar's edge would overflow the date arithmetic).
EARLIEST_DAY = datetime.date(1900, 1, 1)

# --- shared checks -------------------------------------------------------------------------


def _check_day(client: Client, day: datetime.date, field: str) -> None:
    """Every date of a health record: not before :data:`EARLIEST_DAY`, not in the future,
    not before the client's birth. Called before any arithmetic on the date."""
    if day < EARLIEST_DAY:
        raise ValidationFailed(
            "date_too_early", _("The date cannot be before 1 January 1900."), field=field
        )
    if day > clock.today(client.organisation):
        raise ValidationFailed(
            "date_in_future", _("The date cannot be in the future."), field=field
        )
    if client.birth_date is not None and day < client.birth_date:
        raise ValidationFailed(
            "date_before_birth", _("The date cannot be before the client's birth."), field=field
        )


def _check_choice(value: str, allowed: Iterable[str], code: str, field: str) -> None:
    if value not in allowed:
        raise ValidationFailed(code, _("Choose one of the listed values."), field=field)


def _note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            "note_too_long",
            _("The note can be at most %(max)d characters.") % {"max": NOTE_MAX},
            field="note",
        )
    return note


def _lock_client(client: Client) -> None:
    """Two people recording for one client at the same moment queue up."""
    Client.objects.select_for_update(of=("self",)).filter(pk=client.pk).first()


def _event(
    client: Client, actor: User, kind: str, summary: str, data: dict[str, object]
) -> Episode | None:
    """The timeline of the client's open episode, if there is one."""
    episode = open_episode(client)
    if episode is not None:
        record_event(episode=episode, actor=actor, kind=kind, summary=summary, data=data)
    return episode


def _close(deadlines: Iterable[Deadline], *, on: datetime.date, note: str) -> list[Deadline]:
    """Close open deadlines as met (on time) or met late, as ``deadlines_close`` does."""
    closed = []
    for deadline in deadlines:
        deadline.status = DeadlineStatus.MET if on <= deadline.due_on else DeadlineStatus.MISSED
        deadline.closed_on = on
        deadline.note = note[:300]
        deadline.save(update_fields=["status", "closed_on", "note", "updated_at"])
        closed.append(deadline)
    return closed


def _open_deadlines(client: Client, kind: str) -> QuerySet[Deadline]:
    return Deadline.objects.select_for_update(of=("self",)).filter(
        client=client, kind=kind, status=DeadlineStatus.OPEN
    )


# --- screenings (HLT-1) --------------------------------------------------------------------


@transaction.atomic
def screening_record(
    *,
    client: Client,
    actor: User,
    kind: str,
    offered_on: datetime.date,
    declined: bool = False,
    tested_on: datetime.date | None = None,
    result: str = "",
    note: str = "",
) -> Screening:
    """HLT-1: a screening offered and declined, or a sample taken (result pending until it is
    known). Closes the open mandatory-screening deadline of the same kind."""
    _check_choice(kind, ScreeningKind.values, "invalid_screening", "kind")
    _check_day(client, offered_on, "offered_on")
    if declined:
        if tested_on is not None or result:
            raise ValidationFailed(
                "declined_with_result",
                _("A declined screening has no sample date and no result."),
                field="declined",
            )
    else:
        if tested_on is None:
            raise ValidationFailed(
                "tested_on_required",
                _("Give the date the sample was taken, or record that the offer was declined."),
                field="tested_on",
            )
        _check_day(client, tested_on, "tested_on")
        if tested_on < offered_on:
            raise ValidationFailed(
                "tested_before_offer",
                _("The sample cannot be taken before the screening was offered."),
                field="tested_on",
            )
        result = result or ScreeningResult.PENDING
        _check_choice(result, ScreeningResult.values, "invalid_result", "result")
    screening = Screening.objects.create(
        client=client,
        kind=kind,
        offered_on=offered_on,
        declined=declined,
        tested_on=tested_on,
        result="" if declined else result,
        note=_note(note),
        recorded_by=actor,
    )
    on = tested_on or offered_on
    label = screening.get_kind_display()
    _close(
        _open_deadlines(client, DeadlineKind.SCREENING).filter(
            basis__value=kind, episode__opened_on__lte=on
        ),
        on=on,
        note=(
            gettext("%(screening)s: declined")
            if declined
            else gettext("%(screening)s: sample taken")
        )
        % {"screening": label},
    )
    outcome = _("declined") if declined else screening.get_result_display()
    _event(
        client,
        actor,
        "health_screening",
        f"{label}: {outcome}",
        {"kind": kind, "declined": declined, "result": screening.result},
    )
    return screening


@transaction.atomic
def screening_result_set(
    *, screening: Screening, actor: User, result: str, note: str = ""
) -> Screening:
    """HLT-1: the result of a pending screening arrives. Only a pending result changes; the
    change log keeps the old and the new value."""
    screening = (
        Screening.objects.select_for_update(of=("self",))
        .select_related("client__organisation")
        .get(pk=screening.pk)
    )
    if screening.declined:
        raise Conflict(
            "screening_declined", _("The screening was declined: there is no result to record.")
        )
    if screening.result != ScreeningResult.PENDING:
        raise Conflict("result_final", _("The result is already recorded."), field="result")
    _check_choice(result, ScreeningResult.values, "invalid_result", "result")
    if result == ScreeningResult.PENDING:
        raise ValidationFailed(
            "result_required", _("Choose negative, positive or inconclusive."), field="result"
        )
    screening.result = result
    fields = ["result", "updated_at"]
    extra = _note(note)
    if extra:
        screening.note = f"{screening.note}\n{extra}".strip()
        fields.append("note")
    screening.save(update_fields=fields)
    _event(
        screening.client,
        actor,
        "health_screening",
        f"{screening.get_kind_display()}: {screening.get_result_display()}",
        {"kind": screening.kind, "result": result},
    )
    return screening


# --- vaccinations (HLT-2) ------------------------------------------------------------------


@transaction.atomic
def vaccination_record(
    *,
    client: Client,
    actor: User,
    schedule: str,
    dose: int,
    given_on: datetime.date,
    batch: str = "",
    note: str = "",
) -> Vaccination:
    """HLT-2: dose ``dose`` of a schedule was given (free of charge). Computes the next
    dose's date, puts it on the worklist when the client has an open episode, and closes the
    worklist item of this dose."""
    _check_choice(schedule, VaccinationSchedule.values, "invalid_schedule", "schedule")
    spec = vaccination_schedules()[schedule]
    if not 1 <= dose <= len(spec.doses):
        raise ValidationFailed(
            "dose_beyond_schedule",
            _("This schedule has %(n)d doses.") % {"n": len(spec.doses)},
            field="dose",
        )
    _check_day(client, given_on, "given_on")
    _lock_client(client)
    earlier = list(Vaccination.objects.filter(client=client, schedule=schedule).order_by("dose"))
    if any(v.dose == dose for v in earlier):
        raise Conflict("duplicate_dose", _("This dose is already recorded."), field="dose")
    if [v.dose for v in earlier] != list(range(1, dose)):
        raise ValidationFailed(
            "dose_out_of_order",
            _("Record the earlier doses of this schedule first."),
            field="dose",
        )
    if earlier and given_on < earlier[-1].given_on:
        raise ValidationFailed(
            "dose_before_previous",
            _("A dose cannot be given before the dose before it."),
            field="given_on",
        )
    given = [v.given_on for v in earlier] + [given_on]
    try:
        with transaction.atomic():
            vaccination = Vaccination.objects.create(
                client=client,
                schedule=schedule,
                dose=dose,
                given_on=given_on,
                next_due_on=next_dose_due(spec, given),
                batch=batch.strip()[:40],
                note=_note(note),
                recorded_by=actor,
            )
    except IntegrityError as exc:  # the constraint: one record per dose
        raise Conflict("duplicate_dose", _("This dose is already recorded."), field="dose") from exc
    if earlier:
        _close(
            _open_deadlines(client, DeadlineKind.VACCINATION).filter(subject_id=earlier[-1].pk),
            on=given_on,
            note=gettext("%(vaccination)s: dose %(dose)d")
            % {"vaccination": vaccination.get_schedule_display(), "dose": dose},
        )
    episode = _event(
        client,
        actor,
        "health_vaccination",
        f"{vaccination.get_schedule_display()}: {dose}/{len(spec.doses)}",
        {"schedule": schedule, "dose": dose},
    )
    if episode is not None and vaccination.next_due_on is not None:
        deadline_open(
            episode=episode,
            spec=next_dose_deadline(schedule, dose + 1, vaccination.next_due_on),
            subject_id=vaccination.pk,
        )
    return vaccination


# --- health contacts (HLT-3) ---------------------------------------------------------------


@transaction.atomic
def health_contact_record(
    *, client: Client, actor: User, kind: str, on: datetime.date, note: str = ""
) -> HealthContact:
    """HLT-3: contraception counselling, NADA acupuncture, a health conversation or a
    referral to dental care, held by ``actor``."""
    _check_choice(kind, HealthContactKind.values, "invalid_contact_kind", "kind")
    _check_day(client, on, "on")
    contact = HealthContact.objects.create(
        client=client, kind=kind, on=on, note=_note(note), staff=actor
    )
    _event(client, actor, "health_contact", str(contact.get_kind_display()), {"kind": kind})
    return contact


# --- pregnancy (HLT-4) ---------------------------------------------------------------------


@transaction.atomic
def pregnancy_record(
    *,
    client: Client,
    actor: User,
    estimated_due_on: datetime.date,
    noted_on: datetime.date | None = None,
    note: str = "",
) -> Pregnancy:
    """HLT-4: a pregnancy becomes known; the follow-up entries are recorded on it."""
    if client.sex not in (Sex.FEMALE, Sex.UNKNOWN):
        raise ValidationFailed(
            "pregnancy_sex",
            _("A pregnancy can be recorded only for a client recorded as female or unknown."),
        )
    noted_on = noted_on or clock.today(client.organisation)
    _check_day(client, noted_on, "noted_on")
    if not (noted_on - DUE_DATE_MAX_OVERDUE <= estimated_due_on <= noted_on + DUE_DATE_MAX_AHEAD):
        raise ValidationFailed(
            "due_date_implausible",
            _("The estimated due date must be within 42 weeks of the day the pregnancy is known."),
            field="estimated_due_on",
        )
    _lock_client(client)
    conflict = Conflict(
        "pregnancy_ongoing",
        _("An ongoing pregnancy is already recorded; record its end first."),
    )
    if Pregnancy.objects.filter(client=client, status=PregnancyStatus.ONGOING).exists():
        raise conflict
    try:
        with transaction.atomic():
            pregnancy = Pregnancy.objects.create(
                client=client,
                noted_on=noted_on,
                estimated_due_on=estimated_due_on,
                note=_note(note),
                recorded_by=actor,
            )
    except IntegrityError as exc:  # the constraint: one ongoing pregnancy per client
        raise conflict from exc
    _event(
        client,
        actor,
        "health_pregnancy",
        gettext("Estimated due date %(date)s")
        % {"date": date_format(estimated_due_on, "SHORT_DATE_FORMAT")},
        {"status": PregnancyStatus.ONGOING, "estimated_due_on": str(estimated_due_on)},
    )
    return pregnancy


@transaction.atomic
def pregnancy_end(
    *, pregnancy: Pregnancy, actor: User, outcome: str, on: datetime.date, note: str = ""
) -> Pregnancy:
    """HLT-4: the birth (status "birth", opening the follow-up after birth) or another end
    of the pregnancy (status "ended")."""
    pregnancy = (
        Pregnancy.objects.select_for_update(of=("self",))
        .select_related("client__organisation")
        .get(pk=pregnancy.pk)
    )
    client = pregnancy.client
    if pregnancy.status != PregnancyStatus.ONGOING:
        raise Conflict("pregnancy_not_ongoing", _("This pregnancy has already ended."))
    _check_choice(
        outcome, [PregnancyStatus.BIRTH, PregnancyStatus.ENDED], "invalid_outcome", "outcome"
    )
    _check_day(client, on, "on")
    if on < pregnancy.noted_on:
        raise ValidationFailed(
            "end_before_pregnancy",
            _("The pregnancy cannot end before it was known."),
            field="on",
        )
    pregnancy.status = outcome
    pregnancy.ended_on = on
    fields = ["status", "ended_on", "updated_at"]
    extra = _note(note)
    if extra:
        pregnancy.note = f"{pregnancy.note}\n{extra}".strip()
        fields.append("note")
    pregnancy.save(update_fields=fields)
    episode = _event(
        client,
        actor,
        "health_pregnancy",
        str(pregnancy.get_status_display()),
        {"status": outcome, "on": str(on)},
    )
    if episode is not None and outcome == PregnancyStatus.BIRTH:
        deadline_open(
            episode=episode, spec=postnatal_follow_up_deadline(on), subject_id=pregnancy.pk
        )
    return pregnancy


@transaction.atomic
def pregnancy_follow_up_record(
    *,
    pregnancy: Pregnancy,
    actor: User,
    kind: str,
    on: datetime.date,
    partner: str = "",
    note: str = "",
) -> PregnancyFollowUp:
    """HLT-4: one thing done in the pregnancy follow-up: a urine test, a home visit, the
    midwife, cooperation with a partner, a referral, a voluntary admission, or the follow-up
    after birth (which closes its deadline)."""
    pregnancy = (
        Pregnancy.objects.select_for_update(of=("self",))
        .select_related("client__organisation")
        .get(pk=pregnancy.pk)
    )
    client = pregnancy.client
    _check_choice(kind, FollowUpKind.values, "invalid_follow_up_kind", "kind")
    if kind == FollowUpKind.COOPERATION:
        if not partner:
            raise ValidationFailed(
                "partner_required", _("Name the cooperation partner."), field="partner"
            )
        _check_choice(partner, CooperationPartner.values, "invalid_partner", "partner")
    elif partner:
        raise ValidationFailed(
            "partner_not_expected",
            _("A cooperation partner is named only for a cooperation."),
            field="partner",
        )
    _check_day(client, on, "on")
    if on < pregnancy.noted_on:
        raise ValidationFailed(
            "follow_up_before_pregnancy",
            _("The follow-up cannot be before the pregnancy was known."),
            field="on",
        )
    if kind == FollowUpKind.AFTER_BIRTH:
        if pregnancy.status != PregnancyStatus.BIRTH or pregnancy.ended_on is None:
            raise Conflict(
                "no_birth_recorded",
                _("Record the birth before the follow-up after birth."),
                field="kind",
            )
        if on < pregnancy.ended_on:
            raise ValidationFailed(
                "follow_up_before_birth",
                _("The follow-up after birth cannot be before the birth."),
                field="on",
            )
    follow_up = PregnancyFollowUp.objects.create(
        pregnancy=pregnancy,
        client=client,
        kind=kind,
        partner=partner,
        on=on,
        note=_note(note),
        recorded_by=actor,
    )
    if kind == FollowUpKind.AFTER_BIRTH:
        _close(
            _open_deadlines(client, DeadlineKind.PREGNANCY_FOLLOW_UP).filter(
                subject_id=pregnancy.pk
            ),
            on=on,
            note=str(follow_up.get_kind_display()),
        )
    summary = str(follow_up.get_kind_display())
    if partner:
        summary = f"{summary}: {follow_up.get_partner_display()}"
    _event(client, actor, "health_pregnancy_follow_up", summary, {"kind": kind, "partner": partner})
    return follow_up
