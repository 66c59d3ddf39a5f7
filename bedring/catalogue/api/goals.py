"""Individual SMART goals on an enrolment in /api/v1/ (Lykken, seed 003 line 541): the same
getters, service, rules and error codes as the pages. Another organisation's enrolment or
goal is 404."""

from __future__ import annotations

import datetime
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from bedring.accounts.access import Staff
from bedring.core import clock
from bedring.core.roles import Perm
from bedring.pathway.services.plan import GoalInput

from .. import selectors
from ..models import EnrolmentGoal
from ..services import goals

router = Router(tags=["catalogue"])


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


class EnrolmentGoalIn(Schema):
    text: str = Field(..., max_length=300)
    measure: str = Field(..., max_length=300)
    target: str = Field(..., max_length=200)
    due_on: datetime.date
    client_words: str = Field("", max_length=2000)
    agreed_on: datetime.date | None = Field(None, description="Default: today.")


class GoalProgressIn(Schema):
    progress: str = Field(..., description="not_started, some, reached or dropped")
    on: datetime.date | None = Field(None, description="Default: today.")


class EnrolmentGoalOut(Schema):
    id: UUID
    enrolment: UUID
    text: str
    measure: str
    target: str
    due_on: datetime.date
    client_words: str
    agreed_on: datetime.date
    progress: str
    progress_on: datetime.date | None


def goal_out(goal: EnrolmentGoal, enrolment_uuid: UUID) -> EnrolmentGoalOut:
    return EnrolmentGoalOut(
        id=goal.uuid,
        enrolment=enrolment_uuid,
        text=goal.text,
        measure=goal.measure,
        target=goal.target,
        due_on=goal.due_on,
        client_words=goal.client_words,
        agreed_on=goal.agreed_on,
        progress=goal.progress,
        progress_on=goal.progress_on,
    )


@router.get("/enrolments/{enrolment_id}/goals", response=list[EnrolmentGoalOut])
def enrolment_goal_list(request: HttpRequest, enrolment_id: UUID) -> list[EnrolmentGoalOut]:
    """The enrolment's individual goals, in the order they were agreed."""
    enrolment = selectors.enrolment_for(
        request, _staff(request), enrolment_id, view="api_enrolment_goals", channel="api"
    )
    return [goal_out(g, enrolment.uuid) for g in selectors.enrolment_goals(enrolment)]


@router.post("/enrolments/{enrolment_id}/goals", response={201: EnrolmentGoalOut})
def enrolment_goal_add(
    request: HttpRequest, enrolment_id: UUID, payload: EnrolmentGoalIn
) -> Status[EnrolmentGoalOut]:
    """A SMART goal agreed with the client; 422 ``goals_not_in_offer`` for an offer that
    does not work with individual goals, the plan's SMART codes (``goal_incomplete``, ...)."""
    staff = _staff(request)
    enrolment = selectors.enrolment_for(
        request,
        staff,
        enrolment_id,
        view="api_enrolment_goal_add",
        perm=Perm.CLIENT_WRITE,
        channel="api",
    )
    goal = goals.enrolment_goal_add(
        enrolment=enrolment,
        actor=staff.user,
        goal=GoalInput(
            text=payload.text,
            measure=payload.measure,
            target=payload.target,
            due_on=payload.due_on,
            client_words=payload.client_words,
        ),
        agreed_on=payload.agreed_on,
        today=clock.today(enrolment.organisation),
    )
    return Status(201, goal_out(goal, enrolment.uuid))


@router.post("/enrolment-goals/{goal_id}/progress", response=EnrolmentGoalOut)
def enrolment_goal_progress(
    request: HttpRequest, goal_id: UUID, payload: GoalProgressIn
) -> EnrolmentGoalOut:
    """The progress on a goal (``invalid_progress``, ``enrolment_not_active``)."""
    staff = _staff(request)
    goal = selectors.enrolment_goal_for(
        request,
        staff,
        goal_id,
        view="api_enrolment_goal_progress",
        perm=Perm.CLIENT_WRITE,
        channel="api",
    )
    saved = goals.enrolment_goal_progress(
        goal=goal,
        actor=staff.user,
        progress=payload.progress,
        on=payload.on,
        today=clock.today(goal.enrolment.organisation),
    )
    return goal_out(saved, goal.enrolment.uuid)
