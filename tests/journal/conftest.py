"""Journal fixtures: a Sønderborg client with an episode and a plan of two goals, staff of the
roles that write and read notes (a counsellor, a psychologist, a doctor, a nurse), and
helpers that write notes through the services, on the frozen clock."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bedring.accounts.models import Organisation, User
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.roles import Role
from bedring.journal import services
from bedring.journal.models import Note
from bedring.pathway.models import Episode, Goal
from bedring.pathway.services.episode import episode_begin_assessment
from bedring.pathway.services.plan import GoalInput, plan_save
from tests.medication.records_fixtures import open_episode


@dataclass
class World:
    organisation: Organisation
    client: Client
    episode: Episode
    goals: list[Goal]
    counsellor: User
    psychologist: User
    doctor: User
    nurse: User


def with_plan(client: Client, actor: User) -> tuple[Episode, list[Goal]]:
    episode = open_episode(client, actor=actor)
    episode = episode_begin_assessment(episode=episode, actor=actor)
    today = clock.today(client.organisation)
    plan = plan_save(
        episode=episode,
        actor=actor,
        agreed_on=today - datetime.timedelta(days=1),
        aims=["reduce"],
        goals=[
            GoalInput(
                text="Fewer days of use",
                measure="Days a week",
                target="At most two",
                due_on=today + datetime.timedelta(days=60),
            ),
            GoalInput(
                text="Keep the job",
                measure="Days at work",
                target="Every weekday",
                due_on=today + datetime.timedelta(days=90),
            ),
        ],
        client_words="I want to keep my job.",
        today=today,
    )
    return episode, list(plan.goals.order_by("position", "id"))


@pytest.fixture
def world(org_dk: Organisation, make_staff: Callable[..., User], make_client: Any) -> World:
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    client = make_client(org_dk)
    episode, goals = with_plan(client, counsellor)
    return World(
        organisation=org_dk,
        client=client,
        episode=episode,
        goals=goals,
        counsellor=counsellor,
        psychologist=make_staff(org_dk, Role.PSYCHOLOGIST),
        doctor=make_staff(org_dk, Role.DOCTOR),
        nurse=make_staff(org_dk, Role.NURSE),
    )


def an_hour_ago() -> datetime.datetime:
    return clock.now() - datetime.timedelta(hours=1)


def draft(client: Client, author: User, **overrides: Any) -> Note:
    data: dict[str, Any] = {
        "contact_type": "conversation",
        "contact_at": an_hour_ago(),
        "text": "We talked about the week.",
    }
    data.update(overrides)
    return services.note_draft_create(client=client, actor=author, **data)


def signed(client: Client, author: User, **overrides: Any) -> Note:
    return services.note_sign(note=draft(client, author, **overrides), actor=author)
