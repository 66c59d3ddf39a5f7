"""The timeline and the deadlines of an episode, written by every service that acts on one:
the pathway's own steps and the domains built on it (health, medication, catalogue). Low on
purpose: it imports only the pathway's models, its pure deadline rules and the User type, so
that any domain can write its events without importing the pathway's services.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from bedring.accounts.models import User

from .deadlines import DeadlineSpec
from .models import Deadline, Episode, EpisodeEvent
from .models.episode import DeadlineStatus


def record_event(
    *,
    episode: Episode,
    actor: User | None,
    kind: str,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> EpisodeEvent:
    return EpisodeEvent.objects.create(
        episode=episode,
        client_id=episode.client_id,
        actor=actor,
        kind=kind,
        summary=summary[:300],
        data=data or {},
    )


def deadline_open(
    *, episode: Episode, spec: DeadlineSpec, subject_id: int | None = None
) -> Deadline:
    return Deadline.objects.create(
        episode=episode,
        client_id=episode.client_id,
        organisation_id=episode.organisation_id,
        site_id=episode.site_id,
        responsible=episode.responsible,
        kind=spec.kind,
        due_on=spec.due_on,
        basis=spec.basis,
        subject_id=subject_id,
    )


def deadlines_close(
    *,
    episode: Episode,
    kinds: Iterable[str],
    on: datetime.date,
    subject_id: int | None = None,
    status: str | None = None,
    note: str = "",
) -> list[Deadline]:
    """Close the open deadlines of these kinds: met if on time, "met late" if not, or the
    given status (waived, cancelled)."""
    open_ones = Deadline.objects.select_for_update(of=("self",)).filter(
        episode=episode, kind__in=list(kinds), status=DeadlineStatus.OPEN
    )
    if subject_id is not None:
        open_ones = open_ones.filter(subject_id=subject_id)
    closed = []
    for deadline in open_ones:
        deadline.status = status or (
            DeadlineStatus.MET if on <= deadline.due_on else DeadlineStatus.MISSED
        )
        deadline.closed_on = on
        deadline.note = note[:300]
        deadline.save(update_fields=["status", "closed_on", "note", "updated_at"])
        closed.append(deadline)
    return closed
