"""Reads of the catalogue, courses and enrolments, and the permission-checked getters that
views and API handlers use to reach them (there is no ``objects.get`` in a view).

An object of an organisation the staff member does not belong to is 404 (its existence is
not revealed); a member without the permission gets 403. Reads that show a client (an
enrolment, the participants of a course) are written to the access log (PRV-1).
"""

from __future__ import annotations

import uuid as uuid_lib
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest

from bedring.accounts.access import Staff
from bedring.accounts.models import Organisation, User
from bedring.audit.services import access_record, access_search_results
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.roles import Perm
from bedring.pathway.models import Decision, Episode
from bedring.pathway.models.decision import Outcome
from bedring.pathway.offers import OfferRef
from bedring.pathway.selectors import open_episode

from .eligibility import ANONYMOUS_TREATMENT_RECORDED, RESIDENTIAL_CRITERIA, Candidate
from .models import (
    Attendance,
    Course,
    Enrolment,
    EnrolmentGoal,
    EnrolmentStatus,
    Offer,
    Session,
    SessionStatus,
)

NO_AUTHORISATION = "no_authorisation"

# --- permission-checked getters ---------------------------------------------------------


def _check(staff: Staff, perm: Perm | None, organisation_id: int) -> None:
    if perm is not None and not staff.can(perm, organisation_id):
        raise PermissionDenied


def offer_for(staff: Staff, offer_uuid: uuid_lib.UUID | str, *, perm: Perm | None = None) -> Offer:
    """Any version of an offer of one of the staff member's organisations."""
    try:
        offer = Offer.objects.select_related("organisation").get(
            uuid=offer_uuid, organisation_id__in=list(staff.memberships)
        )
    except (Offer.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc
    _check(staff, perm, offer.organisation_id)
    return offer


def course_for(
    staff: Staff, course_uuid: uuid_lib.UUID | str, *, perm: Perm | None = Perm.CLIENT_READ
) -> Course:
    try:
        course = Course.objects.select_related("offer", "organisation", "site").get(
            uuid=course_uuid, organisation_id__in=list(staff.memberships)
        )
    except (Course.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc
    _check(staff, perm, course.organisation_id)
    return course


def enrolment_for(
    request: HttpRequest,
    staff: Staff,
    enrolment_uuid: uuid_lib.UUID | str,
    *,
    view: str,
    perm: Perm = Perm.CLIENT_READ,
    channel: str = "html",
) -> Enrolment:
    """An enrolment belongs to a client: the same rules as ``clients.access.client_for``,
    and the read is logged on the client."""
    try:
        enrolment = Enrolment.objects.select_related(
            "client", "client__organisation", "offer", "course", "episode", "organisation"
        ).get(uuid=enrolment_uuid, organisation_id__in=list(staff.memberships))
    except (Enrolment.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc
    _check(staff, perm, enrolment.organisation_id)
    access_record(
        actor=staff.user, client=enrolment.client, view=view, channel=channel, request=request
    )
    return enrolment


def enrolment_goal_for(
    request: HttpRequest,
    staff: Staff,
    goal_uuid: uuid_lib.UUID | str,
    *,
    view: str,
    perm: Perm = Perm.CLIENT_READ,
    channel: str = "html",
) -> EnrolmentGoal:
    """A goal of an enrolment (Lykken's individual goals), by the enrolment's rules."""
    try:
        goal = EnrolmentGoal.objects.select_related(
            "enrolment__client__organisation",
            "enrolment__offer",
            "enrolment__course",
            "enrolment__episode",
            "enrolment__organisation",
        ).get(uuid=goal_uuid, enrolment__organisation_id__in=list(staff.memberships))
    except (EnrolmentGoal.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc
    _check(staff, perm, goal.enrolment.organisation_id)
    access_record(
        actor=staff.user,
        client=goal.enrolment.client,
        view=view,
        channel=channel,
        request=request,
    )
    return goal


def enrolment_goals(enrolment: Enrolment) -> list[EnrolmentGoal]:
    """The enrolment's individual goals, in the order they were agreed. One query."""
    return list(EnrolmentGoal.objects.filter(enrolment=enrolment).order_by("agreed_on", "id"))


# --- the catalogue --------------------------------------------------------------------


def current_offers(organisation_ids: Iterable[int]) -> QuerySet[Offer]:
    """CAT-1: the offers in force, in catalogue order."""
    return (
        Offer.objects.filter(organisation_id__in=list(organisation_ids), is_current=True)
        .select_related("organisation")
        .order_by("organisation__name", "intensity", "name")
    )


def enrollable_offers(organisation: Organisation) -> list[Offer]:
    """Current offers a client can be enrolled in: not the anonymous tallies (INT-3)."""
    return [
        offer
        for offer in Offer.objects.filter(organisation=organisation, is_current=True).order_by(
            "name"
        )
        if not offer.parsed.tally_only
    ]


def offer_names(organisation_id: int, keys: Collection[str]) -> dict[str, str]:
    """Names of the current offers with these keys, for messages ("needs “Før-forløb”")."""
    if not keys:
        return {}
    return dict(
        Offer.objects.filter(
            organisation_id=organisation_id, key__in=list(keys), is_current=True
        ).values_list("key", "name")
    )


def with_active_count(courses: QuerySet[Course]) -> QuerySet[Course]:
    return courses.annotate(
        active_count=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ACTIVE))
    )


def courses_of_offer(offer: Offer) -> list[Course]:
    """The courses of every version of the offer, newest first: a course keeps the version
    it was planned under (CAT-1), so an edit does not hide the courses running."""
    return list(
        with_active_count(
            Course.objects.filter(organisation_id=offer.organisation_id, offer__key=offer.key)
        ).select_related("site", "offer")
    )


def courses_for(
    organisation_ids: Iterable[int],
    *,
    offer_key: str | None = None,
    include_cancelled: bool = False,
) -> QuerySet[Course]:
    courses = Course.objects.filter(organisation_id__in=list(organisation_ids))
    if offer_key:
        courses = courses.filter(offer__key=offer_key)
    if not include_cancelled:
        courses = courses.filter(cancelled_at__isnull=True)
    return with_active_count(courses).select_related("offer", "site", "organisation")


def open_courses(organisation: Organisation, *, offer: Offer | None = None) -> list[Course]:
    """Courses one can still be enrolled in: not cancelled, a session still to come; with
    ``offer``, only the courses of that offer (of any of its versions: a course keeps the
    version it was planned under)."""
    today = clock.today(organisation)
    courses = Course.objects.filter(
        organisation=organisation, cancelled_at__isnull=True, sessions__on__gte=today
    )
    if offer is not None:
        courses = courses.filter(offer__key=offer.key)
    return list(
        courses.distinct().select_related("offer", "site").order_by("offer__name", "starts_on")
    )


def next_session(session: Session) -> Session | None:
    """The session after ``session`` in its course (or in the individual sessions of its
    enrolment), not cancelled: the attendance page's way on to the next one (SCH-1)."""
    if session.course_id is not None:
        siblings = Session.objects.filter(course_id=session.course_id)
    else:
        # A session of no course is an individual one (the session_of_course_or_enrolment
        # constraint).
        assert session.enrolment_id is not None  # noqa: S101 - narrows the type
        siblings = Session.objects.filter(enrolment_id=session.enrolment_id)
    return (
        siblings.exclude(status=SessionStatus.CANCELLED)
        .filter(Q(on__gt=session.on) | Q(on=session.on, index__gt=session.index))
        .order_by("on", "index", "pk")
        .first()
    )


def staff_of(organisation: Organisation) -> QuerySet[User]:
    """SCH-4: the people who can run a course: active members of the organisation."""
    return (
        User.objects.filter(
            memberships__organisation=organisation, memberships__is_active=True, is_active=True
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# --- pages ----------------------------------------------------------------------------


@dataclass
class CoursePage:
    course: Course
    sessions: list[Session]
    enrolments: list[Enrolment]
    staff: list[User]
    active: int

    @property
    def places_left(self) -> int:
        return max(self.course.capacity - self.active, 0)


def course_page(
    course: Course,
    *,
    actor: User | None = None,
    request: HttpRequest | None = None,
    channel: str = "html",
) -> CoursePage:
    """A course with its sessions, participants and staff in a fixed number of queries,
    however many sessions and participants it has. The participants shown are logged as
    seen (PRV-1), in one INSERT."""
    sessions = list(Session.objects.filter(course=course).order_by("on", "start_time", "index"))
    enrolments = list(
        Enrolment.objects.filter(course=course)
        .select_related("client", "client__organisation", "offer", "episode")
        .order_by("status", "client__last_name", "client__first_name", "id")
    )
    staff = list(course.staff.order_by("last_name", "first_name"))
    if actor is not None:
        access_search_results(
            actor=actor,
            clients=[e.client for e in enrolments],
            view="course_detail",
            channel=channel,
            request=request,
        )
    for enrolment in enrolments:
        enrolment.course = course  # the page's own course: no query per participant
    active = sum(1 for e in enrolments if e.status == EnrolmentStatus.ACTIVE)
    return CoursePage(
        course=course, sessions=sessions, enrolments=enrolments, staff=staff, active=active
    )


def client_enrolments(client: Client) -> list[Enrolment]:
    """The client's enrolments for the client page, active first: two queries."""
    return list(
        Enrolment.objects.filter(client=client)
        .select_related("offer", "course", "course__site")
        .prefetch_related(
            Prefetch(
                "individual_sessions",
                queryset=Session.objects.order_by("on", "start_time"),
            )
        )
        .order_by("status", "-starts_on", "-id")
    )


def enrolment_sessions(enrolment: Enrolment) -> list[Session]:
    """The sessions an enrolment meets in: its course's, or its own individual ones. Each
    carries ``attendance_record``: the enrolment's attendance there (status and short
    note), or None. Two queries."""
    if enrolment.course_id is not None:
        sessions = list(
            Session.objects.filter(course_id=enrolment.course_id).order_by("on", "index")
        )
    else:
        sessions = list(enrolment.individual_sessions.order_by("on", "start_time", "index"))
    records = {a.session_id: a for a in Attendance.objects.filter(enrolment=enrolment)}
    for session in sessions:
        session.attendance_record = records.get(session.pk)  # type: ignore[attr-defined]
    return sessions


# --- eligibility ----------------------------------------------------------------------


KNOWN_CRITERIA = frozenset(RESIDENTIAL_CRITERIA) | frozenset(ANONYMOUS_TREATMENT_RECORDED)


def eligibility_candidate(
    *, client: Client, criteria: Collection[str] = ()
) -> tuple[Candidate, Episode | None]:
    """What the eligibility rules need to know about the client, from the records: the birth
    date, whether the client is known without an identity (anonymous, or no national
    identifier), the granted decisions in force of the open episode (DEC-1, DEC-3), the
    offers completed (CAT-7), and the checklist ``criteria`` recorded at enrolment (CAT-7
    residential, DEC-5 anonymous treatment). Three queries."""
    episode = open_episode(client)
    granted: list[str] = []
    if episode is not None:
        granted = list(
            Decision.objects.filter(
                episode=episode, outcome=Outcome.GRANTED, superseded_by__isnull=True
            ).values_list("intensity", flat=True)
        )
    completed = Enrolment.objects.filter(
        client=client, status=EnrolmentStatus.COMPLETED
    ).values_list("offer__key", flat=True)
    chosen = frozenset(criteria)
    candidate = Candidate(
        birth_date=client.birth_date,
        anonymous=client.anonymous or not client.national_id,
        has_granted_episode=bool(granted),
        granted_intensities=frozenset(granted),
        completed_offers=frozenset(completed),
        residential_criteria=chosen & frozenset(RESIDENTIAL_CRITERIA),
        anonymous_treatment_criteria=chosen & frozenset(ANONYMOUS_TREATMENT_RECORDED),
    )
    return candidate, episode


def decidable_offer_refs(
    organisation_id: int | None, offer_uuid: uuid_lib.UUID | None
) -> list[OfferRef]:
    """The pathway's offer source (bedring.pathway.offers): an organisation's current offers
    a decision may name (treatment offers, not the anonymous tallies nor the services without
    authorisation), or the offer with one version id, any organisation."""
    if offer_uuid is not None:
        found = Offer.objects.filter(uuid=offer_uuid)
    elif organisation_id is None:
        return []
    else:
        found = Offer.objects.filter(organisation_id=organisation_id, is_current=True).exclude(
            intensity=NO_AUTHORISATION
        )
    refs = []
    for offer in found.order_by("name", "id"):
        if offer_uuid is None and offer.parsed.tally_only:
            continue
        refs.append(
            OfferRef(
                organisation_id=offer.organisation_id,
                key=offer.key,
                uuid=offer.uuid,
                name=offer.name,
                intensity=offer.intensity,
            )
        )
    return refs
