from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from bedring.core.hours import format_intervals

from .access import Staff
from .models import HoursKind, Organisation
from .selectors import rules_for, sites_with_hours, weekly_hours

router = Router(tags=["organisations"])


class MembershipOut(Schema):
    organisation: UUID
    organisation_name: str
    roles: list[str]


class MeOut(Schema):
    username: str
    name: str
    memberships: list[MembershipOut]


class OrganisationOut(Schema):
    id: UUID
    slug: str
    name: str
    jurisdiction: str
    language: str
    time_zone: str


class SiteOut(Schema):
    id: UUID
    slug: str
    name: str
    kind: str
    address: str
    phone: str
    open_on_public_holidays: bool
    # {"opening": {"0": "09:00-12:00, 13:00-19:00", ...}, "phone": ..., "medication": ...}
    hours: dict[str, dict[int, str]]


class RulesOut(Schema):
    start_guarantee_days: int | None
    first_contact_working_days: int | None
    complaint_window_weeks: int | None
    plan_evaluation_months: int
    parental_consent_under_age: int


class OrganisationDetailOut(OrganisationOut):
    rules: RulesOut
    sites: list[SiteOut]


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


def _organisation_out(org: Organisation) -> OrganisationOut:
    return OrganisationOut(
        id=org.uuid,
        slug=org.slug,
        name=org.name,
        jurisdiction=org.jurisdiction,
        language=org.language,
        time_zone=org.time_zone,
    )


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    staff = _staff(request)
    return MeOut(
        username=staff.user.username,
        name=staff.user.get_full_name(),
        memberships=[
            MembershipOut(
                organisation=m.organisation.uuid,
                organisation_name=m.organisation.name,
                roles=m.roles,
            )
            for m in staff.memberships.values()
        ],
    )


@router.get("/organisations", response=list[OrganisationOut])
def organisation_list(request: HttpRequest) -> list[OrganisationOut]:
    """The organisations the token's staff member belongs to."""
    return [_organisation_out(m.organisation) for m in _staff(request).memberships.values()]


@router.get("/organisations/{org_id}", response=OrganisationDetailOut)
def organisation_detail(request: HttpRequest, org_id: UUID) -> OrganisationDetailOut:
    """INT-8, INT-9: an organisation with its sites and their opening, phone, medication hours."""
    memberships = {m.organisation.uuid: m for m in _staff(request).memberships.values()}
    membership = memberships.get(org_id)
    if membership is None:
        raise Http404
    org = membership.organisation
    sites = []
    for site in sites_with_hours(org):
        week = weekly_hours(list(site.hours.all()))
        sites.append(
            SiteOut(
                id=site.uuid,
                slug=site.slug,
                name=site.name,
                kind=site.kind,
                address=site.address,
                phone=site.phone,
                open_on_public_holidays=site.open_on_public_holidays,
                hours={
                    kind: {day: format_intervals(ivs) for day, ivs in week[kind].items()}
                    for kind in HoursKind.values
                },
            )
        )
    rules = rules_for(org)
    return OrganisationDetailOut(
        **_organisation_out(org).model_dump(),
        rules=RulesOut(**rules.model_dump(include=set(RulesOut.model_fields))),
        sites=sites,
    )
