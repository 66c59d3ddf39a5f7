"""A few journal notes for the demo installation (JRN-1, JRN-2), through the services, so the
Journal tab has signed notes, a draft, a correction with its reason and a restricted
psychologist's note. Synthetic text only; deterministic for a given ``rng``."""

from __future__ import annotations

import datetime
import random
from zoneinfo import ZoneInfo

from bedring.accounts.models import Organisation, User
from bedring.journal import services
from bedring.journal.models import Note

DEMO_JOURNAL_CLIENTS = 4
CONVERSATIONS = [
    "Demo: talked about the week; fewer days of use, more sleep. Next talk in a week.",
    "Demo: phoned to move Thursday's talk to Friday at 10.",
    "Demo: home visit; the flat is tidy, the fridge is stocked. Agreed on a budget plan.",
    "Demo: took part in the group; spoke about triggers at weekends.",
]


def demo_journal(organisation: Organisation, rng: random.Random, *, today: datetime.date) -> None:
    """Signed notes for a few demo clients with an episode, one corrected, one draft, and a
    restricted psychologist's note. Nothing when the organisation has notes already, so a
    second load adds nothing."""
    if Note.objects.filter(client__organisation=organisation).exists():
        return
    clients = list(
        organisation.clients.filter(episodes__isnull=False)
        .distinct()
        .order_by("id")[:DEMO_JOURNAL_CLIENTS]
    )
    if not clients:
        return
    counsellor = User.objects.get(username=f"{organisation.slug}.counsellor")
    psychologist = User.objects.get(username=f"{organisation.slug}.psychologist")
    zone = ZoneInfo(organisation.time_zone)

    def days_ago(days: int) -> datetime.datetime:
        day = today - datetime.timedelta(days=days)
        return datetime.datetime.combine(day, datetime.time(rng.choice([9, 10, 13, 14])), zone)

    kinds = ["conversation", "phone", "home_visit", "group_session"]
    for i, client in enumerate(clients):
        episode = client.episodes.order_by("-opened_on").first()
        notes = []
        for n, (kind, text) in enumerate(zip(kinds, CONVERSATIONS, strict=True)):
            note = services.note_draft_create(
                client=client,
                actor=counsellor,
                contact_type=kind,
                contact_at=days_ago(2 + 3 * n + i),
                text=text,
                episode=episode,
            )
            notes.append(services.note_sign(note=note, actor=counsellor))
        if i == 0:
            services.note_correct(
                note=notes[1],
                actor=counsellor,
                text="Demo: phoned to move Thursday's talk to Friday at 11.",
                reason="Demo: the time was wrong in the first version (11, not 10).",
            )
            restricted = services.note_draft_create(
                client=client,
                actor=psychologist,
                contact_type="conversation",
                contact_at=days_ago(1),
                text="Demo: psychologist's conversation; anxiety at night, sleep diary agreed.",
                episode=episode,
                restricted=True,
            )
            services.note_sign(note=restricted, actor=psychologist)
        if i == 1:
            services.note_draft_create(
                client=client,
                actor=counsellor,
                contact_type="conversation",
                contact_at=days_ago(1),
                text="Demo: a draft not signed yet.",
                episode=episode,
            )
