"""Shared fixtures: organisations from the shipped packs, staff of any role with a confirmed
second factor, and always an outsider from another organisation who must see nothing.

The five shipped packs are loaded once into each test database (``django_db_setup`` below), not
once per test: every test runs in a transaction that is rolled back, so the organisations it
gets are the packs as shipped. A transactional test (``transaction=True``, ``live_server``)
empties the database when it ends; the organisation fixtures load a pack again when it is
missing, so tests pass in any order. Fixtures never keep a model instance between tests: each
test fetches its organisations from the database.
"""

from __future__ import annotations

import datetime
import functools
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
from bedring.accounts.models import Organisation, Site, User
from bedring.catalogue.models import Offer
from bedring.clients import services as client_services
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.roles import Role
from bedring.medication.models import Medicine
from bedring.outreach.models import ExchangePoint, Place
from bedring.pathway.models import QuestionSet
from bedring.referrals.models import Partner
from bedring.rules.loader import available_packs, load_pack, pack_path, read_pack
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


SHIPPED_PACKS = tuple(available_packs())


@pytest.fixture(scope="session", autouse=True)
def documents_dir_for_the_suite(tmp_path_factory: pytest.TempPathFactory) -> None:
    """JRN-3: client documents written by any test (the demo, the authorisation walk) go to a
    temporary directory, never to the checkout's var/documents. Tests of documents set their
    own (``settings.BEDRING_DOCUMENTS_DIR = tmp_path``)."""
    from django.conf import settings as django_settings

    django_settings.BEDRING_DOCUMENTS_DIR = tmp_path_factory.mktemp("documents")


@functools.cache
def pack_slug(name: str) -> str:
    """The slug of the organisation a shipped pack creates (outreach-dk is not its slug)."""
    return read_pack(pack_path(name)).organisation.slug


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Every shipped pack loaded once into the test database (one per xdist worker), at the
    suite's today, instead of once in every test that needs an organisation."""
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=True):
        for name in SHIPPED_PACKS:
            load_pack(name)


def shipped_organisation(name: str) -> Organisation:
    """The organisation of the shipped pack ``name``, fetched from the database (so a change
    one test makes never reaches the next); loaded again if a transactional test emptied the
    database."""
    organisation = Organisation.objects.filter(slug=pack_slug(name)).first()
    return organisation if organisation is not None else load_pack(name)


@pytest.fixture
def empty_installation(db: Any) -> None:
    """An installation before any pack is loaded, for the tests of loading one: the shipped
    organisations (with their sites, hours, question sets and offers) and the medicines list are
    deleted inside this test's transaction, which its end rolls back."""
    for model in (Offer, QuestionSet, Partner, Place, ExchangePoint, Site, Organisation, Medicine):
        model.objects.all().delete()  # in this order: the first ones protect the later ones


@pytest.fixture
def org_dk(db: Any) -> Organisation:
    return shipped_organisation("sonderborg")


@pytest.fixture
def org_no(db: Any) -> Organisation:
    return shipped_organisation("sandnes")


@pytest.fixture
def org_be(db: Any) -> Organisation:
    return shipped_organisation("msoc-oostende")


def staff_maker() -> Callable[..., User]:
    """make(organisation, *roles): a staff member with a confirmed second factor."""
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


@pytest.fixture
def make_staff(db: Any) -> Callable[..., User]:
    return staff_maker()


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


def client_maker(rng: random.Random) -> Callable[..., Client]:
    """make(organisation, **overrides): a registered client, a synthetic person drawn from
    ``rng``, an adult on the (frozen) clock's day."""

    def make(organisation: Organisation, **overrides: Any) -> Client:
        today = clock.today(organisation)
        person = synthetic_person(organisation.jurisdiction, rng, today=today)
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
def make_client(db: Any) -> Callable[..., Client]:
    return client_maker(random.Random(7))


@pytest.fixture
def dk_client(org_dk: Organisation, make_client: Callable[..., Client]) -> Client:
    return make_client(org_dk)


def api_headers(user: User) -> dict[str, str]:
    _token, raw = account_services.api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
