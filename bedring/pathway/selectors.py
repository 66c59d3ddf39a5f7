"""Reads of the pathway: the episode page, the worklists, the timeline. Each issues a fixed
number of queries whatever the length of the client's history."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from bedring.accounts.models import Membership, User
from bedring.clients.models import Client

from .models import (
    Assessment,
    ChildNotification,
    Complaint,
    Deadline,
    Decision,
    Episode,
    EpisodeEvent,
    Evaluation,
    Goal,
    GoalProgress,
    Inquiry,
    Plan,
)
from .models.episode import DeadlineKind, DeadlineStatus
from .states import (
    OPEN_STATES,
    STEPS,
    EpisodeFacts,
    NextSteps,
    Step,
    assessment_status,
    next_steps,
    treatment_decision,
)

TIMELINE_LIMIT = 200
DUE_SOON_DAYS = 3


@dataclass
class EpisodePage:
    episode: Episode
    inquiry: Inquiry | None
    deadlines: list[Deadline]
    events: list[EpisodeEvent]
    assessments: list[Assessment]
    decisions: list[Decision]
    plan: Plan | None
    plan_versions: int
    notifications: list[ChildNotification]
    # DEC-2: complaints about no decision (a start later than the guarantee, seed 002 §12).
    complaints: list[Complaint]


def episode_page(episode: Episode) -> EpisodePage:
    plans = list(
        Plan.objects.filter(episode=episode, is_current=True)
        .select_related("made_by", "coordinator")
        .prefetch_related(
            Prefetch("goals", queryset=Goal.objects.order_by("position", "id")),
            Prefetch(
                "evaluations",
                queryset=Evaluation.objects.select_related("evaluated_by").prefetch_related(
                    Prefetch("progress", queryset=GoalProgress.objects.select_related("goal"))
                ),
            ),
        )
    )
    return EpisodePage(
        episode=episode,
        inquiry=Inquiry.objects.filter(episode=episode)
        .select_related("site", "received_by")
        .first(),
        deadlines=list(Deadline.objects.filter(episode=episode).select_related("responsible")),
        events=list(
            EpisodeEvent.objects.filter(episode=episode)
            .select_related("actor")
            .order_by("-at", "-id")[:TIMELINE_LIMIT]
        ),
        assessments=list(
            Assessment.objects.filter(episode=episode).select_related(
                "question_set", "counsellor", "doctor", "tdi"
            )
        ),
        decisions=list(
            Decision.objects.filter(episode=episode)
            .select_related("decided_by")
            .prefetch_related(
                Prefetch("complaints", queryset=Complaint.objects.select_related("received_by"))
            )
        ),
        plan=plans[0] if plans else None,
        plan_versions=Plan.objects.filter(episode=episode).count(),
        notifications=list(
            ChildNotification.objects.filter(episode=episode).select_related(
                "child", "noted_by", "notified_by"
            )
        ),
        complaints=list(
            Complaint.objects.filter(episode=episode, decision__isnull=True).select_related(
                "received_by"
            )
        ),
    )


def open_episode(client: Client) -> Episode | None:
    """The client's open episode, with its organisation; at most one is open per client (a
    constraint). The medication, health and catalogue records write on its timeline."""
    return (
        Episode.objects.filter(
            client=client, organisation_id=client.organisation_id, state__in=OPEN_STATES
        )
        .select_related("organisation")
        .first()
    )


def client_episodes(client_id: int) -> QuerySet[Episode]:
    return (
        Episode.objects.filter(client_id=client_id)
        .select_related("site", "responsible")
        .order_by("-opened_on", "-id")
    )


def client_timeline(client_id: int, limit: int = TIMELINE_LIMIT) -> list[EpisodeEvent]:
    return list(
        EpisodeEvent.objects.filter(client_id=client_id)
        .select_related("actor", "episode")
        .order_by("-at", "-id")[:limit]
    )


def team_member_ids(user: User, organisation_id: int) -> list[int]:
    membership = Membership.objects.filter(user=user, organisation_id=organisation_id).first()
    if membership is None or membership.team_id is None:
        return [user.pk]
    return list(
        Membership.objects.filter(team_id=membership.team_id, is_active=True).values_list(
            "user_id", flat=True
        )
    )


def open_deadlines(
    *,
    organisation_id: int,
    responsible_ids: list[int] | None = None,
    include_unassigned: bool = False,
    site_id: int | None = None,
) -> QuerySet[Deadline]:
    """The worklist: open deadlines, overdue first (earliest due date first)."""
    qs = Deadline.objects.filter(organisation_id=organisation_id, status=DeadlineStatus.OPEN)
    if responsible_ids is not None:
        who = Q(responsible_id__in=responsible_ids)
        if include_unassigned:
            who |= Q(responsible__isnull=True)
        qs = qs.filter(who)
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    return qs.select_related("client", "episode", "site", "responsible").order_by("due_on", "id")


def deadline_counts(qs: QuerySet[Deadline], today: datetime.date) -> dict[str, int]:
    """Overdue and due-soon counts for the dashboard, in one query."""
    return qs.aggregate(
        overdue=Count("id", filter=Q(due_on__lt=today)),
        due_soon=Count(
            "id",
            filter=Q(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)),
        ),
    )


# --- The next step (REF-2) -------------------------------------------------------------------

FIRST_CONTACT_KINDS = frozenset({DeadlineKind.FIRST_CONTACT, DeadlineKind.CALLBACK})


def in_force(decisions: Iterable[Decision]) -> list[Decision]:
    """The decisions no later decision of the list replaces."""
    decisions = list(decisions)
    replaced = {d.supersedes_id for d in decisions if d.supersedes_id is not None}
    return [d for d in decisions if d.pk not in replaced]


def facts_of(
    episode: Episode,
    *,
    open_kinds: Iterable[str],
    assessments_completed: Iterable[bool],
    decisions: Iterable[tuple[str, str]],
    has_plan: bool,
) -> EpisodeFacts:
    """What :func:`pathway.states.next_steps` reads, from what a page has loaded:
    the kinds of the episode's open deadlines, whether each assessment is completed, the
    (kind, outcome) of the decisions in force, and whether there is a plan."""
    kinds = set(open_kinds)
    return EpisodeFacts(
        state=episode.state,
        first_contact_made=episode.first_contact_at is not None,
        first_contact_due=bool(kinds & FIRST_CONTACT_KINDS),
        free_choice=bool(episode.free_choice_provider),
        assessment=assessment_status(assessments_completed),
        treatment_decision=treatment_decision(decisions),
        letter_unsent=DeadlineKind.DECISION_LETTER in kinds,
        complaint_open=DeadlineKind.COMPLAINT_REEVALUATION in kinds,
        has_plan=has_plan,
        follow_up_due=DeadlineKind.DISCHARGE_FOLLOW_UP in kinds,
    )


def page_facts(page: EpisodePage) -> EpisodeFacts:
    """The episode page's facts: no query beyond those of :func:`episode_page`."""
    return facts_of(
        page.episode,
        open_kinds=[d.kind for d in page.deadlines if d.status == DeadlineStatus.OPEN],
        assessments_completed=[a.completed_at is not None for a in page.assessments],
        decisions=[(d.kind, d.outcome) for d in in_force(page.decisions)],
        has_plan=page.plan is not None,
    )


@dataclass(frozen=True)
class EpisodeNext:
    """An episode with its next steps and the open deadlines they are due by."""

    episode: Episode
    facts: EpisodeFacts
    steps: NextSteps
    open_deadlines: list[Deadline]

    @property
    def due_on(self) -> datetime.date | None:
        """The primary step's due date: its deadline kinds' earliest open date."""
        if self.steps.primary is None:
            return None
        return step_due(self.steps.primary, self.open_deadlines)


def step_due(step: Step, open_deadlines: Iterable[Deadline]) -> datetime.date | None:
    kinds = STEPS[step].deadlines
    dates = [d.due_on for d in open_deadlines if d.kind in kinds]
    return min(dates) if dates else None


def episodes_next(episodes: Iterable[Episode]) -> list[EpisodeNext]:
    """The next steps of many episodes (a caseload) in four queries, however many."""
    episodes = list(episodes)
    ids = [e.pk for e in episodes]
    if not ids:
        return []
    deadlines: dict[int, list[Deadline]] = {i: [] for i in ids}
    for deadline in Deadline.objects.filter(episode_id__in=ids, status=DeadlineStatus.OPEN):
        deadlines[deadline.episode_id].append(deadline)
    completed: dict[int, list[bool]] = {i: [] for i in ids}
    for episode_id, completed_at in Assessment.objects.filter(episode_id__in=ids).values_list(
        "episode_id", "completed_at"
    ):
        completed[episode_id].append(completed_at is not None)
    decisions: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    for episode_id, kind, outcome in Decision.objects.filter(
        episode_id__in=ids, superseded_by__isnull=True
    ).values_list("episode_id", "kind", "outcome"):
        decisions[episode_id].append((kind, outcome))
    planned = set(
        Plan.objects.filter(episode_id__in=ids, is_current=True).values_list(
            "episode_id", flat=True
        )
    )
    result = []
    for episode in episodes:
        facts = facts_of(
            episode,
            open_kinds=[d.kind for d in deadlines[episode.pk]],
            assessments_completed=completed[episode.pk],
            decisions=decisions[episode.pk],
            has_plan=episode.pk in planned,
        )
        result.append(EpisodeNext(episode, facts, next_steps(facts), deadlines[episode.pk]))
    return result


def episode_next(episode: Episode) -> EpisodeNext:
    return episodes_next([episode])[0]
