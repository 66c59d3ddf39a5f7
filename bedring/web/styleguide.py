"""The style guide for developers (issue 13, "Screens a clinician trusts"): every component of
the screens rendered with its real markup and classes, and when to use it. Staff only, not in
the menu (the organisation page links to it). Nothing on it is a real record: the forms post
nowhere that writes, and the dispensing desk row is fed an invented row."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import staff_for_request, staff_view
from bedring.core import clock
from bedring.core.forms import DATE, set_unit


class DemoForm(forms.Form):
    """A small form in the pattern: a field outside any group, a group with a legend, a
    quantity with its unit, radio buttons (their own legend), a check box and a text box."""

    fieldsets = [
        ("", ("name",)),
        (_("When"), ("on", "minutes")),
        (_("Reminders"), ("reminder_channel", "walk_in")),
        ("", ("note",)),  # a group without a legend: the note after the groups
    ]

    name = forms.CharField(label=_("Name"), max_length=100)
    on = forms.DateField(label=_("Day"), widget=DATE)
    minutes = forms.IntegerField(label=_("Length"), min_value=5, max_value=480)
    reminder_channel = forms.ChoiceField(
        label=_("Reminders by"),
        choices=[("sms", _("SMS")), ("email", _("E-mail"))],
        widget=forms.RadioSelect,
    )
    walk_in = forms.BooleanField(label=_("Walk-in"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_unit(self, "minutes", _("minutes"))


# What a clinician may get wrong at once: no name, no day, a length under the minimum, no
# channel chosen. Bound, so that the summary and each field's error show.
INVALID = {
    "failed-name": "",
    "failed-on": "",
    "failed-minutes": "2",
    "failed-reminder_channel": "",
}


def _desk_row(today: datetime.date) -> dict[str, Any]:
    """An invented row of the dispensing desk (``medication/partials/_desk_row.html``): made-up
    ids that name no record, so its buttons lead nowhere."""
    site = SimpleNamespace(uuid=uuid.UUID(int=1))
    row = SimpleNamespace(
        prescription=SimpleNamespace(uuid=uuid.UUID(int=2), hold_reason=""),
        client=SimpleNamespace(
            uuid=uuid.UUID(int=3), display_name=_("Example client"), code="K-0000"
        ),
        medicine=SimpleNamespace(name=_("Methadone"), unit="mg"),
        version=SimpleNamespace(daily_dose=Decimal("60"), delivery="clinic"),
        status="due",
        missed=1,
        exceptions_today=0,
        take_home_given=[],
        take_home_due=[today + datetime.timedelta(days=1)],
    )
    return {"row": row, "desk": SimpleNamespace(site=site), "effects": [("", "—")]}


@staff_view()
def styleguide(request: HttpRequest) -> HttpResponse:
    today = clock.today(staff_for_request(request).organisation)
    return render(
        request,
        "web/styleguide.html",
        {
            "clean_form": DemoForm(prefix="clean", initial={"on": today, "minutes": 45}),
            "failed_form": DemoForm(INVALID, prefix="failed"),
            "desk_row": _desk_row(today),
            "today": today,
        },
    )
