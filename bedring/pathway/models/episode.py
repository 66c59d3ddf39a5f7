from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation, Site
from bedring.clients.models import Client
from bedring.core.models import BaseModel

from ..states import OPEN_STATES, EpisodeState


class Episode(BaseModel):
    """One treatment course of one client at one organisation, from inquiry to discharge."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="episodes"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="episodes")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=EpisodeState.choices, default=EpisodeState.INQUIRY
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_episodes",
        verbose_name=_("responsible counsellor"),
    )
    opened_on = models.DateField(_("opened on"))
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    started_on = models.DateField(_("treatment started on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # DEC-4: free choice of an equivalent provider; the start guarantee is then waived.
    free_choice_provider = models.CharField(
        _("provider chosen by the client"), max_length=200, blank=True
    )
    free_choice_on = models.DateField(_("free choice recorded on"), null=True, blank=True)
    # DIS: a client who comes back opens a new episode linked to the earlier one.
    previous_episode = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="readmissions"
    )

    class Meta:
        ordering: ClassVar = ["-opened_on", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["client", "organisation"],
                condition=Q(state__in=[s.value for s in OPEN_STATES]),
                name="episode_one_open_per_client",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organisation", "state"]),
            # The outcome figures (bedring.outcomes): starts in a period, readmissions.
            models.Index(fields=["organisation", "started_on"], name="episode_org_started"),
            models.Index(fields=["client", "opened_on"], name="episode_client_opened"),
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.opened_on}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.client_id)}


class EpisodeEvent(models.Model):
    """The episode's timeline: one row per thing that happened, with who did it. Written by
    the services in the same transaction as the change; never changed."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="events")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40)
    summary = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering: ClassVar = ["at", "id"]
        indexes: ClassVar = [models.Index(fields=["client", "-at"])]

    def __str__(self) -> str:
        return f"{self.at} {self.kind}"


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    REFERRAL = "referral", _("Referral")


class Referrer(models.TextChoices):
    SELF = "self", _("The person themselves")
    GP = "gp", _("General practitioner")
    JOB_CENTRE = "job_centre", _("Job centre or welfare office")
    SCHOOL = "school", _("School or education")
    RELATIVE = "relative", _("Relative or partner")
    HOSPITAL = "hospital", _("Hospital or psychiatry")
    PROBATION = "probation", _("Probation, police or court")
    SOCIAL_SERVICES = "social_services", _("Social services")
    OTHER_AGENCY = "other_agency", _("Other agency")


class Inquiry(BaseModel):
    """INT-1: someone asks for help, in person, by phone, in writing or by referral. An
    anonymous open-counselling inquiry (INT-2) has no client and no episode."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="inquiries"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    episode = models.OneToOneField(
        Episode, on_delete=models.PROTECT, null=True, blank=True, related_name="inquiry"
    )
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    referrer = models.CharField(_("referred by"), max_length=20, choices=Referrer.choices)
    referrer_name = models.CharField(_("name of the referrer"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received"))
    outside_hours = models.BooleanField(_("outside opening or phone hours"), default=False)
    walk_in = models.BooleanField(_("walk-in"), default=False)
    anonymous_counselling = models.BooleanField(_("anonymous open counselling"), default=False)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering: ClassVar = ["-received_at"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(anonymous_counselling=True, client__isnull=True, episode__isnull=True)
                | Q(anonymous_counselling=False, client__isnull=False),
                name="inquiry_anonymous_has_no_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.received_at}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.client_id)} if self.client_id else {}


class DeadlineKind(models.TextChoices):
    FIRST_CONTACT = "first_contact", _("First contact")
    CALLBACK = "callback", _("Call back")
    ASSESSMENT = "assessment", _("Assessment")
    TREATMENT_START = "treatment_start", _("Treatment start")
    DECISION_LETTER = "decision_letter", _("Decision letter")
    PLAN_EVALUATION = "plan_evaluation", _("Plan evaluation")
    COMPLAINT_REEVALUATION = "complaint_reevaluation", _("Complaint re-evaluation")
    CHILD_NOTIFICATION = "child_notification", _("Notification to children's services")
    # MED-2: a prescription on hold after missed doses waits for a doctor's review.
    PRESCRIPTION_REVIEW = "prescription_review", _("Prescription review")
    # HLT-1, HLT-2: a mandatory screening, the next dose of a vaccination.
    SCREENING = "screening", _("Screening")
    VACCINATION = "vaccination", _("Vaccination dose")
    PREGNANCY_FOLLOW_UP = "pregnancy_follow_up", _("Pregnancy follow-up")
    # DIS-2: the follow-up one and six months after discharge (subject: the FollowUp).
    DISCHARGE_FOLLOW_UP = "discharge_follow_up", _("Follow-up after discharge")
    # APT-2: an appointment the pack promises within a time (Sandnes: a psychologist within a
    # week of the request); subject: the appointment request.
    APPOINTMENT_OFFER = "appointment_offer", _("Appointment offered")
    # REF-1: the reply to a referral out; (NO) the specialist's assessment of the patient's
    # rights after a referral to TSB. Subject: the referral.
    REFERRAL_REPLY = "referral_reply", _("Referral reply")
    RIGHTS_ASSESSMENT = "rights_assessment", _("Assessment of patient rights")


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    MISSED = "missed", _("Met late")
    WAIVED = "waived", _("Waived")
    CANCELLED = "cancelled", _("No longer needed")


class Deadline(BaseModel):
    """A date by which something must be done, computed from the organisation's rule pack."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="deadlines")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deadlines",
    )
    kind = models.CharField(_("deadline"), max_length=24, choices=DeadlineKind.choices)
    due_on = models.DateField(_("due"))
    # Which rule set the date: {"rule": RulePack field, "value": n, "req": "INT-5"}.
    basis = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    closed_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    # What the deadline is about, when it is about one record (a complaint, a plan, a child).
    subject_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["due_on", "id"]
        indexes: ClassVar = [
            models.Index(fields=["organisation", "status", "due_on"]),
            models.Index(fields=["responsible", "status", "due_on"]),
            # The outcome figures: deadlines of a kind due in a period.
            models.Index(fields=["organisation", "kind", "due_on"], name="deadline_org_kind_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.client_id)}
