"""Codes (pseudonyms, PRV-4): the organisation's codes with their contacts, a code's page,
the person behind a code becoming a client (with their consent), and merging two codes that
turned out to be one person (asked first: it cannot be undone)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from bedring.accounts.access import Staff, staff_for_request, staff_view
from bedring.audit.services import access_search_results
from bedring.clients.access import client_for
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.confirm import Confirmation, confirm_page, confirmed, dry_run, editing
from bedring.core.errors import DomainError, ValidationFailed
from bedring.core.forms import add_domain_error
from bedring.core.paging import Paginator
from bedring.core.roles import Perm

from .. import selectors
from ..access import pseudonym_for
from ..forms import MergeForm, PseudonymClientForm
from ..models import Pseudonym
from ..services import people as services
from .contacts import _names, log_seen, shown

PAGE_SIZE = 50


@dataclass(frozen=True)
class ShownCode:
    pseudonym: Pseudonym
    contact_count: int
    last: datetime.datetime | None  # the latest contact on the organisation's wall clock
    client: Client | None  # the client the person became, for who reads records


def _client_shown(staff: Staff, pseudonym: Pseudonym) -> Client | None:
    if pseudonym.client is None or not staff.can(Perm.CLIENT_READ, pseudonym.organisation_id):
        return None
    return pseudonym.client


@staff_view(Perm.HARM_REDUCTION)
def pseudonym_list(request: HttpRequest) -> HttpResponse:
    """The organisation's codes, the ones met most recently first, with how many contacts
    each has; a search finds codes starting with what was typed."""
    staff = staff_for_request(request)
    organisation = staff.organisation
    query = request.GET.get("q", "").strip()[:32]
    page = Paginator(selectors.pseudonym_rows(organisation, query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    zone = clock.zone(organisation)
    rows = [
        ShownCode(
            pseudonym=p,
            contact_count=getattr(p, "contact_count", 0),
            last=p.last_at.astimezone(zone).replace(tzinfo=None) if p.last_at else None,
            client=_client_shown(staff, p),
        )
        for p in page.object_list
    ]
    access_search_results(
        actor=staff.user,
        clients=list({r.client.pk: r.client for r in rows if r.client}.values()),
        view="outreach_codes",
        channel="html",
        request=request,
    )
    return render(
        request,
        "outreach/pseudonyms.html",
        {
            "page": page,
            "rows": rows,
            "query": query,
            "has_outreach": selectors.has_outreach(organisation.pk),
        },
    )


@staff_view(Perm.HARM_REDUCTION)
def pseudonym_detail(request: HttpRequest, pseudonym_uuid: str) -> HttpResponse:
    """A code: when the person agreed to it, its contacts, the codes merged into it, and
    what can be done with it."""
    staff = staff_for_request(request)
    pseudonym = pseudonym_for(staff, pseudonym_uuid)
    organisation = pseudonym.organisation
    page = Paginator(selectors.pseudonym_contacts(pseudonym), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = shown(
        page.object_list, staff=staff, organisation=organisation, names=_names(organisation)
    )
    client = _client_shown(staff, pseudonym)
    log_seen(request, staff, rows, "outreach_code")
    if client is not None and not any(r.client == client for r in rows):
        access_search_results(
            actor=staff.user,
            clients=[client],
            view="outreach_code",
            channel="html",
            request=request,
        )
    open_code = pseudonym.merged_into_id is None
    return render(
        request,
        "outreach/pseudonym.html",
        {
            "pseudonym": pseudonym,
            "agreed_on": pseudonym.consent_at.astimezone(clock.zone(organisation)).date(),
            "page": page,
            "rows": rows,
            "client": client,
            "merged": selectors.merged_codes(pseudonym),
            "may_register": open_code
            and pseudonym.client_id is None
            and staff.can(Perm.CLIENT_WRITE, organisation.pk),
            "may_merge": open_code,
        },
    )


def _registration(data: dict[str, Any]) -> dict[str, Any]:
    """The client registration's fields as its service takes them (text never None)."""
    return {
        name: ("" if value is None and name != "birth_date" else value)
        for name, value in data.items()
        if name in services.REGISTRATION_FIELDS
    }


@staff_view(Perm.HARM_REDUCTION)
def pseudonym_client(request: HttpRequest, pseudonym_uuid: str) -> HttpResponse:
    """PRV-4: the person behind the code becomes a client, with their consent; their street
    contacts join the record. Someone already registered is joined instead."""
    staff = staff_for_request(request)
    pseudonym = pseudonym_for(staff, pseudonym_uuid)
    organisation = pseudonym.organisation
    if not staff.can(Perm.CLIENT_WRITE, organisation.pk):
        raise PermissionDenied
    form = PseudonymClientForm(
        request.POST if request.method == "POST" else None,
        jurisdiction=organisation.jurisdiction,
    )
    duplicate: Client | None = None
    status = 200
    if request.method == "POST":
        status = 422
        # Joining a client found by the registration posts only the consent and the client.
        joining = str(request.POST.get("existing") or "")
        if joining or form.is_valid():
            try:
                existing = None
                if joining:
                    try:
                        existing = client_for(
                            request,
                            staff,
                            joining,
                            view="pseudonym_client",
                            perm=Perm.CLIENT_WRITE,
                        )
                    except Http404 as exc:
                        raise ValidationFailed("unknown_client", _("No such client here.")) from exc
                client, joined = services.pseudonym_to_client(
                    pseudonym=pseudonym,
                    actor=staff.user,
                    consent=request.POST.get("consent") in ("on", "true", "1"),
                    client=existing,
                    registration=None if existing else _registration(form.cleaned_data),
                )
            except DomainError as exc:
                if joining:  # only the choice of client was posted: the form starts afresh
                    messages.error(request, str(exc.message))
                    form = PseudonymClientForm(jurisdiction=organisation.jurisdiction)
                else:
                    add_domain_error(form, exc)
                if exc.code == "duplicate_client" and exc.details.get("client"):
                    duplicate = Client.objects.filter(
                        uuid=exc.details["client"], organisation=organisation
                    ).first()
            else:
                messages.success(
                    request,
                    _("%(name)s is a client now. %(count)s street contacts joined the record.")
                    % {"name": client.display_name, "count": joined},
                )
                return redirect("outreach:client", client_uuid=client.uuid)
    return render(
        request,
        "outreach/pseudonym_client.html",
        {
            "pseudonym": pseudonym,
            "form": form,
            "duplicate": duplicate,
            "closed": pseudonym.merged_into_id is not None or pseudonym.client_id is not None,
        },
        status=status,
    )


@staff_view(Perm.HARM_REDUCTION)
def pseudonym_merge(request: HttpRequest, pseudonym_uuid: str) -> HttpResponse:
    """PRV-4: this code and another are one person: this code is given up, its contacts
    move to the code kept. Asked first."""
    staff = staff_for_request(request)
    pseudonym = pseudonym_for(staff, pseudonym_uuid)
    organisation = pseudonym.organisation
    posted = request.method == "POST"
    form = MergeForm(request.POST if posted else None)
    status = 200
    if posted and not editing(request):
        status = 422
        if form.is_valid():
            into = selectors.pseudonym_by_code(organisation, form.cleaned_data["into"])
            try:
                if into is None:
                    raise ValidationFailed(
                        "unknown_pseudonym", _("No code like this here."), field="into"
                    )
                target = into

                def merge() -> Pseudonym:
                    return services.pseudonym_merge(
                        pseudonym=pseudonym, into=target, actor=staff.user
                    )

                if not confirmed(request):
                    kept = dry_run(merge)
                    moving = pseudonym.contacts.count()
                    return confirm_page(
                        request,
                        Confirmation(
                            title=_("Merge code %(code)s into %(kept)s?")
                            % {"code": pseudonym.code, "kept": kept.code},
                            action=_("Merge the codes"),
                            cancel_url=reverse("outreach:pseudonym", args=[pseudonym.uuid]),
                            facts=[
                                (_("Code given up"), pseudonym.code),
                                (_("Code kept"), kept.code),
                                (_("Contacts that move"), moving),
                            ],
                            consequences=[
                                _(
                                    "The contacts of %(code)s move to %(kept)s, and a phone "
                                    "that still sends %(code)s records on %(kept)s. This "
                                    "cannot be undone."
                                )
                                % {"code": pseudonym.code, "kept": kept.code}
                            ],
                            can_edit=True,
                            destructive=True,
                        ),
                    )
                kept = merge()
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Code %(code)s is merged into %(kept)s.")
                    % {"code": pseudonym.code, "kept": kept.code},
                )
                return redirect("outreach:pseudonym", pseudonym_uuid=kept.uuid)
    return render(
        request,
        "outreach/pseudonym_merge.html",
        {"pseudonym": pseudonym, "form": form, "closed": pseudonym.merged_into_id is not None},
        status=status,
    )


urlpatterns = [
    path("codes/", pseudonym_list, name="pseudonyms"),
    path("codes/<uuid:pseudonym_uuid>/", pseudonym_detail, name="pseudonym"),
    path("codes/<uuid:pseudonym_uuid>/client/", pseudonym_client, name="pseudonym_client"),
    path("codes/<uuid:pseudonym_uuid>/merge/", pseudonym_merge, name="pseudonym_merge"),
]
