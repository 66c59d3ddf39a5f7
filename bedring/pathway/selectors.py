"""Reads of the pathway: the episode page, the worklists, the timeline. Each issues a fixed
number of queries whatever the length of the client's history."""

from __future__ import annotations

import datetime
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
from .models.episode import DeadlineStatus
from .states import OPEN_STATES

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
