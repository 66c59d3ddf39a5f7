"""Discharge and follow-up in /api/v1/ (DIS-1, DIS-2, DIS-5): the same service, rules and
error codes as the pages. Values the service checks (status, results, life areas) are plain
strings here, so that a wrong one gets the service's code rather than a schema error."""

from __future__ import annotations

import datetime
from typing import cast
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import JsonValue

from bedring.accounts.access import Staff
from bedring.audit.services import access_record
from bedring.core import clock
from bedring.core.roles import Perm

from ..access import episode_for
from ..models import Discharge, FollowUp
from ..models.discharge import (
    DischargeStatus,
    GoalOutcome,
    OverallResult,
    SituationChange,
    SubstanceUseNow,
)
from ..questionnaires import LIFE_AREAS
from ..services import discharge as services

router = Router(tags=["discharge"])


def _enum(values: list[str]) -> dict[str, JsonValue]:
    """Document the allowed values without validating them in the schema (see above)."""
    return {"enum": cast("list[JsonValue]", values)}


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


class GoalResultIn(Schema):
    goal: UUID
    outcome: str = Field("", json_schema_extra=_enum(GoalOutcome.values))
    note: str = Field("", max_length=300)


class DischargeIn(Schema):
    discharged_on: datetime.date
    status: str = Field(..., json_schema_extra=_enum(DischargeStatus.values))
    overall_result: str = Field(..., json_schema_extra=_enum(OverallResult.values))
    goal_results: list[GoalResultIn] = Field(
        default_factory=list,
        max_length=30,
        description="A result for every goal of the current plan (goal_result_missing names "
        "the goal).",
    )
    destination: str = Field(
        "", max_length=200, description="Required when the client was transferred."
    )
    note: str = ""


class GoalResultOut(Schema):
    goal: UUID
    text: str
    outcome: str
    note: str


class FollowUpOut(Schema):
    id: UUID
    months: int
    due_on: datetime.date
    responsible: str | None
    done_on: datetime.date | None
    contact_made: bool | None
    substance_use: str
    situation: dict[str, str]
    note: str


class DischargeOut(Schema):
    id: UUID
    episode: UUID
    discharged_on: datetime.date
    status: str
    overall_result: str
    intensity: str
    destination: str
    note: str
    discharged_by: str


class EpisodeDischargeOut(Schema):
    discharge: DischargeOut | None
    goal_results: list[GoalResultOut]
    follow_ups: list[FollowUpOut]


class FollowUpIn(Schema):
    done_on: datetime.date
    contact_made: bool
    substance_use: str = Field(
        "",
        json_schema_extra=_enum(SubstanceUseNow.values),
        description="Required when contact was made.",
    )
    situation: dict[str, str] = Field(
        default_factory=dict,
        description=f"Life area ({', '.join(LIFE_AREAS)}) -> {' / '.join(SituationChange.values)}.",
    )
    note: str = ""


def _follow_up_out(follow_up: FollowUp) -> FollowUpOut:
    return FollowUpOut(
        id=follow_up.uuid,
        months=follow_up.months,
        due_on=follow_up.due_on,
        responsible=follow_up.responsible.username if follow_up.responsible else None,
        done_on=follow_up.done_on,
        contact_made=follow_up.contact_made,
        substance_use=follow_up.substance_use,
        situation=follow_up.situation,
        note=follow_up.note,
    )


def _out(discharge: Discharge | None) -> EpisodeDischargeOut:
    """``discharge`` from services.discharge_queryset(): results and follow-ups prefetched."""
    if discharge is None:
        return EpisodeDischargeOut(discharge=None, goal_results=[], follow_ups=[])
    return EpisodeDischargeOut(
        discharge=DischargeOut(
            id=discharge.uuid,
            episode=discharge.episode.uuid,
            discharged_on=discharge.discharged_on,
            status=discharge.status,
            overall_result=discharge.overall_result,
            intensity=discharge.intensity,
            destination=discharge.destination,
            note=discharge.note,
            discharged_by=discharge.discharged_by.username,
        ),
        goal_results=[
            GoalResultOut(goal=r.goal.uuid, text=r.goal.text, outcome=r.outcome, note=r.note)
            for r in discharge.goal_results.all()
        ],
        follow_ups=[_follow_up_out(f) for f in discharge.follow_ups.all()],
    )


@router.post("/episodes/{episode_id}/discharge", response={201: EpisodeDischargeOut})
def discharge_create(
    request: HttpRequest, episode_id: UUID, payload: DischargeIn
) -> Status[EpisodeDischargeOut]:
    """DIS-1: discharge an active episode (409 bad_transition otherwise) with a result for
    every goal of the current plan. DIS-2: after completed treatment or a transfer to another
    offer or hospital, or an ending for another reason, the follow-ups are opened on the
    responsible counsellor's worklist."""
    staff = _staff(request)
    episode = episode_for(
        request,
        staff,
        episode_id,
        view="api_discharge_create",
        perm=Perm.CLIENT_WRITE,
        channel="api",
    )
    discharge = services.episode_discharge(
        episode=episode,
        actor=staff.user,
        today=clock.today(staff.organisation),
        discharged_on=payload.discharged_on,
        status=payload.status,
        overall_result=payload.overall_result,
        goal_results={str(r.goal): (r.outcome, r.note) for r in payload.goal_results},
        destination=payload.destination,
        note=payload.note,
    )
    return Status(201, _out(services.discharge_queryset().get(pk=discharge.pk)))


@router.get("/episodes/{episode_id}/discharge", response=EpisodeDischargeOut)
def discharge_detail(request: HttpRequest, episode_id: UUID) -> EpisodeDischargeOut:
    """The episode's discharge with its goal results and follow-ups; ``discharge`` is null
    while the episode has not been discharged."""
    episode = episode_for(
        request, _staff(request), episode_id, view="api_discharge_detail", channel="api"
    )
    return _out(services.discharge_of(episode))


@router.post("/follow-ups/{follow_up_id}", response={201: FollowUpOut})
def follow_up_record(
    request: HttpRequest, follow_up_id: UUID, payload: FollowUpIn
) -> Status[FollowUpOut]:
    """DIS-2, DIS-5: record a follow-up (once: 409 follow_up_already_recorded). Closes its
    deadline, met or met late."""
    staff = _staff(request)
    follow_up = (
        services.follow_up_queryset()
        .select_related("client", "episode__organisation")
        .filter(uuid=follow_up_id, organisation_id__in=list(staff.memberships))
        .first()
    )
    if follow_up is None:
        raise Http404
    if not staff.can(Perm.CLIENT_WRITE, follow_up.organisation_id):
        raise PermissionDenied
    access_record(
        actor=staff.user,
        client=follow_up.client,
        view="api_follow_up_record",
        channel="api",
        request=request,
    )
    recorded = services.follow_up_record(
        follow_up=follow_up,
        actor=staff.user,
        today=clock.today(staff.organisation),
        done_on=payload.done_on,
        contact_made=payload.contact_made,
        substance_use=payload.substance_use,
        situation=payload.situation,
        note=payload.note,
    )
    return Status(201, _follow_up_out(services.follow_up_queryset().get(pk=recorded.pk)))
