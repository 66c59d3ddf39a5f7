"""Health (HLT-1..4): screenings, vaccinations, health contacts and pregnancy follow-up.

Every record belongs to one client (``ClientOwned``: its change log points at the client) and
names the staff member who recorded it. Nothing is deleted; a pending screening result is
the one record that is corrected in place (its old and new value are in the change log).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bedring.clients.models import Client, ClientOwned


class ScreeningKind(models.TextChoices):
    """HLT-1; the keys are the values of the rule pack's ``mandatory_screenings``."""

    HIV = "hiv", _("HIV")
    HEPATITIS_B = "hepatitis_b", _("Hepatitis B")
    HEPATITIS_C = "hepatitis_c", _("Hepatitis C")
    TUBERCULOSIS = "tuberculosis", _("Tuberculosis")


class ScreeningResult(models.TextChoices):
    PENDING = "pending", _("Pending")
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")


class Screening(ClientOwned):
    """HLT-1: a screening offered, and either declined or a sample taken with its result."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="screenings")
    kind = models.CharField(_("screening"), max_length=16, choices=ScreeningKind.choices)
    offered_on = models.DateField(_("offered on"))
    declined = models.BooleanField(_("declined"), default=False)
    tested_on = models.DateField(_("sample taken on"), null=True, blank=True)
    # Blank exactly when declined: no sample, no result.
    result = models.CharField(
        _("result"), max_length=12, choices=ScreeningResult.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-offered_on", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(declined=True, tested_on__isnull=True, result="")
                | (Q(declined=False, tested_on__isnull=False) & ~Q(result="")),
                name="screening_declined_or_tested",
            ),
            models.CheckConstraint(
                condition=Q(tested_on__isnull=True) | Q(tested_on__gte=models.F("offered_on")),
                name="screening_tested_after_offer",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["client", "-offered_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.offered_on}"


class VaccinationSchedule(models.TextChoices):
    """HLT-2: the dose schedules; their doses and intervals are data in
    ``vaccination_schedules.yaml`` (read by :mod:`bedring.health.schedules`)."""

    HEPATITIS_A = "hepatitis_a", _("Hepatitis A")
    HEPATITIS_B = "hepatitis_b", _("Hepatitis B")
    HEPATITIS_B_ACCELERATED = "hepatitis_b_accelerated", _("Hepatitis B, accelerated")
    HEPATITIS_AB = "hepatitis_ab", _("Hepatitis A and B combined")


class Vaccination(ClientOwned):
    """HLT-2: one dose of a vaccination schedule, given free of charge (no cost fields).

    ``next_due_on`` is computed when the dose is recorded (None after the last dose)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="vaccinations")
    schedule = models.CharField(
        _("vaccination"), max_length=24, choices=VaccinationSchedule.choices
    )
    dose = models.PositiveSmallIntegerField(_("dose"))
    given_on = models.DateField(_("given on"))
    next_due_on = models.DateField(_("next dose due"), null=True, blank=True)
    batch = models.CharField(_("batch number"), max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["schedule", "dose"]
        constraints: ClassVar = [
            # Two people recording the same dose at once end in one record and one 409.
            models.UniqueConstraint(
                fields=["client", "schedule", "dose"], name="vaccination_dose_unique"
            ),
            models.CheckConstraint(condition=Q(dose__gte=1), name="vaccination_dose_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_schedule_display()} {self.dose}"


class HealthContactKind(models.TextChoices):
    CONTRACEPTION = "contraception", _("Contraception counselling")
    NADA = "nada", _("NADA ear acupuncture")
    HEALTH_CONVERSATION = "health_conversation", _("Health conversation")
    DENTAL_REFERRAL = "dental_referral", _("Dental care referral")
    # HRM-3, HRM-5: the street nurse's clinical contacts in the shacks and on the street
    # (seed 003 line 533, "Klinisk vurdering af borgerens almene tilstand").
    WOUND_CARE = "wound_care", _("Wound care")
    CLINICAL_ASSESSMENT = "clinical_assessment", _("Clinical assessment")


class HealthContact(ClientOwned):
    """HLT-3: contraception counselling, NADA acupuncture, a health conversation, a referral
    to dental care."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="health_contacts")
    kind = models.CharField(_("contact"), max_length=20, choices=HealthContactKind.choices)
    on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member"),
    )

    class Meta:
        ordering: ClassVar = ["-on", "-id"]
        indexes: ClassVar = [models.Index(fields=["client", "-on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class PregnancyStatus(models.TextChoices):
    ONGOING = "ongoing", _("Ongoing")
    BIRTH = "birth", _("Birth")
    ENDED = "ended", _("Ended")


class Pregnancy(ClientOwned):
    """HLT-4: a pregnancy known to the centre, from when it was noted to the birth (or its
    end), with its follow-up entries."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="pregnancies")
    noted_on = models.DateField(_("known since"))
    estimated_due_on = models.DateField(_("estimated due date"))
    status = models.CharField(
        _("status"), max_length=8, choices=PregnancyStatus.choices, default=PregnancyStatus.ONGOING
    )
    # The birth date when status is "birth"; the day it ended when "ended".
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-noted_on", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status="ongoing"),
                name="pregnancy_one_ongoing_per_client",
            ),
            models.CheckConstraint(
                condition=Q(status="ongoing", ended_on__isnull=True)
                | (~Q(status="ongoing") & Q(ended_on__isnull=False)),
                name="pregnancy_ended_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.estimated_due_on}"


class FollowUpKind(models.TextChoices):
    CONVERSATION = "conversation", _("Advice and conversation")
    URINE_TEST = "urine_test", _("Urine test")
    HOME_VISIT = "home_visit", _("Home visit")
    MIDWIFE = "midwife", _("Midwife")
    COOPERATION = "cooperation", _("Cooperation with a partner")
    SPECIALIST_REFERRAL = "specialist_referral", _("Referral to specialist services")
    VOLUNTARY_ADMISSION = "voluntary_admission", _("Voluntary admission")
    AFTER_BIRTH = "after_birth", _("Follow-up after birth")


class CooperationPartner(models.TextChoices):
    CHILD_EXPERT = "child_expert", _("Municipal child expert")
    FAMILY_CLINIC = "family_clinic", _("Family outpatient clinic")
    GP = "gp", _("General practitioner")
    CHILD_WELFARE = "child_welfare", _("Child welfare services")


class PregnancyFollowUp(ClientOwned):
    """HLT-4: one thing done in the pregnancy follow-up; a cooperation names the partner."""

    pregnancy = models.ForeignKey(Pregnancy, on_delete=models.PROTECT, related_name="follow_ups")
    kind = models.CharField(_("follow-up"), max_length=20, choices=FollowUpKind.choices)
    partner = models.CharField(
        _("cooperation partner"), max_length=16, choices=CooperationPartner.choices, blank=True
    )
    on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["on", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(Q(kind="cooperation") & ~Q(partner=""))
                | (~Q(kind="cooperation") & Q(partner="")),
                name="pregnancy_follow_up_partner_iff_cooperation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"
