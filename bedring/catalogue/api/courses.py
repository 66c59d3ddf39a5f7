"""The catalogue, courses and enrolments in /api/v1/ (CAT-1, CAT-6, CAT-7, DEC-5, MED-8,
SCH-1, SCH-2): the same getters, services, rules and error codes as the pages. Another
organisation's offer, course, enrolment or client is 404, whichever id names it."""

from __future__ import annotations

import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from bedring.accounts.access import Staff, organisation_for_write
from bedring.accounts.models import User
from bedring.clients.access import client_for
from bedring.core import clock
from bedring.core.errors import ValidationFailed
from bedring.core.roles import Perm

from .. import selectors
from ..models import Course, Enrolment, Offer, Session
from ..services import courses, enrolments, offers
from ..terms import OfferTerms

# The operation ids are the ones published before this module moved from
# bedring/catalogue/api.py: API clients may generate code from them, so they stay.
router = Router(tags=["catalogue"])

ClosedDayIn = Literal["extend", "move", "drop"]
MAX_PAGE = 200


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


def _page(offset: int, limit: int) -> None:
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed("invalid_page", _("offset must be 0 or more and limit 1 to 200."))


def _organisation_ids(staff: Staff, organisation: UUID | None) -> list[int]:
    ids = [
        oid
        for oid, m in staff.memberships.items()
        if organisation is None or m.organisation.uuid == organisation
    ]
    if organisation is not None and not ids:
        raise Http404
    return ids


# --- offers (CAT-1) -------------------------------------------------------------------


class OfferOut(Schema):
    id: UUID
    organisation: UUID
    key: str
    version: int
    is_current: bool
    name: str
    intensity: str
    terms: dict[str, Any]


class OfferIn(Schema):
    organisation: UUID | None = Field(
        None, description="Required when the staff member manages several organisations."
    )
    terms: OfferTerms


def offer_out(offer: Offer) -> OfferOut:
    return OfferOut(
        id=offer.uuid,
        organisation=offer.organisation.uuid,
        key=offer.key,
        version=offer.version,
        is_current=offer.is_current,
        name=offer.name,
        intensity=offer.intensity,
        terms=offer.terms,
    )


@router.get("/offers", response=list[OfferOut], operation_id="bedring_catalogue_api_offer_list")
def offer_list(request: HttpRequest, organisation: UUID | None = None) -> list[OfferOut]:
    """CAT-1: the offers in force in my organisations (every staff member reads the
    catalogue)."""
    ids = _organisation_ids(_staff(request), organisation)
    return [offer_out(o) for o in selectors.current_offers(ids)]


@router.get(
    "/offers/{offer_id}", response=OfferOut, operation_id="bedring_catalogue_api_offer_detail"
)
def offer_detail(request: HttpRequest, offer_id: UUID) -> OfferOut:
    """Any version of an offer: enrolments point to the version they were made under."""
    return offer_out(selectors.offer_for(_staff(request), offer_id))


@router.post(
    "/offers",
    response={200: OfferOut, 201: OfferOut},
    operation_id="bedring_catalogue_api_offer_publish",
)
def offer_publish(request: HttpRequest, payload: OfferIn) -> Status[OfferOut]:
    """CAT-1: a manager adds an offer, or a new version of the offer with the key given
    (201); the same terms again change nothing (200). Enrolments keep their version."""
    staff = _staff(request)
    organisation = organisation_for_write(staff, payload.organisation, Perm.ORG_SETTINGS)
    offer, created = offers.offer_publish(
        organisation=organisation, terms=payload.terms, actor=staff.user
    )
    return Status(201 if created else 200, offer_out(offer))


# --- courses (SCH-1) ------------------------------------------------------------------


class SessionOut(Schema):
    id: UUID
    index: int
    on: datetime.date
    start_time: datetime.time | None
    minutes: int | None
    moved_from: datetime.date | None
    status: str


class CourseOut(Schema):
    id: UUID
    organisation: UUID
    offer: UUID
    offer_key: str
    offer_version: int
    offer_name: str
    site: UUID
    title: str
    starts_on: datetime.date
    start_time: datetime.time | None
    room: str
    capacity: int
    enrolled: int
    on_closed_day: str
    cancelled: bool


class EnrolmentOut(Schema):
    id: UUID
    client: UUID
    offer: UUID
    offer_key: str
    offer_version: int
    course: UUID | None
    episode: UUID | None
    starts_on: datetime.date
    status: str
    ended_on: datetime.date | None
    end_reason: str
    no_show_flag: bool


class CourseDetailOut(CourseOut):
    staff: list[str]
    sessions: list[SessionOut]
    enrolments: list[EnrolmentOut]


class CoursePage(Schema):
    count: int
    results: list[CourseOut]


class CourseIn(Schema):
    offer: UUID
    site: UUID
    starts_on: datetime.date
    start_time: datetime.time | None = None
    room: str = Field("", max_length=100)
    capacity: int | None = Field(None, ge=1, le=500, description="Default: the offer's.")
    staff: list[str] = Field(default_factory=list, description="Usernames of the staff.")
    on_closed_day: ClosedDayIn = "extend"
    title: str = Field("", max_length=200)


def session_out(s: Session) -> SessionOut:
    return SessionOut(
        id=s.uuid,
        index=s.index,
        on=s.on,
        start_time=s.start_time,
        minutes=s.minutes,
        moved_from=s.moved_from,
        status=s.status,
    )


def course_out(c: Course, enrolled: int | None = None) -> CourseOut:
    return CourseOut(
        id=c.uuid,
        organisation=c.organisation.uuid,
        offer=c.offer.uuid,
        offer_key=c.offer.key,
        offer_version=c.offer.version,
        offer_name=c.offer.name,
        site=c.site.uuid,
        title=c.title,
        starts_on=c.starts_on,
        start_time=c.start_time,
        room=c.room,
        capacity=c.capacity,
        enrolled=enrolled if enrolled is not None else getattr(c, "active_count", 0),
        on_closed_day=c.on_closed_day,
        cancelled=c.cancelled_at is not None,
    )


def enrolment_out(e: Enrolment) -> EnrolmentOut:
    return EnrolmentOut(
        id=e.uuid,
        client=e.client.uuid,
        offer=e.offer.uuid,
        offer_key=e.offer.key,
        offer_version=e.offer.version,
        course=e.course.uuid if e.course is not None else None,
        episode=e.episode.uuid if e.episode is not None else None,
        starts_on=e.starts_on,
        status=e.status,
        ended_on=e.ended_on,
        end_reason=e.end_reason,
        no_show_flag=e.no_show_flag,
    )


def _course_detail(request: HttpRequest, course: Course) -> CourseDetailOut:
    page = selectors.course_page(course, actor=_staff(request).user, request=request, channel="api")
    return CourseDetailOut(
        **course_out(course, page.active).model_dump(),
        staff=[u.username for u in page.staff],
        sessions=[session_out(s) for s in page.sessions],
        enrolments=[enrolment_out(e) for e in page.enrolments],
    )


@router.get("/courses", response=CoursePage, operation_id="bedring_catalogue_api_course_list")
def course_list(
    request: HttpRequest,
    organisation: UUID | None = None,
    offer: str | None = None,
    include_cancelled: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> CoursePage:
    """SCH-1: the courses of my organisations (dates, site, places; no client data), newest
    first; ``offer`` filters by the offer's key."""
    _page(offset, limit)
    ids = _organisation_ids(_staff(request), organisation)
    courses = selectors.courses_for(ids, offer_key=offer, include_cancelled=include_cancelled)
    return CoursePage(
        count=courses.count(), results=[course_out(c) for c in courses[offset : offset + limit]]
    )


@router.post(
    "/courses", response={201: CourseDetailOut}, operation_id="bedring_catalogue_api_course_create"
)
def course_create(request: HttpRequest, payload: CourseIn) -> Status[CourseDetailOut]:
    """SCH-1: plan a course of a group offer; the answer has its sessions."""
    staff = _staff(request)
    offer = selectors.offer_for(staff, payload.offer, perm=Perm.CLIENT_WRITE)
    site = offer.organisation.sites.filter(uuid=payload.site).first()
    if site is None:
        raise Http404
    users = list(User.objects.filter(username__in=payload.staff))
    missing = sorted(set(payload.staff) - {u.username for u in users})
    if missing:
        raise ValidationFailed(
            "staff_not_member",
            _("Not staff here: %(names)s.") % {"names": ", ".join(missing)},
            field="staff",
        )
    course = courses.course_create(
        offer=offer,
        site=site,
        actor=staff.user,
        starts_on=payload.starts_on,
        start_time=payload.start_time,
        room=payload.room,
        capacity=payload.capacity,
        staff=users,
        on_closed_day=payload.on_closed_day,
        title=payload.title,
    )
    course = selectors.course_for(staff, course.uuid, perm=Perm.CLIENT_WRITE)
    return Status(201, _course_detail(request, course))


@router.get(
    "/courses/{course_id}",
    response=CourseDetailOut,
    operation_id="bedring_catalogue_api_course_detail",
)
def course_detail(request: HttpRequest, course_id: UUID) -> CourseDetailOut:
    """SCH-1: a course with its sessions and participants (their reads are logged)."""
    course = selectors.course_for(_staff(request), course_id, perm=Perm.CLIENT_READ)
    return _course_detail(request, course)


# --- enrolments (CAT-6, CAT-7, DEC-5, MED-8, SCH-1, SCH-2) -------------------------------


class CourseEnrolIn(Schema):
    client: UUID
    starts_on: datetime.date | None = Field(None, description="Default: today, or day one.")
    criteria: list[str] = Field(
        default_factory=list,
        description="Checklist items met: CAT-7 residential criteria, DEC-5 anonymous "
        "treatment criteria (keys as in bedring.catalogue.eligibility).",
    )


class EnrolIn(CourseEnrolIn):
    offer: UUID


class EndIn(Schema):
    completed: bool = False
    reason: str = Field("", max_length=300)
    ended_on: datetime.date | None = None


class BookIn(Schema):
    start: datetime.date | None = None
    until: datetime.date | None = None
    times: int | None = Field(None, ge=1, le=31)
    sessions: int | None = Field(None, ge=1, le=200)
    dates: list[datetime.date] = Field(default_factory=list, max_length=200)
    start_time: datetime.time | None = None


def _enrolment(request: HttpRequest, enrolment_id: UUID, *, view: str) -> Enrolment:
    return selectors.enrolment_for(
        request, _staff(request), enrolment_id, view=view, perm=Perm.CLIENT_WRITE, channel="api"
    )


def _fresh(enrolment: Enrolment) -> EnrolmentOut:
    enrolment = Enrolment.objects.select_related("client", "offer", "course", "episode").get(
        pk=enrolment.pk
    )
    return enrolment_out(enrolment)


@router.post(
    "/courses/{course_id}/enrolments",
    response={201: EnrolmentOut},
    operation_id="bedring_catalogue_api_course_enrol",
)
def course_enrol(
    request: HttpRequest, course_id: UUID, payload: CourseEnrolIn
) -> Status[EnrolmentOut]:
    """SCH-1: enrol a client in a course. 422 with the rule's code when the client may not
    start the offer; 409 ``course_full`` when the last place is gone, ``already_enrolled``."""
    staff = _staff(request)
    course = selectors.course_for(staff, course_id, perm=Perm.CLIENT_WRITE)
    client = client_for(
        request,
        staff,
        payload.client,
        view="api_course_enrol",
        perm=Perm.CLIENT_WRITE,
        channel="api",
    )
    enrolment = enrolments.enrol(
        client=client,
        actor=staff.user,
        course=course,
        starts_on=payload.starts_on,
        criteria=payload.criteria,
        today=clock.today(client.organisation),
    )
    return Status(201, _fresh(enrolment))


@router.post(
    "/enrolments", response={201: EnrolmentOut}, operation_id="bedring_catalogue_api_enrol"
)
def enrol(request: HttpRequest, payload: EnrolIn) -> Status[EnrolmentOut]:
    """SCH-1: enrol a client in an individual offer (a group offer needs its course:
    ``course_required``; use the course's enrolments)."""
    staff = _staff(request)
    client = client_for(
        request, staff, payload.client, view="api_enrol", perm=Perm.CLIENT_WRITE, channel="api"
    )
    offer = selectors.offer_for(staff, payload.offer, perm=Perm.CLIENT_WRITE)
    enrolment = enrolments.enrol(
        client=client,
        actor=staff.user,
        offer=offer,
        starts_on=payload.starts_on,
        criteria=payload.criteria,
        today=clock.today(client.organisation),
    )
    return Status(201, _fresh(enrolment))


@router.post(
    "/enrolments/{enrolment_id}/end",
    response=EnrolmentOut,
    operation_id="bedring_catalogue_api_enrolment_end",
)
def enrolment_end(request: HttpRequest, enrolment_id: UUID, payload: EndIn) -> EnrolmentOut:
    """SCH-2: end an enrolment, completed or early with the reason."""
    staff = _staff(request)
    enrolment = _enrolment(request, enrolment_id, view="api_enrolment_end")
    enrolments.enrolment_end(
        enrolment=enrolment,
        actor=staff.user,
        reason=payload.reason,
        completed=payload.completed,
        on=payload.ended_on,
        today=clock.today(enrolment.organisation),
    )
    return _fresh(enrolment)


@router.post(
    "/enrolments/{enrolment_id}/sessions",
    response={201: list[SessionOut]},
    operation_id="bedring_catalogue_api_enrolment_book",
)
def enrolment_book(
    request: HttpRequest, enrolment_id: UUID, payload: BookIn
) -> Status[list[SessionOut]]:
    """SCH-1, CAT-3: book individual sessions; never beyond the offer's number of sessions
    (422 ``session_cap``)."""
    staff = _staff(request)
    enrolment = _enrolment(request, enrolment_id, view="api_enrolment_book")
    booked = enrolments.book_individual_sessions(
        enrolment=enrolment,
        actor=staff.user,
        start=payload.start,
        until=payload.until,
        times=payload.times,
        sessions=payload.sessions,
        dates=payload.dates,
        start_time=payload.start_time,
        today=clock.today(enrolment.organisation),
    )
    return Status(201, [session_out(s) for s in booked])
