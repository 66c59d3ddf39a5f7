from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bedring.clients.models import ChildAtHome
from bedring.core.models import BaseModel

from .episode import Episode


class DecisionKind(models.TextChoices):
    TREATMENT = "treatment", _("Treatment (social)")
    MEDICAL = "medical", _("Medical treatment")
    DAY_OR_RESIDENTIAL = "day_residential", _("Day or residential treatment")


class Outcome(models.TextChoices):
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class Intensity(models.TextChoices):
    OUTPATIENT = "outpatient", _("Outpatient")
    DAY = "day", _("Day treatment")
    RESIDENTIAL = "residential", _("Residential treatment")


class Decision(BaseModel):
    """DEC-1..6: the authority's grant or refusal, always justified; a doctor decides on
    medical treatment. A re-evaluation after a complaint is a new decision that supersedes."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(_("decision on"), max_length=16, choices=DecisionKind.choices)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    intensity = models.CharField(
        _("intensity"), max_length=12, choices=Intensity.choices, default=Intensity.OUTPATIENT
    )
    # CAT-1: the offer of the organisation's catalogue the decision is about, by its key
    # (stable across the offer's versions), and its name when decided, which the letter shows.
    # A decision recorded before offers were chosen from the catalogue may have a name only.
    offer_key = models.SlugField(_("offer"), max_length=50, blank=True)
    offer = models.CharField(_("offer"), max_length=200, blank=True)
    justification = models.TextField(_("justification"))
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    immediate = models.BooleanField(_("decided at the assessment"), default=False)
    # DEC-3: the centre's preliminary assessment and recommendation (day or residential).
    recommendation = models.TextField(_("the centre's recommendation"), blank=True)
    letter_language = models.CharField(max_length=5, blank=True)
    letter_sent_on = models.DateField(_("letter sent on"), null=True, blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )

    class Meta:
        ordering: ClassVar = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_outcome_display()}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.episode.client_id)}


class ComplaintKind(models.TextChoices):
    DECISION = "decision", _("About the decision (rights)")
    HEALTH = "health", _("About health treatment")
    SERVICE = "service", _("About the service")
    # Seed 002 §12: "manglende iværksættelse af tilbud inden for 14 dage" is a complaint about
    # the municipality's decision-making without a decision to point at.
    LATE_START = "late_start", _("About treatment not started within the start guarantee")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    UPHELD = "upheld", _("Decision upheld")
    CHANGED = "changed", _("Decision changed")
    FORWARDED = "forwarded", _("Forwarded to the appeals body")
    REDIRECTED = "redirected", _("Sent to the competent body")


class Complaint(BaseModel):
    """DEC-2: a complaint with its receipt date; re-evaluation, forwarding, and a flag when it
    came after the window. It belongs to an episode; ``decision`` is empty for a complaint
    about something that is not a decision (a start later than the guarantee)."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="complaints")
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    kind = models.CharField(_("about"), max_length=10, choices=ComplaintKind.choices)
    received_on = models.DateField(_("received on"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("the complaint"))
    late = models.BooleanField(_("received after the complaint window"), default=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.RECEIVED,
    )
    reevaluated_on = models.DateField(_("re-evaluated on"), null=True, blank=True)
    reevaluation_note = models.TextField(_("re-evaluation"), blank=True)
    forwarded_on = models.DateField(_("forwarded on"), null=True, blank=True)
    forwarded_to = models.CharField(_("forwarded to"), max_length=200, blank=True)
    client_informed_on = models.DateField(_("client informed on"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.received_on}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.episode.client_id)}


class ChildNotification(BaseModel):
    """DEC-7: concern for a child under 18 at home; the notification to children's services
    is a task with its own record of when and by whom it was made."""

    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="child_notifications"
    )
    child = models.ForeignKey(
        ChildAtHome, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    concern = models.TextField(_("the concern"))
    concern_noted_on = models.DateField(_("concern noted on"))
    noted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    notified_on = models.DateField(_("notified on"), null=True, blank=True)
    notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient = models.CharField(_("sent to"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    class Meta:
        ordering: ClassVar = ["-concern_noted_on", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(notified_on__isnull=True) | Q(notified_by__isnull=False),
                name="child_notification_by_whom",
            )
        ]

    def __str__(self) -> str:
        return f"{self.concern_noted_on}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.episode.client_id)}
