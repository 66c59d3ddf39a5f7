from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bedring.core.digits import ascii_digits
from bedring.core.hours import HoursError, Interval, parse_intervals

from .models import HoursKind

WEEKDAYS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]
HOURS_ERRORS = {
    "format": _("Write hours like 09:00-12:00, 13:00-19:00 (could not read %(text)s)."),
    "order": _("An interval must end after it starts (%(text)s)."),
    "overlap": _("Intervals overlap (%(text)s)."),
}


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_otp_token(self) -> str:
        # ASCII digits (full-width ones after NFKC): str.isdigit takes "²" and "٢" too.
        value = ascii_digits(self.cleaned_data["otp_token"])
        if value is None or len(value) != 6:
            raise forms.ValidationError(_("The code has six digits."))
        return value


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Name of the token"), max_length=100)


def hours_field_name(kind: str, weekday: int) -> str:
    return f"{kind}_{weekday}"


class SiteHoursForm(forms.Form):
    """One text box per kind and weekday: "09:00-12:00, 13:00-19:00"; empty means closed."""

    open_on_public_holidays = forms.BooleanField(label=_("Open on public holidays"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in HoursKind.choices:
            for day, day_label in enumerate(WEEKDAYS):
                self.fields[hours_field_name(kind, day)] = forms.CharField(
                    label=f"{label}: {day_label}", required=False, max_length=120
                )

    def week(self, kind: str) -> dict[int, tuple[Interval, ...]]:
        return {day: self.cleaned_data[hours_field_name(kind, day)] for day in range(7)}

    def rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (str(day_label), [self[hours_field_name(kind, day)] for kind in HoursKind.values])
            for day, day_label in enumerate(WEEKDAYS)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for kind in HoursKind.values:
            for day in range(7):
                name = hours_field_name(kind, day)
                try:
                    data[name] = parse_intervals(data.get(name) or "")
                except HoursError as exc:
                    self.add_error(name, HOURS_ERRORS[exc.code] % {"text": exc.text})
        return data


class ClosedDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
