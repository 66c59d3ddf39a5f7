"""Reading the logs about one client: who accessed the record, and what was changed."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from bedring.clients.models import Client

from .models import AccessEvent


def client_access_events(client: Client) -> QuerySet[AccessEvent]:
    return AccessEvent.objects.filter(client=client).select_related("actor").order_by("-at", "-id")


def client_changes(client: Client) -> QuerySet[LogEntry]:
    """Changes to the client and to every record that belongs to the client (relatives,
    consents, children and, later, the clinical records), newest first."""
    client_type = ContentType.objects.get_for_model(Client)
    return (
        LogEntry.objects.filter(
            Q(content_type=client_type, object_pk=str(client.pk))
            | Q(additional_data__client_id=client.pk)
        )
        .exclude(action=LogEntry.Action.ACCESS)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-id")
    )
