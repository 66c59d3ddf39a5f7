"""Pathway fixtures: an episode opened by a real inquiry in each jurisdiction, and the roles
that act on it. Build further state through the services, as staff would."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bedring.accounts.models import Organisation, User
from bedring.clients.models import Client
from bedring.core.roles import Role
from bedring.pathway.models import Episode
from bedring.pathway.services.episode import inquiry_register
from tests.conftest import TODAY


def at(
    organisation: Organisation, year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> datetime.datetime:
    """A moment in the organisation's own time zone: at(org, 2026, 11, 23, 10, 0)."""
    zone = ZoneInfo(organisation.time_zone)
    return datetime.datetime(year, month, day, hour, minute, tzinfo=zone)


def days_ago(organisation: Organisation, days: int, hour: int = 10) -> datetime.datetime:
    """A moment ``days`` before the suite's declared day, in the organisation's time zone."""
    day = TODAY - datetime.timedelta(days=days)
    return at(organisation, day.year, day.month, day.day, hour)


@pytest.fixture
def open_episode(make_staff: Callable[..., User]) -> Callable[..., Episode]:
    """open_episode(client, received_at=None, channel="phone", actor=None, **kwargs)."""

    def make(
        client: Client, received_at: datetime.datetime | None = None, **kwargs: Any
    ) -> Episode:
        organisation = client.organisation
        actor = kwargs.pop("actor", None) or make_staff(organisation, Role.COUNSELLOR)
        inquiry = inquiry_register(
            organisation=organisation,
            site=organisation.sites.filter(kind="main").first() or organisation.sites.first(),
            actor=actor,
            channel=kwargs.pop("channel", "phone"),
            referrer=kwargs.pop("referrer", "self"),
            received_at=received_at or at(organisation, 2026, 11, 17, 10, 0),
            client=client,
            **kwargs,
        )
        assert inquiry.episode is not None
        return inquiry.episode

    return make


@pytest.fixture
def dk_episode(dk_client: Client, open_episode: Callable[..., Episode]) -> Episode:
    return open_episode(dk_client)


@pytest.fixture
def authority(org_dk: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(org_dk, Role.AUTHORITY)


@pytest.fixture
def doctor(org_dk: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(org_dk, Role.DOCTOR)
