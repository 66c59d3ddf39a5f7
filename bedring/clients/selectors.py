"""Reads about clients. Lists are always scoped to organisations the staff member may read."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from bedring.audit.selectors import recent_client_ids
from bedring.core.errors import ValidationFailed

from .identifiers import IdentifierError, identifier_query
from .models import ChildAtHome, Client, Consent, Relative


def client_search(*, organisation_ids: list[int], query: str = "") -> QuerySet[Client]:
    """INT-1: find a client by name, national identifier or client code.

    An identifier is matched as :func:`~.identifiers.normalise_identifier` stores it, so
    ``１６０６００-４１６４`` finds ``1606004164``; digits of another script are refused
    (ValidationFailed ``id_digit_script``, field ``q``) rather than finding nobody."""
    qs = Client.objects.filter(organisation_id__in=organisation_ids).select_related("organisation")
    query = query.replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if not query:
        return qs
    try:
        digits = identifier_query(query) or ""
    except IdentifierError as exc:
        raise ValidationFailed(exc.code, exc.message, field="q") from exc
    if len(digits) >= 10:  # a whole identifier: exact, by the index
        # At most one client per organisation: no name ordering, which would tempt a planner
        # without statistics into walking the name index instead.
        return qs.filter(national_id=digits).order_by("organisation_id")
    if len(digits) >= 6:  # a birth date: everyone born that day
        return qs.filter(national_id__startswith=digits)
    condition = Q(code__iexact=query)
    for word in query.split():
        condition |= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    words = query.split()
    if len(words) > 1:
        # "Anna Berg" matches first and last name together, not every Anna and every Berg.
        both = Q()
        for word in words:
            both &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        condition = Q(code__iexact=query) | both
    return qs.filter(condition)


@dataclass
class ClientOverview:
    client: Client
    relatives: list[Relative]
    consents: list[Consent]
    children: list[ChildAtHome]


def client_overview(client: Client) -> ClientOverview:
    """Three queries whatever the client's history: the client page's query count is bounded."""
    return ClientOverview(
        client=client,
        relatives=list(Relative.objects.filter(client=client, archived_at__isnull=True)),
        consents=list(Consent.objects.filter(client=client)),
        children=list(ChildAtHome.objects.filter(client=client, archived_at__isnull=True)),
    )


RECENT_CLIENTS = 10


def recent_clients(*, actor_id: int, organisation_id: int) -> list[Client]:
    """The clients this staff member opened most recently in the organisation, most recent
    first, at most RECENT_CLIENTS (two queries): the client list's start page."""
    ids = recent_client_ids(
        actor_id=actor_id, organisation_id=organisation_id, limit=RECENT_CLIENTS
    )
    found = Client.objects.filter(pk__in=ids, organisation_id=organisation_id).in_bulk()
    return [found[pk] for pk in ids if pk in found]
