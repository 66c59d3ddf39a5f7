"""Evaluations of the plan with the client (PLN-2, PRV-3): progress on every goal, the
client's view, and the evaluation deadline closed and opened again."""

from __future__ import annotations

import pytest
from dateutil.relativedelta import relativedelta

from bedring.core.errors import Conflict, ValidationFailed
from bedring.pathway.models import EpisodeEvent, GoalProgress
from bedring.pathway.models.episode import DeadlineStatus
from bedring.pathway.services.episode import episode_begin_assessment, episode_withdraw
from bedring.pathway.services.plan import ProgressInput
from tests.conftest import TODAY
from tests.pathway.conftest import at
from tests.pathway.test_plan import (
    AGREED,
    INQUIRY,
    D,
    days,
    evaluate,
    goal,
    make_plan,
    plan_deadlines,
    refused,
    snapshot,
)

THREE_MONTHS = relativedelta(months=3)


@pytest.fixture
def episode(dk_client, open_episode, counsellor):
    """The Danish episode opened on INQUIRY (as in test_plan), its assessment begun."""
    received_at = at(dk_client.organisation, INQUIRY.year, INQUIRY.month, INQUIRY.day, 10)
    opened = open_episode(dk_client, received_at=received_at)
    return episode_begin_assessment(episode=opened, actor=counsellor)


@pytest.fixture
def plan(episode, counsellor):
    """Version 1, agreed three days ago (AGREED), two goals."""
    return make_plan(episode, counsellor)


def progress_for(plan, *values):
    return [
        ProgressInput(goal=g.uuid, progress=v, note=f"note {i}")
        for i, (g, v) in enumerate(zip(plan.goals.all(), values, strict=True))
    ]


def test_an_evaluation_records_progress_on_every_goal_and_the_clients_view(plan, counsellor):
    """PLN-2, PRV-3: the plan evaluated with the client, goal by goal."""
    # When the plan is evaluated with the client on 23 November
    evaluation = evaluate(
        plan,
        counsellor,
        progress=progress_for(plan, "reached", "not_started"),
        client_view="  The weekdays are fine now.  ",
    )

    # Then each goal has its progress and note, and the client's view is kept
    rows = GoalProgress.objects.filter(evaluation=evaluation).order_by("goal__position")
    assert [(r.goal.text, r.progress, r.note) for r in rows] == [
        ("Drink no alcohol on weekdays", "reached", "note 0"),
        ("Apply for two jobs", "not_started", "note 1"),
    ]
    assert evaluation.client_participated
    assert evaluation.client_view == "The weekdays are fine now."
    assert evaluation.evaluated_by == counsellor
    event = EpisodeEvent.objects.filter(episode=plan.episode, kind="evaluation").get()
    assert event.data["evaluation"] == str(evaluation.uuid) and not event.data["late"]


def test_an_evaluation_closes_the_deadline_and_opens_the_next_three_months_on(plan, counsellor):
    """PLN-2: at least every 3 months: the next evaluation counts from this one."""
    # Given the plan's evaluation deadline, due three months after it was agreed
    (first,) = plan_deadlines(plan.episode)
    assert first.due_on == AGREED + THREE_MONTHS

    # When the plan is evaluated today
    evaluation = evaluate(plan, counsellor, on=TODAY)

    # Then that deadline is met and the next is open for three months from today
    first.refresh_from_db()
    assert (first.status, first.closed_on) == (DeadlineStatus.MET, TODAY)
    _, second = plan_deadlines(plan.episode)
    assert (second.status, second.due_on, second.subject_id) == (
        DeadlineStatus.OPEN,
        TODAY + THREE_MONTHS,
        plan.pk,
    )
    plan.refresh_from_db()
    assert plan.next_evaluation_on == evaluation.next_evaluation_on == TODAY + THREE_MONTHS


def test_a_late_evaluation_is_recorded_as_met_late(dk_client, open_episode, counsellor):
    """PLN-2: an evaluation after its date closes the deadline as met late (for reports)."""
    # Given a plan agreed on 1 June 2026, due for evaluation on 1 September
    episode = open_episode(dk_client, received_at=at(dk_client.organisation, 2026, 5, 4, 10, 0))
    episode_begin_assessment(episode=episode, actor=counsellor)
    plan = make_plan(
        episode,
        counsellor,
        agreed_on=D(2026, 6, 1),
        goals=[goal(due_on=D(2026, 12, 31))],
    )

    # When it is evaluated on 20 November
    evaluate(plan, counsellor, on=D(2026, 11, 20))

    # Then the deadline is met late, and the next is due 20 February
    late, nxt = plan_deadlines(episode)
    assert (late.status, late.due_on, late.closed_on) == (
        DeadlineStatus.MISSED,
        D(2026, 9, 1),
        D(2026, 11, 20),
    )
    assert (nxt.status, nxt.due_on) == (DeadlineStatus.OPEN, D(2027, 2, 20))
    assert EpisodeEvent.objects.get(episode=episode, kind="evaluation").data["late"]


def test_a_second_evaluation_closes_the_deadline_the_first_one_opened(plan, counsellor):
    evaluate(plan, counsellor, on=AGREED + days(1))
    evaluate(plan, counsellor, on=TODAY)
    statuses = [(d.status, d.due_on) for d in plan_deadlines(plan.episode)]
    assert statuses == [
        (DeadlineStatus.MET, AGREED + THREE_MONTHS),
        (DeadlineStatus.MET, AGREED + days(1) + THREE_MONTHS),
        (DeadlineStatus.OPEN, TODAY + THREE_MONTHS),
    ]
    assert plan.evaluations.count() == 2


@pytest.mark.parametrize("value", ["", None], ids=["blank", "left-out"])
def test_an_evaluation_without_progress_on_every_goal_is_refused(plan, counsellor, value):
    """PLN-2: every goal is gone through; the refusal names the goal that was skipped."""
    # Given progress on the first goal only (the second blank or left out)
    first, second = plan.goals.all()
    progress = [ProgressInput(goal=first.uuid, progress="some")]
    if value is not None:
        progress.append(ProgressInput(goal=second.uuid, progress=value))
    before = snapshot(plan.episode)

    # When the evaluation is saved
    error = refused(ValidationFailed, evaluate, plan=plan, actor=counsellor, progress=progress)

    # Then it is refused, naming the second goal, and nothing is written
    assert (error.code, error.field) == ("progress_missing", "progress")
    assert error.details == {"goal": str(second.uuid), "position": 1}
    assert "Apply for two jobs" in str(error.message)
    assert snapshot(plan.episode) == before
    (deadline,) = plan_deadlines(plan.episode)
    assert deadline.status == DeadlineStatus.OPEN


def test_progress_on_a_goal_of_another_version_is_refused(episode, plan, counsellor):
    second = make_plan(episode, counsellor, agreed_on=TODAY)
    old_goal = plan.goals.first()
    progress = [ProgressInput(goal=old_goal.uuid, progress="some")] + [
        ProgressInput(goal=g.uuid, progress="some") for g in second.goals.all()
    ]
    error = refused(ValidationFailed, evaluate, plan=second, actor=counsellor, progress=progress)
    assert error.code == "progress_unknown_goal"
    assert error.details["index"] == 0


def test_progress_given_twice_or_of_an_unknown_kind_is_refused(plan, counsellor):
    first, second = plan.goals.all()
    twice = [
        ProgressInput(goal=first.uuid, progress="some"),
        ProgressInput(goal=first.uuid, progress="reached"),
        ProgressInput(goal=second.uuid, progress="some"),
    ]
    assert (
        refused(ValidationFailed, evaluate, plan=plan, actor=counsellor, progress=twice).code
        == "progress_duplicate"
    )
    unknown = progress_for(plan, "some", "brilliant")
    error = refused(ValidationFailed, evaluate, plan=plan, actor=counsellor, progress=unknown)
    assert error.code == "invalid_progress"
    assert error.details["progress"] == "brilliant"


@pytest.mark.parametrize(
    ("on", "code"),
    [
        (TODAY + days(1), "evaluation_future"),
        (AGREED - days(1), "evaluation_before_plan"),
    ],
)
def test_an_evaluation_is_dated_between_the_plan_and_today(plan, counsellor, on, code):
    before = snapshot(plan.episode)
    error = refused(ValidationFailed, evaluate, plan=plan, actor=counsellor, on=on)
    assert (error.code, error.field) == (code, "evaluated_on")
    assert snapshot(plan.episode) == before


def test_an_evaluation_is_not_dated_before_the_previous_one(plan, counsellor):
    evaluate(plan, counsellor, on=TODAY - days(1))
    before = snapshot(plan.episode)
    error = refused(ValidationFailed, evaluate, plan=plan, actor=counsellor, on=TODAY - days(2))
    assert error.code == "evaluation_before_previous"
    assert snapshot(plan.episode) == before


def test_the_clients_view_is_required_when_evaluated_with_the_client(plan, counsellor):
    """PRV-3: the client takes part in the evaluation; their view is written down."""
    before = snapshot(plan.episode)
    error = refused(ValidationFailed, evaluate, plan=plan, actor=counsellor, client_view=" ")
    assert (error.code, error.field) == ("client_view_required", "client_view")
    assert snapshot(plan.episode) == before
    # Without the client (they did not come), the evaluation is still recorded as such
    evaluation = evaluate(plan, counsellor, client_participated=False, client_view="")
    assert not evaluation.client_participated


def test_only_the_current_version_is_evaluated(episode, plan, counsellor):
    make_plan(episode, counsellor, agreed_on=TODAY)
    plan.refresh_from_db()
    before = snapshot(episode)
    error = refused(Conflict, evaluate, plan=plan, actor=counsellor)
    assert error.code == "plan_not_current" and error.status == 409
    assert snapshot(episode) == before


def test_no_evaluation_once_the_episode_has_ended(episode, plan, counsellor):
    episode_withdraw(episode=episode, actor=counsellor, reason="Moved away", on=TODAY)
    plan.refresh_from_db()
    before = snapshot(episode)
    error = refused(Conflict, evaluate, plan=plan, actor=counsellor)
    assert error.code == "episode_closed"
    assert snapshot(episode) == before
