"""Forms for urine tests (MED-4), travel certificates (MED-5) and co-payments (MED-9). They
only parse; the rules (dates, periods, the medicine, the rule pack) are the services' and
come back as domain errors shown next to the field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bedring.core.forms import DATE

from .models import Prescription, SubstanceGroup, TestResult

RESULT_PREFIX = "result_"


class UrineTestForm(forms.Form):
    """MED-4: one result field per substance group (``result_<group>``)."""

    sampled_on = forms.DateField(label=_("Sample date"), widget=DATE)
    supervised = forms.BooleanField(label=_("Supervised sample"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in SubstanceGroup.choices:
            self.fields[f"{RESULT_PREFIX}{value}"] = forms.ChoiceField(
                label=label,
                choices=TestResult.choices,
                initial=TestResult.NOT_TESTED,
                required=False,
            )

    def result_fields(self) -> list[forms.BoundField]:
        return [self[f"{RESULT_PREFIX}{value}"] for value in SubstanceGroup.values]

    def results(self) -> dict[str, str]:
        """The result per group; a group not sent was not tested."""
        return {
            value: self.cleaned_data[f"{RESULT_PREFIX}{value}"] or TestResult.NOT_TESTED
            for value in SubstanceGroup.values
        }


class TravelCertificateForm(forms.Form):
    """MED-5: which prescription, which kind of document, where and when."""

    prescription = forms.ChoiceField(label=_("Prescription"))
    schengen = forms.TypedChoiceField(
        label=_("Document"),
        choices=[
            ("1", _("Schengen certificate (art. 75), travel within the Schengen area")),
            ("0", _("Medical statement in English, travel outside the Schengen area")),
        ],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    countries = forms.CharField(
        label=_("Countries of travel"),
        required=False,
        max_length=300,
        help_text=_("For example: Germany, France."),
    )
    travel_from = forms.DateField(label=_("Travel from"), widget=DATE)
    travel_to = forms.DateField(label=_("Travel to"), widget=DATE)

    def __init__(self, *args: Any, prescriptions: Iterable[Prescription], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["prescription"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows the type
        field.choices = [
            (str(p.uuid), f"{p.medicine.name} ({p.get_status_display()})") for p in prescriptions
        ]


class ChargeWeekForm(forms.Form):
    """MED-9: the ISO week to charge (the browser's week picker sends "2026-W48")."""

    week = forms.CharField(
        label=_("Week"),
        max_length=8,
        widget=forms.TextInput(attrs={"type": "week"}),
        help_text=_("An ended week, written like 2026-W48."),
    )


class PaymentForm(forms.Form):
    """MED-9: a payment or a write-off. Amounts in the active language's format."""

    amount = forms.DecimalField(
        label=_("Amount (EUR)"), max_digits=10, decimal_places=2, localize=True
    )
    on = forms.DateField(label=_("Date"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class WriteOffForm(PaymentForm):
    note = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Why the amount is written off; required."),
    )
