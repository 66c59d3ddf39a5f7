"""Working-day arithmetic per jurisdiction.

Pure functions (no Django, no database) used for deadline arithmetic, for example the
Norwegian "contact the patient within 3 working days" or "call back the first following
working day". A working day is Monday to Friday that is neither a public holiday of the
jurisdiction nor one of the service's own ``closed_days`` (staff days, Christmas Eve, ...).

Public holidays come from the ``holidays`` package, never from a hand-written table. Only
its "public" category is used, so for example Christmas Eve (DK "optional"), Danish
Constitution Day (DK "optional") and 26 December in Belgium ("bank") are working days here;
a service that closes on them passes them as ``closed_days``. Weekends are handled
separately, which is why ordinary Sundays are never reported as holidays (for Norway the
package can optionally list every Sunday; that option is switched off explicitly).

Counting conventions: the day a deadline starts from is never counted itself.
``add_working_days(start, 3, ...)`` is the third working day strictly after ``start`` and
``working_days_between(start, end, ...)`` counts the working days ``d`` with
``start < d <= end``, so the two are inverses of each other.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Literal, get_args

import holidays

__all__ = [
    "JURISDICTIONS",
    "Jurisdiction",
    "add_working_days",
    "is_public_holiday",
    "is_working_day",
    "next_working_day",
    "public_holidays",
    "working_days_between",
]

Jurisdiction = Literal["DK", "NO", "BE"]

JURISDICTIONS: tuple[Jurisdiction, ...] = get_args(Jurisdiction)

# Holiday names would otherwise follow the process locale (LANGUAGE, LC_ALL, LC_MESSAGES,
# LANG), so the same code gives Danish names in one shell and English in another.
_NAME_LANGUAGE = "en_US"

_ONE_DAY = timedelta(days=1)


def _check_jurisdiction(jurisdiction: str) -> None:
    if jurisdiction not in JURISDICTIONS:
        raise ValueError(
            f"Unknown jurisdiction {jurisdiction!r}; expected one of {', '.join(JURISDICTIONS)}"
        )


@lru_cache(maxsize=256)
def public_holidays(jurisdiction: Jurisdiction, year: int) -> Mapping[date, str]:
    """The public holidays of ``jurisdiction`` in ``year``, as a read-only date -> name map.

    Names are in English whatever the locale of the process. Holidays that fall on a weekend
    (Easter Sunday, Whit Sunday, a 17 May on a Saturday) are included; ordinary Sundays are
    not.
    """
    _check_jurisdiction(jurisdiction)
    if jurisdiction == "NO":
        found = holidays.country_holidays(
            "NO", years=year, language=_NAME_LANGUAGE, include_sundays=False
        )
    else:
        found = holidays.country_holidays(jurisdiction, years=year, language=_NAME_LANGUAGE)
    # Copy: the package's object is a mutable dict that grows when asked about other years.
    return MappingProxyType({day: str(name) for day, name in found.items()})


def is_public_holiday(day: date, jurisdiction: Jurisdiction) -> bool:
    """Whether ``day`` is a public holiday in ``jurisdiction`` (weekends do not count)."""
    return day in public_holidays(jurisdiction, day.year)


def _is_working_day(day: date, jurisdiction: Jurisdiction, closed: Collection[date]) -> bool:
    return day.weekday() < 5 and not is_public_holiday(day, jurisdiction) and day not in closed


def is_working_day(
    day: date, jurisdiction: Jurisdiction, closed_days: Collection[date] = ()
) -> bool:
    """Monday to Friday, not a public holiday and not one of the service's ``closed_days``."""
    _check_jurisdiction(jurisdiction)
    return _is_working_day(day, jurisdiction, closed_days)


def add_working_days(
    start: date, n: int, jurisdiction: Jurisdiction, closed_days: Collection[date] = ()
) -> date:
    """The ``n``-th working day strictly after ``start``.

    ``n == 0`` gives the first working day on or after ``start`` (``start`` itself if it is
    a working day). A negative ``n`` raises ``ValueError``.
    """
    if n < 0:
        raise ValueError(f"n must be zero or positive, got {n}")
    _check_jurisdiction(jurisdiction)
    closed = frozenset(closed_days)
    day = start
    if n == 0:
        while not _is_working_day(day, jurisdiction, closed):
            day += _ONE_DAY
        return day
    remaining = n
    while remaining:
        day += _ONE_DAY
        if _is_working_day(day, jurisdiction, closed):
            remaining -= 1
    return day


def next_working_day(
    day: date, jurisdiction: Jurisdiction, closed_days: Collection[date] = ()
) -> date:
    """The first working day strictly after ``day`` ("the first following working day")."""
    return add_working_days(day, 1, jurisdiction, closed_days)


def working_days_between(
    start: date, end: date, jurisdiction: Jurisdiction, closed_days: Collection[date] = ()
) -> int:
    """The number of working days ``d`` with ``start < d <= end``; 0 if ``end <= start``."""
    _check_jurisdiction(jurisdiction)
    if end <= start:
        return 0
    closed = frozenset(closed_days)
    count = 0
    day = start + _ONE_DAY
    while day <= end:
        if _is_working_day(day, jurisdiction, closed):
            count += 1
        day += _ONE_DAY
    return count
