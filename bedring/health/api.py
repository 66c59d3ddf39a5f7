"""Health in /api/v1/ (HLT-1..4): the same services, rules and error codes as the pages.

Every operation sits under the client (``/clients/{client_id}/...``, the client's public
UUID) and reads it through ``clients.access.client_for``: another organisation's client is
404, a role without the permission 403, and every successful call is in the access log.

The lists of screenings, vaccinations, health contacts and pregnancies are pages:
``?offset=&limit=`` (limit 1 to 200, default 50) answering ``{count, results}``, as the
other client records in the API.
"""

from __future__ import annotations

import datetime
from typing import Literal
from uuid import UUID

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from bedring.accounts.access import Staff
from bedring.clients.access import client_for
from bedring.clients.models import Client
from bedring.core.paging import api_page
from bedring.core.roles import Perm

from . import selectors, services
from .models import HealthContact, Pregnancy, PregnancyFollowUp, Screening, Vaccination
from .schedules import vaccination_schedules

router = Router(tags=["health"])

ScreeningKindIn = Literal["hiv", "hepatitis_b", "hepatitis_c", "tuberculosis"]
ResultIn = Literal["pending", "negative", "positive", "inconclusive"]
ScheduleIn = Literal["hepatitis_a", "hepatitis_b", "hepatitis_b_accelerated", "hepatitis_ab"]
ContactKindIn = Literal[
    "contraception",
    "nada",
    "health_conversation",
    "dental_referral",
    "wound_care",
    "clinical_assessment",
]
OutcomeIn = Literal["birth", "ended"]
FollowUpKindIn = Literal[
    "conversation",
    "urine_test",
    "home_visit",
    "midwife",
    "cooperation",
    "specialist_referral",
    "voluntary_admission",
    "after_birth",
]
PartnerIn = Literal["", "child_expert", "family_clinic", "gp", "child_welfare"]
Note = Field("", max_length=2000)


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


def _client(request: HttpRequest, client_id: UUID, view: str, perm: Perm) -> Client:
    return client_for(request, _staff(request), client_id, view=view, perm=perm, channel="api")


def _recorder(user: object) -> str:
    return getattr(user, "username", "")


# --- screenings (HLT-1) --------------------------------------------------------------------


class ScreeningIn(Schema):
    kind: ScreeningKindIn
    offered_on: datetime.date
    declined: bool = False
    tested_on: datetime.date | None = Field(None, description="The day the sample was taken.")
    result: Literal["", "pending", "negative", "positive", "inconclusive"] = Field(
        "", description="Empty when declined; pending when left out for a sample taken."
    )
    note: str = Note


class ScreeningResultIn(Schema):
    result: ResultIn
    note: str = Note


class ScreeningOut(Schema):
    id: UUID
    kind: str
    offered_on: datetime.date
    declined: bool
    tested_on: datetime.date | None
    result: str
    note: str
    recorded_by: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


def screening_out(s: Screening) -> ScreeningOut:
    return ScreeningOut(
        id=s.uuid,
        kind=s.kind,
        offered_on=s.offered_on,
        declined=s.declined,
        tested_on=s.tested_on,
        result=s.result,
        note=s.note,
        recorded_by=_recorder(s.recorded_by),
        created_at=s.created_at,
        updated_at=s.updated_at,
    )


class ScreeningPage(Schema):
    count: int
    results: list[ScreeningOut]


@router.get("/clients/{client_id}/screenings", response=ScreeningPage)
def screening_list(
    request: HttpRequest, client_id: UUID, offset: int = 0, limit: int = 50
) -> ScreeningPage:
    """HLT-1: the client's screenings, latest offer first, a page at a time."""
    client = _client(request, client_id, "api_health_screenings", Perm.CLIENT_READ)
    count, rows = api_page(selectors.client_screenings(client), offset, limit)
    return ScreeningPage(count=count, results=[screening_out(s) for s in rows])


@router.post("/clients/{client_id}/screenings", response={201: ScreeningOut})
def screening_create(
    request: HttpRequest, client_id: UUID, payload: ScreeningIn
) -> Status[ScreeningOut]:
    """HLT-1: a screening offered and declined, or a sample taken; closes the open
    mandatory-screening deadline of its kind."""
    client = _client(request, client_id, "api_health_screening_add", Perm.CLIENT_WRITE)
    screening = services.screening_record(
        client=client, actor=_staff(request).user, **payload.model_dump()
    )
    return Status(201, screening_out(screening))


@router.post("/clients/{client_id}/screenings/{screening_id}/result", response=ScreeningOut)
def screening_result(
    request: HttpRequest, client_id: UUID, screening_id: UUID, payload: ScreeningResultIn
) -> ScreeningOut:
    """HLT-1: the result of a pending screening; a final result is not changed (409)."""
    client = _client(request, client_id, "api_health_screening_result", Perm.CLIENT_WRITE)
    screening = Screening.objects.filter(client=client, uuid=screening_id).first()
    if screening is None:
        raise Http404
    screening = services.screening_result_set(
        screening=screening, actor=_staff(request).user, **payload.model_dump()
    )
    return screening_out(screening)


# --- vaccinations (HLT-2) ------------------------------------------------------------------


class VaccinationIn(Schema):
    schedule: ScheduleIn
    dose: int = Field(..., description="1 for the first dose; doses are recorded in order.")
    given_on: datetime.date
    batch: str = Field("", max_length=40)
    note: str = Note


class VaccinationOut(Schema):
    id: UUID
    schedule: str
    vaccine: str
    dose: int
    doses_in_schedule: int
    given_on: datetime.date
    next_due_on: datetime.date | None
    batch: str
    note: str
    recorded_by: str
    created_at: datetime.datetime


def vaccination_out(v: Vaccination) -> VaccinationOut:
    schedule = vaccination_schedules()[v.schedule]
    return VaccinationOut(
        id=v.uuid,
        schedule=v.schedule,
        vaccine=schedule.vaccine,
        dose=v.dose,
        doses_in_schedule=len(schedule.doses),
        given_on=v.given_on,
        next_due_on=v.next_due_on,
        batch=v.batch,
        note=v.note,
        recorded_by=_recorder(v.recorded_by),
        created_at=v.created_at,
    )


class VaccinationPage(Schema):
    count: int
    results: list[VaccinationOut]


@router.get("/clients/{client_id}/vaccinations", response=VaccinationPage)
def vaccination_list(
    request: HttpRequest, client_id: UUID, offset: int = 0, limit: int = 50
) -> VaccinationPage:
    """HLT-2: the doses given, per schedule in dose order, each with the next dose's date,
    a page at a time."""
    client = _client(request, client_id, "api_health_vaccinations", Perm.CLIENT_READ)
    count, rows = api_page(selectors.client_vaccinations(client), offset, limit)
    return VaccinationPage(count=count, results=[vaccination_out(v) for v in rows])


@router.post("/clients/{client_id}/vaccinations", response={201: VaccinationOut})
def vaccination_create(
    request: HttpRequest, client_id: UUID, payload: VaccinationIn
) -> Status[VaccinationOut]:
    """HLT-2: a dose given (free of charge); the next dose goes on the worklist when the
    client has an open episode."""
    client = _client(request, client_id, "api_health_vaccination_add", Perm.CLIENT_WRITE)
    vaccination = services.vaccination_record(
        client=client, actor=_staff(request).user, **payload.model_dump()
    )
    return Status(201, vaccination_out(vaccination))


# --- health contacts (HLT-3) ---------------------------------------------------------------


class HealthContactIn(Schema):
    kind: ContactKindIn
    on: datetime.date
    note: str = Note


class HealthContactOut(Schema):
    id: UUID
    kind: str
    on: datetime.date
    note: str
    staff: str
    created_at: datetime.datetime


def contact_out(c: HealthContact) -> HealthContactOut:
    return HealthContactOut(
        id=c.uuid,
        kind=c.kind,
        on=c.on,
        note=c.note,
        staff=_recorder(c.staff),
        created_at=c.created_at,
    )


class HealthContactPage(Schema):
    count: int
    results: list[HealthContactOut]


@router.get("/clients/{client_id}/health-contacts", response=HealthContactPage)
def contact_list(
    request: HttpRequest, client_id: UUID, offset: int = 0, limit: int = 50
) -> HealthContactPage:
    """HLT-3: contraception counselling, NADA, health conversations, dental referrals,
    latest first, a page at a time."""
    client = _client(request, client_id, "api_health_contacts", Perm.CLIENT_READ)
    count, rows = api_page(selectors.client_health_contacts(client), offset, limit)
    return HealthContactPage(count=count, results=[contact_out(c) for c in rows])


@router.post("/clients/{client_id}/health-contacts", response={201: HealthContactOut})
def contact_create(
    request: HttpRequest, client_id: UUID, payload: HealthContactIn
) -> Status[HealthContactOut]:
    client = _client(request, client_id, "api_health_contact_add", Perm.CLIENT_WRITE)
    contact = services.health_contact_record(
        client=client, actor=_staff(request).user, **payload.model_dump()
    )
    return Status(201, contact_out(contact))


# --- pregnancy (HLT-4) ---------------------------------------------------------------------


class PregnancyIn(Schema):
    estimated_due_on: datetime.date
    noted_on: datetime.date | None = Field(None, description="Today when left out.")
    note: str = Note


class PregnancyEndIn(Schema):
    outcome: OutcomeIn
    on: datetime.date = Field(..., description="The birth date, or the day it ended.")
    note: str = Note


class PregnancyOut(Schema):
    id: UUID
    noted_on: datetime.date
    estimated_due_on: datetime.date
    status: str
    ended_on: datetime.date | None
    note: str
    recorded_by: str
    created_at: datetime.datetime


class FollowUpIn(Schema):
    kind: FollowUpKindIn
    partner: PartnerIn = Field("", description="Only, and always, for a cooperation.")
    on: datetime.date
    note: str = Note


class FollowUpOut(Schema):
    id: UUID
    pregnancy: UUID
    kind: str
    partner: str
    on: datetime.date
    note: str
    recorded_by: str
    created_at: datetime.datetime


def pregnancy_out(p: Pregnancy) -> PregnancyOut:
    return PregnancyOut(
        id=p.uuid,
        noted_on=p.noted_on,
        estimated_due_on=p.estimated_due_on,
        status=p.status,
        ended_on=p.ended_on,
        note=p.note,
        recorded_by=_recorder(p.recorded_by),
        created_at=p.created_at,
    )


def follow_up_out(f: PregnancyFollowUp, pregnancy: Pregnancy) -> FollowUpOut:
    return FollowUpOut(
        id=f.uuid,
        pregnancy=pregnancy.uuid,
        kind=f.kind,
        partner=f.partner,
        on=f.on,
        note=f.note,
        recorded_by=_recorder(f.recorded_by),
        created_at=f.created_at,
    )


def _pregnancy(client: Client, pregnancy_id: UUID) -> Pregnancy:
    pregnancy = (
        Pregnancy.objects.filter(client=client, uuid=pregnancy_id)
        .select_related("client__organisation", "recorded_by")
        .first()
    )
    if pregnancy is None:
        raise Http404
    return pregnancy


class PregnancyPage(Schema):
    count: int
    results: list[PregnancyOut]


@router.get("/clients/{client_id}/pregnancies", response=PregnancyPage)
def pregnancy_list(
    request: HttpRequest, client_id: UUID, offset: int = 0, limit: int = 50
) -> PregnancyPage:
    """HLT-4: the client's pregnancies, latest first, a page at a time."""
    client = _client(request, client_id, "api_health_pregnancies", Perm.CLIENT_READ)
    count, rows = api_page(selectors.client_pregnancies(client), offset, limit)
    return PregnancyPage(count=count, results=[pregnancy_out(p) for p in rows])


@router.post("/clients/{client_id}/pregnancies", response={201: PregnancyOut})
def pregnancy_create(
    request: HttpRequest, client_id: UUID, payload: PregnancyIn
) -> Status[PregnancyOut]:
    """HLT-4: a pregnancy becomes known; one ongoing at a time (409), only for a client
    recorded as female or of unknown sex (422 ``pregnancy_sex``)."""
    client = _client(request, client_id, "api_health_pregnancy_add", Perm.CLIENT_WRITE)
    pregnancy = services.pregnancy_record(
        client=client, actor=_staff(request).user, **payload.model_dump()
    )
    return Status(201, pregnancy_out(pregnancy))


@router.post("/clients/{client_id}/pregnancies/{pregnancy_id}/end", response=PregnancyOut)
def pregnancy_end(
    request: HttpRequest, client_id: UUID, pregnancy_id: UUID, payload: PregnancyEndIn
) -> PregnancyOut:
    """HLT-4: the birth (opens the follow-up after birth) or another end of the pregnancy."""
    client = _client(request, client_id, "api_health_pregnancy_end", Perm.CLIENT_WRITE)
    pregnancy = services.pregnancy_end(
        pregnancy=_pregnancy(client, pregnancy_id),
        actor=_staff(request).user,
        **payload.model_dump(),
    )
    return pregnancy_out(pregnancy)


@router.get(
    "/clients/{client_id}/pregnancies/{pregnancy_id}/follow-ups", response=list[FollowUpOut]
)
def follow_up_list(request: HttpRequest, client_id: UUID, pregnancy_id: UUID) -> list[FollowUpOut]:
    """HLT-4: the pregnancy's follow-up entries, in date order."""
    client = _client(request, client_id, "api_health_follow_ups", Perm.CLIENT_READ)
    pregnancy = _pregnancy(client, pregnancy_id)
    return [follow_up_out(f, pregnancy) for f in selectors.pregnancy_follow_ups(pregnancy)]


@router.post(
    "/clients/{client_id}/pregnancies/{pregnancy_id}/follow-ups", response={201: FollowUpOut}
)
def follow_up_create(
    request: HttpRequest, client_id: UUID, pregnancy_id: UUID, payload: FollowUpIn
) -> Status[FollowUpOut]:
    """HLT-4: a urine test, home visit, midwife, cooperation (with its partner), referral,
    voluntary admission or the follow-up after birth (which closes its deadline)."""
    client = _client(request, client_id, "api_health_follow_up_add", Perm.CLIENT_WRITE)
    pregnancy = _pregnancy(client, pregnancy_id)
    follow_up = services.pregnancy_follow_up_record(
        pregnancy=pregnancy, actor=_staff(request).user, **payload.model_dump()
    )
    return Status(201, follow_up_out(follow_up, pregnancy))
