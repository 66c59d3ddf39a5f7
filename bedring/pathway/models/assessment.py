from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation
from bedring.core.models import BaseModel

from .episode import Episode


class QuestionSet(BaseModel):
    """A versioned questionnaire (ASM-2's six domains and more), shipped as data in the
    service packs. A changed set is a new version; old assessments keep theirs."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="question_sets"
    )
    key = models.SlugField()
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    # [{"key", "domain", "type": text|choice|bool|number|date, "required", "label": {lang: text},
    #   "choices": [{"value", "label": {lang: text}}]}]
    questions = models.JSONField()
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar = ["key", "-version"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organisation", "key", "version"], name="question_set_version_unique"
            ),
            models.UniqueConstraint(
                fields=["organisation", "key"],
                condition=Q(is_current=True),
                name="question_set_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Assessment(BaseModel):
    """ASM-1..5: the assessment conversation(s) of an episode, with the questionnaire's answers,
    the offers made, and who took part (BE intake: a counsellor and a doctor)."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="assessments")
    question_set = models.ForeignKey(QuestionSet, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict, blank=True)
    conducted_on = models.DateField(_("conducted on"))
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("counsellor"),
    )
    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("doctor"),
    )
    veteran = models.BooleanField(_("has been deployed as a soldier"), null=True, blank=True)
    doctor_conversation_offered = models.BooleanField(
        _("doctor's or nurse's conversation offered"), default=False
    )
    action_plan_offered = models.BooleanField(_("action plan offered"), default=False)
    consents_discussed = models.BooleanField(_("consents discussed"), default=False)
    external_requested_from = models.CharField(
        _("assessment requested from (GP, specialist services, …)"), max_length=200, blank=True
    )
    summary = models.TextField(_("summary"), blank=True)
    # REF-2, DEC-3: the counsellor's preliminary assessment and recommendation that goes to
    # the authority with the completed assessment, and the catalogue offer recommended (key).
    recommendation = models.TextField(_("recommendation to the authority"), blank=True)
    recommended_offer = models.SlugField(_("recommended offer"), max_length=50, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-conducted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.question_set} {self.conducted_on}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.episode.client_id)}


class TdiIntake(BaseModel):
    """The EUDA Treatment Demand Indicator (TDI 3.0) intake items, coded to the TDI code lists
    (bedring.pathway.tdi), captured at assessment so that the register export needs no new
    questions. ``None`` means not asked yet; the code for "not known" is an answer."""

    assessment = models.OneToOneField(Assessment, on_delete=models.PROTECT, related_name="tdi")
    previously_treated = models.PositiveSmallIntegerField(null=True, blank=True)
    referral_source = models.PositiveSmallIntegerField(null=True, blank=True)
    living_with = models.PositiveSmallIntegerField(null=True, blank=True)
    living_where = models.PositiveSmallIntegerField(null=True, blank=True)
    children = models.PositiveSmallIntegerField(null=True, blank=True)
    nationality = models.CharField(max_length=2, blank=True)  # ISO 3166 alpha-2
    education = models.PositiveSmallIntegerField(null=True, blank=True)
    labour_status = models.PositiveSmallIntegerField(null=True, blank=True)
    primary_substance = models.PositiveSmallIntegerField(null=True, blank=True)
    primary_route = models.PositiveSmallIntegerField(null=True, blank=True)
    primary_frequency = models.PositiveSmallIntegerField(null=True, blank=True)
    primary_age_first_use = models.PositiveSmallIntegerField(null=True, blank=True)
    # Up to four: [{"substance": code, "route": code, "frequency": code, "age_first_use": n}]
    secondary_substances = models.JSONField(default=list, blank=True)
    ever_injected = models.PositiveSmallIntegerField(null=True, blank=True)
    age_first_injection = models.PositiveSmallIntegerField(null=True, blank=True)
    injected_last_30_days = models.PositiveSmallIntegerField(null=True, blank=True)
    ever_shared_equipment = models.PositiveSmallIntegerField(null=True, blank=True)
    opioid_substitution_ever = models.PositiveSmallIntegerField(null=True, blank=True)
    opioid_substitution_age_first = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"TDI {self.assessment_id}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.assessment.episode.client_id)}
