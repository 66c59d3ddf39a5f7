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
        with disable_auditlog():
            demo_pathways(organisation, rng, today=today)


DEMO_EPISODES_PER_ORGANISATION = 12


def demo_pathways(organisation: Organisation, rng: random.Random, *, today: datetime.date) -> None:
    """A dozen clients in every stage of the pathway, so the worklists have something on them:
    inquiries of the last weeks (some overdue), assessments, decisions and active treatment
    with a plan. Only clients without an episode are used, so a second load adds nothing."""
    from zoneinfo import ZoneInfo

    from bedring.pathway.models import Episode
    from bedring.pathway.services import decision as decisions
    from bedring.pathway.services import episode as episodes
    from bedring.pathway.services import plan as plans

    if Episode.objects.filter(organisation=organisation).exists():
        return
    counsellor = User.objects.get(username=f"{organisation.slug}.counsellor")
    authority = User.objects.get(username=f"{organisation.slug}.authority")
    site = organisation.sites.filter(kind="main").first() or organisation.sites.first()
    assert site is not None  # noqa: S101 - every pack has a site
    zone = ZoneInfo(organisation.time_zone)
    clients = list(organisation.clients.order_by("id")[:DEMO_EPISODES_PER_ORGANISATION])
    for i, client in enumerate(clients):
        received = today - datetime.timedelta(days=rng.randint(1, 40))
        hour = rng.choice([9, 10, 11, 13, 14, 17, 20])
        inquiry = episodes.inquiry_register(
            organisation=organisation,
            site=site,
            actor=counsellor,
            channel=rng.choice(["phone", "in_person", "email", "referral"]),
            referrer=rng.choice(["self", "gp", "job_centre", "relative", "hospital"]),
            received_at=datetime.datetime.combine(received, datetime.time(hour), tzinfo=zone),
            client=client,
            assign_to=counsellor,
        )
        episode = inquiry.episode
        assert episode is not None  # noqa: S101 - a client's inquiry opens an episode
        stage = i % 4  # 0 inquiry, 1 assessment, 2 decided, 3 active with a plan
        if stage >= 1:
            episodes.episode_begin_assessment(episode=episode, actor=counsellor)
        if stage >= 2:
            decisions.decision_make(
                episode=episode,
                actor=authority,
                kind="treatment",
                outcome="granted",
                justification="Demo: outpatient treatment matches the assessment.",
                decided_on=received,
            )
        if stage == 3:
            plans.plan_save(
                episode=episode,
                actor=counsellor,
                agreed_on=received,
                aims=["reduce"],
                client_words="Demo: I want to keep my job and see my children.",
                goals=[
                    plans.GoalInput(
                        text="Fewer days of use",
                        measure="Days of use a week, from the diary",
                        target="At most two days a week",
                        due_on=received + datetime.timedelta(days=90),
                    )
                ],
                today=today,
            )
            episodes.episode_start_treatment(episode=episode, actor=counsellor, on=received)
