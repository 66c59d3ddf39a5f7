"""Courses and their sessions (SCH-1): a course of an offer is planned with its sessions, and
called off with the reason (its enrolments ended). Keyword-only, typed and atomic."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, cast

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Site, User
from bedring.accounts.selectors import site_calendar
from bedring.core import clock
from bedring.core.errors import Conflict, NotFound, ValidationFailed

from ..models import (
    ClosedDayRule,
    Course,
    Enrolment,
    EnrolmentStatus,
    Offer,
    Session,
    SessionStatus,
)
from ..schedule import generate_sessions
from .common import _is_member, _jurisdiction, _lock_course
from .enrolments import _end
from .offers import _check_current

# --- courses (SCH-1) ------------------------------------------------------------------


@transaction.atomic
def course_create(
    *,
    offer: Offer,
    site: Site,
    actor: User,
    starts_on: datetime.date,
    start_time: datetime.time | None = None,
    room: str = "",
    capacity: int | None = None,
    staff: Sequence[User] = (),
    on_closed_day: str = ClosedDayRule.EXTEND,
    title: str = "",
) -> Course:
    """SCH-1: one run of a group offer, with its sessions planned from the offer's cadence
    and count (``schedule.generate_sessions``) around the jurisdiction's public holidays and
    the site's closed days; ``on_closed_day`` says what happens to a session on one (skip
    and add one at the end, move, or drop). The capacity defaults to the offer's; every
    session is staffed by the course's staff (SCH-4), so a substitute can be set per session.

    Refused: an individual offer (``not_a_group_offer``), a cadence without a schedule,
    per month or open (``no_schedule``), an anonymous tally (``tally_only``)."""
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=offer.pk)
    )
    _check_current(offer)
    organisation = offer.organisation
    if site.organisation_id != organisation.pk or not site.is_active:
        raise NotFound("not_found", _("No such site."), field="site")
    terms = offer.parsed
    if terms.format == "individual":
        raise ValidationFailed(
            "not_a_group_offer",
            _("%(offer)s is an individual offer; courses are for group offers.")
            % {"offer": terms.name},
            field="offer",
        )
    if terms.tally_only:
        raise ValidationFailed(
            "tally_only",
            _("%(offer)s is counted anonymously; nobody is enrolled in it.")
            % {"offer": terms.name},
            field="offer",
        )
    if terms.cadence.kind in ("per_month", "open"):
        raise ValidationFailed(
            "no_schedule",
            _("%(offer)s has no fixed cadence to plan sessions from (per month or open).")
            % {"offer": terms.name},
            field="offer",
        )
    capacity = capacity if capacity is not None else terms.capacity
    if capacity is None or capacity < 1:
        raise ValidationFailed(
            "capacity_required",
            _("Give the number of places: %(offer)s has no capacity of its own.")
            % {"offer": terms.name},
            field="capacity",
        )
    if on_closed_day not in ClosedDayRule.values:
        raise ValidationFailed(
            "invalid_closed_day_rule", _("Unknown rule for closed days."), field="on_closed_day"
        )
    staff = list(dict.fromkeys(staff))
    outsiders = [user for user in staff if not _is_member(user, organisation.pk)]
    if outsiders:
        raise ValidationFailed(
            "staff_not_member",
            _("Not staff here: %(names)s.") % {"names": ", ".join(u.username for u in outsiders)},
            field="staff",
        )
    try:
        planned = generate_sessions(
            terms.cadence,
            terms.count,
            start=starts_on,
            jurisdiction=_jurisdiction(organisation),
            closed_days=site_calendar(site).closed_days,
            on_closed=cast(Any, on_closed_day),
            minutes=terms.session_minutes,
        )
    except ValueError as exc:
        raise ValidationFailed(
            "no_schedule",
            _("No sessions can be planned for %(offer)s: %(reason)s")
            % {"offer": terms.name, "reason": str(exc)},
            field="starts_on",
        ) from exc
    if not planned:
        raise ValidationFailed(
            "no_schedule",
            _("No session of %(offer)s falls on an open day in its weeks.") % {"offer": terms.name},
            field="starts_on",
        )
    course = Course.objects.create(
        offer=offer,
        organisation=organisation,
        site=site,
        title=title.strip()[:200],
        starts_on=starts_on,
        start_time=start_time or terms.cadence.start_time,
        room=room.strip()[:100],
        capacity=capacity,
        on_closed_day=on_closed_day,
    )
    if staff:
        course.staff.set(staff)
    Session.objects.bulk_create(
        Session(
            course=course,
            organisation=organisation,
            index=p.index,
            on=p.on,
            start_time=course.start_time,
            minutes=p.minutes,
            moved_from=p.moved_from,
        )
        for p in planned
    )
    if staff:
        through = Session.staff.through
        session_ids = Session.objects.filter(course=course).values_list("pk", flat=True)
        through.objects.bulk_create(
            through(session_id=session_id, user_id=user.pk)
            for session_id in session_ids
            for user in staff
        )
    return course


@transaction.atomic
def course_cancel(
    *,
    course: Course,
    actor: User,
    reason: str,
    on: datetime.date | None = None,
    at: datetime.datetime | None = None,
) -> Course:
    """SCH-1: a course is called off: its sessions to come are cancelled and everyone still
    enrolled is ended with the reason. Nothing is deleted."""
    course = _lock_course(course)
    if course.cancelled_at is not None:
        raise Conflict("course_cancelled", _("The course is already cancelled."))
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("reason_required", _("Give the reason."), field="reason")
    on = on or clock.today(course.organisation)
    at = at or clock.now()
    course.cancelled_at = at
    course.save(update_fields=["cancelled_at", "updated_at"])
    Session.objects.filter(course=course, status=SessionStatus.PLANNED, on__gte=on).update(
        status=SessionStatus.CANCELLED, updated_at=at
    )
    active = Enrolment.objects.select_for_update(of=("self",)).filter(
        course=course, status=EnrolmentStatus.ACTIVE
    )
    for enrolment in active.select_related("episode"):
        _end(enrolment, actor=actor, status=EnrolmentStatus.ENDED, reason=reason, on=on)
    return course
