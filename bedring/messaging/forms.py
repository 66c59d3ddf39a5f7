"""The client's contact details and reminder preferences (APT-3). The checks are the
service's (clients.services.client_contact_set), so the page and the API refuse the same
input with the same codes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bedring.clients.models import ReminderChannel, ReminderLabel

from .models import ReminderSettings


def _yes(value: str) -> bool:
    return value == "yes"


class ContactPreferencesForm(forms.Form):
    fieldsets = [
        (_("Contact"), ("phone", "email")),
        (_("Appointment reminders"), ("reminder_consent", "reminder_channel", "reminder_label")),
    ]

    phone = forms.CharField(
        label=_("Mobile number"),
        required=False,
        max_length=40,
        help_text=_("With + and the country code when it is not a number of this country."),
    )
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    reminder_consent = forms.TypedChoiceField(
        label=_("Does the client agree to appointment reminders?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=_yes,
        widget=forms.RadioSelect,
    )
    reminder_channel = forms.ChoiceField(
        label=_("Reminders by"),
        choices=[("", _("Not chosen")), *ReminderChannel.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    reminder_label = forms.ChoiceField(
        label=_("Reminders signed with"),
        choices=ReminderLabel.choices,
        initial=ReminderLabel.NEUTRAL,
        widget=forms.RadioSelect,
        help_text=_("A reminder never says what the appointment is about."),
    )

    def __init__(self, *args: Any, rules: ReminderSettings | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if rules is not None:
            # The names the client chooses between, as the reminder will show them.
            field = self.fields["reminder_label"]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
            field.choices = [
                (
                    ReminderLabel.NEUTRAL.value,
                    _("“%(name)s” (says nothing about the service)")
                    % {"name": rules.neutral_label},
                ),
                (
                    ReminderLabel.SERVICE.value,
                    _("“%(name)s” (the service's name)") % {"name": rules.service_label},
                ),
            ]
