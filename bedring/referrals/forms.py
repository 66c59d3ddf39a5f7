"""Referral forms (REF-1). Field names are the services' parameters, so a refusal is shown
next to its field."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation, User
from bedring.clients.models import Consent
from bedring.core import clock
from bedring.core.forms import DATE
from bedring.documents.forms import ACCEPT
from bedring.documents.models import Document
from bedring.pathway.models.episode import Referrer

from . import rules
from .models import Partner, ReferralStatus

NOTE = forms.Textarea(attrs={"rows": 3})


def partner_label(partner: Partner) -> str:
    return str(
        _("%(name)s (%(kind)s; reply expected within %(days)d days)")
        % {"name": partner.name, "kind": partner.get_kind_display(), "days": partner.reply_days}
    )


def consent_label(consent: Consent) -> str:
    until = date_format(consent.valid_until, "SHORT_DATE_FORMAT") if consent.valid_until else "…"
    name = f" ({consent.party_name})" if consent.party_name else ""
    return (
        f"{consent.get_party_display()}{name}, "
        f"{date_format(consent.valid_from, 'SHORT_DATE_FORMAT')}–{until}"
    )


class ReferralForm(forms.Form):
    """A referral out: to whom, why, what is sent, the consent, sent now or a draft."""

    fieldsets = [
        (_("The referral"), ("partner", "reason", "text")),
        (_("Documents"), ("documents", "new_file")),
        (_("Consent"), ("consent",)),
        ("", ("send_on",)),
    ]

    partner = forms.ChoiceField(label=_("Refer to"))
    reason = forms.CharField(label=_("Why"), max_length=4000, widget=NOTE)
    text = forms.CharField(
        label=_("What is sent"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The text of the referral as it goes to the partner."),
    )
    documents = forms.MultipleChoiceField(
        label=_("Documents sent with it"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    new_file = forms.FileField(
        label=_("Attach a new file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("A PDF, PNG or JPEG; stored in the client's documents as a referral."),
    )
    consent = forms.ChoiceField(
        label=_("Consent it relies on"),
        required=False,
        help_text=_("Left empty: the latest valid consent that covers the partner."),
    )
    send_on = forms.DateField(
        label=_("Sent on"),
        required=False,
        widget=DATE,
        help_text=_("Only for “Record as sent”; a draft is sent later."),
    )

    def __init__(
        self,
        *args: Any,
        partners: Sequence[Partner],
        consents: Sequence[Consent],
        documents: Sequence[Document],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["partner"]).choices = [
            ("", "—"),
            *((p.key, partner_label(p)) for p in partners),
        ]
        cast(forms.ChoiceField, self.fields["consent"]).choices = [
            ("", _("The latest valid consent covering the partner")),
            *((str(c.uuid), consent_label(c)) for c in consents),
        ]
        cast(forms.MultipleChoiceField, self.fields["documents"]).choices = [
            (
                str(d.uuid),
                f"{d.get_kind_display()}, {date_format(d.dated_on, 'SHORT_DATE_FORMAT')}"
                + (f": {d.title}" if d.title else ""),
            )
            for d in documents
        ]
        if not documents:
            del self.fields["documents"]


class StepForm(forms.Form):
    """The next step of a referral out: received, accepted or appointment given."""

    prefix = "step"

    status = forms.ChoiceField(label=_("What happened"))
    on = forms.DateField(label=_("On"), widget=DATE)
    appointment_on = forms.DateField(
        label=_("Appointment on"),
        required=False,
        widget=DATE,
        help_text=_("Only for “appointment given”."),
    )
    note = forms.CharField(label=_("Reply"), required=False, max_length=2000, widget=NOTE)

    def __init__(self, *args: Any, allowed: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (s, ReferralStatus(s).label) for s in allowed
        ]


class FinalStepForm(forms.Form):
    """A step that ends the referral: refused by the partner or withdrawn."""

    prefix = "final"

    status = forms.ChoiceField(label=_("What happened"))
    on = forms.DateField(label=_("On"), widget=DATE)
    note = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=NOTE,
        help_text=_("The reason the partner gave, or why the referral is withdrawn."),
    )

    def __init__(self, *args: Any, allowed: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (s, ReferralStatus(s).label) for s in allowed
        ]


class SendForm(forms.Form):
    prefix = "send"

    on = forms.DateField(label=_("Sent on"), widget=DATE)


class RightsForm(forms.Form):
    """NO: the specialist health service's assessment of the patient's rights."""

    prefix = "rights"

    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE)
    granted = forms.TypedChoiceField(
        label=_("Outcome"),
        choices=[
            ("yes", _("Right to necessary health care")),
            ("no", _("No right to necessary health care")),
        ],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    latest_start_on = forms.DateField(
        label=_("Health care starts at the latest on"),
        required=False,
        widget=DATE,
        help_text=_("Only for a granted right."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=NOTE)


REFERRERS = [(value, label) for value, label in Referrer.choices if value != Referrer.SELF]


class IncomingForm(forms.Form):
    """A referral in: who referred, when, the letter, and who takes the case."""

    prefix = "referral"

    referrer = forms.ChoiceField(label=_("Referred by"), choices=REFERRERS)
    referrer_name = forms.CharField(
        label=_("Name of the referrer"),
        required=False,
        max_length=200,
        help_text=_("The GP, the hospital ward, the municipality …"),
    )
    received_at = forms.DateTimeField(
        label=_("Received"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(
        label=_("Reason for the referral"), required=False, max_length=4000, widget=NOTE
    )
    letter_file = forms.FileField(
        label=_("The letter"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("A PDF, PNG or JPEG; stored in the client's documents."),
    )
    site = forms.ChoiceField(label=_("Site"))
    assign_to = forms.ChoiceField(label=_("Assign a counsellor now"), required=False)

    def __init__(
        self, *args: Any, organisation: Organisation, staff: Sequence[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        cast(forms.ChoiceField, self.fields["site"]).choices = [
            (str(s.uuid), s.name)
            for s in organisation.sites.filter(is_active=True).order_by("kind", "name")
        ]
        cast(forms.ChoiceField, self.fields["assign_to"]).choices = [
            ("", "—"),
            *((str(u.pk), u.get_full_name() or u.username) for u in staff),
        ]
        if not self.is_bound:
            now = clock.local_now(organisation)
            self.initial.setdefault("received_at", now.strftime("%Y-%m-%dT%H:%M"))

    def clean_received_at(self) -> datetime.datetime:
        value: datetime.datetime = self.cleaned_data["received_at"]
        # The form's time is the organisation's local time, whatever the server's zone.
        return value.replace(tzinfo=None).replace(tzinfo=ZoneInfo(self.organisation.time_zone))


def next_steps(status: str) -> tuple[list[str], list[str]]:
    """The steps the page offers from ``status``: the ordinary ones, and the ones that end the
    referral (asked for with a confirmation)."""
    allowed = [s for s in ReferralStatus.values if rules.can_move(status, s)]
    final = [s for s in allowed if s in (ReferralStatus.REFUSED, ReferralStatus.WITHDRAWN)]
    ordinary = [s for s in allowed if s not in final and s != ReferralStatus.SENT]
    return ordinary, final
