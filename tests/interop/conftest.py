"""A Sønderborg client with a bit of everything the FHIR export carries, built through the
services where they exist and with the ORM for the doses (as the medication record tests
do), on the frozen clock (bedring.core.clock): the export's dose window ends at the
organisation's today."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bedring.accounts.models import Organisation, User
from bedring.clients import services as client_services
from bedring.clients.models import Client, Consent
from bedring.core import clock
from bedring.core.roles import Role
from bedring.health.models import Vaccination
from bedring.health.services import vaccination_record
from bedring.medication.models import Dispensing, DispensingKind, Prescription, UrineTest
from bedring.medication.services.records import urine_test_record
from bedring.pathway.models import Episode, Plan
from bedring.pathway.services.episode import episode_begin_assessment
from bedring.pathway.services.plan import GoalInput, plan_save
from tests.medication.records_fixtures import dispense, make_prescription, open_episode


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@dataclass
class Record:
    client: Client
    today: datetime.date
    episode: Episode
    plan: Plan
    prescription: Prescription
    supervised: Dispensing
    old_dose: Dispensing
    handover: uuid.UUID
    urine_test: UrineTest
    vaccination: Vaccination
    consent: Consent
    withdrawn_consent: Consent
    counsellor: User
    nurse: User
    doctor: User


def take_home(
    prescription: Prescription, first_day: datetime.date, count: int, *, actor: User
) -> uuid.UUID:
    """A take-home handover of ``count`` days from ``first_day``: one row per day, one
    handover id, as the dispensing service writes it."""
    version = prescription.versions.get(is_current=True)
    handover = uuid.uuid4()
    for offset in range(count):
        Dispensing.objects.create(
            client=prescription.client,
            prescription=prescription,
            version=version,
            organisation=prescription.organisation,
            site=version.site,
            day=first_day + days(offset),
            kind=DispensingKind.TAKE_HOME,
            quantity=version.daily_dose,
            handed_out_at=clock.now(),
            handed_out_by=actor,
            handover=handover,
        )
    return handover


def build_record(
    organisation: Organisation, make_staff: Callable[..., User], client: Client
) -> Record:
    counsellor = make_staff(organisation, Role.COUNSELLOR)
    nurse = make_staff(organisation, Role.NURSE)
    doctor = make_staff(organisation, Role.DOCTOR)
    today = clock.today(organisation)
    episode = open_episode(client, actor=counsellor)
    episode = episode_begin_assessment(episode=episode, actor=counsellor)
    plan = plan_save(
        episode=episode,
        actor=counsellor,
        agreed_on=today - days(1),
        aims=["reduce", "stabilise"],
        goals=[
            GoalInput(
                text="Drink no alcohol on weekdays",
                measure="Drinking diary",
                target="0 drinks Monday to Thursday",
                due_on=today + days(60),
                client_words="I want to be sober when I pick up my daughter",
            ),
            GoalInput(
                text="Apply for two jobs",
                measure="Applications sent",
                target="2 applications",
                due_on=today + days(120),
                short_term=False,
            ),
        ],
        client_words="My daughter's trust.",
        today=today,
    )
    prescription = make_prescription(client, prescriber=doctor)
    Prescription.objects.filter(pk=prescription.pk).update(episode=episode)
    prescription.versions.filter(is_current=True).update(
        supervised_weekdays=[0, 1, 2, 3, 4], take_home_weekdays=[5, 6], pickup_interval_days=3
    )
    supervised = dispense(prescription, today - days(2), actor=nurse)
    old_dose = dispense(prescription, today - days(200), actor=nurse)
    Dispensing.objects.filter(pk=old_dose.pk).update(handed_out_at=clock.now() - days(200))
    handover = take_home(prescription, today + days(1), 2, actor=nurse)
    urine_test = urine_test_record(
        client=client,
        actor=nurse,
        sampled_on=today - days(3),
        results={"opiates": "negative", "cocaine": "positive"},
        supervised=True,
        today=today,
    )
    vaccination = vaccination_record(
        client=client,
        actor=nurse,
        schedule="hepatitis_b",
        dose=1,
        given_on=today - days(5),
        batch="HB-4711",
    )
    consent = client_services.consent_add(
        client=client,
        party="gp",
        party_name="Dr. Hansen",
        scope="The treatment plan and the medication",
        valid_from=today - days(10),
        given_by="client",
    )
    withdrawn = client_services.consent_add(
        client=client,
        party="job_centre",
        scope="Attendance",
        valid_from=today - days(10),
        given_by="guardian",
        given_by_name="Grete Jensen",
    )
    withdrawn = client_services.consent_withdraw(consent=withdrawn, reason="Changed my mind")
    return Record(
        client=client,
        today=today,
        episode=episode,
        plan=plan,
        prescription=prescription,
        supervised=supervised,
        old_dose=old_dose,
        handover=handover,
        urine_test=urine_test,
        vaccination=vaccination,
        consent=consent,
        withdrawn_consent=withdrawn,
        counsellor=counsellor,
        nurse=nurse,
        doctor=doctor,
    )


@pytest.fixture
def record(org_dk: Organisation, make_staff: Callable[..., User], make_client: Any) -> Record:
    client = make_client(
        org_dk,
        email="client@example.org",
        address="Perlegade 1",
        postal_code="6400",
        city="Sønderborg",
        language="da",
    )
    return build_record(org_dk, make_staff, client)
