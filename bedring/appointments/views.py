"""Appointment pages (APT-1, APT-2). Thin: parse, check access (clients.access and
appointments.access), call one service, render. A refusal shows the form again with the
reason next to the field (422); a success redirects with a message saying what comes next.

* The client's tab: upcoming appointments, requests waiting for one, the full list a page at
  a time; "Book appointment" is the primary action.
* Booking and moving: a time outside the site's opening hours is shown as a warning with a
  "Book anyway" / "Move anyway" button that confirms it.
* A staff member's day and week (``?staff=<username>``: a colleague of the active
  organisation; 404 for anyone else). The clients listed are logged as seen.
"""

from __future__ import annotations

import datetime
import re
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bedring.accounts.access import Staff, staff_for_request, staff_view
from bedring.accounts.models import Organisation, User
from bedring.audit.services import access_search_results
from bedring.clients import selectors as client_selectors
from bedring.clients.access import client_for
from bedring.clients.models import Client
from bedring.clients.no_show import no_show_threshold
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error
from bedring.core.paging import Paginator
from bedring.core.roles import Perm

from . import selectors, services
from .access import appointment_for, request_for
from .forms import (
    DEFAULT_MINUTES,
    BookForm,
    CancelForm,
    MoveForm,
    OutcomeForm,
    RequestForm,
    WithdrawForm,
)
from .models import Appointment, AppointmentRequest, AppointmentStatus, RequestStatus

SEARCH_PAGE = 20
_WEEK_FORMAT = "%G-W%V"
# Days and weeks in ASCII digits ([0-9]: \d takes any script's digits), within years whose
# neighbours the calendar can still reach.
_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _day(value: str) -> datetime.date | None:
    """A day written YYYY-MM-DD, or None."""
    match = _DAY.fullmatch(value or "")
    if match is None or not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _choices(organisation: Organisation) -> dict[str, Any]:
    return {
        "organisation": organisation,
        "staff": selectors.bookable_staff(organisation),
        "sites": selectors.organisation_sites(organisation),
        "rooms": selectors.organisation_rooms(organisation),
    }


def _next_hour(organisation: Organisation) -> datetime.datetime:
    local = clock.local_now(organisation)
    return (local + datetime.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)


def _client_url(client: Client) -> str:
    return reverse("appointments:client", kwargs={"client_uuid": client.uuid})


def _day_url(user: User, day: datetime.date) -> str:
    return (
        reverse("appointments:day")
        + "?"
        + urlencode({"staff": user.username, "on": day.isoformat()})
    )


def _when_text(appointment: Appointment) -> str:
    local = appointment.starts_at.astimezone(clock.zone(appointment.organisation))
    return f"{date_format(local.date(), 'SHORT_DATE_FORMAT')} {local:%H:%M}"


# --- the client's tab ----------------------------------------------------------------------


def _client_page(
    request: HttpRequest,
    client: Client,
    *,
    status: int = 200,
    request_form: RequestForm | None = None,
) -> HttpResponse:
    at = clock.now()
    threshold = no_show_threshold(client, at=at)
    summary = selectors.client_summary(
        client, at=at, threshold=threshold, limit=selectors.UPCOMING_TAB
    )
    page = Paginator(selectors.client_appointments(client), selectors.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "appointments/client.html",
        {
            **client_context(request, client, "appointments"),
            "summary": summary,
            "requests": selectors.open_requests(client),
            "page": page,
            "request_form": request_form or RequestForm(),
            "withdraw_form": WithdrawForm(),
            "today": clock.today(client.organisation),
        },
        status=status,
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def client_appointments(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """APT-1, APT-2: the client's upcoming appointments, open requests and full list."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="appointments")
    return _client_page(request, client)


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def request_add(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """APT-2: record the client's request for an appointment of a kind."""
    staff = staff_for_request(request)
    client = client_for(
        request, staff, client_uuid, view="appointment_request_add", perm=Perm.CLIENT_WRITE
    )
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            recorded = services.appointment_request_record(
                client=client, actor=staff.user, at=clock.now(), **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if recorded.offer_due_on is not None:
                messages.success(
                    request,
                    _("The request is recorded. Book an appointment by %(date)s.")
                    % {"date": date_format(recorded.offer_due_on, "SHORT_DATE_FORMAT")},
                )
            else:
                messages.success(request, _("The request is recorded. Book an appointment next."))
            return redirect(_client_url(client))
    return _client_page(request, client, status=422, request_form=form)


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def request_withdraw(request: HttpRequest, request_uuid: str) -> HttpResponse:
    """APT-2: the client no longer wants the appointment they asked for."""
    staff = staff_for_request(request)
    wanted = request_for(
        request, staff, request_uuid, view="appointment_request_withdraw", perm=Perm.CLIENT_WRITE
    )
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.appointment_request_withdraw(
                request=wanted, actor=staff.user, reason=form.cleaned_data["reason"], at=clock.now()
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The request is withdrawn; its deadline is closed."))
    else:
        messages.error(request, _("Give the reason for withdrawing the request."))
    return redirect(_client_url(wanted.client))


# --- booking -------------------------------------------------------------------------------


def _client_request(client: Client, value: str) -> AppointmentRequest | None:
    try:
        return AppointmentRequest.objects.get(uuid=value, client=client)
    except (AppointmentRequest.DoesNotExist, ValidationError):  # ValidationError: not a UUID
        return None


def _open_request(client: Client, value: str) -> AppointmentRequest | None:
    if not value:
        return None
    try:
        return AppointmentRequest.objects.get(uuid=value, client=client, status=RequestStatus.OPEN)
    except (AppointmentRequest.DoesNotExist, ValidationError):  # ValidationError: not a UUID
        return None


@staff_view(Perm.CLIENT_WRITE, scope="client")
def book(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """APT-1: book an appointment for the client (``?request=`` books an open request,
    ``?staff=`` and ``?on=`` preset the staff member and the day)."""
    staff = staff_for_request(request)
    client = client_for(
        request, staff, client_uuid, view="appointment_book", perm=Perm.CLIENT_WRITE
    )
    organisation = client.organisation
    choices = _choices(organisation)
    warn_outside = ""
    if request.method == "POST":
        form = BookForm(request.POST, **choices)
        wanted = None
        if form.is_valid() and form.cleaned_data.get("request"):
            # Any request of this client: the service says if it is no longer open.
            wanted = _client_request(client, form.cleaned_data["request"])
            if wanted is None:
                form.add_error(None, _("The request is another client's."))
        if form.is_valid():
            try:
                appointment = services.appointment_book(
                    client=client,
                    actor=staff.user,
                    kind=form.cleaned_data["kind"],
                    note=form.cleaned_data["note"],
                    request=wanted,
                    at=clock.now(),
                    **form.chosen(),
                )
            except DomainError as exc:
                if exc.code == "outside_opening_hours":
                    warn_outside = str(exc.message)
                else:
                    add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "The appointment is booked for %(when)s with %(name)s. It is on "
                        "their day view; record on the day whether the client came."
                    )
                    % {
                        "when": _when_text(appointment),
                        "name": appointment.staff.get_full_name() or appointment.staff.username,
                    },
                )
                return redirect(_client_url(client))
        status = 422
    else:
        start = _next_hour(organisation)
        wanted = _open_request(client, request.GET.get("request", ""))
        preset_day = _day(request.GET.get("on", ""))
        usernames = {u.username for u in choices["staff"]}
        preset_staff = request.GET.get("staff", "")
        sites = choices["sites"]
        form = BookForm(
            initial={
                "kind": wanted.kind if wanted else "conversation",
                "staff": preset_staff
                if preset_staff in usernames
                else (staff.user.username if staff.user.username in usernames else ""),
                "site": str(sites[0].uuid) if sites else "",
                "on": preset_day or start.date(),
                "start": start.time(),
                "minutes": DEFAULT_MINUTES,
                "request": str(wanted.uuid) if wanted else "",
            },
            **choices,
        )
        status = 200
    return render(
        request,
        "appointments/book.html",
        {
            **client_context(request, client, "appointments"),
            "form": form,
            "warn_outside": warn_outside,
            "back_url": _client_url(client),
        },
        status=status,
    )


@staff_view(Perm.CLIENT_WRITE)
def book_start(request: HttpRequest) -> HttpResponse:
    """APT-1: "Book appointment" from a day view: find the client first (the results are
    logged as seen, as in the client search), then book with the day and staff member."""
    staff = staff_for_request(request)
    query = request.GET.get("q", "")
    keep = {k: request.GET[k] for k in ("staff", "on") if request.GET.get(k)}
    results: list[Client] = []
    search_error = ""
    if query:
        try:
            found = client_selectors.client_search(
                organisation_ids=[staff.organisation.pk], query=query
            )
            results = list(found[:SEARCH_PAGE])
        except DomainError as exc:
            search_error = str(exc.message)
        access_search_results(
            actor=staff.user,
            clients=results,
            view="appointment_book_search",
            channel="html",
            request=request,
        )
    return render(
        request,
        "appointments/book_start.html",
        {
            "query": query,
            "results": results,
            "search_error": search_error,
            "keep": urlencode(keep),
            "keep_fields": keep,
        },
    )


# --- one appointment -----------------------------------------------------------------------


# JRN-1: the journal's contact type for a note written after an appointment of a kind (the
# journal is named by its URL only: the two apps share a layer).
NOTE_TYPE_OF_KIND = {
    "conversation": "conversation",
    "doctor": "medical",
    "psychologist": "conversation",
    "nurse": "conversation",
    "home_visit": "home_visit",
    "phone": "phone",
    "responsibility_group": "network_meeting",
}


def _note_url(appointment: Appointment) -> str:
    """The journal's new-note page, starting from the appointment's kind and start."""
    local = appointment.starts_at.astimezone(ZoneInfo(appointment.organisation.time_zone))
    query = urlencode(
        {
            "type": NOTE_TYPE_OF_KIND.get(appointment.kind, "conversation"),
            "at": local.strftime("%Y-%m-%dT%H:%M"),
        }
    )
    return f"{reverse('journal:note_new', args=[appointment.client.uuid])}?{query}"


def _detail_page(
    request: HttpRequest,
    appointment: Appointment,
    *,
    status: int = 200,
    cancel_form: CancelForm | None = None,
    open_cancel: bool = False,
) -> HttpResponse:
    now = clock.now()
    return render(
        request,
        "appointments/detail.html",
        {
            **client_context(request, appointment.client, "appointments"),
            "appointment": appointment,
            "cancel_form": cancel_form or CancelForm(),
            "open_cancel": open_cancel,
            "started": appointment.starts_at <= now,
            "over": appointment.ends_at <= now,
            "day_url": _day_url(appointment.staff, appointment.on),
            "note_url": _note_url(appointment),
        },
        status=status,
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def detail(request: HttpRequest, appointment_uuid: str) -> HttpResponse:
    """APT-1: one appointment, with its actions: attended / no-show, move, cancel."""
    staff = staff_for_request(request)
    appointment = appointment_for(request, staff, appointment_uuid, view="appointment")
    return _detail_page(request, appointment)


@staff_view(Perm.CLIENT_WRITE, scope="client")
def move(request: HttpRequest, appointment_uuid: str) -> HttpResponse:
    """APT-1: move a booked appointment to another time, staff member, site or room."""
    staff = staff_for_request(request)
    appointment = appointment_for(
        request, staff, appointment_uuid, view="appointment_move", perm=Perm.CLIENT_WRITE
    )
    organisation = appointment.organisation
    choices = _choices(organisation)
    if appointment.staff not in choices["staff"]:
        choices["staff"] = [*choices["staff"], appointment.staff]
    warn_outside = ""
    if request.method == "POST" and appointment.is_open:
        form = MoveForm(request.POST, **choices)
        if form.is_valid():
            try:
                moved = services.appointment_move(
                    appointment=appointment, actor=staff.user, at=clock.now(), **form.chosen()
                )
            except DomainError as exc:
                if exc.code == "outside_opening_hours":
                    warn_outside = str(exc.message)
                else:
                    add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("The appointment is moved to %(when)s with %(name)s.")
                    % {
                        "when": _when_text(moved),
                        "name": moved.staff.get_full_name() or moved.staff.username,
                    },
                )
                return redirect("appointments:detail", appointment_uuid=moved.uuid)
        status = 422
    else:
        local = appointment.starts_at.astimezone(clock.zone(organisation))
        form = MoveForm(
            initial={
                "staff": appointment.staff.username,
                "site": str(appointment.site.uuid),
                "room": str(appointment.room.uuid) if appointment.room else "",
                "on": local.date(),
                "start": local.time().replace(second=0, microsecond=0),
                "minutes": appointment.minutes,
            },
            **choices,
        )
        # A POST for an appointment that is no longer booked: the page says why.
        status = 409 if request.method == "POST" else 200
    return render(
        request,
        "appointments/move.html",
        {
            **client_context(request, appointment.client, "appointments"),
            "appointment": appointment,
            "form": form,
            "warn_outside": warn_outside,
        },
        status=status,
    )


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def cancel(request: HttpRequest, appointment_uuid: str) -> HttpResponse:
    """APT-1: cancel, by the client or the service, with or without notice, with a reason."""
    staff = staff_for_request(request)
    appointment = appointment_for(
        request, staff, appointment_uuid, view="appointment_cancel", perm=Perm.CLIENT_WRITE
    )
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.appointment_cancel(
                appointment=appointment,
                actor=staff.user,
                cancelled_by=form.cleaned_data["cancelled_by"],
                with_notice=form.cleaned_data["notice"] == "with",
                reason=form.cleaned_data["reason"],
                at=clock.now(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The appointment is cancelled and the time is free again. Book a new one "
                    "if the client wants it."
                ),
            )
            return redirect(_client_url(appointment.client))
    return _detail_page(request, appointment, status=422, cancel_form=form, open_cancel=True)


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def outcome(request: HttpRequest, appointment_uuid: str) -> HttpResponse:
    """APT-1: the client came, or did not (a no-show)."""
    staff = staff_for_request(request)
    appointment = appointment_for(
        request, staff, appointment_uuid, view="appointment_outcome", perm=Perm.CLIENT_WRITE
    )
    form = OutcomeForm(request.POST)
    error = _("Record attended or no-show.")
    if form.is_valid():
        try:
            recorded = services.appointment_record_outcome(
                appointment=appointment,
                actor=staff.user,
                outcome=form.cleaned_data["outcome"],
                at=clock.now(),
            )
        except DomainError as exc:
            error = str(exc.message)
        else:
            if recorded.status == AppointmentStatus.ATTENDED:
                messages.success(
                    request, _("Recorded: the client came. Write the note in the journal.")
                )
            else:
                messages.success(
                    request,
                    _(
                        "Recorded as a no-show. Consider contacting the client and booking a "
                        "new time."
                    ),
                )
            return redirect("appointments:detail", appointment_uuid=appointment.uuid)
    messages.error(request, error)
    return _detail_page(request, appointment, status=422)


# --- a staff member's day and week ---------------------------------------------------------


def _whose(request: HttpRequest, staff: Staff) -> User:
    """The staff member whose days are shown: ``?staff=`` a colleague of the active
    organisation (404 for anyone else), or oneself."""
    username = request.GET.get("staff", "")
    if not username or username == staff.user.username:
        return staff.user
    found = selectors.colleague(staff.organisation, username[:150])
    if found is None:
        raise Http404
    return found


def _log_seen(
    request: HttpRequest, staff: Staff, appointments: list[Appointment], view: str
) -> None:
    seen = {a.client_id: a.client for a in appointments}
    access_search_results(
        actor=staff.user, clients=list(seen.values()), view=view, channel="html", request=request
    )


def _staff_context(staff: Staff, whose: User) -> dict[str, Any]:
    colleagues = selectors.bookable_staff(staff.organisation)
    if whose not in colleagues:
        colleagues = [whose, *colleagues]
    return {
        "whose": whose,
        "mine": whose == staff.user,
        "colleagues": colleagues,
        "can_book": staff.can(Perm.CLIENT_WRITE),
    }


@staff_view(Perm.CLIENT_READ)
def day(request: HttpRequest) -> HttpResponse:
    """APT-1: a staff member's appointments on one day (``?on=YYYY-MM-DD``, today without)."""
    staff = staff_for_request(request)
    whose = _whose(request, staff)
    today = clock.today(staff.organisation)
    on = _day(request.GET.get("on", "")) or today
    appointments = selectors.appointments_for_staff(
        whose, on, on, organisation_ids=[staff.organisation.pk], include_cancelled=True
    )
    _log_seen(request, staff, appointments, "appointments_day")
    monday = on - datetime.timedelta(days=on.weekday())
    return render(
        request,
        "appointments/day.html",
        {
            **_staff_context(staff, whose),
            "on": on,
            "today": today,
            "appointments": appointments,
            "previous_day": on - datetime.timedelta(days=1),
            "next_day": on + datetime.timedelta(days=1),
            "week": monday.strftime(_WEEK_FORMAT),
            "now": clock.now(),
        },
    )


def _week_start(value: str, today: datetime.date) -> datetime.date:
    """The Monday of ``YYYY-Www``; this week for anything else."""
    match = _WEEK.fullmatch(value)
    if match is not None and FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        try:
            return datetime.date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            pass
    return today - datetime.timedelta(days=today.weekday())


@staff_view(Perm.CLIENT_READ)
def week(request: HttpRequest) -> HttpResponse:
    """APT-1: a staff member's appointments in one ISO week (``?week=2026-W48``)."""
    staff = staff_for_request(request)
    whose = _whose(request, staff)
    today = clock.today(staff.organisation)
    monday = _week_start(request.GET.get("week", "")[:10], today)
    sunday = monday + datetime.timedelta(days=6)
    appointments = selectors.appointments_for_staff(
        whose, monday, sunday, organisation_ids=[staff.organisation.pk], include_cancelled=True
    )
    _log_seen(request, staff, appointments, "appointments_week")
    days = [
        (d, [a for a in appointments if a.on == d])
        for d in (monday + datetime.timedelta(days=i) for i in range(7))
    ]
    return render(
        request,
        "appointments/week.html",
        {
            **_staff_context(staff, whose),
            "days": days,
            "today": today,
            "week": monday.strftime(_WEEK_FORMAT),
            "previous_week": (monday - datetime.timedelta(days=7)).strftime(_WEEK_FORMAT),
            "next_week": (monday + datetime.timedelta(days=7)).strftime(_WEEK_FORMAT),
            "this_week": (today - datetime.timedelta(days=today.weekday())).strftime(_WEEK_FORMAT),
        },
    )
