"""Shared fixtures: organisations from the shipped packs, staff of any role with a confirmed
second factor, and always an outsider from another organisation who must see nothing."""

from __future__ import annotations

import datetime
import os
import random
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as HttpClient
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, settings

from bedring.accounts import services as account_services
from bedring.accounts.models import Organisation, User
from bedring.clients import services as client_services
from bedring.clients.models import Client
from bedring.core.roles import Role
from bedring.rules.loader import load_pack
from bedring.synthetic.people import synthetic_person

# Property tests judge the code, not the machine: CI shares two cores with everything else, so
# neither a slow example nor slow input generation fails a test.
settings.register_profile("bedring", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("bedring")

# The declared "today" of the whole suite. Services read the one clock (bedring.core.clock),
# which every test sees frozen at 10:00 Copenhagen time on this day and ticking from there;
# CI runs the suite again with the day moved (BEDRING_TEST_TODAY=2028-06-15) to prove that no
# test depends on the date the machine has.
TODAY = datetime.date.fromisoformat(os.environ.get("BEDRING_TEST_TODAY", "2026-11-23"))
NOW = datetime.datetime.combine(TODAY, datetime.time(10, 0), tzinfo=ZoneInfo("Europe/Copenhagen"))


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def org_dk(db: Any) -> Organisation:
    return load_pack("sonderborg")


@pytest.fixture
def org_no(db: Any) -> Organisation:
    return load_pack("sandnes")


@pytest.fixture
def org_be(db: Any) -> Organisation:
    return load_pack("msoc-oostende")


@pytest.fixture
def make_staff(db: Any) -> Callable[..., User]:
    counter = iter(range(10_000))

    def make(organisation: Organisation, *roles: str, username: str | None = None) -> User:
        label = roles[0] if len(roles) == 1 else f"{len(roles)}roles"
        name = username or f"{organisation.slug}-{label}-{next(counter)}"
        user = account_services.staff_create(
            username=name,
            password="a-long-test-password-1",
            first_name="Test",
            last_name=name,
            organisation=organisation,
            roles=list(roles),
        )
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        return user

    return make


def login(http: HttpClient, user: User) -> HttpClient:
    """Log in as a staff member who has passed both factors."""
    http.force_login(user)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    session = http.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return http


@pytest.fixture
def as_user(client: HttpClient) -> Callable[[User], HttpClient]:
    def use(user: User) -> HttpClient:
        fresh = HttpClient()
        return login(fresh, user)

    return use


@pytest.fixture
def counsellor(org_dk: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(org_dk, Role.COUNSELLOR)


@pytest.fixture
def manager(org_dk: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(org_dk, Role.MANAGER)


@pytest.fixture
def outsider(org_no: Organisation, make_staff: Callable[..., User]) -> User:
    """Every role, but in another organisation: must never see org_dk's clients."""
    return make_staff(org_no, *Role.values)


@pytest.fixture
def make_client(db: Any) -> Callable[..., Client]:
    rng = random.Random(7)

    def make(organisation: Organisation, **overrides: Any) -> Client:
        person = synthetic_person(organisation.jurisdiction, rng, today=TODAY)
        data: dict[str, Any] = {
            "national_id": person.national_id,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "phone": person.phone,
        }
        data.update(overrides)
        return client_services.client_register(organisation=organisation, **data)

    return make


@pytest.fixture
def dk_client(org_dk: Organisation, make_client: Callable[..., Client]) -> Client:
    return make_client(org_dk)


def api_headers(user: User) -> dict[str, str]:
    _token, raw = account_services.api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
