"""The client's health page and its forms (HLT-1..4). Thin: parse, check access (through
clients.access and health.access), call one service, render. A refusal shows the page again
with the reason next to the field (422); a success redirects to the page. The page shows the
latest entries of each list; the full lists (screenings, health contacts, a pregnancy's
follow-up) are pages of their own, a page at a time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bedring.accounts.access import staff_for_request, staff_view
from bedring.clients.access import client_for
from bedring.clients.models import Client, Sex
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error
from bedring.core.roles import Perm

from . import selectors, services
from .access import pregnancy_for, screening_for
from .forms import (
    FollowUpForm,
    HealthContactForm,
    PregnancyEndForm,
    PregnancyForm,
    ScreeningForm,
    ScreeningResultForm,
    VaccinationForm,
)
from .models import Screening, ScreeningResult


@dataclass
class ScreeningRow:
    screening: Screening
    result_form: ScreeningResultForm | None  # for a pending result


def _result_form(screening: Screening, data: Any = None) -> ScreeningResultForm:
    return ScreeningResultForm(data, auto_id=f"id_{screening.uuid.hex}_%s")


def _page(
    request: HttpRequest,
    client: Client,
    *,
    status: int = 200,
    open_form: str = "",
    bound: forms.Form | None = None,
    bound_screening: Screening | None = None,
) -> HttpResponse:
    """The health page; ``bound`` is a form that was refused, shown again with its errors."""
    today = clock.today(client.organisation)
    record = selectors.health_record(client)
    page_forms: dict[str, forms.Form] = {
        "screening": ScreeningForm(initial={"offered_on": today}),
        "vaccination": VaccinationForm(initial={"given_on": today, "dose": 1}),
        "contact": HealthContactForm(initial={"on": today}),
        "pregnancy": PregnancyForm(initial={"noted_on": today}),
        "end": PregnancyEndForm(initial={"on": today}),
        "followup": FollowUpForm(initial={"on": today}),
    }
    if bound is not None and open_form in page_forms:
        page_forms[open_form] = bound

    def result_form(screening: Screening) -> ScreeningResultForm | None:
        if screening.result != ScreeningResult.PENDING:
            return None
        if isinstance(bound, ScreeningResultForm) and bound_screening == screening:
            return bound
        return _result_form(screening)

    rows = [ScreeningRow(screening=s, result_form=result_form(s)) for s in record.screenings]
    # A refused form the page no longer shows (the result already recorded by someone else,
    # the pregnancy already ended): its reasons go to the top of the page instead.
    hidden = (open_form == "result" and not any(r.result_form is bound for r in rows)) or (
        open_form == "end" and record.ongoing is None
    )
    hidden_errors = (
        [str(e) for errors in bound.errors.values() for e in errors]
        if (bound is not None and hidden)
        else []
    )
    return render(
        request,
        "health/client.html",
        {
            **client_context(request, client, "health"),
            "record": record,
            "screening_rows": rows,
            "forms": page_forms,
            "open_form": open_form,
            "hidden_errors": hidden_errors,
            "today": today,
            "may_be_pregnant": client.sex in (Sex.FEMALE, Sex.UNKNOWN),
        },
        status=status,
    )


def _save(
    request: HttpRequest,
    client: Client,
    form: forms.Form,
    name: str,
    save: Callable[[dict[str, Any]], object],
    *,
    screening: Screening | None = None,
) -> HttpResponse:
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("health:client", client_uuid=client.uuid)
    return _page(request, client, status=422, open_form=name, bound=form, bound_screening=screening)


def _writable_client(request: HttpRequest, client_uuid: str, view: str) -> Client:
    staff = staff_for_request(request)
    return client_for(request, staff, client_uuid, view=view, perm=Perm.CLIENT_WRITE)


@staff_view(Perm.CLIENT_READ, scope="client")
def client_health(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """HLT-1..4: screenings, vaccinations, health contacts and pregnancy on one page."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="health")
    return _page(request, client)


def _history(
    request: HttpRequest,
    client: Client,
    *,
    title: str,
    table: str,
    page: Page[Any],
    **extra: Any,
) -> HttpResponse:
    """One page of a full list, latest first, with a link back to the health page."""
    return render(
        request,
        "health/history.html",
        {
            **client_context(request, client, "health"),
            "title": title,
            "table": table,
            "page": page,
            "health_url": reverse("health:client", args=[client.uuid]),
            **extra,
        },
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def screening_history(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """HLT-1: all the client's screenings, latest offer first, a page at a time."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="health_screenings")
    page = selectors.screening_page(client, request.GET.get("page"))
    return _history(
        request,
        client,
        title=_("Screenings"),
        table="health/partials/_screenings.html",
        page=page,
        # A result still pending can be recorded here too (the health page shows the latest).
        screening_rows=[
            ScreeningRow(
                screening=s,
                result_form=_result_form(s) if s.result == ScreeningResult.PENDING else None,
            )
            for s in page
        ],
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def contact_history(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """HLT-3: all the client's health contacts, latest first, a page at a time."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="health_contacts")
    page = selectors.health_contact_page(client, request.GET.get("page"))
    return _history(
        request,
        client,
        title=_("Health contacts"),
        table="health/partials/_contacts.html",
        page=page,
        contacts=list(page),
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def follow_up_history(request: HttpRequest, pregnancy_uuid: str) -> HttpResponse:
    """HLT-4: all the follow-up entries of a pregnancy, latest first, a page at a time."""
    staff = staff_for_request(request)
    pregnancy = pregnancy_for(request, staff, pregnancy_uuid, view="health_follow_ups")
    page = selectors.follow_up_page(pregnancy, request.GET.get("page"))
    return _history(
        request,
        pregnancy.client,
        title=_("Pregnancy follow-up"),
        table="health/partials/_follow_ups.html",
        page=page,
        follow_ups=list(page),
        pregnancy=pregnancy,
    )


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def screening_add(request: HttpRequest, client_uuid: str) -> HttpResponse:
    user = staff_for_request(request).user
    client = _writable_client(request, client_uuid, "health_screening_add")
    return _save(
        request,
        client,
        ScreeningForm(request.POST),
        "screening",
        lambda data: services.screening_record(client=client, actor=user, **data),
    )


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def screening_result(request: HttpRequest, screening_uuid: str) -> HttpResponse:
    staff = staff_for_request(request)
    screening = screening_for(
        request, staff, screening_uuid, view="health_screening_result", perm=Perm.CLIENT_WRITE
    )
    return _save(
        request,
        screening.client,
        _result_form(screening, request.POST),
        "result",
        lambda data: services.screening_result_set(screening=screening, actor=staff.user, **data),
        screening=screening,
    )


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def vaccination_add(request: HttpRequest, client_uuid: str) -> HttpResponse:
    user = staff_for_request(request).user
    client = _writable_client(request, client_uuid, "health_vaccination_add")
    return _save(
        request,
        client,
        VaccinationForm(request.POST),
        "vaccination",
        lambda data: services.vaccination_record(client=client, actor=user, **data),
    )


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def contact_add(request: HttpRequest, client_uuid: str) -> HttpResponse:
    user = staff_for_request(request).user
    client = _writable_client(request, client_uuid, "health_contact_add")
    return _save(
        request,
        client,
        HealthContactForm(request.POST),
        "contact",
        lambda data: services.health_contact_record(client=client, actor=user, **data),
    )


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def pregnancy_add(request: HttpRequest, client_uuid: str) -> HttpResponse:
    user = staff_for_request(request).user
    client = _writable_client(request, client_uuid, "health_pregnancy_add")
    return _save(
        request,
        client,
        PregnancyForm(request.POST),
        "pregnancy",
        lambda data: services.pregnancy_record(client=client, actor=user, **data),
    )


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def pregnancy_end(request: HttpRequest, pregnancy_uuid: str) -> HttpResponse:
    staff = staff_for_request(request)
    pregnancy = pregnancy_for(
        request, staff, pregnancy_uuid, view="health_pregnancy_end", perm=Perm.CLIENT_WRITE
    )
    return _save(
        request,
        pregnancy.client,
        PregnancyEndForm(request.POST),
        "end",
        lambda data: services.pregnancy_end(pregnancy=pregnancy, actor=staff.user, **data),
    )


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def follow_up_add(request: HttpRequest, pregnancy_uuid: str) -> HttpResponse:
    staff = staff_for_request(request)
    pregnancy = pregnancy_for(
        request, staff, pregnancy_uuid, view="health_follow_up_add", perm=Perm.CLIENT_WRITE
    )
    return _save(
        request,
        pregnancy.client,
        FollowUpForm(request.POST),
        "followup",
        lambda data: services.pregnancy_follow_up_record(
            pregnancy=pregnancy, actor=staff.user, **data
        ),
    )
