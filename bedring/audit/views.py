"""Who accessed a client record (managers), and the printable access report (a client's right
to see who has read their record, e.g. pasientjournalloven § 18 in Norway)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bedring.accounts.access import staff_for_request, staff_view
from bedring.accounts.roles import Perm
from bedring.clients.access import client_for
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.paging import Paginator

from . import selectors

PAGE_SIZE = 100


@staff_view(Perm.AUDIT_READ, scope="client")
def client_log(request: HttpRequest, client_uuid: str) -> HttpResponse:
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="access_log", perm=Perm.AUDIT_READ)
    accesses = Paginator(selectors.client_access_events(client), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    changes = Paginator(selectors.client_changes(client), PAGE_SIZE).get_page(
        request.GET.get("changes_page")
    )
    return render(
        request,
        "audit/client_log.html",
        client_context(request, client, "access", accesses=accesses, changes=changes),
    )


@staff_view(Perm.AUDIT_READ, scope="client")
def client_access_report(request: HttpRequest, client_uuid: str) -> HttpResponse:
    staff = staff_for_request(request)
    client = client_for(
        request, staff, client_uuid, view="access_report", perm=Perm.AUDIT_READ, channel="print"
    )
    return render(
        request,
        "audit/access_report.html",
        {
            "client": client,
            "events": selectors.client_access_events(client),
            "printed_at": clock.now(),
            "printed_by": request.user,
        },
    )
