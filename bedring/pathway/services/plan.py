"""Treatment plans, their versions and their evaluations (PLN-1..6, PRV-2, PRV-3).

A plan is made with the client at the feedback conversation (ASM-3): the aims of treatment,
the client's own SMART goals, the people the client wants to work with (only with a consent in
force), network meetings, and the Danish action plan or the Norwegian individual plan. A
change is a new version: the old one stays, with its goals and evaluations. The plan is
evaluated with the client at least every ``plan_evaluation_months`` (PLN-2); the open
PLAN_EVALUATION deadline always belongs to the current version (``subject_id`` = its pk).

Every write is keyword-only, typed and atomic, locks the episode, and writes the episode's
timeline in the same transaction.
"""

from __future__ import annotations

import datetime
import uuid as uuid_lib
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import may
from bedring.accounts.models import User
from bedring.accounts.selectors import rules_for
from bedring.clients.models import Consent, ConsentParty
from bedring.core import clock
from bedring.core.errors import Conflict, ValidationFailed
from bedring.core.roles import Perm

from ..deadlines import plan_evaluation_due
from ..models import Episode, Evaluation, Goal, GoalProgress, Plan
from ..models.episode import DeadlineKind, DeadlineStatus
from ..models.plan import Aim, Progress
from ..states import EpisodeState
from ..timeline import deadline_open, deadlines_close, record_event
from .episode import episode_for_update

# ASM-3: the plan is made at the feedback conversation, after the assessment has begun, and
# revised for as long as the episode runs.
PLAN_STATES = frozenset({EpisodeState.ASSESSMENT, EpisodeState.DECIDED, EpisodeState.ACTIVE})
# PLN-4: the action plan is Danish law (serviceloven § 141), the individual plan Norwegian
# (helse- og omsorgstjenesteloven § 7-1). Kept here, not in the rule packs, until a pack
# field says which plan options a jurisdiction has.
PLAN_OPTIONS: dict[str, frozenset[str]] = {
    "DK": frozenset({"action_plan"}),
    "NO": frozenset({"individual_plan"}),
    "BE": frozenset(),
}
GOAL_LIMITS = {"text": 300, "measure": 300, "target": 200}
COLLABORATOR_NAME_LIMIT = 200


@dataclass(frozen=True)
class GoalInput:
    """One SMART goal as typed: what, how it is measured, the target, by when."""

    text: str = ""
    measure: str = ""
    target: str = ""
    due_on: datetime.date | None = None
    client_words: str = ""
    short_term: bool = True


@dataclass(frozen=True)
class CollaboratorInput:
    """Someone the client wants the centre to work with (PLN-6): a ConsentParty value."""

    party: str
    name: str = ""


@dataclass(frozen=True)
class ProgressInput:
    """The progress on one goal at an evaluation (a Progress value) with a note."""

    goal: uuid_lib.UUID | str
    progress: str = ""
    note: str = ""


# --- checks -----------------------------------------------------------------------------------


def _check_episode_takes_a_plan(episode: Episode) -> None:
    if not episode.is_open:
        raise Conflict("episode_closed", _("The episode has ended."))
    if episode.state not in PLAN_STATES:
        raise Conflict(
            "plan_too_early",
            _("The plan is made at the feedback conversation: begin the assessment first."),
            details={"state": episode.state},
        )


def _check_agreed_on(
    agreed_on: datetime.date, *, episode: Episode, current: Plan | None, today: datetime.date
) -> None:
    if agreed_on > today:
        raise ValidationFailed(
            "plan_date_future", _("The plan cannot be agreed in the future."), field="agreed_on"
        )
    if agreed_on < episode.opened_on:
        raise ValidationFailed(
            "plan_before_episode",
            _("The plan cannot be agreed before the episode began (%(date)s).")
            % {"date": episode.opened_on.isoformat()},
            field="agreed_on",
        )
    if current is not None and agreed_on < current.agreed_on:
        raise ValidationFailed(
            "plan_before_previous_version",
            _("A new version cannot be agreed before the version it replaces (%(date)s).")
            % {"date": current.agreed_on.isoformat()},
            field="agreed_on",
        )


def _clean_aims(aims: Sequence[str]) -> list[str]:
    """PLN-3: at least one aim, each one of the declared aims; kept in the declared order."""
    for aim in aims:
        if aim not in Aim.values:
            raise ValidationFailed(
                "invalid_aim", _("Unknown aim of treatment."), field="aims", details={"aim": aim}
            )
    if not aims:
        raise ValidationFailed(
            "aims_required", _("Choose at least one aim of treatment."), field="aims"
        )
    return [aim for aim in Aim.values if aim in set(aims)]


def _clean_goals(goals: Sequence[GoalInput], *, agreed_on: datetime.date) -> list[GoalInput]:
    """PLN-1: SMART goals: specific (text), measurable (measure), a target, time-bound (a
    date after the plan is agreed). ``details["index"]`` is the goal's place in the list."""
    if not goals:
        raise ValidationFailed(
            "goals_required", _("Write at least one goal with the client."), field="goals"
        )
    cleaned: list[GoalInput] = []
    for index, goal in enumerate(goals):
        number = {"number": index + 1}
        text, measure, target = goal.text.strip(), goal.measure.strip(), goal.target.strip()
        values = {"text": text, "measure": measure, "target": target, "due_on": goal.due_on}
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise ValidationFailed(
                "goal_incomplete",
                _(
                    "Goal %(number)d is not yet SMART: say what the goal is, how it is "
                    "measured, the target and by when."
                )
                % number,
                field="goals",
                details={"index": index, "field": missing[0], "missing": missing},
            )
        for name, limit in GOAL_LIMITS.items():
            if len(str(values[name])) > limit:
                raise ValidationFailed(
                    "goal_too_long",
                    _("Goal %(number)d: shorten the text to at most %(limit)d characters.")
                    % {**number, "limit": limit},
                    field="goals",
                    details={"index": index, "field": name, "limit": limit},
                )
        assert goal.due_on is not None  # noqa: S101 - checked above; narrows the type
        if goal.due_on <= agreed_on:
            raise ValidationFailed(
                "goal_due_before_plan",
                _("Goal %(number)d: the date must be after the day the plan is agreed.") % number,
                field="goals",
                details={"index": index, "field": "due_on"},
            )
        cleaned.append(
            GoalInput(
                text=text,
                measure=measure,
                target=target,
                due_on=goal.due_on,
                client_words=goal.client_words.strip(),
                short_term=goal.short_term,
            )
        )
    return cleaned


# PLN-1's SMART rule, shared with goals set outside a plan (the catalogue's enrolment goals).
clean_goals = _clean_goals


def _clean_collaborators(
    collaborators: Sequence[CollaboratorInput], *, episode: Episode, on: datetime.date
) -> list[dict[str, str | None]]:
    """PLN-6, PRV-2: the centre works with others only with the client's consent: each
    collaborator needs a consent for that party that is in force on the day of the plan."""
    parties = {c.party for c in collaborators}
    consents = list(
        Consent.objects.filter(client_id=episode.client_id, party__in=parties).order_by(
            "-valid_from", "-id"
        )
    )
    labels = dict(ConsentParty.choices)
    cleaned: list[dict[str, str | None]] = []
    for index, collaborator in enumerate(collaborators):
        if collaborator.party not in ConsentParty.values:
            raise ValidationFailed(
                "invalid_party",
                _("Unknown kind of collaborator."),
                field="collaborators",
                details={"index": index, "field": "party", "party": collaborator.party},
            )
        name = collaborator.name.strip()
        if len(name) > COLLABORATOR_NAME_LIMIT:
            raise ValidationFailed(
                "collaborator_name_too_long",
                _("Shorten the name to at most %(limit)d characters.")
                % {"limit": COLLABORATOR_NAME_LIMIT},
                field="collaborators",
                details={"index": index, "field": "name"},
            )
        consent = next(
            (c for c in consents if c.party == collaborator.party and c.is_active_on(on)), None
        )
        if consent is None:
            raise ValidationFailed(
                "collaborator_without_consent",
                _(
                    "There is no consent from the client in force on %(date)s for working "
                    "with: %(party)s. Record the consent first."
                )
                % {"date": on.isoformat(), "party": labels[collaborator.party]},
                field="collaborators",
                details={"index": index, "field": "party", "party": collaborator.party},
            )
        cleaned.append(
            {
                "party": collaborator.party,
                "name": name or consent.party_name,
                "consent": str(consent.uuid),
            }
        )
    return cleaned


def _check_plan_options(
    *,
    episode: Episode,
    action_plan: bool,
    individual_plan: bool,
    coordinator: User | None,
) -> None:
    """PLN-4: the Danish action plan; the Norwegian individual plan, which has a coordinator
    from the staff."""
    available = PLAN_OPTIONS.get(episode.organisation.jurisdiction, frozenset())
    if action_plan and "action_plan" not in available:
        raise ValidationFailed(
            "action_plan_not_available",
            _("An action plan (SEL § 141) is made only in Denmark."),
            field="action_plan",
        )
    if individual_plan and "individual_plan" not in available:
        raise ValidationFailed(
            "individual_plan_not_available",
            _("An individual plan is made only in Norway."),
            field="individual_plan",
        )
    if individual_plan and coordinator is None:
        raise ValidationFailed(
            "coordinator_required",
            _("An individual plan has a coordinator: choose one from the staff."),
            field="coordinator",
        )
    if coordinator is not None and not may(coordinator, Perm.CLIENT_READ, episode.organisation_id):
        raise ValidationFailed(
            "coordinator_not_staff",
            _("The coordinator must be a staff member here who works with clients."),
            field="coordinator",
        )


# --- writes -----------------------------------------------------------------------------------


@transaction.atomic
def plan_save(
    *,
    episode: Episode,
    actor: User,
    agreed_on: datetime.date,
    aims: Sequence[str],
    goals: Sequence[GoalInput],
    client_participated: bool = True,
    client_words: str = "",
    network: str = "",
    collaborators: Sequence[CollaboratorInput] = (),
    action_plan: bool = False,
    individual_plan: bool = False,
    coordinator: User | None = None,
    responsibility_group: str = "",
    based_on_version: int | None = None,
    today: datetime.date | None = None,
) -> Plan:
    """PLN-1..6: save the treatment plan made with the client: version 1, or a new version
    that replaces the current one (which is kept, with its goals and evaluations).

    - ASM-3: the episode is open and in assessment, decided or active (else 409).
    - PLN-1, PRV-3: the client's own SMART goals, whether the plan was made together with the
      client and, if so, what matters to the client in their own words.
    - PLN-3: at least one aim of treatment.
    - PLN-5: the network meeting: who takes part and the topics, as the client chooses.
    - PLN-6, PRV-2: collaborators only with a consent in force on ``agreed_on``.
    - PLN-4: DK action plan; NO individual plan with a coordinator and a responsibility group.
    - PLN-2: the next evaluation is due ``plan_evaluation_months`` after ``agreed_on``; the
      replaced version's open evaluation deadline is cancelled and a new one opened.

    ``based_on_version`` is the version the form was filled from (0: none); if someone has
    saved another version meanwhile, the save is refused (409 ``plan_changed``) instead of
    silently replacing their work.
    """
    episode = episode_for_update(episode)
    _check_episode_takes_a_plan(episode)
    current = (
        Plan.objects.select_for_update(of=("self",))
        .filter(episode=episode, is_current=True)
        .first()
    )
    if based_on_version is not None and based_on_version != (current.version if current else 0):
        raise Conflict(
            "plan_changed",
            _("Someone saved a newer version of the plan meanwhile. Open it and try again."),
            details={"version": current.version if current else 0},
        )
    today = today or clock.today(episode.organisation)
    _check_agreed_on(agreed_on, episode=episode, current=current, today=today)
    clean_aims = _clean_aims(aims)
    clean_goals = _clean_goals(goals, agreed_on=agreed_on)
    client_words = client_words.strip()
    if client_participated and not client_words:
        raise ValidationFailed(
            "client_words_required",
            _("Write down what matters to the client, in the client's own words."),
            field="client_words",
        )
    clean_collaborators = _clean_collaborators(collaborators, episode=episode, on=agreed_on)
    _check_plan_options(
        episode=episode,
        action_plan=action_plan,
        individual_plan=individual_plan,
        coordinator=coordinator,
    )

    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current", "updated_at"])
        deadlines_close(
            episode=episode,
            kinds=[DeadlineKind.PLAN_EVALUATION],
            on=agreed_on,
            subject_id=current.pk,
            status=DeadlineStatus.CANCELLED,
            note=f"replaced by plan version {current.version + 1}",
        )
    last_version = Plan.objects.filter(episode=episode).aggregate(v=Max("version"))["v"] or 0
    spec = plan_evaluation_due(rules_for(episode.organisation), agreed_on)
    plan = Plan.objects.create(
        episode=episode,
        version=last_version + 1,
        is_current=True,
        aims=clean_aims,
        agreed_on=agreed_on,
        made_by=actor,
        client_participated=client_participated,
        client_words=client_words,
        network=network.strip(),
        collaborators=clean_collaborators,
        action_plan=action_plan,
        individual_plan=individual_plan,
        coordinator=coordinator,
        responsibility_group=responsibility_group.strip(),
        next_evaluation_on=spec.due_on,
    )
    for position, goal in enumerate(clean_goals):
        assert goal.due_on is not None  # noqa: S101 - cleaned above
        # One by one, not bulk_create: the change log records every goal.
        Goal.objects.create(
            plan=plan,
            position=position,
            text=goal.text,
            measure=goal.measure,
            target=goal.target,
            due_on=goal.due_on,
            client_words=goal.client_words,
            short_term=goal.short_term,
        )
    deadline_open(episode=episode, spec=spec, subject_id=plan.pk)
    record_event(
        episode=episode,
        actor=actor,
        kind="plan",
        summary=str(_("Version %(version)s") % {"version": plan.version}),
        data={
            "plan": str(plan.uuid),
            "version": plan.version,
            "goals": len(clean_goals),
            "aims": clean_aims,
            "client_participated": client_participated,
            "next_evaluation_on": spec.due_on.isoformat(),
        },
    )
    return plan


@transaction.atomic
def evaluation_record(
    *,
    plan: Plan,
    actor: User,
    evaluated_on: datetime.date,
    progress: Sequence[ProgressInput],
    client_participated: bool = True,
    client_view: str = "",
    today: datetime.date | None = None,
) -> Evaluation:
    """PLN-2, PRV-3: evaluate the current plan with the client: progress on every goal, the
    client's view, whether the client took part. Closes the open evaluation deadline (met, or
    met late after its date) and opens the next one ``plan_evaluation_months`` later."""
    episode = episode_for_update(plan.episode)
    plan = Plan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
    plan.episode = episode
    if not episode.is_open:
        raise Conflict("episode_closed", _("The episode has ended."))
    if not plan.is_current:
        raise Conflict(
            "plan_not_current",
            _("Only the current version of the plan is evaluated."),
            details={"version": plan.version},
        )
    today = today or clock.today(episode.organisation)
    if evaluated_on > today:
        raise ValidationFailed(
            "evaluation_future",
            _("The evaluation cannot be in the future."),
            field="evaluated_on",
        )
    if evaluated_on < plan.agreed_on:
        raise ValidationFailed(
            "evaluation_before_plan",
            _("The evaluation cannot be before the plan was agreed (%(date)s).")
            % {"date": plan.agreed_on.isoformat()},
            field="evaluated_on",
        )
    previous = plan.evaluations.order_by("-evaluated_on").first()
    if previous is not None and evaluated_on < previous.evaluated_on:
        raise ValidationFailed(
            "evaluation_before_previous",
            _("The evaluation cannot be before the previous one (%(date)s).")
            % {"date": previous.evaluated_on.isoformat()},
            field="evaluated_on",
        )
    client_view = client_view.strip()
    if client_participated and not client_view:
        raise ValidationFailed(
            "client_view_required",
            _("Write down the client's view of how it is going."),
            field="client_view",
        )
    goals = list(plan.goals.all())
    entries = _clean_progress(progress, goals)

    spec = plan_evaluation_due(rules_for(episode.organisation), evaluated_on)
    evaluation = Evaluation.objects.create(
        plan=plan,
        evaluated_on=evaluated_on,
        evaluated_by=actor,
        client_view=client_view,
        client_participated=client_participated,
        next_evaluation_on=spec.due_on,
    )
    for goal in goals:
        entry = entries[goal.pk]
        GoalProgress.objects.create(
            evaluation=evaluation, goal=goal, progress=entry.progress, note=entry.note.strip()
        )
    closed = deadlines_close(
        episode=episode,
        kinds=[DeadlineKind.PLAN_EVALUATION],
        on=evaluated_on,
        subject_id=plan.pk,
    )
    plan.next_evaluation_on = spec.due_on
    plan.save(update_fields=["next_evaluation_on", "updated_at"])
    deadline_open(episode=episode, spec=spec, subject_id=plan.pk)
    record_event(
        episode=episode,
        actor=actor,
        kind="evaluation",
        summary=str(_("Version %(version)s") % {"version": plan.version}),
        data={
            "plan": str(plan.uuid),
            "version": plan.version,
            "evaluation": str(evaluation.uuid),
            "late": any(d.status == DeadlineStatus.MISSED for d in closed),
            "progress": {str(g.uuid): entries[g.pk].progress for g in goals},
            "next_evaluation_on": spec.due_on.isoformat(),
        },
    )
    return evaluation


def _clean_progress(
    progress: Sequence[ProgressInput], goals: list[Goal]
) -> dict[int, ProgressInput]:
    """PLN-2: one progress entry for every goal of the plan, for no other goal."""
    by_uuid = {str(goal.uuid): goal for goal in goals}
    entries: dict[int, ProgressInput] = {}
    for index, entry in enumerate(progress):
        goal = by_uuid.get(str(entry.goal).strip().lower())
        if goal is None:
            raise ValidationFailed(
                "progress_unknown_goal",
                _("The progress names a goal that is not in this version of the plan."),
                field="progress",
                details={"index": index, "goal": str(entry.goal)},
            )
        if goal.pk in entries:
            raise ValidationFailed(
                "progress_duplicate",
                _("The progress on “%(goal)s” is given twice.") % {"goal": goal.text},
                field="progress",
                details={"index": index, "goal": str(goal.uuid)},
            )
        if entry.progress and entry.progress not in Progress.values:
            raise ValidationFailed(
                "invalid_progress",
                _("Unknown kind of progress."),
                field="progress",
                details={"index": index, "goal": str(goal.uuid), "progress": entry.progress},
            )
        if entry.progress:
            entries[goal.pk] = entry
    for goal in goals:
        if goal.pk not in entries:
            raise ValidationFailed(
                "progress_missing",
                _("Record the progress on the goal “%(goal)s”.") % {"goal": goal.text},
                field="progress",
                details={"goal": str(goal.uuid), "position": goal.position},
            )
    return entries


# --- reads the plan pages and the API share ---------------------------------------------------
# They belong in ..selectors (reads); kept next to the writes while selectors.py is being
# written by another hand. Each is a fixed number of queries whatever the plan's length.


def plan_queryset() -> QuerySet[Plan]:
    """Plans with everything a plan page shows: goals, evaluations with their progress."""
    return Plan.objects.select_related(
        "episode", "episode__organisation", "made_by", "coordinator"
    ).prefetch_related(
        Prefetch("goals", queryset=Goal.objects.order_by("position", "id")),
        Prefetch(
            "evaluations",
            queryset=Evaluation.objects.select_related("evaluated_by").prefetch_related(
                Prefetch(
                    "progress",
                    queryset=GoalProgress.objects.select_related("goal").order_by(
                        "goal__position", "goal__id"
                    ),
                )
            ),
        ),
    )


def plan_versions(episode: Episode) -> list[Plan]:
    """Every version of the episode's plan, newest first, with counts of goals and
    evaluations."""
    return list(
        Plan.objects.filter(episode=episode)
        .select_related("made_by")
        .annotate(
            goal_count=Count("goals", distinct=True),
            evaluation_count=Count("evaluations", distinct=True),
        )
        .order_by("-version")
    )


def current_plan(episode: Episode) -> Plan | None:
    return plan_queryset().filter(episode=episode, is_current=True).first()
