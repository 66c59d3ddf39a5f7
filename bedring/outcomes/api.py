"""Outcomes (DIS-3, DIS-4, INT-5, INT-6, PLN-2, DIS-2): the figures managers and the council
read, as JSON. The same scope rules as the dashboard: organisations where the caller holds the
OUTCOMES permission (default: all of them), a site of one of them, a period (default: the
current calendar year)."""

from __future__ import annotations

import datetime
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema

from bedring.accounts.access import Staff

from . import selectors
from .access import outcome_scope
from .kpis import Figure

router = Router(tags=["outcomes"])


class FigureOut(Schema):
    key: str
    numerator: int
    denominator: int
    value: float | None
    target: float | None
    target_kind: str


class WaitingOut(Schema):
    count: int
    median_days: int | None
    p90_days: int | None


class OfferFigureOut(Schema):
    offer: str
    no_shows: int
    booked: int
    value: float | None


class ClientCountOut(Schema):
    offer: str
    age_band: str
    clients: int


class OutcomesOut(Schema):
    organisations: list[UUID]
    site: UUID | None
    start: datetime.date
    end: datetime.date
    today: datetime.date
    readmission_cohort_end: datetime.date
    figures: list[FigureOut]
    waiting_time: WaitingOut
    no_show: list[OfferFigureOut]
    clients: list[ClientCountOut]


def _figure(f: Figure) -> FigureOut:
    return FigureOut(
        key=f.key,
        numerator=f.numerator,
        denominator=f.denominator,
        value=f.value,
        target=f.target,
        target_kind=f.target_kind,
    )


@router.get("/outcomes", response=OutcomesOut)
def outcomes(
    request: HttpRequest,
    organisation: str | None = None,
    site: str | None = None,
    date_from: str | None = Query(None, alias="from"),  # type: ignore[type-arg]
    date_to: str | None = Query(None, alias="to"),  # type: ignore[type-arg]
) -> OutcomesOut:
    """The figures for ``organisation`` (a public UUID or ``all``; default all the caller's),
    ``site`` (a public UUID), ``from``..``to`` (ISO dates). Errors: 404
    ``organisation_not_found`` / ``site_not_found``, 422 ``invalid_date`` (also a day outside
    2000-01-01..2100-12-31), ``period_reversed``, ``period_incomplete``, ``period_too_long``."""
    staff: Staff = request.auth  # type: ignore[attr-defined]
    scope = outcome_scope(
        staff,
        organisation=organisation,
        site=site,
        year=None,
        date_from=date_from,
        date_to=date_to,
        default_all=True,
    )
    report = selectors.kpi_report(
        organisation_ids=scope.organisation_ids,
        site_id=scope.site_id,
        start=scope.start,
        end=scope.end,
        today=scope.today,
        with_series=False,
    )
    return OutcomesOut(
        organisations=[o.uuid for o in scope.organisations],
        site=None if scope.site is None else scope.site.uuid,
        start=report.start,
        end=report.end,
        today=report.today,
        readmission_cohort_end=report.readmission_cohort_end,
        figures=[_figure(f) for f in report.figures.values()],
        waiting_time=WaitingOut(
            count=report.waiting.count,
            median_days=report.waiting.median,
            p90_days=report.waiting.p90,
        ),
        no_show=[
            OfferFigureOut(offer=o, no_shows=f.numerator, booked=f.denominator, value=f.value)
            for o, f in report.no_show.items()
        ],
        clients=[
            ClientCountOut(offer=c.offer, age_band=c.band, clients=c.clients)
            for c in report.clients
        ],
    )
