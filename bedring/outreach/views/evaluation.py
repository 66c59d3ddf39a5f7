"""The national outreach model's evaluation for managers (HRM-10, seed 001): the report page
with the definitions of what each figure counts, per site and for all sites; the same as PDF
and CSV; and the fidelity checklist of a site and quarter. OUTCOMES, as the other figures.

An organisation that runs outreach without the model's evaluation (no ``evaluation:`` in its
pack, Sønderborg) gets the figures that need no window (contacts, persons, time, referral
contacts), says so, and has no checklist. A staff member none of whose organisations runs
outreach sees a page that says so; the downloads lead back to it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bedring.accounts.access import Staff, organisations_where, staff_for_request, staff_view
from bedring.accounts.models import Organisation, Site
from bedring.core import clock
from bedring.core.downloads import attachment
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error
from bedring.core.roles import Perm

from .. import evaluation as ev
from .. import evaluation_exports as exports
from ..evaluation_selectors import (
    EvaluationReport,
    EvaluationScope,
    evaluation_organisations,
    evaluation_report,
    evaluation_scope,
    fidelity_sheets,
    quarter_of,
)
from ..forms_evaluation import HELD, NOT_HELD, FidelityForm, held_field, note_field
from ..packs import label
from ..selectors import outreach_spec
from ..services.fidelity import fidelity_save

QUARTER_LINKS = 5  # the current quarter and the four before it


def _scope(request: HttpRequest, staff: Staff) -> EvaluationScope:
    return evaluation_scope(
        staff,
        organisation=request.GET.get("organisation"),
        site=request.GET.get("site"),
        date_from=request.GET.get("from"),
        date_to=request.GET.get("to"),
    )


def _quarter_links(scope: EvaluationScope) -> list[dict[str, Any]]:
    links = []
    quarter = ev.quarter_start(scope.today)
    for _i in range(QUARTER_LINKS):
        end = ev.quarter_end(quarter)
        query = {**scope.query(), "from": quarter.isoformat(), "to": end.isoformat()}
        links.append(
            {
                "number": (quarter.month - 1) // 3 + 1,
                "year": quarter.year,
                "query": urlencode(query),
                "current": scope.start == quarter and scope.end == end,
            }
        )
        quarter = ev.quarter_start(quarter - datetime.timedelta(days=1))
    return links


def _filters(
    organisations: list[Organisation], scope: EvaluationScope | None, chosen: Organisation | None
) -> dict[str, Any]:
    organisation = scope.organisation if scope is not None else chosen
    sites = (
        list(Site.objects.filter(organisation=organisation, is_active=True).order_by("name"))
        if organisation is not None
        else []
    )
    return {
        "organisations": organisations,
        "chosen": organisation,
        "sites": sites,
        "scope": scope,
        "quarter_links": _quarter_links(scope) if scope is not None else [],
        "query": urlencode(scope.query()) if scope is not None else "",
    }


def _refused(
    request: HttpRequest, organisations: list[Organisation], error: DomainError
) -> HttpResponse:
    chosen = next(
        (o for o in organisations if str(o.uuid) == request.GET.get("organisation")),
        organisations[0] if organisations else None,
    )
    return render(
        request,
        "outreach/evaluation/report.html",
        {**_filters(organisations, None, chosen), "error": error, "values": request.GET},
        status=error.status,
    )


@staff_view(Perm.OUTCOMES)
def report(request: HttpRequest) -> HttpResponse:
    """HRM-10: the evaluation's figures per site and for all sites, the fidelity checklists
    of the period's quarters, and what each figure counts."""
    staff = staff_for_request(request)
    organisations = evaluation_organisations(staff)
    if not organisations and not request.GET.get("organisation"):
        return render(request, "outreach/evaluation/report.html", {"no_outreach": True})
    try:
        scope = _scope(request, staff)
    except DomainError as error:
        return _refused(request, organisations, error)
    result = evaluation_report(scope)
    return render(
        request,
        "outreach/evaluation/report.html",
        {
            **_filters(organisations, scope, None),
            "report": result,
            "lines": exports.figure_lines(result),
            "values": request.GET,
        },
    )


def _download(request: HttpRequest) -> tuple[EvaluationScope, EvaluationReport] | HttpResponse:
    staff = staff_for_request(request)
    organisations = evaluation_organisations(staff)
    if not organisations and not request.GET.get("organisation"):
        return redirect("outreach:evaluation")
    try:
        scope = _scope(request, staff)
    except DomainError as error:
        return _refused(request, organisations, error)
    return scope, evaluation_report(scope)


def _filename(scope: EvaluationScope, ext: str) -> str:
    return f"outreach-evaluation-{scope.start.isoformat()}-{scope.end.isoformat()}.{ext}"


@staff_view(Perm.OUTCOMES)
def report_csv(request: HttpRequest) -> HttpResponse:
    found = _download(request)
    if isinstance(found, HttpResponse):
        return found
    scope, result = found
    return attachment(exports.csv_bytes(result), "text/csv; charset=utf-8", _filename(scope, "csv"))


@staff_view(Perm.OUTCOMES)
def report_pdf(request: HttpRequest) -> HttpResponse:
    found = _download(request)
    if isinstance(found, HttpResponse):
        return found
    scope, result = found
    return attachment(exports.pdf_bytes(result), "application/pdf", _filename(scope, "pdf"))


# --- the fidelity checklist ----------------------------------------------------------------


def _site(staff: Staff, site_uuid: Any) -> Site:
    """A site of an organisation where the staff member holds OUTCOMES; else 404."""
    allowed = [o.pk for o in organisations_where(staff, Perm.OUTCOMES)]
    site = (
        Site.objects.filter(uuid=site_uuid, organisation_id__in=allowed)
        .select_related("organisation")
        .first()
    )
    if site is None:
        raise Http404
    return site


@staff_view(Perm.OUTCOMES)
def fidelity(request: HttpRequest, site_uuid: Any) -> HttpResponse:
    """HRM-10: tick each element of the model as held or not held at the site in the quarter
    (``?quarter=`` its first day; the current quarter by default), with a note. Editable from
    the quarter's first day to the end of the following quarter; read-only otherwise."""
    staff = staff_for_request(request)
    site = _site(staff, site_uuid)
    organisation = site.organisation
    today = clock.today(organisation)
    context: dict[str, Any] = {"site": site, "organisation": organisation}
    try:
        quarter = quarter_of(request.GET.get("quarter"), today)
    except DomainError as error:
        return render(
            request,
            "outreach/evaluation/fidelity.html",
            {**context, "error": error},
            status=error.status,
        )
    spec = outreach_spec(organisation)
    elements = () if spec is None or spec.evaluation is None else spec.evaluation.fidelity
    period = {
        "organisation": str(organisation.uuid),
        "from": quarter.isoformat(),
        "to": ev.quarter_end(quarter).isoformat(),
    }
    context |= {
        "quarter": quarter,
        "quarter_end": ev.quarter_end(quarter),
        "quarter_number": (quarter.month - 1) // 3 + 1,
        "report_url": f"{reverse('outreach:evaluation')}?{urlencode(period)}",
    }
    if not elements:
        status = 422 if request.method == "POST" else 200
        return render(
            request,
            "outreach/evaluation/fidelity.html",
            {**context, "no_elements": True},
            status=status,
        )
    sheet = fidelity_sheets(organisation, elements, [site], [quarter], today)[0]
    language = get_language()
    names = [(e.key, label(e.name.as_dict(), language)) for e in elements]
    initial = {}
    for row in sheet.rows:
        if row.held is not None:
            initial[held_field(row.element)] = HELD if row.held else NOT_HELD
        initial[note_field(row.element)] = row.note
    context |= {"sheet": sheet}
    status = 200
    if request.method == "POST":
        form = FidelityForm(names, request.POST)
        status = 422
        if form.is_valid():
            try:
                fidelity_save(
                    organisation=organisation,
                    site=site,
                    quarter=quarter,
                    ticks=form.ticks(),
                    actor=staff.user,
                    today=today,
                )
            except DomainError as error:
                if error.field == "quarter":
                    context["error"] = error
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("The checklist of %(site)s for the quarter is saved.") % {"site": site.name},
                )
                return redirect(f"{reverse('outreach:evaluation')}?{urlencode(period)}")
    else:
        form = FidelityForm(names, initial=initial)
    context |= {"form": form if sheet.editable else None}
    return render(request, "outreach/evaluation/fidelity.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("evaluation/", report, name="evaluation"),
    path("evaluation/report.pdf", report_pdf, name="evaluation_pdf"),
    path("evaluation/figures.csv", report_csv, name="evaluation_csv"),
    path("evaluation/fidelity/<uuid:site_uuid>/", fidelity, name="evaluation_fidelity"),
]
