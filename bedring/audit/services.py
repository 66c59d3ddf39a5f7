"""Writing the access log. Called by the permission-checked client getters, never by views."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.http import HttpRequest

from bedring.accounts.models import User

from .models import AccessEvent

if TYPE_CHECKING:  # audit rows point to clients by app label; only the type is imported
    from bedring.clients.models import Client


def access_record(
    *, actor: User, client: Client, view: str, channel: str, request: HttpRequest | None = None
) -> AccessEvent:
    """PRV-1: every read of a client record is logged with who, when, which client and view."""
    remote_addr = request.META.get("REMOTE_ADDR") if request is not None else None
    return AccessEvent.objects.create(
        actor=actor,
        organisation_id=client.organisation_id,
        client=client,
        view=view,
        channel=channel,
        remote_addr=remote_addr or None,
    )


def access_search_results(
    *, actor: User, clients: Iterable[Client], view: str, channel: str, request: HttpRequest | None
) -> None:
    """PRV-1: a search result shows who is in treatment where; each listed client is logged
    as seen (one INSERT for the whole page)."""
    remote_addr = (request.META.get("REMOTE_ADDR") if request is not None else None) or None
    AccessEvent.objects.bulk_create(
        AccessEvent(
            actor=actor,
            organisation_id=client.organisation_id,
            client=client,
            view=view,
            channel=channel,
            remote_addr=remote_addr,
        )
        for client in clients
    )
