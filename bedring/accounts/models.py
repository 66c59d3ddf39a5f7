"""Organisations, their sites and hours, and the staff who work there (INT-8, INT-9)."""

from __future__ import annotations

import hashlib
import secrets
from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bedring.core.models import BaseModel
from bedring.core.roles import Perm, Role, perms_for_roles
from bedring.rules.packs import merged_pack


class Jurisdiction(models.TextChoices):
    DK = "DK", _("Denmark")
    NO = "NO", _("Norway")
    BE = "BE", _("Belgium")


class Language(models.TextChoices):
    EN = "en", _("English")
    DA = "da", _("Danish")
    NB = "nb", _("Norwegian Bokmål")
    NL = "nl", _("Dutch")


class User(AbstractUser):
    """A staff member. ``language`` is the UI language; empty means the organisation's."""

    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, blank=True, default=""
    )


class Organisation(BaseModel):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=200)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=2, choices=Jurisdiction.choices)
    language = models.CharField(_("default language"), max_length=5, choices=Language.choices)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Copenhagen")
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # Per-organisation overrides of the jurisdiction's rule pack, validated by bedring.rules.
    rule_overrides = models.JSONField(_("rule overrides"), default=dict, blank=True)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class SiteKind(models.TextChoices):
    MAIN = "main", _("Main centre")
    ANTENNA = "antenna", _("Antenna site")
    OUTREACH = "outreach", _("Outreach base")
    SHELTER = "shelter", _("Shelter or housing")


class Site(BaseModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="sites")
    slug = models.SlugField()
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Substitution clinics often hand out doses on public holidays; most sites are closed.
    open_on_public_holidays = models.BooleanField(_("open on public holidays"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering: ClassVar = ["organisation", "kind", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="site_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name


class HoursKind(models.TextChoices):
    OPENING = "opening", _("Opening hours")
    PHONE = "phone", _("Phone hours")
    MEDICATION = "medication", _("Medication hours")


class SiteHours(models.Model):
    """One interval on one weekday: a site may have several a day (MSOC 09-12 and 13-19)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="hours")
    kind = models.CharField(max_length=12, choices=HoursKind.choices)
    weekday = models.PositiveSmallIntegerField()  # 0 = Monday
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering: ClassVar = ["site", "kind", "weekday", "start"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="site_hours_weekday_range"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="site_hours_order"),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.kind} {self.weekday} {self.start}-{self.end}"


class ClosedDay(models.Model):
    """A day a site (or, with no site, the whole organisation) is closed beyond holidays."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="closed_days"
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="closed_days"
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering: ClassVar = ["date"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organisation", "site", "date"], name="closed_day_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"


class Team(BaseModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(BaseModel):
    """A staff member's place in one organisation: roles there, and a team."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    roles = models.JSONField(default=list)
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"

    @property
    def perms(self) -> frozenset[Perm]:
        """The roles' permissions in this organisation: the shared table with the
        organisation's pack grants and revokes (``role_grants``, ``role_revokes``)."""
        if not self.is_active:
            return frozenset()
        overrides = self.organisation.rule_overrides
        if not overrides or not ({"role_grants", "role_revokes"} & set(overrides)):
            return perms_for_roles(self.roles)
        return merged_pack(self.organisation.jurisdiction, overrides).role_perms(self.roles)

    def has(self, perm: Perm) -> bool:
        return perm in self.perms

    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels.get(r, r)) for r in self.roles]


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A staff member's bearer token for /api/v1/. Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_raw_token() -> str:
        return "bdr_" + secrets.token_urlsafe(32)
