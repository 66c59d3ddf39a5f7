"""Enrolments and individual bookings (CAT-6, CAT-7, DEC-5, MED-8, SCH-1, SCH-2).

Every function is keyword-only, typed and atomic: a refusal raises a ``DomainError`` with a
stable code before anything is written, or rolls back what was. Where two people can act at
once the row that decides is locked first: the course for its places (two staff enrolling
the last place: exactly one succeeds), the client for an individual enrolment, the
enrolment for its bookings.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence
from typing import Any

from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bedring.accounts.models import ClosedDay, User
from bedring.accounts.selectors import site_calendar
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.calendar import Jurisdiction, is_public_holiday
from bedring.core.errors import Conflict, NotFound, ValidationFailed
from bedring.pathway.episode_end import EpisodeEnded
from bedring.pathway.models import Episode
from bedring.pathway.timeline import record_event

from .. import selectors
from ..eligibility import ensure_eligible
from ..models import (
    Course,
    Enrolment,
    EnrolmentStatus,
    Offer,
    Session,
    SessionStatus,
)
from ..schedule import booking_dates, generate_sessions
from ..terms import Count, OfferTerms
from .common import _is_member, _jurisdiction, _lock_course
from .offers import _check_current

# --- enrolments (CAT-6, CAT-7, DEC-5, MED-8, SCH-1) -------------------------------------


def _course_over(course: Course, starts_on: datetime.date) -> bool:
    return not Session.objects.filter(course=course, on__gte=starts_on).exists()


def _record(
    *,
    episode: Episode | None,
    actor: User,
    kind: str,
    summary: str,
    data: dict[str, Any],
) -> None:
    if episode is not None:
        record_event(episode=episode, actor=actor, kind=kind, summary=summary, data=data)


@transaction.atomic
def enrol(
    *,
    client: Client,
    actor: User,
    offer: Offer | None = None,
    course: Course | None = None,
    starts_on: datetime.date | None = None,
    criteria: Collection[str] = (),
    today: datetime.date | None = None,
) -> Enrolment:
    """SCH-1: enrol a client in an offer, and for a group offer in one of its courses.

    The client must meet the offer's rules on the start date (``eligibility``): age limits
    (CAT-6, MED-8), a granted decision in force in the open episode and the intensity
    granted (DEC-1, DEC-3), offers completed first (CAT-7), anonymity (PRV-4, MED-8,
    DEC-5). ``criteria`` are the checklist items staff record as met at enrolment: the
    residential criteria (CAT-7) and the anonymous-treatment criteria (DEC-5). The records
    have no field for them, so they are kept with the enrolment's audit trail: in the
    episode's timeline event and in a change-log entry of the enrolment.

    A course enrolment runs under the offer version the course was planned with. The
    course row is locked while its places are counted: two staff enrolling the last place
    at once, exactly one gets it and the other gets ``course_full``.
    """
    if course is None and offer is None:
        raise ValidationFailed("offer_required", _("Choose the offer."), field="offer")
    if course is not None:
        course = _lock_course(course)
        if offer is not None and (
            offer.key != course.offer.key or offer.organisation_id != course.organisation_id
        ):
            raise ValidationFailed(
                "course_offer_mismatch",
                _("That course is not a course of %(offer)s.") % {"offer": offer.name},
                field="course",
            )
        offer = course.offer
    assert offer is not None  # noqa: S101 - one of the two is given; narrows the type
    if client.organisation_id != offer.organisation_id:
        raise NotFound("not_found", _("No such client."), field="client")
    client = Client.objects.select_for_update(of=("self",)).get(pk=client.pk)
    if client.archived_at is not None:
        raise Conflict("client_archived", _("The client is archived; restore the record first."))
    terms = offer.parsed
    if course is None:
        _check_current(offer)
    if terms.tally_only:
        raise ValidationFailed(
            "tally_only",
            _("%(offer)s is counted anonymously; nobody is enrolled in it.")
            % {"offer": terms.name},
            field="offer",
        )
    if terms.format == "group" and course is None:
        raise ValidationFailed(
            "course_required",
            _("%(offer)s is a group offer: choose the course.") % {"offer": terms.name},
            field="course",
        )
    if terms.format == "individual" and course is not None:
        raise ValidationFailed(
            "not_a_group_offer",
            _("%(offer)s is an individual offer and has no courses.") % {"offer": terms.name},
            field="course",
        )
    organisation = client.organisation
    today = today or clock.today(organisation)
    if course is not None:
        if course.cancelled_at is not None:
            raise Conflict("course_cancelled", _("The course is cancelled."), field="course")
        starts_on = starts_on or max(today, course.starts_on)
        if starts_on < course.starts_on:
            raise ValidationFailed(
                "starts_before_course",
                _("The course starts on %(date)s; the enrolment cannot start before it.")
                % {"date": course.starts_on.isoformat()},
                field="starts_on",
            )
        if _course_over(course, starts_on):
            raise ValidationFailed(
                "course_over",
                _("The course has no sessions left from %(date)s.")
                % {"date": starts_on.isoformat()},
                field="starts_on",
            )
    starts_on = starts_on or today
    unknown = sorted(set(criteria) - selectors.KNOWN_CRITERIA)
    if unknown:
        raise ValidationFailed(
            "invalid_criteria",
            _("Unknown criteria: %(keys)s.") % {"keys": ", ".join(unknown)},
            field="criteria",
        )

    already = Enrolment.objects.filter(client=client, status=EnrolmentStatus.ACTIVE)
    already = (
        already.filter(course=course)
        if course is not None
        else already.filter(course__isnull=True, offer__key=offer.key)
    )
    if already.exists():
        raise Conflict(
            "already_enrolled",
            _("The client is already enrolled in %(offer)s.") % {"offer": terms.name},
            field="client",
        )

    candidate, episode = selectors.eligibility_candidate(client=client, criteria=criteria)
    ensure_eligible(
        terms,
        candidate,
        start=starts_on,
        offer_names=selectors.offer_names(organisation.pk, terms.prerequisites),
    )

    if course is not None:
        taken = Enrolment.objects.filter(course=course, status=EnrolmentStatus.ACTIVE).count()
        if taken >= course.capacity:
            raise Conflict(
                "course_full",
                _("The course of %(offer)s is full: %(taken)d of %(capacity)d places taken.")
                % {"offer": terms.name, "taken": taken, "capacity": course.capacity},
                field="course",
                details={"capacity": course.capacity, "taken": taken},
            )
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                client=client,
                episode=episode,
                offer=offer,
                course=course,
                organisation=organisation,
                starts_on=starts_on,
                enrolled_by=actor,
            )
    except IntegrityError as exc:  # enrolment_once_per_course: the last line of defence
        raise Conflict(
            "already_enrolled",
            _("The client is already enrolled in %(offer)s.") % {"offer": terms.name},
            field="client",
        ) from exc

    recorded = sorted(set(criteria))
    _record(
        episode=episode,
        actor=actor,
        kind="enrolled",
        summary=terms.name,
        data={
            "enrolment": str(enrolment.uuid),
            "offer": offer.key,
            "version": offer.version,
            "course": str(course.uuid) if course is not None else None,
            "starts_on": starts_on.isoformat(),
            "criteria": recorded,
        },
    )
    if recorded:
        # CAT-7, DEC-5: the checklist the decision to enrol rested on, in the change log of
        # the enrolment (and so of the client), also where there is no episode (DEC-5).
        LogEntry.objects.log_create(
            enrolment,
            force_log=True,
            action=LogEntry.Action.UPDATE,
            actor=actor,
            changes={"criteria_met": [None, ", ".join(recorded)]},
            additional_data={"client_id": str(client.pk), "criteria": recorded},
        )
    return enrolment


def _end(
    enrolment: Enrolment, *, actor: User, status: str, reason: str, on: datetime.date
) -> Enrolment:
    enrolment.status = status
    enrolment.ended_on = on
    enrolment.end_reason = reason[:300]
    enrolment.save(update_fields=["status", "ended_on", "end_reason", "updated_at"])
    # Individual sessions after the end will not be held.
    Session.objects.filter(enrolment=enrolment, status=SessionStatus.PLANNED, on__gt=on).update(
        status=SessionStatus.CANCELLED, updated_at=clock.now()
    )
    _record(
        episode=enrolment.episode,
        actor=actor,
        kind="enrolment_ended",
        summary=reason[:300] or str(EnrolmentStatus(status).label),
        data={"enrolment": str(enrolment.uuid), "status": status, "on": on.isoformat()},
    )
    return enrolment


@transaction.atomic
def enrolment_end(
    *,
    enrolment: Enrolment,
    actor: User,
    reason: str = "",
    completed: bool,
    on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Enrolment:
    """SCH-2: an enrolment ends, completed or early (no measurable progress, repeated
    no-shows, the client's wish). An early end needs the reason. A completed enrolment
    counts as a prerequisite done (CAT-7). Individual sessions after the end are cancelled."""
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("organisation", "episode")
        .get(pk=enrolment.pk)
    )
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise Conflict("enrolment_not_active", _("The enrolment has already ended."))
    reason = reason.strip()
    if not completed and not reason:
        raise ValidationFailed(
            "reason_required", _("Give the reason for ending early."), field="reason"
        )
    today = today or clock.today(enrolment.organisation)
    on = on or today
    if on > today:
        raise ValidationFailed(
            "date_in_future", _("The date cannot be in the future."), field="ended_on"
        )
    if on < enrolment.starts_on:
        raise ValidationFailed(
            "end_before_start",
            _("The enrolment started on %(date)s; it cannot end before that.")
            % {"date": enrolment.starts_on.isoformat()},
            field="ended_on",
        )
    status = EnrolmentStatus.COMPLETED if completed else EnrolmentStatus.ENDED
    return _end(enrolment, actor=actor, status=status, reason=reason, on=on)


def enrolments_end_with_episode(ended: EpisodeEnded) -> list[str]:
    """DIS-1, SCH-2: a discharge ends the client's active enrolments of the episode (group
    courses and individual offers) on the discharge day, with the discharge as the reason,
    and cancels their planned individual sessions after it. Registered with the pathway's
    port (``pathway.episode_end``) and run inside the discharge's transaction, so the
    discharge and these ends are one write. Enrolments of no episode (offers that need no
    authorisation) and other clients' enrolments are left alone."""
    enrolments = list(
        Enrolment.objects.select_for_update(of=("self",))
        .filter(episode_id=ended.episode.pk, status=EnrolmentStatus.ACTIVE)
        .select_related("episode")
        .order_by("pk")
    )
    for enrolment in enrolments:
        # An enrolment that was to start after the discharge ends on its first day.
        _end(
            enrolment,
            actor=ended.actor,
            status=EnrolmentStatus.ENDED,
            reason=ended.reason,
            on=max(ended.on, enrolment.starts_on),
        )
    if not enrolments:
        return []
    return [
        ngettext(
            "The client's %(n)d active enrolment ends, with the discharge as the reason; its "
            "planned sessions after the discharge are cancelled.",
            "The client's %(n)d active enrolments end, with the discharge as the reason; "
            "their planned sessions after the discharge are cancelled.",
            len(enrolments),
        )
        % {"n": len(enrolments)}
    ]


# --- individual sessions (SCH-1, CAT-3) --------------------------------------------------


def _closed_days(enrolment: Enrolment) -> frozenset[datetime.date]:
    """The organisation's closed days, and the site's where the episode has one."""
    site = enrolment.episode.site if enrolment.episode is not None else None
    if site is not None:
        return site_calendar(site).closed_days
    return frozenset(
        ClosedDay.objects.filter(
            organisation_id=enrolment.organisation_id, site__isnull=True
        ).values_list("date", flat=True)
    )


def _a_month_from(day: datetime.date) -> datetime.date:
    """The last day of the month that starts on ``day`` (5 March -> 4 April)."""
    return day + relativedelta(months=1) - datetime.timedelta(days=1)


def _planned_dates(
    terms: OfferTerms,
    *,
    jurisdiction: Jurisdiction,
    closed: frozenset[datetime.date],
    start: datetime.date,
    until: datetime.date | None,
    times: int | None,
    sessions: int | None,
    room: int | None,
) -> list[datetime.date]:
    cadence = terms.cadence
    try:
        if cadence.kind == "per_month":
            return booking_dates(
                cadence,
                start=start,
                until=until or _a_month_from(start),
                jurisdiction=jurisdiction,
                closed_days=closed,
                times=times,
            )
        if cadence.kind == "open":
            raise ValidationFailed(
                "dates_required",
                _("%(offer)s has no cadence: give the dates of the sessions.")
                % {"offer": terms.name},
                field="dates",
            )
        wanted = sessions if sessions is not None else room
        if wanted is None or wanted < 1:
            raise ValidationFailed(
                "sessions_required",
                _("Give the number of sessions to book."),
                field="sessions",
            )
        planned = generate_sessions(
            cadence,
            Count(kind="fixed", sessions=wanted),
            start=start,
            jurisdiction=jurisdiction,
            closed_days=closed,
            on_closed="extend",
        )
    except ValueError as exc:
        raise ValidationFailed(
            "invalid_booking",
            _("These sessions cannot be booked: %(reason)s") % {"reason": str(exc)},
            field="times" if cadence.kind == "per_month" else "sessions",
        ) from exc
    return [p.on for p in planned]


@transaction.atomic
def book_individual_sessions(
    *,
    enrolment: Enrolment,
    actor: User,
    start: datetime.date | None = None,
    until: datetime.date | None = None,
    times: int | None = None,
    sessions: int | None = None,
    dates: Sequence[datetime.date] = (),
    start_time: datetime.time | None = None,
    staff: Sequence[User] | None = None,
    today: datetime.date | None = None,
) -> list[Session]:
    """SCH-1, CAT-2, CAT-3: book the sessions of an individual enrolment.

    A ``per_month`` offer books ``times`` a month (default its maximum) from ``start`` to
    ``until`` (default a month on), spread over the working days
    (``schedule.booking_dates``). A weekly offer books ``sessions`` weekly sessions (default
    what is left of its count). An open cadence books the ``dates`` given, which any offer
    may also do. Without ``start`` a booking continues after the last session booked. An
    offer with a number of sessions (``fixed`` or ``up_to`` n, plus ``extra``: Assens'
    motivation "up to 5") is never booked beyond it: ``session_cap``.
    Never on a public holiday or a closed day. The enrolment row is locked, so two
    bookings at once cannot pass the cap together. Sessions are staffed by ``staff``
    (default the person booking)."""
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("organisation", "offer", "episode", "episode__site")
        .get(pk=enrolment.pk)
    )
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise Conflict("enrolment_not_active", _("The enrolment has ended."))
    if enrolment.course_id is not None:
        raise ValidationFailed(
            "course_enrolment",
            _("The sessions of a course enrolment are the course's sessions."),
        )
    terms = enrolment.offer.parsed
    organisation = enrolment.organisation
    jurisdiction = _jurisdiction(organisation)
    closed = _closed_days(enrolment)
    booked = list(
        Session.objects.filter(enrolment=enrolment)
        .exclude(status=SessionStatus.CANCELLED)
        .values_list("on", flat=True)
    )
    count = terms.count
    cap = (count.sessions or 0) + count.extra if count.kind in ("fixed", "up_to") else None
    room = None if cap is None else cap - len(booked)
    # A further booking continues after the last session booked.
    after_last = max(booked) + datetime.timedelta(days=1) if booked else enrolment.starts_on
    start = start or max(enrolment.starts_on, today or clock.today(organisation), after_last)
    if start < enrolment.starts_on:
        raise ValidationFailed(
            "before_enrolment",
            _("The enrolment starts on %(date)s; no session before it.")
            % {"date": enrolment.starts_on.isoformat()},
            field="start",
        )
    if dates:
        wanted = sorted(set(dates))
        early = [d for d in wanted if d < enrolment.starts_on]
        if early:
            raise ValidationFailed(
                "before_enrolment",
                _("The enrolment starts on %(date)s; no session before it.")
                % {"date": enrolment.starts_on.isoformat()},
                field="dates",
            )
        shut = [d for d in wanted if d in closed or is_public_holiday(d, jurisdiction)]
        if shut:
            raise ValidationFailed(
                "closed_day",
                _("Closed on %(dates)s.") % {"dates": ", ".join(d.isoformat() for d in shut)},
                field="dates",
            )
    else:
        if until is not None and until < start:
            raise ValidationFailed(
                "until_before_start", _("The end is before the start."), field="until"
            )
        if room is not None and room <= 0 and sessions is None:
            raise ValidationFailed(
                "session_cap",
                _("%(offer)s is at most %(cap)d sessions, and %(booked)d are booked.")
                % {"offer": terms.name, "cap": cap, "booked": len(booked)},
                field="sessions",
                details={"cap": cap, "booked": len(booked), "asked": 0},
            )
        wanted = _planned_dates(
            terms,
            jurisdiction=jurisdiction,
            closed=closed,
            start=start,
            until=until,
            times=times,
            sessions=sessions,
            room=room,
        )
    if not wanted:
        raise ValidationFailed(
            "nothing_to_book", _("No working day in that period to book."), field="until"
        )
    if cap is not None and len(booked) + len(wanted) > cap:
        raise ValidationFailed(
            "session_cap",
            _(
                "%(offer)s is at most %(cap)d sessions; %(booked)d are booked, so at most "
                "%(left)d more, not %(asked)d."
            )
            % {
                "offer": terms.name,
                "cap": cap,
                "booked": len(booked),
                "left": max(cap - len(booked), 0),
                "asked": len(wanted),
            },
            field="sessions",
            details={"cap": cap, "booked": len(booked), "asked": len(wanted)},
        )
    clash = sorted(set(wanted) & set(booked))
    if clash:
        raise ValidationFailed(
            "already_booked",
            _("Already booked on %(dates)s.") % {"dates": ", ".join(d.isoformat() for d in clash)},
            field="dates" if dates else "start",
        )
    staff = list(dict.fromkeys(staff if staff is not None else [actor]))
    outsiders = [user for user in staff if not _is_member(user, organisation.pk)]
    if outsiders:
        raise ValidationFailed(
            "staff_not_member",
            _("Not staff here: %(names)s.") % {"names": ", ".join(u.username for u in outsiders)},
            field="staff",
        )
    first_index = (
        Session.objects.filter(enrolment=enrolment)
        .order_by("-index")
        .values_list("index", flat=True)
        .first()
        or 0
    )
    created = [
        Session.objects.create(
            enrolment=enrolment,
            organisation=organisation,
            index=first_index + number,
            on=day,
            start_time=start_time or terms.cadence.start_time,
            minutes=terms.session_minutes,
        )
        for number, day in enumerate(wanted, start=1)
    ]
    if staff:
        through = Session.staff.through
        through.objects.bulk_create(
            through(session_id=session.pk, user_id=user.pk) for session in created for user in staff
        )
    _record(
        episode=enrolment.episode,
        actor=actor,
        kind="sessions_booked",
        summary=f"{terms.name}: {len(created)}",
        data={
            "enrolment": str(enrolment.uuid),
            "dates": [d.isoformat() for d in wanted],
        },
    )
    return created
