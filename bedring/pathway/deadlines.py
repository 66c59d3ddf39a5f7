"""Deadline arithmetic: pure functions of the rule pack and dates (ARCHITECTURE.md: "Rules are
data, arithmetic is pure"). No ORM; the services store what these return.

Every function returns a :class:`DeadlineSpec` with the basis of the date (which rule, which
value, which requirement) so that the page can say why a date is what it is.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta

from bedring.core.calendar import Jurisdiction, add_working_days
from bedring.rules.packs import RulePack


@dataclass(frozen=True)
class DeadlineSpec:
    kind: str
    due_on: datetime.date
    basis: dict[str, Any] = field(default_factory=dict)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Calendar months; 30 November + 3 months is 28 (or 29) February, not 2 March."""
    return day + relativedelta(months=months)


def inquiry_deadlines(
    rules: RulePack,
    *,
    received_on: datetime.date,
    outside_phone_hours: bool,
    next_phone_day: datetime.date | None,
    closed_days: Collection[datetime.date] = (),
) -> list[DeadlineSpec]:
    """The deadlines an inquiry starts, by the organisation's rule pack.

    - INT-5 (DK): treatment starts at the latest ``start_guarantee_days`` calendar days after
      the inquiry.
    - INT-6 (NO): first contact for the mapping conversation within
      ``first_contact_working_days`` working days; an inquiry outside phone hours is called
      back on the first following working day (``next_phone_day``: the day the phone next
      opens, computed from the site's hours by the caller).
    - ASM-4 (NO): the mapping period lasts at most ``mapping_period_months``.
    - HLT-1: the organisation's mandatory screenings at intake.
    """
    jurisdiction: Jurisdiction = rules.jurisdiction
    specs: list[DeadlineSpec] = []
    if rules.first_contact_working_days:
        specs.append(
            DeadlineSpec(
                "first_contact",
                add_working_days(
                    received_on, rules.first_contact_working_days, jurisdiction, closed_days
                ),
                {
                    "rule": "first_contact_working_days",
                    "value": rules.first_contact_working_days,
                    "req": "INT-6",
                },
            )
        )
    if rules.callback_next_working_day and outside_phone_hours:
        callback = next_phone_day or add_working_days(received_on, 1, jurisdiction, closed_days)
        specs.append(
            DeadlineSpec(
                "callback",
                callback,
                {"rule": "callback_next_working_day", "value": 1, "req": "INT-6"},
            )
        )
    if rules.mapping_period_months:
        specs.append(
            DeadlineSpec(
                "assessment",
                add_months(received_on, rules.mapping_period_months),
                {
                    "rule": "mapping_period_months",
                    "value": rules.mapping_period_months,
                    "req": "ASM-4",
                },
            )
        )
    elif rules.assessment_days:
        specs.append(
            DeadlineSpec(
                "assessment",
                received_on + datetime.timedelta(days=rules.assessment_days),
                {"rule": "assessment_days", "value": rules.assessment_days, "req": "ASM-2"},
            )
        )
    if rules.start_guarantee_days:
        specs.append(
            DeadlineSpec(
                "treatment_start",
                received_on + datetime.timedelta(days=rules.start_guarantee_days),
                {
                    "rule": "start_guarantee_days",
                    "value": rules.start_guarantee_days,
                    "req": "INT-5",
                },
            )
        )
    specs.extend(mandatory_screening_deadlines(rules, received_on=received_on))
    return specs


def mandatory_screening_deadlines(
    rules: RulePack, *, received_on: datetime.date
) -> list[DeadlineSpec]:
    """HLT-1: one deadline per screening the organisation makes mandatory at intake (Assens:
    HIV, hepatitis B and C), ``mandatory_screening_days`` after the inquiry."""
    days = rules.mandatory_screening_days
    return [
        DeadlineSpec(
            "screening",
            received_on + datetime.timedelta(days=days),
            {"rule": "mandatory_screenings", "value": key, "days": days, "req": "HLT-1"},
        )
        for key in rules.mandatory_screenings
    ]


def decision_letter_due(
    rules: RulePack, decided_on: datetime.date, closed_days: Collection[datetime.date] = ()
) -> DeadlineSpec:
    """DEC-1, DEC-6: the written decision follows within ``decision_letter_working_days``."""
    days = rules.decision_letter_working_days
    due = add_working_days(decided_on, days, rules.jurisdiction, closed_days)
    return DeadlineSpec(
        "decision_letter",
        due,
        {"rule": "decision_letter_working_days", "value": days, "req": "DEC-1"},
    )


def plan_evaluation_due(rules: RulePack, since: datetime.date) -> DeadlineSpec:
    """PLN-2: evaluated with the client at least every ``plan_evaluation_months``."""
    months = rules.plan_evaluation_months
    return DeadlineSpec(
        "plan_evaluation",
        add_months(since, months),
        {"rule": "plan_evaluation_months", "value": months, "req": "PLN-2"},
    )


def complaint_window_end(
    rules: RulePack, letter_received_on: datetime.date
) -> datetime.date | None:
    """DEC-2: the last day a complaint is on time (DK and NO 4 weeks from receipt)."""
    if rules.complaint_window_weeks is None:
        return None
    return letter_received_on + datetime.timedelta(weeks=rules.complaint_window_weeks)


def complaint_is_late(
    rules: RulePack,
    *,
    letter_received_on: datetime.date | None,
    complaint_received_on: datetime.date,
) -> bool:
    if letter_received_on is None:
        return False  # no letter sent: the window has not started
    end = complaint_window_end(rules, letter_received_on)
    return end is not None and complaint_received_on > end


def complaint_reevaluation_due(rules: RulePack, received_on: datetime.date) -> DeadlineSpec:
    """DEC-2: the deciding unit re-evaluates, then upholds (and forwards) or changes."""
    weeks = rules.complaint_reevaluation_weeks
    return DeadlineSpec(
        "complaint_reevaluation",
        received_on + datetime.timedelta(weeks=weeks),
        {"rule": "complaint_reevaluation_weeks", "value": weeks, "req": "DEC-2"},
    )


def child_notification_due(rules: RulePack, noted_on: datetime.date) -> DeadlineSpec:
    """DEC-7: a concern for a child at home is notified without delay."""
    days = rules.child_notification_days
    return DeadlineSpec(
        "child_notification",
        noted_on + datetime.timedelta(days=days),
        {"rule": "child_notification_days", "value": days, "req": "DEC-7"},
    )
