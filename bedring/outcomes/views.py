"""The outcome pages for managers: the dashboard with charts, the drill-down to the episodes
behind a number, and the downloads (CSV, XLSX, PDF annual report)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.http import urlencode

from bedring.accounts.access import Staff, organisations_where, staff_for_request, staff_view
from bedring.accounts.models import Site
from bedring.audit.services import access_search_results
from bedring.core.downloads import attachment
from bedring.core.errors import DomainError, NotFound
from bedring.core.paging import Paginator
from bedring.core.roles import Perm

from . import exports, kpis, selectors
from .access import OutcomeScope, outcome_scope
from .exports import DEFINITIONS, LABELS, OTHER_LABELS

PAGE_SIZE = 50


def _scope(request: HttpRequest, staff: Staff) -> OutcomeScope:
    return outcome_scope(
        staff,
        organisation=request.GET.get("organisation"),
        site=request.GET.get("site"),
        year=request.GET.get("year"),
        date_from=request.GET.get("from"),
        date_to=request.GET.get("to"),
        default_all=False,
    )


def _report(scope: OutcomeScope, *, with_series: bool = True) -> selectors.KpiReport:
    return selectors.kpi_report(
        organisation_ids=scope.organisation_ids,
        site_id=scope.site_id,
        start=scope.start,
        end=scope.end,
        today=scope.today,
        with_series=with_series,
    )


def _filters(staff: Staff, scope: OutcomeScope | None) -> dict[str, Any]:
    organisations = sorted(
        organisations_where(staff, Perm.OUTCOMES),
        key=lambda o: o.name,
    )
    sites: list[Site] = []
    years: list[int] = []
    if scope is not None:
        sites = list(
            Site.objects.filter(
                organisation_id__in=scope.organisation_ids, is_active=True
            ).order_by("organisation__name", "name")
        )
        years = list(range(scope.today.year - 3, scope.today.year + 1))
    return {
        "organisations": organisations,
        "sites": sites,
        "years": years,
        "year_query": urlencode(
            {k: v for k, v in scope.query().items() if k not in ("from", "to")} if scope else {}
        ),
        "scope": scope,
        "query": urlencode(scope.query()) if scope else "",
    }


def _refused(request: HttpRequest, staff: Staff, error: DomainError) -> HttpResponse:
    return render(
        request,
        "outcomes/dashboard.html",
        {**_filters(staff, None), "error": error, "values": request.GET},
        status=error.status,
    )


@staff_view(Perm.OUTCOMES)
def dashboard(request: HttpRequest) -> HttpResponse:
    """DIS-3, DIS-4, INT-5, INT-6, PLN-2: every figure with its target, definition, trend."""
    staff = staff_for_request(request)
    try:
        scope = _scope(request, staff)
    except DomainError as error:
        return _refused(request, staff, error)
    report = _report(scope)
    return render(
        request,
        "outcomes/dashboard.html",
        {
            **_filters(staff, scope),
            "report": report,
            "lines": exports.figure_lines(report),
            "definitions": DEFINITIONS,
            "values": request.GET,
            "can_drill": all(staff.can(Perm.CLIENT_READ, o.pk) for o in scope.organisations),
        },
    )


@staff_view(Perm.OUTCOMES)
def episodes(request: HttpRequest) -> HttpResponse:
    """The episodes behind one number, paged; their clients open through the client pages.
    Lists clients, so it needs CLIENT_READ in every organisation of the figures too."""
    staff = staff_for_request(request)
    try:
        scope = _scope(request, staff)
    except DomainError as error:
        if isinstance(error, NotFound):
            raise Http404 from error
        return _refused(request, staff, error)
    if not all(staff.can(Perm.CLIENT_READ, o.pk) for o in scope.organisations):
        raise PermissionDenied
    key = request.GET.get("key") or "goal_attainment_all"
    part = request.GET.get("part") or "denominator"
    ids = selectors.kpi_episodes(
        organisation_ids=scope.organisation_ids,
        site_id=scope.site_id,
        start=scope.start,
        end=scope.end,
        today=scope.today,
        key=key,
        part=part,
    )
    if ids is None:
        raise Http404
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    listed = selectors.episodes_page(list(page.object_list))
    # PRV-1: the list shows who was in treatment where; each client on the page is logged.
    shown = {e.client_id: e.client for e in listed}
    access_search_results(
        actor=staff.user,
        clients=shown.values(),
        view="outcomes_drill",
        channel="html",
        request=request,
    )
    prefix, _sep, detail = key.partition(":")
    label: Promise | str = LABELS.get(key) or OTHER_LABELS.get(prefix) or key
    if prefix == "clients":
        offer, _sep, band = detail.rpartition(":")
        detail = f"{offer}:{kpis.band_label(band)}"
    return render(
        request,
        "outcomes/episodes.html",
        {
            **_filters(staff, scope),
            "key": key,
            "part": part,
            "label": label,
            "detail": detail.replace(":", " · "),
            "page": page,
            "episodes": listed,
            "drill_query": urlencode({**scope.query(), "key": key, "part": part}),
        },
    )


def _download(request: HttpRequest) -> tuple[OutcomeScope, selectors.KpiReport]:
    staff = staff_for_request(request)
    try:
        scope = _scope(request, staff)
    except NotFound as error:
        raise Http404 from error
    return scope, _report(scope)


def _filename(scope: OutcomeScope, ext: str) -> str:
    return f"outcomes-{scope.start.isoformat()}-{scope.end.isoformat()}.{ext}"


@staff_view(Perm.OUTCOMES)
def export_csv(request: HttpRequest) -> HttpResponse:
    try:
        scope, report = _download(request)
    except DomainError as error:
        return _refused(request, staff_for_request(request), error)
    return attachment(exports.csv_bytes(report), "text/csv; charset=utf-8", _filename(scope, "csv"))


@staff_view(Perm.OUTCOMES)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    try:
        scope, report = _download(request)
    except DomainError as error:
        return _refused(request, staff_for_request(request), error)
    return attachment(
        exports.xlsx_bytes(report),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _filename(scope, "xlsx"),
    )


@staff_view(Perm.OUTCOMES)
def report_pdf(request: HttpRequest) -> HttpResponse:
    """The annual report: the same figures, the charts and the definitions, as a PDF."""
    try:
        scope, report = _download(request)
    except DomainError as error:
        return _refused(request, staff_for_request(request), error)
    pdf = exports.pdf_bytes(report, {"scope": scope})
    return attachment(pdf, "application/pdf", _filename(scope, "pdf"))
