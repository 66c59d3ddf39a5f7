"""Discharge and follow-up through the service and the pages (DIS-1, DIS-2, DIS-5), and the
readmission link.

The helpers at the top are shared by test_discharge_api.py and the browser test."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bedring.accounts.models import User
from bedring.clients.models import Client
from bedring.core.errors import Conflict, DomainError, ValidationFailed
from bedring.core.roles import Role
from bedring.pathway.models import (
    Deadline,
    Discharge,
    Episode,
    EpisodeEvent,
    FollowUp,
    GoalResult,
    Plan,
)
from bedring.pathway.models.episode import DeadlineKind, DeadlineStatus
from bedring.pathway.services.decision import decision_make
from bedring.pathway.services.discharge import episode_discharge, follow_up_record
from bedring.pathway.services.episode import (
    episode_begin_assessment,
    episode_start_treatment,
    inquiry_register,
)
from bedring.pathway.services.plan import GoalInput, plan_save
from bedring.pathway.states import EpisodeState
from tests.pathway.conftest import at

D = datetime.date
OPENED = D(2026, 11, 2)


# --- shared helpers ---------------------------------------------------------------------------


def open_for(client: Client, counsellor: User, received: datetime.datetime) -> Episode:
    organisation = client.organisation
    inquiry = inquiry_register(
        organisation=organisation,
        site=organisation.sites.filter(kind="main").first() or organisation.sites.first(),
        actor=counsellor,
        channel="phone",
        referrer="self",
        received_at=received,
        client=client,
        assign_to=counsellor,
    )
    assert inquiry.episode is not None
    return inquiry.episode


def make_active(
    client: Client,
    counsellor: User,
    authority: User,
    *,
    opened: datetime.date = OPENED,
    goals: int = 2,
    intensity_decision: bool = False,
) -> Episode:
    """An episode in active treatment, the responsible counsellor assigned, a plan with
    ``goals`` goals. Dates: inquiry ``opened``, decision +2 days, start +3, plan +4."""
    organisation = client.organisation
    episode = open_for(
        client, counsellor, at(organisation, opened.year, opened.month, opened.day, 10, 0)
    )
    episode_begin_assessment(episode=episode, actor=counsellor)
    decision_make(
        episode=episode,
        actor=authority,
        kind="treatment",
        outcome="granted",
        justification="Outpatient treatment fits.",
        decided_on=opened + datetime.timedelta(days=2),
    )
    episode_start_treatment(
        episode=episode, actor=counsellor, on=opened + datetime.timedelta(days=3)
    )
    if intensity_decision:
        decision_make(
            episode=episode,
            actor=authority,
            kind="day_residential",
            outcome="granted",
            intensity="residential",
            recommendation="Residential treatment is recommended.",
            justification="Outpatient treatment was not enough.",
            decided_on=opened + datetime.timedelta(days=4),
        )
    if goals:
        agreed = opened + datetime.timedelta(days=4)
        plan_save(
            episode=episode,
            actor=counsellor,
            agreed_on=agreed,
            aims=["reduce"],
            client_words="I want my life back.",
            goals=[
                GoalInput(
                    text=f"Goal {n + 1}",
                    measure="Days a week",
                    target="At most 2",
                    due_on=agreed + datetime.timedelta(days=90),
                )
                for n in range(goals)
            ],
            today=agreed,
        )
    episode.refresh_from_db()
    return episode


def current_goals(episode: Episode) -> list[Any]:
    plan = Plan.objects.filter(episode=episode, is_current=True).first()
    return list(plan.goals.order_by("position")) if plan else []


def all_reached(episode: Episode) -> dict[str, tuple[str, str]]:
    return {str(g.uuid): ("reached", "") for g in current_goals(episode)}


def discharge(episode: Episode, actor: User, **overrides: Any) -> Discharge:
    data: dict[str, Any] = {
        "discharged_on": D(2026, 11, 20),
        "status": "completed",
        "overall_result": "reduced",
        "goal_results": all_reached(episode),
    }
    data.update(overrides)
    return episode_discharge(episode=episode, actor=actor, **data)


def snapshot(episode: Episode) -> tuple[Any, ...]:
    """Everything a discharge or a follow-up writes, to prove a refusal wrote nothing."""
    episode.refresh_from_db()
    return (
        episode.state,
        episode.closed_on,
        Discharge.objects.filter(episode=episode).count(),
        GoalResult.objects.filter(discharge__episode=episode).count(),
        FollowUp.objects.filter(episode=episode).count(),
        FollowUp.objects.filter(episode=episode, done_on__isnull=False).count(),
        EpisodeEvent.objects.filter(episode=episode).count(),
        Deadline.objects.filter(episode=episode, status=DeadlineStatus.OPEN).count(),
    )


def refused(error_class: type[DomainError], call: Any, **kwargs: Any) -> DomainError:
    with pytest.raises(error_class) as caught:
        call(**kwargs)
    return caught.value


@pytest.fixture
def active(dk_client: Client, counsellor: User, authority: User) -> Episode:
    return make_active(dk_client, counsellor, authority)


# --- DIS-1: the discharge ---------------------------------------------------------------------


def test_a_completed_discharge_records_the_results_and_plans_two_follow_ups(active, counsellor):
    """DIS-1, DIS-2: status, date, overall result, a result per goal; the follow-ups one and
    six months after land on the responsible counsellor's worklist."""
    goals = current_goals(active)
    result = discharge(
        active,
        counsellor,
        goal_results={
            str(goals[0].uuid): ("reached", "Dry on weekdays"),
            str(goals[1].uuid): ("partly", ""),
        },
        note="Ended as planned.",
    )
    active.refresh_from_db()
    assert (active.state, active.closed_on) == (EpisodeState.DISCHARGED, D(2026, 11, 20))
    assert (result.organisation_id, result.site_id, result.client_id) == (
        active.organisation_id,
        active.site_id,
        active.client_id,
    )
    assert (result.intensity, result.discharged_by) == ("outpatient", counsellor)
    assert [(r.goal_id, r.outcome, r.note) for r in result.goal_results.all()] == [
        (goals[0].pk, "reached", "Dry on weekdays"),
        (goals[1].pk, "partly", ""),
    ]
    follow_ups = list(result.follow_ups.order_by("months"))
    assert [(f.months, f.due_on, f.responsible) for f in follow_ups] == [
        (1, D(2026, 12, 20), counsellor),
        (6, D(2027, 5, 20), counsellor),
    ]
    open_ones = Deadline.objects.filter(
        episode=active, kind=DeadlineKind.DISCHARGE_FOLLOW_UP, status=DeadlineStatus.OPEN
    ).order_by("due_on")
    assert [(d.subject_id, d.due_on, d.responsible) for d in open_ones] == [
        (f.pk, f.due_on, counsellor) for f in follow_ups
    ]
    assert open_ones[0].basis == {"rule": "follow_up_months", "value": 1, "req": "DIS-2"}
    # The course's own deadlines ended with it.
    assert (
        Deadline.objects.get(episode=active, kind=DeadlineKind.PLAN_EVALUATION).status
        == DeadlineStatus.CANCELLED
    )
    event = EpisodeEvent.objects.filter(episode=active, kind="discharge").get()
    assert event.data["status"] == "completed"


def test_the_follow_up_is_due_on_the_last_day_of_a_shorter_month(dk_client, counsellor, authority):
    """DIS-2: calendar months: 31 January + 1 month is 28 February."""
    episode = make_active(dk_client, counsellor, authority, opened=D(2026, 1, 5))
    result = discharge(episode, counsellor, discharged_on=D(2026, 1, 31))
    assert [f.due_on for f in result.follow_ups.order_by("months")] == [
        D(2026, 2, 28),
        D(2026, 7, 31),
    ]


@pytest.mark.parametrize(
    ("status", "follows_up"),
    [
        ("completed", True),
        ("other_offer", True),
        ("hospital", True),
        ("other_reason", True),
        ("own_wish", False),
        ("no_show", False),
        ("institution", False),
    ],
)
def test_follow_ups_only_after_the_four_statuses(active, counsellor, status, follows_up):
    """DIS-2: completed, transferred to another offer or hospital, ended for another reason."""
    result = discharge(active, counsellor, status=status, destination="Somewhere")
    assert result.follow_ups.count() == (2 if follows_up else 0)
    assert Deadline.objects.filter(
        episode=active, kind=DeadlineKind.DISCHARGE_FOLLOW_UP
    ).count() == (2 if follows_up else 0)


def test_the_intensity_is_the_latest_granted_treatment(dk_client, counsellor, authority):
    episode = make_active(dk_client, counsellor, authority, intensity_decision=True)
    assert discharge(episode, counsellor).intensity == "residential"


def test_an_episode_without_a_plan_is_discharged_without_goal_results(
    dk_client, counsellor, authority
):
    episode = make_active(dk_client, counsellor, authority, goals=0)
    result = discharge(episode, counsellor, goal_results={}, status="own_wish")
    assert result.goal_results.count() == 0


def test_the_change_log_has_the_discharge(active, counsellor):
    result = discharge(active, counsellor)
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Discharge), object_pk=str(result.pk)
    )
    assert entries.filter(action=LogEntry.Action.CREATE).count() == 1
    assert LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(GoalResult)
    ).count() == len(current_goals(active))


# --- DIS-1: refusals, each with its code and nothing written ----------------------------------


def _other_goal(dk_client: Client, counsellor: User, authority: User, make_client: Any) -> str:
    other = make_active(make_client(dk_client.organisation), counsellor, authority, goals=1)
    return str(current_goals(other)[0].uuid)


@pytest.mark.parametrize(
    ("overrides", "error", "code", "field"),
    [
        ({"discharged_on": D(2099, 1, 1)}, ValidationFailed, "discharge_in_future", None),
        ({"discharged_on": D(2026, 11, 4)}, ValidationFailed, "discharge_before_start", None),
        ({"status": "vanished"}, ValidationFailed, "invalid_status", "status"),
        ({"overall_result": "great"}, ValidationFailed, "invalid_overall_result", None),
        ({"status": "other_offer"}, ValidationFailed, "destination_required", "destination"),
        ({"status": "hospital"}, ValidationFailed, "destination_required", "destination"),
        ({"status": "institution"}, ValidationFailed, "destination_required", "destination"),
        ({"goal_results": "first_only"}, ValidationFailed, "goal_result_missing", None),
        ({"goal_results": "bad_outcome"}, ValidationFailed, "invalid_goal_outcome", None),
        ({"goal_results": "other_episode"}, ValidationFailed, "goal_not_in_plan", None),
        ({"goal_results": "not_a_uuid"}, ValidationFailed, "goal_not_in_plan", None),
    ],
)
def test_a_discharge_is_refused_with_its_code_and_writes_nothing(
    active, counsellor, authority, dk_client, make_client, overrides, error, code, field
):
    goals = current_goals(active)
    special = overrides.get("goal_results")
    if special == "first_only":
        overrides["goal_results"] = {str(goals[0].uuid): ("reached", "")}
    elif special == "bad_outcome":
        overrides["goal_results"] = {str(g.uuid): ("brilliant", "") for g in goals}
    elif special == "other_episode":
        other = _other_goal(dk_client, counsellor, authority, make_client)
        overrides["goal_results"] = {**all_reached(active), other: ("reached", "")}
    elif special == "not_a_uuid":
        overrides["goal_results"] = {**all_reached(active), "goal-1": ("reached", "")}
    before = snapshot(active)
    caught = refused(error, discharge, episode=active, actor=counsellor, **overrides)
    assert caught.code == code
    if field:
        assert caught.field == field
    if code == "goal_result_missing":
        assert caught.details["goal"] == str(goals[1].uuid)
        assert "Goal 2" in str(caught.message)
    assert snapshot(active) == before


def test_only_an_active_episode_is_discharged_and_only_once(
    active, counsellor, open_episode, make_client, org_dk
):
    inquiry = open_episode(make_client(org_dk))
    before = snapshot(inquiry)
    assert refused(Conflict, discharge, episode=inquiry, actor=counsellor).code == (
        "bad_transition"
    )
    assert snapshot(inquiry) == before
    discharge(active, counsellor)
    before = snapshot(active)
    assert refused(Conflict, discharge, episode=active, actor=counsellor).code == "bad_transition"
    assert snapshot(active) == before


def test_a_goal_of_an_older_plan_version_is_refused(active, counsellor):
    old = current_goals(active)
    plan_save(
        episode=active,
        actor=counsellor,
        agreed_on=D(2026, 11, 10),
        aims=["stop"],
        client_words="New start.",
        goals=[GoalInput(text="New goal", measure="Days", target="0", due_on=D(2027, 3, 1))],
        today=D(2026, 11, 10),
    )
    results = {**all_reached(active), str(old[0].uuid): ("reached", "")}
    caught = refused(
        ValidationFailed, discharge, episode=active, actor=counsellor, goal_results=results
    )
    assert caught.code == "goal_not_in_plan"


# --- DIS-2, DIS-5: the follow-up --------------------------------------------------------------


@pytest.fixture
def early(dk_client, counsellor, authority) -> Discharge:
    """Discharged on 15 September: the one-month follow-up was due on 15 October."""
    episode = make_active(dk_client, counsellor, authority, opened=D(2026, 9, 1))
    return discharge(episode, counsellor, discharged_on=D(2026, 9, 15))


def first_follow_up(result: Discharge) -> FollowUp:
    return result.follow_ups.get(months=1)


def follow_up_deadline(follow_up: FollowUp) -> Deadline:
    return Deadline.objects.get(kind=DeadlineKind.DISCHARGE_FOLLOW_UP, subject_id=follow_up.pk)


def record(follow_up: FollowUp, actor: User, **overrides: Any) -> FollowUp:
    data: dict[str, Any] = {
        "done_on": D(2026, 10, 14),
        "contact_made": True,
        "substance_use": "reduced",
        "situation": {"housing": "better", "work_education": "same"},
        "note": "Spoke on the phone.",
    }
    data.update(overrides)
    return follow_up_record(follow_up=follow_up, actor=actor, **data)


def test_a_follow_up_on_time_meets_its_deadline(early, counsellor):
    follow_up = record(first_follow_up(early), counsellor)
    follow_up.refresh_from_db()
    assert (follow_up.done_on, follow_up.contact_made, follow_up.substance_use) == (
        D(2026, 10, 14),
        True,
        "reduced",
    )
    assert follow_up.situation == {"work_education": "same", "housing": "better"}
    assert follow_up.recorded_by == counsellor
    deadline = follow_up_deadline(follow_up)
    assert (deadline.status, deadline.closed_on) == (DeadlineStatus.MET, D(2026, 10, 14))
    # The six-month follow-up stays open.
    six = early.follow_ups.get(months=6)
    assert follow_up_deadline(six).status == DeadlineStatus.OPEN
    assert EpisodeEvent.objects.filter(episode=early.episode, kind="follow_up").count() == 1


def test_a_late_follow_up_is_met_late(early, counsellor):
    follow_up = record(first_follow_up(early), counsellor, done_on=D(2026, 10, 20))
    assert follow_up_deadline(follow_up).status == DeadlineStatus.MISSED


def test_without_contact_the_answers_may_stay_empty(early, counsellor):
    follow_up = record(
        first_follow_up(early), counsellor, contact_made=False, substance_use="", situation={}
    )
    follow_up.refresh_from_db()
    assert (follow_up.contact_made, follow_up.substance_use, follow_up.situation) == (
        False,
        "",
        {},
    )


@pytest.mark.parametrize(
    ("overrides", "error", "code"),
    [
        ({"done_on": D(2099, 1, 1)}, ValidationFailed, "follow_up_in_future"),
        ({"done_on": D(2026, 9, 14)}, ValidationFailed, "follow_up_before_discharge"),
        ({"substance_use": ""}, ValidationFailed, "substance_use_required"),
        ({"substance_use": "sober"}, ValidationFailed, "invalid_substance_use"),
        ({"situation": {"garden": "better"}}, ValidationFailed, "invalid_life_area"),
        ({"situation": {"housing": "great"}}, ValidationFailed, "invalid_situation_change"),
    ],
)
def test_a_follow_up_is_refused_with_its_code_and_writes_nothing(
    early, counsellor, overrides, error, code
):
    follow_up = first_follow_up(early)
    before = snapshot(early.episode)
    caught = refused(error, record, follow_up=follow_up, actor=counsellor, **overrides)
    assert caught.code == code
    assert snapshot(early.episode) == before


def test_a_follow_up_is_recorded_once(early, counsellor):
    follow_up = first_follow_up(early)
    record(follow_up, counsellor)
    before = snapshot(early.episode)
    caught = refused(Conflict, record, follow_up=follow_up, actor=counsellor)
    assert caught.code == "follow_up_already_recorded"
    assert snapshot(early.episode) == before


# --- readmission ------------------------------------------------------------------------------


def test_a_discharged_client_who_comes_back_gets_a_new_episode_linked_to_the_old(
    active, counsellor, as_user
):
    discharge(active, counsellor, discharged_on=D(2026, 11, 10))
    client = active.client
    comeback = open_for(client, counsellor, at(client.organisation, 2026, 11, 21, 10, 0))
    assert comeback.pk != active.pk
    assert comeback.previous_episode_id == active.pk
    html = as_user(counsellor).get(reverse("pathway:episode", args=[comeback.uuid])).content
    page = html.decode()
    assert "Readmission of" in page
    assert reverse("pathway:episode", args=[active.uuid]) in page
    assert "Completed" in page  # the earlier episode's discharge
    earlier = as_user(counsellor).get(reverse("pathway:episode", args=[active.uuid]))
    assert reverse("pathway:episode", args=[comeback.uuid]) in earlier.content.decode()


# --- the pages --------------------------------------------------------------------------------


def test_the_counsellor_discharges_through_the_form(active, counsellor, as_user):
    http = as_user(counsellor)
    episode_page = http.get(reverse("pathway:episode", args=[active.uuid])).content.decode()
    url = reverse("pathway:discharge_create", args=[active.uuid])
    assert url in episode_page
    form = http.get(url)
    assert form.status_code == 200
    assert "Goal 1" in form.content.decode()
    goals = current_goals(active)
    data = {
        "status": "completed",
        "discharged_on": "2026-11-20",
        "overall_result": "drug_free",
        "destination": "",
        "note": "",
        "goals-TOTAL_FORMS": str(len(goals)),
        "goals-INITIAL_FORMS": str(len(goals)),
        **{f"goals-{i}-goal": str(g.uuid) for i, g in enumerate(goals)},
        **{f"goals-{i}-outcome": "reached" for i in range(len(goals))},
    }
    # One goal without a result: shown again with the reason, nothing written.
    missing = {**data, "goals-1-outcome": ""}
    response = http.post(url, missing)
    assert response.status_code == 422
    assert "Give the result of the goal" in response.content.decode()
    assert not Discharge.objects.filter(episode=active).exists()
    response = http.post(url, data)
    assert response.status_code == 200  # the confirmation: nothing written yet
    assert 'data-testid="confirm-page"' in response.content.decode()
    assert not Discharge.objects.filter(episode=active).exists()
    response = http.post(url, {**data, "confirm": "1"})
    assert response.status_code == 302
    page = http.get(reverse("pathway:episode", args=[active.uuid])).content.decode()
    assert 'data-testid="discharge-summary"' in page
    assert "Drug-free" in page
    follow_up = FollowUp.objects.get(episode=active, months=1)
    assert reverse("pathway:follow_up_record", args=[follow_up.uuid]) in page
    # The discharged episode has no Discharge button and the form sends back to the page.
    assert http.get(url).status_code == 302


def test_the_follow_up_is_on_the_counsellors_worklist_and_recorded_through_the_form(
    early, counsellor, as_user
):
    http = as_user(counsellor)
    follow_up = first_follow_up(early)
    url = reverse("pathway:follow_up_record", args=[follow_up.uuid])
    worklist = http.get(reverse("pathway:worklist")).content.decode()
    assert "Follow-up after discharge" in worklist
    assert url in worklist
    form = http.get(url)
    assert form.status_code == 200
    assert "Housing" in form.content.decode()
    response = http.post(
        url,
        {
            "done_on": "2026-10-14",
            "contact_made": "yes",
            "substance_use": "",
            "situation_housing": "better",
        },
    )
    assert response.status_code == 422
    assert "substance use" in response.content.decode()
    response = http.post(
        url,
        {
            "done_on": "2026-10-14",
            "contact_made": "yes",
            "substance_use": "drug_free",
            "situation_housing": "better",
            "note": "",
        },
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.substance_use, follow_up.situation) == ("drug_free", {"housing": "better"})
    assert follow_up_deadline(follow_up).status == DeadlineStatus.MET
    assert url not in http.get(reverse("pathway:worklist")).content.decode()
    page = http.get(reverse("pathway:episode", args=[early.episode.uuid])).content.decode()
    assert "Better" in page


def test_outsiders_get_404_and_roles_without_the_right_403(
    early, outsider, org_dk, make_staff, as_user
):
    follow_up = first_follow_up(early)
    urls = [
        reverse("pathway:discharge_create", args=[early.episode.uuid]),
        reverse("pathway:follow_up_record", args=[follow_up.uuid]),
        reverse("pathway:episode", args=[early.episode.uuid]),
    ]
    for url in urls:
        assert as_user(outsider).get(url).status_code == 404, url
        assert as_user(outsider).post(url, {}).status_code == 404, url
    admin = as_user(make_staff(org_dk, Role.ADMINISTRATOR))
    for url in urls:
        assert admin.get(url).status_code == 403, url


def _grow(episode: Episode, counsellor: User, goals: int) -> Episode:
    """A discharged episode with ``goals`` goal results and the org's follow-ups, one done."""
    result = discharge(episode, counsellor)
    record(
        result.follow_ups.order_by("months").first(),
        counsellor,
        done_on=D(2026, 11, 21),
        situation={a: "better" for a in ("housing", "social", "health")},
    )
    return episode


def _queries(http: Any, episode: Episode) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(reverse("pathway:episode", args=[episode.uuid])).status_code == 200
    return len(ctx.captured_queries)


def test_the_episode_page_query_count_does_not_grow_with_goals_and_follow_ups(
    org_dk, make_client, counsellor, authority, as_user
):
    http = as_user(counsellor)
    org_dk.rule_overrides = {"follow_up_months": [1]}
    org_dk.save()
    small = make_active(make_client(org_dk), counsellor, authority, goals=1)
    _grow(small, counsellor, goals=1)
    org_dk.rule_overrides = {"follow_up_months": [1, 3, 6, 9, 12]}
    org_dk.save()
    large = make_active(make_client(org_dk), counsellor, authority, goals=6)
    _grow(large, counsellor, goals=6)
    assert FollowUp.objects.filter(episode=large).count() == 5
    assert _queries(http, small) == _queries(http, large)


def test_the_demo_has_discharges_with_follow_ups_done_and_due(db):
    """The outcome figures have something to show; a second load adds nothing."""
    from bedring.demo.demo_data import DEMO_DISCHARGES, load_demo

    load_demo(clients_per_organisation=19)
    per_org = len(DEMO_DISCHARGES)
    assert Discharge.objects.count() == 5 * per_org
    assert set(Discharge.objects.values_list("status", flat=True)) == {
        "completed",
        "other_offer",
        "hospital",
        "other_reason",
        "own_wish",
        "no_show",
    }
    assert FollowUp.objects.filter(done_on__isnull=False).exists()
    assert FollowUp.objects.filter(done_on__isnull=True).exists()
    assert Deadline.objects.filter(
        kind=DeadlineKind.DISCHARGE_FOLLOW_UP, status=DeadlineStatus.MISSED
    ).exists()
    counts = (Discharge.objects.count(), FollowUp.objects.count(), Episode.objects.count())
    load_demo(clients_per_organisation=19)
    assert (Discharge.objects.count(), FollowUp.objects.count(), Episode.objects.count()) == counts
