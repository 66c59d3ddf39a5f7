"""The one form of the register pages: which year to export."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .tdi_export import MIN_YEAR


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = range(today.year, MIN_YEAR - 1, -1)
        field = cast(forms.TypedChoiceField, self.fields["year"])
        field.choices = [(y, str(y)) for y in years]
        field.error_messages["invalid_choice"] = _("Choose a year from %(min)s to %(max)s.") % {
            "min": MIN_YEAR,
            "max": today.year,
        }
