from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bedring.core.models import BaseModel

from .episode import Episode


class Aim(models.TextChoices):
    """PLN-3: the aims of treatment."""

    STOP = "stop", _("Stop use")
    REDUCE = "reduce", _("Reduce use")
    PREVENT = "prevent", _("Prevent use from developing")
    STABILISE = "stabilise", _("Prevent relapse (stabilise)")


class Plan(BaseModel):
    """PLN-1..6: a treatment plan made with the client. Every change is a new version; the old
    one stays (``is_current`` False) with its goals."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="plans")
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    aims = models.JSONField(_("aims"), default=list)
    agreed_on = models.DateField(_("agreed on"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    client_participated = models.BooleanField(_("made together with the client"), default=True)
    client_words = models.TextField(_("what matters to the client, in their words"), blank=True)
    network = models.TextField(
        _("network meeting: who takes part and the topics the client chose"), blank=True
    )
    # [{"party": ConsentParty value, "name": str, "consent": consent uuid or null}]
    collaborators = models.JSONField(_("collaborating actors"), default=list, blank=True)
    # PLN-4: DK action plan (SEL § 141); NO individual plan, coordinator, responsibility group.
    action_plan = models.BooleanField(_("action plan (SEL § 141)"), default=False)
    individual_plan = models.BooleanField(_("individual plan"), default=False)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coordinator"),
    )
    responsibility_group = models.TextField(_("responsibility group"), blank=True)
    next_evaluation_on = models.DateField(_("next evaluation"))

    class Meta:
        ordering: ClassVar = ["-version"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["episode", "version"], name="plan_version_unique"),
            models.UniqueConstraint(
                fields=["episode"], condition=Q(is_current=True), name="plan_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.agreed_on}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.episode.client_id)}


class Goal(BaseModel):
    """A SMART goal: specific text, how it is measured, the target, the date, in the client's
    own words."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="goals")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("goal"), max_length=300)
    measure = models.CharField(_("how it is measured"), max_length=300)
    target = models.CharField(_("target"), max_length=200)
    due_on = models.DateField(_("by"))
    client_words = models.TextField(_("in the client's words"), blank=True)
    short_term = models.BooleanField(_("short-term goal"), default=True)

    class Meta:
        ordering: ClassVar = ["position", "id"]

    def __str__(self) -> str:
        return self.text

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.plan.episode.client_id)}


class Evaluation(BaseModel):
    """PLN-2: the plan evaluated with the client, at least every three months."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="evaluations")
    evaluated_on = models.DateField(_("evaluated on"))
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    client_view = models.TextField(_("the client's view"), blank=True)
    client_participated = models.BooleanField(_("with the client"), default=True)
    next_evaluation_on = models.DateField(_("next evaluation"))

    class Meta:
        ordering: ClassVar = ["-evaluated_on", "-id"]

    def __str__(self) -> str:
        return f"{self.evaluated_on}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.plan.episode.client_id)}


class Progress(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    SOME = "some", _("Some progress")
    REACHED = "reached", _("Reached")
    DROPPED = "dropped", _("No longer a goal")


class GoalProgress(BaseModel):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="progress")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="progress")
    progress = models.CharField(_("progress"), max_length=12, choices=Progress.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["evaluation", "goal"], name="goal_progress_unique")
        ]

    def __str__(self) -> str:
        return f"{self.goal} {self.progress}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.goal.plan.episode.client_id)}
