"""Writes about organisations, sites, staff and tokens. Each is atomic; django-auditlog keeps
old and new values of every change in the same transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bedring.core import clock
from bedring.core.errors import NotFound, ValidationFailed
from bedring.core.hours import Interval
from bedring.core.roles import Role

from .models import (
    ApiToken,
    ClosedDay,
    Membership,
    Organisation,
    Site,
    SiteHours,
    Team,
    User,
    hash_token,
)


@transaction.atomic
def site_set_hours(
    *, site: Site, kind: str, week: Mapping[int, Sequence[Interval]]
) -> list[SiteHours]:
    """INT-8: replace a site's hours of one kind (opening, phone, medication) for the week."""
    if any(day not in range(7) for day in week):
        raise ValidationFailed("hours_weekday", _("Weekdays run from Monday (0) to Sunday (6)."))
    wanted = sorted((day, iv.start, iv.end) for day, intervals in week.items() for iv in intervals)
    existing = SiteHours.objects.filter(site=site, kind=kind).order_by("weekday", "start")
    if [(r.weekday, r.start, r.end) for r in existing] == wanted:
        return list(existing)  # unchanged: no rewrite, no noise in the change log
    existing.delete()
    rows = [
        SiteHours(site=site, kind=kind, weekday=day, start=iv.start, end=iv.end)
        for day, intervals in sorted(week.items())
        for iv in intervals
    ]
    for row in rows:  # one by one so that the change log records each interval
        row.save()
    return rows


@transaction.atomic
def site_save_week(
    *,
    site: Site,
    weeks: Mapping[str, Mapping[int, Sequence[Interval]]],
    open_on_public_holidays: bool,
) -> Site:
    """INT-8: all of a site's hours at once (opening, phone, medication): all saved or none,
    since the phone hours decide call-back deadlines (INT-6)."""
    for kind, week in weeks.items():
        site_set_hours(site=site, kind=kind, week=week)
    return site_update(site=site, open_on_public_holidays=open_on_public_holidays)


@transaction.atomic
def site_update(*, site: Site, open_on_public_holidays: bool) -> Site:
    site.open_on_public_holidays = open_on_public_holidays
    site.save(update_fields=["open_on_public_holidays", "updated_at"])
    return site


def closed_day_add(
    *, organisation: Organisation, site: Site | None, date: datetime.date, reason: str
) -> ClosedDay:
    if site is not None and site.organisation_id != organisation.pk:
        raise NotFound("not_found", _("No such site."))
    day, _created = ClosedDay.objects.update_or_create(
        organisation=organisation, site=site, date=date, defaults={"reason": reason}
    )
    return day


def closed_day_remove(*, organisation: Organisation, closed_day_id: int) -> None:
    deleted, _counts = ClosedDay.objects.filter(
        organisation=organisation, pk=closed_day_id
    ).delete()
    if not deleted:
        raise NotFound("not_found", _("No such closed day."))


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str | None,
    first_name: str,
    last_name: str,
    organisation: Organisation,
    roles: Iterable[str],
    team: Team | None = None,
    email: str = "",
) -> User:
    roles = list(roles)
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationFailed(
            "unknown_role", _("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))}
        )
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, organisation=organisation, roles=roles, team=team)
    return user


def membership_add(
    *, user: User, organisation: Organisation, roles: Iterable[str], team: Team | None = None
) -> Membership:
    membership, _created = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"roles": list(roles), "team": team}
    )
    return membership


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its raw value; the raw value is shown once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationFailed("token_name_required", _("Give the token a name."), field="name")
    raw = ApiToken.new_raw_token()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[4:12], key_hash=hash_token(raw)
    )
    return token, raw


def api_token_revoke(*, user: User, token_id: int, at: datetime.datetime | None = None) -> ApiToken:
    token = ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound("not_found", _("No such token."))
    token.revoked_at = at or clock.now()
    token.save(update_fields=["revoked_at"])
    return token
