"""Weekly hours of a site: opening hours, phone hours, medication hours.

Pure functions (no Django, no database). A site's week is a ``WeeklyHours`` mapping from
weekday (0 = Monday .. 6 = Sunday, as ``date.weekday()``) to the day's intervals; a missing
weekday or an empty sequence means closed all day. Intervals are half-open,
``start <= t < end``, and lie within one day.

All datetimes here are naive and in the site's LOCAL time: the caller converts to the
site's time zone first. Days on which the site is closed altogether (public holidays,
staff days) come from the ``is_closed_day`` callable, typically built from
``bedring.core.calendar``.

Parsing errors are ``HoursError`` with a machine ``code`` ("format", "order", "overlap")
and the offending ``text``; the English message is for logs, the UI translates by code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise

__all__ = [
    "HoursError",
    "Interval",
    "WeeklyHours",
    "closing_time",
    "format_intervals",
    "is_open_at",
    "next_opening",
    "parse_intervals",
]


class HoursError(ValueError):
    """Hours that cannot be used, with a stable ``code`` and the offending ``text``.

    Codes: ``"format"`` (not readable as hours), ``"order"`` (end not after start),
    ``"overlap"`` (two intervals overlap).
    """

    def __init__(self, code: str, text: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.text = text
        self.message = message


def _hhmm(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


@dataclass(frozen=True, order=True)
class Interval:
    """From ``start`` (inclusive) to ``end`` (exclusive) on the same day."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("Interval times must be naive local times")
        if self.end <= self.start:
            text = f"{_hhmm(self.start)}-{_hhmm(self.end)}"
            raise HoursError("order", text, f"The end must be after the start in {text!r}")

    def contains(self, t: time) -> bool:
        return self.start <= t < self.end

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


WeeklyHours = Mapping[int, Sequence[Interval]]

_TIME = r"([0-9]{1,2})(?:[:.]([0-9]{2}))?"
_INTERVAL_RE = re.compile(rf"{_TIME}\s*[-\u2013\u2014]\s*{_TIME}")
_EXAMPLE = "09:00-12:00, 13:00-19:00"


def _format_error(text: str) -> HoursError:
    return HoursError(
        "format", text, f"Cannot read {text!r} as hours; write for example {_EXAMPLE!r}"
    )


def _to_time(hour: str, minute: str | None, piece: str) -> time:
    h, m = int(hour), int(minute or 0)
    if h > 23 or m > 59:
        raise _format_error(piece)
    return time(h, m)


def parse_intervals(text: str) -> tuple[Interval, ...]:
    """Read one day's hours, e.g. ``"09:00-12:00, 13:00-19:00"``, ``"9-12"``, ``"09.00-12.00"``.

    An en or em dash may separate start and end, and commas or semicolons separate
    intervals (empty pieces are ignored). Blank text means closed (an empty tuple). The
    result is sorted by start.
    Raises ``HoursError`` for unreadable text (code "format"), an interval whose end is not
    after its start ("order") and intervals that overlap ("overlap"; touching is allowed).
    """
    pieces = [piece.strip() for piece in re.split(r"[,;]", text) if piece.strip()]
    intervals: list[Interval] = []
    for piece in pieces:
        match = _INTERVAL_RE.fullmatch(piece)
        if match is None:
            raise _format_error(piece)
        start = _to_time(match[1], match[2], piece)
        end = _to_time(match[3], match[4], piece)
        if end <= start:
            raise HoursError("order", piece, f"The end must be after the start in {piece!r}")
        intervals.append(Interval(start, end))
    intervals.sort()
    for earlier, later in pairwise(intervals):
        if later.start < earlier.end:
            pair = f"{earlier}, {later}"
            raise HoursError("overlap", pair, f"The intervals {pair!r} overlap")
    return tuple(intervals)


def format_intervals(intervals: Iterable[Interval]) -> str:
    """``"09:00-12:00, 13:00-19:00"``; the empty string for closed. Round-trips with parse."""
    return ", ".join(str(interval) for interval in sorted(intervals))


def _day_intervals(hours: WeeklyHours, day: date) -> list[Interval]:
    return sorted(hours.get(day.weekday(), ()))


def _check_naive(moment: datetime) -> None:
    if moment.tzinfo is not None:
        raise ValueError("Expected a naive datetime in the site's local time")


def is_open_at(hours: WeeklyHours, at: datetime, is_closed_day: Callable[[date], bool]) -> bool:
    """Whether the site is open at the naive local datetime ``at``."""
    _check_naive(at)
    day = at.date()
    if is_closed_day(day):
        return False
    moment = at.time()
    return any(interval.contains(moment) for interval in _day_intervals(hours, day))


def next_opening(
    hours: WeeklyHours,
    after: datetime,
    is_closed_day: Callable[[date], bool],
    horizon_days: int = 366,
) -> datetime | None:
    """The earliest moment at or after ``after`` when the site is open.

    ``after`` itself if the site is open then. Looks at the day of ``after`` and the
    following ``horizon_days`` days; None if the site is not open in that time.
    """
    _check_naive(after)
    if horizon_days < 0:
        raise ValueError(f"horizon_days must be zero or positive, got {horizon_days}")
    first_day = after.date()
    for offset in range(horizon_days + 1):
        try:
            day = first_day + timedelta(days=offset)
        except OverflowError:
            return None
        if is_closed_day(day):
            continue
        for interval in _day_intervals(hours, day):
            if offset == 0:
                if interval.contains(after.time()):
                    return after
                if interval.start < after.time():
                    continue
            return datetime.combine(day, interval.start)
    return None


def closing_time(
    hours: WeeklyHours, at: datetime, is_closed_day: Callable[[date], bool]
) -> datetime | None:
    """When the site closes again if it is open at ``at``; None if it is closed then.

    Touching intervals (09:00-12:00, 12:00-15:00) count as one opening, closing at 15:00.
    """
    _check_naive(at)
    day = at.date()
    if is_closed_day(day):
        return None
    moment = at.time()
    end: time | None = None
    for interval in _day_intervals(hours, day):
        if end is None:
            if interval.contains(moment):
                end = interval.end
        elif interval.start <= end:
            end = max(end, interval.end)
        else:
            break
    return None if end is None else datetime.combine(day, end)
