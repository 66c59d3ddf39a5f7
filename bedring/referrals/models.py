"""Referrals (REF-1): out to a partner service of the organisation's registry, and in from a
GP, a hospital, another municipality or another agency.

* :class:`Partner`: the registry, one row per partner in the organisation's service pack
  (``partners:``), loaded by ``bedring.rules.loader``; a partner taken out of the pack is
  retired, never deleted (referrals keep pointing at it).
* :class:`Referral`: a referral out, from draft to sent, received, and the reply (accepted,
  refused, appointment given) or withdrawn, with the consent it relies on, what was sent
  (text and documents), its reply deadline and, for the Norwegian specialist health service,
  the assessment of the patient's rights. :class:`ReferralEvent` is its history.
* :class:`IncomingReferral`: a referral in, which registered an inquiry (or, for a client
  already in an episode, was recorded on it).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation
from bedring.clients.models import Client, ClientOwned, Consent
from bedring.core.models import BaseModel
from bedring.documents.models import Document
from bedring.pathway.models import Episode, Inquiry
from bedring.pathway.models.episode import Referrer


class PartnerKind(models.TextChoices):
    GP = "gp", _("General practitioner")
    PSYCHIATRY = "psychiatry", _("Psychiatry")
    SPECIALIST = "specialist", _("Specialist substance-use treatment")
    RESIDENTIAL = "residential", _("Residential institution")
    MUNICIPALITY = "municipality", _("Another municipality")
    OTHER = "other", _("Other service")


class Partner(BaseModel):
    """REF-1: a service the organisation refers clients to, from its service pack."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="partners"
    )
    key = models.CharField(max_length=40)
    kind = models.CharField(_("kind"), max_length=16, choices=PartnerKind.choices)
    name = models.CharField(_("name"), max_length=200)
    contact = models.TextField(_("contact"), blank=True)
    # bedring.clients.models.ConsentParty: a consent to this party covers a referral here.
    consent_party = models.CharField(max_length=20)
    reply_days = models.PositiveSmallIntegerField(_("reply expected within (days)"))
    reply_source = models.CharField(max_length=300)
    source = models.CharField(max_length=300)
    # NO: the specialist health service assesses the patient's rights on receipt.
    rights_assessment = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar = ["kind", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organisation", "key"], name="partner_key_unique"),
            models.CheckConstraint(condition=Q(reply_days__gte=1), name="partner_reply_days"),
        ]

    def __str__(self) -> str:
        return self.name


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Received by the partner")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    APPOINTMENT = "appointment", _("Appointment given")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class RightsOutcome(models.TextChoices):
    GRANTED = "granted", _("Right to necessary health care")
    NOT_GRANTED = "not_granted", _("No right to necessary health care")


class Referral(ClientOwned):
    """REF-1: a referral out to a partner of the registry."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="referrals")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="referrals")
    # The client's open episode when the referral was made: its deadlines are on the
    # worklist through it. None: no open episode, the dates are shown on the referral only.
    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("why"))
    text = models.TextField(_("what is sent"), blank=True)
    documents = models.ManyToManyField(Document, blank=True, related_name="+")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    reply_due_on = models.DateField(_("reply expected by"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    replied_on = models.DateField(_("reply on"), null=True, blank=True)
    reply_note = models.TextField(_("reply"), blank=True)
    appointment_on = models.DateField(_("appointment on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    # NO (pasient- og brukerrettighetsloven § 2-2): the rights assessment.
    rights_due_on = models.DateField(_("rights assessment due"), null=True, blank=True)
    rights_outcome = models.CharField(
        _("rights assessment"), max_length=12, choices=RightsOutcome.choices, blank=True
    )
    rights_assessed_on = models.DateField(_("rights assessed on"), null=True, blank=True)
    rights_latest_start_on = models.DateField(
        _("health care to start at the latest"), null=True, blank=True
    )
    rights_note = models.TextField(_("note on the rights assessment"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(status="draft", sent_on__isnull=True)
                | (~Q(status="draft") & Q(sent_on__isnull=False))
                | Q(status="withdrawn"),
                name="referral_sent_has_date",
            ),
            models.CheckConstraint(
                condition=Q(rights_outcome="", rights_assessed_on__isnull=True)
                | Q(
                    rights_outcome="granted",
                    rights_assessed_on__isnull=False,
                    rights_latest_start_on__isnull=False,
                )
                | Q(
                    rights_outcome="not_granted",
                    rights_assessed_on__isnull=False,
                    rights_latest_start_on__isnull=True,
                ),
                name="referral_rights_outcome_complete",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["client", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.partner} {self.get_status_display()}"


class ReferralEvent(models.Model):
    """The history of a referral out: one row per step, with who recorded it and the day it
    happened. Written with the step, never changed."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=ReferralStatus.choices, blank=True)
    step = models.CharField(max_length=20)
    on = models.DateField()
    note = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.step} {self.on}"

    @property
    def label(self) -> str:
        if self.step == "created":
            return str(_("Written"))
        if self.step == "rights":
            return str(_("Rights assessment recorded"))
        return str(ReferralStatus(self.step).label)


class IncomingReferral(ClientOwned):
    """REF-1, INT-1: a referral in. It registered an inquiry (with its first-contact
    deadlines), or, for a client already in an open episode, was recorded on that episode."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="incoming_referrals")
    referrer = models.CharField(_("referred by"), max_length=20, choices=Referrer.choices)
    referrer_name = models.CharField(_("name of the referrer"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received"))
    reason = models.TextField(_("reason for the referral"), blank=True)
    letter = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    inquiry = models.OneToOneField(
        Inquiry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-received_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["client", "-received_at"])]

    def __str__(self) -> str:
        return f"{self.get_referrer_display()} {self.received_at}"
