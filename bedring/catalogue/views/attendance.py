"""Attendance grids, gift cards, anonymous tallies and staff calendars (SCH-1, SCH-2, SCH-4,
CAT-3, INT-3, INT-4, HRM-5). Thin: parse, check access, call one service, render.

``calendar_feed`` is the one view without ``@staff_view``: the secret in its address is the
credential (calendar programs cannot log in), a wrong secret is 404, and it shows no
personal data. The authorisation walk lists it as public-by-secret.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from bedring.accounts.access import staff_for_request, staff_view
from bedring.accounts.models import Site
from bedring.audit.services import access_search_results
from bedring.core import clock
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error
from bedring.core.roles import Perm

from .. import calendar_feed as calendars
from .. import selectors
from ..models import AgeBand, AttendanceStatus, CalendarFeed, Offer, Session
from ..services import attendance, tallies

# --- attendance ----------------------------------------------------------------------------


def _grid_marks(
    request: HttpRequest, grid: attendance.AttendanceGrid
) -> list[tuple[Any, str]] | None:
    """The statuses posted for the grid's editable rows (``status-<enrolment uuid>``); an
    empty choice leaves a row unrecorded. None if a value is not one of the statuses."""
    marks = []
    for row in grid.rows:
        if not row.editable:
            continue
        value = request.POST.get(f"status-{row.enrolment.uuid}", "")
        if value == "":
            continue
        if value not in AttendanceStatus.values:
            return None
        marks.append((row.enrolment, value))
    return marks


def _grid_notes(request: HttpRequest, grid: attendance.AttendanceGrid) -> dict[int, str]:
    """The short notes posted for the grid's editable rows (``note-<enrolment uuid>``): a
    row's field left as it was is not sent to the service."""
    notes = {}
    for row in grid.rows:
        key = f"note-{row.enrolment.uuid}"
        if row.editable and key in request.POST and request.POST[key].strip() != row.note:
            notes[row.enrolment.pk] = request.POST[key]
    return notes


def _saved_message(session: Session, marks: list[tuple[Any, str]]) -> str:
    """What one save recorded, by status, for the confirmation after it."""
    day = date_format(session.on, "DATE_FORMAT")
    if not marks:
        nothing = _("Nothing was recorded for session %(n)d on %(date)s: no attendance was chosen.")
        return nothing % {"n": session.index, "date": day}
    counts = Counter(status for _enrolment, status in marks)
    recorded = ", ".join(
        f"{label} {counts[value]}" for value, label in AttendanceStatus.choices if counts[value]
    )
    return _("Saved for session %(n)d on %(date)s: %(recorded)s.") % {
        "n": session.index,
        "date": day,
        "recorded": recorded,
    }


def _ways_on(session: Session) -> dict[str, Any]:
    """Where the attendance page leads (issue 13: never a dead end): back to the course, or
    to the enrolment of an individual session; on to the next session; and to the calendar
    week of the session's day."""
    if session.course is not None:
        back_url = reverse("catalogue:course_detail", kwargs={"course_uuid": session.course.uuid})
    else:  # an individual session (the session_of_course_or_enrolment constraint)
        back_url = reverse(
            "catalogue:enrolment_detail",
            kwargs={"enrolment_uuid": session.enrolment.uuid},  # type: ignore[union-attr]
        )
    monday = session.on - datetime.timedelta(days=session.on.weekday())
    return {
        "back_url": back_url,
        "next_session": selectors.next_session(session),
        "calendar_url": f"{reverse('catalogue:calendar')}?week={calendars.week_label(monday)}"
        f"#day-{session.on.isoformat()}",
    }


@staff_view(Perm.CLIENT_WRITE)
def attendance_page(request: HttpRequest, session_uuid: str) -> HttpResponse:
    """SCH-1, SCH-2, CAT-3: the attendance grid of one session: every enrolled client with
    attended / absent / cancelled with notice and an optional short note, saved in one POST;
    the no-show flag and the gift cards due. After a save the page says what was recorded
    and leads back to the course, on to the next session and to the day in the calendar."""
    staff = staff_for_request(request)
    session = attendance.session_for(
        staff, session_uuid, perm=Perm.CLIENT_WRITE, organisation_ids=[staff.organisation.pk]
    )
    grid = attendance.attendance_grid(session)
    access_search_results(
        actor=staff.user,
        clients=grid.clients,
        view="attendance_grid",
        channel="html",
        request=request,
    )
    error = ""
    if request.method == "POST":
        marks = _grid_marks(request, grid)
        if marks is None:
            error = _("Choose attended, absent or cancelled with notice.")
        else:
            try:
                attendance.attendance_record_grid(
                    session=session,
                    marks=marks,
                    actor=staff.user,
                    today=clock.today(session.organisation),
                    notes=_grid_notes(request, grid),
                )
            except DomainError as exc:
                error = str(exc.message)
            else:
                messages.success(request, _saved_message(session, marks))
                return redirect("catalogue:attendance", session_uuid=session.uuid)
    if error:
        # Show what was chosen, not what is stored: nothing was saved.
        for row in grid.rows:
            if row.editable:
                row.status = request.POST.get(f"status-{row.enrolment.uuid}", row.status)
                row.note = request.POST.get(f"note-{row.enrolment.uuid}", row.note)
    offer = session.course.offer if session.course else session.enrolment.offer  # type: ignore[union-attr]
    return render(
        request,
        "catalogue/attendance.html",
        {
            "session": session,
            "offer": offer,
            "grid": grid,
            "statuses": AttendanceStatus.choices,
            "error": error,
            "today": clock.today(session.organisation),
            **_ways_on(session),
        },
        status=422 if error else 200,
    )


class HandOutForm(forms.Form):
    session = forms.UUIDField(widget=forms.HiddenInput)
    on = forms.DateField(
        label=gettext_lazy("Handed out on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _safe_next(request: HttpRequest) -> str | None:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@staff_view(Perm.CLIENT_WRITE)
def gift_cards_page(request: HttpRequest, enrolment_uuid: str) -> HttpResponse:
    """CAT-3: an enrolment's MOVE gift cards: those due and not handed out (with a button to
    record the hand-out) and the ledger of those given."""
    staff = staff_for_request(request)
    enrolment = selectors.enrolment_for(
        request, staff, enrolment_uuid, view="gift_cards", perm=Perm.CLIENT_WRITE
    )
    form = HandOutForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        session = Session.objects.filter(
            uuid=form.cleaned_data["session"], organisation_id=enrolment.organisation_id
        ).first()
        try:
            if session is None:
                raise Http404
            attendance.gift_card_hand_out(
                enrolment=enrolment,
                session=session,
                actor=staff.user,
                on=form.cleaned_data["on"],
                today=clock.today(session.organisation),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The gift card is recorded as handed out."))
            return redirect(
                _safe_next(request)
                or reverse("catalogue:gift_cards", kwargs={"enrolment_uuid": enrolment.uuid})
            )
    return render(
        request,
        "catalogue/attendance_gift_cards.html",
        {
            "enrolment": enrolment,
            "card": enrolment.offer.parsed.gift_card,
            "due": attendance.gift_cards_due(enrolment),
            "given": attendance.gift_cards_given(enrolment),
            "form": form,
        },
        status=422 if request.method == "POST" else 200,
    )


# --- tallies -------------------------------------------------------------------------------


class TallyForm(forms.Form):
    on = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    site = forms.ChoiceField(label=gettext_lazy("Site"))
    offer = forms.ChoiceField(label=gettext_lazy("Offer"))
    age_band = forms.ChoiceField(
        label=gettext_lazy("Age band"), choices=AgeBand.choices, initial=AgeBand.UNKNOWN
    )
    count = forms.IntegerField(
        label=gettext_lazy("Number of people"), min_value=1, max_value=tallies.MAX_COUNT
    )

    def __init__(self, *args: Any, sites: list[Site], offers: list[Offer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(str(s.uuid), s.name) for s in sites]  # type: ignore[attr-defined]
        self.fields["offer"].choices = [(str(o.uuid), o.name) for o in offers]  # type: ignore[attr-defined]


def _month(value: str | None, today: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(f"{value}-01") if value else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


@staff_view()
def tally_page(request: HttpRequest) -> HttpResponse:
    """INT-3, INT-4, HRM-5: record anonymous counts and read the month's by offer and age
    band. No personal data is asked for or shown (except who recorded each entry)."""
    staff = staff_for_request(request)
    organisation = staff.organisation
    today = clock.today(organisation)
    sites = list(organisation.sites.filter(is_active=True).order_by("kind", "name"))
    offers = tallies.tally_offers(organisation)
    form = TallyForm(request.POST or None, sites=sites, offers=offers, initial={"on": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        site = next(s for s in sites if str(s.uuid) == data["site"])
        offer = next(o for o in offers if str(o.uuid) == data["offer"])
        try:
            tally = tallies.tally_record(
                organisation=organisation,
                site=site,
                offer=offer,
                on=data["on"],
                count=data["count"],
                age_band=data["age_band"],
                actor=staff.user,
                today=clock.today(organisation),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The count is recorded."))
            return redirect(f"{reverse('catalogue:tallies')}?month={tally.on:%Y-%m}")
    month = tallies.tally_month(organisation, _month(request.GET.get("month"), today))
    return render(
        request,
        "catalogue/tally_month.html",
        {"form": form, "month": month, "offers": offers, "today": today},
        status=422 if request.method == "POST" else 200,
    )


# --- calendars -----------------------------------------------------------------------------


@staff_view(scope="self")
def calendar_page(request: HttpRequest) -> HttpResponse:
    """SCH-4: my sessions this week (``?week=2026-W48``), with the previous and next week;
    a POST makes a new secret feed address (shown once) or turns the feed off."""
    staff = staff_for_request(request)
    user = staff.user
    feed_url = ""
    if request.method == "POST":
        if request.POST.get("action") == "stop":
            calendars.calendar_feed_stop(user=user)
            messages.success(request, _("The calendar feed is turned off."))
            return redirect("catalogue:calendar")
        secret = calendars.calendar_secret_rotate(user=user)
        feed_url = request.build_absolute_uri(
            reverse("catalogue:calendar_feed", kwargs={"secret": secret})
        )
    today = clock.today(staff.organisation)
    try:
        monday = calendars.week_start(request.GET.get("week"), today=today)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        monday = calendars.week_start(None, today=today)
    org_ids = list(staff.memberships)
    entries = calendars.staff_calendar(
        user=user,
        organisation_ids=org_ids,
        start=monday,
        end=monday + datetime.timedelta(days=7),
        client_codes_in=[oid for oid in org_ids if staff.can(Perm.CLIENT_READ, oid)],
    )
    days = [
        (day, [e for e in entries if e.on == day])
        for day in (monday + datetime.timedelta(days=i) for i in range(7))
    ]
    return render(
        request,
        "catalogue/calendar.html",
        {
            "days": days,
            "week": calendars.week_label(monday),
            "previous_week": calendars.week_label(monday - datetime.timedelta(days=7)),
            "next_week": calendars.week_label(monday + datetime.timedelta(days=7)),
            "this_week": calendars.week_label(calendars.week_start(None, today=today)),
            "today": today,
            "can_record": staff.can(Perm.CLIENT_WRITE),
            "active_org_id": staff.organisation.pk,
            "has_feed": bool(feed_url) or CalendarFeed.objects.filter(user=user).exists(),
            "feed_url": feed_url,
        },
    )


@require_http_methods(["GET", "HEAD"])
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """SCH-4: the iCalendar feed of the staff member whose secret this is; 404 otherwise.
    Public by secret: no login (calendar programs cannot), no personal data."""
    user = calendars.feed_user(secret)
    if user is None:
        raise Http404
    today = clock.today()
    body = calendars.calendar_ical(
        calendars.feed_entries(user, today=today),
        name=f"Bedring · {user.get_full_name() or user.username}",
        link=lambda entry: request.build_absolute_uri(
            reverse("catalogue:attendance", kwargs={"session_uuid": entry.session.uuid})
        ),
        # Individual appointments and other packages' events (bedring.core.feeds).
        extra=calendars.feed_extra_events(user, today=today),
        absolute=request.build_absolute_uri,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="bedring.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns: list[URLPattern] = [
    path("sessions/<uuid:session_uuid>/attendance/", attendance_page, name="attendance"),
    path("enrolments/<uuid:enrolment_uuid>/gift-cards/", gift_cards_page, name="gift_cards"),
    path("tallies/", tally_page, name="tallies"),
    path("calendar/", calendar_page, name="calendar"),
    path("calendar/<str:secret>.ics", calendar_feed, name="calendar_feed"),
]
