"""The client's medication, prescriptions, the dispensing desk and the stock (MED-1, MED-2,
MED-3, MED-6). Thin: parse, check access, call one service, render."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bedring.accounts.access import staff_for_request, staff_view
from bedring.accounts.models import HoursKind, Site
from bedring.audit.services import access_search_results
from bedring.clients.access import client_for
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.confirm import Confirmation, confirm_page, confirmed, dry_run, editing
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error
from bedring.core.roles import Perm

from .. import selectors
from ..access import prescription_for, site_for
from ..forms import (
    EndForm,
    ExceptionForm,
    ObservationForm,
    PeriodForm,
    PrescriptionForm,
    ReviewForm,
    StockForm,
)
from ..models import Prescription, PrescriptionVersion
from ..selectors import records_context
from ..services import dispensing as dosing
from ..services import prescribing, stock

# --- the client's medication ---------------------------------------------------------------


@staff_view(Perm.CLIENT_READ, scope="client")
def client_medication(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """MED-1, MED-2, MED-4: the client's prescriptions, last doses, urine tests, travel
    certificates and (BE) co-payments."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="client_medication")
    return render(
        request,
        "medication/client.html",
        client_context(
            request,
            client,
            "medication",
            medication=selectors.client_medication(client),
            can_prescribe=staff.can(Perm.PRESCRIBE, client.organisation_id),
            **records_context(client, staff),
        ),
    )


def _initial_terms(version: PrescriptionVersion | None, today: datetime.date) -> dict[str, Any]:
    if version is None:
        return {"starts_on": today, "supervised_weekdays": [0, 1, 2, 3, 4], "delivery": "clinic"}
    return {
        "daily_dose": version.daily_dose,
        "starts_on": version.starts_on,
        "ends_on": version.ends_on,
        "supervised_weekdays": version.supervised_weekdays,
        "take_home_weekdays": version.take_home_weekdays,
        "pickup_interval_days": version.pickup_interval_days,
        "site": version.site.slug,
        "delivery": version.delivery,
        "delivery_to": version.delivery_to,
        "instructions": version.instructions,
    }


@staff_view(Perm.PRESCRIBE, scope="client")
def prescribe(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """MED-1, MED-3, MED-8: a doctor prescribes."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="prescribe", perm=Perm.PRESCRIBE)
    organisation = client.organisation
    form = PrescriptionForm(
        request.POST or None,
        organisation=organisation,
        initial=_initial_terms(None, clock.today(organisation)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            prescription = prescribing.prescription_create(
                client=client,
                actor=staff.user,
                medicine=form.cleaned_data["medicine"],
                terms=form.terms(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The prescription is saved."))
            return redirect("medication:prescription", prescription_uuid=prescription.uuid)
    return render(
        request,
        "medication/prescription_form.html",
        client_context(request, client, "medication", form=form, changing=False),
        status=422 if form.errors else 200,
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def prescription_detail(request: HttpRequest, prescription_uuid: str) -> HttpResponse:
    """MED-1, MED-2: a prescription with every version and the doses handed out."""
    staff = staff_for_request(request)
    prescription = prescription_for(request, staff, prescription_uuid, view="prescription")
    page = selectors.prescription_page(prescription)
    return render(
        request,
        "medication/prescription.html",
        client_context(
            request,
            prescription.client,
            "medication",
            page=page,
            can_prescribe=staff.can(Perm.PRESCRIBE, prescription.organisation_id),
            end_form=EndForm(initial={"on": clock.today(prescription.organisation)}),
            review_form=ReviewForm(),
        ),
    )


@staff_view(Perm.PRESCRIBE, scope="client")
def prescription_change(request: HttpRequest, prescription_uuid: str) -> HttpResponse:
    """MED-1: a change is a new version; a large dose change needs a reason."""
    staff = staff_for_request(request)
    prescription = prescription_for(
        request, staff, prescription_uuid, view="prescription_change", perm=Perm.PRESCRIBE
    )
    current = selectors.current_version(prescription)
    form = PrescriptionForm(
        request.POST or None,
        organisation=prescription.organisation,
        changing=True,
        initial=_initial_terms(current, clock.today(prescription.organisation)),
    )
    if request.method == "POST" and form.is_valid():
        try:
            prescribing.prescription_change(
                prescription=prescription,
                actor=staff.user,
                terms=form.terms(),
                reason=form.cleaned_data["reason"],
                today=clock.today(prescription.organisation),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The prescription is changed; the old version is kept."))
            return redirect("medication:prescription", prescription_uuid=prescription.uuid)
    return render(
        request,
        "medication/prescription_form.html",
        client_context(
            request,
            prescription.client,
            "medication",
            form=form,
            changing=True,
            prescription=prescription,
            current=current,
        ),
        status=422 if form.errors else 200,
    )


def _prescription_action(
    request: HttpRequest,
    prescription_uuid: str,
    *,
    view: str,
    form_class: type,
    run: Any,
    confirmation: Any = None,
) -> HttpResponse:
    """A doctor's action on a prescription. With ``confirmation`` (ending it, which cannot be
    undone) the first valid post writes nothing and asks; ``confirm=1`` acts (REF-2)."""
    staff = staff_for_request(request)
    prescription = prescription_for(
        request, staff, prescription_uuid, view=view, perm=Perm.PRESCRIBE
    )
    form = form_class(request.POST or None)
    context = client_context(
        request, prescription.client, "medication", form=form, prescription=prescription
    )
    if request.method == "POST" and not editing(request) and form.is_valid():
        try:
            if confirmation is not None and not confirmed(request):
                dry_run(lambda: run(prescription, staff, form.cleaned_data))
                return confirm_page(request, confirmation(prescription, form.cleaned_data), context)
            run(prescription, staff, form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("medication:prescription", prescription_uuid=prescription.uuid)
    return render(
        request,
        "medication/prescription_action.html",
        context,
        status=422 if form.errors else 200,
    )


@staff_view(Perm.PRESCRIBE, scope="client")
def prescription_end(request: HttpRequest, prescription_uuid: str) -> HttpResponse:
    """MED-1: a doctor ends a prescription."""

    def run(prescription: Prescription, staff: Any, data: dict[str, Any]) -> None:
        prescribing.prescription_end(
            prescription=prescription,
            actor=staff.user,
            on=data["on"],
            reason=data["reason"],
            today=clock.today(prescription.organisation),
        )
        if confirmed(request):
            messages.success(request, _("The prescription has ended: the desk no longer lists it."))

    def confirmation(prescription: Prescription, data: dict[str, Any]) -> Confirmation:
        return Confirmation(
            title=_("End the prescription?"),
            action=_("End the prescription"),
            cancel_url=reverse("medication:prescription", args=[prescription.uuid]),
            can_edit=True,
            facts=[
                (_("Medicine"), prescription.medicine.name),
                (_("Ends on"), date_format(data["on"])),
                (_("Reason"), data["reason"]),
            ],
            consequences=[
                _(
                    "An ended prescription cannot be started again: a new prescription is "
                    "needed. No dose is handed out after the end; its versions and doses stay "
                    "on record."
                )
            ],
        )

    return _prescription_action(
        request,
        prescription_uuid,
        view="prescription_end",
        form_class=EndForm,
        run=run,
        confirmation=confirmation,
    )


@staff_view(Perm.PRESCRIBE, scope="client")
def prescription_review(request: HttpRequest, prescription_uuid: str) -> HttpResponse:
    """MED-2: a doctor reviews a prescription on hold and lifts the hold."""

    def run(prescription: Prescription, staff: Any, data: dict[str, Any]) -> None:
        prescribing.prescription_review(
            prescription=prescription, actor=staff.user, note=data["note"]
        )
        messages.success(request, _("The hold is lifted."))

    return _prescription_action(
        request, prescription_uuid, view="prescription_review", form_class=ReviewForm, run=run
    )


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
            "sites": _medication_sites(site.organisation_id),
            "error": error,
            "error_row": error_row,
            "observation_form": ObservationForm(),
            "effects": ObservationForm.base_fields["effect"].choices,  # type: ignore[attr-defined]
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
    request: HttpRequest, site: Site, prescription: Prescription, *, error: str = ""
) -> HttpResponse:
    """htmx: the one row, swapped in place. Only this client is shown (its read was logged
    by prescription_for), so a morning of doses does not log the whole list again per dose.
    A refusal is shown in the row (200: htmx swaps only successful answers)."""
    today = selectors.desk(site, now=clock.now(), prescription_ids=[prescription.pk])
    context = {
        "desk": today,
        "error": error,
        "error_row": str(prescription.uuid) if error else "",
        "effects": ObservationForm.base_fields["effect"].choices,  # type: ignore[attr-defined]
    }
    if not today.rows:
        context["prescription"] = prescription
        return render(request, "medication/partials/_desk_row_gone.html", context)
    return render(request, "medication/partials/_desk_row.html", {**context, "row": today.rows[0]})


def _desk_answer(
    request: HttpRequest, site: Site, prescription: Prescription, *, error: str = ""
) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return _row_response(request, site, prescription, error=error)
    if error:
        return _desk_response(request, site, error=error, error_row=str(prescription.uuid))
    return _back_to_row(site, prescription)


@staff_view(Perm.DISPENSE)
def desk_dispense(request: HttpRequest, site_uuid: str, prescription_uuid: str) -> HttpResponse:
    """MED-2: one tap records today's supervised dose, with an optional observation."""
    staff, site, prescription = _desk_prescription(request, site_uuid, prescription_uuid)
    if request.method != "POST":
        return _back_to_row(site, prescription)
    form = ObservationForm(request.POST)
    if not form.is_valid():
        return _desk_answer(request, site, prescription, error=_("Choose an effect from the list."))
    try:
        dosing.dispense(
            prescription=prescription,
            actor=staff.user,
            site=site,
            observation=dosing.Observation(**form.cleaned_data),
        )
    except DomainError as exc:
        return _desk_answer(request, site, prescription, error=str(exc.message))
    if not request.htmx:  # type: ignore[attr-defined]
        messages.success(
            request,
            _("Dose recorded for %(client)s.") % {"client": prescription.client.display_name},
        )
    return _desk_answer(request, site, prescription)


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
    if not request.htmx:  # type: ignore[attr-defined]
        messages.success(
            request,
            _("%(count)s take-home doses handed out for %(client)s.")
            % {"count": len(made), "client": prescription.client.display_name},
        )
    return _desk_answer(request, site, prescription)


@staff_view(Perm.DISPENSE)
def desk_exception(request: HttpRequest, site_uuid: str, prescription_uuid: str) -> HttpResponse:
    """MED-2: a second dose only as an exception (lost, vomited, extra) with a reason."""
    staff, site, prescription = _desk_prescription(request, site_uuid, prescription_uuid)
    form = ExceptionForm(request.POST or None)
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
    path("clients/<uuid:client_uuid>/", client_medication, name="client"),
    path("clients/<uuid:client_uuid>/prescribe/", prescribe, name="prescribe"),
    path("prescriptions/<uuid:prescription_uuid>/", prescription_detail, name="prescription"),
    path(
        "prescriptions/<uuid:prescription_uuid>/change/",
        prescription_change,
        name="prescription_change",
    ),
    path("prescriptions/<uuid:prescription_uuid>/end/", prescription_end, name="prescription_end"),
    path(
        "prescriptions/<uuid:prescription_uuid>/review/",
        prescription_review,
        name="prescription_review",
    ),
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
    path("stock/<uuid:site_uuid>/", stock_page, name="stock"),
    path("stock/<uuid:site_uuid>/reconciliation/", reconciliation_page, name="reconciliation"),
]
