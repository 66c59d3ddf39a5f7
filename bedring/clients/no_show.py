"""How many no-shows in a row flag a client (SCH-2 for sessions, APT-1 for appointments).

Ordinarily the rule pack's ``no_show_flag_after``. The national outreach model asks for a
flexible frame for its target group (seed 001 line 5, "et opsøgende og udgående
behandlingstilbud med fleksible rammer"; line 21, "større rummelighed og fleksibilitet i
rammerne for benyttelse af eksisterende tilbud"), so an organisation's pack may set
``outreach_no_show_flag_after`` for **outreach clients**: a number (flagged after that many
instead) or ``"never"`` (not flagged; the threshold is then None). Without the rule an
outreach client is flagged as everyone else.

Which clients are outreach clients is the outreach package's to say, and it is a layer above
the appointments and the catalogue that ask. Like :mod:`bedring.pathway.offers`, this low
module declares the port: ``bedring.outreach`` registers its reader when the apps are ready
(``OutreachConfig.ready``); appointments, the catalogue's attendance and the client pages ask
:func:`no_show_threshold` / :func:`no_show_thresholds` and import nothing of outreach. The
reader is asked only when the organisation's pack sets the rule, so everyone else pays no
query for it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection

from bedring.accounts.models import Organisation
from bedring.accounts.selectors import rules_for
from bedring.core import clock

from .models import Client

# (organisation id, client ids, at) -> the ids among them that are outreach clients at ``at``.
OutreachClientsReader = Callable[[int, Collection[int], datetime.datetime], set[int]]
_reader: OutreachClientsReader | None = None


def register_outreach_clients(reader: OutreachClientsReader) -> None:
    """Called from ``OutreachConfig.ready``; registering again replaces the reader."""
    global _reader
    _reader = reader


def no_show_thresholds(
    organisation: Organisation,
    client_ids: Collection[int],
    *,
    at: datetime.datetime | None = None,
) -> dict[int, int | None]:
    """The threshold of each client (by id) of ``organisation``; None: never flagged. At most
    one query (the outreach reader's), none when the pack has no outreach rule."""
    pack = rules_for(organisation)
    ordinary = pack.no_show_flag_after
    relaxed = pack.outreach_no_show_flag_after
    ids = set(client_ids)
    if relaxed is None or _reader is None or not ids:
        return dict.fromkeys(ids, ordinary)
    outreach = _reader(organisation.pk, ids, at or clock.now())
    special = None if relaxed == "never" else relaxed
    return {pk: (special if pk in outreach else ordinary) for pk in ids}


def no_show_threshold(client: Client, *, at: datetime.datetime | None = None) -> int | None:
    """The client's threshold; None: the client is never flagged."""
    return no_show_thresholds(client.organisation, [client.pk], at=at)[client.pk]
