"""Discharge and follow-up (DIS-1, DIS-2, DIS-5).

An active episode ends with a discharge: how it ended (DischargeStatus), when, the overall
result, the result of every goal of the plan in force, and where the client went if they were
transferred. After the statuses in FOLLOW_UP_STATUSES the responsible counsellor follows up
``follow_up_months`` after the discharge (the rule pack; 1 and 6): each follow-up is a
FollowUp row and an open DISCHARGE_FOLLOW_UP deadline on the counsellor's worklist
(``subject_id`` = the FollowUp's pk), closed when the follow-up is recorded.

Every write is keyword-only, typed and atomic, locks the episode, and writes the episode's
timeline in the same transaction.
"""

from __future__ import annotations

import datetime
import uuid as uuid_lib
from collections.abc import Mapping

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bedring.accounts.models import User
from bedring.accounts.selectors import rules_for
from bedring.core import clock
from bedring.core.errors import Conflict, ValidationFailed

from ..deadlines import DeadlineSpec, add_months
from ..episode_end import EpisodeEnded, episode_ended
from ..models import Decision, Discharge, Episode, FollowUp, Goal, GoalResult, Plan
from ..models.decision import Intensity, Outcome
from ..models.discharge import (
    FOLLOW_UP_STATUSES,
    DischargeStatus,
    GoalOutcome,
    OverallResult,
    SituationChange,
    SubstanceUseNow,
)
from ..models.episode import DeadlineKind
from ..questionnaires import LIFE_AREAS
from ..states import EpisodeState, check_move
from ..timeline import deadline_open, deadlines_close, record_event
from .episode import TREATMENT_DECISIONS, episode_for_update, episode_move

# DIS-1: after these the client went somewhere else; say where.
TRANSFER_STATUSES = (
    DischargeStatus.OTHER_OFFER,
    DischargeStatus.HOSPITAL,
    DischargeStatus.INSTITUTION,
)
DESTINATION_LIMIT = 200
GOAL_NOTE_LIMIT = 300

# goal uuid (as text) -> (GoalOutcome value, note)
GoalResults = Mapping[str, tuple[str, str]]


def follow_up_spec(months: int, discharged_on: datetime.date) -> DeadlineSpec:
    """DIS-2: the follow-up ``months`` calendar months after the discharge (31 January + 1
    month is 28 February)."""
    return DeadlineSpec(
        DeadlineKind.DISCHARGE_FOLLOW_UP,
        add_months(discharged_on, months),
        {"rule": "follow_up_months", "value": months, "req": "DIS-2"},
    )


def _granted_intensity(episode: Episode) -> str:
    """The intensity of the latest treatment decision that granted treatment, else
    outpatient."""
    decision = (
        Decision.objects.filter(
            episode=episode, kind__in=TREATMENT_DECISIONS, outcome=Outcome.GRANTED
        )
        .order_by("-decided_on", "-id")
        .first()
    )
    return decision.intensity if decision is not None else Intensity.OUTPATIENT


def _goal_key(raw: uuid_lib.UUID | str) -> str:
    try:
        return str(uuid_lib.UUID(str(raw)))
    except ValueError as exc:
        raise ValidationFailed(
            "goal_not_in_plan",
            _("That goal is not a goal of this episode's current plan."),
            field="goal_results",
            details={"goal": str(raw)},
        ) from exc


def _clean_goal_results(
    goal_results: GoalResults, goals: list[Goal]
) -> list[tuple[Goal, str, str]]:
    """Every goal of the current plan gets exactly one result; nothing else is accepted."""
    by_key: dict[str, tuple[str, str]] = {}
    for raw, value in goal_results.items():
        by_key[_goal_key(raw)] = value
    ours = {str(g.uuid): g for g in goals}
    for key in by_key:
        if key not in ours:
            raise ValidationFailed(
                "goal_not_in_plan",
                _("That goal is not a goal of this episode's current plan."),
                field="goal_results",
                details={"goal": key},
            )
    cleaned: list[tuple[Goal, str, str]] = []
    for goal in goals:
        key = str(goal.uuid)
        outcome, note = by_key.get(key, ("", ""))
        if not outcome:
            raise ValidationFailed(
                "goal_result_missing",
                _("Give the result of the goal “%(goal)s”.") % {"goal": goal.text},
                field="goal_results",
                details={"goal": key},
            )
        if outcome not in GoalOutcome.values:
            raise ValidationFailed(
                "invalid_goal_outcome",
                _("Unknown result for the goal “%(goal)s”.") % {"goal": goal.text},
                field="goal_results",
                details={"goal": key},
            )
        note = (note or "").strip()
        if len(note) > GOAL_NOTE_LIMIT:
            raise ValidationFailed(
                "goal_note_too_long",
                _("The note on the goal “%(goal)s” is too long (at most %(limit)d characters).")
                % {"goal": goal.text, "limit": GOAL_NOTE_LIMIT},
                field="goal_results",
                details={"goal": key},
            )
        cleaned.append((goal, outcome, note))
    return cleaned


@transaction.atomic
def episode_discharge(
    *,
    episode: Episode,
    actor: User,
    discharged_on: datetime.date,
    status: str,
    overall_result: str,
    goal_results: GoalResults,
    destination: str = "",
    note: str = "",
    today: datetime.date | None = None,
) -> Discharge:
    """DIS-1: end an active episode with its status, date, overall result and the result of
    every goal of the current plan; DIS-2: open the follow-ups for the statuses that have
    them. What ends with the episode in the domains above (the client's enrolments, through
    :mod:`pathway.episode_end`) ends in the same transaction; ``discharge.consequences`` says
    what. A second discharge is refused by the state table (409 ``bad_transition``)."""
    episode = episode_for_update(episode)
    # Only an active episode is discharged: the state table refuses any other (409).
    check_move(episode.state, EpisodeState.DISCHARGED)
    if status not in DischargeStatus.values:
        raise ValidationFailed("invalid_status", _("Choose how the episode ended."), field="status")
    if overall_result not in OverallResult.values:
        raise ValidationFailed(
            "invalid_overall_result", _("Choose the overall result."), field="overall_result"
        )
    today = today or clock.today(episode.organisation)
    if discharged_on > today:
        raise ValidationFailed(
            "discharge_in_future",
            _("The discharge cannot be dated in the future."),
            field="discharged_on",
        )
    started = episode.started_on or episode.opened_on
    if discharged_on < started:
        raise ValidationFailed(
            "discharge_before_start",
            _("The discharge cannot be before the treatment started (%(date)s).")
            % {"date": started.isoformat()},
            field="discharged_on",
        )
    destination = destination.strip()
    if status in TRANSFER_STATUSES and not destination:
        raise ValidationFailed(
            "destination_required",
            _("Say where the client was transferred to."),
            field="destination",
        )
    if len(destination) > DESTINATION_LIMIT:
        raise ValidationFailed(
            "destination_too_long",
            _("The destination is too long (at most %(limit)d characters).")
            % {"limit": DESTINATION_LIMIT},
            field="destination",
        )
    plan = (
        Plan.objects.filter(episode=episode, is_current=True)
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.order_by("position", "id")))
        .first()
    )
    goals = list(plan.goals.all()) if plan is not None else []
    results = _clean_goal_results(goal_results, goals)

    episode_move(
        episode=episode,
        actor=actor,
        to_state=EpisodeState.DISCHARGED,
        summary=str(DischargeStatus(status).label),
        on=discharged_on,
    )
    episode.closing_reason = str(DischargeStatus(status).label)[:300]
    episode.save(update_fields=["closing_reason", "updated_at"])
    discharge = Discharge.objects.create(
        episode=episode,
        organisation_id=episode.organisation_id,
        site_id=episode.site_id,
        client_id=episode.client_id,
        discharged_on=discharged_on,
        status=status,
        overall_result=overall_result,
        intensity=_granted_intensity(episode),
        destination=destination,
        note=note.strip(),
        discharged_by=actor,
    )
    for goal, outcome, goal_note in results:
        # One by one, not bulk_create: the change log records every result.
        GoalResult.objects.create(discharge=discharge, goal=goal, outcome=outcome, note=goal_note)
    # DIS-1, SCH-2: what the treatment held ends with it (the catalogue's enrolments and their
    # planned sessions), in this transaction, with the discharge as the reason.
    discharge.consequences = episode_ended(  # type: ignore[attr-defined]
        EpisodeEnded(
            episode=episode,
            actor=actor,
            on=discharged_on,
            reason=_("Discharged: %(status)s") % {"status": DischargeStatus(status).label},
        )
    )
    follow_ups: list[FollowUp] = []
    if status in FOLLOW_UP_STATUSES:
        # Opened after the move: the move closes the course's deadlines, not these.
        for months in rules_for(episode.organisation).follow_up_months:
            spec = follow_up_spec(months, discharged_on)
            follow_up = FollowUp.objects.create(
                discharge=discharge,
                episode=episode,
                client_id=episode.client_id,
                organisation_id=episode.organisation_id,
                months=months,
                due_on=spec.due_on,
                responsible=episode.responsible,
            )
            deadline_open(episode=episode, spec=spec, subject_id=follow_up.pk)
            follow_ups.append(follow_up)
    record_event(
        episode=episode,
        actor=actor,
        kind="discharge",
        summary=str(DischargeStatus(status).label),
        data={
            "discharge": str(discharge.uuid),
            "status": status,
            "overall_result": overall_result,
            "discharged_on": discharged_on.isoformat(),
            "goals": len(results),
            "follow_ups": [f.due_on.isoformat() for f in follow_ups],
        },
    )
    return discharge


def _clean_situation(situation: Mapping[str, str]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for area, change in situation.items():
        if area not in LIFE_AREAS:
            raise ValidationFailed(
                "invalid_life_area",
                _("Unknown area of life."),
                field="situation",
                details={"area": area},
            )
        if change not in SituationChange.values:
            raise ValidationFailed(
                "invalid_situation_change",
                _("Choose better, unchanged, worse or not known."),
                field="situation",
                details={"area": area},
            )
        cleaned[area] = change
    return {area: cleaned[area] for area in LIFE_AREAS if area in cleaned}


@transaction.atomic
def follow_up_record(
    *,
    follow_up: FollowUp,
    actor: User,
    done_on: datetime.date,
    contact_made: bool,
    substance_use: str = "",
    situation: Mapping[str, str] | None = None,
    note: str = "",
    today: datetime.date | None = None,
) -> FollowUp:
    """DIS-2, DIS-5: the follow-up is done: whether contact was made and, if so, the
    client's substance use and life situation now against the start of treatment. Closes
    its deadline (met, or met late)."""
    episode = episode_for_update(follow_up.episode)
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("discharge")
        .get(pk=follow_up.pk)
    )
    if follow_up.done_on is not None:
        raise Conflict(
            "follow_up_already_recorded",
            _("This follow-up has already been recorded."),
            details={"done_on": follow_up.done_on.isoformat()},
        )
    if done_on > (today or clock.today(episode.organisation)):
        raise ValidationFailed(
            "follow_up_in_future",
            _("The follow-up cannot be dated in the future."),
            field="done_on",
        )
    if done_on < follow_up.discharge.discharged_on:
        raise ValidationFailed(
            "follow_up_before_discharge",
            _("The follow-up cannot be before the discharge (%(date)s).")
            % {"date": follow_up.discharge.discharged_on.isoformat()},
            field="done_on",
        )
    if substance_use and substance_use not in SubstanceUseNow.values:
        raise ValidationFailed(
            "invalid_substance_use", _("Unknown answer on substance use."), field="substance_use"
        )
    if contact_made and not substance_use:
        raise ValidationFailed(
            "substance_use_required",
            _("Say how the client's substance use is now (or that it is not known)."),
            field="substance_use",
        )
    clean_situation = _clean_situation(situation or {})
    follow_up.done_on = done_on
    follow_up.contact_made = contact_made
    follow_up.substance_use = substance_use
    follow_up.situation = clean_situation
    follow_up.note = note.strip()
    follow_up.recorded_by = actor
    follow_up.save(
        update_fields=[
            "done_on",
            "contact_made",
            "substance_use",
            "situation",
            "note",
            "recorded_by",
            "updated_at",
        ]
    )
    deadlines_close(
        episode=episode,
        kinds=[DeadlineKind.DISCHARGE_FOLLOW_UP],
        subject_id=follow_up.pk,
        on=done_on,
    )
    record_event(
        episode=episode,
        actor=actor,
        kind="follow_up",
        summary=ngettext(
            "Follow-up after %(months)d month",
            "Follow-up after %(months)d months",
            follow_up.months,
        )
        % {"months": follow_up.months},
        data={
            "follow_up": str(follow_up.uuid),
            "months": follow_up.months,
            "done_on": done_on.isoformat(),
            "contact_made": contact_made,
            "substance_use": substance_use,
        },
    )
    return follow_up


# --- reads ------------------------------------------------------------------------------------
# A fixed number of queries whatever the number of goals and follow-ups.


def discharge_queryset() -> QuerySet[Discharge]:
    return Discharge.objects.select_related("discharged_by", "episode").prefetch_related(
        Prefetch("goal_results", queryset=GoalResult.objects.select_related("goal")),
        Prefetch(
            "follow_ups",
            queryset=FollowUp.objects.select_related("responsible", "recorded_by").order_by(
                "due_on", "id"
            ),
        ),
    )


def discharge_of(episode: Episode) -> Discharge | None:
    return discharge_queryset().filter(episode=episode).first()


def follow_up_queryset() -> QuerySet[FollowUp]:
    return FollowUp.objects.select_related("discharge", "episode", "responsible", "recorded_by")
