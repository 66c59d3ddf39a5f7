"""Individual SMART goals on an enrolment (Lykken, seed 003 line 541 "Udarbejdelse af
individuelle SMARTE mål"): keyword-only, typed, one transaction each; django-auditlog keeps
the old and new values.

Decided where the sources are silent:

* **Goals belong to the enrolment, not to a treatment plan.** Lykken is open to current and
  former users of the centre (line 545). A plan belongs to an open episode (PLN-1), so a
  former user, or someone who never had a case, could not get a goal; on the enrolment they
  can, and a client in treatment keeps the plan's goals as they are. Only offers whose terms
  say ``individual_goals`` take them (``goals_not_in_offer``).
* **SMART as in the plan**: what, how it is measured, the target and a date after the day
  the goal is agreed (the same rule and codes as a plan's goals, ``goal_incomplete``,
  ``goal_too_long``, ``goal_due_before_plan``).
* **A goal is never deleted**: its progress is recorded (not started, some progress,
  reached, no longer a goal), as at a plan's evaluation. Goals are set and followed up only
  while the enrolment is active (``enrolment_not_active``).
* **Dated in the organisation's calendar**: a goal is agreed, and progress recorded, no
  later than today and not before the enrolment starts.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import User
from bedring.core import clock
from bedring.core.errors import Conflict, ValidationFailed
from bedring.pathway.models.plan import Progress
from bedring.pathway.services.plan import GoalInput, clean_goals
from bedring.pathway.timeline import record_event

from ..models import Enrolment, EnrolmentGoal, EnrolmentStatus


def _active(enrolment: Enrolment) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("organisation", "offer", "episode")
        .get(pk=enrolment.pk)
    )
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise Conflict("enrolment_not_active", _("The enrolment has ended."))
    return enrolment


def _check_day(
    enrolment: Enrolment, day: datetime.date, today: datetime.date, *, field: str
) -> None:
    if day > today:
        raise ValidationFailed(
            "date_in_future", _("The date cannot be in the future."), field=field
        )
    if day < enrolment.starts_on:
        raise ValidationFailed(
            "date_before_enrolment",
            _("The enrolment started on %(date)s; the date cannot be before that.")
            % {"date": enrolment.starts_on.isoformat()},
            field=field,
        )


@transaction.atomic
def enrolment_goal_add(
    *,
    enrolment: Enrolment,
    actor: User,
    goal: GoalInput,
    agreed_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> EnrolmentGoal:
    """A SMART goal agreed with the client in an offer with ``individual_goals``."""
    enrolment = _active(enrolment)
    terms = enrolment.offer.parsed
    if not terms.individual_goals:
        raise ValidationFailed(
            "goals_not_in_offer",
            _("%(offer)s does not work with individual goals.") % {"offer": terms.name},
        )
    today = today or clock.today(enrolment.organisation)
    agreed_on = agreed_on or today
    _check_day(enrolment, agreed_on, today, field="agreed_on")
    (clean,) = clean_goals([goal], agreed_on=agreed_on)
    assert clean.due_on is not None  # noqa: S101 - checked by clean_goals; narrows the type
    created = EnrolmentGoal.objects.create(
        enrolment=enrolment,
        text=clean.text,
        measure=clean.measure,
        target=clean.target,
        due_on=clean.due_on,
        client_words=clean.client_words,
        agreed_on=agreed_on,
        set_by=actor,
    )
    if enrolment.episode is not None:
        record_event(
            episode=enrolment.episode,
            actor=actor,
            kind="enrolment_goal",
            summary=f"{terms.name}: {clean.text}"[:300],
            data={"enrolment": str(enrolment.uuid), "goal": str(created.uuid)},
        )
    return created


@transaction.atomic
def enrolment_goal_progress(
    *,
    goal: EnrolmentGoal,
    actor: User,
    progress: str,
    on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> EnrolmentGoal:
    """The progress on a goal, followed up with the client (a Progress value)."""
    enrolment = _active(goal.enrolment)
    goal = EnrolmentGoal.objects.select_for_update(of=("self",)).get(pk=goal.pk)
    if progress not in Progress.values:
        raise ValidationFailed(
            "invalid_progress", _("Choose one of the listed values."), field="progress"
        )
    today = today or clock.today(enrolment.organisation)
    on = on or today
    _check_day(enrolment, on, today, field="on")
    if on < goal.agreed_on:
        raise ValidationFailed(
            "progress_before_goal",
            _("Progress cannot be recorded before the goal was agreed (%(date)s).")
            % {"date": goal.agreed_on.isoformat()},
            field="on",
        )
    goal.progress = progress
    goal.progress_on = on
    goal.save(update_fields=["progress", "progress_on", "updated_at"])
    if enrolment.episode is not None:
        record_event(
            episode=enrolment.episode,
            actor=actor,
            kind="enrolment_goal",
            summary=f"{goal.text}: {goal.get_progress_display()}"[:300],
            data={"enrolment": str(enrolment.uuid), "goal": str(goal.uuid), "progress": progress},
        )
    return goal
