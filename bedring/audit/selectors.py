"""Reading the logs about one client: who accessed the record, and what was changed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditlog.models import LogEntry
from django.db import models
from django.db.models import QuerySet

from .models import AccessEvent
from .wording import listing_views

if TYPE_CHECKING:  # audit rows point to clients by app label; only the type is imported
    from bedring.clients.models import Client


class ChangeLogClient(models.Func):
    """``additional_data.client_id`` of a change-log entry as text, spelled exactly as the
    expression index of audit migration 0003, so that the database uses that index."""

    output_field = models.CharField()

    def __init__(self) -> None:
        super().__init__(models.F("additional_data"))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="JSON_EXTRACT(%(expressions)s, '$.\"client_id\"')"
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(%(expressions)s ->> 'client_id')")


def client_access_events(client: Client) -> QuerySet[AccessEvent]:
    return AccessEvent.objects.filter(client=client).select_related("actor").order_by("-at", "-id")


def client_changes(client: Client) -> QuerySet[LogEntry]:
    """Changes to the client and to every record that belongs to the client (relatives,
    consents, children and, later, the clinical records), newest first."""
    return (
        LogEntry.objects.annotate(client_key=ChangeLogClient())
        .filter(client_key=str(client.pk))
        .exclude(action=LogEntry.Action.ACCESS)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-id")
    )


def recent_client_ids(*, actor_id: int, organisation_id: int, limit: int = 10) -> list[int]:
    """The clients ``actor_id`` opened in the organisation, the most recently opened first
    (one query). Being seen in a list (search results, a worklist) is not opening."""
    rows = (
        AccessEvent.objects.filter(actor_id=actor_id, organisation_id=organisation_id)
        .exclude(view__in=listing_views())
        .values("client_id")
        .annotate(last=models.Max("at"))
        .order_by("-last", "-client_id")[:limit]
    )
    return [row["client_id"] for row in rows]
