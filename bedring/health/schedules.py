"""Health dates as pure functions (no ORM): vaccination dose schedules (HLT-2) and the follow-up
after a birth (HLT-4). The mandatory screenings of an intake (HLT-1) are deadlines the inquiry
opens: ``bedring.pathway.deadlines.mandatory_screening_deadlines``.

The dose schedules are data (``vaccination_schedules.yaml``), validated by pydantic when they
are first read; a wrong file fails loudly with the field, not with a silent default.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Literal

import yaml
from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bedring.pathway.deadlines import DeadlineSpec

SCHEDULE_FILE = Path(__file__).resolve().parent / "vaccination_schedules.yaml"
# HLT-4: the follow-up after a birth is due this many weeks after it (the usual postnatal
# check at six weeks; the seeds say "follow-up after birth" without a date).
POSTNATAL_FOLLOW_UP_WEEKS = 6
# Any date works to compare intervals of mixed units; a month end shows month arithmetic.
_REFERENCE_DAY = datetime.date(2001, 1, 31)


class ScheduleError(ValueError):
    pass


class Interval(BaseModel):
    """A length of time in calendar months, weeks and days (``{months: 6}``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    months: int = Field(default=0, ge=0, le=120)
    weeks: int = Field(default=0, ge=0, le=520)
    days: int = Field(default=0, ge=0, le=3650)

    def after(self, day: datetime.date) -> datetime.date:
        """``day`` plus this interval; calendar months first (31 January + 1 month is the
        last day of February), then weeks and days."""
        return day + relativedelta(months=self.months, weeks=self.weeks, days=self.days)

    @property
    def is_zero(self) -> bool:
        return not (self.months or self.weeks or self.days)


class DoseSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    at: Interval
    # Required after the first dose (checked by Schedule): a late dose pushes the next.
    min_after_previous: Interval | None = None


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    vaccine: Literal["hepatitis_a", "hepatitis_b", "hepatitis_ab"]
    doses: tuple[DoseSpec, ...] = Field(min_length=2, max_length=6)

    @model_validator(mode="after")
    def _doses_in_order(self) -> Schedule:
        if not self.doses[0].at.is_zero or self.doses[0].min_after_previous is not None:
            raise ValueError("the first dose is at {} (day 0) with no previous dose")
        if any(
            dose.min_after_previous is None or dose.min_after_previous.is_zero
            for dose in self.doses[1:]
        ):
            raise ValueError("every dose after the first needs a min_after_previous")
        days = [dose.at.after(_REFERENCE_DAY) for dose in self.doses]
        if any(later <= earlier for earlier, later in pairwise(days)):
            raise ValueError("the doses must come later and later")
        return self


class ScheduleBook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schedules: dict[str, Schedule]


def parse_schedules(text: str, *, expected: Sequence[str]) -> dict[str, Schedule]:
    """The schedules of a YAML text; exactly the ``expected`` keys, each valid."""
    try:
        book = ScheduleBook.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ScheduleError(problems) from exc
    if set(book.schedules) != set(expected):
        raise ScheduleError(
            f"schedules must be exactly {sorted(expected)}, not {sorted(book.schedules)}"
        )
    return book.schedules


@lru_cache(maxsize=1)
def vaccination_schedules() -> dict[str, Schedule]:
    from .models import VaccinationSchedule

    try:
        return parse_schedules(
            SCHEDULE_FILE.read_text(encoding="utf-8"), expected=VaccinationSchedule.values
        )
    except ScheduleError as exc:
        raise ScheduleError(f"{SCHEDULE_FILE.name}: {exc}") from exc


def next_dose_due(schedule: Schedule, given_on: Sequence[datetime.date]) -> datetime.date | None:
    """HLT-2: the due date of the dose after those given (``given_on``: the dates of doses
    1..n, in order), or None when the schedule is complete.

    The next dose is due its ``at`` after the first dose, but not before its
    ``min_after_previous`` after the last dose given."""
    if not given_on or len(given_on) >= len(schedule.doses):
        return None
    spec = schedule.doses[len(given_on)]
    due = spec.at.after(given_on[0])
    if spec.min_after_previous is not None:  # always, after the first dose
        due = max(due, spec.min_after_previous.after(given_on[-1]))
    return due


def next_dose_deadline(schedule_key: str, dose: int, due_on: datetime.date) -> DeadlineSpec:
    """HLT-2: the worklist item for dose ``dose`` of a schedule."""
    return DeadlineSpec(
        "vaccination",
        due_on,
        {"rule": "vaccination_schedule", "value": schedule_key, "dose": dose, "req": "HLT-2"},
    )


def postnatal_follow_up_deadline(born_on: datetime.date) -> DeadlineSpec:
    """HLT-4: the follow-up after a birth, ``POSTNATAL_FOLLOW_UP_WEEKS`` weeks after it."""
    return DeadlineSpec(
        "pregnancy_follow_up",
        born_on + datetime.timedelta(weeks=POSTNATAL_FOLLOW_UP_WEEKS),
        {"rule": "postnatal_follow_up_weeks", "value": POSTNATAL_FOLLOW_UP_WEEKS, "req": "HLT-4"},
    )
