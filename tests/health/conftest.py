"""Health fixtures: Assens (mandatory screenings) next to Sønderborg (none), staff who record,
clients of a known sex, and an episode opened by a real inquiry a few days ago."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bedring.accounts.models import Organisation, User
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.roles import Role
from bedring.pathway.models import Episode
from bedring.pathway.services.episode import inquiry_register
from tests.conftest import shipped_organisation


def days_ago(organisation: Organisation, days: int) -> datetime.date:
    """A day relative to the organisation's today (the tests run on the real clock)."""
    return clock.today(organisation) - datetime.timedelta(days=days)


@pytest.fixture
def assens(db: Any) -> Organisation:
    return shipped_organisation("assens")


@pytest.fixture
def nurse(org_dk: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(org_dk, Role.NURSE)


@pytest.fixture
def female(org_dk: Organisation, make_client: Callable[..., Client]) -> Client:
    return make_client(org_dk, sex="female", birth_date=None, national_id="")


@pytest.fixture
def open_episode(make_staff: Callable[..., User]) -> Callable[..., Episode]:
    """open_episode(client, days=3): an inquiry received ``days`` days ago at 10:00 local."""

    def make(client: Client, days: int = 3) -> Episode:
        organisation = client.organisation
        received = datetime.datetime.combine(
            days_ago(organisation, days),
            datetime.time(10),
            tzinfo=ZoneInfo(organisation.time_zone),
        )
        inquiry = inquiry_register(
            organisation=organisation,
            site=organisation.sites.filter(kind="main").first() or organisation.sites.first(),
            actor=make_staff(organisation, Role.COUNSELLOR),
            channel="phone",
            referrer="self",
            received_at=received,
            client=client,
        )
        assert inquiry.episode is not None
        return inquiry.episode

    return make
