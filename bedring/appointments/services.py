"""Appointment writes (APT-1, APT-2): keyword-only, typed, one transaction each; a refusal is
a ``DomainError`` with a stable code and nothing is written. django-auditlog keeps the old
and new values; the client's open episode gets a timeline event.

Rules decided here where the sources are silent:

* **Times.** A start more than :data:`~bedring.appointments.rules.PAST_GRACE` before the
  moment of booking is in the past (``appointment_in_past``); more than
  :data:`~bedring.appointments.rules.MAX_AHEAD` ahead is a typing error
  (``appointment_too_far``). The length is 5 minutes to 8 hours (``end_before_start``,
  ``length_too_short``, ``length_too_long``).
* **Who and where.** The appointment belongs to the site's organisation: the client is one
  of its clients (``client_other_organisation``), not archived (``client_archived``); the
  staff member an active member (``staff_other_organisation``) with a clinical role
  (``staff_not_clinical``); a doctor, psychologist or nurse appointment needs that
  profession (``staff_role_for_kind``). The site is active (``site_inactive``), the room one
  of the site's and in use (``room_not_at_site``); a move stays in the organisation
  (``site_other_organisation``).
* **Double booking.** A staff member, a room and a client each have at most one appointment
  at a time: an appointment that is not cancelled occupies ``[starts_at, ends_at)``
  (touching is allowed). Before the check the client's, the staff member's and the room's
  rows are locked (``select_for_update``, in that order), so two bookings of one slot at the
  same moment queue up on PostgreSQL and the second is refused; SQLite serialises writers
  (``BEGIN IMMEDIATE``, settings.py). A cancelled appointment frees its slot.
* **Opening hours.** An appointment outside the site's opening hours (or on a day it is
  closed) is refused with ``outside_opening_hours`` unless ``confirm_outside_hours`` is
  given; a confirmed one is marked ``outside_hours``. Home visits and phone calls are held
  from the site and checked against its hours too.
* **Moving** changes the time, staff member, site or room of a booked appointment, with the
  same checks (the appointment itself is not a clash). **Cancelling** needs who cancelled
  (the client or the service), whether with notice, and a reason; it is refused after the
  appointment's end (record the outcome instead). **Attended / no-show** is recorded from
  the start on and may be corrected between the two.
* **Offer deadlines (APT-2).** A request of a kind the pack promises (``appointment_offer``)
  is to be offered by ``offer_due_on`` (request day + days). With an open episode an
  APPOINTMENT_OFFER deadline opens on it (subject: the request); without one the request is
  still recorded and shows its date, but is not on the worklist (a deadline needs an
  episode). Booking an appointment for the request closes the deadline: met when the
  appointment takes place by the due day, met late otherwise. A move re-judges it. A
  cancellation by the service reopens the request and its deadline (the promise is owed
  again); one by the client does not (the offer was made).
* **Reminders (APT-3).** Booking and moving ask ``bedring.messaging`` to queue (or
  replace) the appointment's reminder (reference ``appointment:<uuid>``, the site's street
  address as the place; none for a home visit or a phone call); messaging decides whether
  (the client's consent and channel, the organisation's rules) and when. Cancelling cancels
  what is queued about it.
* **No-shows (SCH-2 for appointments).** The client is flagged when their latest
  ``no_show_flag_after`` appointments with an outcome (rule pack, default 3) were all
  no-shows; cancellations neither count nor break the run. An outreach client of an
  organisation whose pack sets ``outreach_no_show_flag_after`` is flagged after that many
  instead, or never (``bedring.clients.no_show``, seed 001 "fleksible rammer"). Raising and
  clearing the flag are written on the open episode's timeline (``appointment_no_show_flag`` /
  ``appointment_no_show_cleared``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Membership, Organisation, Site, User
from bedring.accounts.selectors import rules_for, site_calendar
from bedring.clients.models import Client
from bedring.clients.no_show import no_show_threshold
from bedring.core import clock
from bedring.core.errors import Conflict, ValidationFailed
from bedring.core.hours import format_intervals
from bedring.core.text import storable
from bedring.messaging import services as messaging
from bedring.pathway.models import Deadline
from bedring.pathway.models.episode import DeadlineKind, DeadlineStatus
from bedring.pathway.selectors import open_episode
from bedring.pathway.timeline import deadline_open, deadlines_close, record_event

from . import rules
from .models import (
    Appointment,
    AppointmentKind,
    AppointmentRequest,
    AppointmentStatus,
    CancelledBy,
    RequestStatus,
    Room,
)
from .selectors import repeated_no_shows

NOTE_MAX = 500
REASON_MAX = 300


# --- checks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    on: datetime.date  # the local day of the start


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at if at is not None else clock.now()


def _check_kind(kind: str) -> None:
    if kind not in AppointmentKind.values:
        raise ValidationFailed("invalid_kind", _("Choose one of the listed kinds."), field="kind")


def _slot(
    organisation: Organisation,
    starts_at: datetime.datetime,
    minutes: int,
    at: datetime.datetime,
) -> Slot:
    if starts_at.tzinfo is None:
        raise ValidationFailed(
            "time_without_zone", _("Give the start with its time zone."), field="starts_at"
        )
    if minutes <= 0:
        raise ValidationFailed(
            "end_before_start", _("The end must be after the start."), field="minutes"
        )
    if minutes < rules.MIN_MINUTES:
        raise ValidationFailed(
            "length_too_short",
            _("An appointment lasts at least %(min)d minutes.") % {"min": rules.MIN_MINUTES},
            field="minutes",
        )
    if minutes > rules.MAX_MINUTES:
        raise ValidationFailed(
            "length_too_long",
            _("An appointment lasts at most %(hours)d hours.") % {"hours": rules.MAX_MINUTES // 60},
            field="minutes",
        )
    if starts_at < at - rules.PAST_GRACE:
        raise ValidationFailed(
            "appointment_in_past",
            _("The appointment cannot start in the past."),
            field="starts_at",
        )
    if starts_at > at + rules.MAX_AHEAD:
        raise ValidationFailed(
            "appointment_too_far",
            _("Appointments are booked at most two years ahead."),
            field="starts_at",
        )
    ends_at = starts_at + datetime.timedelta(minutes=minutes)
    return Slot(starts_at, ends_at, starts_at.astimezone(clock.zone(organisation)).date())


def _check_client(client: Client, organisation: Organisation) -> None:
    if client.organisation_id != organisation.pk:
        raise ValidationFailed(
            "client_other_organisation",
            _("The client belongs to another organisation."),
            field="client",
        )
    if client.archived_at is not None:
        raise Conflict("client_archived", _("The client's record is archived."), field="client")


def _check_place(organisation: Organisation, site: Site, room: Room | None) -> None:
    if site.organisation_id != organisation.pk:
        raise ValidationFailed(
            "site_other_organisation",
            _("Choose one of the organisation's sites."),
            field="site",
        )
    if not site.is_active:
        raise ValidationFailed("site_inactive", _("The site is no longer in use."), field="site")
    if room is not None and (room.site_id != site.pk or not room.is_active):
        raise ValidationFailed(
            "room_not_at_site", _("Choose a room of the chosen site."), field="room"
        )


def _check_staff(staff: User, organisation: Organisation, kind: str) -> None:
    membership = Membership.objects.filter(
        user=staff, organisation=organisation, is_active=True, user__is_active=True
    ).first()
    if membership is None:
        raise ValidationFailed(
            "staff_other_organisation",
            _("%(name)s does not work in this organisation.")
            % {"name": staff.get_full_name() or staff.username},
            field="staff",
        )
    if not rules.is_clinical(membership.roles):
        raise ValidationFailed(
            "staff_not_clinical",
            _("%(name)s has no clinical role and cannot hold appointments.")
            % {"name": staff.get_full_name() or staff.username},
            field="staff",
        )
    if not rules.may_hold(kind, membership.roles):
        raise ValidationFailed(
            "staff_role_for_kind",
            _("A %(kind)s appointment is held by a staff member of that profession.")
            % {"kind": AppointmentKind(kind).label.lower()},
            field="staff",
        )


def _note(note: str, maximum: int = NOTE_MAX, field: str = "note") -> str:
    note = storable(note, field)
    if len(note) > maximum:
        raise ValidationFailed(
            "note_too_long",
            _("The text can be at most %(max)d characters.") % {"max": maximum},
            field=field,
        )
    return note


def _lock(client: Client, staff: User, room: Room | None) -> None:
    """Two bookings of one client, staff member or room queue up here (PostgreSQL); always
    in the order client, staff member, room, so that they never deadlock."""
    Client.objects.select_for_update().filter(pk=client.pk).first()
    User.objects.select_for_update().filter(pk=staff.pk).first()
    if room is not None:
        Room.objects.select_for_update().filter(pk=room.pk).first()


def _local(moment: datetime.datetime, organisation: Organisation) -> str:
    return f"{moment.astimezone(clock.zone(organisation)):%H:%M}"


def _clash_error(
    code: str,
    message: Promise,
    field: str,
    clash: Appointment,
    organisation: Organisation,
    **names: str,
) -> Conflict:
    zone = clock.zone(organisation)
    return Conflict(
        code,
        message
        % {
            "start": _local(clash.starts_at, organisation),
            "end": _local(clash.ends_at, organisation),
            **names,
        },
        field=field,
        details={
            "starts_at": clash.starts_at.astimezone(zone).isoformat(),
            "ends_at": clash.ends_at.astimezone(zone).isoformat(),
        },
    )


def _check_clashes(
    slot: Slot,
    *,
    organisation: Organisation,
    client: Client,
    staff: User,
    room: Room | None,
    exclude: int | None = None,
) -> None:
    """Refuse a slot that overlaps another appointment (not cancelled) of the staff member,
    the room or the client. The details give the other appointment's times only: it may be
    in another organisation of the staff member."""
    overlapping = Appointment.objects.exclude(status=AppointmentStatus.CANCELLED).filter(
        starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at
    )
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude)
    clash = overlapping.filter(staff=staff).order_by("starts_at").first()
    if clash is not None:
        name = staff.get_full_name() or staff.username
        raise _clash_error(
            "staff_double_booked",
            _("%(name)s already has an appointment from %(start)s to %(end)s."),
            "starts_at",
            clash,
            organisation,
            name=name,
        )
    if room is not None:
        clash = overlapping.filter(room=room).order_by("starts_at").first()
        if clash is not None:
            raise _clash_error(
                "room_double_booked",
                _("%(room)s is booked from %(start)s to %(end)s."),
                "room",
                clash,
                organisation,
                room=room.name,
            )
    clash = overlapping.filter(client=client).order_by("starts_at").first()
    if clash is not None:
        raise _clash_error(
            "client_double_booked",
            _("The client already has an appointment from %(start)s to %(end)s."),
            "starts_at",
            clash,
            organisation,
        )


def _check_hours(site: Site, slot: Slot, *, confirmed: bool) -> bool:
    """Whether the slot lies (partly) outside the site's opening hours or on a closed day; a
    warning the caller must confirm (``outside_opening_hours`` until then)."""
    calendar = site_calendar(site)
    outside = not rules.within_opening_hours(
        calendar.hours.get("opening", {}),
        calendar.local(slot.starts_at),
        calendar.local(slot.ends_at),
        calendar.is_closed_day,
    )
    if outside and not confirmed:
        day = calendar.local(slot.starts_at).date()
        hours = (
            ""
            if calendar.is_closed_day(day)
            else format_intervals(calendar.hours.get("opening", {}).get(day.weekday(), ()))
        )
        raise Conflict(
            "outside_opening_hours",
            _(
                "The appointment is outside the opening hours of %(site)s (that day: "
                "%(hours)s). Confirm to book it anyway."
            )
            % {"site": site.name, "hours": hours or _("closed")},
            field="confirm_outside_hours",
            details={"opening_hours": hours},
        )
    return outside


def _when(appointment: Appointment) -> str:
    local = appointment.starts_at.astimezone(clock.zone(appointment.organisation))
    return f"{local:%Y-%m-%d %H:%M}"


def _event(appointment: Appointment, actor: User, kind: str, **data: object) -> None:
    """The timeline of the client's open episode, if there is one; the summary says when,
    never why (no health information)."""
    episode = open_episode(appointment.client)
    if episode is None:
        return
    record_event(
        episode=episode,
        actor=actor,
        kind=kind,
        summary=_when(appointment),
        data={"appointment": str(appointment.uuid), "kind": appointment.kind, **data},
    )


# --- reminders (APT-3, bedring.messaging) --------------------------------------------------


def reminder_reference(appointment: Appointment) -> str:
    """What the outbox calls the appointment's reminder (one queued per reference)."""
    return f"appointment:{appointment.uuid}"


def reminder_place(appointment: Appointment) -> str:
    """The street address the reminder names: the site's; none for a home visit (the
    client's own home) or a phone call. Never a service or site name (messaging leaves out
    a place that would name one when the client chose the neutral name)."""
    if appointment.kind in (AppointmentKind.HOME_VISIT, AppointmentKind.PHONE):
        return ""
    return appointment.site.address


def _schedule_reminder(appointment: Appointment, at: datetime.datetime) -> None:
    """Queue (or replace) the reminder, if the client agreed to reminders and the
    organisation sends them; messaging decides when and on which channel."""
    messaging.schedule_appointment_reminder(
        client=appointment.client,
        organisation=appointment.organisation,
        starts_at=appointment.starts_at,
        place=reminder_place(appointment),
        reference=reminder_reference(appointment),
        at=at,
    )


# --- offer deadlines (APT-2) ---------------------------------------------------------------


def _offer_status(request: AppointmentRequest, on: datetime.date) -> str:
    due = request.offer_due_on
    return DeadlineStatus.MET if due is None or on <= due else DeadlineStatus.MISSED


def _close_offer(
    request: AppointmentRequest, appointment: Appointment, at: datetime.datetime
) -> None:
    if request.episode_id is None:
        return
    deadlines_close(
        episode=request.episode,  # type: ignore[arg-type]
        kinds=[DeadlineKind.APPOINTMENT_OFFER],
        on=at.astimezone(clock.zone(request.organisation)).date(),
        subject_id=request.pk,
        status=_offer_status(request, appointment.on),
        note=f"appointment {appointment.uuid}",
    )


def _offer_deadlines(request: AppointmentRequest) -> object:
    return Deadline.objects.select_for_update().filter(
        kind=DeadlineKind.APPOINTMENT_OFFER, subject_id=request.pk, client_id=request.client_id
    )


# --- booking -------------------------------------------------------------------------------


@transaction.atomic
def appointment_book(
    *,
    client: Client,
    actor: User,
    staff: User,
    site: Site,
    kind: str,
    starts_at: datetime.datetime,
    minutes: int,
    room: Room | None = None,
    note: str = "",
    request: AppointmentRequest | None = None,
    confirm_outside_hours: bool = False,
    at: datetime.datetime | None = None,
) -> Appointment:
    """APT-1: book an individual appointment (see the module docstring for the rules); for a
    request (APT-2) it closes the request's offer deadline."""
    at = _now(at)
    # The organisation is the site's: the client and the staff member must belong to it.
    organisation = site.organisation
    _check_kind(kind)
    _check_client(client, organisation)
    _check_place(organisation, site, room)
    _check_staff(staff, organisation, kind)
    slot = _slot(organisation, starts_at, minutes, at)
    note = _note(note)
    if request is not None:
        request = _check_request(request, client, kind)
    _lock(client, staff, room)
    _check_clashes(slot, organisation=organisation, client=client, staff=staff, room=room)
    outside = _check_hours(site, slot, confirmed=confirm_outside_hours)
    episode = open_episode(client)
    appointment = Appointment.objects.create(
        client=client,
        organisation=organisation,
        site=site,
        room=room,
        staff=staff,
        kind=kind,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        on=slot.on,
        outside_hours=outside,
        request=request,
        episode=episode,
        note=note,
        booked_by=actor,
    )
    if request is not None:
        request.status = RequestStatus.BOOKED
        request.save(update_fields=["status", "updated_at"])
        _close_offer(request, appointment, at)
    _event(appointment, actor, "appointment_booked", staff=staff.username)
    _schedule_reminder(appointment, at)
    return appointment


def _check_request(request: AppointmentRequest, client: Client, kind: str) -> AppointmentRequest:
    locked = (
        AppointmentRequest.objects.select_for_update(of=("self",))
        .select_related("organisation", "episode")
        .get(pk=request.pk)
    )
    if locked.client_id != client.pk:
        raise ValidationFailed(
            "request_other_client",
            _("The request is another client's."),
            field="request",
        )
    if locked.status != RequestStatus.OPEN:
        raise Conflict(
            "request_not_open",
            _("The request already has an appointment or was withdrawn."),
            field="request",
        )
    if locked.kind != kind:
        raise ValidationFailed(
            "request_kind_mismatch",
            _("The request is for a %(kind)s appointment.")
            % {"kind": AppointmentKind(locked.kind).label.lower()},
            field="kind",
        )
    return locked


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("client__organisation", "organisation", "site", "room", "staff")
        .get(pk=appointment.pk)
    )


def _check_booked(appointment: Appointment) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict(
            "appointment_not_booked",
            _("The appointment is %(status)s and can no longer be changed.")
            % {"status": appointment.get_status_display().lower()},
            field="status",
        )


@transaction.atomic
def appointment_move(
    *,
    appointment: Appointment,
    actor: User,
    starts_at: datetime.datetime,
    minutes: int,
    staff: User | None = None,
    site: Site | None = None,
    room: Room | None = None,
    keep_room: bool = False,
    confirm_outside_hours: bool = False,
    at: datetime.datetime | None = None,
) -> Appointment:
    """APT-1: move a booked appointment to another time, staff member, site or room (None
    keeps the staff member and the site; the room is the one given, or kept with
    ``keep_room``). The same checks as a booking; the appointment does not clash with
    itself."""
    at = _now(at)
    locked = _locked(appointment)
    _check_booked(locked)
    organisation = locked.organisation
    staff = staff or locked.staff
    site = site or locked.site
    if keep_room:
        room = locked.room
    _check_client(locked.client, organisation)
    _check_place(organisation, site, room)
    _check_staff(staff, organisation, locked.kind)
    slot = _slot(organisation, starts_at, minutes, at)
    before = (locked.starts_at, locked.ends_at, locked.staff_id, locked.site_id, locked.room_id)
    after = (slot.starts_at, slot.ends_at, staff.pk, site.pk, room.pk if room else None)
    if before == after:
        return locked
    _lock(locked.client, staff, room)
    _check_clashes(
        slot,
        organisation=organisation,
        client=locked.client,
        staff=staff,
        room=room,
        exclude=locked.pk,
    )
    outside = _check_hours(site, slot, confirmed=confirm_outside_hours)
    previous = _when(locked)
    locked.starts_at, locked.ends_at, locked.on = slot.starts_at, slot.ends_at, slot.on
    locked.staff, locked.site, locked.room = staff, site, room
    locked.outside_hours = outside
    locked.save(
        update_fields=[
            "starts_at",
            "ends_at",
            "on",
            "staff",
            "site",
            "room",
            "outside_hours",
            "updated_at",
        ]
    )
    if locked.request_id is not None:
        request = AppointmentRequest.objects.get(pk=locked.request_id)
        for deadline in _offer_deadlines(request).filter(  # type: ignore[attr-defined]
            status__in=[DeadlineStatus.MET, DeadlineStatus.MISSED]
        ):
            deadline.status = _offer_status(request, locked.on)
            deadline.save(update_fields=["status", "updated_at"])
    _event(locked, actor, "appointment_moved", previous=previous, staff=staff.username)
    _schedule_reminder(locked, at)
    return locked


@transaction.atomic
def appointment_cancel(
    *,
    appointment: Appointment,
    actor: User,
    cancelled_by: str,
    with_notice: bool,
    reason: str,
    at: datetime.datetime | None = None,
) -> Appointment:
    """APT-1: cancel a booked appointment, by the client or the service, with or without
    notice, with a reason; the slot is free again."""
    at = _now(at)
    locked = _locked(appointment)
    _check_booked(locked)
    if cancelled_by not in CancelledBy.values:
        raise ValidationFailed(
            "invalid_cancelled_by",
            _("Say whether the client or the service cancelled."),
            field="cancelled_by",
        )
    reason = _note(reason, REASON_MAX, "reason")
    if not reason:
        raise ValidationFailed(
            "reason_required", _("Give the reason for the cancellation."), field="reason"
        )
    if at >= locked.ends_at:
        raise Conflict(
            "appointment_over",
            _("The appointment is over: record whether the client came instead."),
            field="status",
        )
    locked.status = AppointmentStatus.CANCELLED
    locked.cancelled_at = at
    locked.cancelled_by = cancelled_by
    locked.with_notice = with_notice
    locked.cancel_reason = reason
    locked.save(
        update_fields=[
            "status",
            "cancelled_at",
            "cancelled_by",
            "with_notice",
            "cancel_reason",
            "updated_at",
        ]
    )
    if cancelled_by == CancelledBy.SERVICE and locked.request_id is not None:
        _reopen_request(locked.request_id)
    messaging.cancel_messages(reference=reminder_reference(locked), at=at)
    _event(
        locked,
        actor,
        "appointment_cancelled",
        cancelled_by=cancelled_by,
        with_notice=with_notice,
    )
    return locked


def _reopen_request(request_id: int) -> None:
    """The service cancelled the appointment of a request: the request waits again, and its
    offer deadline is open again with its first due day."""
    request = AppointmentRequest.objects.select_for_update().get(pk=request_id)
    if request.status != RequestStatus.BOOKED:
        return
    if (
        Appointment.objects.filter(request=request)
        .exclude(status=AppointmentStatus.CANCELLED)
        .exists()
    ):
        return
    request.status = RequestStatus.OPEN
    request.save(update_fields=["status", "updated_at"])
    for deadline in _offer_deadlines(request).filter(  # type: ignore[attr-defined]
        status__in=[DeadlineStatus.MET, DeadlineStatus.MISSED]
    ):
        deadline.status = DeadlineStatus.OPEN
        deadline.closed_on = None
        deadline.note = ""
        deadline.save(update_fields=["status", "closed_on", "note", "updated_at"])


OUTCOMES = (AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW)


@transaction.atomic
def appointment_record_outcome(
    *,
    appointment: Appointment,
    actor: User,
    outcome: str,
    at: datetime.datetime | None = None,
) -> Appointment:
    """APT-1: the client came (attended) or did not (no-show); from the start on, and may be
    corrected. Raises or clears the client's no-show flag (see the module docstring)."""
    at = _now(at)
    if outcome not in OUTCOMES:
        raise ValidationFailed("invalid_outcome", _("Record attended or no-show."), field="outcome")
    locked = _locked(appointment)
    if locked.status == AppointmentStatus.CANCELLED:
        raise Conflict(
            "appointment_cancelled",
            _("The appointment was cancelled."),
            field="status",
        )
    if at < locked.starts_at:
        raise Conflict(
            "appointment_not_started",
            _("The appointment has not started yet."),
            field="status",
        )
    if locked.status == outcome:
        return locked
    Client.objects.select_for_update().filter(pk=locked.client_id).first()
    threshold = no_show_threshold(locked.client, at=at)
    flagged_before = repeated_no_shows(locked.client, threshold)
    locked.status = outcome
    locked.outcome_recorded_at = at
    locked.outcome_recorded_by = actor
    locked.save(
        update_fields=["status", "outcome_recorded_at", "outcome_recorded_by", "updated_at"]
    )
    _event(
        locked,
        actor,
        "appointment_attended" if outcome == AppointmentStatus.ATTENDED else "appointment_no_show",
    )
    flagged = repeated_no_shows(locked.client, threshold)
    if flagged != flagged_before:
        _event(
            locked,
            actor,
            "appointment_no_show_flag" if flagged else "appointment_no_show_cleared",
            threshold=threshold,
        )
    return locked


# --- requests (APT-2) ----------------------------------------------------------------------


@transaction.atomic
def appointment_request_record(
    *,
    client: Client,
    actor: User,
    kind: str,
    note: str = "",
    at: datetime.datetime | None = None,
) -> AppointmentRequest:
    """APT-2: the client asks for an appointment of ``kind``. Where the pack promises an offer
    within a time, the request carries the day and opens an APPOINTMENT_OFFER deadline on the
    open episode (none without an episode)."""
    at = _now(at)
    organisation = client.organisation
    _check_kind(kind)
    _check_client(client, organisation)
    note = _note(note)
    spec = rules.offer_deadline(
        rules_for(organisation), kind, at.astimezone(clock.zone(organisation)).date()
    )
    episode = open_episode(client)
    request = AppointmentRequest.objects.create(
        client=client,
        organisation=organisation,
        kind=kind,
        requested_at=at,
        requested_by=actor,
        offer_due_on=spec.due_on if spec else None,
        episode=episode if spec else None,
        note=note,
    )
    if episode is not None:
        if spec is not None:
            deadline_open(episode=episode, spec=spec, subject_id=request.pk)
        record_event(
            episode=episode,
            actor=actor,
            kind="appointment_requested",
            summary=str(AppointmentKind(kind).label),
            data={"request": str(request.uuid), "kind": kind},
        )
    return request


@transaction.atomic
def appointment_request_withdraw(
    *,
    request: AppointmentRequest,
    actor: User,
    reason: str,
    at: datetime.datetime | None = None,
) -> AppointmentRequest:
    """APT-2: the client no longer wants the appointment; its offer deadline is no longer
    needed."""
    at = _now(at)
    locked = (
        AppointmentRequest.objects.select_for_update(of=("self",))
        .select_related("organisation", "episode", "client")
        .get(pk=request.pk)
    )
    if locked.status != RequestStatus.OPEN:
        raise Conflict(
            "request_not_open",
            _("The request already has an appointment or was withdrawn."),
            field="request",
        )
    reason = _note(reason, REASON_MAX, "reason")
    if not reason:
        raise ValidationFailed(
            "reason_required", _("Give the reason for withdrawing the request."), field="reason"
        )
    locked.status = RequestStatus.WITHDRAWN
    locked.withdrawn_reason = reason
    locked.save(update_fields=["status", "withdrawn_reason", "updated_at"])
    if locked.episode is not None:
        deadlines_close(
            episode=locked.episode,
            kinds=[DeadlineKind.APPOINTMENT_OFFER],
            on=at.astimezone(clock.zone(locked.organisation)).date(),
            subject_id=locked.pk,
            status=DeadlineStatus.CANCELLED,
            note=reason,
        )
    return locked


# --- rooms (service packs) -----------------------------------------------------------------


@transaction.atomic
def rooms_load(*, site: Site, rooms: list[tuple[str, str]]) -> list[Room]:
    """APT-1: a site's rooms from its service pack, as ``(slug, name)``; a room taken out of
    the pack is made inactive (its appointments keep it). Unchanged rooms are not written."""
    existing = {room.slug: room for room in Room.objects.filter(site=site)}
    loaded = []
    for slug, name in rooms:
        room = existing.get(slug)
        if room is None:
            room = Room.objects.create(site=site, slug=slug, name=name)
        elif room.name != name or not room.is_active:
            room.name, room.is_active = name, True
            room.save(update_fields=["name", "is_active", "updated_at"])
        loaded.append(room)
    keep = {slug for slug, _name in rooms}
    for slug, room in existing.items():
        if slug not in keep and room.is_active:
            room.is_active = False
            room.save(update_fields=["is_active", "updated_at"])
    return loaded
