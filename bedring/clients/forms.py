from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Language
from bedring.core.forms import DATE

from .identifiers import JURISDICTION_KIND, KIND_LABELS, IdentifierError, normalise_identifier
from .models import ConsentGiver, ConsentParty, RelationKind, Sex


class ClientForm(forms.Form):
    fieldsets = [
        (
            _("Identity"),
            ("national_id", "anonymous", "first_name", "last_name", "birth_date", "sex"),
        ),
        (_("Contact"), ("phone", "email", "address", "postal_code", "city", "language")),
    ]

    national_id = forms.CharField(
        label=_("National identifier"),
        required=False,
        max_length=20,
        help_text=_(
            "CPR, fødselsnummer, D-number or national number. Leave empty for a client without one."
        ),
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous (no name, found by client code)"), required=False
    )
    first_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=DATE,
        help_text=_("Taken from the identifier when it has one."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=12)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    language = forms.ChoiceField(
        label=_("Language for letters"),
        choices=[("", _("The organisation's language")), *Language.choices],
        required=False,
    )

    def __init__(self, *args: Any, jurisdiction: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.jurisdiction = jurisdiction

    def clean_national_id(self) -> str:
        """The identifier as it is stored and searched (ASCII digits), so that a full-width
        number is the same person as the one typed on an ASCII keyboard; the service checks
        the rest (check digits, duplicates)."""
        raw: str = self.cleaned_data["national_id"]
        kind = JURISDICTION_KIND.get(self.jurisdiction or "")
        try:
            return normalise_identifier(raw, KIND_LABELS[kind] if kind else None)
        except IdentifierError as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from exc


class RelativeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    relation = forms.ChoiceField(label=_("Relation"), choices=RelationKind.choices)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    email = forms.EmailField(label=_("E-mail"), required=False)
    is_contact_person = forms.BooleanField(label=_("Contact person"), required=False)
    involvement_wished = forms.BooleanField(
        label=_("The client wishes this person involved in the treatment"), required=False
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConsentForm(forms.Form):
    party = forms.ChoiceField(label=_("Shared with"), choices=ConsentParty.choices)
    party_name = forms.CharField(label=_("Name of the recipient"), required=False, max_length=200)
    scope = forms.CharField(label=_("What may be shared"), widget=forms.Textarea(attrs={"rows": 3}))
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)
    given_by = forms.ChoiceField(label=_("Given by"), choices=ConsentGiver.choices)
    given_by_name = forms.CharField(
        label=_("Name of the parent or guardian"), required=False, max_length=200
    )


class ConsentWithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class ChildForm(forms.Form):
    first_name = forms.CharField(label=_("First name or initials"), max_length=100)
    birth_date = forms.DateField(label=_("Birth date"), widget=DATE)
    lives_with_client = forms.BooleanField(
        label=_("Lives with the client"), required=False, initial=True
    )
    concern = forms.BooleanField(label=_("Concern for the child"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
