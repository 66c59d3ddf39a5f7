"""Reads about organisations and sites."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q, QuerySet

from bedring.core import calendar
from bedring.core.hours import Interval, WeeklyHours, is_open_at, next_opening
from bedring.rules.packs import RulePack, merged_pack

from .models import ClosedDay, HoursKind, Organisation, Site, SiteHours


def rules_for(organisation: Organisation) -> RulePack:
    return merged_pack(organisation.jurisdiction, organisation.rule_overrides)


def sites_with_hours(organisation: Organisation) -> QuerySet[Site]:
    return (
        organisation.sites.filter(is_active=True)
        .order_by("kind", "name")
        .prefetch_related(
            Prefetch("hours", queryset=SiteHours.objects.order_by("kind", "weekday", "start"))
        )
    )


@dataclass
class SiteCalendar:
    """A site's weekly hours of each kind plus the days it is closed, ready for the pure
    functions in bedring.core.hours and bedring.core.calendar."""

    site: Site
    jurisdiction: str
    time_zone: ZoneInfo
    hours: dict[str, WeeklyHours] = field(default_factory=dict)
    closed_days: frozenset[datetime.date] = frozenset()

    def is_closed_day(self, day: datetime.date) -> bool:
        if day in self.closed_days:
            return True
        return not self.site.open_on_public_holidays and calendar.is_public_holiday(
            day,
            self.jurisdiction,  # type: ignore[arg-type]
        )

    def local(self, at: datetime.datetime) -> datetime.datetime:
        return at.astimezone(self.time_zone).replace(tzinfo=None)

    def is_open(self, kind: str, at: datetime.datetime) -> bool:
        return is_open_at(self.hours.get(kind, {}), self.local(at), self.is_closed_day)

    def next_opening(self, kind: str, after: datetime.datetime) -> datetime.datetime | None:
        found = next_opening(self.hours.get(kind, {}), self.local(after), self.is_closed_day)
        return found.replace(tzinfo=self.time_zone) if found else None


def weekly_hours(rows: list[SiteHours]) -> dict[str, WeeklyHours]:
    grouped: dict[str, dict[int, list[Interval]]] = {k: defaultdict(list) for k in HoursKind.values}
    for row in rows:
        grouped[row.kind][row.weekday].append(Interval(row.start, row.end))
    return {kind: dict(days) for kind, days in grouped.items()}


def site_calendar(site: Site) -> SiteCalendar:
    organisation = site.organisation
    closed = ClosedDay.objects.filter(organisation=organisation).filter(
        Q(site=site) | Q(site__isnull=True)
    )
    return SiteCalendar(
        site=site,
        jurisdiction=organisation.jurisdiction,
        time_zone=ZoneInfo(organisation.time_zone),
        hours=weekly_hours(list(site.hours.all())),
        closed_days=frozenset(closed.values_list("date", flat=True)),
    )
