"""Who is an outreach client, for the no-show flag's threshold (``bedring.clients.no_show``,
seed 001 line 5 "fleksible rammer"). Registered as the clients' port's reader in
``OutreachConfig.ready``: appointments and the catalogue ask through the port and import
nothing of outreach.

An **outreach client** of an organisation, at a moment: a client with an outreach contact
there in the 90 days up to that moment (under their name, or under a code that became
them), or a client who came to the record from a code (``Pseudonym.client``): a person the
outreach work brought in stays in the model's target group. 90 days is an assumption (the
seed gives no time): a quarter, the unit of the model's evaluation.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection

from .models import OutreachContact, Pseudonym

OUTREACH_CLIENT_DAYS = 90


def outreach_clients(
    organisation_id: int, client_ids: Collection[int], at: datetime.datetime
) -> set[int]:
    """The ids among ``client_ids`` that are outreach clients at ``at``: one query."""
    since = at - datetime.timedelta(days=OUTREACH_CLIENT_DAYS)
    met = (
        OutreachContact.objects.filter(
            organisation_id=organisation_id,
            client_id__in=list(client_ids),
            at__gte=since,
            at__lte=at,
        )
        .order_by()
        .values_list("client_id", flat=True)
    )
    from_a_code = (
        Pseudonym.objects.filter(organisation_id=organisation_id, client_id__in=list(client_ids))
        .order_by()
        .values_list("client_id", flat=True)
    )
    return {pk for pk in met.union(from_a_code) if pk is not None}
