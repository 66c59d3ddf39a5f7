"""Pages for urine drug tests (MED-4), travel certificates (MED-5) and the co-payment ledger
(MED-9), under /medication/clients/<client>/. Thin: check access with ``client_for`` (which
logs the read), parse a form, call one service, render or redirect. A refusal is shown next
to its field with 422, never a 500."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from bedring.accounts.access import staff_for_request, staff_view
from bedring.accounts.selectors import rules_for
from bedring.clients.access import client_for
from bedring.clients.models import Client
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error
from bedring.core.roles import Perm

from .. import rules, selectors
from ..certificates import certificate_pdf as render_certificate
from ..forms import (
    ChargeWeekForm,
    PaymentForm,
    TravelCertificateForm,
    UrineTestForm,
    WriteOffForm,
)
from ..models import Prescription, PrescriptionStatus, TravelCertificate
from ..services import records


def medication_url(client: Client) -> str:
    return reverse("medication:client", args=[client.uuid])


def _page(
    request: HttpRequest, client: Client, template: str, status: int = 200, **extra: Any
) -> HttpResponse:
    staff = staff_for_request(request)
    context = client_context(
        request,
        client,
        "medication",
        can_prescribe=staff.can(Perm.PRESCRIBE, client.organisation_id),
        medication_url=medication_url(client),
        **extra,
    )
    return render(request, template, context, status=status)


def _form_page(
    request: HttpRequest,
    client: Client,
    *,
    form: forms.Form,
    save: Callable[[dict[str, Any]], object],
    done: Callable[[object], str],
    title: str,
    template: str,
    **extra: Any,
) -> HttpResponse:
    """GET shows the form; a valid POST calls the service and redirects to the address
    ``done`` gives for the result; a refusal is shown next to its field with 422."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect(done(result))
    status = 422 if request.method == "POST" else 200
    return _page(request, client, template, status=status, form=form, title=title, **extra)


# --- urine tests (MED-4) -------------------------------------------------------------------


@staff_view(Perm.CLIENT_READ, scope="client")
def urine_tests(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """MED-4: all the client's urine tests, newest first, a page at a time, with the trend."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="urine_tests")
    page, rows, columns = selectors.urine_page(client, request.GET.get("page"))
    return _page(
        request,
        client,
        "medication/records/urine_tests.html",
        page=page,
        rows=rows,
        columns=columns,
        chart=selectors.urine_trend(client, clock.today(client.organisation)),
    )


@staff_view(Perm.CLIENT_WRITE, scope="client")
def urine_test_new(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """MED-4: record a urine drug test with a result per substance group."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="urine_test_new", perm=Perm.CLIENT_WRITE)
    form = UrineTestForm(
        request.POST or None, initial={"sampled_on": clock.today(client.organisation)}
    )

    def save(data: dict[str, Any]) -> object:
        return records.urine_test_record(
            client=client,
            actor=staff.user,
            sampled_on=data["sampled_on"],
            supervised=data["supervised"],
            results=form.results(),
            note=data["note"],
        )

    def done(_test: object) -> str:
        messages.success(request, _("The urine test is recorded."))
        return medication_url(client)

    return _form_page(
        request,
        client,
        form=form,
        save=save,
        done=done,
        title=_("Record a urine drug test"),
        template="medication/records/urine_test_form.html",
    )


# --- travel certificates (MED-5) -----------------------------------------------------------


def _certificate_of(client: Client, certificate_uuid: str) -> TravelCertificate:
    certificate = (
        TravelCertificate.objects.filter(client=client, uuid=certificate_uuid)
        .select_related("prescription__medicine", "version__site", "issued_by")
        .first()
    )
    if certificate is None:
        raise Http404
    certificate.client = client
    return certificate


def certificate_url(certificate: TravelCertificate) -> str:
    return reverse(
        "medication:certificate_detail", args=[certificate.client.uuid, certificate.uuid]
    )


@staff_view(Perm.PRESCRIBE, scope="client")
def certificate_new(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """MED-5: a doctor issues a travel certificate from one of the client's prescriptions."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="certificate_new", perm=Perm.PRESCRIBE)
    prescriptions = list(
        Prescription.objects.filter(client=client)
        .exclude(status=PrescriptionStatus.ENDED)
        .select_related("medicine")
    )
    today = clock.today(client.organisation)
    form = TravelCertificateForm(
        request.POST or None,
        prescriptions=prescriptions,
        initial={"travel_from": today, "travel_to": today},
    )
    by_uuid = {str(p.uuid): p for p in prescriptions}

    def save(data: dict[str, Any]) -> object:
        return records.travel_certificate_issue(
            client=client,
            prescription=by_uuid[data["prescription"]],
            actor=staff.user,
            travel_from=data["travel_from"],
            travel_to=data["travel_to"],
            countries=data["countries"],
            schengen=data["schengen"],
        )

    def done(certificate: object) -> str:
        assert isinstance(certificate, TravelCertificate)  # noqa: S101 - narrows the type
        messages.success(request, _("The certificate is issued. Print it and sign it."))
        return certificate_url(certificate)

    return _form_page(
        request,
        client,
        form=form,
        save=save,
        done=done,
        title=_("Issue a travel certificate"),
        template="medication/records/certificate_form.html",
        prescriptions=prescriptions,
        max_days=rules_for(client.organisation).travel_certificate_max_days,
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def certificate_detail(
    request: HttpRequest, client_uuid: str, certificate_uuid: str
) -> HttpResponse:
    """MED-5: what the certificate says, and its PDF."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="travel_certificate")
    certificate = _certificate_of(client, certificate_uuid)
    return _page(
        request,
        client,
        "medication/records/certificate_detail.html",
        certificate=certificate,
        days=rules.travel_days(certificate.travel_from, certificate.travel_to),
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def certificate_pdf(request: HttpRequest, client_uuid: str, certificate_uuid: str) -> HttpResponse:
    """MED-5: the certificate as a PDF, regenerated from the stored row. A print of client
    data: logged with channel "print"."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="travel_certificate_pdf", channel="print")
    pdf, document = render_certificate(_certificate_of(client, certificate_uuid))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=document.filename
    )
    response["Content-Language"] = document.language
    response["Cache-Control"] = "no-store"
    return response


# --- co-payments (MED-9) -------------------------------------------------------------------


def copayments_url(client: Client) -> str:
    return reverse("medication:copayments", args=[client.uuid])


@staff_view(Perm.CLIENT_READ, scope="client")
def copayments(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """MED-9: the client's co-payment ledger with the running balance; where no co-payment
    is charged (DK, NO), the page says so."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="copayments")
    applies = selectors.copayments_apply(client)
    extra: dict[str, Any] = {"applies": applies}
    if applies:
        extra["page"], extra["lines"] = selectors.ledger_page(client, request.GET.get("page"))
        extra["balance"] = selectors.copayment_balance(client)
    return _page(request, client, "medication/records/copayments.html", **extra)


def _copayment_form(
    request: HttpRequest,
    client_uuid: str,
    *,
    view: str,
    make_form: Callable[[Client], forms.Form],
    save: Callable[[Client, Any, dict[str, Any]], object],
    done: str,
    title: str,
) -> HttpResponse:
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view=view, perm=Perm.CLIENT_WRITE)

    def finished(_result: object) -> str:
        messages.success(request, done)
        return copayments_url(client)

    return _form_page(
        request,
        client,
        form=make_form(client),
        save=lambda data: save(client, staff.user, data),
        done=finished,
        title=title,
        template="medication/records/copayment_form.html",
        applies=selectors.copayments_apply(client),
        copayments_url=copayments_url(client),
    )


@staff_view(Perm.CLIENT_WRITE, scope="client")
def copayment_charge(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """MED-9: charge one ended week (week price share and medicine share per dose)."""

    def make_form(client: Client) -> forms.Form:
        last_week = clock.today(client.organisation) - datetime.timedelta(days=7)
        return ChargeWeekForm(request.POST or None, initial={"week": rules.week_of(last_week)})

    return _copayment_form(
        request,
        client_uuid,
        view="copayment_charge",
        make_form=make_form,
        save=lambda client, actor, data: records.copayment_charge_week(
            client=client, actor=actor, week=data["week"]
        ),
        done=_("The week is charged."),
        title=_("Charge a week"),
    )


@staff_view(Perm.CLIENT_WRITE, scope="client")
def copayment_payment(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """MED-9: record a payment."""
    return _copayment_form(
        request,
        client_uuid,
        view="copayment_payment",
        make_form=lambda client: PaymentForm(
            request.POST or None, initial={"on": clock.today(client.organisation)}
        ),
        save=lambda client, actor, data: records.copayment_payment_record(
            client=client, actor=actor, amount=data["amount"], on=data["on"], note=data["note"]
        ),
        done=_("The payment is recorded."),
        title=_("Record a payment"),
    )


@staff_view(Perm.CLIENT_WRITE, scope="client")
def copayment_write_off(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """MED-9: write off an amount the client cannot pay, with the reason."""
    return _copayment_form(
        request,
        client_uuid,
        view="copayment_write_off",
        make_form=lambda client: WriteOffForm(
            request.POST or None, initial={"on": clock.today(client.organisation)}
        ),
        save=lambda client, actor, data: records.copayment_write_off(
            client=client, actor=actor, amount=data["amount"], on=data["on"], note=data["note"]
        ),
        done=_("The amount is written off."),
        title=_("Write off"),
    )


CLIENT = "clients/<uuid:client_uuid>/"
CERTIFICATE = f"{CLIENT}travel-certificates/<uuid:certificate_uuid>/"

urlpatterns: list[URLPattern] = [
    path(f"{CLIENT}urine-tests/", urine_tests, name="urine_tests"),
    path(f"{CLIENT}urine-tests/new/", urine_test_new, name="urine_test_new"),
    path(f"{CLIENT}travel-certificates/new/", certificate_new, name="certificate_new"),
    path(CERTIFICATE, certificate_detail, name="certificate_detail"),
    path(f"{CERTIFICATE}pdf/", certificate_pdf, name="certificate_pdf"),
    path(f"{CLIENT}co-payments/", copayments, name="copayments"),
    path(f"{CLIENT}co-payments/charge/", copayment_charge, name="copayment_charge"),
    path(f"{CLIENT}co-payments/payment/", copayment_payment, name="copayment_payment"),
    path(f"{CLIENT}co-payments/write-off/", copayment_write_off, name="copayment_write_off"),
]
