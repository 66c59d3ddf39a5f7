"""The dashboard and the choices every page offers: language and organisation."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from bedring.accounts.access import ACTIVE_ORG_SESSION_KEY, staff_for_request, staff_view
from bedring.accounts.models import User
from bedring.audit.models import AccessEvent
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.roles import Perm
from bedring.pathway.selectors import deadline_counts, open_deadlines


@staff_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    staff = staff_for_request(request)
    organisation = staff.organisation
    context: dict[str, object] = {"organisation": organisation}
    if staff.can(Perm.CLIENT_READ):
        context["client_count"] = Client.objects.filter(
            organisation=organisation, archived_at__isnull=True
        ).count()
        # "Recently opened by me": the access log doubles as a convenient history.
        recent_ids = (
            AccessEvent.objects.filter(actor=staff.user, organisation=organisation)
            .order_by("-at")
            .values_list("client_id", flat=True)[:50]
        )
        seen: list[int] = []
        for cid in recent_ids:
            if cid not in seen:
                seen.append(cid)
        by_id = Client.objects.in_bulk(seen[:8])
        context["recent_clients"] = [by_id[c] for c in seen[:8] if c in by_id]
        # Due-soon and overdue counts of my deadlines and of everyone's (one query each).
        today = clock.today(organisation)
        mine = open_deadlines(organisation_id=organisation.pk, responsible_ids=[staff.user.pk])
        context["my_deadlines"] = deadline_counts(mine, today)
        context["all_deadlines"] = deadline_counts(
            open_deadlines(organisation_id=organisation.pk), today
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
