"""The vaccination schedules as data and the next dose's date as a pure function (HLT-2),
the mandatory screenings of an intake and the follow-up after a birth (HLT-1, HLT-4)."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bedring.health.models import VaccinationSchedule
from bedring.health.schedules import (
    POSTNATAL_FOLLOW_UP_WEEKS,
    Interval,
    ScheduleError,
    next_dose_due,
    parse_schedules,
    postnatal_follow_up_deadline,
    vaccination_schedules,
)
from bedring.pathway.deadlines import mandatory_screening_deadlines
from bedring.rules.packs import jurisdiction_pack, merged_pack

D = datetime.date
HEP_B = vaccination_schedules()["hepatitis_b"]
HEP_A = vaccination_schedules()["hepatitis_a"]
HEP_AB = vaccination_schedules()["hepatitis_ab"]
RAPID_B = vaccination_schedules()["hepatitis_b_accelerated"]


def test_every_schedule_in_the_data_is_a_choice_and_the_reverse():
    """HLT-2: the YAML and the choices offered to staff name the same schedules."""
    assert set(vaccination_schedules()) == set(VaccinationSchedule.values)


def test_the_shipped_schedules_have_the_published_dose_counts():
    """HLT-2: hepatitis B 0, 1, 6 months; A 0 and 6; A+B 0, 1, 6; rapid B 0, 7, 21 days + 12."""
    assert [len(s.doses) for s in (HEP_B, HEP_A, HEP_AB, RAPID_B)] == [3, 2, 3, 4]
    assert [s.vaccine for s in (HEP_B, HEP_A, HEP_AB, RAPID_B)] == [
        "hepatitis_b",
        "hepatitis_a",
        "hepatitis_ab",
        "hepatitis_b",
    ]


def test_hepatitis_b_doses_fall_one_and_six_months_after_the_first():
    """HLT-2: 0, 1 and 6 months."""
    assert next_dose_due(HEP_B, [D(2026, 3, 10)]) == D(2026, 4, 10)
    assert next_dose_due(HEP_B, [D(2026, 3, 10), D(2026, 4, 10)]) == D(2026, 9, 10)
    assert next_dose_due(HEP_B, [D(2026, 3, 10), D(2026, 4, 10), D(2026, 9, 10)]) is None


def test_a_month_after_31_january_is_the_end_of_february():
    """HLT-2: calendar months: 31 January + 1 month is 28 February, or 29 in a leap year."""
    assert next_dose_due(HEP_B, [D(2026, 1, 31)]) == D(2026, 2, 28)
    assert next_dose_due(HEP_B, [D(2028, 1, 31)]) == D(2028, 2, 29)
    assert next_dose_due(HEP_AB, [D(2026, 8, 31)]) == D(2026, 9, 30)


def test_six_months_after_31_august_is_the_end_of_february():
    assert next_dose_due(HEP_A, [D(2026, 8, 31)]) == D(2027, 2, 28)
    assert next_dose_due(HEP_B, [D(2027, 8, 31), D(2027, 9, 30)]) == D(2028, 2, 29)


def test_the_accelerated_schedule_counts_days_then_twelve_months():
    """HLT-2: rapid hepatitis B: 0, 7, 21 days and a booster 12 months after the first dose."""
    first = D(2026, 1, 31)
    assert next_dose_due(RAPID_B, [first]) == D(2026, 2, 7)
    assert next_dose_due(RAPID_B, [first, D(2026, 2, 7)]) == D(2026, 2, 21)
    assert next_dose_due(RAPID_B, [first, D(2026, 2, 7), D(2026, 2, 21)]) == D(2027, 1, 31)


def test_a_late_dose_pushes_the_next_one_to_its_minimum_interval():
    """HLT-2: hepatitis B dose 2 given at 5 months: dose 3 waits 8 weeks after it, instead of
    following three weeks later at 6 months."""
    assert next_dose_due(HEP_B, [D(2026, 1, 10), D(2026, 6, 17)]) == D(2026, 8, 12)
    # On time, the minimum interval changes nothing.
    assert next_dose_due(HEP_B, [D(2026, 1, 10), D(2026, 2, 10)]) == D(2026, 7, 10)


def test_no_dose_given_means_no_due_date():
    assert next_dose_due(HEP_B, []) is None


dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))


@given(first=dates, delays=st.lists(st.integers(min_value=0, max_value=400), max_size=3))
def test_the_next_dose_is_never_before_its_place_in_the_schedule(first, delays):
    """HLT-2 (property): given on or after their due dates, every next dose is due at least
    its ``at`` after the first dose and its minimum interval after the last one, and later
    than the last dose."""
    for schedule in vaccination_schedules().values():
        given_on = [first]
        for delay in delays:
            due = next_dose_due(schedule, given_on)
            if due is None:
                break
            spec = schedule.doses[len(given_on)]
            assert due >= spec.at.after(first)
            assert due > given_on[-1]
            assert spec.min_after_previous is not None
            assert due >= spec.min_after_previous.after(given_on[-1])
            given_on.append(due + datetime.timedelta(days=delay))
        if len(given_on) == len(schedule.doses):
            assert next_dose_due(schedule, given_on) is None


@given(first=dates)
def test_given_on_time_the_doses_follow_the_schedule_from_the_first(first):
    """HLT-2 (property): doses given on their due dates fall exactly at 0, 1, 6 months."""
    second = next_dose_due(HEP_B, [first])
    assert second == Interval(months=1).after(first)
    assert next_dose_due(HEP_B, [first, second]) == Interval(months=6).after(first)


def test_a_schedule_without_a_minimum_interval_is_refused():
    """A late dose must never leave the next one due on the same day."""
    bad = _yaml("      - at: {}\n      - at: {months: 1}\n")
    with pytest.raises(ScheduleError, match="min_after_previous"):
        parse_schedules(bad, expected=VaccinationSchedule.values)


def _yaml(doses: str) -> str:
    keys = VaccinationSchedule.values
    body = "".join(f"  {k}:\n    vaccine: hepatitis_b\n    doses:\n{doses}" for k in keys)
    return f"schedules:\n{body}"


def test_a_schedule_file_with_doses_out_of_order_is_refused_naming_the_schedule():
    bad = _yaml(
        "      - at: {}\n"
        "      - at: {months: 6}\n        min_after_previous: {weeks: 4}\n"
        "      - at: {months: 1}\n        min_after_previous: {weeks: 4}\n"
    )
    with pytest.raises(ScheduleError, match="later and later"):
        parse_schedules(bad, expected=VaccinationSchedule.values)


def test_a_schedule_file_with_a_typo_is_refused_naming_the_field():
    bad = _yaml("      - at: {}\n      - at: {monts: 1}\n        min_after_previous: {days: 1}\n")
    with pytest.raises(ScheduleError, match="monts"):
        parse_schedules(bad, expected=VaccinationSchedule.values)


def test_a_schedule_file_missing_a_schedule_is_refused():
    good = _yaml("      - at: {}\n      - at: {months: 1}\n        min_after_previous: {days: 1}\n")
    with pytest.raises(ScheduleError, match="exactly"):
        parse_schedules(good, expected=[*VaccinationSchedule.values, "hepatitis_e"])


def test_assens_mandatory_screenings_are_due_fourteen_days_after_the_inquiry():
    """HLT-1: one deadline per mandatory screening, with the rule that set its date."""
    rules = merged_pack("DK", {"mandatory_screenings": ["hiv", "hepatitis_b", "hepatitis_c"]})
    specs = mandatory_screening_deadlines(rules, received_on=D(2026, 11, 20))
    assert [(s.kind, s.due_on, s.basis["value"]) for s in specs] == [
        ("screening", D(2026, 12, 4), "hiv"),
        ("screening", D(2026, 12, 4), "hepatitis_b"),
        ("screening", D(2026, 12, 4), "hepatitis_c"),
    ]
    assert specs[0].basis == {
        "rule": "mandatory_screenings",
        "value": "hiv",
        "days": 14,
        "req": "HLT-1",
    }


def test_without_mandatory_screenings_no_deadline():
    assert mandatory_screening_deadlines(jurisdiction_pack("DK"), received_on=D(2026, 1, 1)) == []


def test_the_follow_up_after_a_birth_is_due_six_weeks_later():
    """HLT-4."""
    spec = postnatal_follow_up_deadline(D(2026, 12, 30))
    assert POSTNATAL_FOLLOW_UP_WEEKS == 6
    assert (spec.kind, spec.due_on) == ("pregnancy_follow_up", D(2027, 2, 10))
    assert spec.basis["req"] == "HLT-4"
