"""HRM-1, HRM-9: the needle-exchange pages: the network with hours today and stock, a point,
the phone-first transaction form, the stock form, the figures with their chart and CSV; who
may open them (an outsider gets 404, a role without the permission 403); and a bounded
number of queries whatever the number of exchanges."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from bedring.accounts.models import Organisation, User
from bedring.core import clock
from bedring.core.roles import Role
from bedring.outreach.models import ExchangePoint, ExchangeStockMovement, ExchangeTransaction
from bedring.outreach.selectors_exchange import PointCalendar, open_state, weekly_hours
from tests.conftest import TODAY
from tests.outreach.exchange_fixtures import record, stock

pytestmark = pytest.mark.django_db


def test_the_network_lists_the_points_with_todays_hours_and_stock(
    as_user: Callable[[User], HttpClient], counter: ExchangePoint, worker: User
) -> None:
    stock(counter, worker, "syringe-1ml", "delivered", 200)
    record(counter, worker, items_out={"syringe-1ml": 10})
    html = as_user(worker).get(reverse("outreach:exchange")).content.decode()
    for key in (
        "msoc-oostende",
        "apotheek-oostende",
        "straathoekwerk-oostende",
        "automaat-oostende",
    ):
        assert f'data-testid="point-{key}"' in html
    card = html.split('data-testid="point-msoc-oostende"')[1].split("</section>")[0]
    assert "Exchanges today</span>1" in card
    assert "<span>Syringe 1 ml</span>190" in card and "not kept" in card
    assert reverse("outreach:exchange_new", args=[counter.uuid]) in card


def test_open_now_follows_the_hours_holidays_and_machines() -> None:
    """bedring.core.hours on a point's week: open until the interval ends, else the next
    opening; a public holiday closes a pharmacy but not a machine."""
    point = ExchangePoint(hours={"mon": "09:00-12:00, 13:00-19:00", "tue": "15:00-19:00"})
    week = weekly_hours(point)
    monday = datetime.datetime.combine(datetime.date(2026, 11, 23), datetime.time(10, 0))
    state = open_state(PointCalendar(week, lambda _d: False), monday)
    assert state.is_open and state.closes_at == monday.replace(hour=12)
    lunch = open_state(PointCalendar(week, lambda _d: False), monday.replace(hour=12, minute=30))
    assert not lunch.is_open and lunch.opens_at == monday.replace(hour=13)
    evening = open_state(PointCalendar(week, lambda _d: False), monday.replace(hour=20))
    assert evening.opens_at == datetime.datetime.combine(
        datetime.date(2026, 11, 24), datetime.time(15, 0)
    )
    holiday = open_state(PointCalendar(week, lambda d: d == monday.date()), monday)
    assert not holiday.is_open and holiday.closed_today and holiday.today == ()


def test_the_point_page_shows_its_week_stock_and_latest_exchanges_without_codes(
    as_user: Callable[[User], HttpClient], counter: ExchangePoint, worker: User
) -> None:
    stock(counter, worker, "needle", "counted", 40, at=clock.now() - datetime.timedelta(hours=1))
    record(
        counter, worker, items_out={"needle": 5}, participant_code="ZX-9", referral="MSOC intake"
    )
    html = (
        as_user(worker)
        .get(reverse("outreach:exchange_point", args=[counter.uuid]))
        .content.decode()
    )
    assert 'data-testid="week"' in html and "09:00-12:00, 13:00-19:00" in html
    assert '<tr data-item="needle">' in html
    needle = html.split('<tr data-item="needle">')[1].split("</tr>")[0]
    assert "35" in needle
    assert "Needle 5" in html and "Referred to MSOC intake" in html and "with a code" in html
    assert "ZX-9" not in html  # the code is for counting, not for showing


def test_the_form_records_an_exchange_and_comes_back_empty_with_a_stock_warning(
    as_user: Callable[[User], HttpClient], counter: ExchangePoint, worker: User
) -> None:
    """HRM-9: phone first: counts per item, one Save; handing out more than the book is
    recorded and warned about (decided: a warning, not a refusal)."""
    stock(counter, worker, "syringe-1ml", "delivered", 5)
    http = as_user(worker)
    url = reverse("outreach:exchange_new", args=[counter.uuid])
    page = http.get(url).content.decode()
    assert page.count('type="submit"') == 1 and 'id="main-form"' in page
    assert 'data-step="1" aria-controls="id_out_syringe-1ml"' in page
    assert "bedring/exchange.js" in page
    response = http.post(
        url,
        {"out_syringe-1ml": "8", "out_needle": "8", "back_syringe-1ml": "6", "advice": "on"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url
    html = response.content.decode()
    assert "Exchange recorded at" in html and "msg warning" in html
    assert "Syringe 1 ml: 8 handed out, but the book had 5 on the shelf" in html
    t = ExchangeTransaction.objects.get()
    assert t.items_out == {"syringe-1ml": 8, "needle": 8} and t.items_back == {"syringe-1ml": 6}
    assert t.advice and t.participant_code == "" and t.recorded_by == worker


def test_an_empty_or_bad_form_is_shown_again_with_its_reasons_and_writes_nothing(
    as_user: Callable[[User], HttpClient], counter: ExchangePoint, worker: User
) -> None:
    http = as_user(worker)
    url = reverse("outreach:exchange_new", args=[counter.uuid])
    empty = http.post(url, {})
    assert empty.status_code == 422
    assert "Record at least one item out or back, advice or a referral." in empty.content.decode()
    named = http.post(url, {"out_needle": "2", "participant_code": "Jan Peeters"})
    assert named.status_code == 422 and "never a name" in named.content.decode()
    future = (clock.local_now(counter.organisation) + datetime.timedelta(hours=2)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    late = http.post(url, {"out_needle": "2", "at": future})
    assert late.status_code == 422 and "The time is in the future." in late.content.decode()
    negative = http.post(url, {"out_needle": "-2"})
    assert negative.status_code == 422
    assert ExchangeTransaction.objects.count() == 0


def test_the_stock_form_records_a_count_and_says_the_difference(
    as_user: Callable[[User], HttpClient], counter: ExchangePoint, worker: User
) -> None:
    stock(counter, worker, "swab", "delivered", 100)
    http = as_user(worker)
    url = reverse("outreach:exchange_stock", args=[counter.uuid])
    response = http.post(url, {"item": "swab", "kind": "counted", "quantity": "97"}, follow=True)
    html = response.content.decode()
    assert "Alcohol swab counted: 97; the book said 100 (3 items apart)." in html
    refused = http.post(url, {"item": "swab", "kind": "wasted", "quantity": "3"})
    assert (
        refused.status_code == 422
        and "Say why the items were wasted or lost." in refused.content.decode()
    )
    assert ExchangeStockMovement.objects.filter(kind="wasted").count() == 0


def test_the_figures_page_shows_definitions_charts_and_links_the_csv(
    as_user: Callable[[User], HttpClient], counter: ExchangePoint, worker: User, coordinator: User
) -> None:
    record(counter, worker, items_out={"syringe-1ml": 30}, participant_code="A1")
    http = as_user(coordinator)
    html = http.get(reverse("outreach:exchange_figures")).content.decode()
    assert 'data-testid="definitions"' in html and "Estimated participants" in html
    assert 'data-testid="chart-coverage"' in html and 'data-testid="chart-return_rate"' in html
    assert 'data-testid="figures-msoc-oostende"' in html
    month = TODAY.strftime("%Y-%m")
    shown = html.split('data-testid="figures-shown"')[1].split("</table>")[0]
    row = shown.split(f'data-month="{month}"')[1].split("</tr>")[0]
    days = TODAY.day
    assert f"{round(100 * 30 / (1 * 2 * days))} %" in row
    one = http.get(reverse("outreach:exchange_figures"), {"point": str(counter.uuid)})
    assert one.status_code == 200 and "figures-msoc-oostende" not in one.content.decode()
    csv = http.get(reverse("outreach:exchange_figures_csv"), {"start": month, "end": month})
    assert csv["Content-Type"].startswith("text/csv")
    assert f"exchange-msoc-oostende-{month}-{month}.csv" in csv["Content-Disposition"]
    assert "MSOC Oostende, onthaal" in csv.content.decode("utf-8-sig")
    bad = http.get(reverse("outreach:exchange_figures"), {"start": "2026-13"})
    assert bad.status_code == 422 and "Write a month as YYYY-MM" in bad.content.decode()


def test_an_outsider_gets_404_and_a_role_without_the_permission_403(
    as_user: Callable[[User], HttpClient],
    counter: ExchangePoint,
    outsider: User,
    msoc: Organisation,
    make_staff: Callable[..., User],
    worker: User,
) -> None:
    """PRV-1: another organisation's point is not found; a doctor does not work at the
    exchange; a drop-in worker does not read the figures."""
    for name in ("outreach:exchange_point", "outreach:exchange_new", "outreach:exchange_stock"):
        url = reverse(name, args=[counter.uuid])
        assert as_user(outsider).get(url).status_code == 404, name
        assert as_user(outsider).post(url, {"advice": "on"}).status_code == 404, name
    assert ExchangeTransaction.objects.count() == 0
    doctor = make_staff(msoc, Role.DOCTOR)
    assert as_user(doctor).get(reverse("outreach:exchange")).status_code == 403
    assert (
        as_user(doctor).get(reverse("outreach:exchange_new", args=[counter.uuid])).status_code
        == 403
    )
    assert as_user(worker).get(reverse("outreach:exchange_figures")).status_code == 403
    assert as_user(worker).get(reverse("outreach:exchange_figures_csv")).status_code == 403
    other = as_user(outsider).get(
        reverse("outreach:exchange_figures"), {"point": str(counter.uuid)}
    )
    assert other.status_code == 404


# --- bounded queries -----------------------------------------------------------------------


def _history(points: list[ExchangePoint], actor: User, times: int) -> None:
    """``times`` rounds of exchanges, deliveries, counts and waste at every point, over the
    last weeks, with and without codes."""
    now = clock.now()
    for n in range(times):
        for i, point in enumerate(points):
            at = now - datetime.timedelta(days=1 + (n * 3 + i) % 50, hours=i)
            item = point.items[0]
            stock(point, actor, item, "delivered", 50, at=at - datetime.timedelta(hours=1))
            record(
                point,
                actor,
                at=at,
                items_out={item: 5},
                items_back={"needle": 2},
                participant_code=f"P{n % 3}",
            )
            record(point, actor, at=at, items_out={item: 3}, advice=True)
            if n % 2 == 0:
                stock(point, actor, item, "counted", 40, at=at + datetime.timedelta(minutes=1))
                stock(
                    point,
                    actor,
                    item,
                    "wasted",
                    1,
                    note="Broken",
                    at=at + datetime.timedelta(minutes=2),
                )


@pytest.mark.parametrize("times", [1, 4])
def test_the_pages_issue_a_bounded_number_of_queries(
    as_user: Callable[[User], HttpClient],
    msoc: Organisation,
    counter: ExchangePoint,
    worker: User,
    coordinator: User,
    django_assert_num_queries: Any,
    times: int,
) -> None:
    """The same number of queries with a small history and a four times larger one (the
    numbers include the session, the user, the second factor, the membership and the
    menu's two questions: does the organisation do street work, does it run exchange points)."""
    points = list(ExchangePoint.objects.filter(organisation=msoc).order_by("name"))
    _history(points, worker, times)
    http, manager = as_user(worker), as_user(coordinator)
    pages = [
        (http, reverse("outreach:exchange"), 16),
        (http, reverse("outreach:exchange_point", args=[counter.uuid]), 17),
        (http, reverse("outreach:exchange_new", args=[counter.uuid]), 16),
        (http, reverse("outreach:exchange_stock", args=[counter.uuid]), 17),
        (manager, reverse("outreach:exchange_figures"), 13),
        (manager, reverse("outreach:exchange_figures_csv"), 11),
    ]
    for client, url, most in pages:
        client.get(url)  # the session and the staff are warm
        with django_assert_num_queries(most):
            assert client.get(url).status_code == 200, url
