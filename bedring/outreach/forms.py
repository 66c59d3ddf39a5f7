"""Forms of the outreach pages.

The contact form's field names are the API's (``ContactIn`` in api/contacts.py), so that the
phone's offline helper can send the same form as JSON: ``who``, ``client`` (a client's id),
``pseudonym``, ``pseudonym_consent``, ``site`` (slug), ``location_type``, ``place`` (key),
``activities`` (repeated), ``items_out-<item>`` and ``items_back-<item>`` (whole numbers),
``minutes``, ``staff`` (usernames, repeated), ``note``, ``at`` (the organisation's wall
clock, ``YYYY-MM-DDTHH:MM``) and ``offline_id``. ``client_code`` only helps the page find a
client by code; the API takes the client's id. The service says what is wrong with a
contact (the form requires nothing the service checks, so its words are on the field)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation, Site, User
from bedring.clients.forms import ClientForm
from bedring.core.forms import set_unit

from .models import LocationType, Place
from .packs import OutreachIn, label
from .services.contacts import MAX_ITEM_COUNT, MAX_MINUTES, NOTE_MAX

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
OUT, BACK = "items_out", "items_back"
QUICK_MINUTES = (5, 10, 15, 30)


class Who:
    CLIENT = "client"
    PSEUDONYM = "pseudonym"
    NOBODY = "nobody"
    CHOICES: Sequence[tuple[str, Any]] = (
        (CLIENT, _("A known client")),
        (PSEUDONYM, _("A person with a code")),
        (NOBODY, _("Nobody identified")),
    )


class PlaceSelect(forms.Select):
    """A place's option says its kind of place and its team, so the page's script can tick
    the kind and offer the chosen team's places."""

    location_types: dict[str, str]
    sites: dict[str, str]

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        kind = getattr(self, "location_types", {}).get(str(value))
        if kind:
            option["attrs"]["data-location-type"] = kind
        site = getattr(self, "sites", {}).get(str(value))
        if site:
            option["attrs"]["data-site"] = site
        return option


def count_field(label_text: str) -> forms.IntegerField:
    message = _("A count must be a whole number from 0 to %(max)s.") % {"max": MAX_ITEM_COUNT}
    return forms.IntegerField(
        label=label_text,
        required=False,
        min_value=0,
        max_value=MAX_ITEM_COUNT,
        error_messages={"invalid": message, "min_value": message, "max_value": message},
        widget=forms.NumberInput(
            attrs={"inputmode": "numeric", "min": 0, "max": MAX_ITEM_COUNT, "class": "count"}
        ),
    )


class ContactForm(forms.Form):
    """HRM-8: one street contact on three screens (fieldsets): who and where, what was done,
    time and note."""

    who = forms.ChoiceField(
        label=_("Who"), choices=Who.CHOICES, widget=forms.RadioSelect, required=False
    )
    client = forms.CharField(label=_("People I met recently"), required=False, max_length=40)
    client_code = forms.CharField(
        label=_("Or find a client by client code"),
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    pseudonym = forms.CharField(
        label=_("Code"),
        required=False,
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "list": "recent-codes"}
        ),
    )
    pseudonym_consent = forms.BooleanField(
        label=_("The person agrees to this code"),
        required=False,
        help_text=_("Needed only for a new code."),
    )
    site = forms.ChoiceField(label=_("Team"))
    location_type = forms.ChoiceField(
        label=_("Where"), choices=LocationType.choices, widget=forms.RadioSelect, required=False
    )
    place = forms.ChoiceField(label=_("Place (optional)"), required=False, widget=PlaceSelect)
    activities = forms.MultipleChoiceField(
        label=_("Activities"), widget=forms.CheckboxSelectMultiple, required=False
    )
    minutes = forms.IntegerField(
        label=_("Time spent"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 600}),
    )
    staff = forms.MultipleChoiceField(
        label=_("Others present"), widget=forms.CheckboxSelectMultiple, required=False
    )
    note = forms.CharField(
        label=_("Short note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    at = forms.DateTimeField(label=_("When"), widget=DATETIME)
    offline_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        spec: OutreachIn,
        language: str | None,
        sites: list[Site],
        places: list[Place],
        colleagues: list[User],
        may_name: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.spec = spec
        if not may_name:  # drop-in and peer workers open no record: a code or nobody
            cast(forms.ChoiceField, self.fields["who"]).choices = [
                c for c in Who.CHOICES if c[0] != Who.CLIENT
            ]
        set_unit(self, "minutes", _("minutes"))
        self.item_fields: list[tuple[str, str, str | None]] = []  # (name, out, back)
        cast(forms.ChoiceField, self.fields["site"]).choices = [(s.slug, s.name) for s in sites]
        place = cast(forms.ChoiceField, self.fields["place"])
        place.choices = [("", _("No place from the list"))] + [(p.key, p.name) for p in places]
        widget = cast(PlaceSelect, place.widget)
        widget.location_types = {p.key: p.location_type for p in places}
        widget.sites = {p.key: p.site.slug for p in places if p.site is not None}
        cast(forms.MultipleChoiceField, self.fields["activities"]).choices = [
            (a.key, label(a.name.as_dict(), language)) for a in spec.activities
        ]
        cast(forms.MultipleChoiceField, self.fields["staff"]).choices = [
            (u.username, u.get_full_name() or u.username) for u in colleagues
        ]
        for item in spec.items:
            name = label(item.name.as_dict(), language)
            out = f"{OUT}-{item.key}"
            self.fields[out] = count_field(str(_("%(item)s handed out") % {"item": name}))
            back = None
            if item.returnable:
                back = f"{BACK}-{item.key}"
                self.fields[back] = count_field(str(_("%(item)s taken back") % {"item": name}))
            self.item_fields.append((name, out, back))

    def clean_at(self) -> datetime.datetime:
        """The wall clock of the organisation, whatever the server's time zone."""
        value: datetime.datetime = self.cleaned_data["at"]
        return value.replace(tzinfo=None).replace(tzinfo=ZoneInfo(self.organisation.time_zone))

    def clean_client(self) -> str:
        value: str = self.cleaned_data.get("client") or ""
        if value:
            try:
                uuid.UUID(value)
            except ValueError as exc:
                raise forms.ValidationError(_("Choose the person from the list.")) from exc
        return value

    def clean(self) -> dict[str, Any]:
        """What a contact always needs, said all at once in the service's words (the service
        checks them again, and everything else, one at a time)."""
        cleaned = super().clean() or {}
        if not self.chosen_who() and "who" not in self.errors:
            self.add_error("who", _("Say who the contact was with."))
        if not cleaned.get("activities") and "activities" not in self.errors:
            self.add_error("activities", _("Choose at least one thing that was done."))
        minutes = cleaned.get("minutes")
        if "minutes" not in self.errors and (minutes is None or not 1 <= minutes <= MAX_MINUTES):
            self.add_error(
                "minutes", _("Time spent is 1 to %(max)s minutes.") % {"max": MAX_MINUTES}
            )
        return cleaned

    def chosen_who(self) -> str:
        """Who the contact was with; when the radio was left alone, what was filled in
        says it (a person picked from the list, a code typed)."""
        who = self.cleaned_data.get("who") or ""
        if who:
            return str(who)
        if self.cleaned_data.get("client") or self.cleaned_data.get("client_code"):
            return Who.CLIENT
        if self.cleaned_data.get("pseudonym"):
            return Who.PSEUDONYM
        return ""

    def counts(self, prefix: str) -> dict[str, int]:
        found: dict[str, int] = {}
        for item in self.spec.items:
            value = self.cleaned_data.get(f"{prefix}-{item.key}")
            if value:
                found[item.key] = int(value)
        return found


class PseudonymClientForm(ClientForm):
    """PRV-4: the person behind a code becomes a client: their consent and the client
    registration's fields. ``existing``: a client already registered with the identifier,
    offered when the registration finds them."""

    # The consent first, then the registration's own groups (a group of one field).
    fieldsets = [(_("Consent"), ("consent",)), *ClientForm.fieldsets]  # type: ignore[list-item]

    consent = forms.BooleanField(
        label=_("The person agrees to become a client with a record"),
        required=False,
        help_text=_("Their street contacts then join the record."),
    )
    existing = forms.CharField(required=False, widget=forms.HiddenInput)


class MergeForm(forms.Form):
    into = forms.CharField(
        label=_("The code to keep"),
        max_length=32,
        help_text=_("This code's contacts move to it; this code is given up."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
