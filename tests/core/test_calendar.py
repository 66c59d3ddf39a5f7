"""Working-day arithmetic per jurisdiction (bedring.core.calendar).

Pure tests: no Django, no database.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bedring.core.calendar import (
    JURISDICTIONS,
    Jurisdiction,
    add_working_days,
    is_public_holiday,
    is_working_day,
    next_working_day,
    public_holidays,
    working_days_between,
)

# Easter 2026 is 5 April: Maundy Thursday 2 April, Good Friday 3 April, Easter Monday 6 April.
MAUNDY_THURSDAY_2026 = date(2026, 4, 2)
GOOD_FRIDAY_2026 = date(2026, 4, 3)
EASTER_SUNDAY_2026 = date(2026, 4, 5)
EASTER_MONDAY_2026 = date(2026, 4, 6)
ASCENSION_DAY_2026 = date(2026, 5, 14)
WHIT_MONDAY_2026 = date(2026, 5, 25)


# --- Easter -------------------------------------------------------------------------------


@pytest.mark.parametrize(("jurisdiction", "expected"), [("DK", True), ("NO", True), ("BE", False)])
def test_maundy_thursday_is_a_holiday_in_denmark_and_norway_but_not_belgium(
    jurisdiction: Jurisdiction, expected: bool
) -> None:
    # given Maundy Thursday 2026, when asked, then only DK and NO treat it as a holiday
    assert is_public_holiday(MAUNDY_THURSDAY_2026, jurisdiction) is expected
    assert is_working_day(MAUNDY_THURSDAY_2026, jurisdiction) is not expected


@pytest.mark.parametrize(("jurisdiction", "expected"), [("DK", True), ("NO", True), ("BE", False)])
def test_good_friday_is_a_holiday_in_denmark_and_norway_but_not_belgium(
    jurisdiction: Jurisdiction, expected: bool
) -> None:
    assert is_public_holiday(GOOD_FRIDAY_2026, jurisdiction) is expected
    assert is_working_day(GOOD_FRIDAY_2026, jurisdiction) is not expected


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_easter_monday_is_a_holiday_everywhere(jurisdiction: Jurisdiction) -> None:
    assert is_public_holiday(EASTER_MONDAY_2026, jurisdiction)
    assert not is_working_day(EASTER_MONDAY_2026, jurisdiction)


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_easter_sunday_is_reported_as_a_holiday_although_it_is_a_sunday(
    jurisdiction: Jurisdiction,
) -> None:
    assert public_holidays(jurisdiction, 2026)[EASTER_SUNDAY_2026] == "Easter Sunday"


def test_three_working_days_after_maundy_thursday_skip_easter_in_norway() -> None:
    # given a referral on Maundy Thursday and a "contact within 3 working days" deadline
    # when the deadline is computed for Norway
    deadline = add_working_days(MAUNDY_THURSDAY_2026, 3, "NO")
    # then Good Friday, the weekend and Easter Monday are skipped: Tue 7, Wed 8, Thu 9 April
    assert deadline == date(2026, 4, 9)


def test_three_working_days_after_maundy_thursday_in_belgium_count_good_friday() -> None:
    deadline = add_working_days(MAUNDY_THURSDAY_2026, 3, "BE")
    # Fri 3 April, (weekend, Easter Monday), Tue 7, Wed 8 April
    assert deadline == date(2026, 4, 8)


def test_call_back_on_good_friday_in_denmark_means_the_tuesday_after_easter() -> None:
    assert next_working_day(GOOD_FRIDAY_2026, "DK") == date(2026, 4, 7)


# --- Ascension, Whitsun, national days ------------------------------------------------------


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_ascension_day_is_a_holiday_everywhere(jurisdiction: Jurisdiction) -> None:
    assert not is_working_day(ASCENSION_DAY_2026, jurisdiction)
    assert next_working_day(ASCENSION_DAY_2026 - timedelta(days=1), jurisdiction) == date(
        2026, 5, 15
    )


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_whit_monday_is_a_holiday_everywhere(jurisdiction: Jurisdiction) -> None:
    assert not is_working_day(WHIT_MONDAY_2026, jurisdiction)
    friday_before = date(2026, 5, 22)
    assert next_working_day(friday_before, jurisdiction) == date(2026, 5, 26)


def test_norwegian_constitution_day_17_may_is_a_holiday_only_in_norway() -> None:
    seventeenth_of_may = date(2028, 5, 17)  # a Wednesday (in 2027 it is also Whit Monday)
    assert not is_working_day(seventeenth_of_may, "NO")
    assert is_working_day(seventeenth_of_may, "DK")
    assert is_working_day(seventeenth_of_may, "BE")


def test_belgian_national_day_21_july_is_a_holiday_only_in_belgium() -> None:
    national_day = date(2025, 7, 21)  # a Monday
    assert not is_working_day(national_day, "BE")
    assert is_working_day(national_day, "DK")
    assert is_working_day(national_day, "NO")


def test_danish_great_prayer_day_is_a_holiday_until_2023_and_abolished_from_2024() -> None:
    # given Store Bededag, the fourth Friday after Easter
    great_prayer_day_2023 = date(2023, 5, 5)
    would_be_great_prayer_day_2024 = date(2024, 4, 26)
    # then it is a holiday in 2023 and an ordinary working day from 2024
    assert public_holidays("DK", 2023)[great_prayer_day_2023] == "Great Prayer Day"
    assert not is_working_day(great_prayer_day_2023, "DK")
    assert is_working_day(would_be_great_prayer_day_2024, "DK")
    assert "Great Prayer Day" not in public_holidays("DK", 2024).values()


def test_danish_constitution_day_is_not_a_public_holiday() -> None:
    # The holidays package lists 5 June only in its "optional" category for Denmark.
    assert is_working_day(date(2026, 6, 5), "DK")


def test_labour_day_is_a_holiday_in_norway_and_belgium_but_not_denmark() -> None:
    first_of_may = date(2026, 5, 1)  # a Friday
    assert not is_working_day(first_of_may, "NO")
    assert not is_working_day(first_of_may, "BE")
    assert is_working_day(first_of_may, "DK")


# --- Christmas, New Year and the turn of the year -------------------------------------------


@pytest.mark.parametrize("jurisdiction", ["DK", "NO"])
def test_both_christmas_days_are_holidays_in_denmark_and_norway(
    jurisdiction: Jurisdiction,
) -> None:
    assert not is_working_day(date(2025, 12, 25), jurisdiction)
    assert not is_working_day(date(2025, 12, 26), jurisdiction)


def test_only_christmas_day_is_a_public_holiday_in_belgium() -> None:
    # 26 December is only a "bank" holiday in the holidays package, not a public one.
    assert not is_working_day(date(2025, 12, 25), "BE")
    assert is_working_day(date(2025, 12, 26), "BE")


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_christmas_eve_and_new_years_eve_are_working_days_unless_the_service_closes(
    jurisdiction: Jurisdiction,
) -> None:
    christmas_eve, new_years_eve = date(2025, 12, 24), date(2025, 12, 31)
    assert is_working_day(christmas_eve, jurisdiction)
    assert is_working_day(new_years_eve, jurisdiction)
    closed = {christmas_eve, new_years_eve}
    assert not is_working_day(christmas_eve, jurisdiction, closed)
    assert not is_working_day(new_years_eve, jurisdiction, closed)


@pytest.mark.parametrize(
    ("jurisdiction", "expected"),
    [("DK", date(2025, 12, 29)), ("NO", date(2025, 12, 29)), ("BE", date(2025, 12, 26))],
)
def test_call_back_the_first_working_day_after_christmas_eve(
    jurisdiction: Jurisdiction, expected: date
) -> None:
    assert next_working_day(date(2025, 12, 24), jurisdiction) == expected


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_new_years_day_is_a_holiday_and_deadlines_cross_into_the_new_year(
    jurisdiction: Jurisdiction,
) -> None:
    # given New Year's Eve 2025 (a Wednesday), when one working day is added
    # then New Year's Day is skipped and the deadline lands on Friday 2 January 2026
    assert not is_working_day(date(2026, 1, 1), jurisdiction)
    assert add_working_days(date(2025, 12, 31), 1, jurisdiction) == date(2026, 1, 2)


@pytest.mark.parametrize(("jurisdiction", "expected"), [("DK", 4), ("NO", 4), ("BE", 5)])
def test_working_days_between_christmas_eve_and_2_january_cross_the_year_end(
    jurisdiction: Jurisdiction, expected: int
) -> None:
    # DK/NO: 29, 30, 31 Dec and 2 Jan; BE also counts 26 Dec
    assert working_days_between(date(2025, 12, 24), date(2026, 1, 2), jurisdiction) == expected


def test_ten_working_days_from_mid_december_in_norway_skip_christmas_and_new_year() -> None:
    # Mon 15 Dec 2025: 16, 17, 18, 19, 22, 23, 24, 29, 30, 31 Dec
    assert add_working_days(date(2025, 12, 15), 10, "NO") == date(2025, 12, 31)
    assert add_working_days(date(2025, 12, 15), 11, "NO") == date(2026, 1, 2)


# --- public_holidays -----------------------------------------------------------------------


def test_ordinary_sundays_are_not_reported_as_holidays_in_norway() -> None:
    # holidays.NO can list every Sunday (include_sundays); weekends are handled separately
    norwegian = public_holidays("NO", 2026)
    assert date(2026, 1, 4) not in norwegian  # an ordinary Sunday
    sundays = {name for day, name in norwegian.items() if day.weekday() == 6}
    assert sundays <= {"Easter Sunday", "Whit Sunday", "Pentecost", "Constitution Day"}


def test_public_holidays_only_lists_the_requested_year() -> None:
    assert {day.year for day in public_holidays("DK", 2026)} == {2026}


def test_public_holidays_cannot_be_modified_by_callers() -> None:
    holidays_2026 = public_holidays("BE", 2026)
    with pytest.raises(TypeError):
        holidays_2026[date(2026, 3, 2)] = "Invented"  # type: ignore[index]


def test_holiday_names_are_english_whatever_the_process_locale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a Danish locale in the environment (the holidays package would follow it)
    monkeypatch.setenv("LANGUAGE", "da")
    public_holidays.cache_clear()
    try:
        # then names are still English
        assert public_holidays("DK", 2026)[GOOD_FRIDAY_2026] == "Good Friday"
    finally:
        public_holidays.cache_clear()


def test_unknown_jurisdiction_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown jurisdiction"):
        is_working_day(date(2026, 1, 5), "SE")


# --- Weekends, closed days and the counting conventions --------------------------------------


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_weekends_are_not_working_days(jurisdiction: Jurisdiction) -> None:
    assert not is_working_day(date(2026, 1, 10), jurisdiction)  # Saturday
    assert not is_working_day(date(2026, 1, 11), jurisdiction)  # Sunday
    assert is_working_day(date(2026, 1, 12), jurisdiction)  # Monday


def test_call_back_on_a_friday_means_the_following_monday() -> None:
    assert next_working_day(date(2026, 1, 9), "NO") == date(2026, 1, 12)


def test_closed_days_of_the_service_are_skipped() -> None:
    # given a staff day on Monday 12 January
    staff_day = date(2026, 1, 12)
    # when calling back after Friday, then the Tuesday is the first working day
    assert next_working_day(date(2026, 1, 9), "DK", [staff_day]) == date(2026, 1, 13)
    assert working_days_between(date(2026, 1, 9), date(2026, 1, 13), "DK", [staff_day]) == 1


def test_zero_working_days_is_the_start_itself_when_it_is_a_working_day() -> None:
    assert add_working_days(date(2026, 1, 7), 0, "BE") == date(2026, 1, 7)


def test_zero_working_days_from_a_saturday_is_the_following_monday() -> None:
    assert add_working_days(date(2026, 1, 10), 0, "BE") == date(2026, 1, 12)


def test_zero_working_days_from_easter_saturday_in_norway_is_the_tuesday() -> None:
    assert add_working_days(date(2026, 4, 4), 0, "NO") == date(2026, 4, 7)


def test_a_negative_number_of_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="zero or positive"):
        add_working_days(date(2026, 1, 7), -1, "DK")


def test_working_days_between_does_not_count_the_start_but_counts_the_end() -> None:
    monday, friday = date(2026, 1, 5), date(2026, 1, 9)
    assert working_days_between(monday, friday, "DK") == 4


def test_working_days_between_is_zero_when_the_end_is_not_after_the_start() -> None:
    day = date(2026, 1, 7)
    assert working_days_between(day, day, "NO") == 0
    assert working_days_between(day, day - timedelta(days=10), "NO") == 0


# --- Properties -----------------------------------------------------------------------------

jurisdictions = st.sampled_from(JURISDICTIONS)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))
closed_day_sets = st.frozensets(days, max_size=20)
counts = st.integers(min_value=0, max_value=60)


@settings(deadline=None)  # the first call for a year builds its holiday table
@given(start=days, n=counts, jurisdiction=jurisdictions, closed=closed_day_sets)
def test_adding_working_days_always_lands_on_a_working_day(
    start: date, n: int, jurisdiction: Jurisdiction, closed: frozenset[date]
) -> None:
    result = add_working_days(start, n, jurisdiction, closed)
    assert is_working_day(result, jurisdiction, closed)
    assert result >= start
    if n >= 1:
        assert result > start


@settings(deadline=None)  # the first call for a year builds its holiday table
@given(start=days, n=counts, jurisdiction=jurisdictions, closed=closed_day_sets)
def test_working_days_between_undoes_add_working_days(
    start: date, n: int, jurisdiction: Jurisdiction, closed: frozenset[date]
) -> None:
    if n == 0:
        n = 1
    end = add_working_days(start, n, jurisdiction, closed)
    assert working_days_between(start, end, jurisdiction, closed) == n
    # and the day before the deadline is one working day short
    assert working_days_between(start, end - timedelta(days=1), jurisdiction, closed) == n - 1


@settings(deadline=None)  # the first call for a year builds its holiday table
@given(start=days, n=counts, jurisdiction=jurisdictions, closed=closed_day_sets)
def test_adding_more_working_days_gives_a_later_day(
    start: date, n: int, jurisdiction: Jurisdiction, closed: frozenset[date]
) -> None:
    fewer = add_working_days(start, n, jurisdiction, closed)
    more = add_working_days(start, n + 1, jurisdiction, closed)
    if n >= 1:
        assert fewer < more
    else:
        # from a non-working day, "0 days" and "1 day" are both the next working day
        assert fewer <= more


@settings(deadline=None)  # the first call for a year builds its holiday table
@given(day=days, jurisdiction=jurisdictions, closed=closed_day_sets)
def test_next_working_day_is_one_working_day_later_with_nothing_in_between(
    day: date, jurisdiction: Jurisdiction, closed: frozenset[date]
) -> None:
    following = next_working_day(day, jurisdiction, closed)
    assert following == add_working_days(day, 1, jurisdiction, closed)
    assert is_working_day(following, jurisdiction, closed)
    gap = (following - day).days
    assert all(
        not is_working_day(day + timedelta(days=i), jurisdiction, closed) for i in range(1, gap)
    )


@settings(deadline=None)  # the first call for a year builds its holiday table
@given(start=days, end=days, jurisdiction=jurisdictions)
def test_working_days_between_matches_counting_day_by_day(
    start: date, end: date, jurisdiction: Jurisdiction
) -> None:
    if abs((end - start).days) > 800:
        end = start + timedelta(days=(end - start).days % 800)
    expected = sum(
        1
        for i in range(1, (end - start).days + 1)
        if is_working_day(start + timedelta(days=i), jurisdiction)
    )
    assert working_days_between(start, end, jurisdiction) == expected


@settings(deadline=None)  # the first call for a year builds its holiday table
@given(day=days, jurisdiction=jurisdictions)
def test_a_working_day_is_a_weekday_that_is_not_a_public_holiday(
    day: date, jurisdiction: Jurisdiction
) -> None:
    assert is_working_day(day, jurisdiction) == (
        day.weekday() < 5 and day not in public_holidays(jurisdiction, day.year)
    )
