"""Which organisations, site and period a request for figures may see (pages and API).

A manager sees the figures of the organisations where they hold the OUTCOMES permission: one
of them or all of them together. An organisation they are not a member of, or a site of
another organisation, is 404 (its existence is not revealed); a bad period is 422 with a code.
"""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import Staff, organisations_where
from bedring.accounts.models import Organisation, Site
from bedring.core import clock
from bedring.core.errors import NotFound, ValidationFailed
from bedring.core.roles import Perm

ALL = "all"
MAX_PERIOD_DAYS = 20 * 366
# The figures look a year past the period (readmissions); dates near year 9999 would overflow.
FIRST_DAY = datetime.date(2000, 1, 1)
LAST_DAY = datetime.date(2100, 12, 31)


@dataclass(frozen=True)
class OutcomeScope:
    organisations: tuple[Organisation, ...]
    all_organisations: bool
    site: Site | None
    start: datetime.date
    end: datetime.date
    today: datetime.date

    @property
    def organisation_ids(self) -> list[int]:
        return [o.pk for o in self.organisations]

    @property
    def site_id(self) -> int | None:
        return None if self.site is None else self.site.pk

    def query(self) -> dict[str, str]:
        """The scope as query parameters (links to the drill-down and the downloads)."""
        params = {
            "organisation": ALL if self.all_organisations else str(self.organisations[0].uuid),
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
        }
        if self.site is not None:
            params["site"] = str(self.site.uuid)
        return params


def _date(value: str, field: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            "invalid_date", _("Give a date as YYYY-MM-DD that exists."), field=field
        ) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationFailed(
            "invalid_date", _("Give a date from 2000-01-01 to 2100-12-31."), field=field
        )
    return day


def _uuid(value: str, code: str, message: str | Promise) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(code, message) from None


def outcome_scope(
    staff: Staff,
    *,
    organisation: str | None,
    site: str | None,
    year: str | None,
    date_from: str | None,
    date_to: str | None,
    default_all: bool,
    today: datetime.date | None = None,
) -> OutcomeScope:
    """Parse the filters. ``organisation``: a public UUID or ``all`` (empty: the active
    organisation, or all of them when ``default_all``). Period: ``from``/``to`` (ISO dates),
    or a ``year``, or the current calendar year."""
    allowed = organisations_where(staff, Perm.OUTCOMES)
    if not allowed:
        raise PermissionDenied
    allowed.sort(key=lambda o: o.name)
    organisation = (organisation or "").strip()
    if organisation == ALL or (not organisation and default_all):
        chosen, all_orgs = tuple(allowed), True
    elif not organisation:
        active = staff.active.organisation if staff.active else None
        chosen = (active if active in allowed else allowed[0],)
        all_orgs = False
    else:
        wanted = _uuid(organisation, "organisation_not_found", _("No such organisation."))
        found = [o for o in allowed if o.uuid == wanted]
        if not found:
            raise NotFound("organisation_not_found", _("No such organisation."))
        chosen, all_orgs = (found[0],), False

    site_obj: Site | None = None
    if site:
        wanted_site = _uuid(site, "site_not_found", _("No such site."))
        site_obj = Site.objects.filter(
            uuid=wanted_site, organisation_id__in=[o.pk for o in chosen]
        ).first()
        if site_obj is None:
            raise NotFound("site_not_found", _("No such site in the chosen organisations."))

    today = today or clock.today()
    if date_from or date_to:
        if not (date_from and date_to):
            raise ValidationFailed(
                "period_incomplete",
                _("Give both the first and the last day of the period."),
                field="from" if not date_from else "to",
            )
        start, end = _date(date_from, "from"), _date(date_to, "to")
    elif year:
        # Not str.isdigit: it accepts superscript digits that int() refuses.
        if not re.fullmatch(r"[0-9]{4}", year) or not 2000 <= int(year) <= 2100:
            raise ValidationFailed(
                "invalid_year", _("Give a year from 2000 to 2100."), field="year"
            )
        start, end = datetime.date(int(year), 1, 1), datetime.date(int(year), 12, 31)
    else:
        start, end = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    if start > end:
        raise ValidationFailed(
            "period_reversed", _("The period ends before it starts."), field="to"
        )
    if (end - start).days > MAX_PERIOD_DAYS:
        raise ValidationFailed(
            "period_too_long", _("A period may cover at most 20 years."), field="to"
        )
    return OutcomeScope(
        organisations=chosen,
        all_organisations=all_orgs,
        site=site_obj,
        start=start,
        end=end,
        today=today,
    )
