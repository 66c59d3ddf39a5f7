"""Referral fixtures: each test has its own documents directory (pytest's tmp_path), staff
and clients of Sønderborg (DK) and Sandnes (NO), consents and open episodes."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bedring.accounts.models import Organisation, User
from bedring.clients import services as client_services
from bedring.clients.models import Client, Consent
from bedring.core import clock
from bedring.core.roles import Role
from bedring.pathway.models import Episode
from bedring.pathway.services.episode import inquiry_register
from bedring.referrals.models import Partner


@pytest.fixture(autouse=True)
def documents_dir(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "documents"
    settings.BEDRING_DOCUMENTS_DIR = path
    return path


def files_in(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()] if path.exists() else []


def days_ago(organisation: Organisation, days: int) -> datetime.date:
    return clock.today(organisation) - datetime.timedelta(days=days)


def partner(organisation: Organisation, key: str) -> Partner:
    return Partner.objects.get(organisation=organisation, key=key)


def consent(client: Client, party: str, *, since_days: int = 60, **extra: object) -> Consent:
    return client_services.consent_add(
        client=client,
        party=party,
        scope="Information needed for the referral",
        valid_from=days_ago(client.organisation, since_days),
        given_by="client",
        **extra,
    )


@pytest.fixture
def counsellor_dk(org_dk: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(org_dk, Role.COUNSELLOR)


@pytest.fixture
def counsellor_no(org_no: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(org_no, Role.COUNSELLOR)


@pytest.fixture
def no_client(org_no: Organisation, make_client: Callable[..., Client]) -> Client:
    return make_client(org_no)


@pytest.fixture
def open_episode(make_staff: Callable[..., User]) -> Callable[..., Episode]:
    """open_episode(client, days=20, responsible=None): an inquiry ``days`` days ago."""

    def make(client: Client, days: int = 20, responsible: User | None = None) -> Episode:
        organisation = client.organisation
        received = datetime.datetime.combine(
            days_ago(organisation, days), datetime.time(10), tzinfo=ZoneInfo(organisation.time_zone)
        )
        inquiry = inquiry_register(
            organisation=organisation,
            site=organisation.sites.filter(kind="main").first() or organisation.sites.first(),
            actor=make_staff(organisation, Role.COUNSELLOR),
            channel="phone",
            referrer="self",
            received_at=received,
            client=client,
            assign_to=responsible,
        )
        assert inquiry.episode is not None
        return inquiry.episode

    return make
