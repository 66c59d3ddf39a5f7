"""Appointments in /api/v1/ (APT-1, APT-2): the same services, rules and error codes as the
pages.

* A client's appointments and requests sit under the client (``/clients/{client_id}/...``)
  and read it through ``clients.access.client_for``; one appointment or request by its own
  id through ``appointments.access``: another organisation's is 404, a role without the
  permission 403, and every call is in the access log.
* ``GET /appointments?staff=&start=&end=``: a staff member's appointments over at most 62
  days (oneself without ``staff``; a colleague of an organisation where one may read client
  records, else 404). The clients listed are logged as seen.
* Booking and moving take ``starts_at`` with its UTC offset and either ``minutes`` or
  ``ends_at``. A time outside the site's opening hours is refused with 409
  ``outside_opening_hours`` until the request says ``confirm_outside_hours: true``; the
  appointment then carries ``warnings: ["outside_opening_hours"]``.
* Refusals: ``staff_double_booked``, ``room_double_booked``, ``client_double_booked``
  (409), ``appointment_in_past``, ``end_before_start``, ``length_too_short``,
  ``length_too_long``, ``appointment_too_far``, ``staff_other_organisation``,
  ``staff_not_clinical``, ``staff_role_for_kind``, ``site_other_organisation``,
  ``room_not_at_site``, ``request_other_client``, ``request_kind_mismatch`` (422),
  ``appointment_not_booked``, ``appointment_not_started``, ``appointment_cancelled``,
  ``appointment_over``, ``request_not_open`` (409).
"""

from __future__ import annotations

import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from bedring.accounts.access import Staff
from bedring.accounts.models import Membership, Organisation, Site, User
from bedring.audit.services import access_search_results
from bedring.clients.access import client_for
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.errors import ValidationFailed
from bedring.core.paging import api_page
from bedring.core.roles import Perm

from . import selectors, services
from .access import appointment_for, request_for
from .models import Appointment, AppointmentRequest, Room

router = Router(tags=["appointments"])

KindIn = Literal[
    "conversation",
    "doctor",
    "psychologist",
    "nurse",
    "home_visit",
    "phone",
    "responsibility_group",
]
MAX_RANGE_DAYS = 62
EARLIEST, LATEST = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


def _client(request: HttpRequest, client_id: UUID, view: str, perm: Perm) -> Client:
    return client_for(request, _staff(request), client_id, view=view, perm=perm, channel="api")


# --- schemas -------------------------------------------------------------------------------


class AppointmentOut(Schema):
    id: UUID
    client: UUID
    client_name: str
    kind: str
    status: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    minutes: int
    on: datetime.date = Field(..., description="The local day of the start.")
    staff: str
    staff_name: str
    site: UUID
    site_name: str
    room: UUID | None
    room_name: str
    request: UUID | None
    note: str
    cancelled_by: str
    with_notice: bool | None
    cancel_reason: str
    cancelled_at: datetime.datetime | None
    outcome_recorded_at: datetime.datetime | None
    warnings: list[str] = Field(
        ..., description='["outside_opening_hours"] when booked outside the opening hours.'
    )
    created_at: datetime.datetime
    updated_at: datetime.datetime


def appointment_out(a: Appointment) -> AppointmentOut:
    zone = clock.zone(a.organisation)
    return AppointmentOut(
        id=a.uuid,
        client=a.client.uuid,
        client_name=a.client.display_name,
        kind=a.kind,
        status=a.status,
        starts_at=a.starts_at.astimezone(zone),
        ends_at=a.ends_at.astimezone(zone),
        minutes=a.minutes,
        on=a.on,
        staff=a.staff.username,
        staff_name=a.staff.get_full_name(),
        site=a.site.uuid,
        site_name=a.site.name,
        room=a.room.uuid if a.room else None,
        room_name=a.room.name if a.room else "",
        request=a.request.uuid if a.request_id and a.request else None,
        note=a.note,
        cancelled_by=a.cancelled_by,
        with_notice=a.with_notice,
        cancel_reason=a.cancel_reason,
        cancelled_at=a.cancelled_at,
        outcome_recorded_at=a.outcome_recorded_at,
        warnings=["outside_opening_hours"] if a.outside_hours else [],
        created_at=a.created_at,
        updated_at=a.updated_at,
    )


class AppointmentPage(Schema):
    count: int
    results: list[AppointmentOut]


class StaffAppointments(Schema):
    staff: str
    start: datetime.date
    end: datetime.date
    results: list[AppointmentOut]


class BookIn(Schema):
    kind: KindIn
    staff: str = Field(..., max_length=150, description="The staff member's username.")
    site: UUID
    room: UUID | None = None
    starts_at: datetime.datetime = Field(..., description="With its UTC offset.")
    minutes: int | None = Field(None, ge=-100_000, le=100_000)
    ends_at: datetime.datetime | None = Field(None, description="Instead of minutes.")
    note: str = Field("", max_length=500)
    request: UUID | None = Field(None, description="The open request this books (APT-2).")
    confirm_outside_hours: bool = False


class MoveIn(Schema):
    starts_at: datetime.datetime
    minutes: int | None = Field(None, ge=-100_000, le=100_000)
    ends_at: datetime.datetime | None = None
    staff: str | None = Field(None, max_length=150, description="Left out: the same.")
    site: UUID | None = Field(None, description="Left out: the same.")
    room: UUID | None = Field(None, description="Left out: the same; null: no room.")
    confirm_outside_hours: bool = False


class CancelIn(Schema):
    cancelled_by: Literal["client", "service"]
    with_notice: bool
    reason: str = Field(..., max_length=300)


class RequestIn(Schema):
    kind: KindIn
    note: str = Field("", max_length=500)


class WithdrawIn(Schema):
    reason: str = Field(..., max_length=300)


class RequestOut(Schema):
    id: UUID
    client: UUID
    kind: str
    status: str
    requested_at: datetime.datetime
    offer_due_on: datetime.date | None = Field(
        ..., description="The last day the appointment may take place (APT-2), if promised."
    )
    on_worklist: bool
    note: str
    withdrawn_reason: str


def request_out(r: AppointmentRequest) -> RequestOut:
    return RequestOut(
        id=r.uuid,
        client=r.client.uuid,
        kind=r.kind,
        status=r.status,
        requested_at=r.requested_at,
        offer_due_on=r.offer_due_on,
        on_worklist=r.episode_id is not None,
        note=r.note,
        withdrawn_reason=r.withdrawn_reason,
    )


class RequestPage(Schema):
    count: int
    results: list[RequestOut]


# --- resolving ids -------------------------------------------------------------------------


def _staff_member(organisation: Organisation, username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationFailed(
            "staff_other_organisation",
            _("%(name)s does not work in this organisation.") % {"name": username},
            field="staff",
        )
    return user


def _site(organisation: Organisation, site_id: UUID) -> Site:
    site = Site.objects.filter(uuid=site_id, organisation=organisation).first()
    if site is None:
        raise ValidationFailed(
            "site_other_organisation", _("Choose one of the organisation's sites."), field="site"
        )
    return site


def _room(organisation: Organisation, room_id: UUID | None) -> Room | None:
    if room_id is None:
        return None
    room = Room.objects.filter(uuid=room_id, site__organisation=organisation).first()
    if room is None:
        raise ValidationFailed(
            "room_not_at_site", _("Choose a room of the chosen site."), field="room"
        )
    return room


def _minutes(
    starts_at: datetime.datetime,
    minutes: int | None,
    ends_at: datetime.datetime | None,
    default: int | None = None,
) -> int:
    if minutes is not None and ends_at is not None:
        raise ValidationFailed(
            "length_twice", _("Give either minutes or ends_at, not both."), field="minutes"
        )
    if minutes is not None:
        return minutes
    if ends_at is not None:
        if (ends_at.tzinfo is None) != (starts_at.tzinfo is None):
            raise ValidationFailed(
                "time_without_zone",
                _("Give the start and the end with their time zone."),
                field="ends_at",
            )
        return int((ends_at - starts_at) // datetime.timedelta(minutes=1))
    if default is not None:
        return default
    raise ValidationFailed(
        "length_required", _("Give the length in minutes or the end."), field="minutes"
    )


# --- a client's appointments ---------------------------------------------------------------


@router.get("/clients/{client_id}/appointments", response=AppointmentPage)
def client_appointment_list(
    request: HttpRequest, client_id: UUID, offset: int = 0, limit: int = 50
) -> AppointmentPage:
    """APT-1: the client's appointments, latest first, a page at a time."""
    client = _client(request, client_id, "api_appointments", Perm.CLIENT_READ)
    count, rows = api_page(selectors.client_appointments(client), offset, limit)
    return AppointmentPage(count=count, results=[appointment_out(a) for a in rows])


@router.post("/clients/{client_id}/appointments", response={201: AppointmentOut})
def appointment_book(
    request: HttpRequest, client_id: UUID, payload: BookIn
) -> Status[AppointmentOut]:
    """APT-1: book an appointment (and, with ``request``, meet its offer deadline)."""
    client = _client(request, client_id, "api_appointment_book", Perm.CLIENT_WRITE)
    organisation = client.organisation
    wanted = None
    if payload.request is not None:
        wanted = AppointmentRequest.objects.filter(uuid=payload.request, client=client).first()
        if wanted is None:
            raise ValidationFailed(
                "request_other_client", _("The request is another client's."), field="request"
            )
    appointment = services.appointment_book(
        client=client,
        actor=_staff(request).user,
        staff=_staff_member(organisation, payload.staff),
        site=_site(organisation, payload.site),
        room=_room(organisation, payload.room),
        kind=payload.kind,
        starts_at=payload.starts_at,
        minutes=_minutes(payload.starts_at, payload.minutes, payload.ends_at),
        note=payload.note,
        request=wanted,
        confirm_outside_hours=payload.confirm_outside_hours,
        at=clock.now(),
    )
    return Status(201, appointment_out(appointment))


@router.get("/clients/{client_id}/appointment-requests", response=RequestPage)
def client_request_list(
    request: HttpRequest, client_id: UUID, offset: int = 0, limit: int = 50
) -> RequestPage:
    """APT-2: the client's requests for an appointment, latest first."""
    client = _client(request, client_id, "api_appointment_requests", Perm.CLIENT_READ)
    count, rows = api_page(
        AppointmentRequest.objects.filter(client=client)
        .select_related("client")
        .order_by("-requested_at", "-id"),
        offset,
        limit,
    )
    return RequestPage(count=count, results=[request_out(r) for r in rows])


@router.post("/clients/{client_id}/appointment-requests", response={201: RequestOut})
def appointment_request_record(
    request: HttpRequest, client_id: UUID, payload: RequestIn
) -> Status[RequestOut]:
    """APT-2: the client asks for an appointment; where the organisation promises one
    within a time, ``offer_due_on`` is set and (with an open episode) it is on the
    worklist."""
    client = _client(request, client_id, "api_appointment_request_add", Perm.CLIENT_WRITE)
    recorded = services.appointment_request_record(
        client=client,
        actor=_staff(request).user,
        kind=payload.kind,
        note=payload.note,
        at=clock.now(),
    )
    return Status(201, request_out(recorded))


@router.post("/appointment-requests/{request_id}/withdraw", response=RequestOut)
def appointment_request_withdraw(
    request: HttpRequest, request_id: UUID, payload: WithdrawIn
) -> RequestOut:
    """APT-2: the client no longer wants the appointment; its deadline is closed."""
    staff = _staff(request)
    wanted = request_for(
        request,
        staff,
        request_id,
        view="api_appointment_request_withdraw",
        perm=Perm.CLIENT_WRITE,
        channel="api",
    )
    return request_out(
        services.appointment_request_withdraw(
            request=wanted, actor=staff.user, reason=payload.reason, at=clock.now()
        )
    )


# --- a staff member's appointments ---------------------------------------------------------


@router.get("/appointments", response=StaffAppointments)
def staff_appointment_list(
    request: HttpRequest,
    staff: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> StaffAppointments:
    """APT-1: a staff member's appointments from ``start`` to ``end`` (local days, both
    included; at most 62 days; today and the next six without them), cancelled ones
    included."""
    me = _staff(request)
    org_ids = me.org_ids_with(Perm.CLIENT_READ)
    if not org_ids:
        raise PermissionDenied
    if not staff or staff == me.user.username:
        whose = me.user
    else:
        membership = (
            Membership.objects.filter(
                organisation_id__in=org_ids,
                is_active=True,
                user__is_active=True,
                user__username=staff[:150],
            )
            .select_related("user")
            .first()
        )
        if membership is None:
            raise Http404
        whose = membership.user
    today = clock.today(me.organisation)
    start = start or today
    if not (EARLIEST <= start <= LATEST and (end is None or EARLIEST <= end <= LATEST)):
        raise ValidationFailed("bad_range", _("Give days between 1900 and 2999."), field="start")
    end = end or start + datetime.timedelta(days=6)
    if end < start:
        raise ValidationFailed("bad_range", _("The end comes before the start."), field="end")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise ValidationFailed(
            "range_too_long",
            _("Ask for at most %(days)d days at a time.") % {"days": MAX_RANGE_DAYS},
            field="end",
        )
    rows = selectors.appointments_for_staff(
        whose, start, end, organisation_ids=org_ids, include_cancelled=True
    )
    access_search_results(
        actor=me.user,
        clients=list({a.client_id: a.client for a in rows}.values()),
        view="api_staff_appointments",
        channel="api",
        request=request,
    )
    return StaffAppointments(
        staff=whose.username, start=start, end=end, results=[appointment_out(a) for a in rows]
    )


# --- one appointment -----------------------------------------------------------------------


def _appointment(request: HttpRequest, appointment_id: UUID, view: str, perm: Perm) -> Appointment:
    return appointment_for(
        request, _staff(request), appointment_id, view=view, perm=perm, channel="api"
    )


@router.get("/appointments/{appointment_id}", response=AppointmentOut)
def appointment_get(request: HttpRequest, appointment_id: UUID) -> AppointmentOut:
    return appointment_out(
        _appointment(request, appointment_id, "api_appointment", Perm.CLIENT_READ)
    )


@router.post("/appointments/{appointment_id}/move", response=AppointmentOut)
def appointment_move(request: HttpRequest, appointment_id: UUID, payload: MoveIn) -> AppointmentOut:
    """APT-1: move a booked appointment; left-out fields keep their value (the length too)."""
    appointment = _appointment(request, appointment_id, "api_appointment_move", Perm.CLIENT_WRITE)
    organisation = appointment.organisation
    room_given = "room" in payload.model_fields_set
    moved = services.appointment_move(
        appointment=appointment,
        actor=_staff(request).user,
        starts_at=payload.starts_at,
        minutes=_minutes(
            payload.starts_at, payload.minutes, payload.ends_at, default=appointment.minutes
        ),
        staff=_staff_member(organisation, payload.staff) if payload.staff else None,
        site=_site(organisation, payload.site) if payload.site else None,
        room=_room(organisation, payload.room) if room_given else None,
        keep_room=not room_given,
        confirm_outside_hours=payload.confirm_outside_hours,
        at=clock.now(),
    )
    return appointment_out(moved)


@router.post("/appointments/{appointment_id}/cancel", response=AppointmentOut)
def appointment_cancel(
    request: HttpRequest, appointment_id: UUID, payload: CancelIn
) -> AppointmentOut:
    """APT-1: cancel, by the client or the service, with or without notice, with a reason."""
    appointment = _appointment(request, appointment_id, "api_appointment_cancel", Perm.CLIENT_WRITE)
    return appointment_out(
        services.appointment_cancel(
            appointment=appointment,
            actor=_staff(request).user,
            cancelled_by=payload.cancelled_by,
            with_notice=payload.with_notice,
            reason=payload.reason,
            at=clock.now(),
        )
    )


def _outcome(request: HttpRequest, appointment_id: UUID, outcome: str) -> AppointmentOut:
    appointment = _appointment(
        request, appointment_id, "api_appointment_outcome", Perm.CLIENT_WRITE
    )
    return appointment_out(
        services.appointment_record_outcome(
            appointment=appointment, actor=_staff(request).user, outcome=outcome, at=clock.now()
        )
    )


@router.post("/appointments/{appointment_id}/attended", response=AppointmentOut)
def appointment_attended(request: HttpRequest, appointment_id: UUID) -> AppointmentOut:
    """APT-1: the client came (from the start on; corrects a no-show)."""
    return _outcome(request, appointment_id, "attended")


@router.post("/appointments/{appointment_id}/no-show", response=AppointmentOut)
def appointment_no_show(request: HttpRequest, appointment_id: UUID) -> AppointmentOut:
    """APT-1: the client did not come (from the start on); may raise the no-show flag."""
    return _outcome(request, appointment_id, "no_show")
