"""HRM-9: the needle exchange's figures on hand-made data with known answers: return rate
(and when it is estimated), estimated participants (codes plus the people behind the
anonymous exchanges), syringe coverage, the network's totals, the period's rules, the chart
and the CSV."""

from __future__ import annotations

import calendar
import csv
import datetime
import io
from dataclasses import dataclass, field

import pytest

from bedring.accounts.models import User
from bedring.core import clock
from bedring.core.errors import ValidationFailed
from bedring.outreach.exchange_chart import Bar, bar_chart
from bedring.outreach.exchange_figures import (
    ItemRules,
    compute,
    days_counted,
    estimate_participants,
    months_between,
)
from bedring.outreach.exchange_report import csv_bytes, exchange_report, period_from
from bedring.outreach.models import ExchangePoint
from tests.conftest import TODAY
from tests.outreach.exchange_fixtures import record

RULES = ItemRules(
    returnable=frozenset({"syringe-1ml", "syringe-2ml", "needle"}),
    syringes=frozenset({"syringe-1ml", "syringe-2ml"}),
    injections_per_day=2,
)
MARCH = datetime.date(2026, 3, 1)  # 31 days
LATER = datetime.date(2026, 11, 23)  # "today" for the pure tests: March is a past month


@dataclass(frozen=True)
class R:
    point_id: int
    day: datetime.date
    code: str = ""
    items_out: dict[str, int] = field(default_factory=dict)
    items_back: dict[str, int] = field(default_factory=dict)
    returned_estimated: bool = False
    advice: bool = False
    referral: bool = False


def test_participants_are_the_codes_plus_the_anonymous_over_the_visits_per_person() -> None:
    """2 codes seen in 4 exchanges (2 visits each); 3 exchanges without a code are 1.5
    people, so 2: 4 participants. 6 anonymous at 1.5 visits are 4 people exactly."""
    assert estimate_participants(codes=2, anonymous=3, visits_per_person=2.0) == 4
    assert estimate_participants(codes=2, anonymous=6, visits_per_person=1.5) == 6
    assert estimate_participants(codes=0, anonymous=5, visits_per_person=1.0) == 5
    assert estimate_participants(codes=3, anonymous=0, visits_per_person=4.0) == 3


def test_a_month_of_one_point_with_known_answers() -> None:
    """Point 1 in March (31 days), injections per day 2:
    - A twice, B twice, 3 exchanges without a code: 2 + ceil(3 / 2) = 4 participants;
    - syringes out 100 + 80 + 60 = 240 (needles and swabs are not syringes);
      coverage 240 / (4 x 2 x 31) = 240 / 248;
    - returnable out 240 + 40 needles = 280, back 140 + 70 = 210 (one estimated): 75 %."""
    day = datetime.date(2026, 3, 10)
    rows = [
        R(1, day, "A", {"syringe-1ml": 50, "needle": 20, "swab": 50}, {"syringe-1ml": 40}),
        R(1, day, "A", {"syringe-1ml": 50}, {"syringe-1ml": 50}, advice=True),
        R(1, day, "B", {"syringe-2ml": 40, "needle": 20}, {"needle": 20}),
        R(1, day, "B", {"syringe-2ml": 40}, {"syringe-2ml": 50}, returned_estimated=True),
        R(1, day, "", {"syringe-1ml": 30}, {"syringe-1ml": 30}, referral=True),
        R(1, day, "", {"syringe-1ml": 30}, {}),
        R(1, day, "", {}, {"syringe-2ml": 20}, advice=True),
    ]
    figures = compute(rows, point_ids=[1], months=[MARCH], rules=RULES, today=LATER)
    cell = figures.points[1][0]
    assert cell.days == 31 and cell.transactions == 7
    assert (len(cell.codes), cell.coded_transactions, cell.anonymous_transactions) == (2, 4, 3)
    assert cell.visits_per_person == 2.0 and cell.estimated_participants == 4
    assert cell.syringes_out == 240 and cell.coverage == pytest.approx(240 / 248)
    assert (cell.returnable_out, cell.returnable_back) == (280, 210)
    assert cell.return_rate == pytest.approx(0.75) and cell.returns_estimated
    assert cell.items_out == 330 and cell.items_back == 210
    assert (cell.advice, cell.referrals) == (2, 1)
    assert cell.out["swab"] == 50 and cell.back["needle"] == 20


def test_without_codes_at_a_point_the_networks_visits_are_used_then_one_per_exchange() -> None:
    """Point 2 has no code in March: the network's visits per person (point 1: C three
    times, 3 per person) turn its 6 anonymous exchanges into 2 people. In April nobody has a
    code anywhere: each exchange is one person (an upper bound; coverage not overstated)."""
    april = datetime.date(2026, 4, 1)
    rows = [
        *[R(1, datetime.date(2026, 3, 2), "C", {"syringe-1ml": 10}) for _ in range(3)],
        *[R(2, datetime.date(2026, 3, 3), "", {"syringe-1ml": 31}) for _ in range(6)],
        *[R(2, datetime.date(2026, 4, 3), "", {"syringe-1ml": 5}) for _ in range(4)],
    ]
    figures = compute(rows, point_ids=[1, 2], months=[MARCH, april], rules=RULES, today=LATER)
    march2, april2 = figures.points[2]
    assert march2.visits_per_person == 3.0 and march2.estimated_participants == 2
    assert march2.coverage == pytest.approx(186 / (2 * 2 * 31))
    assert april2.visits_per_person == 1.0 and april2.estimated_participants == 4
    assert april2.coverage == pytest.approx(20 / (4 * 2 * 30))
    network = figures.network[0]
    # The network: 1 code, 3 coded exchanges (3 visits per person), 6 anonymous: 1 + 2 = 3.
    assert network.transactions == 9 and network.estimated_participants == 3
    assert network.syringes_out == 216
    assert figures.points[1][1].transactions == 0 and figures.points[1][1].coverage is None


def test_a_code_seen_at_two_points_is_one_person_for_the_network() -> None:
    day = datetime.date(2026, 3, 5)
    rows = [R(1, day, "D", {"needle": 1}), R(2, day, "D", {"needle": 1})]
    figures = compute(rows, point_ids=[1, 2], months=[MARCH], rules=RULES, today=LATER)
    assert [figures.points[p][0].estimated_participants for p in (1, 2)] == [1, 1]
    assert figures.network[0].estimated_participants == 1


def test_no_returnable_item_out_has_no_return_rate_and_no_one_no_coverage() -> None:
    rows = [R(1, datetime.date(2026, 3, 5), "", {"swab": 10}, advice=True)]
    cell = compute(rows, point_ids=[1], months=[MARCH], rules=RULES, today=LATER).points[1][0]
    assert cell.return_rate is None and cell.coverage == 0.0
    empty = compute([], point_ids=[1], months=[MARCH], rules=RULES, today=LATER).points[1][0]
    assert empty.estimated_participants == 0 and empty.coverage is None


def test_the_current_month_counts_its_days_up_to_today() -> None:
    assert days_counted(datetime.date(2026, 11, 1), datetime.date(2026, 11, 23)) == 23
    assert days_counted(datetime.date(2026, 2, 1), datetime.date(2026, 11, 23)) == 28
    assert days_counted(datetime.date(2028, 2, 1), datetime.date(2028, 6, 15)) == 29
    assert months_between(datetime.date(2026, 11, 1), datetime.date(2027, 2, 1)) == [
        datetime.date(2026, 11, 1),
        datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 1),
        datetime.date(2027, 2, 1),
    ]


@pytest.mark.parametrize(
    ("first", "last", "code", "field"),
    [
        ("2026-13", None, "invalid_month", "from"),
        ("26-01", None, "invalid_month", "from"),
        ("١٢٠٢-01", None, "invalid_month", "from"),
        (None, "1999-12", "invalid_month", "to"),
        ("2026-10", "2026-09", "period_reversed", "from"),
        ("2024-01", "2026-01", "period_too_long", "from"),
        (None, "2026-12", "period_in_future", "to"),
    ],
)
def test_a_bad_period_is_refused_with_its_code(
    first: str | None, last: str | None, code: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        period_from(first, last, today=datetime.date(2026, 11, 23))
    assert (caught.value.code, caught.value.field) == (code, field)


def test_the_default_period_is_the_twelve_months_up_to_this_one() -> None:
    period = period_from(None, None, today=datetime.date(2026, 11, 23))
    assert (period.first, period.last) == (datetime.date(2025, 12, 1), datetime.date(2026, 11, 1))
    assert len(period.months) == 12 and period.end == datetime.date(2026, 11, 30)


def test_the_chart_is_an_accessible_responsive_svg_saying_its_numbers() -> None:
    bars = [
        Bar(datetime.date(2026, 9, 1), 0.5),
        Bar(datetime.date(2026, 10, 1), None),
        Bar(datetime.date(2026, 11, 1), 1.25, estimated=True),
    ]
    svg = str(bar_chart(bars, element_id="chart-x", title="Coverage"))
    assert svg.startswith('<svg class="exchange-chart"') and 'width="100%"' in svg
    assert 'viewBox="0 0 ' in svg and 'role="img"' in svg
    assert 'aria-labelledby="chart-x-title chart-x-desc"' in svg
    assert "September 2026: 50 %" in svg and "October 2026: no value" in svg
    assert "November 2026: 125 % (estimated)" in svg
    assert 'stroke-dasharray="5 3"' in svg  # the 100 % line
    assert svg == str(bar_chart(bars, element_id="chart-x", title="Coverage"))  # same bytes


# --- the report and its CSV from the database --------------------------------------------


def _last_month() -> datetime.date:
    return (TODAY.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def test_the_report_and_its_csv_on_recorded_exchanges(
    counter: ExchangePoint, pharmacy: ExchangePoint, worker: User
) -> None:
    """Known answers from exchanges recorded through the service in the last month (days of
    the month D, 2 injections a day): at the counter codes P and Q (P twice) and one
    anonymous exchange: 2 + ceil(1 / 1.5) = 3 participants; 60 syringes: 60 / (3 x 2 x D).
    At the pharmacy one anonymous exchange: the network's 1.5 visits per person, 1 person."""
    month = _last_month()
    zone = clock.zone(counter.organisation)
    at = datetime.datetime.combine(TODAY.replace(day=1), datetime.time(0), tzinfo=zone)
    at -= datetime.timedelta(days=3)  # in the last month, less than 60 days ago
    record(
        counter,
        worker,
        at=at,
        participant_code="p",
        items_out={"syringe-1ml": 20},
        items_back={"syringe-1ml": 10},
    )
    record(
        counter, worker, at=at, participant_code="P", items_out={"syringe-2ml": 20, "needle": 20}
    )
    record(
        counter,
        worker,
        at=at,
        participant_code="Q",
        items_out={"syringe-1ml": 10},
        items_back={"needle": 30},
    )
    record(
        counter,
        worker,
        at=at,
        items_out={"syringe-1ml": 10},
        items_back={"syringe-1ml": 40},
        returned_estimated=True,
    )
    record(pharmacy, worker, at=at, items_out={"syringe-1ml": 5})
    record(counter, worker, advice=True)  # this month: not in last month's figures
    days = calendar.monthrange(month.year, month.month)[1]
    report = exchange_report(
        counter.organisation,
        period=period_from(month.strftime("%Y-%m"), month.strftime("%Y-%m"), today=TODAY),
        today=TODAY,
        language="en",
    )
    cell = report.cells_of(counter)[0]
    assert cell.month == month and cell.days == days
    assert (cell.transactions, len(cell.codes), cell.estimated_participants) == (4, 2, 3)
    assert cell.syringes_out == 60 and cell.coverage == pytest.approx(60 / (3 * 2 * days))
    assert (cell.returnable_out, cell.returnable_back) == (80, 80) and cell.returns_estimated
    assert cell.return_rate == pytest.approx(1.0)
    pharmacy_cell = report.cells_of(pharmacy)[0]
    assert pharmacy_cell.estimated_participants == 1
    assert pharmacy_cell.coverage == pytest.approx(5 / (1 * 2 * days))
    network = report.network[0]
    assert network.transactions == 5 and network.estimated_participants == 2 + 2

    rows = list(csv.reader(io.StringIO(csv_bytes(report).decode("utf-8-sig"))))
    header = rows[1]
    by_point = {row[0]: dict(zip(header, row, strict=False)) for row in rows[2:] if len(row) > 2}
    counter_row = by_point[counter.name]
    assert counter_row["Month"] == month.strftime("%Y-%m")
    assert counter_row["Transactions"] == "4" and counter_row["Estimated participants"] == "3"
    assert counter_row["Syringes out"] == "60" and counter_row["Returns estimated"] == "yes"
    assert counter_row["Syringe coverage (%)"] == f"{round(100 * 60 / (6 * days), 1)}"
    assert counter_row["Return rate (%)"] == "100.0"
    assert counter_row["Out: Syringe 2 ml"] == "20" and counter_row["Back: Needle"] == "30"
    assert by_point["Whole network"]["Transactions"] == "5"
    assert [r[0] for r in rows if r and r[0] == "coverage"] == ["coverage"]
    assert any(r and r[0] == "injections_per_day" and r[1] == "2.0" for r in rows)


def test_a_point_name_that_looks_like_a_formula_is_written_as_text(
    counter: ExchangePoint, worker: User
) -> None:
    ExchangePoint.objects.filter(pk=counter.pk).update(name="=HYPERLINK(1)")
    record(counter, worker, items_out={"syringe-1ml": 1})
    month = TODAY.replace(day=1).strftime("%Y-%m")
    report = exchange_report(
        counter.organisation,
        period=period_from(month, month, today=TODAY),
        today=TODAY,
        language="en",
    )
    text = csv_bytes(report).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "\n=HYPERLINK" not in text
