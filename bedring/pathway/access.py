"""Permission-checked getters for episodes: the same rules as for clients (404 for another
organisation, 403 without the permission), and every read is logged on the client."""

from __future__ import annotations

import uuid as uuid_lib

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest

from bedring.accounts.access import Staff
from bedring.audit.services import access_record
from bedring.core.roles import Perm

from .models import Episode


def episode_for(
    request: HttpRequest,
    staff: Staff,
    episode_uuid: uuid_lib.UUID | str,
    *,
    view: str,
    perm: Perm = Perm.CLIENT_READ,
    channel: str = "html",
) -> Episode:
    try:
        episode = Episode.objects.select_related(
            "organisation", "client", "client__organisation", "site", "responsible"
        ).get(uuid=episode_uuid, organisation_id__in=list(staff.memberships))
    except (Episode.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc
    if not staff.can(perm, episode.organisation_id):
        raise PermissionDenied
    access_record(
        actor=staff.user, client=episode.client, view=view, channel=channel, request=request
    )
    return episode
