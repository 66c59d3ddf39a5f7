"""Fixtures of the outreach tests: the outreach model's organisation (outreach-dk) with a
street worker, and an outsider in another organisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bedring.accounts.models import Organisation, Site, User
from bedring.clients.models import Client
from bedring.core.roles import Role
from tests.conftest import shipped_organisation

# The needle exchange's fixtures (MSOC's network, a drop-in worker, the coordinator).
from tests.outreach.exchange_fixtures import coordinator, counter, msoc, pharmacy, worker  # noqa: F401


@pytest.fixture
def org_outreach(db: Any) -> Organisation:
    return shipped_organisation("outreach-dk")


@pytest.fixture
def odense(org_outreach: Organisation) -> Site:
    return Site.objects.get(organisation=org_outreach, slug="odense")


@pytest.fixture
def street_worker(org_outreach: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(org_outreach, Role.STREET_NURSE)


@pytest.fixture
def outreach_client(org_outreach: Organisation, make_client: Callable[..., Client]) -> Client:
    return make_client(org_outreach)


@pytest.fixture
def manager_outreach(org_outreach: Organisation, make_staff: Callable[..., User]) -> User:
    """HRM-10: a manager of the outreach model's organisation (OUTCOMES: the evaluation)."""
    return make_staff(org_outreach, Role.MANAGER)


def record(org: Organisation, site: Site, user: User, **kw: Any) -> Any:
    """A contact recorded through the service (five minutes ago, a conversation, 10 minutes
    on the street unless told otherwise)."""
    import datetime

    from bedring.core import clock
    from bedring.outreach.services.contacts import contact_record

    data: dict[str, Any] = {
        "organisation": org,
        "actor": user,
        "site": site,
        "at": clock.now() - datetime.timedelta(minutes=5),
        "activities": ["conversation"],
        "minutes": 10,
        "location_type": "street",
    }
    data.update(kw)
    contact, _created = contact_record(**data)
    return contact


@pytest.fixture
def dropin_worker(org_outreach: Organisation, make_staff: Callable[..., User]) -> User:
    """Outreach work without records (bedring.core.roles)."""
    return make_staff(org_outreach, Role.DROPIN_WORKER)


@pytest.fixture
def outreach_doctor(org_outreach: Organisation, make_staff: Callable[..., User]) -> User:
    """A role without harm_reduction."""
    return make_staff(org_outreach, Role.DOCTOR)
