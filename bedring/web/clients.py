"""The client pages that join several packages: the overview (the record, its pathway,
catalogue enrolments and upcoming appointments, with the tabs of every domain) and the
client's access log and access report (the record read through clients.access, the log read
from audit). They live here, on top, so that clients and audit need not import each other or
the domains."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from bedring.accounts.access import staff_for_request, staff_view
from bedring.appointments.selectors import client_summary
from bedring.audit import selectors as audit_selectors
from bedring.audit import wording
from bedring.catalogue.selectors import client_enrolments
from bedring.clients import selectors as client_selectors
from bedring.clients.access import client_for
from bedring.clients.models import Client
from bedring.clients.no_show import no_show_threshold
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.paging import Paginator
from bedring.core.roles import Perm
from bedring.journal.selectors import access_report_notes
from bedring.messaging.selectors import client_failed_count
from bedring.outreach.selectors import has_outreach
from bedring.pathway.handover import what_next
from bedring.pathway.models import Episode
from bedring.pathway.selectors import episode_next

LOG_PAGE_SIZE = 100


@staff_view(Perm.CLIENT_READ, scope="client")
def client_detail(request: HttpRequest, client_uuid: str) -> HttpResponse:
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="client_detail")
    overview = client_selectors.client_overview(client)
    episode = current_episode(client)
    enrolments = client_enrolments(client)
    # APT-1: the next appointments and the repeated no-show flag (two queries).
    at = clock.now()
    appointments = client_summary(client, at=at, threshold=no_show_threshold(client, at=at))
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
            current_episode=episode,
            case_with=what_next(episode_next(episode)) if episode is not None else "",
            # HRM-8: the client's street contacts, where the organisation does street work.
            outreach_url=reverse("outreach:client", args=[client.uuid])
            if has_outreach(client.organisation_id)
            else "",
        ),
    )


def current_episode(client: Client) -> Episode | None:
    """The client's latest episode (an open one is always the latest: one at a time), with
    what the header shows of it: its state and who has the case (one query)."""
    episode = (
        Episode.objects.filter(client=client)
        .select_related("responsible")
        .order_by("-opened_on", "-id")
        .first()
    )
    if episode is not None:
        episode.client = client
        episode.organisation = client.organisation
    return episode


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
    zone = clock.zone(client.organisation)
    return render(
        request,
        "audit/client_log.html",
        client_context(
            request,
            client,
            "access",
            accesses=accesses,
            access_rows=wording.access_rows(
                accesses.object_list, organisation_id=client.organisation_id, zone=zone
            ),
            changes=changes,
            change_rows=wording.change_rows(
                changes.object_list, organisation_id=client.organisation_id, zone=zone
            ),
        ),
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
    zone = clock.zone(client.organisation)
    journal = access_report_notes(client)
    return render(
        request,
        "audit/access_report.html",
        {
            "client": client,
            "events": wording.access_rows(
                audit_selectors.client_access_events(client),
                organisation_id=client.organisation_id,
                zone=zone,
            ),
            "journal": journal,
            "note_reads": [
                (read, wording.moment(read.at, zone), str(wording.view_words(read.view).label))
                for read in journal.reads
            ],
            "written": [(note, wording.moment(note.created_at, zone)) for note in journal.written],
            "printed_at": wording.moment(clock.now(), zone),
            "printed_by": wording.person_name(staff.user),
        },
    )
