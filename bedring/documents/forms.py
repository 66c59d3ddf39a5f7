"""Document forms (JRN-3). Field names are the service's parameters, so a refusal is shown
next to its field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bedring.core.forms import DATE

from .models import DocumentKind

ACCEPT = "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"


class DocumentForm(forms.Form):
    prefix = "document"

    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("A PDF, PNG or JPEG file."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    dated_on = forms.DateField(label=_("Date of the document"), widget=DATE)
    source = forms.CharField(
        label=_("From"),
        max_length=200,
        help_text=_("Who wrote or sent it, e.g. the GP, the client, the institution."),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)


class DiscardForm(forms.Form):
    reason = forms.CharField(
        label=_("Why was the upload a mistake?"),
        max_length=300,
        help_text=_("For example: the wrong client, the wrong file."),
    )
