"""Client pages. Thin: parse, check access (through clients.access), call a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bedring.accounts.access import staff_for_request, staff_view
from bedring.audit.services import access_search_results
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error
from bedring.core.paging import Paginator
from bedring.core.roles import Perm

from . import selectors, services
from .access import client_for
from .forms import (
    ChildForm,
    ClientForm,
    ConsentForm,
    ConsentWithdrawForm,
    RelativeForm,
)
from .models import Client, Consent, Relative

PAGE_SIZE = 50


# The tabs of a client page, in order: (key, label, URL name). Packages above the clients are
# named by URL only, so this module imports none of them. The access log needs AUDIT_READ.
CLIENT_TABS: tuple[tuple[str, Any, str], ...] = (
    ("overview", gettext_lazy("Overview"), "web:client_detail"),
    ("pathway", gettext_lazy("Pathway"), "pathway:client_episodes"),
    ("medication", gettext_lazy("Medication"), "medication:client"),
    ("health", gettext_lazy("Health"), "health:client"),
    ("journal", gettext_lazy("Journal"), "journal:client"),
    ("appointments", gettext_lazy("Appointments"), "appointments:client"),
    ("referrals", gettext_lazy("Referrals"), "referrals:client"),
    ("documents", gettext_lazy("Documents"), "documents:client"),
    ("access", gettext_lazy("Access log"), "web:client_log"),
)


def client_tabs(request: HttpRequest, client: Client, current: str) -> list[dict[str, Any]]:
    """The tabs of a client page (CLIENT_TABS), the current one marked."""
    staff = staff_for_request(request)
    may_audit = staff.can(Perm.AUDIT_READ, client.organisation_id)
    return [
        {
            "key": key,
            "label": label,
            "url": reverse(url_name, args=[client.uuid]),
            "current": key == current,
        }
        for key, label, url_name in CLIENT_TABS
        if key != "access" or may_audit
    ]


def client_context(request: HttpRequest, client: Client, tab: str, **extra: Any) -> dict[str, Any]:
    staff = staff_for_request(request)
    return {
        "client": client,
        "tabs": client_tabs(request, client, tab),
        "can_write": staff.can(Perm.CLIENT_WRITE, client.organisation_id),
        **extra,
    }


@staff_view(Perm.CLIENT_READ)
def client_list(request: HttpRequest) -> HttpResponse:
    """PRV-1: the list starts empty, with the search and the clients this staff member opened
    recently in the active organisation; a search lists what matches. Identifiers are masked
    in both lists (the opened record shows them whole), and every client listed is logged as
    seen."""
    staff = staff_for_request(request)
    query = request.GET.get("q", "").strip()
    search_error = None
    page = None
    recent: list[Client] = []
    if query:
        try:
            results = selectors.client_search(organisation_ids=[staff.organisation.pk], query=query)
        except DomainError as exc:  # digits of another script: say so rather than find nobody
            results, search_error = Client.objects.none(), exc.message
        page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
        listed, view = list(page.object_list), "client_search"
    else:
        recent = selectors.recent_clients(
            actor_id=staff.user.pk, organisation_id=staff.organisation.pk
        )
        listed, view = recent, "recent_clients"
    access_search_results(
        actor=staff.user, clients=listed, view=view, channel="html", request=request
    )
    template = "clients/partials/_results.html" if request.htmx else "clients/list.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {"page": page, "query": query, "search_error": search_error, "recent": recent},
    )


def _client_form_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {k: ("" if v is None and k != "birth_date" else v) for k, v in data.items()}


@staff_view(Perm.CLIENT_WRITE)
def client_create(request: HttpRequest) -> HttpResponse:
    staff = staff_for_request(request)
    form = ClientForm(request.POST or None, jurisdiction=staff.organisation.jurisdiction)
    duplicate_url = None
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_register(
                organisation=staff.organisation, **_client_form_kwargs(form.cleaned_data)
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            if exc.code == "duplicate_client" and "client" in exc.details:
                duplicate_url = reverse("web:client_detail", args=[exc.details["client"]])
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": client.display_name})
            return redirect("web:client_detail", client_uuid=client.uuid)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "clients/form.html",
        {"form": form, "duplicate_url": duplicate_url, "organisation": staff.organisation},
        status=status,
    )


@staff_view(Perm.CLIENT_WRITE, scope="client")
def client_edit(request: HttpRequest, client_uuid: str) -> HttpResponse:
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="client_edit", perm=Perm.CLIENT_WRITE)
    initial = {
        name: getattr(client, name) for name in ClientForm.base_fields if name != "national_id"
    }
    initial["national_id"] = client.national_id
    form = ClientForm(
        request.POST or None, initial=initial, jurisdiction=client.organisation.jurisdiction
    )
    if request.method == "POST" and form.is_valid():
        changes = {
            k: v
            for k, v in _client_form_kwargs(form.cleaned_data).items()
            if k in form.changed_data
        }
        try:
            services.client_update(client=client, changes=changes)
        except DomainError as exc:
            add_domain_error(form, exc)
            client.refresh_from_db()
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("web:client_detail", client_uuid=client.uuid)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "clients/form.html",
        client_context(request, client, "overview", form=form),
        status=status,
    )


def _write_form_page(
    request: HttpRequest,
    client_uuid: str,
    view: str,
    form_class: type,
    title: str,
    save: Any,
    instance: Any = None,
    initial: dict[str, Any] | None = None,
) -> HttpResponse:
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view=view, perm=Perm.CLIENT_WRITE)
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save(client, form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("web:client_detail", client_uuid=client.uuid)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "clients/subform.html",
        client_context(request, client, "overview", form=form, title=title),
        status=status,
    )


@staff_view(Perm.CLIENT_WRITE, scope="client")
def relative_add(request: HttpRequest, client_uuid: str) -> HttpResponse:
    return _write_form_page(
        request,
        client_uuid,
        "relative_add",
        RelativeForm,
        _("Add a relative or network person"),
        lambda client, data: services.relative_save(client=client, **data),
    )


@staff_view(Perm.CLIENT_WRITE, scope="client")
def relative_edit(request: HttpRequest, client_uuid: str, relative_uuid: str) -> HttpResponse:
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="relative_edit", perm=Perm.CLIENT_WRITE)
    relative = Relative.objects.filter(client=client, uuid=relative_uuid).first()
    if relative is None:
        raise Http404
    initial = {name: getattr(relative, name) for name in RelativeForm.base_fields}
    form = RelativeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.relative_save(client=client, relative=relative, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("web:client_detail", client_uuid=client.uuid)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "clients/subform.html",
        client_context(request, client, "overview", form=form, title=relative.name),
        status=status,
    )


@staff_view(Perm.CLIENT_WRITE, scope="client")
def consent_add(request: HttpRequest, client_uuid: str) -> HttpResponse:
    return _write_form_page(
        request,
        client_uuid,
        "consent_add",
        ConsentForm,
        _("Record a consent"),
        lambda client, data: services.consent_add(client=client, **data),
    )


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def consent_withdraw(request: HttpRequest, client_uuid: str, consent_uuid: str) -> HttpResponse:
    staff = staff_for_request(request)
    client = client_for(
        request, staff, client_uuid, view="consent_withdraw", perm=Perm.CLIENT_WRITE
    )
    consent = Consent.objects.filter(client=client, uuid=consent_uuid).first()
    if consent is None:
        raise Http404
    form = ConsentWithdrawForm(request.POST)
    form.is_valid()
    try:
        services.consent_withdraw(consent=consent, reason=form.cleaned_data.get("reason", ""))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The consent is withdrawn."))
    return redirect("web:client_detail", client_uuid=client.uuid)


@staff_view(Perm.CLIENT_WRITE, scope="client")
def child_add(request: HttpRequest, client_uuid: str) -> HttpResponse:
    return _write_form_page(
        request,
        client_uuid,
        "child_add",
        ChildForm,
        _("Add a child living at home"),
        lambda client, data: services.child_add(client=client, **data),
        initial={"lives_with_client": True},
    )
