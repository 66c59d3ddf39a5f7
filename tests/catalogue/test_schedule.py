"""Session and booking dates of offers (bedring.catalogue.schedule, SCH-1, SCH-3, CAT-2).

Pure tests: no Django, no database. The dates are checked against the real calendars:
2026 has 53 ISO weeks, Easter Monday 2027 is 29 March, Christmas 2028 falls on Monday and
Tuesday, 17 May 2028 (Norway) and 21 July 2027 (Belgium) fall on Wednesdays.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedring.catalogue.schedule import (
    ClosedRule,
    PlannedSession,
    booking_dates,
    generate_sessions,
    iso_week_parity,
)
from bedring.catalogue.terms import Cadence, Count, Weekday
from bedring.core.calendar import JURISDICTIONS, Jurisdiction, is_public_holiday, is_working_day

FIFTEEN = time(15, 0)

RELATIVES_COURSE = Cadence(kind="weekly", weekdays=("thu",), iso_weeks="even", start_time=FIFTEEN)
FOUR_SESSIONS = Count(kind="fixed", sessions=4)
EIGHT_SESSIONS = Count(kind="fixed", sessions=8)
MONDAYS = Cadence(kind="weekly", weekdays=("mon",), start_time=time(13, 0))

MONDAY_8_MARCH_2027 = date(2027, 3, 8)
EASTER_MONDAY_2027 = date(2027, 3, 29)


def days_of(sessions: list[PlannedSession]) -> list[date]:
    return [session.on for session in sessions]


def weekly_from(first: date, n: int, *, step_days: int = 7) -> list[date]:
    return [first + timedelta(days=step_days * i) for i in range(n)]


# --- ISO week parity and the 53-week year ---------------------------------------------------


def test_week_53_is_odd_so_2026_ends_with_two_odd_weeks_in_a_row() -> None:
    # given the last Thursday of 2026 (ISO week 53) and the first of 2027 (ISO week 1)
    last_thursday, first_thursday = date(2026, 12, 31), date(2027, 1, 7)
    # then both are odd weeks, one week apart
    assert last_thursday.isocalendar().week == 53
    assert first_thursday.isocalendar().week == 1
    assert iso_week_parity(last_thursday) == "odd"
    assert iso_week_parity(first_thursday) == "odd"
    assert iso_week_parity(date(2026, 12, 24)) == "even"  # week 52


def test_relatives_course_meets_on_thursdays_of_even_weeks() -> None:
    """SCH-3: Sønderborg's relatives course, 4 times, Thursdays in even weeks 15:00-16:30."""
    # given the course starting on Monday 23 November 2026 (ISO week 48)
    # when its sessions are generated
    sessions = generate_sessions(
        RELATIVES_COURSE, FOUR_SESSIONS, start=date(2026, 11, 23), jurisdiction="DK", minutes=90
    )
    # then it meets on the Thursdays of weeks 48, 50, 52 and, after the odd weeks 53 and 1,
    # of week 2 of 2027: a three-week pause over the year end
    assert days_of(sessions) == [
        date(2026, 11, 26),
        date(2026, 12, 10),
        date(2026, 12, 24),
        date(2027, 1, 14),
    ]
    assert [s.on.isocalendar().week for s in sessions] == [48, 50, 52, 2]
    assert all(s.on.weekday() == 3 and iso_week_parity(s.on) == "even" for s in sessions)
    assert [s.index for s in sessions] == [1, 2, 3, 4]
    assert all(s.starts == FIFTEEN and s.minutes == 90 for s in sessions)
    assert all(s.moved_from is None for s in sessions)


def test_biweekly_drifts_into_odd_weeks_after_week_53_but_even_weeks_do_not() -> None:
    # given the same Thursdays as a plain "every second week" course
    biweekly = Cadence(kind="biweekly", weekdays=("thu",))
    # when both are generated from 23 November 2026
    every_14_days = generate_sessions(
        biweekly, FOUR_SESSIONS, start=date(2026, 11, 23), jurisdiction="DK"
    )
    even_weeks = generate_sessions(
        RELATIVES_COURSE, FOUR_SESSIONS, start=date(2026, 11, 23), jurisdiction="DK"
    )
    # then biweekly keeps 14 days and lands in odd week 1; the even-week course waits for week 2
    assert days_of(every_14_days)[-1] == date(2027, 1, 7)
    assert iso_week_parity(days_of(every_14_days)[-1]) == "odd"
    assert days_of(even_weeks)[-1] == date(2027, 1, 14)
    assert days_of(every_14_days)[:3] == days_of(even_weeks)[:3]


def test_a_biweekly_cadence_with_a_parity_follows_the_parity() -> None:
    """SCH-3 says "biweekly ... Thursdays in even weeks": the parity is the promise."""
    # given the relatives course written as biweekly with even weeks
    cadence = Cadence(kind="biweekly", weekdays=("thu",), iso_weeks="even")
    # when generated across the 53-week year end
    sessions = generate_sessions(
        cadence, FOUR_SESSIONS, start=date(2026, 11, 23), jurisdiction="DK"
    )
    # then it is the even-week schedule, not every 14 days
    assert days_of(sessions)[-1] == date(2027, 1, 14)


def test_odd_week_course_meets_in_two_consecutive_weeks_over_the_2026_year_end() -> None:
    # given a Thursday course in odd weeks from mid-December 2026
    cadence = Cadence(kind="weekly", weekdays=("thu",), iso_weeks="odd")
    # when generated
    sessions = generate_sessions(
        cadence, FOUR_SESSIONS, start=date(2026, 12, 14), jurisdiction="DK"
    )
    # then weeks 51, 53, 1 and 3: week 53 and week 1 are both odd, one week apart
    assert days_of(sessions) == [
        date(2026, 12, 17),
        date(2026, 12, 31),
        date(2027, 1, 7),
        date(2027, 1, 21),
    ]


def test_even_week_course_starting_in_an_odd_week_begins_the_next_week() -> None:
    # given a start on Monday of ISO week 49 (odd)
    start = date(2026, 11, 30)
    assert iso_week_parity(start) == "odd"
    # when the even-week Thursday course is generated
    sessions = generate_sessions(RELATIVES_COURSE, FOUR_SESSIONS, start=start, jurisdiction="DK")
    # then the first session is the Thursday of week 50
    assert sessions[0].on == date(2026, 12, 10)


def test_christmas_eve_is_open_unless_the_organisation_closes_it() -> None:
    """Christmas Eve is not a Danish public holiday; Sønderborg lists it as a closed day."""
    # given the relatives course and the organisation closed on 24 December 2026
    # when generated with and without the closed day
    open_eve = generate_sessions(
        RELATIVES_COURSE, FOUR_SESSIONS, start=date(2026, 11, 23), jurisdiction="DK"
    )
    closed_eve = generate_sessions(
        RELATIVES_COURSE,
        FOUR_SESSIONS,
        start=date(2026, 11, 23),
        jurisdiction="DK",
        closed_days={date(2026, 12, 24)},
    )
    # then without it the course meets on Christmas Eve; with it, the course is extended to
    # the next even week (28 January 2027) and keeps its four sessions
    assert date(2026, 12, 24) in days_of(open_eve)
    assert days_of(closed_eve) == [
        date(2026, 11, 26),
        date(2026, 12, 10),
        date(2027, 1, 14),
        date(2027, 1, 28),
    ]


# --- Easter 2027: the three closed-day rules ------------------------------------------------


def test_motivation_group_is_extended_by_a_week_when_easter_monday_falls_in_it() -> None:
    """CAT-2: motivation group, 8 weekly sessions; participants keep all eight."""
    # given a Monday group from 8 March 2027, Easter Monday on 29 March
    # when generated with the default rule ("extend")
    sessions = generate_sessions(
        MONDAYS, EIGHT_SESSIONS, start=MONDAY_8_MARCH_2027, jurisdiction="DK", minutes=120
    )
    # then Easter Monday is skipped and a ninth Monday (3 May) keeps the count at 8
    assert len(sessions) == 8
    assert EASTER_MONDAY_2027 not in days_of(sessions)
    assert days_of(sessions) == [
        d for d in weekly_from(MONDAY_8_MARCH_2027, 9) if d != EASTER_MONDAY_2027
    ]
    assert sessions[-1].on == date(2027, 5, 3)
    assert [s.index for s in sessions] == list(range(1, 9))


def test_motivation_group_loses_a_session_to_easter_monday_when_dropping() -> None:
    # given the same group, when generated with "drop"
    sessions = generate_sessions(
        MONDAYS, EIGHT_SESSIONS, start=MONDAY_8_MARCH_2027, jurisdiction="DK", on_closed="drop"
    )
    # then 7 sessions, the last on 26 April as planned
    assert len(sessions) == 7
    assert EASTER_MONDAY_2027 not in days_of(sessions)
    assert sessions[-1].on == date(2027, 4, 26)


def test_motivation_group_moves_easter_monday_to_the_tuesday() -> None:
    # given the same group, when generated with "move"
    sessions = generate_sessions(
        MONDAYS, EIGHT_SESSIONS, start=MONDAY_8_MARCH_2027, jurisdiction="DK", on_closed="move"
    )
    # then 8 sessions; the fourth is on Tuesday 30 March, marked as moved from Easter Monday
    assert len(sessions) == 8
    fourth = sessions[3]
    assert fourth.on == date(2027, 3, 30)
    assert fourth.moved_from == EASTER_MONDAY_2027
    assert fourth.index == 4
    assert sessions[-1].on == date(2027, 4, 26)
    assert [s.moved_from for s in sessions].count(None) == 7


def test_moving_prefers_a_course_day_later_in_the_same_week() -> None:
    # given a Monday and Wednesday course of 3 sessions from 22 March 2027, whose third
    # session falls on Easter Monday and whose Wednesday that week has no session yet
    cadence = Cadence(kind="weekly", weekdays=("mon", "wed"))
    # when generated with "move"
    sessions = generate_sessions(
        cadence,
        Count(kind="fixed", sessions=3),
        start=date(2027, 3, 22),
        jurisdiction="DK",
        on_closed="move",
    )
    # then Easter Monday moves to the course's own Wednesday, not to the Tuesday
    assert [(s.on, s.moved_from) for s in sessions] == [
        (date(2027, 3, 22), None),
        (date(2027, 3, 24), None),
        (date(2027, 3, 31), EASTER_MONDAY_2027),
    ]


def test_moving_skips_a_closed_course_day_and_takes_the_next_working_day() -> None:
    # given a Monday and Wednesday course in odd weeks, Easter Monday in week 13, and the
    # organisation closed on Wednesday 31 March 2027 too
    cadence = Cadence(kind="weekly", weekdays=("mon", "wed"), iso_weeks="odd")
    closed = {date(2027, 3, 31)}
    # when generated with "move" from the Monday of week 10
    sessions = generate_sessions(
        cadence,
        Count(kind="fixed", sessions=6),
        start=MONDAY_8_MARCH_2027,
        jurisdiction="DK",
        closed_days=closed,
        on_closed="move",
    )
    # then the Wednesday is no refuge: Easter Monday goes to Tuesday 30 March and the closed
    # Wednesday to the next working day, Thursday 1 April
    moved = {s.moved_from: s.on for s in sessions if s.moved_from}
    assert moved == {EASTER_MONDAY_2027: date(2027, 3, 30), date(2027, 3, 31): date(2027, 4, 1)}
    assert len(sessions) == 6


def test_moving_never_puts_two_sessions_on_one_day() -> None:
    # given a Monday and Thursday course from 22 March 2027: Maundy Thursday, Good Friday
    # and Easter Monday are closed
    cadence = Cadence(kind="weekly", weekdays=("mon", "thu"))
    four = Count(kind="fixed", sessions=4)
    # when generated with "extend", both closed sessions are replaced at the end
    extended = generate_sessions(cadence, four, start=date(2027, 3, 22), jurisdiction="DK")
    assert days_of(extended) == [
        date(2027, 3, 22),
        date(2027, 4, 1),
        date(2027, 4, 5),
        date(2027, 4, 8),
    ]
    # when generated with "move", Maundy Thursday goes to the first working day, Tuesday
    # 30 March, so Easter Monday cannot go there (nor to its Thursday, which has a session)
    moved = generate_sessions(
        cadence, four, start=date(2027, 3, 22), jurisdiction="DK", on_closed="move"
    )
    assert [(s.on, s.moved_from) for s in moved] == [
        (date(2027, 3, 22), None),
        (date(2027, 3, 30), date(2027, 3, 25)),
        (date(2027, 3, 31), EASTER_MONDAY_2027),
        (date(2027, 4, 1), None),
    ]


# --- Other offers of Sønderborg (CAT-2) ------------------------------------------------------


def test_aftercare_group_meets_six_times_every_second_week_across_ascension_day() -> None:
    """CAT-2: aftercare group, 6 biweekly sessions of 1.5 h."""
    # given a biweekly Thursday group from 22 April 2027; Ascension Day is Thursday 6 May
    cadence = Cadence(kind="biweekly", weekdays=("thu",))
    # when generated
    sessions = generate_sessions(
        cadence, Count(kind="fixed", sessions=6), start=date(2027, 4, 22), jurisdiction="DK"
    )
    # then six sessions, 14 days apart except the skipped Ascension Day; the extra session
    # keeps the biweekly rhythm
    planned = weekly_from(date(2027, 4, 22), 7, step_days=14)
    assert date(2027, 5, 6) in planned
    assert days_of(sessions) == [d for d in planned if d != date(2027, 5, 6)]


def test_biweekly_without_holidays_is_every_14_days() -> None:
    # given an aftercare group on Wednesdays from a Friday in late summer
    cadence = Cadence(kind="biweekly", weekdays=("wed",))
    # when generated
    sessions = generate_sessions(
        cadence, Count(kind="fixed", sessions=6), start=date(2027, 8, 13), jurisdiction="DK"
    )
    # then the first Wednesday after the start and every 14 days from there
    assert days_of(sessions) == weekly_from(date(2027, 8, 18), 6, step_days=14)


@pytest.mark.parametrize(
    "count",
    [
        Count(kind="open", weeks_max=8),
        Count(kind="up_to", sessions=20, weeks_max=8),
        Count(kind="fixed", sessions=16),
    ],
    ids=["open-8-weeks", "up-to-20-in-8-weeks", "fixed-16"],
)
def test_pre_course_two_days_a_week_for_up_to_eight_weeks_has_sixteen_sessions(
    count: Count,
) -> None:
    """CAT-2: pre-course to day treatment, 2 days a week up to 8 weeks."""
    # given a Tuesday and Thursday course from Monday 2 August 2027 (no holidays until
    # October in Denmark)
    cadence = Cadence(kind="weekdays", weekdays=("tue", "thu"))
    # when generated
    sessions = generate_sessions(cadence, count, start=date(2027, 8, 2), jurisdiction="DK")
    # then 16 sessions, all within the eight weeks
    assert len(sessions) == 16
    assert sessions[0].on == date(2027, 8, 3)
    assert sessions[-1].on == date(2027, 9, 23)
    assert all(s.on < date(2027, 8, 2) + timedelta(weeks=8) for s in sessions)
    assert {s.on.weekday() for s in sessions} == {1, 3}


def test_pre_course_started_midweek_still_gets_sixteen_sessions_in_eight_weeks() -> None:
    # given the same course started on a Wednesday
    cadence = Cadence(kind="weekdays", weekdays=("tue", "thu"))
    # when generated for "up to 8 weeks"
    sessions = generate_sessions(
        cadence, Count(kind="open", weeks_max=8), start=date(2027, 8, 4), jurisdiction="DK"
    )
    # then Thursday of the first week to Tuesday of the ninth: still 16
    assert len(sessions) == 16
    assert (sessions[0].on, sessions[-1].on) == (date(2027, 8, 5), date(2027, 9, 28))


DAY_TREATMENT = Cadence(kind="weekdays", weekdays=("mon", "tue", "wed", "thu"))
CHRISTMAS_2028 = (date(2028, 12, 25), date(2028, 12, 26), date(2029, 1, 1))


def test_day_treatment_skips_christmas_and_new_year_and_keeps_forty_days() -> None:
    """CAT-2: day treatment main course, 4 days a week for 10 weeks."""
    # given 4 days a week from Monday 27 November 2028; 25 and 26 December and 1 January
    # fall on Monday, Tuesday and Monday
    count = Count(kind="fixed", sessions=40, weeks_max=10)
    # when generated with "extend"
    sessions = generate_sessions(DAY_TREATMENT, count, start=date(2028, 11, 27), jurisdiction="DK")
    # then none of the holidays has a session and three days are added after week 10
    assert len(sessions) == 40
    assert not set(CHRISTMAS_2028) & set(days_of(sessions))
    assert days_of(sessions)[-4:] == [
        date(2029, 2, 1),
        date(2029, 2, 5),
        date(2029, 2, 6),
        date(2029, 2, 7),
    ]


def test_day_treatment_for_ten_weeks_loses_the_holidays_when_the_window_is_fixed() -> None:
    # given the same course as "10 weeks" (open count) or fixed 40 with "drop"
    # when generated
    window = generate_sessions(
        DAY_TREATMENT, Count(kind="open", weeks_max=10), start=date(2028, 11, 27), jurisdiction="DK"
    )
    dropped = generate_sessions(
        DAY_TREATMENT,
        Count(kind="fixed", sessions=40, weeks_max=10),
        start=date(2028, 11, 27),
        jurisdiction="DK",
        on_closed="drop",
    )
    # then both end on Thursday 1 February 2029 with 37 days
    assert days_of(window) == days_of(dropped)
    assert len(window) == 37
    assert window[-1].on == date(2029, 2, 1)


def test_day_treatment_moves_holidays_to_the_free_friday() -> None:
    # given the same course with "move"
    sessions = generate_sessions(
        DAY_TREATMENT,
        Count(kind="fixed", sessions=40, weeks_max=10),
        start=date(2028, 11, 27),
        jurisdiction="DK",
        on_closed="move",
    )
    # then every week's other course days are taken, so each holiday goes to the next free
    # working day: the Fridays 29 December, 5 January and 12 January
    moved = [(s.moved_from, s.on) for s in sessions if s.moved_from]
    assert moved == [
        (date(2028, 12, 25), date(2028, 12, 29)),
        (date(2028, 12, 26), date(2029, 1, 5)),
        (date(2029, 1, 1), date(2029, 1, 12)),
    ]
    assert len(sessions) == 40


# --- Other jurisdictions --------------------------------------------------------------------

WEDNESDAYS = Cadence(kind="weekly", weekdays=("wed",))


def test_norwegian_course_skips_constitution_day_but_a_danish_one_does_not() -> None:
    # given a Wednesday course from 3 May 2028; 17 May 2028 is a Wednesday
    constitution_day = date(2028, 5, 17)
    # when generated in Norway and in Denmark
    norway = generate_sessions(WEDNESDAYS, FOUR_SESSIONS, start=date(2028, 5, 3), jurisdiction="NO")
    denmark = generate_sessions(
        WEDNESDAYS, FOUR_SESSIONS, start=date(2028, 5, 3), jurisdiction="DK"
    )
    # then only the Norwegian one skips it (and meets on 31 May instead)
    assert constitution_day not in days_of(norway)
    assert days_of(norway) == [
        date(2028, 5, 3),
        date(2028, 5, 10),
        date(2028, 5, 24),
        date(2028, 5, 31),
    ]
    assert constitution_day in days_of(denmark)


def test_belgian_course_skips_the_national_day() -> None:
    # given a Wednesday course from 7 July 2027; 21 July 2027 is a Wednesday
    national_day = date(2027, 7, 21)
    # when generated in Belgium and in Denmark
    belgium = generate_sessions(
        WEDNESDAYS, FOUR_SESSIONS, start=date(2027, 7, 7), jurisdiction="BE"
    )
    denmark = generate_sessions(
        WEDNESDAYS, FOUR_SESSIONS, start=date(2027, 7, 7), jurisdiction="DK"
    )
    # then only Belgium skips it
    assert national_day not in days_of(belgium)
    assert belgium[-1].on == date(2027, 8, 4)
    assert national_day in days_of(denmark)


def test_organisation_closed_days_are_skipped_like_holidays() -> None:
    # given a staff day on Monday 15 March 2027
    staff_day = date(2027, 3, 15)
    # when the motivation group is generated with it as a closed day
    sessions = generate_sessions(
        MONDAYS,
        EIGHT_SESSIONS,
        start=MONDAY_8_MARCH_2027,
        jurisdiction="DK",
        closed_days=[staff_day],
    )
    # then both the staff day and Easter Monday are skipped and two Mondays are added
    assert staff_day not in days_of(sessions)
    assert len(sessions) == 8
    assert sessions[-1].on == date(2027, 5, 10)


# --- Refusals --------------------------------------------------------------------------------


def test_per_month_cadence_is_refused_by_the_session_generator() -> None:
    # given an individual offer's cadence, when sessions are asked for, then a clear refusal
    cadence = Cadence(kind="per_month", times_per_month=(1, 2))
    with pytest.raises(ValueError, match="booking_dates"):
        generate_sessions(cadence, FOUR_SESSIONS, start=date(2027, 1, 4), jurisdiction="DK")


def test_open_cadence_has_no_schedule() -> None:
    # given drop-in's open cadence, when sessions are asked for, then a clear refusal
    with pytest.raises(ValueError, match="no schedule"):
        generate_sessions(Cadence(kind="open"), Count(), start=date(2027, 1, 4), jurisdiction="DK")


def test_a_fixed_count_above_max_sessions_is_refused() -> None:
    with pytest.raises(ValueError, match="max_sessions"):
        generate_sessions(
            MONDAYS,
            Count(kind="fixed", sessions=300),
            start=date(2027, 1, 4),
            jurisdiction="DK",
        )


def test_open_count_is_capped_by_max_sessions() -> None:
    # given a daily course with an open count (52 weeks), when capped at 30
    cadence = Cadence(kind="weekdays", weekdays=("mon", "tue", "wed", "thu", "fri"))
    sessions = generate_sessions(
        cadence, Count(), start=date(2027, 1, 4), jurisdiction="DK", max_sessions=30
    )
    # then at most 30 sessions (holidays among them are dropped, not replaced)
    assert 0 < len(sessions) <= 30


def test_unknown_jurisdiction_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown jurisdiction"):
        generate_sessions(
            MONDAYS,
            FOUR_SESSIONS,
            start=date(2027, 1, 4),
            jurisdiction="SE",
        )


# --- Individual offers: booking dates ---------------------------------------------------------

TWO_TO_FOUR = Cadence(kind="per_month", times_per_month=(2, 4))


def test_individual_plus_is_booked_four_times_a_month_on_working_days() -> None:
    """CAT-2: individual+ 2-4 times a month; by default the maximum."""
    # given a client starting on Monday 1 March 2027, booked until 30 June
    # when booking dates are spread
    dates = booking_dates(
        TWO_TO_FOUR, start=date(2027, 3, 1), until=date(2027, 6, 30), jurisdiction="DK"
    )
    # then four per month, never on a weekend or a Danish holiday (Easter, Ascension,
    # Whit Monday fall in these months)
    for month in (3, 4, 5, 6):
        assert len([d for d in dates if d.month == month]) == 4
    assert all(is_working_day(d, "DK") for d in dates)
    assert dates == sorted(set(dates))
    assert dates[0] == date(2027, 3, 1)


def test_individual_plus_can_be_booked_at_the_minimum() -> None:
    # given the same client booked twice a month and a staff day on 15 March
    dates = booking_dates(
        TWO_TO_FOUR,
        start=date(2027, 3, 1),
        until=date(2027, 5, 31),
        jurisdiction="DK",
        closed_days={date(2027, 3, 15)},
        times=2,
    )
    # then two a month, roughly half a month apart, and never on the staff day
    assert len(dates) == 6
    assert date(2027, 3, 15) not in dates
    march = [d for d in dates if d.month == 3]
    assert (march[1] - march[0]).days >= 10


def test_booking_a_partial_month_gets_its_share() -> None:
    # given a client starting on Thursday 28 October 2027, 4 a month
    dates = booking_dates(
        TWO_TO_FOUR, start=date(2027, 10, 28), until=date(2027, 11, 30), jurisdiction="DK"
    )
    # then October's two working days left get no more than their share, November gets 4
    october = [d for d in dates if d.month == 10]
    assert len(october) <= 1
    assert len([d for d in dates if d.month == 11]) == 4


def test_booking_outside_the_offers_range_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        booking_dates(
            TWO_TO_FOUR, start=date(2027, 3, 1), until=date(2027, 3, 31), jurisdiction="DK", times=5
        )


def test_booking_a_group_cadence_is_refused() -> None:
    with pytest.raises(ValueError, match="per_month"):
        booking_dates(MONDAYS, start=date(2027, 3, 1), until=date(2027, 3, 31), jurisdiction="DK")


# --- Properties -------------------------------------------------------------------------------

WEEKDAY_NAMES: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

weekday_sets = st.sets(st.sampled_from(WEEKDAY_NAMES), min_size=1, max_size=5).map(
    lambda names: tuple(sorted(names, key=WEEKDAY_NAMES.index))
)
cadences = st.builds(
    Cadence,
    kind=st.sampled_from(["weekly", "biweekly", "weekdays"]),
    weekdays=weekday_sets,
    iso_weeks=st.sampled_from(["any", "even", "odd"]),
)
fixed_counts = st.builds(
    Count,
    kind=st.sampled_from(["fixed", "up_to"]),
    sessions=st.integers(1, 40),
    extra=st.integers(0, 3),
)
open_counts = st.builds(Count, kind=st.just("open"), weeks_max=st.integers(1, 30))
starts = st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31))
jurisdictions: st.SearchStrategy[Jurisdiction] = st.sampled_from(JURISDICTIONS)
rules: st.SearchStrategy[ClosedRule] = st.sampled_from(["move", "drop", "extend"])


Plan = tuple[Cadence, Count, date, Jurisdiction, frozenset[date], ClosedRule]


def closed_days_near(start: date) -> st.SearchStrategy[frozenset[date]]:
    return st.frozensets(
        st.integers(0, 200).map(lambda offset: start + timedelta(days=offset)), max_size=15
    )


@st.composite
def schedules(draw: st.DrawFn, counts: st.SearchStrategy[Count]) -> Plan:
    start = draw(starts)
    return (
        draw(cadences),
        draw(counts),
        start,
        draw(jurisdictions),
        draw(closed_days_near(start)),
        draw(rules),
    )


def is_open(day: date, jurisdiction: Jurisdiction, closed: frozenset[date]) -> bool:
    return day not in closed and not is_public_holiday(day, jurisdiction)


@settings(max_examples=150, deadline=None)
@given(schedules(st.one_of(fixed_counts, open_counts)))
def test_every_session_is_on_an_open_day_after_the_start_in_increasing_order(plan: Plan) -> None:
    # given any cadence, count, start, jurisdiction, closed days and rule
    cadence, count, start, jurisdiction, closed, rule = plan
    # when sessions are generated
    sessions = generate_sessions(
        cadence, count, start=start, jurisdiction=jurisdiction, closed_days=closed, on_closed=rule
    )
    days = days_of(sessions)
    # then each is on an open day, none before the start, strictly increasing, numbered 1..n
    assert all(is_open(day, jurisdiction, closed) for day in days)
    assert all(day >= start for day in days)
    assert all(a < b for a, b in pairwise(days))
    assert [s.index for s in sessions] == list(range(1, len(sessions) + 1))
    # and only a move leaves a trace, always forward from a closed day
    for session in sessions:
        if session.moved_from is not None:
            assert rule == "move"
            assert not is_open(session.moved_from, jurisdiction, closed)
            assert session.on > session.moved_from


@settings(max_examples=150, deadline=None)
@given(schedules(st.one_of(fixed_counts, open_counts)))
def test_sessions_keep_to_the_cadence_unless_moved(plan: Plan) -> None:
    # given any schedule
    cadence, count, start, jurisdiction, closed, rule = plan
    # when generated
    sessions = generate_sessions(
        cadence, count, start=start, jurisdiction=jurisdiction, closed_days=closed, on_closed=rule
    )
    allowed = {WEEKDAY_NAMES.index(name) for name in cadence.weekdays}
    # then every planned day (the original day for a moved session) is a course weekday in a
    # week of the right ISO parity
    for session in sessions:
        planned = session.moved_from or session.on
        assert planned.weekday() in allowed
        if cadence.iso_weeks != "any":
            assert iso_week_parity(planned) == cadence.iso_weeks


@settings(max_examples=150, deadline=None)
@given(schedules(fixed_counts))
def test_fixed_counts_are_kept_by_extend_and_move_and_shortened_by_drop(plan: Plan) -> None:
    # given a fixed or up-to count without a week limit
    cadence, count, start, jurisdiction, closed, _rule = plan
    expected = (count.sessions or 0) + count.extra

    def run(rule: ClosedRule) -> list[date]:
        return days_of(
            generate_sessions(
                cadence,
                count,
                start=start,
                jurisdiction=jurisdiction,
                closed_days=closed,
                on_closed=rule,
            )
        )

    # when generated with each rule
    extended, moved, dropped = run("extend"), run("move"), run("drop")
    # then extend and move keep the count, drop loses exactly the closed sessions, which
    # extend replaces at the end
    assert len(extended) == expected
    assert len(moved) == expected
    assert len(dropped) <= expected
    assert extended[: len(dropped)] == dropped
    assert set(dropped) <= set(moved)


@settings(max_examples=100, deadline=None)
@given(schedules(open_counts))
def test_open_counts_stay_within_their_weeks(plan: Plan) -> None:
    # given an open count of weeks_max weeks, with "drop" or "extend"
    cadence, count, start, jurisdiction, closed, rule = plan
    if rule == "move":
        rule = "extend"
    # when generated
    sessions = generate_sessions(
        cadence, count, start=start, jurisdiction=jurisdiction, closed_days=closed, on_closed=rule
    )
    # then no session is after the window
    assert all(s.on < start + timedelta(weeks=count.weeks_max) for s in sessions)


@settings(max_examples=100, deadline=None)
@given(
    start=starts,
    length=st.integers(0, 200),
    jurisdiction=jurisdictions,
    low=st.integers(1, 4),
    spread=st.integers(0, 4),
    data=st.data(),
)
def test_bookings_are_on_working_days_within_the_range_and_per_month_count(
    start: date,
    length: int,
    jurisdiction: Jurisdiction,
    low: int,
    spread: int,
    data: st.DataObject,
) -> None:
    # given any per-month offer, range, jurisdiction and closed days
    until = start + timedelta(days=length)
    cadence = Cadence(kind="per_month", times_per_month=(low, low + spread))
    times = data.draw(st.integers(low, low + spread))
    closed = data.draw(closed_days_near(start))
    # when booking dates are spread
    dates = booking_dates(
        cadence,
        start=start,
        until=until,
        jurisdiction=jurisdiction,
        closed_days=closed,
        times=times,
    )
    # then they are working days in the range, strictly increasing, and no month has more
    # than ``times``; a whole month inside the range has exactly ``times``
    assert all(is_working_day(d, jurisdiction, closed) for d in dates)
    assert all(start <= d <= until for d in dates)
    assert all(a < b for a, b in pairwise(dates))
    for year_month in {(d.year, d.month) for d in dates}:
        assert len([d for d in dates if (d.year, d.month) == year_month]) <= times
    first_whole = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    if start.day == 1:
        first_whole = start
    if first_whole + timedelta(days=31) <= until:
        whole = (first_whole.year, first_whole.month)
        working = [
            day
            for day in (first_whole + timedelta(days=offset) for offset in range(31))
            if (day.year, day.month) == whole and is_working_day(day, jurisdiction, closed)
        ]
        in_month = [d for d in dates if (d.year, d.month) == whole]
        assert len(in_month) == min(times, len(working))
