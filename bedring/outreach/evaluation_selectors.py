"""Reads of the outreach model's evaluation (HRM-10): which organisation, site and period a
request may see, and the report: the figures per site and for all sites, and the fidelity
checklists. The rows are fetched in a fixed number of queries whatever the number of contacts
(the sites, the contacts with their staff count, the codes, the inquiries, the referrals, the
checklists); the formulas are ``bedring.outreach.evaluation``'s.

Scope rules (pages and API alike): the organisations where the caller holds OUTCOMES; one
named that the caller is not a member of is 404, one where the role lacks OUTCOMES 403, one
without outreach 422 ``no_outreach``; a site of another organisation (by slug or id) is 422
``unknown_site``; a bad period is 422 (``invalid_date``, ``period_incomplete``,
``period_reversed``, ``period_too_long``). The default period is the current quarter.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import Staff, organisation_for_write, organisations_where
from bedring.accounts.models import Organisation, Site, SiteKind
from bedring.core import clock
from bedring.core.errors import ValidationFailed
from bedring.core.roles import Perm
from bedring.pathway.models import Inquiry
from bedring.referrals.models import Referral

from . import evaluation as ev
from .models import FidelityCheck, OutreachContact, OutreachSettings, Pseudonym
from .packs import FidelityElementIn, OutreachIn, label
from .selectors import outreach_spec

FIRST_DAY = datetime.date(2000, 1, 1)
LAST_DAY = datetime.date(2100, 12, 31)
# The national model's trial ran two years (seed 001 line 25, "Fra januar 2015 og frem til
# udgangen af 2016"); five years leave room for a longer look and keep the checklists short.
MAX_PERIOD_DAYS = 5 * 366


@dataclass(frozen=True)
class EvaluationScope:
    organisation: Organisation
    spec: OutreachIn
    site: Site | None
    start: datetime.date
    end: datetime.date
    today: datetime.date

    @property
    def window_days(self) -> int | None:
        return None if self.spec.evaluation is None else self.spec.evaluation.treatment_start_days

    @property
    def elements(self) -> tuple[FidelityElementIn, ...]:
        return () if self.spec.evaluation is None else self.spec.evaluation.fidelity

    def query(self) -> dict[str, str]:
        """The scope as query parameters (the downloads, the quarter links)."""
        params = {
            "organisation": str(self.organisation.uuid),
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
        }
        if self.site is not None:
            params["site"] = str(self.site.uuid)
        return params


def evaluation_organisations(staff: Staff) -> list[Organisation]:
    """The organisations whose evaluation the staff member may read: OUTCOMES there, and the
    organisation records outreach work (one query)."""
    allowed = organisations_where(staff, Perm.OUTCOMES)
    with_outreach = set(
        OutreachSettings.objects.filter(organisation_id__in=[o.pk for o in allowed]).values_list(
            "organisation_id", flat=True
        )
    )
    return sorted((o for o in allowed if o.pk in with_outreach), key=lambda o: o.name)


def _date(value: str, field: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(
            "invalid_date", _("Give a date as YYYY-MM-DD that exists."), field=field
        ) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationFailed(
            "invalid_date", _("Give a date from 2000-01-01 to 2100-12-31."), field=field
        )
    return day


def period(
    date_from: str | None, date_to: str | None, today: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """``from`` .. ``to`` (both days included), or the current quarter."""
    if not (date_from or date_to):
        start = ev.quarter_start(today)
        return start, ev.quarter_end(start)
    if not (date_from and date_to):
        raise ValidationFailed(
            "period_incomplete",
            _("Give both the first and the last day of the period."),
            field="from" if not date_from else "to",
        )
    start, end = _date(date_from, "from"), _date(date_to, "to")
    if start > end:
        raise ValidationFailed(
            "period_reversed", _("The period ends before it starts."), field="to"
        )
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationFailed(
            "period_too_long", _("A period may cover at most five years."), field="to"
        )
    return start, end


def quarter_of(value: str | datetime.date | None, today: datetime.date) -> datetime.date:
    """A quarter named by its first day (1 January, 1 April, 1 July, 1 October); none: the
    current quarter. Another day is 422 ``quarter_invalid``."""
    if value is None or value == "":
        return ev.quarter_start(today)
    day = value if isinstance(value, datetime.date) else _date(value, "quarter")
    if not ev.is_quarter_start(day):
        raise ValidationFailed(
            "quarter_invalid",
            _("Name a quarter by its first day: 1 January, 1 April, 1 July or 1 October."),
            field="quarter",
        )
    return day


def site_of(organisation: Organisation, value: str) -> Site:
    """One of the organisation's sites by its slug or its id; anything else (another
    organisation's site too) is 422 ``unknown_site``."""
    value = value.strip()
    try:
        wanted: Q = Q(uuid=uuid.UUID(value))
    except ValueError:
        wanted = Q(slug=value)
    site = Site.objects.filter(wanted, organisation=organisation).first()
    if site is None:
        raise ValidationFailed(
            "unknown_site", _("Choose one of the organisation's sites."), field="site"
        )
    return site


def outreach_of(organisation: Organisation) -> OutreachIn:
    spec = outreach_spec(organisation)
    if spec is None:
        raise ValidationFailed(
            "no_outreach",
            _("This organisation records no outreach work."),
            field="organisation",
        )
    return spec


def chosen_organisation(staff: Staff, organisation: str | uuid.UUID | None) -> Organisation:
    """The organisation named (its public id), or the active one when it records outreach,
    or the first of the staff member's organisations that does. Another organisation is 404,
    one where the role lacks OUTCOMES 403."""
    if isinstance(organisation, str):
        organisation = organisation.strip() or None
    if organisation is None:
        readable = evaluation_organisations(staff)
        active = staff.active.organisation if staff.active else None
        if active is not None and active in readable:
            return active
        if readable:
            return readable[0]
        if not organisations_where(staff, Perm.OUTCOMES):
            raise PermissionDenied
        return organisation_for_write(staff, None, Perm.OUTCOMES)
    if isinstance(organisation, str):
        try:
            organisation = uuid.UUID(organisation)
        except ValueError:
            raise Http404 from None
    return organisation_for_write(staff, organisation, Perm.OUTCOMES)


def evaluation_scope(
    staff: Staff,
    *,
    organisation: str | uuid.UUID | None,
    site: str | None,
    date_from: str | None,
    date_to: str | None,
) -> EvaluationScope:
    chosen = chosen_organisation(staff, organisation)
    spec = outreach_of(chosen)
    site_obj = site_of(chosen, site) if site else None
    today = clock.today(chosen)
    start, end = period(date_from, date_to, today)
    return EvaluationScope(
        organisation=chosen, spec=spec, site=site_obj, start=start, end=end, today=today
    )


# --- the report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteColumn:
    site: Site | None  # None: all sites together
    figures: ev.Figures

    @property
    def name(self) -> str:
        return str(_("All sites")) if self.site is None else self.site.name

    @property
    def key(self) -> str:
        return "all" if self.site is None else self.site.slug


@dataclass(frozen=True)
class FidelityRow:
    element: str
    name: str
    held: bool | None  # None: not ticked
    note: str
    checked_by: str  # the name, for people
    checked_by_username: str  # for the API
    checked_at: datetime.datetime | None


@dataclass(frozen=True)
class FidelitySheet:
    """One site's checklist for one quarter."""

    site: Site
    quarter: datetime.date
    rows: list[FidelityRow]
    today: datetime.date

    @property
    def quarter_end(self) -> datetime.date:
        return ev.quarter_end(self.quarter)

    @property
    def editable(self) -> bool:
        return ev.fidelity_editable(self.quarter, self.today)

    @property
    def editable_until(self) -> datetime.date:
        return ev.fidelity_editable_until(self.quarter)

    @property
    def held(self) -> int:
        return sum(1 for r in self.rows if r.held is True)

    @property
    def not_held(self) -> int:
        return sum(1 for r in self.rows if r.held is False)

    @property
    def not_ticked(self) -> int:
        return sum(1 for r in self.rows if r.held is None)


@dataclass(frozen=True)
class EvaluationReport:
    scope: EvaluationScope
    columns: list[SiteColumn]  # each site, then all sites together (when more than one)
    total: ev.Figures
    fidelity: list[FidelitySheet] | None  # None: the pack has no fidelity checklist
    definitions: list[tuple[str, str]]

    @property
    def window_days(self) -> int | None:
        return self.scope.window_days

    @property
    def window_source(self) -> str:
        evaluation = self.scope.spec.evaluation
        return "" if evaluation is None else evaluation.treatment_start_source

    @property
    def quarters(self) -> list[datetime.date]:
        return ev.quarters(self.scope.start, self.scope.end)


def _moment(day: datetime.date, zone: ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)


def fidelity_sheets(
    organisation: Organisation,
    elements: tuple[FidelityElementIn, ...],
    sites: list[Site],
    quarters: list[datetime.date],
    today: datetime.date,
) -> list[FidelitySheet]:
    """The checklists of ``sites`` x ``quarters`` (one query), each element of the pack a row,
    ticked or not."""
    stored = {
        (c.site_id, c.quarter, c.element): c
        for c in FidelityCheck.objects.filter(
            organisation=organisation,
            site_id__in=[s.pk for s in sites],
            quarter__in=quarters,
        ).select_related("checked_by")
    }
    language = get_language()
    sheets = []
    for site in sites:
        for quarter in quarters:
            rows = []
            for element in elements:
                check = stored.get((site.pk, quarter, element.key))
                rows.append(
                    FidelityRow(
                        element=element.key,
                        name=label(element.name.as_dict(), language),
                        held=None if check is None else check.met,
                        note="" if check is None else check.note,
                        checked_by=""
                        if check is None
                        else (check.checked_by.get_full_name() or check.checked_by.username),
                        checked_by_username="" if check is None else check.checked_by.username,
                        checked_at=None if check is None else check.updated_at,
                    )
                )
            sheets.append(FidelitySheet(site=site, quarter=quarter, rows=rows, today=today))
    return sheets


def evaluation_report(scope: EvaluationScope) -> EvaluationReport:
    """The figures and checklists of the scope, in at most six queries."""
    organisation, spec = scope.organisation, scope.spec
    zone = clock.zone(organisation)
    first, after = _moment(scope.start, zone), _moment(scope.end + datetime.timedelta(days=1), zone)
    contacts = OutreachContact.objects.filter(
        organisation=organisation, at__gte=first, at__lt=after
    )
    if scope.site is not None:
        contacts = contacts.filter(site=scope.site)
    raw = list(
        contacts.annotate(n_staff=Count("staff")).values_list(
            "id", "site_id", "at", "client_id", "pseudonym_id", "activities", "minutes", "n_staff"
        )
    )
    if scope.site is not None:
        sites = [scope.site]
    else:
        with_contacts = {r[1] for r in raw}
        sites = sorted(
            Site.objects.filter(organisation=organisation).filter(
                Q(pk__in=with_contacts) | Q(kind=SiteKind.OUTREACH, is_active=True)
            ),
            key=lambda s: s.name,
        )
    pseudonyms: dict[int, ev.PseudonymRow] = {}
    if any(r[4] is not None for r in raw):
        pseudonyms = {
            pk: ev.PseudonymRow(pk, client_id, merged)
            for pk, client_id, merged in Pseudonym.objects.filter(
                organisation=organisation
            ).values_list("id", "client_id", "merged_into_id")
        }
    referral_keys = {a.key for a in spec.activities if a.referral}
    rows = []
    for pk, site_id, at, client_id, pseudonym_id, activities, minutes, n_staff in raw:
        client, code = ev.resolve_person(client_id, pseudonym_id, pseudonyms)
        rows.append(
            ev.ContactRow(
                id=pk,
                site_id=site_id,
                at=at,
                day=at.astimezone(zone).date(),
                client_id=client,
                pseudonym_id=code,
                minutes=minutes,
                staff=n_staff,
                referral=bool(referral_keys.intersection(activities or ())),
            )
        )

    window = scope.window_days
    inquiries: list[ev.InquiryRow] = []
    referrals: list[ev.ReferralRow] = []
    if window is not None and any(r.client_id is not None for r in rows):
        window_end = _moment(scope.end + datetime.timedelta(days=window + 1), zone)
        # The contacts' clients: named on a contact in the period, or reached through a code.
        reached = Q(client_id__in=contacts.filter(client__isnull=False).values("client_id")) | Q(
            client_id__in=Pseudonym.objects.filter(
                organisation=organisation, client__isnull=False
            ).values("client_id")
        )
        inquiries = [
            ev.InquiryRow(client_id, at, at.astimezone(zone).date())
            for client_id, at in Inquiry.objects.filter(
                reached,
                organisation=organisation,
                client__isnull=False,
                received_at__gte=first,
                received_at__lt=window_end,
            ).values_list("client_id", "received_at")
        ]
        referrals = [
            ev.ReferralRow(pk, client_id, at, at.astimezone(zone).date(), status)
            for pk, client_id, at, status in Referral.objects.filter(
                reached,
                client__organisation=organisation,
                created_at__gte=first,
                created_at__lt=window_end,
            ).values_list("id", "client_id", "created_at", "status")
        ]

    def figures_of(selected: list[ev.ContactRow]) -> ev.Figures:
        return ev.figures(
            selected,
            inquiries=inquiries,
            referrals=referrals,
            window_days=window,
            today=scope.today,
        )

    columns = [SiteColumn(s, figures_of([r for r in rows if r.site_id == s.pk])) for s in sites]
    total = figures_of(rows)
    if len(columns) > 1:
        columns.append(SiteColumn(None, total))
    fidelity = None
    if scope.elements:
        fidelity = fidelity_sheets(
            organisation, scope.elements, sites, ev.quarters(scope.start, scope.end), scope.today
        )
    language = get_language()
    return EvaluationReport(
        scope=scope,
        columns=columns,
        total=total,
        fidelity=fidelity,
        definitions=ev.definitions(
            window_days=window,
            window_source="" if spec.evaluation is None else spec.evaluation.treatment_start_source,
            referral_activities=[
                label(a.name.as_dict(), language) for a in spec.activities if a.referral
            ],
        ),
    )
