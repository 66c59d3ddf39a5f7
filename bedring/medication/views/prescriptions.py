"""The client's medication and prescriptions (MED-1, MED-2, MED-3, MED-8). Thin: parse, check
access, call one service, render.

Prescribing and changing a prescription ask first, without JavaScript (the pattern of
:mod:`bedring.core.confirm`): a valid post without ``confirm=1`` writes nothing (the service
runs in a rolled-back dry run, so a refusal shows at once) and answers the same form, still
filled in, with the prescription in one sentence, its facts and its warnings (supervised days
on which the site gives no medication). The confirm button posts the same fields with
``confirm=1`` and the fingerprint of the terms summarised: terms changed after the summary
are summarised again, never saved unseen.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bedring.accounts.access import staff_for_request, staff_view
from bedring.clients.access import client_for
from bedring.clients.models import Client
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.confirm import Confirmation, confirm_page, confirmed, dry_run, editing
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error
from bedring.core.roles import Perm

from .. import selectors
from ..access import prescription_for
from ..forms import EndForm, PrescriptionForm, ReviewForm
from ..models import Medicine, Prescription, PrescriptionVersion
from ..selectors import records_context
from ..services import prescribing
from ..summary import prescription_summary

SUMMARY = "summary"  # the hidden field: the fingerprint of the terms the doctor confirmed


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


def _fingerprint(form: PrescriptionForm) -> str:
    """The terms as cleaned, in one string: what the summary the doctor saw was of."""
    canonical = {
        name: value.pk if isinstance(value, models.Model) else value
        for name, value in sorted(form.cleaned_data.items())
    }
    text = json.dumps(canonical, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _terms_page(
    request: HttpRequest,
    *,
    client: Client,
    form: PrescriptionForm,
    medicine: Callable[[], Medicine],
    save: Callable[[], object],
    saved: Callable[[object], HttpResponse],
    context: dict[str, Any],
) -> HttpResponse:
    """The prescription form, then its summary to confirm, then the save (see the module)."""
    if request.method == "POST" and form.is_valid():
        fingerprint = _fingerprint(form)
        sent = request.POST.get(SUMMARY, "")
        try:
            if confirmed(request) and sent == fingerprint:
                return saved(save())
            dry_run(save)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            summary = prescription_summary(medicine=medicine(), terms=form.terms())
            return render(
                request,
                "medication/prescription_form.html",
                client_context(
                    request,
                    client,
                    "medication",
                    form=form,
                    summary=summary,
                    fingerprint=fingerprint,
                    changed_since_summary=bool(sent) and sent != fingerprint,
                    **context,
                ),
            )
    return render(
        request,
        "medication/prescription_form.html",
        client_context(request, client, "medication", form=form, **context),
        status=422 if form.errors else 200,
    )


@staff_view(Perm.PRESCRIBE, scope="client")
def prescribe(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """MED-1, MED-3, MED-8: a doctor prescribes, after checking the summary."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="prescribe", perm=Perm.PRESCRIBE)
    organisation = client.organisation
    form = PrescriptionForm(
        request.POST or None,
        organisation=organisation,
        initial=_initial_terms(None, clock.today(organisation)),
    )

    def save() -> Prescription:
        return prescribing.prescription_create(
            client=client,
            actor=staff.user,
            medicine=form.cleaned_data["medicine"],
            terms=form.terms(),
        )

    def saved(prescription: object) -> HttpResponse:
        assert isinstance(prescription, Prescription)  # noqa: S101 - narrows the type
        messages.success(request, _("The prescription is saved."))
        return redirect("medication:prescription", prescription_uuid=prescription.uuid)

    return _terms_page(
        request,
        client=client,
        form=form,
        medicine=lambda: form.cleaned_data["medicine"],
        save=save,
        saved=saved,
        context={
            "changing": False,
            "cancel_url": reverse("medication:client", args=[client.uuid]),
        },
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
    """MED-1: a change is a new version; a large dose change needs a reason. Checked in a
    summary before it is saved, like a new prescription."""
    staff = staff_for_request(request)
    prescription = prescription_for(
        request, staff, prescription_uuid, view="prescription_change", perm=Perm.PRESCRIBE
    )
    current = selectors.current_version(prescription)
    today = clock.today(prescription.organisation)
    form = PrescriptionForm(
        request.POST or None,
        organisation=prescription.organisation,
        changing=True,
        medicine=prescription.medicine,
        initial=_initial_terms(current, today),
    )

    def save() -> PrescriptionVersion:
        return prescribing.prescription_change(
            prescription=prescription,
            actor=staff.user,
            terms=form.terms(),
            reason=form.cleaned_data["reason"],
            today=today,
        )

    def saved(_version: object) -> HttpResponse:
        messages.success(request, _("The prescription is changed; the old version is kept."))
        return redirect("medication:prescription", prescription_uuid=prescription.uuid)

    return _terms_page(
        request,
        client=prescription.client,
        form=form,
        medicine=lambda: prescription.medicine,
        save=save,
        saved=saved,
        context={
            "changing": True,
            "prescription": prescription,
            "current": current,
            "cancel_url": reverse("medication:prescription", args=[prescription.uuid]),
        },
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
                (_("Medicine"), prescription.medicine.display_name),
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
]
