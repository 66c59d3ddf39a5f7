"""Health forms (HLT-1..4). Field names are the services' parameters, so a service's refusal
is shown next to its field. Every form has a prefix: several are on one page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bedring.core.forms import DATE

from .models import (
    CooperationPartner,
    FollowUpKind,
    HealthContactKind,
    PregnancyStatus,
    ScreeningKind,
    ScreeningResult,
    VaccinationSchedule,
)

NOTE = forms.Textarea(attrs={"rows": 2})


def _note() -> forms.CharField:
    return forms.CharField(label=_("Note"), required=False, max_length=2000, widget=NOTE)


class ScreeningForm(forms.Form):
    prefix = "screening"

    kind = forms.ChoiceField(label=_("Screening"), choices=ScreeningKind.choices)
    offered_on = forms.DateField(label=_("Offered on"), widget=DATE)
    declined = forms.BooleanField(label=_("The client declined"), required=False)
    tested_on = forms.DateField(
        label=_("Sample taken on"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty when the client declined."),
    )
    result = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[("", "—"), *ScreeningResult.choices],
        help_text=_("Pending until the result is known."),
    )
    note = _note()


class ScreeningResultForm(forms.Form):
    prefix = "result"

    result = forms.ChoiceField(
        label=_("Result"),
        choices=[c for c in ScreeningResult.choices if c[0] != ScreeningResult.PENDING],
    )
    note = _note()


class VaccinationForm(forms.Form):
    prefix = "vaccination"

    schedule = forms.ChoiceField(label=_("Vaccination"), choices=VaccinationSchedule.choices)
    dose = forms.IntegerField(label=_("Dose number"), min_value=1, max_value=6)
    given_on = forms.DateField(label=_("Given on"), widget=DATE)
    batch = forms.CharField(label=_("Batch number"), required=False, max_length=40)
    note = _note()


class HealthContactForm(forms.Form):
    prefix = "contact"

    kind = forms.ChoiceField(label=_("Contact"), choices=HealthContactKind.choices)
    on = forms.DateField(label=_("Date"), widget=DATE)
    note = _note()


class PregnancyForm(forms.Form):
    prefix = "pregnancy"

    noted_on = forms.DateField(label=_("Known since"), widget=DATE)
    estimated_due_on = forms.DateField(label=_("Estimated due date"), widget=DATE)
    note = _note()


class PregnancyEndForm(forms.Form):
    prefix = "end"

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[c for c in PregnancyStatus.choices if c[0] != PregnancyStatus.ONGOING],
    )
    on = forms.DateField(label=_("Date (of the birth)"), widget=DATE)
    note = _note()


class FollowUpForm(forms.Form):
    prefix = "followup"

    kind = forms.ChoiceField(label=_("Follow-up"), choices=FollowUpKind.choices)
    partner = forms.ChoiceField(
        label=_("Cooperation partner"),
        required=False,
        choices=[("", "—"), *CooperationPartner.choices],
        help_text=_("Only for a cooperation."),
    )
    on = forms.DateField(label=_("Date"), widget=DATE)
    note = _note()
