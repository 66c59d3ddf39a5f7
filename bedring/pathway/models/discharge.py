"""DIS-1, DIS-2, DIS-5: the discharge of an episode, the result of each plan goal, and the
follow-ups one and six months after.

The discharge keeps copies of the episode's organisation, site, client and intensity as they
were on the day: the outcome figures (bedring.outcomes) read one table, and a later change of
the episode's site does not move an old discharge to another site's figures.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation, Site
from bedring.clients.models import Client
from bedring.core.models import BaseModel

from .decision import Intensity
from .episode import Episode
from .plan import Goal


class DischargeStatus(models.TextChoices):
    """DIS-1."""

    COMPLETED = "completed", _("Completed")
    OTHER_OFFER = "other_offer", _("Transferred to another offer")
    HOSPITAL = "hospital", _("Transferred to hospital")
    OTHER_REASON = "other_reason", _("Ended for another reason")
    OWN_WISH = "own_wish", _("Ended at the client's own wish")
    NO_SHOW = "no_show", _("No-show")
    INSTITUTION = "institution", _("Transferred to another institution (residential, prison)")


# DIS-2: after these statuses the responsible counsellor follows up after one and six months.
FOLLOW_UP_STATUSES = (
    DischargeStatus.COMPLETED,
    DischargeStatus.OTHER_OFFER,
    DischargeStatus.HOSPITAL,
    DischargeStatus.OTHER_REASON,
)


class OverallResult(models.TextChoices):
    """DIS-3: the overall result at discharge."""

    DRUG_FREE = "drug_free", _("Drug-free")
    REDUCED = "reduced", _("Reduced use")
    STABILISED = "stabilised", _("Stabilised")
    NOT_REACHED = "not_reached", _("Goal not reached")


# DIS-3: which results count as "reached their goal" is defined once, in
# bedring.outcomes.definitions.GOAL_REACHED.


class GoalOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    PARTLY = "partly", _("Partly reached")
    NOT_REACHED = "not_reached", _("Not reached")
    DROPPED = "dropped", _("No longer a goal")


class Discharge(BaseModel):
    """DIS-1: how and when an episode ended, and with what result."""

    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="discharge")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="discharges")
    discharged_on = models.DateField(_("discharged on"))
    status = models.CharField(_("status"), max_length=14, choices=DischargeStatus.choices)
    overall_result = models.CharField(
        _("overall result"), max_length=12, choices=OverallResult.choices
    )
    # The intensity of the treatment granted (outpatient, day, residential) on the day.
    intensity = models.CharField(
        _("intensity"), max_length=12, choices=Intensity.choices, default=Intensity.OUTPATIENT
    )
    destination = models.CharField(_("transferred to"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-discharged_on", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["organisation", "discharged_on"]),
            models.Index(fields=["client", "discharged_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.discharged_on}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.client_id)}


class GoalResult(BaseModel):
    """DIS-1: whether each goal of the plan in force was reached."""

    discharge = models.ForeignKey(Discharge, on_delete=models.PROTECT, related_name="goal_results")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="results")
    outcome = models.CharField(_("result"), max_length=12, choices=GoalOutcome.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering: ClassVar = ["goal__position", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["discharge", "goal"], name="goal_result_unique")
        ]

    def __str__(self) -> str:
        return f"{self.goal} {self.outcome}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.discharge.client_id)}


class SituationChange(models.TextChoices):
    """DIS-5: how one area of the client's life is now, against the start of treatment."""

    BETTER = "better", _("Better")
    SAME = "same", _("Unchanged")
    WORSE = "worse", _("Worse")
    NOT_KNOWN = "not_known", _("Not known")


class SubstanceUseNow(models.TextChoices):
    DRUG_FREE = "drug_free", _("Drug-free")
    REDUCED = "reduced", _("Reduced use")
    UNCHANGED = "unchanged", _("Unchanged use")
    INCREASED = "increased", _("Increased use")
    NOT_KNOWN = "not_known", _("Not known")


class FollowUp(BaseModel):
    """DIS-2, DIS-5: a follow-up on the plan, due a number of months after discharge (the
    rule pack's ``follow_up_months``), owned by the responsible counsellor. ``done_on`` empty
    means not done yet; the worklist shows it through its FOLLOW_UP deadline."""

    discharge = models.ForeignKey(Discharge, on_delete=models.PROTECT, related_name="follow_ups")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    months = models.PositiveSmallIntegerField(_("months after discharge"))
    due_on = models.DateField(_("due"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible counsellor"),
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    contact_made = models.BooleanField(_("contact made"), null=True, blank=True)
    substance_use = models.CharField(
        _("substance use now"), max_length=10, choices=SubstanceUseNow.choices, blank=True
    )
    # {life area (questionnaires.LIFE_AREAS): SituationChange value}
    situation = models.JSONField(_("life situation"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["due_on", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["discharge", "months"], name="follow_up_unique"),
            models.CheckConstraint(
                condition=models.Q(done_on__isnull=True) | models.Q(contact_made__isnull=False),
                name="follow_up_done_says_contact",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["organisation", "due_on"])]

    def __str__(self) -> str:
        return f"{self.months} {self.due_on}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.client_id)}
