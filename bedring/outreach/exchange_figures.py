"""The needle exchange's figures per point and month (HRM-9): pure functions over the rows of
``selectors_exchange.figure_rows``, no ORM. The page, the CSV and the API show these numbers,
with these definitions (also on the page):

* **transactions**: exchanges recorded at the point in the month.
* **items out / back**: items handed out, used items taken back (every item of the pack).
* **return rate** = used returnable items taken back / returnable items handed out (the
  pack's ``returnable`` items: syringes and needles). It may pass 100 %: people bring back
  equipment they got elsewhere. It is **estimated** when any transaction of the month
  estimated its returns (a full container is not counted one by one). No value when no
  returnable item went out.
* **estimated participants** = distinct participant codes + an estimate of the people behind
  the transactions without a code: those transactions divided by the visits per person of
  the participants with a code (coded transactions / distinct codes) at the same point in the
  same month, rounded up. People without a code are assumed to come as often as people with
  one. With no code at the point that month, the network's visits per person that month are
  used; with no code anywhere, each transaction without a code counts as one person, an upper
  bound that keeps coverage from being overstated. For the network, a code used at two points
  is one person.
* **syringe coverage** = syringes handed out (items marked ``syringe`` in the pack; needles and
  other items are not syringes) / (estimated participants x the pack's injections per day x
  the days of the month; for the current month, the days up to today). 100 % means one new
  syringe for every injection (individual-level coverage). No value without participants.
"""

from __future__ import annotations

import calendar
import datetime
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


class Row(Protocol):
    @property
    def point_id(self) -> int: ...
    @property
    def day(self) -> datetime.date: ...
    @property
    def code(self) -> str: ...
    @property
    def items_out(self) -> Mapping[str, int]: ...
    @property
    def items_back(self) -> Mapping[str, int]: ...
    @property
    def returned_estimated(self) -> bool: ...
    @property
    def advice(self) -> bool: ...
    @property
    def referral(self) -> bool: ...


@dataclass(frozen=True)
class ItemRules:
    """What the figures need to know about the pack's items and coverage."""

    returnable: frozenset[str]
    syringes: frozenset[str]
    injections_per_day: float


@dataclass
class Cell:
    """One point (or the network) in one month."""

    month: datetime.date  # the first day
    days: int
    transactions: int = 0
    out: Counter[str] = field(default_factory=Counter)
    back: Counter[str] = field(default_factory=Counter)
    returnable_out: int = 0
    returnable_back: int = 0
    syringes_out: int = 0
    returns_estimated: bool = False
    codes: set[str] = field(default_factory=set)
    coded_transactions: int = 0
    advice: int = 0
    referrals: int = 0
    # Filled by ``finish``.
    visits_per_person: float = 1.0
    estimated_participants: int = 0
    return_rate: float | None = None
    coverage: float | None = None

    @property
    def items_out(self) -> int:
        return sum(self.out.values())

    @property
    def items_back(self) -> int:
        return sum(self.back.values())

    @property
    def anonymous_transactions(self) -> int:
        return self.transactions - self.coded_transactions

    @property
    def own_visits_per_person(self) -> float | None:
        return self.coded_transactions / len(self.codes) if self.codes else None

    def add(self, row: Row, rules: ItemRules) -> None:
        self.transactions += 1
        for key, count in row.items_out.items():
            self.out[key] += count
            if key in rules.returnable:
                self.returnable_out += count
            if key in rules.syringes:
                self.syringes_out += count
        returned = 0
        for key, count in row.items_back.items():
            self.back[key] += count
            if key in rules.returnable:
                returned += count
        self.returnable_back += returned
        if row.returned_estimated and returned:
            self.returns_estimated = True
        if row.code:
            self.codes.add(row.code)
            self.coded_transactions += 1
        self.advice += int(row.advice)
        self.referrals += int(row.referral)

    def finish(self, rules: ItemRules, fallback_visits: float | None) -> None:
        self.visits_per_person = self.own_visits_per_person or fallback_visits or 1.0
        self.estimated_participants = estimate_participants(
            codes=len(self.codes),
            anonymous=self.anonymous_transactions,
            visits_per_person=self.visits_per_person,
        )
        self.return_rate = share(self.returnable_back, self.returnable_out)
        self.coverage = share(
            self.syringes_out,
            self.estimated_participants * rules.injections_per_day * self.days,
        )


def share(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def estimate_participants(*, codes: int, anonymous: int, visits_per_person: float) -> int:
    """Distinct codes plus the transactions without a code over the visits per person, rounded
    up (a part of a person is a person). Guarded against float noise: 6 / 1.5 is 4."""
    if anonymous <= 0:
        return codes
    return codes + math.ceil(round(anonymous / max(visits_per_person, 1.0), 9))


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months from ``first``'s to ``last``'s, both included."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(datetime.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def days_counted(month: datetime.date, today: datetime.date) -> int:
    """The days of ``month`` the coverage divides by: all of them, or up to today in the
    current month (0 for a month that has not begun)."""
    length = calendar.monthrange(month.year, month.month)[1]
    if (month.year, month.month) == (today.year, today.month):
        return today.day
    return 0 if month > today else length


@dataclass
class Figures:
    months: list[datetime.date]
    points: dict[int, list[Cell]]  # per point, one cell per month
    network: list[Cell]
    rules: ItemRules


def compute(
    rows: Iterable[Row],
    *,
    point_ids: Sequence[int],
    months: Sequence[datetime.date],
    rules: ItemRules,
    today: datetime.date,
) -> Figures:
    """Every point's cells and the network's, month by month (see the module's definitions)."""
    index = {month: i for i, month in enumerate(months)}
    days = [days_counted(month, today) for month in months]
    points = {pid: [Cell(month, days[i]) for i, month in enumerate(months)] for pid in point_ids}
    network = [Cell(month, days[i]) for i, month in enumerate(months)]
    for row in rows:
        i = index.get(row.day.replace(day=1))
        if i is None:
            continue
        if row.point_id in points:
            points[row.point_id][i].add(row, rules)
        network[i].add(row, rules)
    for i, cell in enumerate(network):
        cell.finish(rules, None)
        for cells in points.values():
            cells[i].finish(rules, cell.own_visits_per_person)
    return Figures(months=list(months), points=points, network=network, rules=rules)
