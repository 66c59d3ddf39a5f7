"""Referral reads (REF-1): a client's referrals in a fixed number of queries, whatever their
number; one referral with its history and what was sent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, Prefetch, QuerySet

from bedring.accounts.models import Organisation
from bedring.clients.models import Client
from bedring.documents.models import Document
from bedring.pathway.models import Deadline, Episode
from bedring.pathway.models.episode import DeadlineKind, DeadlineStatus

from .models import IncomingReferral, Partner, Referral, ReferralEvent

# The Referrals tab shows the latest this many of each list.
RECENT = 50

M = TypeVar("M", bound=Model)


@dataclass
class Latest(Generic[M]):
    rows: list[M]
    total: int

    @property
    def more(self) -> bool:
        return self.total > len(self.rows)


def _latest(rows: QuerySet[M]) -> Latest[M]:
    found = list(rows[:RECENT])
    total = len(found) if len(found) < RECENT else rows.count()
    return Latest(rows=found, total=total)


def partners(organisation: Organisation) -> QuerySet[Partner]:
    """The organisation's registry: its active partners, by kind and name."""
    return Partner.objects.filter(organisation=organisation, is_active=True).order_by(
        "kind", "name"
    )


def client_referrals(client: Client) -> QuerySet[Referral]:
    """The client's referrals out, latest first."""
    return (
        Referral.objects.filter(client=client)
        .select_related("partner", "consent")
        .order_by("-created_at", "-id")
    )


def client_incoming(client: Client) -> QuerySet[IncomingReferral]:
    """The client's referrals in, latest first."""
    return (
        IncomingReferral.objects.filter(client=client)
        .select_related("letter", "episode", "recorded_by")
        .order_by("-received_at", "-id")
    )


def referrals_tab(client: Client) -> tuple[Latest[Referral], Latest[IncomingReferral]]:
    """The Referrals tab: the latest referrals out and in, two to four queries."""
    return _latest(client_referrals(client)), _latest(client_incoming(client))


def with_details(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """Referrals with what was sent (its documents, not discarded) and its history: two
    more queries whatever their number."""
    return referrals.prefetch_related(
        Prefetch(
            "documents",
            queryset=Document.objects.filter(discarded_at__isnull=True).order_by("-dated_on"),
        ),
        Prefetch("events", queryset=ReferralEvent.objects.select_related("actor")),
    )


def referral_deadlines(referral: Referral) -> list[Deadline]:
    """The worklist rows of a referral: its reply and (NO) rights-assessment deadlines."""
    return list(
        Deadline.objects.filter(
            client_id=referral.client_id,
            subject_id=referral.pk,
            kind__in=[DeadlineKind.REFERRAL_REPLY, DeadlineKind.RIGHTS_ASSESSMENT],
        ).order_by("due_on", "id")
    )


def first_open_deadline(episode: Episode) -> Deadline | None:
    return (
        Deadline.objects.filter(episode=episode, status=DeadlineStatus.OPEN)
        .order_by("due_on", "id")
        .first()
    )
