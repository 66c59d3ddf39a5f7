"""Forms of the prescription, the dispensing desk and the stock (MED-1, MED-2, MED-3), and of
urine tests (MED-4), travel certificates (MED-5) and co-payments (MED-9). The record forms
only parse; the rules (dates, periods, the medicine, the rule pack) are the services' and
come back as domain errors shown next to the field."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import users_who_may
from bedring.accounts.models import Organisation, Site, User
from bedring.core.forms import set_unit
from bedring.core.roles import Perm

from .models import (
    Delivery,
    Effect,
    ExceptionReason,
    Medicine,
    MovementKind,
    Prescription,
    SubstanceGroup,
    TestResult,
)
from .selectors import PERIOD_EARLIEST, PERIOD_LATEST
from .services.prescribing import PrescriptionTerms
from .services.stock import MANUAL_MOVEMENTS

WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def dose_field(label: Any, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=8,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def _amount(value: Decimal) -> str:
    return str(formats.number_format(value.normalize()))


class MedicineChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """The medicines by the name in the user's language, each with its highest daily dose:
    the doctor sees the maximum before choosing, without JavaScript."""

    def label_from_instance(self, obj: Medicine) -> str:
        return gettext("%(medicine)s (at most %(maximum)s %(unit)s a day)") % {
            "medicine": obj.display_name,
            "maximum": _amount(obj.max_daily_dose),
            "unit": obj.unit,
        }


class PrescriptionForm(forms.Form):
    """MED-1, MED-3: what a doctor writes. The medicine is chosen only when prescribing; a
    change keeps it. The daily dose shows the medicine's unit beside it and its highest
    daily dose below it (once the medicine is known: a change, or a form sent back)."""

    fieldsets = [
        (_("Medicine and dose"), ("medicine", "daily_dose", "starts_on", "ends_on")),
        (
            _("Days"),
            ("supervised_weekdays", "take_home_weekdays", "pickup_interval_days"),
        ),
        (_("Where"), ("site", "delivery", "delivery_to", "instructions", "reason")),
    ]

    medicine = MedicineChoiceField(
        label=_("Medicine"), queryset=Medicine.objects.none(), to_field_name="key"
    )
    daily_dose = dose_field(_("Daily dose"))
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=DATE,
        help_text=_("Empty: until further notice."),
    )
    supervised_weekdays = forms.TypedMultipleChoiceField(
        label=_("Supervised intake at the desk"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    take_home_weekdays = forms.TypedMultipleChoiceField(
        label=_("Take-home days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    pickup_interval_days = forms.IntegerField(
        label=_("Take-home doses handed out up to this many days ahead"),
        min_value=1,
        max_value=28,
        initial=1,
    )
    site = forms.ModelChoiceField(
        label=_("Dispensing site"), queryset=Site.objects.none(), to_field_name="slug"
    )
    delivery = forms.ChoiceField(label=_("Delivery"), choices=Delivery.choices)
    delivery_to = forms.CharField(
        label=_("Delivered to (name and address)"), required=False, max_length=200
    )
    instructions = forms.CharField(label=_("Instructions"), required=False, max_length=500)
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        changing: bool = False,
        medicine: Medicine | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = organisation.sites.filter(is_active=True)  # type: ignore[attr-defined]
        medicines = list(Medicine.objects.filter(is_active=True))
        if changing:
            del self.fields["medicine"]
        else:
            self.fields["medicine"].queryset = Medicine.objects.filter(is_active=True)  # type: ignore[attr-defined]
            del self.fields["reason"]
            chosen = self.data.get("medicine") if self.is_bound else self.initial.get("medicine")
            medicine = next((m for m in medicines if m.key == chosen), None)
        self.dose_medicine = medicine
        self._show_dose_rules(medicine, medicines)

    def _show_dose_rules(self, medicine: Medicine | None, medicines: list[Medicine]) -> None:
        """MED-1: the daily dose in the medicine's unit, its highest daily dose as help."""
        field = self.fields["daily_dose"]
        if medicine is not None:
            set_unit(self, "daily_dose", medicine.unit)
            field.help_text = gettext("At most %(maximum)s %(unit)s a day for %(medicine)s.") % {
                "maximum": _amount(medicine.max_daily_dose),
                "unit": medicine.unit,
                "medicine": medicine.display_name,
            }
            return
        units = {m.unit for m in medicines}
        if len(units) == 1:
            set_unit(self, "daily_dose", units.pop())
        field.help_text = gettext(
            "The highest daily dose of each medicine is shown in the list of medicines."
        )

    def terms(self) -> PrescriptionTerms:
        data = self.cleaned_data
        return PrescriptionTerms(
            site=data["site"],
            daily_dose=data["daily_dose"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            supervised_weekdays=tuple(data["supervised_weekdays"]),
            take_home_weekdays=tuple(data["take_home_weekdays"]),
            pickup_interval_days=data["pickup_interval_days"],
            delivery=data["delivery"],
            delivery_to=data["delivery_to"].strip(),
            instructions=data["instructions"].strip(),
        )


class EndForm(forms.Form):
    on = forms.DateField(label=_("Ended on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("What the review found"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ObservationForm(forms.Form):
    """MED-2: the nurse's optional observation at a supervised intake. On the desk each row
    has its own (``auto_id`` with the prescription, so the labels point to their row)."""

    effect = forms.ChoiceField(
        label=_("Effect"), choices=[("", "—"), *Effect.choices], required=False
    )
    side_effects = forms.CharField(label=_("Side effects"), required=False, max_length=500)
    intoxication_signs = forms.CharField(
        label=_("Signs of intoxication"), required=False, max_length=500
    )


class ExceptionForm(forms.Form):
    exception_reason = forms.ChoiceField(label=_("Why"), choices=ExceptionReason.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    quantity = dose_field(_("Quantity (empty: the daily dose)"), required=False)

    def __init__(self, *args: Any, medicine: Medicine, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit(self, "quantity", medicine.unit)


class CorrectionForm(forms.Form):
    """MED-2: why a dose recorded by mistake is corrected."""

    reason = forms.CharField(
        label=_("Why is the dose corrected?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: recorded for the wrong client, or recorded twice."),
    )


class StockForm(forms.Form):
    medicine = forms.ModelChoiceField(
        label=_("Medicine"), queryset=Medicine.objects.none(), to_field_name="key"
    )
    kind = forms.ChoiceField(
        label=_("Movement"),
        choices=[(k.value, k.label) for k in MovementKind if k in MANUAL_MOVEMENTS],
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    witness = forms.ModelChoiceField(
        label=_("Witness (for wasted medicine)"),
        queryset=User.objects.none(),
        required=False,
        to_field_name="username",
    )
    batch = forms.CharField(label=_("Batch"), required=False, max_length=60)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["medicine"].queryset = Medicine.objects.filter(is_active=True)  # type: ignore[attr-defined]
        stock_roles = [user.pk for user in users_who_may(organisation.pk, Perm.STOCK)]
        self.fields["witness"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=stock_roles, is_active=True
        ).order_by("first_name", "last_name")


PERIOD_RANGE = _("Choose a date from 1900 to 2999.")


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("start", "end"):
            if data.get(name) and not PERIOD_EARLIEST <= data[name] <= PERIOD_LATEST:
                self.add_error(name, PERIOD_RANGE)
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end date is before the start date."))
        return data


# --- urine tests, travel certificates and co-payments (MED-4, MED-5, MED-9) ----------------

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
            (str(p.uuid), f"{p.medicine.display_name} ({p.get_status_display()})")
            for p in prescriptions
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
