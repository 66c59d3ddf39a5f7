"""The national outreach model's evaluation in /api/v1/outreach/evaluation (HRM-10): the
figures per site and for all sites, and the fidelity checklist's reads and writes. The same
scope rules, formulas and error codes as the report page; OUTCOMES, as the other figures.

* ``GET /outreach/evaluation?organisation=&site=&from=&to=``: the figures (default: the only
  organisation, the current quarter). An organisation without the model's evaluation in its
  pack (no ``evaluation:``) answers the figures that need no window, with
  ``treatment_start_days``, the window's figures and ``fidelity`` null.
* ``GET /outreach/evaluation/fidelity?organisation=&site=&quarter=``: one site's checklist
  for one quarter (``elements`` empty where the pack lists none).
* ``PUT /outreach/evaluation/fidelity``: tick one or more elements; the others keep what
  they had. 422 ``no_fidelity_elements`` for an organisation whose pack lists none.

Errors: 404 ``not_found`` (an organisation the caller is not a member of), 403 ``forbidden``
(no OUTCOMES there), 422 ``no_outreach``, ``unknown_site``, ``invalid_date``,
``period_incomplete``, ``period_reversed``, ``period_too_long``, ``quarter_invalid``,
``quarter_not_started``, ``quarter_closed``, ``ticks_required``, ``unknown_element``,
``element_repeated``, ``note_too_long``; 409 ``fidelity_saved_meanwhile``.
"""

from __future__ import annotations

import datetime
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from bedring.accounts.access import Staff
from bedring.accounts.models import Organisation, Site
from bedring.core import clock

from .. import evaluation as ev
from ..evaluation_selectors import (
    FidelitySheet,
    chosen_organisation,
    evaluation_report,
    evaluation_scope,
    fidelity_sheets,
    outreach_of,
    quarter_of,
    site_of,
)
from ..services.fidelity import FidelityTick, fidelity_save

router = Router(tags=["outreach"])


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


class ReferralCountOut(Schema):
    status: str
    referrals: int


class FiguresOut(Schema):
    contacts: int
    contacts_anonymous: int
    persons: int
    persons_clients: int
    persons_codes: int
    minutes_total: int
    minutes_mean: float | None
    minutes_median: float | None
    contact_hours: float
    staff_minutes: int
    staff_hours: float
    contacts_known: int
    treatment_starts: int | None
    treatment_start_persons: int | None
    window_open: int | None
    referral_contacts: int
    referral_contacts_known: int | None
    referral_contacts_followed: int | None
    referrals: list[ReferralCountOut] | None


class SiteFiguresOut(Schema):
    site: str
    name: str
    figures: FiguresOut


class FidelityElementOut(Schema):
    element: str
    name: str
    held: bool | None
    note: str
    checked_by: str | None
    checked_at: datetime.datetime | None


class FidelityOut(Schema):
    organisation: UUID
    site: str
    quarter: datetime.date
    quarter_end: datetime.date
    editable: bool
    editable_until: datetime.date
    elements: list[FidelityElementOut]


class EvaluationOut(Schema):
    organisation: UUID
    site: str | None
    start: datetime.date
    end: datetime.date
    today: datetime.date
    treatment_start_days: int | None
    treatment_start_source: str | None
    sites: list[SiteFiguresOut]
    total: FiguresOut
    fidelity: list[FidelityOut] | None


def figures_out(f: ev.Figures) -> FiguresOut:
    return FiguresOut(
        contacts=f.contacts,
        contacts_anonymous=f.contacts_anonymous,
        persons=f.persons,
        persons_clients=f.persons_clients,
        persons_codes=f.persons_codes,
        minutes_total=f.minutes_total,
        minutes_mean=f.minutes_mean,
        minutes_median=f.minutes_median,
        contact_hours=round(f.contact_hours, 2),
        staff_minutes=f.staff_minutes,
        staff_hours=round(f.staff_hours, 2),
        contacts_known=f.contacts_known,
        treatment_starts=f.treatment_starts,
        treatment_start_persons=f.treatment_start_persons,
        window_open=f.window_open,
        referral_contacts=f.referral_contacts,
        referral_contacts_known=f.referral_contacts_known,
        referral_contacts_followed=f.referral_contacts_followed,
        referrals=None
        if f.referrals is None
        else [ReferralCountOut(status=s, referrals=n) for s, n in f.referral_rows],
    )


def fidelity_out(organisation: Organisation, sheet: FidelitySheet) -> FidelityOut:
    return FidelityOut(
        organisation=organisation.uuid,
        site=sheet.site.slug,
        quarter=sheet.quarter,
        quarter_end=sheet.quarter_end,
        editable=sheet.editable,
        editable_until=sheet.editable_until,
        elements=[
            FidelityElementOut(
                element=r.element,
                name=r.name,
                held=r.held,
                note=r.note,
                checked_by=r.checked_by_username or None,
                checked_at=r.checked_at,
            )
            for r in sheet.rows
        ],
    )


@router.get(
    "/outreach/evaluation",
    response=EvaluationOut,
    summary="The outreach model's evaluation figures per site and for all sites",
)
def evaluation(
    request: HttpRequest,
    organisation: UUID | None = None,
    site: str | None = None,
    date_from: str | None = Query(None, alias="from"),  # type: ignore[type-arg]
    date_to: str | None = Query(None, alias="to"),  # type: ignore[type-arg]
) -> EvaluationOut:
    """``organisation``: a public id (default: the only one where the caller holds OUTCOMES);
    ``site``: a site's slug or id (default: every site); ``from``..``to``: ISO days, both
    included (default: the current quarter)."""
    scope = evaluation_scope(
        _staff(request),
        organisation=organisation,
        site=site,
        date_from=date_from,
        date_to=date_to,
    )
    report = evaluation_report(scope)
    evaluation_in = scope.spec.evaluation
    return EvaluationOut(
        organisation=scope.organisation.uuid,
        site=None if scope.site is None else scope.site.slug,
        start=scope.start,
        end=scope.end,
        today=scope.today,
        treatment_start_days=None if evaluation_in is None else evaluation_in.treatment_start_days,
        treatment_start_source=None
        if evaluation_in is None
        else evaluation_in.treatment_start_source,
        sites=[
            SiteFiguresOut(site=c.site.slug, name=c.site.name, figures=figures_out(c.figures))
            for c in report.columns
            if c.site is not None
        ],
        total=figures_out(report.total),
        fidelity=None
        if report.fidelity is None
        else [fidelity_out(scope.organisation, s) for s in report.fidelity],
    )


def _sheet(organisation: Organisation, site: Site, quarter: datetime.date) -> FidelityOut:
    spec = outreach_of(organisation)
    elements = () if spec.evaluation is None else spec.evaluation.fidelity
    today = clock.today(organisation)
    return fidelity_out(
        organisation, fidelity_sheets(organisation, elements, [site], [quarter], today)[0]
    )


@router.get(
    "/outreach/evaluation/fidelity",
    response=FidelityOut,
    summary="A site's fidelity checklist for a quarter",
)
def fidelity_read(
    request: HttpRequest,
    site: str,
    organisation: UUID | None = None,
    quarter: str | None = None,
) -> FidelityOut:
    """``site``: a site's slug or id; ``quarter``: its first day (default: the current
    quarter). Every element of the pack is listed; ``held`` null: not ticked."""
    chosen = chosen_organisation(_staff(request), organisation)
    outreach_of(chosen)
    site_obj = site_of(chosen, site)
    return _sheet(chosen, site_obj, quarter_of(quarter, clock.today(chosen)))


class TickIn(Schema):
    element: str = Field(..., max_length=40)
    held: bool
    note: str = Field("", max_length=5000, description="At most 500 characters.")


class FidelityIn(Schema):
    organisation: UUID | None = Field(None, description="Default: the only organisation.")
    site: str = Field(..., max_length=50, description="A site's slug or id.")
    quarter: datetime.date = Field(..., description="The quarter's first day.")
    elements: list[TickIn] = Field(..., max_length=50)


@router.put(
    "/outreach/evaluation/fidelity",
    response=FidelityOut,
    summary="Tick elements of a site's fidelity checklist for a quarter",
)
def fidelity_write(request: HttpRequest, payload: FidelityIn) -> FidelityOut:
    staff = _staff(request)
    chosen = chosen_organisation(staff, payload.organisation)
    outreach_of(chosen)
    site = site_of(chosen, payload.site)
    fidelity_save(
        organisation=chosen,
        site=site,
        quarter=payload.quarter,
        ticks=[FidelityTick(t.element, t.held, t.note) for t in payload.elements],
        actor=staff.user,
    )
    return _sheet(chosen, site, payload.quarter)
