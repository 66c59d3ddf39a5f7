"""Forms for decisions, complaints and child notifications. They only parse: the rules
(who may decide, justification, windows, ages) are the services' and come back as domain
errors shown next to the field."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bedring.clients.models import ChildAtHome
from bedring.core.forms import DATE

from .models.decision import ComplaintKind, DecisionKind, Intensity, Outcome

TEXT = forms.Textarea(attrs={"rows": 5})


def _blank(choices: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


def _set_choices(field: forms.Field, choices: list[tuple[str, Any]]) -> None:
    """CAT-1: the offers of the organisation's catalogue (through pathway.offers); a value
    not among them is the form's "not one of the available choices"."""
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows the type
    field.choices = choices


class DecisionForm(forms.Form):
    """DEC-1, DEC-3. ``kinds``: the kinds this person may decide (authority: treatment and
    day or residential; doctor: medical)."""

    fieldsets = [
        (
            _("The decision"),
            ("kind", "outcome", "intensity", "offer", "decided_on", "immediate"),
        ),
        (_("Written reasons"), ("justification", "recommendation")),
    ]

    kind = forms.ChoiceField(label=_("Decision on"))
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    intensity = forms.ChoiceField(
        label=_("Intensity"),
        required=False,
        choices=_blank(Intensity.choices),
        help_text=_("Day or residential treatment: choose which."),
    )
    offer = forms.ChoiceField(
        label=_("Offer"),
        required=False,
        help_text=_("From the organisation's catalogue of offers."),
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        widget=TEXT,
        help_text=_("Every decision is justified in writing; the client reads this in the letter."),
    )
    recommendation = forms.CharField(
        label=_("The centre's assessment and recommendation"),
        required=False,
        widget=TEXT,
        help_text=_("Needed for day or residential treatment."),
    )
    decided_on = forms.DateField(label=_("Decided on"), required=False, widget=DATE)
    immediate = forms.BooleanField(
        label=_("Decided at the assessment conversation"), required=False
    )

    def __init__(
        self,
        *args: Any,
        kinds: Iterable[str],
        offers: Iterable[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["offer"], _blank(offers))
        labels = dict(DecisionKind.choices)
        choices = [(k, labels[k]) for k in kinds]
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows the type
        field.choices = choices
        if len(choices) == 1:
            field.initial = choices[0][0]
            field.widget = forms.HiddenInput()


class LetterSentForm(forms.Form):
    sent_on = forms.DateField(label=_("Letter sent on"), required=False, widget=DATE)


class ComplaintForm(forms.Form):
    """DEC-2."""

    kind = forms.ChoiceField(
        label=_("The complaint is about"), choices=ComplaintKind.choices, widget=forms.RadioSelect
    )
    received_on = forms.DateField(label=_("Received on"), required=False, widget=DATE)
    text = forms.CharField(label=_("The complaint"), required=False, widget=TEXT)


class ReevaluationForm(forms.Form):
    """DEC-2: the unit that decided upholds (and forwards) or changes its decision."""

    fieldsets = [
        ("", ("result", "justification", "on")),
        (_("When the decision is changed"), ("outcome", "intensity", "offer")),
    ]

    result = forms.ChoiceField(
        label=_("Result of the re-evaluation"),
        choices=[
            ("upheld", _("The decision is upheld")),
            ("changed", _("The decision is changed")),
        ],
        widget=forms.RadioSelect,
    )
    justification = forms.CharField(label=_("Justification"), required=False, widget=TEXT)
    on = forms.DateField(label=_("Re-evaluated on"), required=False, widget=DATE)
    outcome = forms.ChoiceField(
        label=_("New outcome"),
        required=False,
        choices=_blank(Outcome.choices),
        help_text=_("Only when the decision is changed."),
    )
    intensity = forms.ChoiceField(
        label=_("New intensity"), required=False, choices=_blank(Intensity.choices)
    )
    offer = forms.ChoiceField(
        label=_("New offer"),
        required=False,
        help_text=_("From the organisation's catalogue; empty keeps the offer decided."),
    )

    def __init__(self, *args: Any, offers: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self.fields["offer"], _blank(offers))


class ChildConcernForm(forms.Form):
    """DEC-7. ``children``: the client's children living at home."""

    child = forms.ChoiceField(label=_("Child"), required=False)
    concern = forms.CharField(label=_("The concern"), required=False, widget=TEXT)
    noted_on = forms.DateField(label=_("Concern noted on"), required=False, widget=DATE)

    def __init__(
        self, *args: Any, children: Iterable[ChildAtHome], today: datetime.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["child"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows the type
        field.choices = _blank(
            (str(c.uuid), f"{c.first_name} ({c.birth_date:%Y})") for c in children
        )
        self.fields["noted_on"].initial = today


class ChildNotificationForm(forms.Form):
    """DEC-7: the notification was made."""

    recipient = forms.CharField(label=_("Sent to"), required=False, max_length=200)
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100)
    notified_on = forms.DateField(label=_("Notified on"), required=False, widget=DATE)
