"""Session dates of a course instance and booking dates of an individual offer (SCH-1).

Pure functions (no Django, no database): a group course instance stores its start date and
its offer's ``Cadence`` and ``Count``; this module turns them into dated sessions, and the
service that creates the instance saves what it returns. Keeping the arithmetic here means
it is tested on its own, with property tests, across holidays and ISO week boundaries.

Closed days are the jurisdiction's public holidays (``bedring.core.calendar``, the "public"
category only: Christmas Eve is not one in Denmark) plus the organisation's own
``closed_days``. What happens to a session that falls on one is a stated rule
(``ClosedRule``), never a silent choice, because participants and staff plan around it.

Two cadences that look alike differ across a year with 53 ISO weeks (2026, 2032, ...):

* ``biweekly`` means every 14 days from the first session. After week 52 it goes to week 1
  of the next year, so a course that met in even weeks meets in odd weeks from January on.
* ``iso_weeks="even"`` (or ``"odd"``) means only weeks whose ISO week *number* has that
  parity. Week 53 is odd, so after a 53-week year there are two odd weeks in a row (53 and
  1): an even-week course pauses for three weeks (52 -> 2), an odd-week course meets in two
  consecutive weeks (53 and 1). This is what Sønderborg's relatives course promises
  ("Thursdays in even weeks", SCH-3), so when a cadence gives a parity the parity wins,
  also for ``kind="biweekly"``: the parity already means every second week.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Literal

from bedring.catalogue.terms import Cadence, Count, Weekday
from bedring.core.calendar import (
    JURISDICTIONS,
    Jurisdiction,
    is_public_holiday,
    is_working_day,
)

__all__ = [
    "ClosedRule",
    "PlannedSession",
    "booking_dates",
    "generate_sessions",
    "iso_week_parity",
]

ClosedRule = Literal["move", "drop", "extend"]

_WEEKDAY_NUMBERS: dict[Weekday, int] = {
    "mon": 0,
    "tue": 1,
    "wed": 2,
    "thu": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}

_ONE_DAY = timedelta(days=1)
_ONE_WEEK = timedelta(weeks=1)

# An open count without weeks_max runs for a year: long enough to plan, short enough that a
# course nobody ends does not fill the calendar forever.
_OPEN_COUNT_WEEKS = 52

# How far ahead a session is looked for before giving up. Only reached when every day the
# cadence allows is closed (for example a long list of closed_days), which is a data error
# the caller should hear about rather than a loop that never ends.
_HORIZON = timedelta(days=366 * 10)


@dataclass(frozen=True)
class PlannedSession:
    """One dated session of a course, before it is saved.

    ``index`` is the 1-based number in date order (what the participants call "session 3").
    ``moved_from`` is the closed day the session was planned for when the ``"move"`` rule
    put it on another day, so the move can be shown and explained; otherwise None.
    """

    on: date
    starts: time | None
    minutes: int | None
    index: int
    moved_from: date | None = None


def iso_week_parity(day: date) -> Literal["even", "odd"]:
    """The parity of ``day``'s ISO week number; week 53 is odd (see the module docstring)."""
    return "even" if day.isocalendar().week % 2 == 0 else "odd"


def _check_jurisdiction(jurisdiction: str) -> None:
    if jurisdiction not in JURISDICTIONS:
        raise ValueError(
            f"Unknown jurisdiction {jurisdiction!r}; expected one of {', '.join(JURISDICTIONS)}"
        )


def _closed_test(jurisdiction: Jurisdiction, closed: frozenset[date]) -> Callable[[date], bool]:
    def is_closed(day: date) -> bool:
        return day in closed or is_public_holiday(day, jurisdiction)

    return is_closed


def _cadence_weekdays(cadence: Cadence, start: date) -> tuple[int, ...]:
    """The weekday numbers a course meets on; a weekly course without any meets on the
    start's weekday, which is how a course is usually announced ("from Monday 8 March")."""
    if cadence.weekdays:
        return tuple(sorted({_WEEKDAY_NUMBERS[name] for name in cadence.weekdays}))
    return (start.weekday(),)


def _slots(cadence: Cadence, start: date) -> Iterator[date]:
    """Every date the cadence allows on or after ``start``, closed or not, in order.

    Weeks run Monday to Sunday (ISO). A biweekly course counts its weeks from the week of
    its first session, not from the week of ``start``: a course that starts on a Friday but
    meets on Mondays has its first session the next Monday and every second week from there.
    """
    weekdays = _cadence_weekdays(cadence, start)
    parity = cadence.iso_weeks
    every_second_week = cadence.kind == "biweekly" and parity == "any"
    monday = start - timedelta(days=start.weekday())
    limit = start + _HORIZON
    first_week: date | None = None
    while monday <= limit:
        wanted = parity == "any" or iso_week_parity(monday) == parity
        if every_second_week and first_week is not None:
            wanted = (monday - first_week).days % 14 == 0
        if wanted:
            for weekday in weekdays:
                day = monday + timedelta(days=weekday)
                if day >= start:
                    if first_week is None:
                        first_week = monday
                    yield day
        monday += _ONE_WEEK


def _nominal(cadence: Cadence, count: Count, start: date, max_sessions: int) -> list[date]:
    """The sessions as the cadence and count plan them, before closed days are handled."""
    if count.kind == "open":
        target: int | None = None
        weeks: int | None = count.weeks_max or _OPEN_COUNT_WEEKS
    else:
        # Count's validator guarantees sessions for fixed and up_to counts.
        target = (count.sessions or 0) + count.extra
        weeks = count.weeks_max
        if target > max_sessions:
            raise ValueError(
                f"The count asks for {target} sessions, more than max_sessions={max_sessions}"
            )
    window_end = start + timedelta(weeks=weeks) if weeks is not None else None
    planned: list[date] = []
    for day in _slots(cadence, start):
        if window_end is not None and day >= window_end:
            break
        if len(planned) == (target if target is not None else max_sessions):
            break
        planned.append(day)
    if target is not None and window_end is None and len(planned) < target:
        raise ValueError(f"Could not plan {target} sessions within ten years of {start}")
    return planned


def _moved_day(
    day: date,
    *,
    weekdays: tuple[int, ...],
    occupied: set[date],
    is_closed: Callable[[date], bool],
    jurisdiction: Jurisdiction,
    closed: frozenset[date],
) -> date:
    """Where the ``"move"`` rule puts a session planned for the closed ``day``.

    First a later day of the same week that the course meets on and that is still free, so
    the course keeps to its own days where it can; then the next working day. Never onto a
    day that has a session of this course, so two sessions never share a day and the count
    is kept. A Monday-only course has no other day in its week, so its Easter Monday moves
    to the Tuesday; so does a Monday/Thursday course's, because its Thursday already has a
    session.
    """
    monday = day - timedelta(days=day.weekday())
    for weekday in weekdays:
        candidate = monday + timedelta(days=weekday)
        if candidate > day and not is_closed(candidate) and candidate not in occupied:
            return candidate
    candidate = day + _ONE_DAY
    limit = day + _HORIZON
    while candidate <= limit:
        if candidate not in occupied and is_working_day(candidate, jurisdiction, closed):
            return candidate
        candidate += _ONE_DAY
    raise ValueError(f"Could not move the session of {day} within ten years")


def generate_sessions(
    cadence: Cadence,
    count: Count,
    *,
    start: date,
    jurisdiction: Jurisdiction,
    closed_days: Collection[date] = (),
    on_closed: ClosedRule = "extend",
    minutes: int | None = None,
    max_sessions: int = 200,
) -> list[PlannedSession]:
    """The sessions of a group course instance starting on ``start`` (SCH-1).

    The cadence picks the days: ``weekly`` on its weekdays (default ``start``'s weekday),
    ``biweekly`` every 14 days from the first session, ``weekdays`` on each listed weekday
    every week, and ``iso_weeks`` even/odd keeps only weeks of that ISO parity (it wins over
    ``biweekly``; see the module docstring for why they differ after ISO week 53). No
    session is before ``start``.

    The count says how many: ``fixed`` and ``up_to`` plan ``sessions + extra`` (``up_to`` is
    planned at its maximum; the course may end earlier, SCH-2). ``weeks_max`` bounds the
    plan to sessions before ``start + weeks_max`` weeks ("2 days a week up to 8 weeks" is
    16 sessions). An ``open`` count plans every session in ``weeks_max`` (or 52) weeks, at
    most ``max_sessions``.

    A session on a closed day (public holiday or ``closed_days``) follows ``on_closed``:

    * ``"extend"`` (default): skipped, and one more occurrence of the cadence is added at
      the end, so participants keep all their sessions; the extension may run past
      ``weeks_max``. An open count has no number to keep, so there it is the same as
      ``"drop"``.
    * ``"drop"``: skipped; the course is one session shorter.
    * ``"move"``: moved to a later open day of the same week the course meets on, else to
      the next working day, never onto a day that has a session of this course; the moved
      session has ``moved_from`` set and may leave the cadence (a Thursday course whose
      Thursday and Friday are closed meets the next Monday).

    ``per_month`` cadences are booked one by one (``booking_dates``) and ``open`` cadences
    (drop-in, outreach) have no schedule: both raise ``ValueError``.
    """
    if cadence.kind == "per_month":
        raise ValueError(
            "A per_month cadence is for individual offers: use booking_dates, not sessions"
        )
    if cadence.kind == "open":
        raise ValueError("An open cadence (drop-in, outreach) has no schedule to generate")
    if max_sessions < 1:
        raise ValueError(f"max_sessions must be at least 1, got {max_sessions}")
    _check_jurisdiction(jurisdiction)
    closed = frozenset(closed_days)
    is_closed = _closed_test(jurisdiction, closed)

    planned = _nominal(cadence, count, start, max_sessions)
    placed: list[tuple[date, date | None]]
    if on_closed == "move":
        occupied = set(planned)
        weekdays = _cadence_weekdays(cadence, start)
        placed = []
        for day in planned:
            if not is_closed(day):
                placed.append((day, None))
                continue
            new_day = _moved_day(
                day,
                weekdays=weekdays,
                occupied=occupied,
                is_closed=is_closed,
                jurisdiction=jurisdiction,
                closed=closed,
            )
            occupied.add(new_day)
            placed.append((new_day, day))
        placed.sort()
    elif on_closed in ("drop", "extend"):
        placed = [(day, None) for day in planned if not is_closed(day)]
        if on_closed == "extend" and count.kind != "open" and len(placed) < len(planned):
            missing = len(planned) - len(placed)
            last = planned[-1]
            for day in _slots(cadence, start):
                if missing == 0:
                    break
                if day > last and not is_closed(day):
                    placed.append((day, None))
                    missing -= 1
            if missing:
                raise ValueError(
                    f"Could not add {missing} sessions within ten years of {start}: "
                    "are all the cadence's days closed?"
                )
    else:
        raise ValueError(f"Unknown on_closed rule {on_closed!r}; expected move, drop or extend")

    return [
        PlannedSession(
            on=day, starts=cadence.start_time, minutes=minutes, index=index, moved_from=moved
        )
        for index, (day, moved) in enumerate(placed, start=1)
    ]


def _next_month(first: date) -> date:
    return date(first.year + 1, 1, 1) if first.month == 12 else date(first.year, first.month + 1, 1)


def _spread(days: list[date], k: int) -> list[date]:
    """``k`` of ``days`` (``k <= len(days)``) as evenly apart as the days allow, from the
    first: 2 of 20 working days are the 1st and the 11th working day."""
    return [days[i * len(days) // k] for i in range(k)]


def booking_dates(
    cadence: Cadence,
    *,
    start: date,
    until: date,
    jurisdiction: Jurisdiction,
    closed_days: Collection[date] = (),
    times: int | None = None,
) -> list[date]:
    """Booking dates for an individual offer with a ``per_month`` cadence (SCH-1, CAT-2).

    ``times`` bookings (default the offer's maximum, e.g. 4 for "2-4 times a month"; a
    number outside the offer's range raises ``ValueError``) per calendar month, spread
    evenly over the month's working days from the first one on or after ``start``, up to
    ``until`` inclusive. Never on a weekend, a public holiday or one of ``closed_days``.

    A month that ``start`` or ``until`` cuts gets its share of ``times`` in proportion to the
    working days left in it, rounded half up: a client who starts on the 28th is not booked
    four times in three days. A month with fewer working days than bookings gets one booking
    on each working day.
    """
    if cadence.kind != "per_month" or cadence.times_per_month is None:
        raise ValueError(
            f"booking_dates needs a per_month cadence, got {cadence.kind!r}; "
            "group courses use generate_sessions"
        )
    low, high = cadence.times_per_month
    wanted = high if times is None else times
    if not low <= wanted <= high:
        raise ValueError(f"times={wanted} is outside the offer's {low}-{high} times a month")
    if until < start:
        raise ValueError(f"until ({until}) is before start ({start})")
    _check_jurisdiction(jurisdiction)
    closed = frozenset(closed_days)

    bookings: list[date] = []
    first = start.replace(day=1)
    while first <= until:
        following = _next_month(first)
        month_days = (first + timedelta(days=offset) for offset in range((following - first).days))
        working = [day for day in month_days if is_working_day(day, jurisdiction, closed)]
        available = [day for day in working if start <= day <= until]
        if available:
            share = wanted
            if len(available) < len(working):
                share = (2 * wanted * len(available) + len(working)) // (2 * len(working))
            bookings.extend(_spread(available, min(share, len(available))))
        first = following
    return bookings
