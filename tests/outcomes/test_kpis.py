"""The KPI formulas on hand-built rows (DIS-3, DIS-4, INT-5, INT-6, PLN-2, DIS-2, SCH-2),
including the boundaries: first and last day of the period, day 365 and 366."""

from __future__ import annotations

import datetime

from bedring.outcomes import kpis
from bedring.outcomes.kpis import (
    AttendanceRow,
    DeadlineRow,
    DischargeRow,
    EnrolmentRow,
    FirstContactRow,
    GuaranteeRow,
    OpeningRow,
    StartRow,
)

D = datetime.date
START, END = D(2025, 1, 1), D(2025, 12, 31)
# The report's day is an argument of these pure figures, not the clock: a literal day.
REPORT_DAY = D(2026, 11, 23)

# Assens' targets (seed 002 §2, lines 24-25): at least 75 % reach their goal, at most 50 %
# come back within 12 months. In production they come from the pack's outcome_targets.
ASSENS_GOAL = 0.75
ASSENS_READMISSION = 0.50


def discharge(
    episode_id: int,
    on: datetime.date,
    *,
    status: str = "completed",
    result: str = "drug_free",
    intensity: str = "outpatient",
    client_id: int | None = None,
) -> DischargeRow:
    return DischargeRow(episode_id, client_id or episode_id, on, status, result, intensity)


# --- goal attainment (DIS-3) -----------------------------------------------------------------


def test_goal_attainment_counts_first_and_last_day_but_not_the_day_before():
    rows = [
        discharge(1, START),
        discharge(2, END, result="not_reached"),
        discharge(3, START - datetime.timedelta(days=1)),
        discharge(4, END + datetime.timedelta(days=1)),
    ]
    figure = kpis.goal_attainment(rows, start=START, end=END, target=ASSENS_GOAL)
    assert (figure.numerator, figure.denominator) == (1, 2)
    assert figure.denominator_ids == (1, 2)
    assert figure.numerator_ids == (1,)
    assert figure.value == 0.5
    assert figure.meets_target is False
    # An organisation without a target (only Assens has one, seed 002 §2): no verdict.
    untargeted = kpis.goal_attainment(rows, start=START, end=END)
    assert (untargeted.value, untargeted.target, untargeted.meets_target) == (0.5, None, None)


def test_goal_attainment_counts_reduced_use_and_only_outpatient():
    rows = [
        discharge(1, D(2025, 3, 1), result="reduced"),
        discharge(2, D(2025, 3, 1), result="stabilised"),
        discharge(3, D(2025, 3, 1), intensity="residential"),
        discharge(4, D(2025, 3, 1), intensity="day"),
    ]
    figure = kpis.goal_attainment(rows, start=START, end=END)
    assert (figure.numerator, figure.denominator) == (1, 2)


def test_goal_attainment_two_ways_all_statuses_and_completed_only():
    rows = [
        discharge(1, D(2025, 5, 1)),
        discharge(2, D(2025, 5, 1), status="own_wish", result="not_reached"),
        discharge(3, D(2025, 5, 1), status="no_show", result="not_reached"),
        discharge(4, D(2025, 5, 1), status="hospital", result="reduced"),
    ]
    every = kpis.goal_attainment(rows, start=START, end=END)
    completed = kpis.goal_attainment(
        rows, start=START, end=END, completed_only=True, target=ASSENS_GOAL
    )
    assert (every.numerator, every.denominator) == (2, 4)
    assert (completed.numerator, completed.denominator) == (1, 1)
    assert completed.meets_target is True


def test_zero_denominator_has_no_value():
    figure = kpis.goal_attainment([], start=START, end=END)
    assert (figure.numerator, figure.denominator, figure.value) == (0, 0, None)
    assert figure.percent is None
    assert figure.meets_target is None


# --- readmission (DIS-4) ---------------------------------------------------------------------


def test_readmission_day_365_counts_and_day_366_does_not():
    left = D(2025, 3, 10)
    rows = [discharge(1, left, client_id=100), discharge(2, left, client_id=200)]
    openings = [
        OpeningRow(11, 100, left + datetime.timedelta(days=365)),
        OpeningRow(12, 200, left + datetime.timedelta(days=366)),
    ]
    figure = kpis.readmission(
        rows, openings, start=START, end=END, today=REPORT_DAY, target=ASSENS_READMISSION
    )
    assert figure.numerator_ids == (1,)
    assert figure.denominator_ids == (1, 2)
    assert figure.target_kind == "max"
    assert figure.meets_target is True  # 50 % is at most 50 %


def test_readmission_the_next_day_counts_the_same_day_does_not():
    left = D(2025, 6, 1)
    rows = [discharge(1, left, client_id=1), discharge(2, left, client_id=2)]
    openings = [
        OpeningRow(11, 1, left + datetime.timedelta(days=1)),
        OpeningRow(12, 2, left),
        OpeningRow(13, 2, left - datetime.timedelta(days=30)),
    ]
    figure = kpis.readmission(rows, openings, start=START, end=END, today=REPORT_DAY)
    assert figure.numerator_ids == (1,)


def test_readmission_only_completed_and_only_cohorts_whose_year_has_passed():
    today = D(2026, 6, 1)
    last_in_cohort = today - datetime.timedelta(days=366)  # D + 365 < today
    too_young = today - datetime.timedelta(days=365)  # D + 365 == today: not yet
    rows = [
        discharge(1, last_in_cohort),
        discharge(2, too_young),
        discharge(3, D(2025, 2, 1), status="own_wish"),
    ]
    figure = kpis.readmission(rows, [], start=START, end=END, today=today)
    assert figure.denominator_ids == (1,)
    assert kpis.readmission_cohort_end(today) == last_in_cohort


def test_readmission_other_clients_do_not_count():
    rows = [discharge(1, D(2025, 2, 1), client_id=1)]
    openings = [OpeningRow(11, 2, D(2025, 3, 1))]
    figure = kpis.readmission(rows, openings, start=START, end=END, today=REPORT_DAY)
    assert (figure.numerator, figure.denominator) == (0, 1)


# --- treatment guarantee (INT-5) and first contact (INT-6) ----------------------------------


def test_treatment_guarantee_counts_deadlines_due_in_the_period_met_late_and_overdue():
    """INT-5: by the TREATMENT_START deadline's due day; a client still waiting past the
    guarantee counts against it (before, only episodes that had started were counted)."""
    rows = [
        GuaranteeRow(1, END, "met", END),  # due on the last day of the period: in, on time
        GuaranteeRow(2, START, "missed", START + datetime.timedelta(days=1)),  # first day, late
        GuaranteeRow(3, D(2025, 6, 1), "open", None),  # still waiting, overdue: in, not kept
        GuaranteeRow(4, D(2025, 6, 1), "waived", D(2025, 5, 1)),  # free choice: left out
        GuaranteeRow(5, D(2025, 6, 1), "cancelled", D(2025, 5, 1)),  # ended before: left out
        GuaranteeRow(6, START - datetime.timedelta(days=1), "met", START),  # the day before
        GuaranteeRow(7, END + datetime.timedelta(days=1), "open", None),  # the day after
    ]
    figure = kpis.treatment_guarantee(rows, start=START, end=END, today=REPORT_DAY)
    assert figure.numerator_ids == (1,)
    assert figure.denominator_ids == (1, 2, 3)


def test_treatment_guarantee_open_and_due_today_is_not_yet_counted():
    due = D(2025, 9, 4)
    rows = [GuaranteeRow(1, due, "open", None)]
    assert kpis.treatment_guarantee(rows, start=START, end=END, today=due).denominator == 0
    after = due + datetime.timedelta(days=1)
    figure = kpis.treatment_guarantee(rows, start=START, end=END, today=after)
    assert (figure.numerator, figure.denominator) == (0, 1)


def test_treatment_guarantee_closed_on_the_due_day_is_kept():
    due = D(2025, 9, 4)
    rows = [
        GuaranteeRow(1, due, "missed", due),  # closed on the due day: on time whatever the status
        GuaranteeRow(2, due, "missed", due + datetime.timedelta(days=1)),
    ]
    figure = kpis.treatment_guarantee(rows, start=START, end=END, today=REPORT_DAY)
    assert figure.numerator_ids == (1,)
    assert figure.denominator_ids == (1, 2)


def test_first_contact_on_the_due_day_counts_the_day_after_does_not():
    due = D(2025, 9, 4)
    rows = [
        FirstContactRow(1, due, "met", due),
        FirstContactRow(2, due, "missed", due + datetime.timedelta(days=1)),
        FirstContactRow(3, due, "waived", None),
        FirstContactRow(4, due, "cancelled", None),
        FirstContactRow(5, due, "open", None),  # overdue: in the denominator
    ]
    figure = kpis.first_contact(rows, start=START, end=END, today=REPORT_DAY)
    assert figure.numerator_ids == (1,)
    assert figure.denominator_ids == (1, 2, 5)


def test_first_contact_not_yet_due_counts_nowhere():
    today = D(2025, 9, 4)
    rows = [FirstContactRow(1, today, "open", None)]
    figure = kpis.first_contact(rows, start=START, end=END, today=today)
    assert figure.denominator == 0


# --- deadlines on time (PLN-2, DIS-2) --------------------------------------------------------


def test_deadlines_on_time_met_late_and_overdue_count_waived_and_future_do_not():
    today = D(2025, 12, 31)
    rows = [
        DeadlineRow(1, START, "met"),
        DeadlineRow(2, D(2025, 6, 1), "missed"),
        DeadlineRow(3, D(2025, 12, 30), "open"),  # overdue
        DeadlineRow(4, today, "open"),  # due today: not overdue yet
        DeadlineRow(5, D(2025, 6, 1), "waived"),
        DeadlineRow(6, D(2025, 6, 1), "cancelled"),
        DeadlineRow(7, START - datetime.timedelta(days=1), "met"),
    ]
    figure = kpis.deadlines_on_time("plan_evaluation", rows, start=START, end=END, today=today)
    assert figure.numerator_ids == (1,)
    assert figure.denominator_ids == (1, 2, 3)


# --- waiting time ----------------------------------------------------------------------------


def test_waiting_time_median_and_p90_nearest_rank():
    opened = D(2025, 2, 1)
    waits = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]  # sorted: 1 1 2 3 3 4 5 5 6 9
    rows = [
        StartRow(i, opened, opened + datetime.timedelta(days=w))
        for i, w in enumerate(waits, start=1)
    ]
    spread = kpis.waiting_time(rows, start=START, end=END)
    assert spread.count == 10
    assert spread.median == 3  # rank ceil(5) = 5th
    assert spread.p90 == 6  # rank ceil(9) = 9th
    assert kpis.nearest_rank([7], 90) == 7
    assert kpis.nearest_rank([1, 2, 3], 50) == 2
    assert kpis.waiting_time([], start=START, end=END).median is None


# --- no-show and clients by offer ------------------------------------------------------------


def test_no_show_rate_per_offer_ignores_cancellations_with_notice():
    rows = [
        AttendanceRow("MOVE", 1, "attended"),
        AttendanceRow("MOVE", 1, "absent"),
        AttendanceRow("MOVE", 2, "cancelled"),
        AttendanceRow("Group", None, "absent"),
    ]
    result = kpis.no_show_by_offer(rows)
    assert (result["MOVE"].numerator, result["MOVE"].denominator) == (1, 2)
    assert (result["Group"].numerator, result["Group"].denominator) == (1, 1)
    assert result["Group"].numerator_ids == ()


def test_age_bands_at_the_end_of_the_period():
    end = D(2025, 12, 31)
    assert kpis.age_band(D(2007, 12, 31), end) == "18-23"  # 18 on the last day
    assert kpis.age_band(D(2008, 1, 1), end) == "15-17"
    assert kpis.age_band(D(1975, 12, 31), end) == "50+"
    assert kpis.age_band(None, end) == "unknown"


def test_age_band_labels_translate_unknown_and_keep_the_numbers():
    from django.utils import translation

    with translation.override("en"):
        assert kpis.band_label("18-23") == "18-23"
        assert kpis.band_label("unknown") == "Age unknown"
        cell = kpis.ClientCount(offer="MOVE", band="unknown", clients=1)
        assert cell.band_label == "Age unknown"


def test_clients_by_offer_and_age_count_each_client_once():
    rows = [
        EnrolmentRow("MOVE", 1, 10, D(2005, 1, 1)),
        EnrolmentRow("MOVE", 1, 11, D(2005, 1, 1)),
        EnrolmentRow("MOVE", 2, None, D(1990, 1, 1)),
        EnrolmentRow("Group", 1, None, D(2005, 1, 1)),
    ]
    cells = {(c.offer, c.band): c.clients for c in kpis.clients_by_offer_and_age(rows, end=END)}
    assert cells == {("Group", "18-23"): 1, ("MOVE", "18-23"): 1, ("MOVE", "30-49"): 1}


def test_months_are_clipped_to_the_period():
    assert kpis.months(D(2025, 1, 15), D(2025, 3, 3)) == [
        (D(2025, 1, 15), D(2025, 1, 31)),
        (D(2025, 2, 1), D(2025, 2, 28)),
        (D(2025, 3, 1), D(2025, 3, 3)),
    ]
