"""Treatment plans through the service: versions, SMART goals, aims, collaborators with
consent, the Danish action plan and the Norwegian individual plan (PLN-1..6, PRV-2, PRV-3).

The helpers at the top are shared by the other plan and evaluation test modules."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from bedring.clients import services as client_services
from bedring.clients.models import Consent
from bedring.core.errors import Conflict, DomainError, ValidationFailed
from bedring.core.roles import Role
from bedring.pathway.models import Deadline, Episode, EpisodeEvent, Evaluation, Goal, Plan
from bedring.pathway.models.episode import DeadlineKind, DeadlineStatus
from bedring.pathway.services.episode import episode_begin_assessment, episode_withdraw
from bedring.pathway.services.plan import (
    CollaboratorInput,
    GoalInput,
    ProgressInput,
    evaluation_record,
    plan_save,
)
from bedring.pathway.states import EpisodeState
from tests.conftest import TODAY
from tests.pathway.conftest import at

# The scenario, relative to the suite's declared day: the inquiry came six days ago and the
# plan was agreed three days after it.
INQUIRY = TODAY - datetime.timedelta(days=6)
AGREED = TODAY - datetime.timedelta(days=3)


D = datetime.date


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


# --- shared helpers ---------------------------------------------------------------------------


def goal(**overrides: Any) -> GoalInput:
    data: dict[str, Any] = {
        "text": "Drink no alcohol on weekdays",
        "measure": "Drinking diary, checked at every conversation",
        "target": "0 drinks Monday to Thursday",
        "due_on": AGREED + days(72),
        "client_words": "I want to be sober when I pick up my daughter",
        "short_term": True,
    }
    data.update(overrides)
    return GoalInput(**data)


def plan_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "agreed_on": AGREED,
        "aims": ["reduce", "stabilise"],
        "goals": [
            goal(),
            goal(
                text="Apply for two jobs",
                measure="Applications sent, shown to the counsellor",
                target="2 applications",
                due_on=AGREED + days(131),
                client_words="",
                short_term=False,
            ),
        ],
        "client_participated": True,
        "client_words": "I want my life back, and my daughter to trust me.",
        "network": "Sister and job centre caseworker; topics: housing and money.",
    }
    data.update(overrides)
    return data


def make_plan(episode: Episode, actor: Any, **overrides: Any) -> Plan:
    return plan_save(episode=episode, actor=actor, today=TODAY, **plan_data(**overrides))


def evaluate(plan: Plan, actor: Any, *, on: datetime.date = TODAY, **overrides: Any) -> Evaluation:
    data: dict[str, Any] = {
        "evaluated_on": on,
        "progress": [
            ProgressInput(goal=g.uuid, progress="some", note="Two weekends dry")
            for g in plan.goals.all()
        ],
        "client_participated": True,
        "client_view": "Going better than I feared.",
    }
    data.update(overrides)
    return evaluation_record(plan=plan, actor=actor, today=TODAY, **data)


def consent(client: Any, party: str = "job_centre", **overrides: Any) -> Consent:
    data: dict[str, Any] = {
        "party": party,
        "party_name": "Jobcenter Sønderborg",
        "scope": "Attendance and the plan's goals on work",
        "valid_from": TODAY - days(22),
        "given_by": "client",
    }
    data.update(overrides)
    return client_services.consent_add(client=client, **data)


def plan_deadlines(episode: Episode) -> list[Deadline]:
    return list(
        Deadline.objects.filter(episode=episode, kind=DeadlineKind.PLAN_EVALUATION).order_by("id")
    )


def snapshot(episode: Episode) -> tuple[int, ...]:
    """Counts of everything a plan or an evaluation writes, to prove a refusal wrote nothing."""
    return (
        Plan.objects.filter(episode=episode).count(),
        Plan.objects.filter(episode=episode, is_current=True).count(),
        Goal.objects.filter(plan__episode=episode).count(),
        Evaluation.objects.filter(plan__episode=episode).count(),
        EpisodeEvent.objects.filter(episode=episode).count(),
        Deadline.objects.filter(episode=episode, status=DeadlineStatus.OPEN).count(),
    )


def refused(error_class: type[DomainError], call: Any, **kwargs: Any) -> DomainError:
    with pytest.raises(error_class) as caught:
        call(**kwargs)
    return caught.value


@pytest.fixture
def episode(dk_client: Any, open_episode: Any, counsellor: Any) -> Episode:
    """The Danish episode, opened on INQUIRY, its assessment begun: the plan is made at the
    feedback talk."""
    received_at = at(dk_client.organisation, INQUIRY.year, INQUIRY.month, INQUIRY.day, 10)
    opened = open_episode(dk_client, received_at=received_at)
    return episode_begin_assessment(episode=opened, actor=counsellor)


# --- PLN-1, PLN-2: the first plan -------------------------------------------------------------


def test_the_first_plan_is_version_1_with_the_clients_goals(episode, counsellor):
    """PLN-1, PRV-3: the plan made with the client holds the client's own SMART goals."""
    # Given an episode in assessment
    # When the plan is saved
    plan = make_plan(episode, counsellor)

    # Then it is version 1, current, with the goals in the order given
    assert (plan.version, plan.is_current) == (1, True)
    assert plan.aims == ["reduce", "stabilise"]
    assert plan.client_participated
    assert plan.client_words.startswith("I want my life back")
    goals = list(plan.goals.all())
    assert [g.text for g in goals] == ["Drink no alcohol on weekdays", "Apply for two jobs"]
    assert [g.position for g in goals] == [0, 1]
    assert goals[0].client_words == "I want to be sober when I pick up my daughter"
    assert goals[0].short_term and not goals[1].short_term
    # And the timeline says so
    event = EpisodeEvent.objects.filter(episode=episode, kind="plan").get()
    assert event.actor == counsellor
    assert event.data["version"] == 1 and event.data["goals"] == 2


def test_the_first_plan_is_due_for_evaluation_three_months_after_it_is_agreed(episode, counsellor):
    """PLN-2: evaluated with the client at least every 3 months; a deadline is opened."""
    # When the plan is agreed (three days ago)
    plan = make_plan(episode, counsellor)

    # Then the next evaluation is three calendar months later, and an open deadline says why
    assert plan.next_evaluation_on == AGREED + relativedelta(months=3)
    (deadline,) = plan_deadlines(episode)
    assert deadline.status == DeadlineStatus.OPEN
    assert deadline.due_on == AGREED + relativedelta(months=3)
    assert deadline.subject_id == plan.pk
    assert deadline.basis == {"rule": "plan_evaluation_months", "value": 3, "req": "PLN-2"}


def test_the_network_meeting_is_kept_as_the_client_chose_it(episode, counsellor):
    """PLN-5: the client chooses who takes part in the network meeting and the topics."""
    plan = make_plan(episode, counsellor, network="  Mother and GP. Topics: sleep, money.  ")
    assert plan.network == "Mother and GP. Topics: sleep, money."


def test_a_plan_made_without_the_client_needs_no_words_of_the_client(episode, counsellor):
    """PRV-3: whether the client took part is recorded, not assumed."""
    plan = make_plan(episode, counsellor, client_participated=False, client_words="")
    assert not plan.client_participated


@pytest.mark.parametrize("state", [EpisodeState.DECIDED, EpisodeState.ACTIVE])
def test_a_plan_can_be_made_after_the_decision_and_during_treatment(episode, counsellor, state):
    """ASM-3: the plan is made at the feedback conversation and revised during treatment."""
    # Given an episode that is decided or active (set directly: the decision steps are
    # tested with the decisions)
    Episode.objects.filter(pk=episode.pk).update(state=state)
    episode.refresh_from_db()

    # When a plan is saved, then it is
    assert make_plan(episode, counsellor).version == 1


# --- PLN-1: versions ------------------------------------------------------------------------


def test_a_new_version_replaces_the_plan_and_keeps_the_old_one(episode, counsellor):
    """PLN-1: plans keep every version, with their goals and evaluations."""
    # Given version 1, evaluated once
    first = make_plan(episode, counsellor)
    evaluate(first, counsellor)

    # When a new version is saved with one goal changed and one dropped
    second = make_plan(
        episode,
        counsellor,
        agreed_on=TODAY,
        aims=["stop"],
        goals=[goal(text="No alcohol at all", target="0 drinks", due_on=AGREED + days(100))],
    )

    # Then version 2 is current with its own goal
    assert (second.version, second.is_current) == (2, True)
    assert [g.text for g in second.goals.all()] == ["No alcohol at all"]
    # And version 1 is kept unchanged, no longer current, with its goals and evaluation
    first.refresh_from_db()
    assert not first.is_current
    assert first.aims == ["reduce", "stabilise"]
    assert [g.text for g in first.goals.all()] == [
        "Drink no alcohol on weekdays",
        "Apply for two jobs",
    ]
    assert first.evaluations.count() == 1
    assert Plan.objects.filter(episode=episode).count() == 2


def test_goals_copied_into_a_new_version_are_its_own_rows(episode, counsellor):
    """PLN-1: a goal changed in version 2 stays as it was in version 1."""
    first = make_plan(episode, counsellor)
    old_goals = list(first.goals.all())

    # When version 2 copies the goals and changes the second one's target
    copied = [
        goal(
            text=g.text,
            measure=g.measure,
            target="3 applications" if g.position == 1 else g.target,
            due_on=g.due_on,
            client_words=g.client_words,
            short_term=g.short_term,
        )
        for g in old_goals
    ]
    second = make_plan(episode, counsellor, goals=copied)

    # Then version 2 has new goal rows, and version 1's are untouched
    new_goals = list(second.goals.all())
    assert {g.pk for g in new_goals}.isdisjoint({g.pk for g in old_goals})
    assert [g.target for g in new_goals] == ["0 drinks Monday to Thursday", "3 applications"]
    assert list(first.goals.values_list("target", flat=True)) == [
        "0 drinks Monday to Thursday",
        "2 applications",
    ]


def test_a_new_version_moves_the_evaluation_deadline_to_the_new_version(episode, counsellor):
    """PLN-2: the open evaluation deadline belongs to the current version."""
    first = make_plan(episode, counsellor)

    # When version 2 is agreed today
    second = make_plan(episode, counsellor, agreed_on=TODAY)

    # Then version 1's deadline is cancelled and version 2's is open, 3 months later
    old, new = plan_deadlines(episode)
    assert (old.subject_id, old.status) == (first.pk, DeadlineStatus.CANCELLED)
    assert (new.subject_id, new.status, new.due_on) == (
        second.pk,
        DeadlineStatus.OPEN,
        TODAY + relativedelta(months=3),
    )
    assert second.next_evaluation_on == TODAY + relativedelta(months=3)


def test_a_version_saved_meanwhile_is_not_silently_replaced(episode, counsellor, make_staff):
    """PLN-1: two people revising the plan at once: the second is told, not overwritten."""
    # Given version 1, which two counsellors open to revise
    make_plan(episode, counsellor)
    colleague = make_staff(episode.organisation, Role.COUNSELLOR)
    make_plan(episode, colleague, based_on_version=1)  # the colleague saves version 2
    before = snapshot(episode)

    # When the first counsellor saves changes made to version 1
    error = refused(Conflict, make_plan, episode=episode, actor=counsellor, based_on_version=1)

    # Then they are refused and nothing is written
    assert error.code == "plan_changed" and error.status == 409
    assert error.details == {"version": 2}
    assert snapshot(episode) == before


def test_a_new_version_cannot_be_agreed_before_the_one_it_replaces(episode, counsellor):
    make_plan(episode, counsellor)
    before = snapshot(episode)
    error = refused(
        ValidationFailed, make_plan, episode=episode, actor=counsellor, agreed_on=AGREED - days(1)
    )
    assert (error.code, error.field) == ("plan_before_previous_version", "agreed_on")
    assert snapshot(episode) == before


# --- ASM-3: when a plan can be made -----------------------------------------------------------


def test_no_plan_before_the_assessment_has_begun(dk_episode, counsellor):
    """ASM-3: the plan is made at the feedback conversation, after the assessment."""
    before = snapshot(dk_episode)
    error = refused(Conflict, make_plan, episode=dk_episode, actor=counsellor)
    assert error.code == "plan_too_early" and error.status == 409
    assert snapshot(dk_episode) == before


def test_no_plan_in_an_episode_that_has_ended(episode, counsellor):
    episode_withdraw(episode=episode, actor=counsellor, reason="Moved away", on=AGREED - days(1))
    before = snapshot(episode)
    error = refused(Conflict, make_plan, episode=episode, actor=counsellor)
    assert error.code == "episode_closed"
    assert snapshot(episode) == before


@pytest.mark.parametrize(
    ("agreed_on", "code"),
    [(TODAY + days(1), "plan_date_future"), (INQUIRY - days(1), "plan_before_episode")],
)
def test_the_plan_is_agreed_during_the_episode_and_not_in_the_future(
    episode, counsellor, agreed_on, code
):
    before = snapshot(episode)
    error = refused(
        ValidationFailed, make_plan, episode=episode, actor=counsellor, agreed_on=agreed_on
    )
    assert (error.code, error.field) == (code, "agreed_on")
    assert snapshot(episode) == before


# --- PLN-3: aims; PLN-1: SMART goals ----------------------------------------------------------


@pytest.mark.parametrize(
    ("aims", "code"), [([], "aims_required"), (["stop", "cure"], "invalid_aim")]
)
def test_a_plan_has_at_least_one_of_the_declared_aims(episode, counsellor, aims, code):
    """PLN-3: stop, reduce, prevent use developing, prevent relapse."""
    before = snapshot(episode)
    error = refused(ValidationFailed, make_plan, episode=episode, actor=counsellor, aims=aims)
    assert (error.code, error.field) == (code, "aims")
    assert snapshot(episode) == before


def test_aims_are_kept_once_each_in_the_declared_order(episode, counsellor):
    plan = make_plan(episode, counsellor, aims=["stabilise", "stop", "stop"])
    assert plan.aims == ["stop", "stabilise"]


def test_a_plan_has_at_least_one_goal(episode, counsellor):
    """PLN-1: the client's own goals are the heart of the plan."""
    before = snapshot(episode)
    error = refused(ValidationFailed, make_plan, episode=episode, actor=counsellor, goals=[])
    assert (error.code, error.field) == ("goals_required", "goals")
    assert snapshot(episode) == before


@pytest.mark.parametrize("missing", ["text", "measure", "target", "due_on"])
def test_a_goal_that_is_not_smart_is_refused_naming_the_goal(episode, counsellor, missing):
    """PLN-1: SMART: specific, measurable, with a target and a date."""
    # Given a second goal without its text, measure, target or date
    incomplete = goal(**{missing: None if missing == "due_on" else "  "})
    before = snapshot(episode)

    # When the plan is saved
    error = refused(
        ValidationFailed,
        make_plan,
        episode=episode,
        actor=counsellor,
        goals=[goal(), incomplete],
    )

    # Then it is refused, pointing at goal 2 and what is missing
    assert (error.code, error.field) == ("goal_incomplete", "goals")
    assert error.details == {"index": 1, "field": missing, "missing": [missing]}
    assert "Goal 2" in str(error.message)
    assert snapshot(episode) == before


@pytest.mark.parametrize("due_on", [AGREED, TODAY - days(22)])
def test_a_goals_date_is_after_the_plan_is_agreed(episode, counsellor, due_on):
    """PLN-1: time-bound: the goal is reached after the plan, not before or on the day."""
    before = snapshot(episode)
    error = refused(
        ValidationFailed,
        make_plan,
        episode=episode,
        actor=counsellor,
        goals=[goal(due_on=due_on)],
    )
    assert error.code == "goal_due_before_plan"
    assert error.details == {"index": 0, "field": "due_on"}
    assert snapshot(episode) == before


def test_a_goal_longer_than_the_record_holds_is_refused(episode, counsellor):
    before = snapshot(episode)
    error = refused(
        ValidationFailed,
        make_plan,
        episode=episode,
        actor=counsellor,
        goals=[goal(target="x" * 201)],
    )
    assert error.code == "goal_too_long"
    assert error.details == {"index": 0, "field": "target", "limit": 200}
    assert snapshot(episode) == before


def test_the_clients_words_are_required_when_the_plan_is_made_with_the_client(episode, counsellor):
    """PLN-1, PRV-3: made together with the client: what matters to them, in their words."""
    before = snapshot(episode)
    error = refused(
        ValidationFailed, make_plan, episode=episode, actor=counsellor, client_words="  "
    )
    assert (error.code, error.field) == ("client_words_required", "client_words")
    assert snapshot(episode) == before


# --- PLN-6, PRV-2: collaborators only with consent --------------------------------------------


def test_a_collaborator_without_the_clients_consent_is_refused(episode, counsellor):
    """PLN-6, PRV-2: no collaboration with the job centre without the client's consent."""
    # Given a consent for the GP only
    consent(episode.client, party="gp", party_name="Dr. Holm")
    before = snapshot(episode)

    # When the plan names the GP and the job centre
    error = refused(
        ValidationFailed,
        make_plan,
        episode=episode,
        actor=counsellor,
        collaborators=[
            CollaboratorInput(party="gp", name="Dr. Holm"),
            CollaboratorInput(party="job_centre", name="Jobcenter"),
        ],
    )

    # Then it is refused, naming the job centre
    assert (error.code, error.field) == ("collaborator_without_consent", "collaborators")
    assert error.details == {"index": 1, "field": "party", "party": "job_centre"}
    assert "Job centre or welfare office" in str(error.message)
    assert snapshot(episode) == before


def test_a_collaborator_with_the_clients_consent_is_accepted(episode, counsellor):
    """PLN-6: the plan records which consent covers each collaborator."""
    # Given the client's consents for the job centre and the GP
    job_centre = consent(episode.client)
    gp = consent(episode.client, party="gp", party_name="Dr. Holm")

    # When the plan names them (the GP without a name)
    plan = make_plan(
        episode,
        counsellor,
        collaborators=[
            CollaboratorInput(party="job_centre", name=" Anna, caseworker "),
            CollaboratorInput(party="gp"),
        ],
    )

    # Then both are kept with their consent; the GP's name comes from the consent
    assert plan.collaborators == [
        {"party": "job_centre", "name": "Anna, caseworker", "consent": str(job_centre.uuid)},
        {"party": "gp", "name": "Dr. Holm", "consent": str(gp.uuid)},
    ]


def test_a_withdrawn_consent_does_not_cover_a_collaborator(episode, counsellor):
    """PRV-2: once the client withdraws the consent, the centre stops working with them."""
    given = consent(episode.client)
    client_services.consent_withdraw(consent=given, reason="Changed my mind")
    before = snapshot(episode)
    error = refused(
        ValidationFailed,
        make_plan,
        episode=episode,
        actor=counsellor,
        collaborators=[CollaboratorInput(party="job_centre")],
    )
    assert error.code == "collaborator_without_consent"
    assert snapshot(episode) == before


@pytest.mark.parametrize(
    ("valid_from", "valid_until"),
    [(AGREED + days(1), None), (AGREED - days(323), AGREED - days(1))],
    ids=["starts-after-the-plan", "ended-before-the-plan"],
)
def test_a_consent_must_be_in_force_on_the_day_of_the_plan(
    episode, counsellor, valid_from, valid_until
):
    consent(episode.client, valid_from=valid_from, valid_until=valid_until)
    error = refused(
        ValidationFailed,
        make_plan,
        episode=episode,
        actor=counsellor,
        collaborators=[CollaboratorInput(party="job_centre")],
    )
    assert error.code == "collaborator_without_consent"


def test_a_consent_of_another_client_does_not_count(episode, counsellor, make_client):
    other = make_client(episode.organisation)
    consent(other)
    error = refused(
        ValidationFailed,
        make_plan,
        episode=episode,
        actor=counsellor,
        collaborators=[CollaboratorInput(party="job_centre")],
    )
    assert error.code == "collaborator_without_consent"


def test_an_unknown_kind_of_collaborator_is_refused(episode, counsellor):
    error = refused(
        ValidationFailed,
        make_plan,
        episode=episode,
        actor=counsellor,
        collaborators=[CollaboratorInput(party="astrologer")],
    )
    assert error.code == "invalid_party"
    assert error.details["index"] == 0


# --- PLN-4: action plan (DK), individual plan with a coordinator (NO) -------------------------


def test_a_danish_plan_can_be_an_action_plan(episode, counsellor):
    """PLN-4: the action plan under serviceloven § 141."""
    assert make_plan(episode, counsellor, action_plan=True).action_plan


def test_a_danish_plan_is_not_a_norwegian_individual_plan(episode, counsellor):
    error = refused(
        ValidationFailed,
        make_plan,
        episode=episode,
        actor=counsellor,
        individual_plan=True,
        coordinator=counsellor,
    )
    assert (error.code, error.field) == ("individual_plan_not_available", "individual_plan")


@pytest.fixture
def no_episode(org_no, make_client, open_episode, make_staff):
    client = make_client(org_no)
    episode = open_episode(client)
    return episode_begin_assessment(episode=episode, actor=make_staff(org_no, Role.COUNSELLOR))


def test_a_norwegian_individual_plan_has_a_coordinator_and_a_responsibility_group(
    no_episode, make_staff
):
    """PLN-4 (NO): individual plan, a coordinator, responsibility-group meetings."""
    coordinator = make_staff(no_episode.organisation, Role.COUNSELLOR)
    plan = make_plan(
        no_episode,
        coordinator,
        individual_plan=True,
        coordinator=coordinator,
        responsibility_group="GP, NAV, FACT team; every 6 weeks",
    )
    assert plan.individual_plan and plan.coordinator == coordinator
    assert plan.responsibility_group == "GP, NAV, FACT team; every 6 weeks"


def test_an_individual_plan_without_a_coordinator_is_refused(no_episode, make_staff):
    actor = make_staff(no_episode.organisation, Role.COUNSELLOR)
    before = snapshot(no_episode)
    error = refused(
        ValidationFailed, make_plan, episode=no_episode, actor=actor, individual_plan=True
    )
    assert (error.code, error.field) == ("coordinator_required", "coordinator")
    assert snapshot(no_episode) == before


@pytest.mark.parametrize("who", ["other_organisation", "peer_worker"])
def test_the_coordinator_is_staff_here_who_works_with_clients(no_episode, make_staff, org_dk, who):
    actor = make_staff(no_episode.organisation, Role.COUNSELLOR)
    stranger = (
        make_staff(org_dk, Role.COUNSELLOR)
        if who == "other_organisation"
        else make_staff(no_episode.organisation, Role.PEER_WORKER)
    )
    error = refused(
        ValidationFailed,
        make_plan,
        episode=no_episode,
        actor=actor,
        individual_plan=True,
        coordinator=stranger,
    )
    assert (error.code, error.field) == ("coordinator_not_staff", "coordinator")


def test_a_norwegian_plan_is_not_a_danish_action_plan(no_episode, make_staff):
    actor = make_staff(no_episode.organisation, Role.COUNSELLOR)
    error = refused(ValidationFailed, make_plan, episode=no_episode, actor=actor, action_plan=True)
    assert error.code == "action_plan_not_available"
