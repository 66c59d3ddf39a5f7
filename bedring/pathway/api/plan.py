"""Treatment plans in /api/v1/ (PLN-1..6): the same service, rules and error codes as the
plan pages. Values the service checks (aims, parties, progress) are plain strings here, so
that a wrong one gets the service's code (``invalid_aim``…) rather than a schema error."""

from __future__ import annotations

import datetime
from typing import cast
from uuid import UUID

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status
from pydantic import JsonValue

from bedring.accounts.access import Staff
from bedring.accounts.models import User
from bedring.clients.models import ConsentParty
from bedring.core.errors import ValidationFailed
from bedring.core.roles import Perm

from ..access import episode_for
from ..models import Evaluation, Plan
from ..models.plan import Aim, Progress
from ..services import plan as services

router = Router(tags=["plan"])


def _enum(values: list[str]) -> dict[str, JsonValue]:
    """Document the allowed values without validating them in the schema (see above)."""
    return {"enum": cast("list[JsonValue]", values)}


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


def _username(user: User | None) -> str | None:
    return user.username if user is not None else None


class GoalIn(Schema):
    text: str = Field("", max_length=300)
    measure: str = Field("", max_length=300)
    target: str = Field("", max_length=200)
    due_on: datetime.date | None = None
    client_words: str = ""
    short_term: bool = True


class CollaboratorIn(Schema):
    party: str = Field(..., json_schema_extra=_enum(ConsentParty.values))
    name: str = Field("", max_length=200)


class PlanIn(Schema):
    agreed_on: datetime.date
    aims: list[str] = Field(default_factory=list, json_schema_extra={"items": _enum(Aim.values)})
    goals: list[GoalIn] = Field(default_factory=list, max_length=30)
    client_participated: bool = True
    client_words: str = ""
    network: str = Field("", description="PLN-5: who takes part and the topics the client chose.")
    collaborators: list[CollaboratorIn] = Field(default_factory=list, max_length=20)
    action_plan: bool = Field(False, description="DK: action plan (SEL § 141).")
    individual_plan: bool = Field(False, description="NO: individual plan; needs a coordinator.")
    coordinator: str | None = Field(None, description="The coordinator's username.")
    responsibility_group: str = ""
    based_on_version: int | None = Field(
        None,
        ge=0,
        description="The version these changes start from (0: no plan yet). If another "
        "version was saved meanwhile the request is refused with 409 plan_changed.",
    )


class GoalOut(Schema):
    id: UUID
    position: int
    text: str
    measure: str
    target: str
    due_on: datetime.date
    client_words: str
    short_term: bool


class CollaboratorOut(Schema):
    party: str
    name: str
    consent: UUID | None


class ProgressOut(Schema):
    goal: UUID
    progress: str
    note: str


class EvaluationOut(Schema):
    id: UUID
    plan: UUID
    evaluated_on: datetime.date
    evaluated_by: str
    client_participated: bool
    client_view: str
    next_evaluation_on: datetime.date
    progress: list[ProgressOut]


class PlanSummaryOut(Schema):
    id: UUID
    episode: UUID
    version: int
    is_current: bool
    agreed_on: datetime.date
    made_by: str
    next_evaluation_on: datetime.date


class PlanOut(PlanSummaryOut):
    aims: list[str]
    client_participated: bool
    client_words: str
    network: str
    collaborators: list[CollaboratorOut]
    action_plan: bool
    individual_plan: bool
    coordinator: str | None
    responsibility_group: str
    goals: list[GoalOut]
    evaluations: list[EvaluationOut]


class ProgressIn(Schema):
    goal: UUID
    progress: str = Field("", json_schema_extra=_enum(Progress.values))
    note: str = ""


class EvaluationIn(Schema):
    evaluated_on: datetime.date
    client_participated: bool = True
    client_view: str = ""
    progress: list[ProgressIn] = Field(default_factory=list, max_length=30)


def _summary(plan: Plan) -> PlanSummaryOut:
    return PlanSummaryOut(
        id=plan.uuid,
        episode=plan.episode.uuid,
        version=plan.version,
        is_current=plan.is_current,
        agreed_on=plan.agreed_on,
        made_by=plan.made_by.username,
        next_evaluation_on=plan.next_evaluation_on,
    )


def _evaluation_out(evaluation: Evaluation, plan: Plan) -> EvaluationOut:
    return EvaluationOut(
        id=evaluation.uuid,
        plan=plan.uuid,
        evaluated_on=evaluation.evaluated_on,
        evaluated_by=evaluation.evaluated_by.username,
        client_participated=evaluation.client_participated,
        client_view=evaluation.client_view,
        next_evaluation_on=evaluation.next_evaluation_on,
        progress=[
            ProgressOut(goal=p.goal.uuid, progress=p.progress, note=p.note)
            for p in evaluation.progress.all()
        ],
    )


def _plan_out(plan: Plan) -> PlanOut:
    """``plan`` from services.plan_queryset(): goals and evaluations prefetched."""
    return PlanOut(
        **_summary(plan).model_dump(),
        aims=plan.aims,
        client_participated=plan.client_participated,
        client_words=plan.client_words,
        network=plan.network,
        collaborators=[
            CollaboratorOut(party=c["party"], name=c.get("name", ""), consent=c.get("consent"))
            for c in plan.collaborators
        ],
        action_plan=plan.action_plan,
        individual_plan=plan.individual_plan,
        coordinator=_username(plan.coordinator),
        responsibility_group=plan.responsibility_group,
        goals=[
            GoalOut(
                id=g.uuid,
                position=g.position,
                text=g.text,
                measure=g.measure,
                target=g.target,
                due_on=g.due_on,
                client_words=g.client_words,
                short_term=g.short_term,
            )
            for g in plan.goals.all()
        ],
        evaluations=[_evaluation_out(e, plan) for e in plan.evaluations.all()],
    )


def _plan_for(request: HttpRequest, plan_id: UUID, *, view: str, perm: Perm) -> Plan:
    """A plan of the staff member's organisations (else 404), checked and logged through
    the episode like every other pathway read."""
    staff = _staff(request)
    plan = (
        services.plan_queryset()
        .filter(uuid=plan_id, episode__organisation_id__in=list(staff.memberships))
        .first()
    )
    if plan is None:
        raise Http404
    plan.episode = episode_for(
        request, staff, plan.episode.uuid, view=view, perm=perm, channel="api"
    )
    return plan


def _coordinator(username: str | None) -> User | None:
    """The service checks that the coordinator is staff here; an unknown name is the same
    refusal, so that the API does not reveal who works elsewhere."""
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationFailed(
            "coordinator_not_staff",
            _("The coordinator must be a staff member here who works with clients."),
            field="coordinator",
        )
    return user


@router.post("/episodes/{episode_id}/plans", response={201: PlanOut})
def plan_create(request: HttpRequest, episode_id: UUID, payload: PlanIn) -> Status[PlanOut]:
    """PLN-1..6: the plan made with the client; when the episode has a plan, a new version
    that replaces it (the old version is kept). Collaborators need a consent in force
    (PLN-6, PRV-2); the next evaluation is due in ``plan_evaluation_months`` (PLN-2)."""
    staff = _staff(request)
    episode = episode_for(
        request,
        staff,
        episode_id,
        view="api_plan_create",
        perm=Perm.CLIENT_WRITE,
        channel="api",
    )
    plan = services.plan_save(
        episode=episode,
        actor=staff.user,
        agreed_on=payload.agreed_on,
        aims=payload.aims,
        goals=[services.GoalInput(**g.model_dump()) for g in payload.goals],
        client_participated=payload.client_participated,
        client_words=payload.client_words,
        network=payload.network,
        collaborators=[services.CollaboratorInput(**c.model_dump()) for c in payload.collaborators],
        action_plan=payload.action_plan,
        individual_plan=payload.individual_plan,
        coordinator=_coordinator(payload.coordinator),
        responsibility_group=payload.responsibility_group,
        based_on_version=payload.based_on_version,
    )
    return Status(201, _plan_out(services.plan_queryset().get(pk=plan.pk)))


@router.get("/episodes/{episode_id}/plans", response=list[PlanSummaryOut])
def plan_list(request: HttpRequest, episode_id: UUID) -> list[PlanSummaryOut]:
    """PLN-1: every version of the episode's plan, newest first."""
    episode = episode_for(request, _staff(request), episode_id, view="api_plan_list", channel="api")
    versions = services.plan_versions(episode)
    for plan in versions:
        plan.episode = episode
    return [_summary(p) for p in versions]


@router.get("/plans/{plan_id}", response=PlanOut)
def plan_detail(request: HttpRequest, plan_id: UUID) -> PlanOut:
    """Any version of a plan, with its goals and evaluations."""
    return _plan_out(_plan_for(request, plan_id, view="api_plan_detail", perm=Perm.CLIENT_READ))


@router.post("/plans/{plan_id}/evaluations", response={201: EvaluationOut})
def evaluation_create(
    request: HttpRequest, plan_id: UUID, payload: EvaluationIn
) -> Status[EvaluationOut]:
    """PLN-2, PRV-3: evaluate the current version with the client: a progress entry for
    every goal (``progress_missing`` names the goal). Closes the evaluation deadline and
    opens the next one."""
    plan = _plan_for(request, plan_id, view="api_evaluation_create", perm=Perm.CLIENT_WRITE)
    evaluation = services.evaluation_record(
        plan=plan,
        actor=_staff(request).user,
        evaluated_on=payload.evaluated_on,
        progress=[services.ProgressInput(**p.model_dump()) for p in payload.progress],
        client_participated=payload.client_participated,
        client_view=payload.client_view,
    )
    saved = (
        Evaluation.objects.select_related("evaluated_by")
        .prefetch_related("progress__goal")
        .get(pk=evaluation.pk)
    )
    return Status(201, _evaluation_out(saved, plan))
