"""Reads of the outbox (APT-3)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from bedring.clients.models import Client

from .models import Message, MessageStatus

# What staff act on: failed messages (call the client instead, fix the number, try again) and
# what is still to go. Sent and cancelled messages are history, shown on the client's page.
OUTBOX_STATUSES = (MessageStatus.FAILED, MessageStatus.QUEUED)


def outbox(*, organisation_id: int, status: str) -> QuerySet[Message]:
    """The organisation's failed (latest first) or queued (next first) messages, each with
    its client: one query per page whatever the history."""
    rows = Message.objects.filter(organisation_id=organisation_id, status=status).select_related(
        "client", "client__organisation"
    )
    if status == MessageStatus.QUEUED:
        return rows.order_by("next_attempt_at", "id")
    return rows.order_by("-updated_at", "-id")


def outbox_counts(*, organisation_id: int) -> dict[str, int]:
    """The number of messages per outbox status, in one query."""
    counts = {status.value: 0 for status in OUTBOX_STATUSES}
    rows = (
        Message.objects.filter(organisation_id=organisation_id, status__in=OUTBOX_STATUSES)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def client_messages(client: Client, limit: int = 20) -> list[Message]:
    """The client's latest messages, whatever their status."""
    return list(Message.objects.filter(client=client).order_by("-created_at", "-id")[:limit])


def client_failed_count(client: Client) -> int:
    return Message.objects.filter(client=client, status=MessageStatus.FAILED).count()
