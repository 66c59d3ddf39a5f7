"""The home page of each role and the choices every page offers: language and organisation."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from bedring.accounts.access import ACTIVE_ORG_SESSION_KEY, staff_for_request, staff_view
from bedring.accounts.models import User
from bedring.appointments.selectors import appointments_for_staff
from bedring.audit.services import access_search_results
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.roles import Perm
from bedring.pathway.selectors import DUE_SOON_DAYS

from . import home


@staff_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    """REF-2: each staff member lands on their own work: the panels of each of their roles
    (bedring.web.home), a bounded number of queries whatever the caseload."""
    staff = staff_for_request(request)
    organisation = staff.organisation
    today = clock.today(organisation)
    now = clock.now()
    shown = home.sections(staff)
    panels = {p for section in shown for p in section.panels}
    context: dict[str, object] = {
        "organisation": organisation,
        "sections": shown,
        "today": today,
        "due_soon_days": DUE_SOON_DAYS,
    }
    if home.TODAY in panels:
        context[home.TODAY] = home.todays_sessions(staff, today)
        # APT-1: my individual appointments today, in the active organisation.
        context[home.APPOINTMENTS] = appointments_for_staff(
            staff.user, today, today, organisation_ids=[organisation.pk]
        )
    if home.OUTREACH in panels:
        context[home.OUTREACH] = home.outreach_today(staff)
    if home.CASELOAD in panels:
        context[home.CASELOAD] = home.caseload(staff)
    if home.MY_DEADLINES in panels:
        context[home.MY_DEADLINES] = home.my_deadlines(staff, today)
    if home.DECISIONS in panels:
        context[home.DECISIONS] = home.decisions_to_make(organisation)
    if home.COMPLAINTS in panels:
        context[home.COMPLAINTS] = home.complaints_to_reevaluate(organisation)
    if home.DESKS in panels:
        context[home.DESKS] = home.desks(organisation, now)
    if home.HOLDS in panels:
        context[home.HOLDS] = home.holds(organisation)
    if home.ENDING in panels:
        context[home.ENDING] = home.prescriptions_ending(organisation, today)
    if home.DOCTOR_ASSESSMENTS in panels:
        context[home.DOCTOR_ASSESSMENTS] = home.assessments_needing_a_doctor(organisation)
    if home.OFF_TARGET in panels:
        context[home.OFF_TARGET] = home.figures_off_target(organisation, today)
    if home.OVERDUE_BY_TEAM in panels:
        context[home.OVERDUE_BY_TEAM] = home.overdue_by_team(organisation, today)
    if staff.can(Perm.CLIENT_READ):
        context["client_count"] = Client.objects.filter(
            organisation=organisation, archived_at__isnull=True
        ).count()
    # PRV-1: the home page shows who is in treatment; each client listed is logged as seen.
    access_search_results(
        actor=staff.user,
        clients=home.clients_shown(context),
        view="home",
        channel="html",
        request=request,
    )
    return render(request, "web/dashboard.html", context)


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    target = request.POST.get("next") or request.headers.get("Referer") or fallback
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the UI language; a logged-in staff member keeps it for the next login."""
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES):
        code = settings.LANGUAGE_CODE
    if request.user.is_authenticated and isinstance(request.user, User):
        request.user.language = code
        request.user.save(update_fields=["language"])
    translation.activate(code)
    response = HttpResponseRedirect(_safe_next(request))
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, samesite="Lax", max_age=365 * 86400)
    return response


@require_POST
@staff_view()
def switch_organisation(request: HttpRequest) -> HttpResponse:
    staff = staff_for_request(request)
    wanted = request.POST.get("organisation", "")
    for membership in staff.memberships.values():
        if str(membership.organisation.uuid) == wanted:
            request.session[ACTIVE_ORG_SESSION_KEY] = membership.organisation_id
            break
    return redirect("web:dashboard")
