"""A little health data for the demo installation (HLT-1..4), through the services, so the
health tab and the worklist have something on them. Deterministic for a given ``rng``."""

from __future__ import annotations

import datetime
import random

from bedring.accounts.models import Organisation, User
from bedring.health import services
from bedring.health.models import Screening, Vaccination

DEMO_HEALTH_CLIENTS = 4


def demo_health(organisation: Organisation, rng: random.Random, *, today: datetime.date) -> None:
    """Screenings, a hepatitis B dose, NADA sessions and one pregnancy for a few of the demo
    clients with an episode. Nothing when the organisation has health records already, so a
    second load adds nothing."""
    clients = list(
        organisation.clients.filter(episodes__isnull=False)
        .distinct()
        .order_by("id")[:DEMO_HEALTH_CLIENTS]
    )
    if not clients:
        return
    if (
        Screening.objects.filter(client__organisation=organisation).exists()
        or Vaccination.objects.filter(client__organisation=organisation).exists()
    ):
        return
    nurse = User.objects.get(username=f"{organisation.slug}.nurse")

    def recently() -> datetime.date:
        # At least a day ago: the demo's "today" is the server's date, not the organisation's.
        return today - datetime.timedelta(days=rng.randint(1, 10))

    for i, client in enumerate(clients):
        on = recently()
        services.screening_record(
            client=client,
            actor=nurse,
            kind="hiv",
            offered_on=on,
            tested_on=on,
            result=rng.choice(["negative", "pending"]),
        )
        if i % 2 == 0:
            services.vaccination_record(
                client=client, actor=nurse, schedule="hepatitis_b", dose=1, given_on=recently()
            )
        services.health_contact_record(
            client=client, actor=nurse, kind="nada", on=recently(), note="Demo: NADA session."
        )
    woman = organisation.clients.filter(sex="female").order_by("id").first()
    if woman is not None:
        pregnancy = services.pregnancy_record(
            client=woman,
            actor=nurse,
            noted_on=today - datetime.timedelta(days=20),
            estimated_due_on=today + datetime.timedelta(days=rng.randint(90, 180)),
            note="Demo: pregnancy follow-up agreed with the client.",
        )
        services.pregnancy_follow_up_record(
            pregnancy=pregnancy, actor=nurse, kind="midwife", on=recently()
        )
        services.pregnancy_follow_up_record(
            pregnancy=pregnancy, actor=nurse, kind="cooperation", partner="gp", on=recently()
        )
