"""Forms of the prescription, the dispensing desk and the stock (MED-1, MED-2, MED-3)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import users_who_may
from bedring.accounts.models import Organisation, Site, User
from bedring.accounts.roles import Perm

from .models import Delivery, Effect, ExceptionReason, Medicine, MovementKind
from .selectors import PERIOD_EARLIEST, PERIOD_LATEST
from .services import MANUAL_MOVEMENTS, PrescriptionTerms

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


class PrescriptionForm(forms.Form):
    """MED-1, MED-3: what a doctor writes. The medicine is chosen only when prescribing; a
    change keeps it."""

    medicine = forms.ModelChoiceField(
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
        self, *args: Any, organisation: Organisation, changing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = organisation.sites.filter(is_active=True)  # type: ignore[attr-defined]
        if changing:
            del self.fields["medicine"]
        else:
            self.fields["medicine"].queryset = Medicine.objects.filter(is_active=True)  # type: ignore[attr-defined]
            del self.fields["reason"]

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
    """MED-2: the nurse's optional observation at a supervised intake."""

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
