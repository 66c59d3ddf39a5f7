"""Messages to clients (APT-3): the outbox and each organisation's reminder settings."""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation
from bedring.clients.models import Client, ClientOwned, ReminderChannel
from bedring.core.models import BaseModel


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class MessageKind(models.TextChoices):
    APPOINTMENT_REMINDER = "appointment_reminder", _("Appointment reminder")


class Message(ClientOwned):
    """One message to one client, from queued to sent, failed or cancelled.

    ``reference`` says what it is about (``appointment:<uuid>``): scheduling a reminder again
    for the same reference replaces the queued one, and cancelling the reference cancels it.
    ``next_attempt_at`` is when the worker may try (next): the planned moment, then a lease
    while a worker sends it, then the retry after a failure. ``event_at`` and ``place`` are what
    the text was made from, so the text can be made again when the client's preferences change.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(max_length=32, choices=MessageKind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=ReminderChannel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    sender = models.CharField(_("signed with"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    language = models.CharField(max_length=5)
    reference = models.CharField(_("about"), max_length=100)
    event_at = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=300, blank=True)
    send_after = models.DateTimeField(_("planned for"))
    next_attempt_at = models.DateTimeField(_("next attempt"))
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(_("provider's message id"), max_length=200, blank=True)

    class Meta:
        ordering: ClassVar = ["next_attempt_at", "id"]
        constraints: ClassVar = [
            # One queued message per reference: a second schedule replaces, never adds.
            models.UniqueConstraint(
                fields=["reference"],
                condition=Q(status="queued"),
                name="message_one_queued_per_reference",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="message_sent_has_sent_at",
            ),
        ]
        indexes: ClassVar = [
            # The worker's sweep: queued and due.
            models.Index(fields=["status", "next_attempt_at"], name="message_due_idx"),
            # The outbox page of an organisation, per status.
            models.Index(
                fields=["organisation", "status", "-updated_at"], name="message_outbox_idx"
            ),
            models.Index(fields=["client", "status"], name="message_client_idx"),
            models.Index(fields=["reference"], name="message_reference_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference} ({self.status})"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.client_id), "organisation_id": str(self.organisation_id)}


class ReminderSettings(BaseModel):
    """An organisation's reminder rules, from its service pack (``reminders:``): how many days
    before an appointment and at what local time a reminder is sent, and the two names a
    reminder may be signed with. Each with its source (seed line or "assumption")."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="reminder_settings"
    )
    days_before = models.PositiveSmallIntegerField()
    send_at = models.TimeField()
    timing_source = models.TextField()
    neutral_label = models.CharField(max_length=100)
    service_label = models.CharField(max_length=100)
    labels_source = models.TextField()

    def __str__(self) -> str:
        return f"{self.organisation}: {self.days_before} day(s) before at {self.send_at}"

    def label_for(self, choice: str) -> str:
        return self.service_label if choice == "service" else self.neutral_label

    def send_time(self, starts_at: datetime.datetime, zone: datetime.tzinfo) -> datetime.datetime:
        """The moment a reminder of an appointment at ``starts_at`` is sent: ``days_before``
        days before the appointment's local day, at ``send_at`` on the organisation's clock."""
        day = starts_at.astimezone(zone).date() - datetime.timedelta(days=self.days_before)
        return datetime.datetime.combine(day, self.send_at, tzinfo=zone)
