"""The client pages that join several packages: the overview (the record, its pathway,
catalogue enrolments and upcoming appointments, with the tabs of every domain) and the
client's access log and access report (the record read through clients.access, the log read
from audit). They live here, on top, so that clients and audit need not import each other or
the domains."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bedring.accounts.access import staff_for_request, staff_view
from bedring.accounts.selectors import rules_for
from bedring.appointments.selectors import client_summary
from bedring.audit import selectors as audit_selectors
from bedring.catalogue.selectors import client_enrolments
from bedring.clients import selectors as client_selectors
from bedring.clients.access import client_for
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.paging import Paginator
from bedring.core.roles import Perm
from bedring.journal.selectors import access_report_notes
from bedring.messaging.selectors import client_failed_count

LOG_PAGE_SIZE = 100


@staff_view(Perm.CLIENT_READ, scope="client")
def client_detail(request: HttpRequest, client_uuid: str) -> HttpResponse:
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="client_detail")
    overview = client_selectors.client_overview(client)
    enrolments = client_enrolments(client)
    # APT-1: the next appointments and the repeated no-show flag (two queries).
    appointments = client_summary(
        client, at=clock.now(), threshold=rules_for(client.organisation).no_show_flag_after
    )
    return render(
        request,
        "clients/detail.html",
        client_context(
            request,
            client,
            "overview",
            overview=overview,
            enrolments=enrolments,
            appointments=appointments,
            reminders_failed=client_failed_count(client),
        ),
    )


@staff_view(Perm.AUDIT_READ, scope="client")
def client_log(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """Who accessed a client record and what was changed (managers)."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="access_log", perm=Perm.AUDIT_READ)
    accesses = Paginator(audit_selectors.client_access_events(client), LOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    changes = Paginator(audit_selectors.client_changes(client), LOG_PAGE_SIZE).get_page(
        request.GET.get("changes_page")
    )
    return render(
        request,
        "audit/client_log.html",
        client_context(request, client, "access", accesses=accesses, changes=changes),
    )


@staff_view(Perm.AUDIT_READ, scope="client")
def client_access_report(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """The printable access report: a client's right to see who has read their record
    (e.g. pasientjournalloven § 18 in Norway), with the journal notes written and who read
    the text of a restricted note (JRN-2)."""
    staff = staff_for_request(request)
    client = client_for(
        request, staff, client_uuid, view="access_report", perm=Perm.AUDIT_READ, channel="print"
    )
    return render(
        request,
        "audit/access_report.html",
        {
            "client": client,
            "events": audit_selectors.client_access_events(client),
            "journal": access_report_notes(client),
            "printed_at": clock.now(),
            "printed_by": request.user,
        },
    )
