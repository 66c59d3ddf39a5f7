"""Forms of the discharge and follow-up pages (DIS-1, DIS-2, DIS-5).

The forms only parse; the rules (dates, a result for every goal, the destination of a
transfer, substance use when contact was made) are the service's, so that the pages and the
API refuse the same things with the same codes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from bedring.core.forms import DATE

from .models.discharge import (
    DischargeStatus,
    GoalOutcome,
    OverallResult,
    SituationChange,
    SubstanceUseNow,
)
from .questionnaires import LIFE_AREAS, domain_label

MAX_GOALS = 30


class DischargeForm(forms.Form):
    status = forms.ChoiceField(
        label=_("How the episode ended"), choices=DischargeStatus.choices, widget=forms.RadioSelect
    )
    discharged_on = forms.DateField(label=_("Discharged on"), widget=DATE)
    overall_result = forms.ChoiceField(
        label=_("Overall result"), choices=OverallResult.choices, widget=forms.RadioSelect
    )
    destination = forms.CharField(
        label=_("Transferred to"),
        required=False,
        max_length=200,
        help_text=_("Needed when the client was transferred to another offer or institution."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class GoalResultForm(forms.Form):
    """The result of one goal of the current plan; the goal is named by its public id."""

    goal = forms.UUIDField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Result"), choices=GoalOutcome.choices, required=False, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


GoalResultFormSet = formset_factory(
    GoalResultForm, extra=0, max_num=MAX_GOALS, absolute_max=MAX_GOALS, validate_max=True
)


def situation_field(area: str) -> str:
    return f"situation_{area}"


class FollowUpForm(forms.Form):
    """DIS-5: the follow-up: contact made, substance use now, and how each area of life is
    against the start of treatment."""

    done_on = forms.DateField(label=_("Done on"), widget=DATE)
    contact_made = forms.TypedChoiceField(
        label=_("Contact made"),
        choices=[("yes", _("Yes, we spoke")), ("no", _("No, the client could not be reached"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    substance_use = forms.ChoiceField(
        label=_("Substance use now"),
        choices=[("", "—"), *SubstanceUseNow.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for area in LIFE_AREAS:
            self.fields[situation_field(area)] = forms.ChoiceField(
                label=domain_label(area),
                choices=[("", "—"), *SituationChange.choices],
                required=False,
            )
        self.fieldsets = [
            ("", ("done_on", "contact_made", "substance_use")),
            (
                _("Life situation against the start of treatment"),
                tuple(situation_field(area) for area in LIFE_AREAS),
            ),
            ("", ("note",)),
        ]

    def situation(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            area: data[situation_field(area)]
            for area in LIFE_AREAS
            if data.get(situation_field(area))
        }
