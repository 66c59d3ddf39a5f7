"""The demo's reminder preferences (APT-3): a few clients of each organisation agree to
appointment reminders, by SMS or e-mail, mostly under the neutral name, so reminders appear in
the outbox when their appointments are booked. Numbers are the synthetic people's (ranges not
assigned to subscribers), addresses are at example.org; the demo's providers print them."""

from __future__ import annotations

import random
import unicodedata

from bedring.accounts.models import Organisation, User
from bedring.clients.models import Client
from bedring.core import clock
from bedring.messaging import services as messaging_services

DEMO_REMINDER_CLIENTS = 6


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("æ", "ae"))
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum()).lower() or "client"


def demo_email(client: Client) -> str:
    name = f"{_ascii(client.first_name)}.{_ascii(client.last_name)}"
    return f"{name}.{client.code.lower()}@example.org"


def demo_reminder_preferences(organisation: Organisation, rng: random.Random) -> None:
    """The first clients of the organisation (those the demo's pathways start with) agree to
    reminders; a second load changes nothing."""
    clients = Client.objects.filter(organisation=organisation, archived_at__isnull=True)
    if clients.filter(reminder_consent=True).exists():
        return
    counsellor = User.objects.get(username=f"{organisation.slug}.counsellor")
    at = clock.now()
    for i, client in enumerate(clients.order_by("id")[:DEMO_REMINDER_CLIENTS]):
        channel = "sms" if i % 2 == 0 else "email"
        messaging_services.contact_preferences_save(
            client=client,
            actor=counsellor,
            at=at,
            phone=client.phone,
            email=demo_email(client),
            reminder_consent=True,
            reminder_channel=channel,
            reminder_label="service" if i == DEMO_REMINDER_CLIENTS - 1 else "neutral",
        )
    # One client said no: the answer is recorded too.
    last = clients.order_by("id")[DEMO_REMINDER_CLIENTS : DEMO_REMINDER_CLIENTS + 1].first()
    if last is not None:
        messaging_services.contact_preferences_save(
            client=last,
            actor=counsellor,
            at=at,
            phone=last.phone,
            email="",
            reminder_consent=False,
            reminder_channel=rng.choice(["", "sms"]),
            reminder_label="neutral",
        )
