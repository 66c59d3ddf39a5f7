"""The dispensing desk and the stock (MED-2, MED-3, MED-6). Thin: parse, check access, call
one service, render.

The desk works without JavaScript (each action posts and comes back to its row) and better
with htmx: a dose swaps its row in place, and the same answer carries, out of band, the
counters at the top and a line for the page's polite live region, so a screen reader hears
"Given 60 mg at 09:14 by …" and the counts change without a reload. Outside medication
hours the desk says when they start again and its dose buttons are disabled with that
reason beside them; the services refuse a dose then all the same.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from bedring.accounts.access import staff_for_request, staff_view
from bedring.accounts.models import HoursKind, Site
from bedring.audit.services import access_search_results
from bedring.core import clock
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error
from bedring.core.roles import Perm

from .. import selectors
from ..access import dispensing_for, prescription_for, site_for
from ..forms import CorrectionForm, ExceptionForm, ObservationForm, PeriodForm, StockForm
from ..models import Dispensing, Prescription
from ..selectors import DeskRow
from ..services import corrections, stock
from ..services import dispensing as dosing

# --- the dispensing desk -------------------------------------------------------------------


def _medication_sites(organisation_id: int) -> list[Site]:
    return list(
        Site.objects.filter(
            organisation_id=organisation_id,
            is_active=True,
            hours__kind=HoursKind.MEDICATION,
        )
        .distinct()
        .order_by("kind", "name")
    )


@staff_view(Perm.DISPENSE)
def desk_index(request: HttpRequest) -> HttpResponse:
    """The dispensing sites of the organisation; with one, straight to its desk."""
    staff = staff_for_request(request)
    sites = _medication_sites(staff.organisation.pk)
    if len(sites) == 1:
        return redirect("medication:desk", site_uuid=sites[0].uuid)
    return render(request, "medication/desk_index.html", {"sites": sites})


@dataclass(frozen=True)
class DeskLine:
    """A desk row, its observation form (its own ids, so each label names its row) and
    whether the staff member looking may correct its dose (theirs, recorded today)."""

    row: DeskRow
    observation_form: ObservationForm
    can_correct: bool


def _lines(rows: list[DeskRow], user_id: int) -> list[DeskLine]:
    return [
        DeskLine(
            row,
            ObservationForm(auto_id=f"obs-{row.prescription.uuid}-%s"),
            row.correctable_by(user_id),
        )
        for row in rows
    ]


def _desk_response(
    request: HttpRequest,
    site: Site,
    *,
    error: str = "",
    error_row: str = "",
) -> HttpResponse:
    staff = staff_for_request(request)
    desk = selectors.desk(site, now=clock.now())
    if error_row and not any(str(row.prescription.uuid) == error_row for row in desk.rows):
        # Not on today's list (ended, not started, another site): show the refusal above it.
        error_row = ""
    access_search_results(
        actor=staff.user,
        clients=desk.clients,
        view="dispensing_desk",
        channel="html",
        request=request,
    )
    return render(
        request,
        "medication/desk.html",
        {
            "desk": desk,
            "lines": _lines(desk.rows, staff.user.pk),
            "sites": _medication_sites(site.organisation_id),
            "error": error,
            "error_row": error_row,
        },
        status=422 if error else 200,
    )


@staff_view(Perm.DISPENSE)
def desk_page(request: HttpRequest, site_uuid: str) -> HttpResponse:
    """MED-2, MED-6: today's list: due, collected, missing, take-home due, on hold."""
    staff = staff_for_request(request)
    site = site_for(staff, site_uuid, perm=Perm.DISPENSE, organisation_ids=[staff.organisation.pk])
    return _desk_response(request, site)


def _desk_prescription(request: HttpRequest, site_uuid: str, prescription_uuid: str) -> Any:
    staff = staff_for_request(request)
    site = site_for(staff, site_uuid, perm=Perm.DISPENSE, organisation_ids=[staff.organisation.pk])
    prescription = prescription_for(
        request, staff, prescription_uuid, view="dispensing", perm=Perm.DISPENSE
    )
    if prescription.organisation_id != site.organisation_id:
        raise Http404
    return staff, site, prescription


def _back_to_row(site: Site, prescription: Prescription) -> HttpResponse:
    return redirect(f"{reverse('medication:desk', args=[site.uuid])}#row-{prescription.uuid}")


def _row_response(
    request: HttpRequest,
    site: Site,
    prescription: Prescription,
    *,
    error: str = "",
    announce: str = "",
) -> HttpResponse:
    """htmx: the one row, swapped in place, and out of band the desk's counters and a line
    for its live region. Only this client is logged as read (prescription_for did), so a
    morning of doses does not log the whole list again per dose; the list is read whole for
    the counters. A refusal is shown in the row (200: htmx swaps only successful answers)."""
    today = selectors.desk(site, now=clock.now())
    row = next((r for r in today.rows if r.prescription.pk == prescription.pk), None)
    context: dict[str, Any] = {
        "desk": today,
        "error": error,
        "error_row": str(prescription.uuid) if error else "",
        "announce": announce,
        "prescription": prescription,
    }
    if row is not None:
        context["line"] = _lines([row], staff_for_request(request).user.pk)[0]
    return render(request, "medication/partials/_desk_answer.html", context)


def _desk_answer(
    request: HttpRequest,
    site: Site,
    prescription: Prescription,
    *,
    error: str = "",
    announce: str = "",
) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return _row_response(request, site, prescription, error=error, announce=announce)
    if error:
        return _desk_response(request, site, error=error, error_row=str(prescription.uuid))
    if announce:
        messages.success(request, announce)
    return _back_to_row(site, prescription)


@staff_view(Perm.DISPENSE)
def desk_dispense(request: HttpRequest, site_uuid: str, prescription_uuid: str) -> HttpResponse:
    """MED-2, MED-6: one tap records today's supervised dose, with an optional observation."""
    staff, site, prescription = _desk_prescription(request, site_uuid, prescription_uuid)
    if request.method != "POST":
        return _back_to_row(site, prescription)
    form = ObservationForm(request.POST)
    if not form.is_valid():
        return _desk_answer(request, site, prescription, error=_("Choose an effect from the list."))
    try:
        dose = dosing.dispense(
            prescription=prescription,
            actor=staff.user,
            site=site,
            observation=dosing.Observation(**form.cleaned_data),
        )
    except DomainError as exc:
        return _desk_answer(request, site, prescription, error=str(exc.message))
    return _desk_answer(request, site, prescription, announce=_dose_announcement(dose, site))


def _dose_announcement(dose: Dispensing, site: Site) -> str:
    """ "Ane Client: Given 60 mg at 09:14 by Berit Nurse", from the dose just written."""
    given = selectors.GivenDose.of(dose, ZoneInfo(site.organisation.time_zone))
    return _("%(client)s: %(done)s") % {
        "client": dose.prescription.client.display_name,
        "done": selectors.given_text(given, unit=dose.prescription.medicine.unit, today=dose.day),
    }


@staff_view(Perm.DISPENSE)
def desk_take_home(request: HttpRequest, site_uuid: str, prescription_uuid: str) -> HttpResponse:
    """MED-2, MED-3: hand out the take-home doses chosen (the days due are pre-ticked)."""
    staff, site, prescription = _desk_prescription(request, site_uuid, prescription_uuid)
    if request.method != "POST":
        return _back_to_row(site, prescription)
    raw = request.POST.getlist("days")
    try:
        days = [datetime.date.fromisoformat(d) for d in raw]
    except ValueError:
        return _desk_answer(
            request, site, prescription, error=_("Choose the take-home days to hand out.")
        )
    try:
        made = dosing.take_home_handover(
            prescription=prescription, actor=staff.user, site=site, days=days
        )
    except DomainError as exc:
        return _desk_answer(request, site, prescription, error=str(exc.message))
    announce = _("%(count)s take-home doses handed out for %(client)s.") % {
        "count": len(made),
        "client": prescription.client.display_name,
    }
    return _desk_answer(request, site, prescription, announce=announce)


@staff_view(Perm.DISPENSE)
def desk_exception(request: HttpRequest, site_uuid: str, prescription_uuid: str) -> HttpResponse:
    """MED-2: a second dose only as an exception (lost, vomited, extra) with a reason."""
    staff, site, prescription = _desk_prescription(request, site_uuid, prescription_uuid)
    form = ExceptionForm(request.POST or None, medicine=prescription.medicine)
    if request.method == "POST" and form.is_valid():
        try:
            dosing.dispense_exception(
                prescription=prescription,
                actor=staff.user,
                site=site,
                exception_reason=form.cleaned_data["exception_reason"],
                reason=form.cleaned_data["reason"],
                quantity=form.cleaned_data["quantity"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The exception dose is recorded."))
            return _back_to_row(site, prescription)
    return render(
        request,
        "medication/desk_exception.html",
        {"form": form, "site": site, "prescription": prescription},
        status=422 if form.errors else 200,
    )


@staff_view(Perm.DISPENSE)
def desk_correct(request: HttpRequest, site_uuid: str, dispensing_uuid: str) -> HttpResponse:
    """MED-2: the nurse who recorded a dose by mistake corrects it the same day, with the
    reason; the dose then no longer counts as given (see services.corrections)."""
    staff = staff_for_request(request)
    site = site_for(staff, site_uuid, perm=Perm.DISPENSE, organisation_ids=[staff.organisation.pk])
    dose = dispensing_for(request, staff, dispensing_uuid, view="dispensing_correction")
    if dose.organisation_id != site.organisation_id:
        raise Http404
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            corrections.dispensing_correct(
                dispensing=dose, actor=staff.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("The dose for %(client)s is corrected: it no longer counts as given.")
                % {"client": dose.client.display_name},
            )
            return _back_to_row(site, dose.prescription)
    return render(
        request,
        "medication/desk_correction.html",
        {
            "form": form,
            "site": site,
            "dose": dose,
            "recorded_at": dose.handed_out_at.astimezone(ZoneInfo(site.organisation.time_zone)),
        },
        status=422 if form.errors else 200,
    )


# --- stock ---------------------------------------------------------------------------------


@staff_view(Perm.STOCK)
def stock_page(request: HttpRequest, site_uuid: str) -> HttpResponse:
    """MED-2: the stock movements of a site, and a form to record received, wasted (with a
    witness), returned or counted stock."""
    staff = staff_for_request(request)
    site = site_for(staff, site_uuid, perm=Perm.STOCK, organisation_ids=[staff.organisation.pk])
    form = StockForm(request.POST or None, organisation=site.organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            stock.stock_record(
                site=site,
                medicine=data["medicine"],
                actor=staff.user,
                kind=data["kind"],
                quantity=data["quantity"],
                witness=data["witness"],
                batch=data["batch"],
                note=data["note"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The stock movement is recorded."))
            return redirect("medication:stock", site_uuid=site.uuid)
    return render(
        request,
        "medication/stock.html",
        {
            "site": site,
            "form": form,
            "movements": selectors.stock_movements(site),
            "sites": _medication_sites(site.organisation_id),
        },
        status=422 if form.errors else 200,
    )


@staff_view(Perm.STOCK)
def reconciliation_page(request: HttpRequest, site_uuid: str) -> HttpResponse:
    """MED-2: the book against the doses handed out and the last count, per medicine."""
    staff = staff_for_request(request)
    site = site_for(staff, site_uuid, perm=Perm.STOCK, organisation_ids=[staff.organisation.pk])
    today = clock.today(site.organisation)
    form = PeriodForm(request.GET or None, initial={"start": today.replace(day=1), "end": today})
    start, end = today.replace(day=1), today
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    tz = ZoneInfo(site.organisation.time_zone)
    lines = selectors.reconciliation(
        site,
        start=datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        end=datetime.datetime.combine(
            end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        ),
    )
    return render(
        request,
        "medication/reconciliation.html",
        {"site": site, "form": form, "lines": lines, "start": start, "end": end},
        status=422 if form.errors else 200,
    )


urlpatterns = [
    path("desk/", desk_index, name="desk_index"),
    path("desk/<uuid:site_uuid>/", desk_page, name="desk"),
    path(
        "desk/<uuid:site_uuid>/<uuid:prescription_uuid>/dispense/",
        desk_dispense,
        name="desk_dispense",
    ),
    path(
        "desk/<uuid:site_uuid>/<uuid:prescription_uuid>/take-home/",
        desk_take_home,
        name="desk_take_home",
    ),
    path(
        "desk/<uuid:site_uuid>/<uuid:prescription_uuid>/exception/",
        desk_exception,
        name="desk_exception",
    ),
    path(
        "desk/<uuid:site_uuid>/doses/<uuid:dispensing_uuid>/correct/",
        desk_correct,
        name="desk_correct",
    ),
    path("stock/<uuid:site_uuid>/", stock_page, name="stock"),
    path("stock/<uuid:site_uuid>/reconciliation/", reconciliation_page, name="reconciliation"),
]
