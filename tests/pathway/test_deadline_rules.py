"""Deadline rules as pure functions of the rule pack and dates, in all three jurisdictions,
across weekends, Easter, Christmas and year ends (INT-5, INT-6, ASM-4, DEC-1, DEC-2, PLN-2)."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from bedring.core.calendar import is_working_day
from bedring.pathway.deadlines import (
    add_months,
    child_notification_due,
    complaint_is_late,
    complaint_reevaluation_due,
    complaint_window_end,
    decision_letter_due,
    inquiry_deadlines,
    plan_evaluation_due,
)
from bedring.rules.packs import jurisdiction_pack

DK, NO, BE = (jurisdiction_pack(code) for code in ("DK", "NO", "BE"))
D = datetime.date


def by_kind(specs):
    return {s.kind: s for s in specs}


def test_danish_inquiry_starts_the_14_day_treatment_guarantee():
    """INT-5: treatment starts no later than 14 days after the inquiry."""
    specs = by_kind(
        inquiry_deadlines(
            DK, received_on=D(2026, 11, 16), outside_phone_hours=False, next_phone_day=None
        )
    )
    assert set(specs) == {"treatment_start"}
    assert specs["treatment_start"].due_on == D(2026, 11, 30)
    assert specs["treatment_start"].basis == {
        "rule": "start_guarantee_days",
        "value": 14,
        "req": "INT-5",
    }


def test_danish_guarantee_runs_over_christmas_and_the_year_end_in_calendar_days():
    """INT-5 counts calendar days: Christmas does not stop the clock."""
    specs = by_kind(
        inquiry_deadlines(
            DK, received_on=D(2026, 12, 22), outside_phone_hours=False, next_phone_day=None
        )
    )
    assert specs["treatment_start"].due_on == D(2027, 1, 5)


def test_norwegian_first_contact_skips_easter_2027():
    """INT-6: within 3 working days; Maundy Thursday, Good Friday and Easter Monday are holidays."""
    specs = by_kind(
        inquiry_deadlines(
            NO, received_on=D(2027, 3, 24), outside_phone_hours=False, next_phone_day=None
        )
    )
    assert specs["first_contact"].due_on == D(2027, 4, 1)
    assert "callback" not in specs


def test_norwegian_first_contact_over_christmas_and_new_year():
    """INT-6 across 25, 26 December, the weekend and 1 January."""
    specs = by_kind(
        inquiry_deadlines(
            NO, received_on=D(2026, 12, 23), outside_phone_hours=False, next_phone_day=None
        )
    )
    # 24 Dec (Thu) is a working day in the public calendar, 25-26 are holidays, 27 Sunday,
    # 28 Mon, 29 Tue -> three working days: 24, 28, 29.
    assert specs["first_contact"].due_on == D(2026, 12, 29)


def test_norwegian_first_contact_honours_the_organisations_closed_days():
    specs = by_kind(
        inquiry_deadlines(
            NO,
            received_on=D(2026, 12, 23),
            outside_phone_hours=False,
            next_phone_day=None,
            closed_days={D(2026, 12, 24), D(2026, 12, 31)},
        )
    )
    assert specs["first_contact"].due_on == D(2026, 12, 30)


def test_norwegian_call_outside_phone_hours_is_called_back_when_the_phone_next_opens():
    """INT-6: a contact outside opening hours is called back the first following working day."""
    specs = by_kind(
        inquiry_deadlines(
            NO,
            received_on=D(2026, 12, 18),
            outside_phone_hours=True,
            next_phone_day=D(2026, 12, 21),
        )
    )
    assert specs["callback"].due_on == D(2026, 12, 21)
    assert specs["callback"].basis["req"] == "INT-6"


def test_norwegian_callback_without_phone_hours_falls_back_to_the_next_working_day():
    specs = by_kind(
        inquiry_deadlines(
            NO, received_on=D(2026, 12, 31), outside_phone_hours=True, next_phone_day=None
        )
    )
    assert specs["callback"].due_on == D(2027, 1, 4)  # 1 Jan holiday, then the weekend


def test_norwegian_mapping_period_lasts_three_calendar_months():
    """ASM-4: up to 3 months; 30 November + 3 months is the end of February."""
    specs = by_kind(
        inquiry_deadlines(
            NO, received_on=D(2026, 11, 30), outside_phone_hours=False, next_phone_day=None
        )
    )
    assert specs["assessment"].due_on == D(2027, 2, 28)
    specs = by_kind(
        inquiry_deadlines(
            NO, received_on=D(2027, 11, 30), outside_phone_hours=False, next_phone_day=None
        )
    )
    assert specs["assessment"].due_on == D(2028, 2, 29)  # leap year


def test_belgian_inquiry_sets_no_statutory_deadline():
    assert (
        inquiry_deadlines(
            BE, received_on=D(2026, 11, 16), outside_phone_hours=True, next_phone_day=None
        )
        == []
    )


def test_danish_calls_outside_hours_get_no_callback_rule():
    specs = inquiry_deadlines(
        DK, received_on=D(2026, 11, 21), outside_phone_hours=True, next_phone_day=D(2026, 11, 23)
    )
    assert {s.kind for s in specs} == {"treatment_start"}


def test_decision_letter_is_due_five_working_days_after_the_decision():
    assert decision_letter_due(DK, D(2027, 3, 24)).due_on == D(2027, 4, 5)  # Easter 2027 in DK
    assert decision_letter_due(BE, D(2027, 3, 24)).due_on == D(2027, 4, 1)  # BE: only Easter Monday


def test_complaint_window_is_four_weeks_in_denmark_and_in_norway():
    """DEC-2: DK 4 weeks from receipt; NO 4 weeks (pasient- og brukerrettighetsloven § 7-5,
    not the 3 weeks of forvaltningsloven § 29)."""
    received = D(2026, 11, 2)
    assert complaint_window_end(DK, received) == D(2026, 11, 30)
    assert not complaint_is_late(
        DK, letter_received_on=received, complaint_received_on=D(2026, 11, 30)
    )
    assert complaint_is_late(DK, letter_received_on=received, complaint_received_on=D(2026, 12, 1))
    assert not complaint_is_late(
        NO, letter_received_on=received, complaint_received_on=D(2026, 11, 30)
    )
    assert complaint_is_late(NO, letter_received_on=received, complaint_received_on=D(2026, 12, 1))
    assert complaint_window_end(BE, received) is None
    assert not complaint_is_late(DK, letter_received_on=None, complaint_received_on=D(2027, 6, 1))


def test_complaint_reevaluation_and_child_notification_deadlines():
    assert complaint_reevaluation_due(DK, D(2026, 12, 20)).due_on == D(2027, 1, 17)
    assert child_notification_due(DK, D(2026, 11, 23)).due_on == D(2026, 11, 23)


def test_plan_is_evaluated_every_three_months_with_month_ends_clamped():
    """PLN-2."""
    assert plan_evaluation_due(DK, D(2026, 11, 30)).due_on == D(2027, 2, 28)
    assert plan_evaluation_due(DK, D(2027, 11, 30)).due_on == D(2028, 2, 29)
    assert plan_evaluation_due(DK, D(2026, 12, 31)).due_on == D(2027, 3, 31)


dates = st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31))
packs = st.sampled_from([DK, NO, BE])


@given(received=dates, pack=packs, outside=st.booleans())
def test_no_deadline_is_before_the_inquiry_and_working_day_rules_land_on_working_days(
    received, pack, outside
):
    for spec in inquiry_deadlines(
        pack, received_on=received, outside_phone_hours=outside, next_phone_day=None
    ):
        assert spec.due_on > received
        if spec.kind in ("first_contact", "callback"):
            assert is_working_day(spec.due_on, pack.jurisdiction)


@given(received=dates, closed=st.sets(dates, max_size=20))
def test_norwegian_first_contact_never_lands_on_a_closed_day(received, closed):
    spec = by_kind(
        inquiry_deadlines(
            NO,
            received_on=received,
            outside_phone_hours=True,
            next_phone_day=None,
            closed_days=closed,
        )
    )
    for kind in ("first_contact", "callback"):
        assert spec[kind].due_on not in closed
        assert is_working_day(spec[kind].due_on, "NO", closed)
    assert spec["callback"].due_on <= spec["first_contact"].due_on


@given(day=dates, months=st.integers(min_value=1, max_value=24))
def test_adding_months_never_goes_backwards_or_skips_a_month(day, months):
    result = add_months(day, months)
    assert result > day
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months


@given(decided=dates, pack=packs)
def test_decision_letter_deadline_is_a_working_day_after_the_decision(decided, pack):
    due = decision_letter_due(pack, decided).due_on
    assert due > decided
    assert is_working_day(due, pack.jurisdiction)
