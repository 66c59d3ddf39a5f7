"""The next evaluation date through the plan service: three calendar months on, clamped at
month ends, counted from the plan or from the last evaluation, and per organisation (PLN-2).
The arithmetic itself is tested in test_deadline_rules.py."""

from __future__ import annotations

import datetime

import pytest
from dateutil.relativedelta import relativedelta

from bedring.pathway.services.episode import episode_begin_assessment
from tests.pathway.conftest import at
from tests.pathway.test_plan import (
    AGREED,
    INQUIRY,
    D,
    evaluate,
    goal,
    make_plan,
    plan_deadlines,
)


def episode_opened(client, open_episode, counsellor, day: datetime.date):
    episode = open_episode(
        client, received_at=at(client.organisation, day.year, day.month, day.day, 10, 0)
    )
    return episode_begin_assessment(episode=episode, actor=counsellor)


@pytest.mark.parametrize(
    ("agreed_on", "due"),
    [
        (D(2025, 11, 30), D(2026, 2, 28)),  # no 30 February: the month's last day
        (D(2023, 11, 30), D(2024, 2, 29)),  # leap year
        (D(2026, 8, 31), D(2026, 11, 30)),
        (D(2025, 12, 31), D(2026, 3, 31)),  # over the year end
    ],
)
def test_the_next_evaluation_is_three_calendar_months_after_the_plan(
    dk_client, open_episode, counsellor, agreed_on, due
):
    """PLN-2: 30 November + 3 months is 28 February (29 in a leap year), not 2 March."""
    # Given an episode that began before the plan
    episode = episode_opened(dk_client, open_episode, counsellor, agreed_on - datetime.timedelta(7))

    # When the plan is agreed on the last day of a month
    plan = make_plan(episode, counsellor, agreed_on=agreed_on, goals=[goal(due_on=D(2026, 12, 31))])

    # Then the evaluation falls on the last day of the month three months on
    assert plan.next_evaluation_on == due
    assert [d.due_on for d in plan_deadlines(episode)] == [due]


def test_after_an_evaluation_on_30_november_the_next_is_28_february(
    dk_client, open_episode, counsellor
):
    """PLN-2: counted from the evaluation, with the same month-end rule."""
    episode = episode_opened(dk_client, open_episode, counsellor, D(2025, 10, 1))
    plan = make_plan(
        episode, counsellor, agreed_on=D(2025, 10, 15), goals=[goal(due_on=D(2026, 12, 31))]
    )
    evaluation = evaluate(plan, counsellor, on=D(2025, 11, 30))
    assert evaluation.next_evaluation_on == D(2026, 2, 28)
    assert [d.due_on for d in plan_deadlines(episode)] == [D(2026, 1, 15), D(2026, 2, 28)]


def test_an_organisation_can_evaluate_more_often(dk_client, open_episode, counsellor):
    """PLN-2 says "at least" every 3 months: an organisation may set a shorter interval."""
    organisation = dk_client.organisation
    organisation.rule_overrides = {"plan_evaluation_months": 2}
    organisation.save()
    episode = episode_opened(dk_client, open_episode, counsellor, INQUIRY)
    plan = make_plan(episode, counsellor)  # agreed on AGREED
    assert plan.next_evaluation_on == AGREED + relativedelta(months=2)
    (deadline,) = plan_deadlines(episode)
    assert deadline.basis["value"] == 2
