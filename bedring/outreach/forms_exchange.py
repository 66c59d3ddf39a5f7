"""Forms of the needle exchange (HRM-9): a transaction at a point, and a stock movement. They
only parse; the rules (what the point stocks, the time, an empty transaction) are the
services' and come back as domain errors shown on the form. Times are the organisation's
local time, whatever the server's time zone."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bedring.accounts.models import Organisation

from .models import ExchangeMovementKind, ExchangePoint
from .packs import ItemIn
from .services.contacts import MAX_ITEM_COUNT
from .services.exchange import MAX_STOCK_QUANTITY, NOTE_MAX, REFERRAL_MAX

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class Stepper(forms.NumberInput):
    """A count with a − and a + button beside it (shown by ``static/bedring/exchange.js``;
    without the script the number field works alone). 44 px targets for a thumb."""

    template_name = "outreach/exchange/stepper.html"

    def __init__(self, item_label: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={"min": 0, "max": MAX_ITEM_COUNT, "inputmode": "numeric", **(attrs or {})}
        )
        self.item_label = item_label

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["item_label"] = self.item_label
        return context


def _count(name: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=name,
        min_value=0,
        max_value=MAX_ITEM_COUNT,
        required=False,
        initial=0,
        widget=Stepper(name),
    )


def _local(value: datetime.datetime | None, organisation: Organisation) -> datetime.datetime | None:
    """What was typed, read as the organisation's wall clock."""
    if value is None:
        return None
    return value.replace(tzinfo=None).replace(tzinfo=ZoneInfo(organisation.time_zone))


class TransactionForm(forms.Form):
    """HRM-9: one exchange, phone first: the point's items with − and +, used items back,
    advice, a referral, then (rarely) a participant code and another time."""

    returned_estimated = forms.BooleanField(
        label=_("Returns estimated, not counted one by one"),
        required=False,
        help_text=_("For example a full container."),
    )
    advice = forms.BooleanField(label=_("Advice given"), required=False)
    referral = forms.CharField(
        label=_("Referred to"),
        max_length=REFERRAL_MAX,
        required=False,
        help_text=_("A service, never a person's name."),
    )
    participant_code = forms.CharField(
        label=_("Participant code"),
        max_length=32,
        required=False,
        help_text=_("Only if the participant uses one. Never a name."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    at = forms.DateTimeField(
        label=_("Time"),
        required=False,
        widget=DATETIME,
        help_text=_("Leave empty for now."),
    )

    def __init__(
        self,
        *args: Any,
        point: ExchangePoint,
        items: Mapping[str, ItemIn],
        names: Mapping[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = point.organisation
        fixed = dict(self.fields)
        self.fields.clear()
        self.out_keys = [k for k in point.items if k in items]
        self.back_keys = [k for k, item in items.items() if item.returnable]
        for key in self.out_keys:
            self.fields[f"out_{key}"] = _count(names.get(key, key))
        for key in self.back_keys:
            self.fields[f"back_{key}"] = _count(names.get(key, key))
        self.fields.update(fixed)
        self.fieldsets = [
            (_("Handed out"), tuple(f"out_{k}" for k in self.out_keys)),
            (
                _("Used items taken back"),
                (*(f"back_{k}" for k in self.back_keys), "returned_estimated"),
            ),
            (_("Advice and referral"), ("advice", "referral")),
            (_("Participant and time"), ("participant_code", "at")),
        ]

    def clean_at(self) -> datetime.datetime | None:
        return _local(self.cleaned_data.get("at"), self.organisation)

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "items_out": {k: data.get(f"out_{k}") or 0 for k in self.out_keys},
            "items_back": {k: data.get(f"back_{k}") or 0 for k in self.back_keys},
            "returned_estimated": data["returned_estimated"],
            "advice": data["advice"],
            "referral": data["referral"],
            "participant_code": data["participant_code"],
        }


class StockForm(forms.Form):
    """HRM-9, as MED-2: a delivery, waste or a count of one item at a point."""

    item = forms.ChoiceField(label=pgettext_lazy("exchange stock", "Item"))
    kind = forms.ChoiceField(
        label=_("Movement"),
        choices=[
            (ExchangeMovementKind.DELIVERED, _("Delivered")),
            (ExchangeMovementKind.COUNTED, _("Counted on the shelf")),
            (ExchangeMovementKind.WASTED, _("Wasted or lost")),
        ],
        widget=forms.RadioSelect,
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=MAX_STOCK_QUANTITY)
    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_MAX,
        required=False,
        help_text=_("For waste or loss: why."),
    )
    at = forms.DateTimeField(
        label=_("Time"), required=False, widget=DATETIME, help_text=_("Leave empty for now.")
    )
    fieldsets = [
        (_("What"), ("item", "kind", "quantity")),
        (_("Note and time"), ("note", "at")),
    ]

    def __init__(
        self, *args: Any, point: ExchangePoint, names: Mapping[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = point.organisation
        self.fields["item"].choices = [(k, names.get(k, k)) for k in point.items]  # type: ignore[attr-defined]

    def clean_at(self) -> datetime.datetime | None:
        return _local(self.cleaned_data.get("at"), self.organisation)
