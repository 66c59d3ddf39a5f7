"""The outcome figures (DIS-3, DIS-4, INT-5, INT-6, PLN-2, DIS-2, SCH-2) as pure functions.

No ORM here: the selectors fetch small frozen rows and pass them in, the tests build the rows
by hand. Every figure keeps the ids of the episodes in its numerator and its denominator so
that every number on the dashboard opens the list of episodes behind it.

Conventions shared by every function:

- A period is ``start`` to ``end``, both days included.
- ``today`` is the day the figures are computed; a deadline due today is not yet overdue.
- A figure whose denominator is 0 has the value ``None`` (shown as "no data"), never 0 %.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.utils.translation import gettext_lazy as _

from .definitions import goal_reached, met_on_time, owed_by

COMPLETED = "completed"
OUTPATIENT = "outpatient"
# Readmission: "within 12 months" is read as 365 days after the day of discharge.
READMISSION_DAYS = 365

# The goal-attainment and readmission targets are an organisation's own (Assens: at least 75 %,
# at most 50 %, seed 002 §2): data in its pack (``outcome_targets``), passed in as ``target``.
# The treatment guarantee and the first contact are rights: every client, so 100 %.
GUARANTEE_TARGET = 1.0
FIRST_CONTACT_TARGET = 1.0
ON_TIME_TARGET = 1.0

TargetKind = Literal["min", "max"]


@dataclass(frozen=True)
class Figure:
    """A share: ``numerator`` of ``denominator``, with the episodes behind each."""

    key: str
    numerator: int
    denominator: int
    target: float | None = None
    target_kind: TargetKind = "min"
    numerator_ids: tuple[int, ...] = ()
    denominator_ids: tuple[int, ...] = ()

    @property
    def value(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator

    @property
    def percent(self) -> float | None:
        value = self.value
        return None if value is None else round(100 * value, 1)

    @property
    def meets_target(self) -> bool | None:
        value = self.value
        if value is None or self.target is None:
            return None
        return value >= self.target if self.target_kind == "min" else value <= self.target


@dataclass(frozen=True)
class Spread:
    """Waiting time in days: how many, the median and the 90th percentile."""

    key: str
    count: int
    median: int | None
    p90: int | None
    episode_ids: tuple[int, ...] = ()


# --- rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DischargeRow:
    episode_id: int
    client_id: int
    discharged_on: datetime.date
    status: str
    overall_result: str
    intensity: str


@dataclass(frozen=True)
class OpeningRow:
    """An episode's opening (the inquiry day), for readmissions."""

    episode_id: int
    client_id: int
    opened_on: datetime.date


@dataclass(frozen=True)
class StartRow:
    """An episode that started treatment (waiting time)."""

    episode_id: int
    opened_on: datetime.date
    started_on: datetime.date


@dataclass(frozen=True)
class GuaranteeRow:
    """A TREATMENT_START deadline (due day = inquiry + the rule pack's guarantee days), of an
    organisation whose rule pack has a start guarantee."""

    episode_id: int
    due_on: datetime.date
    status: str
    closed_on: datetime.date | None


@dataclass(frozen=True)
class FirstContactRow:
    """A FIRST_CONTACT deadline and the local day of the episode's first contact."""

    episode_id: int
    due_on: datetime.date
    status: str
    first_contact_on: datetime.date | None


@dataclass(frozen=True)
class DeadlineRow:
    episode_id: int
    due_on: datetime.date
    status: str
    closed_on: datetime.date | None = None


@dataclass(frozen=True)
class AttendanceRow:
    """Attendance of one status (``count`` records: the selector may count in the database)."""

    offer: str
    episode_id: int | None
    status: str
    count: int = 1


@dataclass(frozen=True)
class EnrolmentRow:
    offer: str
    client_id: int
    episode_id: int | None
    birth_date: datetime.date | None


# --- helpers ---------------------------------------------------------------------------------


def in_period(day: datetime.date | None, start: datetime.date, end: datetime.date) -> bool:
    return day is not None and start <= day <= end


def _figure(
    key: str,
    pairs: Iterable[tuple[int, bool]],
    target: float | None,
    target_kind: TargetKind = "min",
) -> Figure:
    denominator: list[int] = []
    numerator: list[int] = []
    for episode_id, counts in pairs:
        denominator.append(episode_id)
        if counts:
            numerator.append(episode_id)
    return Figure(
        key=key,
        numerator=len(numerator),
        denominator=len(denominator),
        target=target,
        target_kind=target_kind,
        numerator_ids=tuple(sorted(numerator)),
        denominator_ids=tuple(sorted(denominator)),
    )


def nearest_rank(sorted_values: Sequence[int], percent: int) -> int | None:
    """The nearest-rank percentile: the value at rank ceil(percent/100 * n) (1-based) of the
    sorted values, i.e. the smallest value with at least ``percent`` % of the values at or below
    it. The median (50) of an even number of values is therefore the lower middle value; no
    interpolation, so the answer is always a real waiting time and SQL can compute the same."""
    n = len(sorted_values)
    if n == 0:
        return None
    rank = (n * percent + 99) // 100  # ceil without floats
    return sorted_values[max(rank, 1) - 1]


# --- the figures -----------------------------------------------------------------------------


def goal_attainment(
    discharges: Iterable[DischargeRow],
    *,
    start: datetime.date,
    end: datetime.date,
    completed_only: bool = False,
    target: float | None = None,
) -> Figure:
    """DIS-3: share of outpatient discharges whose overall result is drug-free or reduced use.

    Denominator: discharges with ``intensity == outpatient`` and ``start <= discharged_on <=
    end``; with ``completed_only`` only those with status ``completed``, otherwise every
    discharge status (completed, transferred, ended for another reason, own wish, no-show,
    institution). Numerator: those of them with overall result ``drug_free`` or ``reduced``.
    Target: the organisation's ``target`` (at least), if it has one.
    """
    return _figure(
        "goal_attainment_completed" if completed_only else "goal_attainment_all",
        (
            (d.episode_id, goal_reached(d.overall_result))
            for d in discharges
            if d.intensity == OUTPATIENT
            and in_period(d.discharged_on, start, end)
            and (not completed_only or d.status == COMPLETED)
        ),
        target,
    )


def readmission_cohort_end(today: datetime.date) -> datetime.date:
    """The last discharge day whose 365 days after have all passed before ``today``."""
    return today - datetime.timedelta(days=READMISSION_DAYS + 1)


def openings_by_client(openings: Iterable[OpeningRow]) -> dict[int, list[datetime.date]]:
    """The opening days per client (build once, pass to :func:`readmission` many times)."""
    by_client: dict[int, list[datetime.date]] = defaultdict(list)
    for o in openings:
        by_client[o.client_id].append(o.opened_on)
    return by_client


def readmission(
    discharges: Iterable[DischargeRow],
    openings: Iterable[OpeningRow] | Mapping[int, Sequence[datetime.date]],
    *,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    target: float | None = None,
) -> Figure:
    """DIS-4: share of completed discharges whose client comes back within 12 months.

    "12 months" is 365 days: a discharge on day D counts as readmitted when the same client
    opens another episode (its inquiry day, ``opened_on``) on D+1 .. D+365; day 365 counts,
    day 366 does not, and an episode opened on D itself does not. An episode that ended
    before treatment (withdrawn) is not a readmission: the selector leaves those openings out.
    Denominator: discharges with status ``completed``, ``start <= D <= end``, and only the
    cohort whose 365 days have passed: ``D + 365 < today``. Target: the organisation's
    ``target`` (at most), if it has one.
    """
    by_client = openings if isinstance(openings, Mapping) else openings_by_client(openings)
    window = datetime.timedelta(days=READMISSION_DAYS)
    one = datetime.timedelta(days=1)
    return _figure(
        "readmission",
        (
            (
                d.episode_id,
                any(
                    d.discharged_on + one <= day <= d.discharged_on + window
                    for day in by_client.get(d.client_id, ())
                ),
            )
            for d in discharges
            if d.status == COMPLETED
            and in_period(d.discharged_on, start, end)
            and d.discharged_on + window < today
        ),
        target,
        "max",
    )


def treatment_guarantee(
    rows: Iterable[GuaranteeRow],
    *,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
) -> Figure:
    """INT-5 (DK): share of treatment guarantees kept.

    Rows: the TREATMENT_START deadlines, due on the inquiry day plus the rule pack's
    ``start_guarantee_days``. Counted by the due day, like the first contact, so that a client
    still waiting past the guarantee counts against it. Denominator: deadlines due ``start <=
    due_on <= end`` that are met (on time), met late, or still open and overdue (``due_on <
    today``; one due today is not yet late). Waived (the client chose another provider, DEC-4)
    and cancelled (the episode ended before treatment) count nowhere. Numerator: met on time
    (status met, or closed on or before the due day). Target: 100 %.
    """
    return _figure(
        "treatment_guarantee",
        (
            (r.episode_id, met_on_time(r.status, r.due_on, r.closed_on))
            for r in rows
            if in_period(r.due_on, start, end) and owed_by(r.status, r.due_on, today)
        ),
        GUARANTEE_TARGET,
    )


def first_contact(
    rows: Iterable[FirstContactRow],
    *,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
) -> Figure:
    """INT-6 (NO): share of first contacts within the rule pack's working days.

    Rows: the FIRST_CONTACT deadlines (due day = inquiry + ``first_contact_working_days``
    working days of the jurisdiction's calendar and the organisation's closed days, set when
    the inquiry was registered). Denominator: deadlines due ``start <= due_on <= end``, not
    waived or cancelled (the episode ended before a contact was owed), and either contacted or
    overdue (no contact and ``due_on < today``); one not yet due and not yet contacted is
    still open and counts nowhere. Numerator: the first contact's local day ``<= due_on``.
    Target: 100 %.
    """
    return _figure(
        "first_contact",
        (
            (r.episode_id, r.first_contact_on is not None and r.first_contact_on <= r.due_on)
            for r in rows
            if in_period(r.due_on, start, end)
            and r.status not in ("waived", "cancelled")
            and (r.first_contact_on is not None or r.due_on < today)
        ),
        FIRST_CONTACT_TARGET,
    )


def deadlines_on_time(
    key: str,
    rows: Iterable[DeadlineRow],
    *,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
) -> Figure:
    """PLN-2 (plan evaluations every 3 months), DIS-2 (follow-ups after discharge): share of
    deadlines met on time.

    Denominator: deadlines due ``start <= due_on <= end`` that are met (on time), met late,
    or still open and overdue (``due_on < today``). Waived and cancelled deadlines, and open
    ones not yet overdue, count nowhere. Numerator: met on time. Target: 100 %.
    """
    return _figure(
        key,
        (
            (r.episode_id, met_on_time(r.status, r.due_on, r.closed_on))
            for r in rows
            if in_period(r.due_on, start, end) and owed_by(r.status, r.due_on, today)
        ),
        ON_TIME_TARGET,
    )


def waiting_time(starts: Iterable[StartRow], *, start: datetime.date, end: datetime.date) -> Spread:
    """INT-5: days from the inquiry (``opened_on``) to the start of treatment, for episodes
    that started ``start <= started_on <= end`` (free choice included: it is still a wait).
    Median and 90th percentile by the nearest-rank method (:func:`nearest_rank`)."""
    chosen = [s for s in starts if in_period(s.started_on, start, end)]
    days = sorted((s.started_on - s.opened_on).days for s in chosen)
    return Spread(
        key="waiting_time",
        count=len(days),
        median=nearest_rank(days, 50),
        p90=nearest_rank(days, 90),
        episode_ids=tuple(sorted(s.episode_id for s in chosen)),
    )


def no_show_by_offer(rows: Iterable[AttendanceRow]) -> dict[str, Figure]:
    """SCH-2: per offer, the share of booked sessions the client did not come to.

    Rows: attendance recorded for sessions in the period (the selector filters by the
    session's day). Denominator: attended + absent (a cancellation with notice is not a booked
    session any more). Numerator: absent without notice. No target. The ids are the episodes
    of the enrolments (an enrolment without an episode adds no id)."""
    by_offer: dict[str, list[AttendanceRow]] = defaultdict(list)
    for r in rows:
        if r.status in ("attended", "absent"):
            by_offer[r.offer].append(r)
    result: dict[str, Figure] = {}
    for offer in sorted(by_offer):
        chosen = by_offer[offer]
        result[offer] = Figure(
            key="no_show",
            numerator=sum(r.count for r in chosen if r.status == "absent"),
            denominator=sum(r.count for r in chosen),
            target=None,
            numerator_ids=tuple(
                sorted({r.episode_id for r in chosen if r.status == "absent" and r.episode_id})
            ),
            denominator_ids=tuple(sorted({r.episode_id for r in chosen if r.episode_id})),
        )
    return result


AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-14", 0, 14),
    ("15-17", 15, 17),
    ("18-23", 18, 23),
    ("24-29", 24, 29),
    ("30-49", 30, 49),
    ("50+", 50, None),
)


# The band of a client without a birth date: a key in the data (CSV offer/band column keeps
# the label, the API the key); people see :func:`band_label`.
UNKNOWN_BAND = "unknown"
BAND_LABELS = {UNKNOWN_BAND: _("Age unknown")}


def band_label(band: str) -> str:
    """The age band as shown to people: the numeric bands as they are, ``unknown`` translated."""
    label = BAND_LABELS.get(band)
    return band if label is None else str(label)


def age_band(birth_date: datetime.date | None, on: datetime.date) -> str:
    """The catalogue's age bands (catalogue.models.AgeBand); ``unknown`` without a birth date."""
    if birth_date is None:
        return UNKNOWN_BAND
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    age = on.year - birth_date.year - int(before_birthday)
    for band, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return band
    return UNKNOWN_BAND


@dataclass(frozen=True)
class ClientCount:
    offer: str
    band: str
    clients: int
    episode_ids: tuple[int, ...] = field(default=())

    @property
    def band_label(self) -> str:
        return band_label(self.band)


def clients_by_offer_and_age(
    rows: Iterable[EnrolmentRow], *, end: datetime.date
) -> list[ClientCount]:
    """CAT-1: distinct clients per offer and age band (age on the last day of the period).

    Rows: enrolments that overlap the period (the selector filters ``starts_on <= end`` and not
    ended before ``start``). A client enrolled twice in one offer counts once."""
    cells: dict[tuple[str, str], dict[int, int | None]] = defaultdict(dict)
    for r in rows:
        clients = cells[(r.offer, age_band(r.birth_date, end))]
        if r.client_id not in clients or clients[r.client_id] is None:
            clients[r.client_id] = r.episode_id
    return [
        ClientCount(
            offer=offer,
            band=band,
            clients=len(clients),
            episode_ids=tuple(sorted({e for e in clients.values() if e is not None})),
        )
        for (offer, band), clients in sorted(cells.items())
    ]


# --- monthly series --------------------------------------------------------------------------


def months(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The calendar months of the period, each clipped to the period."""
    result: list[tuple[datetime.date, datetime.date]] = []
    first = start.replace(day=1)
    while first <= end:
        following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        result.append((max(first, start), min(following - datetime.timedelta(days=1), end)))
        first = following
    return result
