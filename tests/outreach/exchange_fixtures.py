"""Fixtures of the needle-exchange tests (HRM-1, HRM-9): MSOC Oostende's network (the
msoc-oostende pack), a drop-in worker who works at the exchange, a manager, and helpers that
record through the services. Imported by each test module that uses them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from bedring.accounts.models import Organisation, User
from bedring.core import clock
from bedring.core.roles import Role
from bedring.outreach.models import ExchangePoint
from bedring.outreach.services.exchange import (
    ExchangeResult,
    StockResult,
    exchange_record,
    exchange_stock_record,
)
from tests.conftest import shipped_organisation


@pytest.fixture
def msoc(db: Any) -> Organisation:
    return shipped_organisation("msoc-oostende")


@pytest.fixture
def counter(msoc: Organisation) -> ExchangePoint:
    """The MSOC's own counter: every item of the pack."""
    return ExchangePoint.objects.get(organisation=msoc, key="msoc-oostende")


@pytest.fixture
def pharmacy(msoc: Organisation) -> ExchangePoint:
    """A partner pharmacy: syringes, needles, swabs, water, containers."""
    return ExchangePoint.objects.get(organisation=msoc, key="apotheek-oostende")


@pytest.fixture
def worker(msoc: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(msoc, Role.DROPIN_WORKER)


@pytest.fixture
def coordinator(msoc: Organisation, make_staff: Callable[..., User]) -> User:
    """The provincial coordinator: a manager (harm_reduction and outcomes)."""
    return make_staff(msoc, Role.MANAGER)


def record(point: ExchangePoint, actor: User, **kw: Any) -> ExchangeResult:
    data: dict[str, Any] = {
        "organisation": point.organisation,
        "point": point,
        "actor": actor,
        "at": clock.now() - datetime.timedelta(minutes=5),
    }
    data.update(kw)
    return exchange_record(**data)


def stock(
    point: ExchangePoint, actor: User, item: str, kind: str, quantity: Any, **kw: Any
) -> StockResult:
    data: dict[str, Any] = {"organisation": point.organisation, "at": None, "note": ""}
    data.update(kw)
    return exchange_stock_record(
        point=point, actor=actor, item=item, kind=kind, quantity=quantity, **data
    )
