"""The TDI register page and its downloads (managers, the active organisation). Thin: parse
the year, build the export, log it, render or send the file."""

from __future__ import annotations

from typing import Any, cast

from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from bedring.accounts.access import staff_for_request, staff_view
from bedring.accounts.models import Organisation
from bedring.core import clock
from bedring.core.paging import Paginator
from bedring.core.roles import Perm

from .forms import YearForm
from .models import ExportChannel, ExportKind
from .services import tdi_export_log
from .tdi_export import ITEM_LABELS, TdiExport, build_tdi_export, table_titles


def _year(request: HttpRequest, organisation: Organisation) -> tuple[YearForm, int | None]:
    today = clock.today(organisation)
    form = YearForm({"year": request.GET.get("year", str(today.year))}, today=today)
    return form, (form.cleaned_data["year"] if form.is_valid() else None)


PROBLEMS_PER_PAGE = 100


def _problems(export: TdiExport, page_number: str | None) -> Page[Any]:
    """One page of the validation list (a large organisation-year can hold back thousands of
    items); the links are built for that page only."""
    page = Paginator(export.problems, PROBLEMS_PER_PAGE).get_page(page_number)
    rows = []
    for p in page.object_list:
        if p.assessment is not None:
            link = reverse(
                "pathway:assessment_tdi",
                kwargs={"episode_uuid": p.episode, "assessment_uuid": p.assessment},
            )
        else:
            link = reverse("pathway:episode", kwargs={"episode_uuid": p.episode})
        rows.append({"problem": p, "link": link, "item_label": ITEM_LABELS.get(p.item, p.item)})
    page.object_list = cast(Any, rows)
    return page


@staff_view(Perm.REGISTER_EXPORT)
def tdi_page(request: HttpRequest) -> HttpResponse:
    """The year's TDI export: records count, aggregated tables, the validation list with a
    link to each episode's assessment, and the downloads."""
    staff = staff_for_request(request)
    organisation = staff.organisation
    form, year = _year(request, organisation)
    if year is None:
        return render(request, "registers/tdi.html", {"form": form}, status=400)
    export = build_tdi_export(organisation=organisation, year=year)
    tdi_export_log(
        export=export, actor=staff.user, kind=ExportKind.PAGE, channel=ExportChannel.HTML
    )
    titles = table_titles()
    return render(
        request,
        "registers/tdi.html",
        {
            "form": form,
            "export": export,
            "year": year,
            "tables": [(titles[name], rows) for name, rows in export.tables.items()],
            "problems": _problems(export, request.GET.get("page")),
        },
    )


def _download(request: HttpRequest, kind: str) -> HttpResponse:
    staff = staff_for_request(request)
    organisation = staff.organisation
    form, year = _year(request, organisation)
    if year is None:
        message = "; ".join(str(e) for e in form.errors.get("year", []))
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    export = build_tdi_export(organisation=organisation, year=year)
    tdi_export_log(export=export, actor=staff.user, kind=kind, channel=ExportChannel.HTML)
    if kind == ExportKind.RECORDS:
        body, name = export.to_csv(), f"tdi-{organisation.slug}-{year}.csv"
    else:
        body, name = export.tables_csv(), f"tdi-{organisation.slug}-{year}-tables.csv"
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_view(Perm.REGISTER_EXPORT)
def tdi_download(request: HttpRequest) -> HttpResponse:
    """The records as CSV: one row per exported treatment entrant, TDI item names as header."""
    return _download(request, ExportKind.RECORDS)


@staff_view(Perm.REGISTER_EXPORT)
def tdi_tables_download(request: HttpRequest) -> HttpResponse:
    """The aggregated tables as CSV (table, code, label, count)."""
    return _download(request, ExportKind.TABLES)
