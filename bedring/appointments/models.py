"""Individual appointments (APT-1, APT-2): rooms per site, a client's requests for an
appointment, and the appointments themselves.

An appointment is one client with one staff member at one site (a room optional) from
``starts_at`` to ``ends_at``. It is booked, may be moved while booked, and ends cancelled
(by the client or the service, with or without notice, with a reason) or with an outcome:
attended or no-show. Nothing is deleted; django-auditlog keeps every change with the client.
``on`` is the local day of the start in the organisation's time zone, kept with the start so
that day and week views and the figures filter on an indexed date.
"""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation, Site
from bedring.clients.models import Client, ClientOwned
from bedring.core.models import BaseModel


class AppointmentKind(models.TextChoices):
    """APT-1 (000 §5, 003 §2, 004); PLN-4: a responsibility group meeting (NO, ansvarsgruppe).
    The keys are the rule pack's ``appointment_offer`` keys (bedring.rules.packs)."""

    CONVERSATION = "conversation", _("Conversation")
    DOCTOR = "doctor", _("Doctor")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    NURSE = "nurse", _("Nurse")
    HOME_VISIT = "home_visit", _("Home visit")
    PHONE = "phone", _("Phone call")
    RESPONSIBILITY_GROUP = "responsibility_group", _("Responsibility group meeting")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


class CancelledBy(models.TextChoices):
    CLIENT = "client", _("The client")
    SERVICE = "service", _("The service")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an appointment")
    BOOKED = "booked", _("Appointment booked")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Room(BaseModel):
    """A room of a site where appointments take place; from the service pack (``rooms:``)."""

    # A site is never deleted once used (its appointments protect it); its rooms go with it.
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="rooms")
    slug = models.SlugField()
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering: ClassVar = ["site", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["site", "slug"], name="room_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name


class AppointmentRequest(ClientOwned):
    """APT-2: a client asks for an appointment of a kind. Where the organisation's pack
    promises an offer within a time (``appointment_offer``), ``offer_due_on`` is the last
    day the appointment may take place, and the open episode (if any) has an
    APPOINTMENT_OFFER deadline whose subject is this request."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="appointment_requests"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=24, choices=AppointmentKind.choices)
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    offer_due_on = models.DateField(_("to be offered by"), null=True, blank=True)
    # The episode open when the request was recorded: the deadline's episode.
    episode = models.ForeignKey(
        "pathway.Episode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    withdrawn_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering: ClassVar = ["-requested_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.requested_at:%Y-%m-%d}"


class Appointment(ClientOwned):
    """APT-1: one individual appointment."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="appointments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("site")
    )
    room = models.ForeignKey(
        Room,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("room"),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("staff member"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=AppointmentKind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # The local day of ``starts_at`` in the organisation's time zone.
    on = models.DateField(_("day"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    # Booked (or moved) outside the site's opening hours after the warning was confirmed.
    outside_hours = models.BooleanField(_("outside opening hours"), default=False)
    request = models.ForeignKey(
        AppointmentRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    # The client's open episode at booking: the timeline and the figures' drill-down.
    episode = models.ForeignKey(
        "pathway.Episode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(
        _("cancelled by"), max_length=8, choices=CancelledBy.choices, blank=True
    )
    with_notice = models.BooleanField(_("with notice"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["starts_at", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="cancelled", cancelled_at__isnull=False, with_notice__isnull=False)
                    & ~Q(cancelled_by="")
                )
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True, cancelled_by="")),
                name="appointment_cancelled_consistent",
            ),
        ]
        indexes: ClassVar = [
            # Double booking checks and the day and week views.
            models.Index(fields=["staff", "starts_at"], name="appointment_staff_start"),
            models.Index(fields=["room", "starts_at"], name="appointment_room_start"),
            models.Index(fields=["client", "starts_at"], name="appointment_client_start"),
            models.Index(fields=["staff", "on"], name="appointment_staff_on"),
            # The no-show figure: an organisation's appointments in a period.
            models.Index(fields=["organisation", "on"], name="appointment_org_on"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at) / datetime.timedelta(minutes=1))

    @property
    def is_open(self) -> bool:
        return self.status == AppointmentStatus.BOOKED
