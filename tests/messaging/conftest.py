"""Messaging fixtures: clients who agreed to reminders (or not), appointments a few days
after the suite's day, the in-memory SMS and e-mail outboxes emptied, and the words a
neutral reminder must never carry."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Iterator
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django_tasks import default_task_backend
from django_tasks.backends.dummy import DummyBackend

from bedring.accounts.models import Organisation, User
from bedring.clients.models import Client
from bedring.core.roles import Role
from bedring.messaging import providers, services
from bedring.rules.loader import available_packs, pack_path, read_pack
from tests.conftest import TODAY

# Words about health or treatment no reminder signed with the neutral name may carry, besides
# every name in the packs (below).
HEALTH_WORDS = (
    "behandling",
    "misbrug",
    "stofmisbrug",
    "rusmiddel",
    "rus",
    "treatment",
    "addiction",
    "drug",
    "drugs",
    "methadone",
    "metadon",
    "substitution",
    "psykolog",
    "psychologist",
    "doctor",
    "læge",
    "lege",
    "arts",
    "alcohol",
    "alkohol",
    "hiv",
    "hepatitis",
    "MSOC",
    "LAR",
)


@functools.cache
def forbidden_names() -> tuple[str, ...]:
    """The organisations', sites', service labels' and offers' names of every shipped pack."""
    names: set[str] = set()
    for name in available_packs():
        pack = read_pack(pack_path(name))
        names.add(pack.organisation.name)
        names.update(site.name for site in pack.sites)
        names.update(offer.name for offer in pack.catalogue)
        if pack.reminders is not None:
            names.add(pack.reminders.labels.service)
    return tuple(sorted(names))


def forbidden_in(text: str) -> list[str]:
    """The forbidden names and health words found in ``text`` (as whole words)."""
    found = []
    for word in (*forbidden_names(), *HEALTH_WORDS):
        pattern = r"(?<!\w)" + re.escape(word) + r"(?!\w)"
        if re.search(pattern, text, flags=re.IGNORECASE):
            found.append(word)
    return found


def local(organisation: Organisation, days: int, hour: int, minute: int = 0) -> datetime.datetime:
    """``days`` after the suite's day at ``hour``:``minute`` on the organisation's clock."""
    return datetime.datetime.combine(
        TODAY + datetime.timedelta(days=days),
        datetime.time(hour, minute),
        tzinfo=ZoneInfo(organisation.time_zone),
    )


def task_backend() -> DummyBackend:
    """The tests' task backend (settings: the dummy one), which records what is enqueued."""
    return cast(DummyBackend, default_task_backend)


@pytest.fixture(autouse=True)
def empty_outboxes() -> Iterator[None]:
    providers.sms_outbox.clear()
    mail.outbox = []
    task_backend().clear()
    yield
    providers.sms_outbox.clear()


@pytest.fixture
def counsellor_no(org_no: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(org_no, Role.COUNSELLOR)


@pytest.fixture
def agree(counsellor: User) -> Callable[..., Client]:
    """agree(client, channel="sms", label="neutral", **contact): the client agrees to
    reminders, recorded by a counsellor of the client's organisation."""

    def record(
        client: Client, channel: str = "sms", label: str = "neutral", **contact: Any
    ) -> Client:
        return services.contact_preferences_save(
            client=client,
            actor=counsellor,
            at=local(client.organisation, 0, 10),
            phone=contact.get("phone", client.phone),
            email=contact.get("email", client.email or "client@example.org"),
            reminder_consent=True,
            reminder_channel=channel,
            reminder_label=label,
        )

    return record


@pytest.fixture
def remind() -> Callable[..., Any]:
    """remind(client, days=2, hour=9, reference="appointment:1", place=...): schedule the
    reminder of an appointment ``days`` after the suite's day, asked at 10:00 today."""

    def schedule(
        client: Client,
        days: int = 2,
        hour: int = 9,
        reference: str = "appointment:1",
        place: str = "Kongevej 19, 6400 Sønderborg",
        at: datetime.datetime | None = None,
    ) -> Any:
        organisation = client.organisation
        return services.schedule_appointment_reminder(
            client=client,
            organisation=organisation,
            starts_at=local(organisation, days, hour),
            place=place,
            reference=reference,
            at=at or local(organisation, 0, 10),
        )

    return schedule
