"""Harm reduction and outreach (HRM-1..5, HRM-8..10, PRV-4).

- ``OutreachSettings``: the organisation's ``outreach:`` pack section as loaded (activities,
  items, coverage and evaluation rules); ``Place`` and ``ExchangePoint`` are its rows.
- ``Pseudonym``: a person met on the street who agreed to a stable code instead of a name;
  may later become a client (``client``), and then every contact joins the record.
- ``OutreachContact``: one street contact: when, where, with whom (a client, a pseudonym or
  nobody identified), what was done, items out and back, minutes, staff present. A phone
  that recorded it offline sends ``offline_id``: sending it twice stores it once.
- ``ExchangeTransaction`` and ``ExchangeStockMovement``: the needle-exchange network, anonymous
  by default.
- ``FidelityCheck``: one element of the outreach model ticked per site and quarter.

Item counts are JSON objects ``{item_key: count}`` validated against the pack by the services.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bedring.accounts.models import Organisation, Site
from bedring.clients.models import Client
from bedring.core.models import BaseModel


class LocationType(models.TextChoices):
    STREET = "street", _("Street")
    SHELTER = "shelter", _("Shelter")
    SHACK = "shack", _("Shack")
    PARTNER_VENUE = "partner_venue", _("Partner venue")
    HOME = "home", pgettext_lazy("where a contact took place", "Home")
    PHARMACY = "pharmacy", _("Pharmacy")


class PointKind(models.TextChoices):
    OWN_SITE = "own_site", _("Own site")
    PHARMACY = "pharmacy", _("Pharmacy")
    PARTNER_VENUE = "partner_venue", _("Partner venue")
    STREET_WORK = "street_work", _("Street work")
    CITY_SERVICE = "city_service", _("City service")
    DEDICATED = "dedicated", _("Dedicated exchange point")
    MACHINE = "machine", _("Machine")


class OutreachSettings(models.Model):
    """The pack's ``outreach:`` section (``bedring.outreach.packs.OutreachIn`` as JSON)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="outreach_settings"
    )
    spec = models.JSONField()
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"outreach settings {self.organisation_id}"


class Place(BaseModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    key = models.SlugField(max_length=50)
    name = models.CharField(_("name"), max_length=120)
    location_type = models.CharField(
        _("location type"), max_length=16, choices=LocationType.choices
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar = ["organisation", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organisation", "key"], name="place_key_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Pseudonym(BaseModel):
    """PRV-4: a person known by a code they agreed to, not by name. ``client`` is set when the
    person later became a client with a record (with their consent); ``merged_into`` when two
    codes turned out to be one person."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=32)
    consent_at = models.DateTimeField(_("agreed on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Optional, not identifying: for the evaluation's age groups only.
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    became_client_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["organisation", "code"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organisation", "code"], name="pseudonym_code_unique")
        ]

    def __str__(self) -> str:
        return self.code

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.client_id)} if self.client_id else {}


class OutreachContact(BaseModel):
    """HRM-3, HRM-4, HRM-8: one contact where the person is."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # The team the contact counts for in the evaluation (HRM-10: per site).
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"))
    location_type = models.CharField(_("where"), max_length=16, choices=LocationType.choices)
    place = models.ForeignKey(
        Place, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A known client; for a pseudonymous person who later became a client, both are set.
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pseudonym = models.ForeignKey(
        Pseudonym, on_delete=models.PROTECT, null=True, blank=True, related_name="contacts"
    )
    # The pack's activity keys, in the order chosen.
    activities = models.JSONField(_("what was done"), default=list)
    items_out = models.JSONField(_("items handed out"), default=dict)
    items_back = models.JSONField(_("items returned"), default=dict)
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    # The id a phone gave the contact when it recorded it (offline): idempotent upload.
    offline_id = models.UUIDField(null=True, blank=True, unique=True)
    received_at = models.DateTimeField(null=True, blank=True)
    # Why a contact sent from a phone needs a second look (the pseudonym was merged or became
    # a client meanwhile); empty when nothing is to check. Cleared when someone has looked.
    conflict = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering: ClassVar = ["-at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(minutes__lte=1440), name="contact_minutes_day"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organisation", "-at"]),
            models.Index(fields=["client", "-at"]),
            models.Index(fields=["site", "at"]),
        ]

    def __str__(self) -> str:
        return f"contact {self.at:%Y-%m-%d %H:%M}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.client_id)} if self.client_id else {}


class ExchangePoint(BaseModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    key = models.SlugField(max_length=50)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=PointKind.choices)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    # {"mon": "09:00-12:00, 13:00-17:00", ...} as in the pack (bedring.core.hours).
    hours = models.JSONField(default=dict)
    items = models.JSONField(default=list)
    source = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar = ["organisation", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organisation", "key"], name="exchange_point_key_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ExchangeTransaction(BaseModel):
    """HRM-9: one exchange at a point. Anonymous by default: nothing identifying is asked."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    point = models.ForeignKey(ExchangePoint, on_delete=models.PROTECT, related_name="transactions")
    at = models.DateTimeField(_("when"))
    # Optional: the code a participant uses at the exchange (never a name).
    participant_code = models.CharField(_("participant code"), max_length=32, blank=True)
    items_out = models.JSONField(_("items handed out"), default=dict)
    items_back = models.JSONField(_("used items returned"), default=dict)
    returned_estimated = models.BooleanField(_("returns estimated, not counted"), default=False)
    advice = models.BooleanField(_("advice given"), default=False)
    referral = models.CharField(_("referred to"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    offline_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering: ClassVar = ["-at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["point", "at"]),
            # The network's figures read an organisation's transactions of some months.
            models.Index(fields=["organisation", "at"]),
        ]

    def __str__(self) -> str:
        return f"exchange {self.at:%Y-%m-%d %H:%M}"


class ExchangeMovementKind(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    HANDED_OUT = "handed_out", _("Handed out")
    WASTED = "wasted", _("Wasted or lost")
    COUNTED = "counted", _("Counted")


class ExchangeStockMovement(BaseModel):
    """HRM-9: stock of one item at one point, as the medication stock (MED-2): quantities are
    positive and the kind says which way; a count records what is on the shelf."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    point = models.ForeignKey(ExchangePoint, on_delete=models.PROTECT, related_name="+")
    item = models.CharField(_("item"), max_length=40)
    kind = models.CharField(_("kind"), max_length=12, choices=ExchangeMovementKind.choices)
    quantity = models.PositiveIntegerField(_("quantity"))
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    transaction = models.ForeignKey(
        ExchangeTransaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering: ClassVar = ["-at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["point", "item", "at"]),
            # The last count of each item: read without the handouts in between.
            models.Index(fields=["point", "kind", "item", "at"]),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0) | Q(kind="counted"),
                name="exchange_stock_quantity_positive",
            ),
            # Stock is handed out by a transaction only, and a transaction only hands out.
            models.CheckConstraint(
                condition=Q(kind="handed_out", transaction__isnull=False)
                | (~Q(kind="handed_out") & Q(transaction__isnull=True)),
                name="exchange_stock_handed_out_by_transaction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} {self.item}"


class FidelityCheck(BaseModel):
    """HRM-10: whether one element of the outreach model held at a site in a quarter."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    # The first day of the quarter (1 January, 1 April, 1 July, 1 October).
    quarter = models.DateField(_("quarter"))
    element = models.CharField(_("element"), max_length=40)
    met = models.BooleanField(_("held"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["site", "-quarter", "element"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["site", "quarter", "element"], name="fidelity_one_per_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.element} {self.quarter}"
