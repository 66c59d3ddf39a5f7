from __future__ import annotations

import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation, User
from bedring.core import clock

from .models.episode import Channel, Referrer

NOT_A_COUNSELLOR = _("Only a counsellor of this organisation can be responsible for a case.")


class InquiryForm(forms.Form):
    """INT-1: channel, who referred, when, where; INT-2 anonymous counselling; INT-7 walk-in."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    referrer = forms.ChoiceField(label=_("Referred by"), choices=Referrer.choices)
    referrer_name = forms.CharField(label=_("Name of the referrer"), required=False, max_length=200)
    received_at = forms.DateTimeField(
        label=_("Received"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    site = forms.ChoiceField(label=_("Site"))
    anonymous_counselling = forms.BooleanField(
        label=_("Anonymous open counselling (no person is recorded)"), required=False
    )
    walk_in = forms.BooleanField(label=_("Walk-in"), required=False)
    assign_to = forms.ChoiceField(
        label=_("Assign a counsellor now"),
        required=False,
        error_messages={"invalid_choice": NOT_A_COUNSELLOR},
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, organisation: Organisation, staff: list[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        cast(forms.ChoiceField, self.fields["site"]).choices = [
            (str(s.uuid), s.name)
            for s in organisation.sites.filter(is_active=True).order_by("kind", "name")
        ]
        cast(forms.ChoiceField, self.fields["assign_to"]).choices = [("", "—")] + [
            (str(u.pk), u.get_full_name() or u.username) for u in staff
        ]
        if not self.is_bound:
            now = clock.local_now(organisation)
            self.initial.setdefault("received_at", now.strftime("%Y-%m-%dT%H:%M"))

    def clean_received_at(self) -> datetime.datetime:
        value: datetime.datetime = self.cleaned_data["received_at"]
        # The form's time is the organisation's local time, whatever the server's zone.
        return value.replace(tzinfo=None).replace(tzinfo=ZoneInfo(self.organisation.time_zone))


class AssignForm(forms.Form):
    """INT-7: the responsible counsellor, one of the organisation's counsellors
    (``accounts.access.record_staff``): anyone else is refused by name of the rule."""

    responsible = forms.ChoiceField(
        label=_("Responsible counsellor"), error_messages={"invalid_choice": NOT_A_COUNSELLOR}
    )

    def __init__(self, *args: Any, staff: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["responsible"]).choices = [
            (str(u.pk), u.get_full_name() or u.username) for u in staff
        ]


class FreeChoiceForm(forms.Form):
    provider = forms.CharField(label=_("Provider chosen by the client"), max_length=200)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class StartForm(forms.Form):
    on = forms.DateField(
        label=_("Treatment started on"), widget=forms.DateInput(attrs={"type": "date"})
    )
