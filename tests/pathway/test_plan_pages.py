"""The plan pages: make the plan and new versions, evaluate, read old versions; refusals shown
next to what they concern, access for each role, and query counts that do not grow with the
plan (PLN-1..6, PRV-2, PRV-3)."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bedring.core.roles import Role
from bedring.pathway import selectors
from bedring.pathway.models import Plan
from bedring.pathway.models.episode import DeadlineStatus
from bedring.pathway.services.episode import episode_begin_assessment
from tests.conftest import TODAY
from tests.pathway.conftest import at
from tests.pathway.test_plan import (
    AGREED,
    INQUIRY,
    D,
    consent,
    days,
    evaluate,
    goal,
    make_plan,
    plan_deadlines,
    snapshot,
)

GOAL_DUE = (AGREED + days(72)).isoformat()


def url(name: str, episode, **kwargs: Any) -> str:
    return reverse(f"pathway:{name}", kwargs={"episode_uuid": episode.uuid, **kwargs})


def management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "30",
    }


def plan_post(
    goals: list[dict[str, str]] | None = None,
    collaborators: list[dict[str, str]] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """What the plan form posts: two goals typed, one row left blank."""
    goals = (
        goals
        if goals is not None
        else [
            {
                "text": "Drink no alcohol on weekdays",
                "measure": "Drinking diary",
                "target": "0 drinks Monday to Thursday",
                "due_on": GOAL_DUE,
                "client_words": "Sober when I pick up my daughter",
                "short_term": "on",
            },
            {
                "text": "Apply for two jobs",
                "measure": "Applications shown",
                "target": "2 applications",
                "due_on": (AGREED + days(131)).isoformat(),
            },
            {},
        ]
    )
    collaborators = collaborators if collaborators is not None else [{}, {}]
    data: dict[str, Any] = {
        "agreed_on": AGREED.isoformat(),
        "aims": ["reduce", "stabilise"],
        "client_participated": "on",
        "client_words": "I want my life back.",
        "network": "Sister and caseworker; housing and money",
        "based_on_version": "0",
        **management("goals", len(goals)),
        **management("collaborators", len(collaborators)),
    }
    for i, row in enumerate(goals):
        data.update({f"goals-{i}-{k}": v for k, v in row.items()})
    for i, row in enumerate(collaborators):
        data.update({f"collaborators-{i}-{k}": v for k, v in row.items()})
    data.update(overrides)
    return data


def part(html: str, name: str) -> str:
    """The element with ``data-testid=name`` up to the next one of its kind (rough)."""
    start = html.index(f'data-testid="{name}"')
    end = html.find("</fieldset>", start)
    return html[start:end]


@pytest.fixture
def episode(dk_client, open_episode, counsellor):
    """The Danish episode opened on INQUIRY (as in test_plan), its assessment begun."""
    received_at = at(dk_client.organisation, INQUIRY.year, INQUIRY.month, INQUIRY.day, 10)
    opened = open_episode(dk_client, received_at=received_at)
    return episode_begin_assessment(episode=opened, actor=counsellor)


@pytest.fixture
def http(as_user, counsellor):
    return as_user(counsellor)


# --- making the plan --------------------------------------------------------------------------


def test_the_plan_form_offers_blank_goal_rows_and_the_danish_action_plan(http, episode):
    """PLN-1, PLN-4: goal rows to fill with the client; SEL § 141 in Denmark."""
    page = http.get(url("plan_create", episode))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="goals-TOTAL_FORMS" value="3"' in html
    assert 'name="action_plan"' in html
    assert 'name="individual_plan"' not in html and 'name="coordinator"' not in html
    assert 'value="stabilise"' in html  # the aims as checkboxes


def test_saving_the_plan_makes_version_1_and_returns_to_the_episode(http, episode):
    """PLN-1..3, PLN-6: the plan with goals, aims and a collaborator the client consented to."""
    # Given the client's consent for the job centre
    consent(episode.client)

    # When the plan form is posted with two goals and the job centre
    response = http.post(
        url("plan_create", episode),
        plan_post(collaborators=[{"party": "job_centre", "name": "Anna"}, {}]),
    )

    # Then the plan is saved and the episode page shown
    assert response.status_code == 302
    assert response["Location"] == reverse("pathway:episode", kwargs={"episode_uuid": episode.uuid})
    plan = Plan.objects.get(episode=episode)
    assert plan.version == 1 and plan.aims == ["reduce", "stabilise"]
    assert [g.text for g in plan.goals.all()] == [
        "Drink no alcohol on weekdays",
        "Apply for two jobs",
    ]
    assert [c["party"] for c in plan.collaborators] == ["job_centre"]
    assert plan.goals.first().client_words == "Sober when I pick up my daughter"


def test_the_new_version_form_is_filled_in_from_the_current_plan(http, episode, counsellor):
    """PLN-1: a new version starts from the current one."""
    make_plan(episode, counsellor)
    html = http.get(url("plan_create", episode)).content.decode()
    assert 'name="based_on_version" value="1"' in html
    assert 'name="goals-TOTAL_FORMS" value="5"' in html  # 2 goals + 3 blank rows
    assert 'value="Drink no alcohol on weekdays"' in html
    assert f'value="{GOAL_DUE}"' in html
    assert "I want my life back" in html


def test_posting_a_new_version_keeps_the_old_one(http, episode, counsellor):
    """PLN-1: plans keep every version."""
    make_plan(episode, counsellor)
    response = http.post(
        url("plan_create", episode),
        plan_post(
            goals=[
                {
                    "text": "No alcohol at all",
                    "measure": "Diary",
                    "target": "0",
                    "due_on": (AGREED + days(100)).isoformat(),
                }
            ],
            based_on_version="1",
            agreed_on=(AGREED + days(1)).isoformat(),
        ),
    )
    assert response.status_code == 302
    versions = list(Plan.objects.filter(episode=episode).order_by("version"))
    assert [(p.version, p.is_current) for p in versions] == [(1, False), (2, True)]
    assert [g.text for g in versions[1].goals.all()] == ["No alcohol at all"]
    assert versions[0].goals.count() == 2


def test_a_goal_that_is_not_smart_is_shown_at_its_row_and_the_typing_is_kept(http, episode):
    """PLN-1: the refusal points at the goal; nothing typed is lost; nothing is saved."""
    before = snapshot(episode)
    response = http.post(
        url("plan_create", episode),
        plan_post(
            goals=[
                {
                    "text": "Sleep better",
                    "measure": "Sleep diary",
                    "target": "6 hours",
                    "due_on": GOAL_DUE,
                },
                {
                    "text": "Walk every day",
                    "measure": "",
                    "target": "30 minutes",
                    "due_on": GOAL_DUE,
                },
            ]
        ),
    )
    html = response.content.decode()
    assert response.status_code == 422
    row = part(html, "goal-row-1")
    assert "Goal 2 is not yet SMART" in row
    assert 'value="Walk every day"' in row and 'value="30 minutes"' in row
    assert "Goal 2 is not yet SMART" not in part(html, "goal-row-0")
    assert snapshot(episode) == before


def test_a_goal_dated_before_the_plan_is_shown_at_its_date(http, episode):
    response = http.post(
        url("plan_create", episode),
        plan_post(
            goals=[
                {
                    "text": "Sleep",
                    "measure": "Diary",
                    "target": "6 h",
                    "due_on": (TODAY - days(22)).isoformat(),
                }
            ]
        ),
    )
    assert response.status_code == 422
    assert "the date must be after the day the plan is agreed" in part(
        response.content.decode(), "goal-row-0"
    )


def test_a_plan_without_goals_or_aims_is_refused_with_the_reason(http, episode):
    before = snapshot(episode)
    no_goals = http.post(url("plan_create", episode), plan_post(goals=[{}, {}]))
    assert no_goals.status_code == 422
    assert "Write at least one goal with the client." in no_goals.content.decode()
    no_aims = http.post(url("plan_create", episode), plan_post(aims=[]))
    assert no_aims.status_code == 422
    assert "Choose at least one aim of treatment." in no_aims.content.decode()
    assert snapshot(episode) == before


def test_a_collaborator_without_consent_is_shown_at_its_row(http, episode):
    """PLN-6, PRV-2."""
    before = snapshot(episode)
    response = http.post(
        url("plan_create", episode),
        plan_post(collaborators=[{"party": "gp", "name": "Dr. Holm"}, {}]),
    )
    assert response.status_code == 422
    row = part(response.content.decode(), "collaborator-row-0")
    assert "There is no consent from the client" in row and "General practitioner" in row
    assert snapshot(episode) == before


def test_another_goal_row_without_javascript_keeps_what_was_typed(http, episode):
    """A fourth goal: the form comes back with one more row and nothing is saved yet."""
    before = snapshot(episode)
    response = http.post(url("plan_create", episode), plan_post(more="goals"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="goals-TOTAL_FORMS" value="4"' in html
    assert 'value="Drink no alcohol on weekdays"' in html
    assert "I want my life back." in html
    assert "errorlist" not in html
    assert snapshot(episode) == before


def test_a_plan_in_an_episode_before_assessment_is_refused_on_the_form(http, dk_episode):
    """ASM-3: the 409 of the service is a message on the form."""
    response = http.post(url("plan_create", dk_episode), plan_post())
    assert response.status_code == 422
    assert "begin the assessment first" in response.content.decode()
    assert not Plan.objects.exists()


def test_the_norwegian_plan_form_has_the_individual_plan_with_a_coordinator(
    as_user, org_no, make_client, open_episode, make_staff
):
    """PLN-4 (NO): individual plan, coordinator, responsibility group."""
    counsellor = make_staff(org_no, Role.COUNSELLOR)
    episode = episode_begin_assessment(episode=open_episode(make_client(org_no)), actor=counsellor)
    http = as_user(counsellor)
    html = http.get(url("plan_create", episode)).content.decode()
    assert 'name="individual_plan"' in html and 'name="action_plan"' not in html
    assert f'<option value="{counsellor.pk}">' in html
    # Without a coordinator the individual plan is refused next to the field
    response = http.post(url("plan_create", episode), plan_post(individual_plan="on"))
    assert response.status_code == 422
    assert "An individual plan has a coordinator" in response.content.decode()
    # With one it is saved
    response = http.post(
        url("plan_create", episode),
        plan_post(
            individual_plan="on",
            coordinator=str(counsellor.pk),
            responsibility_group="GP, NAV",
        ),
    )
    assert response.status_code == 302
    assert Plan.objects.get(episode=episode).coordinator == counsellor


# --- evaluating -----------------------------------------------------------------------------


def evaluation_post(plan: Plan, values: list[str], **overrides: Any) -> dict[str, Any]:
    goals = list(plan.goals.all())
    data: dict[str, Any] = {
        "evaluated_on": (TODAY - days(1)).isoformat(),
        "client_participated": "on",
        "client_view": "Better than I feared",
        "plan_version": str(plan.version),
        **management("progress", len(goals), len(goals)),
    }
    for i, (g, value) in enumerate(zip(goals, values, strict=True)):
        data[f"progress-{i}-goal"] = str(g.uuid)
        data[f"progress-{i}-progress"] = value
        data[f"progress-{i}-note"] = f"note {i}"
    data.update(overrides)
    return data


def test_the_evaluation_form_lists_every_goal(http, episode, counsellor):
    plan = make_plan(episode, counsellor)
    html = http.get(url("plan_evaluate", episode)).content.decode()
    assert 'data-testid="progress-row-1"' in html
    assert "Drink no alcohol on weekdays" in part(html, "progress-row-0")
    assert "Apply for two jobs" in part(html, "progress-row-1")
    assert f'value="{plan.goals.first().uuid}"' in html


def test_an_evaluation_saved_on_the_page_moves_the_deadline(http, episode, counsellor):
    """PLN-2."""
    plan = make_plan(episode, counsellor)
    response = http.post(url("plan_evaluate", episode), evaluation_post(plan, ["some", "reached"]))
    assert response.status_code == 302
    assert [d.status for d in plan_deadlines(episode)] == [
        DeadlineStatus.MET,
        DeadlineStatus.OPEN,
    ]
    assert plan.evaluations.get().client_view == "Better than I feared"


def test_a_goal_without_progress_is_shown_at_its_row(http, episode, counsellor):
    """PLN-2: every goal is gone through."""
    plan = make_plan(episode, counsellor)
    before = snapshot(episode)
    response = http.post(
        url("plan_evaluate", episode),
        evaluation_post(plan, ["some", ""], client_view="Typed view"),
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Record the progress on the goal" in part(html, "progress-row-1")
    assert "Typed view" in html and "note 1" in html
    assert snapshot(episode) == before


def test_there_is_nothing_to_evaluate_without_a_plan(http, episode):
    response = http.get(url("plan_evaluate", episode))
    assert response.status_code == 302


# --- reading ----------------------------------------------------------------------------------


def test_every_version_can_be_read(http, episode, counsellor):
    """PLN-1: the old version, read-only, as it was agreed."""
    make_plan(episode, counsellor)
    make_plan(episode, counsellor, goals=[goal(text="No alcohol at all")])
    listing = http.get(url("plan_versions", episode)).content.decode()
    assert url("plan_version", episode, version=1) in listing
    old = http.get(url("plan_version", episode, version=1))
    html = old.content.decode()
    assert old.status_code == 200
    assert "Replaced by a newer version" in html
    assert "Drink no alcohol on weekdays" in html and "No alcohol at all" not in html
    assert 'name="' not in part(html, "plan-version")  # read-only: no form fields
    assert http.get(url("plan_version", episode, version=3)).status_code == 404


def test_the_episode_page_shows_the_plan_and_an_overdue_evaluation(
    as_user, dk_client, open_episode, counsellor
):
    """PLN-2: the next evaluation date, with a badge when it has passed."""
    episode = open_episode(dk_client, received_at=at(dk_client.organisation, 2026, 5, 4, 10, 0))
    episode_begin_assessment(episode=episode, actor=counsellor)
    plan = make_plan(
        episode, counsellor, agreed_on=D(2026, 6, 1), goals=[goal(due_on=D(2026, 12, 31))]
    )
    evaluate(plan, counsellor, on=D(2026, 7, 1))
    html = as_user(counsellor).get(url("episode", episode)).content.decode()
    assert 'data-testid="evaluation-overdue"' in html
    assert "Drink no alcohol on weekdays" in html
    assert "Some progress" in html  # the goal's latest progress
    assert "Reduce use" in html


# --- access -----------------------------------------------------------------------------------

ROUTES = ["plan_create", "plan_evaluate", "plan_versions", "plan_version"]


def route(name: str, episode) -> str:
    return url(name, episode, version=1) if name == "plan_version" else url(name, episode)


@pytest.mark.parametrize("name", ROUTES)
def test_an_outsider_gets_404(as_user, outsider, episode, counsellor, name):
    """PRV-1: another organisation's episode does not exist for them, whatever their role."""
    make_plan(episode, counsellor)
    http = as_user(outsider)
    assert http.get(route(name, episode)).status_code == 404
    if name in ("plan_create", "plan_evaluate"):
        assert http.post(route(name, episode), {}).status_code == 404


@pytest.mark.parametrize("role", [Role.PEER_WORKER, Role.ADMINISTRATOR])
@pytest.mark.parametrize("name", ROUTES)
def test_roles_without_client_access_get_403(
    as_user, make_staff, org_dk, episode, counsellor, role, name
):
    """PRV-1: peer workers and administrators open no client records."""
    make_plan(episode, counsellor)
    http = as_user(make_staff(org_dk, role))
    assert http.get(route(name, episode)).status_code == 403
    if name in ("plan_create", "plan_evaluate"):
        before = snapshot(episode)
        assert http.post(route(name, episode), plan_post()).status_code == 403
        assert snapshot(episode) == before


# --- query counts -----------------------------------------------------------------------------


def grow(episode, counsellor, *, versions: int, goals: int, evaluations: int) -> None:
    day = INQUIRY + days(1)
    for _ in range(versions):
        plan = make_plan(
            episode,
            counsellor,
            agreed_on=day,
            goals=[goal(text=f"Goal {i}", due_on=AGREED + days(190)) for i in range(goals)],
        )
        for n in range(evaluations):
            evaluate(plan, counsellor, on=day + datetime.timedelta(days=n))


def queries(http, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["episode", "plan_versions", "plan_version"])
def test_the_plan_pages_query_count_does_not_grow_with_the_plan(http, episode, counsellor, name):
    """More goals, evaluations and versions: the same number of queries."""
    grow(episode, counsellor, versions=1, goals=1, evaluations=1)
    small = queries(http, route(name, episode))
    grow(episode, counsellor, versions=3, goals=6, evaluations=3)
    large = queries(http, route(name, episode))
    assert large == small, (small, large)


def test_the_plan_section_of_the_episode_page_issues_no_queries_of_its_own(episode, counsellor):
    grow(episode, counsellor, versions=2, goals=4, evaluations=2)
    page = selectors.episode_page(episode)
    with CaptureQueriesContext(connection) as ctx:
        html = render_to_string(
            "pathway/partials/_plans.html",
            {"page": page, "episode": episode, "can_write": True, "today": TODAY},
        )
    assert len(ctx.captured_queries) == 0
    assert len(re.findall(r"Goal \d", html)) >= 4
