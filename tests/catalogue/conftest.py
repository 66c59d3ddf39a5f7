"""The course and enrolment scenarios (``test_courses_world``) are built on the calendar of
2026-27: a course that began on 3 November 2026, courses from January 2027 with New Year's
Day, the Easter of 2027 and a decision of 18 November 2026. Their facts are those days, so
the modules that use them move the clock to the scenario's own day, Monday 23 November 2026
at 10:00 in Sønderborg, whatever TODAY the suite declares. The attendance, calendar, gift
card and tally scenarios are dated from the clock and need no such move."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

SCENARIO_NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))


@pytest.fixture
def on_the_scenario_day(frozen_clock: time_machine.Traveller) -> None:
    frozen_clock.move_to(SCENARIO_NOW)
