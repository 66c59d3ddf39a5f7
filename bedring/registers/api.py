"""Register exports in /api/v1/: the TDI summary of the active organisation (the first one
where the staff member may export, or the one named): counts, tables, validation list. The
records themselves are the CSV download and the command, not the API."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Router, Schema

from bedring.accounts.access import Staff, memberships_where
from bedring.core import clock
from bedring.core.paging import check_page
from bedring.core.roles import Perm

from .models import ExportChannel, ExportKind
from .services import tdi_export_log
from .tdi_export import build_tdi_export, check_year

router = Router(tags=["registers"])


class TableRowOut(Schema):
    code: str
    label: str
    count: int


class ProblemOut(Schema):
    episode: UUID
    assessment: UUID | None
    client_key: str
    item: str
    code: str
    message: str


class TdiSummaryOut(Schema):
    organisation: str
    year: int
    entrants: int
    records: int
    problem_episodes: int
    problems_total: int
    problems: list[ProblemOut]
    tables: dict[str, list[TableRowOut]]


@router.get("/registers/tdi", response=TdiSummaryOut)
def tdi_summary(
    request: HttpRequest,
    year: int | None = None,
    organisation: UUID | None = None,
    offset: int = 0,
    limit: int = 50,
) -> dict[str, Any]:
    """EUDA TDI 3.0 of a year (default this year): how many records would be exported, the
    aggregated tables by primary drug, sex and age band, and the entrants held back with the
    missing item: ``problems_total`` of them, ``?offset=&limit=`` (limit 1 to 200) giving the
    page in ``problems``. 422 ``invalid_year`` for a year before 2000 or in the future."""
    check_page(offset, limit)
    staff: Staff = request.auth  # type: ignore[attr-defined]
    members = memberships_where(staff, Perm.REGISTER_EXPORT)
    if organisation is not None:
        members = [m for m in members if m.organisation.uuid == organisation]
        if not members:
            raise Http404
    if not members:
        raise PermissionDenied
    org = min(members, key=lambda m: m.organisation.name).organisation
    today = clock.today(org)
    wanted = today.year if year is None else year
    check_year(wanted, today=today)
    export = build_tdi_export(organisation=org, year=wanted)
    tdi_export_log(
        export=export, actor=staff.user, kind=ExportKind.SUMMARY, channel=ExportChannel.API
    )
    summary = export.summary()
    summary["problems_total"] = len(summary["problems"])
    summary["problems"] = summary["problems"][offset : offset + limit]
    return summary
