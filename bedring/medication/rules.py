"""The dose rules of medication-assisted treatment as pure functions (MED-1, MED-2, MED-8).

No ORM here: the services read the records and the site's calendar, call these functions and
turn a refusal into a ``DomainError``. Each function answers one question, so each rule is
written once and tested on its own (tests/medication/test_rules.py).

Rules decided here where the sources are silent:

* **Dose days.** A prescription names the weekdays the dose is taken at the desk
  (``supervised``) and the weekdays it is taken at home (``take_home``). A weekday in neither
  list has no dose.
* **Take-home window.** ``pickup_interval_days`` is how far ahead a handover may reach: on
  day D the take-home days from D to D + interval are open for a handover. The interval must
  reach every take-home day from the supervised visit before it (a weekend after Friday
  needs 2; Monday's visit before take-home Wednesday and Thursday needs 3), otherwise the
  client could not be given the doses prescribed.
* **A missed day** is a day with a dose planned that no dispensing covers and that has ended
  (today does not count yet). A supervised day on which the site gave no medication (a public
  holiday, a closed day) is the prescriber's to plan for, not the client's miss: it neither
  counts nor breaks a run. A take-home day that no handover covered is missed: the client had
  no dose that day. Days before ``counted_from`` (the start, or the day a doctor lifted the
  last hold) are not looked at.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.formats import number_format

if TYPE_CHECKING:
    from bedring.accounts.selectors import SiteCalendar

SUPERVISED = "supervised"
TAKE_HOME = "take_home"


@dataclass(frozen=True)
class DoseWeek:
    """Which weekdays (0 = Monday) the dose is taken at the desk and at home."""

    supervised: frozenset[int]
    take_home: frozenset[int]

    def kind_on(self, day: datetime.date) -> str:
        weekday = day.weekday()
        if weekday in self.supervised:
            return SUPERVISED
        if weekday in self.take_home:
            return TAKE_HOME
        return ""


class DoseRuleError(ValueError):
    """A rule refused; ``code`` is stable, ``params`` fill the translated message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# --- prescribing ---------------------------------------------------------------------------


def check_weekdays(supervised: Iterable[int], take_home: Iterable[int]) -> DoseWeek:
    sup, home = list(supervised), list(take_home)
    if any(not isinstance(d, int) or d < 0 or d > 6 for d in [*sup, *home]):
        raise DoseRuleError("bad_weekday")
    if set(sup) & set(home):
        raise DoseRuleError("weekday_twice")
    if not sup and not home:
        raise DoseRuleError("no_dose_days")
    if home and not sup:
        # Take-home doses are handed out at a visit; without a desk day there is none.
        raise DoseRuleError("take_home_without_visit")
    return DoseWeek(frozenset(sup), frozenset(home))


def take_home_reach(week: DoseWeek) -> int:
    """How far ahead a visit must reach so that every take-home day can be handed out at the
    supervised visit before it: the largest distance from a supervised day to a take-home day
    before the next supervised day (a weekend after Friday: 2; Monday's visit before
    take-home Wednesday and Thursday: 3)."""
    reach = 0
    for visit in week.supervised:
        for ahead in range(1, 8):
            day = (visit + ahead) % 7
            if day in week.supervised:
                break
            if day in week.take_home:
                reach = max(reach, ahead)
    return reach


def check_pickup_interval(week: DoseWeek, interval_days: int) -> None:
    if interval_days < 1 or interval_days > 28:
        raise DoseRuleError("pickup_interval_range", maximum=28)
    needed = take_home_reach(week)
    if interval_days < needed:
        raise DoseRuleError("pickup_interval_too_short", needed=needed)


def check_dose(dose: Decimal, *, maximum: Decimal) -> None:
    if not dose.is_finite() or dose <= 0:
        raise DoseRuleError("dose_not_positive")
    # The maximum first: quantizing a huge number (1E+30) raises InvalidOperation.
    if dose > maximum:
        raise DoseRuleError("dose_above_maximum", maximum=maximum)
    if dose != dose.quantize(Decimal("0.01")):
        raise DoseRuleError("dose_precision")


# "1 mg/ml": a solution's strength, read to show a dose in mg as the volume measured out.
SOLUTION_STRENGTH_RE = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*mg\s*/\s*ml\s*\Z", re.IGNORECASE)


def dose_volume_ml(dose: Decimal, *, strength: str, unit: str) -> Decimal | None:
    """MED-1: the millilitres of a solution that a dose in mg is ("80 mg = 80 ml" for
    methadone 1 mg/ml); None for a medicine whose strength is not in mg per ml."""
    match = SOLUTION_STRENGTH_RE.match(strength)
    if unit != "mg" or match is None or not dose.is_finite():
        return None
    per_ml = Decimal(match[1].replace(",", "."))
    if per_ml <= 0:
        return None
    return (dose / per_ml).quantize(Decimal("0.01"))


def weekday_runs(days: Iterable[int]) -> list[tuple[int, int]]:
    """Weekdays (0 = Monday) as runs of consecutive days, Monday first:
    [0, 1, 2, 3, 4, 5] is [(0, 5)] ("Mon–Sat"), [0, 2, 4] is [(0, 0), (2, 2), (4, 4)]."""
    runs: list[tuple[int, int]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def supervised_days_without_medication(
    supervised: Iterable[int], medication_weekdays: Collection[int]
) -> list[int]:
    """MED-6: the supervised weekdays on which the site gives no medication at all (a
    warning when prescribing: the client could not take the dose at the desk that day)."""
    return sorted(set(supervised) - set(medication_weekdays))


def change_needs_reason(old: Decimal, new: Decimal, *, step: Decimal) -> bool:
    """MED-1: a dose change larger than the medicine's step needs a written reason."""
    return abs(new - old) > step


def check_period(starts_on: datetime.date, ends_on: datetime.date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise DoseRuleError("end_before_start")


def check_substitution_age(
    birth_date: datetime.date | None, starts_on: datetime.date, *, minimum: int
) -> None:
    """MED-8: substitution only from the age of ``minimum`` (18) on the start date."""
    if birth_date is None:
        raise DoseRuleError("substitution_age_unknown", minimum=minimum)
    before_birthday = (starts_on.month, starts_on.day) < (birth_date.month, birth_date.day)
    age = starts_on.year - birth_date.year - int(before_birthday)
    if age < minimum:
        raise DoseRuleError("substitution_under_age", minimum=minimum, age=age)


# --- dispensing ----------------------------------------------------------------------------


def in_period(day: datetime.date, starts_on: datetime.date, ends_on: datetime.date | None) -> bool:
    return starts_on <= day and (ends_on is None or day <= ends_on)


def check_in_period(
    day: datetime.date, starts_on: datetime.date, ends_on: datetime.date | None
) -> None:
    if day < starts_on:
        raise DoseRuleError("not_started", starts_on=starts_on)
    if ends_on is not None and day > ends_on:
        raise DoseRuleError("expired", ends_on=ends_on)


def take_home_days_allowed(
    *,
    today: datetime.date,
    week: DoseWeek,
    interval_days: int,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
) -> list[datetime.date]:
    """The take-home days a handover on ``today`` may cover (before looking at what is
    already covered): prescribed take-home weekdays from today to today + interval, within
    the prescription's period."""
    days = []
    for offset in range(interval_days + 1):
        day = today + datetime.timedelta(days=offset)
        if week.kind_on(day) == TAKE_HOME and in_period(day, starts_on, ends_on):
            days.append(day)
    return days


def check_take_home(
    days: Collection[datetime.date],
    *,
    allowed: Collection[datetime.date],
    covered: Collection[datetime.date],
) -> None:
    """MED-2: take-home doses only as prescribed and never over a day already covered."""
    if not days:
        raise DoseRuleError("no_take_home_days")
    not_allowed = sorted(set(days) - set(allowed))
    if not_allowed:
        raise DoseRuleError("take_home_not_prescribed", day=not_allowed[0])
    overlap = sorted(set(days) & set(covered))
    if overlap:
        raise DoseRuleError("take_home_overlap", day=overlap[0])


def missed_in_a_row(
    *,
    today: datetime.date,
    counted_from: datetime.date,
    week: DoseWeek,
    ends_on: datetime.date | None,
    covered: Collection[datetime.date],
    desk_open: Callable[[datetime.date], bool],
    limit: int,
) -> tuple[int, datetime.date | None]:
    """MED-2: the missed dose days in a row before ``today`` (see the module's rules), up to
    ``limit``, and the earliest day of that run (None when nothing is missed).
    Walks back from yesterday; stops at the first covered day, at ``counted_from``, or once
    ``limit`` is reached, so the work is bounded by the limit, not by the history."""
    missed = 0
    earliest: datetime.date | None = None
    day = today - datetime.timedelta(days=1)
    # Every week has a dose day (check_weekdays); 8 more weeks bound a run of closed days.
    lookback_end = today - datetime.timedelta(days=lookback_days(limit))
    while day >= counted_from and day >= lookback_end and missed < limit:
        if day in covered:
            break
        kind = week.kind_on(day)
        planned = ends_on is None or day <= ends_on
        if planned and (kind == TAKE_HOME or (kind == SUPERVISED and desk_open(day))):
            missed += 1
            earliest = day
        day -= datetime.timedelta(days=1)
    return missed, earliest


def lookback_days(limit: int) -> int:
    """How many days back ``missed_in_a_row`` may look: what to load from the database."""
    return 7 * (limit + 8)


def desk_open_on(calendar: SiteCalendar) -> Callable[[datetime.date], bool]:
    """Whether the site gave medication on a day: medication hours that weekday and not a
    closed day."""
    medication = calendar.hours.get("medication", {})

    def is_open(day: datetime.date) -> bool:
        return bool(medication.get(day.weekday())) and not calendar.is_closed_day(day)

    return is_open


# --- urine tests, travel certificates and co-payments (MED-4, MED-5, MED-9) ----------------

# [0-9], not \d (any script's digits), and \Z, not $ (which lets a final newline through).
WEEK_RE = re.compile(r"^([0-9]{4})-W([0-9]{2})\Z")
WEEK_YEARS = (1900, 2999)  # the years a co-payment week may be in
MEDICINE_NOTE_RE = re.compile(r"^([0-9]+) x ([0-9]+(?:\.[0-9]+)?)\Z")


class WeekOutOfRange(ValueError):
    """An ISO week outside ``WEEK_YEARS``."""


def week_days(week: str) -> tuple[datetime.date, datetime.date]:
    """The Monday and Sunday of an ISO week written "2026-W48". ValueError if it is none,
    ``WeekOutOfRange`` (a ValueError) if its year is not within ``WEEK_YEARS``."""
    match = WEEK_RE.match(week)
    if match is None:
        raise ValueError(week)
    year, number = int(match[1]), int(match[2])
    if not WEEK_YEARS[0] <= year <= WEEK_YEARS[1]:
        raise WeekOutOfRange(week)
    try:
        monday = datetime.date.fromisocalendar(year, number, 1)
        return monday, monday + datetime.timedelta(days=6)
    except OverflowError as exc:  # unreachable within WEEK_YEARS; never a 500
        raise ValueError(week) from exc


def week_of(day: datetime.date) -> str:
    year, number, _weekday = day.isocalendar()
    return f"{year}-W{number:02d}"


def travel_days(travel_from: datetime.date, travel_to: datetime.date) -> int:
    """The days a travel period covers, first and last day included."""
    return (travel_to - travel_from).days + 1


def total_quantity(daily_dose: Decimal, days: int) -> Decimal:
    return (daily_dose * days).quantize(Decimal("0.01"))


def medicine_note(doses: int, share_per_dose: Decimal) -> str:
    """MED-9: the stored note of a week's medicine row: the doses and the share per dose,
    language-neutral ("7 x 0.30"), so that the figures can be read back."""
    return f"{doses} x {share_per_dose}"


def medicine_note_figures(note: str) -> tuple[int, Decimal] | None:
    """The doses and the share per dose of a note written by ``medicine_note``; None for
    any other text."""
    match = MEDICINE_NOTE_RE.match(note)
    if match is None:
        return None
    return int(match[1]), Decimal(match[2])


def medicine_note_shown(note: str) -> str:
    """A medicine row's note in the active language's number format: "7 × 0,30" in Dutch.
    A note that is not in ``medicine_note``'s form is shown as it is."""
    figures = medicine_note_figures(note)
    if figures is None:
        return note
    doses, share = figures
    exponent = share.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{number_format(doses)} × {number_format(share, decimal_pos=places)}"
