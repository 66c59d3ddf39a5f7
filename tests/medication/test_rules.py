"""The dose rules as pure functions (MED-1, MED-2, MED-8): no database, one question each.

23 November 2026 is a Monday; the weeks below are read from there.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bedring.medication import rules
from bedring.medication.rules import DoseRuleError, DoseWeek

MONDAY = datetime.date(2026, 11, 23)
LONG_AGO = MONDAY - datetime.timedelta(days=60)
TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = (
    MONDAY + datetime.timedelta(days=n) for n in range(1, 7)
)
NEXT_MONDAY = MONDAY + datetime.timedelta(days=7)


def day(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def week(supervised: tuple[int, ...] = (0, 1, 2, 3, 4), take_home: tuple[int, ...] = (5, 6)):
    return DoseWeek(frozenset(supervised), frozenset(take_home))


def always_open(_day: datetime.date) -> bool:
    return True


def refused(code: str):
    """pytest.raises for a DoseRuleError with this code."""
    return pytest.raises(DoseRuleError, match=f"^{code}$")


# --- DoseWeek and check_weekdays -----------------------------------------------------------


def test_the_dose_week_says_what_kind_of_dose_a_day_has():
    """MED-2: a weekday is a desk day, a take-home day or has no dose."""
    dose_week = week(supervised=(0, 2), take_home=(5,))
    assert dose_week.kind_on(MONDAY) == rules.SUPERVISED
    assert dose_week.kind_on(TUESDAY) == ""
    assert dose_week.kind_on(WEDNESDAY) == rules.SUPERVISED
    assert dose_week.kind_on(SATURDAY) == rules.TAKE_HOME
    assert dose_week.kind_on(SUNDAY) == ""


def test_weekdays_become_a_dose_week():
    """MED-1: Monday to Friday at the desk, the weekend at home."""
    assert rules.check_weekdays([0, 1, 2, 3, 4], [5, 6]) == week()
    assert rules.check_weekdays((0,), ()) == week(supervised=(0,), take_home=())


@pytest.mark.parametrize(
    ("supervised", "take_home", "code"),
    [
        ([7], [], "bad_weekday"),
        ([-1], [], "bad_weekday"),
        ([0], [9], "bad_weekday"),
        (["0"], [], "bad_weekday"),
        ([0.0], [], "bad_weekday"),
        ([0, 5], [5], "weekday_twice"),
        ([], [], "no_dose_days"),
        ([], [5, 6], "take_home_without_visit"),
    ],
)
def test_weekdays_outside_the_rules_are_refused(supervised, take_home, code):
    """MED-1: days are 0 (Monday) to 6; a day is one kind only; at least one dose day; a
    take-home dose is handed out at a desk visit, so there is at least one desk day."""
    with refused(code):
        rules.check_weekdays(supervised, take_home)


def test_weekdays_may_come_from_a_generator():
    """The function reads its arguments once: a generator is checked like a list."""
    dose_week = rules.check_weekdays((d for d in (0, 1)), (d for d in (6,)))
    assert dose_week == week(supervised=(0, 1), take_home=(6,))


# --- take-home runs and the pick-up interval -----------------------------------------------


@pytest.mark.parametrize(
    ("supervised", "take_home", "reach"),
    [
        ((0, 1, 2, 3, 4, 5, 6), (), 0),
        ((0, 1, 2, 3, 4), (5, 6), 2),  # Friday's visit reaches Saturday and Sunday
        ((1, 2, 3, 4), (5, 6, 0), 3),  # Saturday, Sunday and Monday: across the week's end
        ((0, 2, 4), (1, 3, 5, 6), 2),
        ((0,), (1, 2, 3, 4, 5, 6), 6),  # a weekly visit
        ((0, 4, 5, 6), (2, 3), 3),  # no dose on Tuesday, take-home Wednesday and Thursday
    ],
)
def test_the_reach_a_visit_needs(supervised, take_home, reach):
    assert rules.take_home_reach(week(supervised=supervised, take_home=take_home)) == reach


def test_a_weekend_of_take_home_needs_an_interval_of_two():
    """MED-2: Friday's visit reaches Saturday and Sunday only with an interval of 2."""
    rules.check_pickup_interval(week(), 2)
    rules.check_pickup_interval(week(), 28)
    with pytest.raises(DoseRuleError) as too_short:
        rules.check_pickup_interval(week(), 1)
    assert too_short.value.code == "pickup_interval_too_short"
    assert too_short.value.params == {"needed": 2}


def test_a_run_across_the_weeks_end_needs_its_whole_length():
    """MED-2: take-home Saturday, Sunday and Monday: three days in a row."""
    across = week(supervised=(1, 2, 3, 4), take_home=(5, 6, 0))
    rules.check_pickup_interval(across, 3)
    with refused("pickup_interval_too_short"):
        rules.check_pickup_interval(across, 2)


def test_a_gap_before_the_take_home_days_counts_in_the_reach():
    """MED-2: a visit on Monday, no dose on Tuesday, take-home Wednesday and Thursday:
    Monday's visit must reach Thursday, three days ahead."""
    gap = week(supervised=(0, 4, 5, 6), take_home=(2, 3))
    assert rules.take_home_reach(gap) == 3
    rules.check_pickup_interval(gap, 3)
    with refused("pickup_interval_too_short"):
        rules.check_pickup_interval(gap, 2)


@pytest.mark.parametrize("interval", [0, -1, 29, 365])
def test_the_pickup_interval_is_one_to_28_days(interval):
    with pytest.raises(DoseRuleError) as out_of_range:
        rules.check_pickup_interval(week(supervised=(0,), take_home=()), interval)
    assert out_of_range.value.code == "pickup_interval_range"
    assert out_of_range.value.params == {"maximum": 28}


def test_without_take_home_any_interval_in_range_will_do():
    rules.check_pickup_interval(week(take_home=()), 1)


# --- the dose ------------------------------------------------------------------------------


@pytest.mark.parametrize("dose", ["0.01", "60", "60.5", "249.99", "250", "250.00"])
def test_a_dose_up_to_the_maximum_with_two_decimals(dose):
    """MED-1: more than 0, at most two decimals, at most the medicine's maximum."""
    rules.check_dose(Decimal(dose), maximum=Decimal("250"))


@pytest.mark.parametrize(
    ("dose", "code"),
    [
        ("0", "dose_not_positive"),
        ("0.00", "dose_not_positive"),
        ("-0", "dose_not_positive"),
        ("-5", "dose_not_positive"),
        ("NaN", "dose_not_positive"),
        ("-NaN", "dose_not_positive"),
        ("sNaN", "dose_not_positive"),
        ("Infinity", "dose_not_positive"),
        ("-Infinity", "dose_not_positive"),
        ("60.005", "dose_precision"),
        ("0.001", "dose_precision"),
        ("250.01", "dose_above_maximum"),
        ("1E+3", "dose_above_maximum"),
        ("1E+30", "dose_above_maximum"),
        ("250.005", "dose_above_maximum"),
    ],
)
def test_a_dose_outside_the_rules_is_refused(dose, code):
    with refused(code):
        rules.check_dose(Decimal(dose), maximum=Decimal("250"))


def test_the_maximum_is_named_in_the_refusal():
    with pytest.raises(DoseRuleError) as above:
        rules.check_dose(Decimal("40"), maximum=Decimal("32"))
    assert above.value.params == {"maximum": Decimal("32")}


@given(
    dose=st.decimals(allow_nan=True, allow_infinity=True),
    maximum=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2),
)
@example(dose=Decimal("1E+30"), maximum=Decimal("250"))
@example(dose=Decimal("1E-30"), maximum=Decimal("250"))
def test_any_decimal_is_either_a_dose_or_a_named_refusal(dose, maximum):
    """MED-1: whatever number reaches the rule (a huge exponent, NaN), the answer is a
    refusal with a code, never an arithmetic error."""
    acceptable = dose.is_finite() and 0 < dose <= maximum and dose == dose.quantize(Decimal("0.01"))
    if acceptable:
        rules.check_dose(dose, maximum=maximum)
    else:
        with pytest.raises(DoseRuleError) as refusal:
            rules.check_dose(dose, maximum=maximum)
        assert refusal.value.code in {"dose_not_positive", "dose_precision", "dose_above_maximum"}


# --- a dose change needs a reason beyond the step ------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "needs"),
    [
        ("60", "60", False),
        ("60", "70", False),  # exactly the step
        ("60", "50", False),  # exactly the step, down
        ("60", "70.01", True),  # the step and a hundredth
        ("60", "49.99", True),
        ("60", "120", True),
        ("60.5", "70.5", False),
    ],
)
def test_a_change_beyond_the_step_needs_a_reason(old, new, needs):
    """MED-1: a change of exactly the medicine's step needs no reason; one hundredth more
    does, up or down."""
    assert rules.change_needs_reason(Decimal(old), Decimal(new), step=Decimal("10")) is needs


@given(
    old=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000"), places=2),
    new=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000"), places=2),
    step=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2),
)
def test_the_reason_rule_is_symmetric(old, new, step):
    """MED-1: a change up and the same change down are judged alike."""
    assert rules.change_needs_reason(old, new, step=step) == rules.change_needs_reason(
        new, old, step=step
    )


# --- the period ----------------------------------------------------------------------------


def test_the_period_may_end_on_its_first_day_but_not_before():
    rules.check_period(MONDAY, None)
    rules.check_period(MONDAY, MONDAY)
    with refused("end_before_start"):
        rules.check_period(MONDAY, MONDAY - day(1))


def test_a_day_is_in_the_period_from_the_first_to_the_last_day():
    assert not rules.in_period(MONDAY - day(1), MONDAY, FRIDAY)
    assert rules.in_period(MONDAY, MONDAY, FRIDAY)
    assert rules.in_period(FRIDAY, MONDAY, FRIDAY)
    assert not rules.in_period(SATURDAY, MONDAY, FRIDAY)
    assert rules.in_period(datetime.date(2099, 1, 1), MONDAY, None)


def test_a_day_outside_the_period_is_refused_with_the_date():
    """MED-2: no dose before the start or after the end."""
    rules.check_in_period(TUESDAY, MONDAY, TUESDAY)
    with pytest.raises(DoseRuleError) as early:
        rules.check_in_period(MONDAY - day(1), MONDAY, FRIDAY)
    assert (early.value.code, early.value.params) == ("not_started", {"starts_on": MONDAY})
    with pytest.raises(DoseRuleError) as late:
        rules.check_in_period(SATURDAY, MONDAY, FRIDAY)
    assert (late.value.code, late.value.params) == ("expired", {"ends_on": FRIDAY})


# --- substitution age (MED-8) --------------------------------------------------------------


def test_substitution_from_the_18th_birthday_itself():
    """MED-8: 18 on the start date: the birthday counts, the day before does not."""
    birth = datetime.date(2008, 11, 23)
    rules.check_substitution_age(birth, MONDAY, minimum=18)
    with pytest.raises(DoseRuleError) as young:
        rules.check_substitution_age(birth, MONDAY - day(1), minimum=18)
    assert young.value.code == "substitution_under_age"
    assert young.value.params == {"minimum": 18, "age": 17}


def test_a_29_february_birthday_turns_18_on_1_march():
    """MED-8: born 29 February 2008, the 18th birthday falls in 2026, which has no 29
    February: the client is 17 on 28 February and 18 on 1 March (the later day, so no
    substitution is started a day early)."""
    birth = datetime.date(2008, 2, 29)
    with refused("substitution_under_age"):
        rules.check_substitution_age(birth, datetime.date(2026, 2, 28), minimum=18)
    rules.check_substitution_age(birth, datetime.date(2026, 3, 1), minimum=18)


def test_a_29_february_birthday_in_a_leap_year_is_the_day_itself():
    """Born 29 February 2008, 20 on 29 February 2028 (a leap year)."""
    birth = datetime.date(2008, 2, 29)
    rules.check_substitution_age(birth, datetime.date(2028, 2, 29), minimum=20)
    with refused("substitution_under_age"):
        rules.check_substitution_age(birth, datetime.date(2028, 2, 28), minimum=20)


def test_substitution_needs_a_birth_date():
    """MED-8: without a birth date the age cannot be known: refused, naming the minimum."""
    with pytest.raises(DoseRuleError) as unknown:
        rules.check_substitution_age(None, MONDAY, minimum=18)
    assert (unknown.value.code, unknown.value.params) == (
        "substitution_age_unknown",
        {"minimum": 18},
    )


def test_the_minimum_age_is_the_rule_packs():
    """MED-8: the age comes from the organisation's rule pack, not from the function."""
    birth = datetime.date(2006, 11, 24)  # 19 on the day before the 20th birthday
    rules.check_substitution_age(birth, MONDAY, minimum=19)
    with refused("substitution_under_age"):
        rules.check_substitution_age(birth, MONDAY, minimum=20)


@given(
    birth=st.dates(min_value=datetime.date(1920, 1, 1), max_value=datetime.date(2030, 12, 31)),
    years=st.integers(min_value=0, max_value=90),
)
def test_the_birthday_is_the_first_day_of_the_age(birth, years):
    """MED-8: with the birthday as the first day of each age (1 March for 29 February in a
    common year), a client is old enough exactly from that day."""
    try:
        birthday = birth.replace(year=birth.year + years)
    except ValueError:  # 29 February in a common year
        birthday = datetime.date(birth.year + years, 3, 1)
    rules.check_substitution_age(birth, birthday, minimum=years)
    if years > 0:
        with refused("substitution_under_age"):
            rules.check_substitution_age(birth, birthday - day(1), minimum=years)


# --- take-home days a handover may cover ---------------------------------------------------


def allowed(today, *, interval=2, dose_week=None, starts_on=MONDAY, ends_on=None):
    return rules.take_home_days_allowed(
        today=today,
        week=dose_week or week(),
        interval_days=interval,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def test_friday_reaches_the_weekend():
    """MED-2: on Friday with an interval of 2: Saturday and Sunday."""
    assert allowed(FRIDAY) == [SATURDAY, SUNDAY]


def test_the_interval_bounds_the_reach():
    """MED-2: today to today + interval, inclusive: Thursday with 2 reaches Saturday only,
    with 1 Friday reaches Saturday only, and Monday reaches no weekend at all."""
    assert allowed(THURSDAY) == [SATURDAY]
    assert allowed(FRIDAY, interval=1) == [SATURDAY]
    assert allowed(MONDAY) == []


def test_a_take_home_day_today_is_within_reach():
    """MED-2: on a take-home day itself, today's dose can be handed out."""
    assert allowed(SATURDAY) == [SATURDAY, SUNDAY]


def test_the_reach_crosses_into_the_next_week():
    """Take-home Saturday, Sunday and Monday, handed out on Friday with an interval of 3."""
    across = week(supervised=(1, 2, 3, 4), take_home=(5, 6, 0))
    assert allowed(FRIDAY, interval=3, dose_week=across) == [SATURDAY, SUNDAY, NEXT_MONDAY]


def test_the_reach_stays_within_the_prescriptions_period():
    """MED-2: no take-home dose for a day after the end or before the start."""
    assert allowed(FRIDAY, ends_on=SATURDAY) == [SATURDAY]
    assert allowed(FRIDAY, starts_on=SUNDAY) == [SUNDAY]
    assert allowed(FRIDAY, ends_on=FRIDAY) == []


@st.composite
def dose_weeks(draw: st.DrawFn) -> DoseWeek:
    """A week that check_weekdays accepts: at least one desk day, take-home days elsewhere."""
    supervised = draw(st.sets(st.integers(0, 6), min_size=1))
    others = sorted(set(range(7)) - supervised)
    take_home = draw(st.sets(st.sampled_from(others))) if others else set()
    return rules.check_weekdays(sorted(supervised), sorted(take_home))


dates = st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2035, 12, 31))


@given(dose_week=dose_weeks(), today=dates, extra=st.integers(min_value=0, max_value=7))
def test_a_visit_before_a_take_home_run_reaches_the_whole_run(dose_week, today, extra):
    """MED-2: with an interval of at least the reach (what check_pickup_interval asks), the
    desk day right before a run of take-home days reaches every day up to the next visit."""
    interval = max(1, rules.take_home_reach(dose_week)) + extra
    rules.check_pickup_interval(dose_week, interval)
    if dose_week.kind_on(today) != rules.SUPERVISED:
        return
    run = []
    following = today + day(1)
    while dose_week.kind_on(following) != rules.SUPERVISED and following - today < day(7):
        if dose_week.kind_on(following) == rules.TAKE_HOME:
            run.append(following)
        following += day(1)
    reach = allowed(today, interval=interval, dose_week=dose_week, starts_on=today)
    assert set(run) <= set(reach)


@given(dose_week=dose_weeks(), today=dates, interval=st.integers(1, 28))
def test_only_take_home_days_within_reach_are_allowed(dose_week, today, interval):
    reach = allowed(today, interval=interval, dose_week=dose_week, starts_on=today)
    assert reach == sorted(reach)
    for covered_day in reach:
        assert dose_week.kind_on(covered_day) == rules.TAKE_HOME
        assert today <= covered_day <= today + day(interval)


# --- check_take_home -----------------------------------------------------------------------


def test_take_home_days_that_are_allowed_and_free_pass():
    rules.check_take_home([SATURDAY, SUNDAY], allowed=[SATURDAY, SUNDAY], covered=[FRIDAY])


def test_a_handover_without_days_is_refused():
    with refused("no_take_home_days"):
        rules.check_take_home([], allowed=[SATURDAY], covered=[])


def test_a_day_not_allowed_is_refused_naming_the_first():
    """MED-2: take-home only on prescribed days within reach; the earliest offending day is
    named."""
    with pytest.raises(DoseRuleError) as refusal:
        rules.check_take_home(
            [SATURDAY, NEXT_MONDAY, MONDAY], allowed=[SATURDAY, SUNDAY], covered=[]
        )
    assert refusal.value.code == "take_home_not_prescribed"
    assert refusal.value.params == {"day": MONDAY}


def test_a_day_already_covered_is_refused_naming_it():
    """MED-2: never over a day already covered."""
    with pytest.raises(DoseRuleError) as refusal:
        rules.check_take_home(
            [SATURDAY, SUNDAY], allowed=[SATURDAY, SUNDAY], covered={SUNDAY, SATURDAY}
        )
    assert refusal.value.code == "take_home_overlap"
    assert refusal.value.params == {"day": SATURDAY}


def test_not_prescribed_is_said_before_overlap():
    with refused("take_home_not_prescribed"):
        rules.check_take_home([MONDAY, SATURDAY], allowed=[SATURDAY], covered=[SATURDAY])


# --- missed doses in a row -----------------------------------------------------------------


def missed(
    today,
    *,
    counted_from=LONG_AGO,
    dose_week=None,
    ends_on=None,
    covered=(),
    desk_open=always_open,
    limit=3,
):
    return rules.missed_in_a_row(
        today=today,
        counted_from=counted_from,
        week=dose_week or week(),
        ends_on=ends_on,
        covered=frozenset(covered),
        desk_open=desk_open,
        limit=limit,
    )


def test_nothing_is_missed_when_yesterday_was_covered():
    assert missed(THURSDAY, covered=[WEDNESDAY]) == (0, None)


def test_today_does_not_count_yet():
    """MED-2: today's dose can still be collected."""
    assert missed(TUESDAY, covered=[MONDAY]) == (0, None)


def test_missed_days_are_counted_back_to_the_last_dose():
    """MED-2: Monday collected, Tuesday and Wednesday missed: two, since Tuesday."""
    assert missed(THURSDAY, covered=[MONDAY]) == (2, TUESDAY)


def test_the_count_stops_at_the_limit():
    """MED-2: the work is bounded by the limit: three missed of a longer run."""
    assert missed(FRIDAY, covered=[]) == (3, TUESDAY)
    assert missed(FRIDAY, covered=[], limit=1) == (1, THURSDAY)


def test_take_home_days_nobody_handed_out_are_missed():
    """MED-2: Friday collected, no weekend doses handed out: Saturday and Sunday missed."""
    assert missed(NEXT_MONDAY, covered=[FRIDAY]) == (2, SATURDAY)


def test_a_handed_out_weekend_is_covered():
    assert missed(NEXT_MONDAY, covered=[FRIDAY, SATURDAY, SUNDAY]) == (0, None)


def test_a_run_crosses_sunday_into_monday():
    """MED-2: Saturday, Sunday (take-home) and Monday (desk) missed: three in a row."""
    assert missed(NEXT_MONDAY + day(1), covered=[FRIDAY]) == (3, SATURDAY)


def test_days_without_a_dose_neither_count_nor_break_the_run():
    """A Monday/Wednesday/Friday prescription: the days between have no dose."""
    mon_wed_fri = week(supervised=(0, 2, 4), take_home=())
    assert missed(NEXT_MONDAY + day(1), dose_week=mon_wed_fri, covered=[MONDAY]) == (
        3,
        WEDNESDAY,
    )


def test_a_closed_desk_day_neither_counts_nor_breaks_the_run():
    """MED-2: Wednesday the desk gave no medication (a holiday): not the client's miss, and
    Tuesday and Thursday are still two in a row."""
    closed = {WEDNESDAY}
    assert missed(
        FRIDAY, covered=[MONDAY], desk_open=lambda d: d not in closed, dose_week=week()
    ) == (2, TUESDAY)


def test_a_closed_desk_does_not_excuse_a_take_home_day():
    """MED-2: the take-home dose needed no desk: a take-home day nobody covered is missed,
    even if the desk was closed that day."""
    assert missed(NEXT_MONDAY, covered=[FRIDAY], desk_open=lambda d: d.weekday() < 5) == (
        2,
        SATURDAY,
    )


def test_days_before_counted_from_are_not_looked_at():
    """MED-2: a doctor lifted a hold on Wednesday: Monday and Tuesday no longer count."""
    assert missed(FRIDAY, counted_from=WEDNESDAY) == (2, WEDNESDAY)
    assert missed(WEDNESDAY, counted_from=WEDNESDAY) == (0, None)


def test_days_after_the_end_are_not_missed():
    """A prescription that ended on Tuesday: Wednesday and Thursday had no dose planned."""
    assert missed(FRIDAY, covered=[MONDAY], ends_on=TUESDAY) == (1, TUESDAY)


def test_the_lookback_is_bounded_by_the_limit():
    """MED-2: what the services load from the database is enough for the walk."""
    assert rules.lookback_days(3) == 77
    always_closed = rules.missed_in_a_row(
        today=MONDAY,
        counted_from=datetime.date(2000, 1, 1),
        week=week(take_home=()),
        ends_on=None,
        covered=frozenset(),
        desk_open=lambda _d: False,
        limit=3,
    )
    assert always_closed == (0, None)


@st.composite
def histories(draw: st.DrawFn) -> dict[str, Any]:
    dose_week = draw(dose_weeks())
    today = draw(dates)
    counted_from = today - day(draw(st.integers(0, 120)))
    covered = draw(st.sets(st.integers(1, 120).map(lambda n: today - day(n)), max_size=40))
    closed = draw(st.sets(st.integers(1, 120).map(lambda n: today - day(n)), max_size=20))
    ends_on = draw(st.none() | st.integers(-10, 120).map(lambda n: today - day(n)))
    return {
        "today": today,
        "counted_from": counted_from,
        "dose_week": dose_week,
        "ends_on": ends_on,
        "covered": covered,
        "desk_open": lambda d: d not in closed,
        "limit": draw(st.integers(1, 10)),
    }


def run_missed(history: dict[str, Any]) -> tuple[int, datetime.date | None]:
    return missed(**history)


@given(history=histories())
def test_the_count_never_exceeds_the_limit(history):
    count, earliest = run_missed(history)
    assert 0 <= count <= history["limit"]
    assert (count == 0) == (earliest is None)
    if earliest is not None:
        assert history["counted_from"] <= earliest < history["today"]
        assert earliest not in history["covered"]


@given(history=histories())
def test_a_covered_yesterday_means_nothing_missed(history):
    history["covered"] = history["covered"] | {history["today"] - day(1)}
    assert run_missed(history) == (0, None)


@given(history=histories(), extra=st.integers(1, 120))
def test_covering_one_more_day_never_raises_the_count(history, extra):
    before, _ = run_missed(history)
    history["covered"] = history["covered"] | {history["today"] - day(extra)}
    after, _ = run_missed(history)
    assert after <= before


@given(history=histories(), later=st.integers(0, 30))
def test_counting_from_later_never_raises_the_count(history, later):
    """MED-2: lifting a hold (counting from a later day) never adds missed days."""
    before, _ = run_missed(history)
    history["counted_from"] = min(history["today"], history["counted_from"] + day(later))
    after, _ = run_missed(history)
    assert after <= before


# --- the prescription in words (MED-1, MED-6) ----------------------------------------------


@pytest.mark.parametrize(
    ("dose", "strength", "unit", "volume"),
    [
        (Decimal("80"), "1 mg/ml", "mg", Decimal("80")),
        (Decimal("45"), "10 mg/ml", "mg", Decimal("4.5")),
        (Decimal("2.5"), "1,5 mg / ml", "mg", Decimal("1.67")),
        (Decimal("80"), "5 mg", "mg", None),
        (Decimal("16"), "8 mg/2 mg", "mg", None),
        (Decimal("80"), "1 mg/ml", "ml", None),
        (Decimal("80"), "0 mg/ml", "mg", None),
    ],
)
def test_a_solution_dose_in_mg_is_also_a_volume(dose, strength, unit, volume):
    """MED-1: methadone 1 mg/ml: 80 mg is 80 ml; a tablet's strength is not a volume."""
    assert rules.dose_volume_ml(dose, strength=strength, unit=unit) == volume


@pytest.mark.parametrize(
    ("days", "runs"),
    [
        ([0, 1, 2, 3, 4, 5], [(0, 5)]),
        ([6], [(6, 6)]),
        ([4, 0, 2], [(0, 0), (2, 2), (4, 4)]),
        ([5, 6, 0], [(0, 0), (5, 6)]),
        ([], []),
    ],
)
def test_weekdays_as_runs(days, runs):
    assert rules.weekday_runs(days) == runs


@given(st.sets(st.integers(min_value=0, max_value=6)))
def test_weekday_runs_cover_each_day_once(days):
    covered = [d for first, last in rules.weekday_runs(days) for d in range(first, last + 1)]
    assert covered == sorted(days)


def test_supervised_days_without_medication():
    """MED-6: Oostende gives medication Monday to Saturday: Sunday at the desk is warned."""
    assert rules.supervised_days_without_medication(range(7), [0, 1, 2, 3, 4, 5]) == [6]
    assert rules.supervised_days_without_medication([0, 1], [0, 1, 2]) == []
