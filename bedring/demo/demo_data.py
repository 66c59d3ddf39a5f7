"""The demo installation: every service pack, staff of every role, synthetic clients."""

from __future__ import annotations

import datetime
import random

from auditlog.context import disable_auditlog
from django.db import transaction

from bedring.accounts import services as account_services
from bedring.accounts.models import Organisation, Team, User
from bedring.accounts.roles import Role
from bedring.clients import services as client_services
from bedring.clients.synthetic import synthetic_person
from bedring.rules.loader import available_packs, load_pack

DEMO_PASSWORD = "bedring-demo-2026"  # noqa: S105 - printed by make run, demo installs only
DEMO_CLIENTS_PER_ORGANISATION = 60
# One login per role and organisation: <organisation slug>.<role>, e.g. sonderborg.counsellor.
STAFF_NAMES = [
    ("Alex", "Holm"),
    ("Sam", "Lund"),
    ("Robin", "Dahl"),
    ("Kim", "Berg"),
    ("Noa", "Vik"),
    ("Eli", "Strand"),
    ("Mika", "Aas"),
    ("Jo", "Moe"),
    ("Toni", "Bakke"),
    ("Ulrik", "Hav"),
    ("Vera", "Lie"),
    ("Wim", "Claes"),
    ("Yara", "Dam"),
]


def demo_is_loaded() -> bool:
    return Organisation.objects.exists()


@transaction.atomic
def load_demo(
    *, clients_per_organisation: int = DEMO_CLIENTS_PER_ORGANISATION, seed: int = 2026
) -> None:
    rng = random.Random(seed)
    today = datetime.date.today()  # noqa: DTZ011 - synthetic birth dates only
    organisations = [load_pack(name) for name in available_packs()]
    manager = User.objects.filter(username="demo.manager").first()
    if manager is None:
        manager = User(username="demo.manager", first_name="Dana", last_name="Demo")
        manager.set_password(DEMO_PASSWORD)
        manager.save()
    for organisation in organisations:
        team, _created = Team.objects.get_or_create(organisation=organisation, name="Team 1")
        account_services.membership_add(
            user=manager, organisation=organisation, roles=[Role.MANAGER, Role.COUNSELLOR]
        )
        for i, role in enumerate(Role.values):
            username = f"{organisation.slug}.{role}"
            if User.objects.filter(username=username).exists():
                continue
            first, last = STAFF_NAMES[i % len(STAFF_NAMES)]
            account_services.staff_create(
                username=username,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                organisation=organisation,
                roles=[role],
                team=team,
            )
        taken = set(organisation.clients.values_list("national_id", flat=True))
        missing = clients_per_organisation - len(taken)
        # Synthetic registrations are bulk set-up, not staff actions: no change-log rows.
        with disable_auditlog():
            while missing > 0:
                person = synthetic_person(organisation.jurisdiction, rng, today=today)
                if person.national_id in taken:
                    continue  # a second load with more clients meets the first load's people
                taken.add(person.national_id)
                missing -= 1
                client_services.client_register(
                    organisation=organisation,
                    national_id=person.national_id,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    phone=person.phone,
                    address=person.address,
                    postal_code=person.postal_code,
                    city=person.city,
                    today=today,
                )
