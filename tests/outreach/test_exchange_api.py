"""HRM-1, HRM-9: the needle exchange in /api/v1/outreach/exchange/: the same services, rules
and codes as the pages; idempotent by offline_id for the phone's queue; an outsider's point
is 404, a role without the permission 403."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.test import Client as HttpClient

from bedring.accounts.models import Organisation, User
from bedring.core import clock
from bedring.core.roles import Role
from bedring.outreach.models import ExchangePoint, ExchangeTransaction
from tests.conftest import TODAY, api_headers
from tests.outreach.exchange_fixtures import record, stock

pytestmark = pytest.mark.django_db
BASE = "/api/v1/outreach/exchange"


def post(user: User, url: str, body: dict[str, Any]) -> Any:
    return HttpClient().post(url, body, content_type="application/json", **api_headers(user))


def get(user: User, url: str, **params: Any) -> Any:
    return HttpClient().get(url, params, **api_headers(user))


def test_a_phone_sends_an_exchange_twice_and_it_is_stored_once(
    counter: ExchangePoint, worker: User
) -> None:
    stock(counter, worker, "syringe-1ml", "delivered", 10)
    body = {
        "items_out": {"syringe-1ml": 12, "needle": 12},
        "items_back": {"syringe-1ml": 9},
        "returned_estimated": True,
        "participant_code": "ab-1",
        "advice": True,
        "offline_id": str(uuid.uuid4()),
        "at": (clock.now() - datetime.timedelta(hours=1)).isoformat(),
    }
    first = post(worker, f"{BASE}/points/{counter.uuid}/transactions", body)
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["participant_code"] == "AB-1" and data["returned_estimated"] is True
    assert data["warnings"] == [
        {"code": "stock_short", "item": "syringe-1ml", "on_shelf": 10, "handed_out": 12}
    ]
    again = post(worker, f"{BASE}/points/{counter.uuid}/transactions", body)
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert ExchangeTransaction.objects.count() == 1
    listed = get(worker, f"{BASE}/points/{counter.uuid}/transactions", limit=10).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == data["id"]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"items_out": {"needle": -1}}, 422, "item_count_invalid", "items_out"),
        ({"items_out": {"rocket": 1}}, 422, "unknown_item", "items_out"),
        ({"items_out": {"naloxone-kit": 1}}, 422, "item_not_stocked", "items_out"),
        ({"items_back": {"swab": 1}}, 422, "item_not_returnable", "items_back"),
        (
            {"advice": True, "participant_code": "Jan P"},
            422,
            "participant_code_invalid",
            "participant_code",
        ),
        ({}, 422, "transaction_empty", "items_out"),
        ({"items_out": {"needle": 1.5}}, 422, "invalid_input", None),
        ({"advice": True, "at": "2099-01-01T10:00:00+01:00"}, 422, "at_in_future", "at"),
    ],
)
def test_bad_input_is_refused_with_its_code(
    pharmacy: ExchangePoint,
    worker: User,
    body: dict[str, Any],
    status: int,
    code: str,
    field: str | None,
) -> None:
    response = post(worker, f"{BASE}/points/{pharmacy.uuid}/transactions", body)
    assert response.status_code == status
    assert response.json()["code"] == code
    if field:
        assert response.json()["field"] == field
    assert ExchangeTransaction.objects.count() == 0


def test_the_points_answer_their_hours_open_now_and_stock(
    counter: ExchangePoint, worker: User
) -> None:
    stock(counter, worker, "swab", "delivered", 30)
    points = {p["key"]: p for p in get(worker, f"{BASE}/points").json()}
    assert len(points) == 8
    mine = points["msoc-oostende"]
    assert mine["organisation"] == str(counter.organisation.uuid) and mine["site"] == "oostende"
    assert mine["hours"]["mon"] == "09:00-12:00, 13:00-19:00"
    assert [i["key"] for i in mine["items"]][:3] == ["syringe-1ml", "syringe-2ml", "needle"]
    swab = next(s for s in mine["stock"] if s["item"] == "swab")
    assert swab["level"] == 30 and swab["delivered_since"] == 30
    assert next(s for s in mine["stock"] if s["item"] == "foil")["level"] is None
    assert isinstance(mine["open_now"], bool)
    one = get(worker, f"{BASE}/points/{counter.uuid}").json()
    assert one["key"] == "msoc-oostende"


def test_stock_counts_answer_the_difference(counter: ExchangePoint, worker: User) -> None:
    stock(counter, worker, "needle", "delivered", 50, at=clock.now() - datetime.timedelta(hours=2))
    response = post(
        worker,
        f"{BASE}/points/{counter.uuid}/stock",
        {"item": "needle", "kind": "counted", "quantity": 48},
    )
    assert response.status_code == 201
    assert (response.json()["expected"], response.json()["difference"]) == (50, -2)
    refused = post(
        worker,
        f"{BASE}/points/{counter.uuid}/stock",
        {"item": "needle", "kind": "wasted", "quantity": 2},
    )
    assert refused.status_code == 422 and refused.json()["code"] == "waste_reason_required"
    page = get(worker, f"{BASE}/points/{counter.uuid}/stock").json()
    needle = next(line for line in page["levels"] if line["item"] == "needle")
    assert needle["level"] == 48 and needle["counted"] == 48
    assert [m["kind"] for m in page["movements"]] == ["counted", "delivered"]


def test_an_outsider_gets_404_and_a_role_without_the_permission_403(
    counter: ExchangePoint, outsider: User, msoc: Organisation, make_staff: Any, worker: User
) -> None:
    for method, url, body in [
        ("get", f"{BASE}/points/{counter.uuid}", None),
        ("get", f"{BASE}/points/{counter.uuid}/transactions", None),
        ("post", f"{BASE}/points/{counter.uuid}/transactions", {"advice": True}),
        ("get", f"{BASE}/points/{counter.uuid}/stock", None),
        (
            "post",
            f"{BASE}/points/{counter.uuid}/stock",
            {"item": "swab", "kind": "delivered", "quantity": 1},
        ),
    ]:
        response = post(outsider, url, body) if method == "post" else get(outsider, url)
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), url
    assert get(outsider, f"{BASE}/points").json() == []  # Sandnes has no exchange points
    other = get(outsider, f"{BASE}/figures", organisation=str(msoc.uuid))
    assert other.status_code == 404
    doctor = make_staff(msoc, Role.DOCTOR)
    assert (
        post(doctor, f"{BASE}/points/{counter.uuid}/transactions", {"advice": True}).status_code
        == 403
    )
    assert get(doctor, f"{BASE}/points").status_code == 403
    assert get(worker, f"{BASE}/figures").status_code == 403
    assert ExchangeTransaction.objects.count() == 0


def test_the_figures_answer_known_numbers_and_refuse_a_bad_period(
    counter: ExchangePoint, pharmacy: ExchangePoint, worker: User, coordinator: User
) -> None:
    """This month: at the counter codes K (twice) and L, 40 syringes: 2 participants,
    coverage 40 / (2 x 2 x days so far)."""
    record(
        counter,
        worker,
        participant_code="K",
        items_out={"syringe-1ml": 20},
        items_back={"needle": 5},
    )
    record(counter, worker, participant_code="K", items_out={"syringe-2ml": 10, "needle": 10})
    record(counter, worker, participant_code="L", items_out={"syringe-1ml": 10})
    month = TODAY.strftime("%Y-%m")
    data = get(coordinator, f"{BASE}/figures", **{"from": month, "to": month}).json()
    assert (data["first_month"], data["last_month"]) == (month, month)
    assert data["injections_per_day"] == 2 and "O'Keefe" in data["coverage_source"]
    assert set(data["definitions"]) == {
        "transactions",
        "items",
        "return_rate",
        "participants",
        "coverage",
    }
    cell = next(p for p in data["points"] if p["key"] == "msoc-oostende")["months"][0]
    assert cell["days"] == TODAY.day and cell["estimated_participants"] == 2
    assert cell["coverage"] == pytest.approx(40 / (2 * 2 * TODAY.day))
    assert cell["return_rate"] == pytest.approx(5 / 50) and cell["returns_estimated"] is False
    assert cell["items_out"] == {"syringe-1ml": 30, "syringe-2ml": 10, "needle": 10}
    assert data["network"][0]["transactions"] == 3
    one = get(coordinator, f"{BASE}/figures", point=str(pharmacy.uuid)).json()
    assert [p["key"] for p in one["points"]] == ["apotheek-oostende"] and one["network"] == []
    bad = get(coordinator, f"{BASE}/figures", **{"from": "2026-1"})
    assert (bad.status_code, bad.json()["code"], bad.json()["field"]) == (
        422,
        "invalid_month",
        "from",
    )
