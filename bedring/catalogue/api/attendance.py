"""Attendance, gift cards, tallies and the staff calendar in /api/v1/ (SCH-1, SCH-2, SCH-4,
CAT-3, INT-3, INT-4, HRM-5): the same services, rules and error codes as the pages."""

from __future__ import annotations

import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, Field, Router, Schema, Status

from bedring.accounts.access import Staff
from bedring.accounts.models import Organisation, Site
from bedring.audit.services import access_search_results
from bedring.core import clock
from bedring.core.errors import ValidationFailed
from bedring.core.roles import Perm

from .. import calendar_feed as calendars
from ..models import Enrolment, GiftCard, Offer, Session, Tally
from ..selectors import enrolment_for
from ..services import attendance, tallies

router = Router(tags=["attendance"])

StatusIn = Literal["attended", "absent", "cancelled"]
AgeBandIn = Literal["0-14", "15-17", "18-23", "24-29", "30-49", "50+", "unknown"]
MAX_MARKS = 500


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


# --- attendance ----------------------------------------------------------------------------


class MarkIn(Schema):
    enrolment: UUID
    status: StatusIn
    note: str | None = Field(
        None,
        max_length=attendance.NOTE_MAX,
        description="A short note on the client at this session; left out keeps the one stored.",
    )


class MarkOut(Schema):
    enrolment: UUID
    client: UUID
    status: str
    note: str
    no_show_flag: bool


class AttendanceOut(Schema):
    session: UUID
    on: datetime.date
    session_status: str
    marks: list[MarkOut]


@router.post("/sessions/{session_id}/attendance", response=AttendanceOut)
def attendance_save(
    request: HttpRequest,
    session_id: UUID,
    payload: Body[list[MarkIn]],
) -> AttendanceOut:
    """SCH-1, SCH-2: record or correct the attendance of enrolled clients at one session,
    all or nothing, each with an optional short note. Answers with the session's whole grid,
    no-show flags and notes included."""
    staff = _staff(request)
    session = attendance.session_for(
        staff, session_id, perm=Perm.CLIENT_WRITE, organisation_ids=staff.memberships
    )
    if len(payload) > MAX_MARKS:
        raise ValidationFailed(
            "too_many_marks",
            _("At most %(max)d marks at a time.") % {"max": MAX_MARKS},
        )
    enrolments = {
        e.uuid: e
        for e in Enrolment.objects.select_related("client").filter(
            uuid__in=[m.enrolment for m in payload], organisation_id=session.organisation_id
        )
    }
    missing = [str(m.enrolment) for m in payload if m.enrolment not in enrolments]
    if missing:
        raise ValidationFailed(
            "not_in_session",
            _("The client is not enrolled in this session's course."),
            field="enrolment",
            details={"enrolments": missing},
        )
    attendance.attendance_record_grid(
        session=session,
        marks=[(enrolments[m.enrolment], m.status) for m in payload],
        actor=staff.user,
        today=clock.today(session.organisation),
        notes={enrolments[m.enrolment].pk: m.note for m in payload if m.note is not None},
    )
    grid = attendance.attendance_grid(session)
    access_search_results(
        actor=staff.user,
        clients=grid.clients,
        view="attendance_grid",
        channel="api",
        request=request,
    )
    return AttendanceOut(
        session=session.uuid,
        on=session.on,
        session_status=session.status,
        marks=[
            MarkOut(
                enrolment=row.enrolment.uuid,
                client=row.enrolment.client.uuid,
                status=row.status,
                note=row.note,
                no_show_flag=row.enrolment.no_show_flag,
            )
            for row in grid.rows
        ],
    )


# --- gift cards ----------------------------------------------------------------------------


class DueOut(Schema):
    session: UUID
    on: datetime.date


class GiftCardOut(Schema):
    id: UUID
    session: UUID
    session_on: datetime.date
    amount: int
    currency: str
    handed_out_on: datetime.date


class GiftCardsOut(Schema):
    enrolment: UUID
    amount: int | None
    currency: str | None
    due: list[DueOut]
    given: list[GiftCardOut]


class HandOutIn(Schema):
    session: UUID
    on: datetime.date | None = None


def _card_out(card: GiftCard) -> GiftCardOut:
    return GiftCardOut(
        id=card.uuid,
        session=card.session.uuid,
        session_on=card.session.on,
        amount=card.amount,
        currency=card.currency,
        handed_out_on=card.handed_out_on,
    )


def _enrolment(request: HttpRequest, enrolment_id: UUID, perm: Perm, view: str) -> Enrolment:
    staff = _staff(request)
    return enrolment_for(request, staff, enrolment_id, view=view, perm=perm, channel="api")


@router.get("/enrolments/{enrolment_id}/gift-cards", response=GiftCardsOut)
def gift_cards(request: HttpRequest, enrolment_id: UUID) -> GiftCardsOut:
    """CAT-3: the MOVE gift cards of an enrolment: due and not handed out, and given."""
    enrolment = _enrolment(request, enrolment_id, Perm.CLIENT_READ, "gift_cards")
    card = enrolment.offer.parsed.gift_card
    return GiftCardsOut(
        enrolment=enrolment.uuid,
        amount=card.amount if card else None,
        currency=card.currency if card else None,
        due=[DueOut(session=s.uuid, on=s.on) for s in attendance.gift_cards_due(enrolment)],
        given=[_card_out(c) for c in attendance.gift_cards_given(enrolment)],
    )


@router.post("/enrolments/{enrolment_id}/gift-cards", response={201: GiftCardOut})
def gift_card_hand_out(
    request: HttpRequest, enrolment_id: UUID, payload: HandOutIn
) -> Status[GiftCardOut]:
    """CAT-3: record a gift card handed out for a due conversation (409 if already given,
    422 if not due)."""
    enrolment = _enrolment(request, enrolment_id, Perm.CLIENT_WRITE, "gift_card_hand_out")
    session = Session.objects.filter(
        uuid=payload.session, organisation_id=enrolment.organisation_id
    ).first()
    if session is None:
        raise Http404
    card = attendance.gift_card_hand_out(
        enrolment=enrolment,
        session=session,
        actor=_staff(request).user,
        on=payload.on,
        today=clock.today(session.organisation),
    )
    return Status(201, _card_out(card))


# --- tallies -------------------------------------------------------------------------------


class TallyIn(Schema):
    site: UUID
    offer: UUID
    on: datetime.date
    count: int = Field(..., ge=1, le=tallies.MAX_COUNT)
    age_band: AgeBandIn = "unknown"


class TallyOut(Schema):
    id: UUID
    organisation: UUID
    site: UUID
    offer: UUID
    offer_key: str
    on: datetime.date
    count: int
    age_band: str


class TallyRowOut(Schema):
    offer_key: str
    offer_name: str
    by_age_band: dict[str, int]
    total: int


class TallyMonthOut(Schema):
    organisation: UUID
    month: str
    rows: list[TallyRowOut]
    total: int
    entries: list[TallyOut]


def _tally_out(tally: Tally, organisation: Organisation) -> TallyOut:
    return TallyOut(
        id=tally.uuid,
        organisation=organisation.uuid,
        site=tally.site.uuid,
        offer=tally.offer.uuid,
        offer_key=tally.offer.key,
        on=tally.on,
        count=tally.count,
        age_band=tally.age_band,
    )


def _member_organisation(staff: Staff, wanted: UUID | None) -> Organisation:
    organisations = [m.organisation for m in staff.memberships.values()]
    if wanted is None:
        if len(organisations) == 1:
            return organisations[0]
        if not organisations:
            raise PermissionDenied
        raise ValidationFailed(
            "organisation_required",
            _("You belong to several organisations: name the organisation."),
            field="organisation",
        )
    for organisation in organisations:
        if organisation.uuid == wanted:
            return organisation
    raise Http404


@router.get("/tallies", response=TallyMonthOut)
def tally_list(
    request: HttpRequest,
    month: str = "",
    organisation: UUID | None = None,
) -> TallyMonthOut:
    """INT-3, INT-4, HRM-5: a month's anonymous counts by offer and age band, and its
    entries (newest first). ``month`` is YYYY-MM (default this month); ``organisation`` is
    needed when the staff member belongs to several."""
    org = _member_organisation(_staff(request), organisation)
    today = clock.today(org)
    try:
        first = datetime.date.fromisoformat(f"{month}-01") if month else today.replace(day=1)
    except ValueError as exc:
        raise ValidationFailed("bad_month", _("Give the month as YYYY-MM."), field="month") from exc
    summary = tallies.tally_month(org, first)
    bands = [value for value, _label in summary.bands]
    return TallyMonthOut(
        organisation=org.uuid,
        month=f"{summary.first:%Y-%m}",
        rows=[
            TallyRowOut(
                offer_key=row.offer_key,
                offer_name=row.offer_name,
                by_age_band=dict(zip(bands, row.by_band, strict=True)),
                total=row.total,
            )
            for row in summary.rows
        ],
        total=summary.total,
        entries=[_tally_out(t, org) for t in summary.entries],
    )


@router.post("/tallies", response={201: TallyOut})
def tally_create(request: HttpRequest, payload: TallyIn) -> Status[TallyOut]:
    """INT-3, INT-4, HRM-5: record an anonymous count for an offer counted by tally. The
    organisation is the offer's; a site or offer of another organisation is 404."""
    staff = _staff(request)
    offer = Offer.objects.filter(
        uuid=payload.offer, organisation_id__in=list(staff.memberships)
    ).first()
    if offer is None:
        raise Http404
    site = Site.objects.filter(uuid=payload.site, organisation_id=offer.organisation_id).first()
    if site is None:
        raise Http404
    organisation = staff.memberships[offer.organisation_id].organisation
    tally = tallies.tally_record(
        organisation=organisation,
        site=site,
        offer=offer,
        on=payload.on,
        count=payload.count,
        age_band=payload.age_band,
        actor=staff.user,
        today=clock.today(organisation),
    )
    return Status(201, _tally_out(tally, organisation))


# --- my calendar ---------------------------------------------------------------------------


class CalendarEntryOut(Schema):
    session: UUID
    organisation: UUID
    on: datetime.date
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None
    title: str
    site: str
    room: str
    individual: bool
    client_code: str
    cancelled: bool


class CalendarWeekOut(Schema):
    week: str
    starts_on: datetime.date
    entries: list[CalendarEntryOut]


@router.get("/me/calendar", response=CalendarWeekOut)
def my_calendar(request: HttpRequest, week: str = "") -> CalendarWeekOut:
    """SCH-4: the sessions I run in an ISO week (``week=2026-W48``, default this week), in
    all my organisations; an individual session shows the client's code only where I may
    read client records."""
    staff = _staff(request)
    org_ids = list(staff.memberships)
    if not org_ids:
        raise PermissionDenied
    today = clock.today(staff.organisation)
    monday = calendars.week_start(week or None, today=today)
    entries = calendars.staff_calendar(
        user=staff.user,
        organisation_ids=org_ids,
        start=monday,
        end=monday + datetime.timedelta(days=7),
        client_codes_in=[oid for oid in org_ids if staff.can(Perm.CLIENT_READ, oid)],
    )
    orgs = {oid: m.organisation.uuid for oid, m in staff.memberships.items()}
    return CalendarWeekOut(
        week=calendars.week_label(monday),
        starts_on=monday,
        entries=[
            CalendarEntryOut(
                session=e.session.uuid,
                organisation=orgs[e.session.organisation_id],
                on=e.on,
                starts_at=e.starts_at,
                ends_at=e.ends_at,
                title=e.title,
                site=e.site_name,
                room=e.room,
                individual=e.individual,
                client_code=e.client_code,
                cancelled=e.cancelled,
            )
            for e in entries
        ],
    )
