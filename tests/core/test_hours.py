"""Weekly opening, phone and medication hours of a site (bedring.core.hours).

Pure tests: no Django, no database. The example site is the MSOC in Oostende:
Mon/Wed/Fri 09-12 and 13-19, Tue/Thu 09-12 and 15-19, Sat 10-12; medication is handed
out only until 18:45 on weekdays.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bedring.core.calendar import is_public_holiday
from bedring.core.hours import (
    HoursError,
    Interval,
    WeeklyHours,
    closing_time,
    format_intervals,
    is_open_at,
    next_opening,
    parse_intervals,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

OOSTENDE_OPENING: WeeklyHours = {
    MON: parse_intervals("09:00-12:00, 13:00-19:00"),
    TUE: parse_intervals("09:00-12:00, 15:00-19:00"),
    WED: parse_intervals("09:00-12:00, 13:00-19:00"),
    THU: parse_intervals("09:00-12:00, 15:00-19:00"),
    FRI: parse_intervals("09:00-12:00, 13:00-19:00"),
    SAT: parse_intervals("10:00-12:00"),
}

OOSTENDE_MEDICATION: WeeklyHours = {
    MON: parse_intervals("09:00-12:00, 13:00-18:45"),
    TUE: parse_intervals("09:00-12:00, 15:00-18:45"),
    WED: parse_intervals("09:00-12:00, 13:00-18:45"),
    THU: parse_intervals("09:00-12:00, 15:00-18:45"),
    FRI: parse_intervals("09:00-12:00, 13:00-18:45"),
    SAT: parse_intervals("10:00-12:00"),
}


def never_closed(day: date) -> bool:
    return False


def belgian_public_holiday(day: date) -> bool:
    return is_public_holiday(day, "BE")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A naive local datetime (what the caller passes after converting to the site's zone)."""
    return datetime.combine(date(year, month, day), time(hour, minute))


# 12-18 January 2026 is an ordinary week: Monday 12 .. Sunday 18.
TUESDAY = date(2026, 1, 13)
FRIDAY = date(2026, 1, 16)
SATURDAY = date(2026, 1, 17)


# --- Parsing and formatting -----------------------------------------------------------------


def test_two_intervals_are_read_in_order() -> None:
    assert parse_intervals("13:00-19:00, 09:00-12:00") == (
        Interval(time(9), time(12)),
        Interval(time(13), time(19)),
    )


@pytest.mark.parametrize(
    "text",
    [
        "09:00-12:00",
        "9-12",
        "09.00-12.00",
        "9:00 - 12:00",
        "09:00\u201312:00",  # en dash
        " 09-12 ",
    ],
)
def test_the_usual_ways_of_writing_hours_are_understood(text: str) -> None:
    assert parse_intervals(text) == (Interval(time(9), time(12)),)


def test_minutes_are_kept() -> None:
    assert parse_intervals("8.30-18.45") == (Interval(time(8, 30), time(18, 45)),)


@pytest.mark.parametrize("text", ["", "   ", ","])
def test_blank_hours_mean_closed(text: str) -> None:
    assert parse_intervals(text) == ()


@pytest.mark.parametrize(
    "text", ["9", "nine to five", "09:00-12:00 13:00-19:00", "25-26", "9:60-12"]
)
def test_unreadable_hours_are_refused_with_the_format_code(text: str) -> None:
    with pytest.raises(HoursError) as caught:
        parse_intervals(text)
    assert caught.value.code == "format"
    assert caught.value.text in text
    assert "09:00-12:00, 13:00-19:00" in str(caught.value)  # the message shows an example


def test_the_offending_piece_is_reported_for_a_bad_second_interval() -> None:
    with pytest.raises(HoursError) as caught:
        parse_intervals("09:00-12:00, 13:00-1900")
    assert caught.value.code == "format"
    assert caught.value.text == "13:00-1900"


@pytest.mark.parametrize("text", ["12:00-09:00", "09:00-09:00"])
def test_an_interval_ending_before_it_starts_is_refused_with_the_order_code(text: str) -> None:
    with pytest.raises(HoursError) as caught:
        parse_intervals(text)
    assert caught.value.code == "order"
    assert caught.value.text == text


def test_overlapping_intervals_are_refused_with_the_overlap_code() -> None:
    with pytest.raises(HoursError) as caught:
        parse_intervals("09:00-12:00, 11:00-13:00")
    assert caught.value.code == "overlap"
    assert caught.value.text == "09:00-12:00, 11:00-13:00"


def test_hours_errors_are_value_errors() -> None:
    with pytest.raises(ValueError, match="overlap"):
        parse_intervals("09-13, 12-14")


def test_touching_intervals_are_allowed() -> None:
    assert len(parse_intervals("09:00-12:00, 12:00-13:00")) == 2


def test_an_interval_cannot_be_built_backwards() -> None:
    with pytest.raises(HoursError) as caught:
        Interval(time(12), time(9))
    assert caught.value.code == "order"


def test_an_interval_contains_its_start_but_not_its_end() -> None:
    morning = Interval(time(9), time(12))
    assert morning.contains(time(9))
    assert morning.contains(time(11, 59, 59))
    assert not morning.contains(time(12))
    assert not morning.contains(time(8, 59))


def test_hours_are_formatted_with_two_digit_hours_and_minutes() -> None:
    assert format_intervals(parse_intervals("13-19, 9-12")) == "09:00-12:00, 13:00-19:00"


def test_closed_is_formatted_as_empty_text() -> None:
    assert format_intervals(()) == ""


# --- Open or closed -------------------------------------------------------------------------


def test_tuesday_half_past_one_is_closed_and_opens_again_at_three() -> None:
    # given the Oostende hours, when a client asks on Tuesday at 13:30
    at = local(2026, 1, 13, 13, 30)
    # then the site is closed and next opens on Tuesday at 15:00
    assert not is_open_at(OOSTENDE_OPENING, at, never_closed)
    assert next_opening(OOSTENDE_OPENING, at, never_closed) == local(2026, 1, 13, 15)


def test_monday_half_past_one_is_open_until_seven() -> None:
    at = local(2026, 1, 12, 13, 30)
    assert is_open_at(OOSTENDE_OPENING, at, never_closed)
    assert closing_time(OOSTENDE_OPENING, at, never_closed) == local(2026, 1, 12, 19)


def test_opening_time_itself_is_open_and_next_opening_is_now() -> None:
    at = local(2026, 1, 13, 9)
    assert is_open_at(OOSTENDE_OPENING, at, never_closed)
    assert next_opening(OOSTENDE_OPENING, at, never_closed) == at


def test_friday_at_seven_is_closed_and_opens_saturday_at_ten() -> None:
    at = local(2026, 1, 16, 19)
    assert not is_open_at(OOSTENDE_OPENING, at, never_closed)
    assert next_opening(OOSTENDE_OPENING, at, never_closed) == local(2026, 1, 17, 10)


def test_saturday_noon_is_closed_and_opens_monday_at_nine() -> None:
    at = local(2026, 1, 17, 12)
    assert not is_open_at(OOSTENDE_OPENING, at, never_closed)
    assert next_opening(OOSTENDE_OPENING, at, never_closed) == local(2026, 1, 19, 9)


def test_sunday_is_closed_all_day() -> None:
    sunday = date(2026, 1, 18)
    assert not any(
        is_open_at(OOSTENDE_OPENING, datetime.combine(sunday, time(hour)), never_closed)
        for hour in range(24)
    )


def test_early_morning_opens_the_same_day() -> None:
    at = local(2026, 1, 13, 6, 15)
    assert next_opening(OOSTENDE_OPENING, at, never_closed) == local(2026, 1, 13, 9)


def test_saturday_before_easter_noon_skips_easter_monday_and_opens_tuesday() -> None:
    # given Easter Saturday 2026 at noon and a closed-day rule for Belgian public holidays
    at = local(2026, 4, 4, 12)
    # when looking for the next opening, then Easter Monday 6 April is skipped
    assert next_opening(OOSTENDE_OPENING, at, belgian_public_holiday) == local(2026, 4, 7, 9)
    # and without the rule the site would open on the Monday
    assert next_opening(OOSTENDE_OPENING, at, never_closed) == local(2026, 4, 6, 9)


def test_on_a_closed_day_the_site_is_closed_during_its_usual_hours() -> None:
    easter_monday_ten = local(2026, 4, 6, 10)
    assert not is_open_at(OOSTENDE_OPENING, easter_monday_ten, belgian_public_holiday)
    assert closing_time(OOSTENDE_OPENING, easter_monday_ten, belgian_public_holiday) is None


def test_medication_stops_at_a_quarter_to_seven_while_the_site_is_still_open() -> None:
    at = local(2026, 1, 14, 18, 50)  # Wednesday
    assert is_open_at(OOSTENDE_OPENING, at, never_closed)
    assert not is_open_at(OOSTENDE_MEDICATION, at, never_closed)
    assert next_opening(OOSTENDE_MEDICATION, at, never_closed) == local(2026, 1, 15, 9)
    assert closing_time(OOSTENDE_MEDICATION, local(2026, 1, 14, 17), never_closed) == local(
        2026, 1, 14, 18, 45
    )


def test_saturday_medication_ends_with_the_opening_at_noon() -> None:
    at = local(2026, 1, 17, 11)
    assert closing_time(OOSTENDE_MEDICATION, at, never_closed) == local(2026, 1, 17, 12)


def test_closing_time_is_none_when_closed() -> None:
    assert closing_time(OOSTENDE_OPENING, local(2026, 1, 13, 13, 30), never_closed) is None


def test_touching_intervals_close_at_the_end_of_the_last_one() -> None:
    hours: WeeklyHours = {MON: parse_intervals("09:00-12:00, 12:00-15:00, 16:00-17:00")}
    at = local(2026, 1, 12, 10)
    assert closing_time(hours, at, never_closed) == local(2026, 1, 12, 15)


def test_a_site_that_is_never_open_has_no_next_opening() -> None:
    assert next_opening({}, local(2026, 1, 13, 10), never_closed) is None


def test_next_opening_gives_up_after_the_horizon() -> None:
    # given a site closed for the next two weeks
    start = date(2026, 1, 12)
    holiday = {start + timedelta(days=i) for i in range(14)}

    def closed(day: date) -> bool:
        return day in holiday

    at = datetime.combine(start, time(8))
    # then a one-week horizon finds nothing and the default horizon finds Monday 26 January
    assert next_opening(OOSTENDE_OPENING, at, closed, horizon_days=7) is None
    assert next_opening(OOSTENDE_OPENING, at, closed) == local(2026, 1, 26, 9)


def test_aware_datetimes_are_refused_because_local_time_is_expected() -> None:
    aware = datetime(2026, 1, 13, 10, tzinfo=UTC)
    with pytest.raises(ValueError, match="naive"):
        is_open_at(OOSTENDE_OPENING, aware, never_closed)


# --- Properties -----------------------------------------------------------------------------


@st.composite
def day_intervals(draw: st.DrawFn) -> tuple[Interval, ...]:
    """Sorted, non-overlapping intervals on whole minutes."""
    minutes = draw(
        st.lists(st.integers(min_value=0, max_value=23 * 60 + 59), unique=True, max_size=8)
    )
    points = sorted(minutes)
    if len(points) % 2:
        points = points[:-1]
    return tuple(
        Interval(time(*divmod(a, 60)), time(*divmod(b, 60)))
        for a, b in zip(points[::2], points[1::2], strict=True)
    )


weekly_hours = st.dictionaries(st.integers(min_value=0, max_value=6), day_intervals())
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31))  # noqa: DTZ001
closed_dates = st.frozensets(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2036, 1, 31)), max_size=30
)


def closed_on(dates: frozenset[date]) -> Callable[[date], bool]:
    return dates.__contains__


@given(intervals=day_intervals())
def test_formatting_and_parsing_round_trip(intervals: tuple[Interval, ...]) -> None:
    text = format_intervals(intervals)
    assert parse_intervals(text) == intervals
    assert format_intervals(parse_intervals(text)) == text


@given(hours=weekly_hours, after=moments, closed=closed_dates)
def test_next_opening_is_open_and_not_before_the_asked_moment(
    hours: dict[int, tuple[Interval, ...]], after: datetime, closed: frozenset[date]
) -> None:
    is_closed_day = closed_on(closed)
    opening = next_opening(hours, after, is_closed_day)
    if opening is None:
        assert not any(hours.values())
        return
    assert opening >= after
    assert is_open_at(hours, opening, is_closed_day)
    if is_open_at(hours, after, is_closed_day):
        assert opening == after
    else:
        # just before the opening the site was still closed
        assert not is_open_at(hours, opening - timedelta(microseconds=1), is_closed_day)


@given(hours=weekly_hours, at=moments, closed=closed_dates)
def test_closing_time_is_after_now_exactly_when_open(
    hours: dict[int, tuple[Interval, ...]], at: datetime, closed: frozenset[date]
) -> None:
    is_closed_day = closed_on(closed)
    closes = closing_time(hours, at, is_closed_day)
    if not is_open_at(hours, at, is_closed_day):
        assert closes is None
        return
    assert closes is not None
    assert closes > at
    assert closes.date() == at.date()
    assert not is_open_at(hours, closes, is_closed_day)
    assert is_open_at(hours, closes - timedelta(microseconds=1), is_closed_day)
