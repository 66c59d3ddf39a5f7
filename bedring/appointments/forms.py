"""Appointment forms (APT-1, APT-2). Field names are the services' parameters (the day and
time make ``starts_at`` in the organisation's time zone), so a service's refusal is shown next
to its field. Staff, sites and rooms are chosen from the organisation's, by public id."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation, Site, User
from bedring.core import clock
from bedring.core.forms import DATE, set_unit

from .models import AppointmentKind, CancelledBy, Room

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DEFAULT_MINUTES = 60


def _note(label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class _When(forms.Form):
    """Staff member, place and time: shared by booking and moving."""

    fieldsets: list[tuple[Any, tuple[str, ...]]] = [
        (_("When"), ("on", "start", "minutes")),
        (_("Where"), ("site", "room")),
    ]

    staff = forms.ChoiceField(label=_("Staff member"))
    site = forms.ChoiceField(label=_("Site"))
    room = forms.ChoiceField(label=_("Room"), required=False)
    on = forms.DateField(label=_("Day"), widget=DATE)
    start = forms.TimeField(label=_("Start"), widget=TIME)
    minutes = forms.IntegerField(label=_("Length"), min_value=-100_000, max_value=100_000)
    confirm_outside_hours = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        staff: list[User],
        sites: list[Site],
        rooms: list[Room],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self._staff = {u.username: u for u in staff}
        self._sites = {str(s.uuid): s for s in sites}
        self._rooms = {str(r.uuid): r for r in rooms}
        self.fields["staff"].choices = [  # type: ignore[attr-defined]
            (u.username, u.get_full_name() or u.username) for u in staff
        ]
        self.fields["site"].choices = [(str(s.uuid), s.name) for s in sites]  # type: ignore[attr-defined]
        self.fields["room"].choices = [  # type: ignore[attr-defined]
            ("", _("No room")),
            *((str(r.uuid), f"{r.site.name} · {r.name}") for r in rooms),
        ]
        set_unit(self, "minutes", _("minutes"))

    def starts_at(self) -> datetime.datetime:
        data = self.cleaned_data
        return datetime.datetime.combine(
            data["on"], data["start"], tzinfo=clock.zone(self.organisation)
        )

    def chosen(self) -> dict[str, Any]:
        """The service's keywords from the cleaned data."""
        data = self.cleaned_data
        return {
            "staff": self._staff[data["staff"]],
            "site": self._sites[data["site"]],
            "room": self._rooms.get(data.get("room") or ""),
            "starts_at": self.starts_at(),
            "minutes": data["minutes"],
            "confirm_outside_hours": bool(data.get("confirm_outside_hours")),
        }


class BookForm(_When):
    kind = forms.ChoiceField(label=_("Kind"), choices=AppointmentKind.choices)
    note = _note()
    request = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = ("kind", "staff", "on", "start", "minutes", "site", "room", "note")
    # The kind and the staff member first, without a legend; the note last.
    fieldsets = [("", ("kind", "staff")), *_When.fieldsets, ("", ("note",))]


class MoveForm(_When):
    field_order = ("staff", "on", "start", "minutes", "site", "room")


class CancelForm(forms.Form):
    prefix = "cancel"

    cancelled_by = forms.ChoiceField(
        label=_("Who cancelled"), choices=CancelledBy.choices, widget=forms.RadioSelect
    )
    notice = forms.ChoiceField(
        label=_("Notice"),
        choices=[("with", _("With notice")), ("without", _("Without notice (late)"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("attended", _("Attended")), ("no_show", _("No-show"))])


class RequestForm(forms.Form):
    prefix = "request"

    kind = forms.ChoiceField(label=_("Kind"), choices=AppointmentKind.choices)
    note = _note()


class WithdrawForm(forms.Form):
    prefix = "withdraw"

    reason = forms.CharField(label=_("Reason"), max_length=300)
