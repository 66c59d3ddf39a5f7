"""The fidelity checklist as a form (HRM-10): one group per element of the model in the
organisation's pack, each with held / not held and a note (the one form pattern: a legend per
element, ``{{ form }}`` renders it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .services.fidelity import NOTE_MAX, FidelityTick

HELD, NOT_HELD = "held", "not_held"


def held_field(element: str) -> str:
    return f"held-{element}"


def note_field(element: str) -> str:
    return f"note-{element}"


class FidelityForm(forms.Form):
    """``elements``: (key, name in the reader's language), in the pack's order."""

    def __init__(self, elements: Sequence[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.elements = list(elements)
        self.fieldsets = []
        for key, name in self.elements:
            self.fields[held_field(key)] = forms.ChoiceField(
                label=_("In this quarter"),
                choices=[
                    (HELD, pgettext_lazy("fidelity", "Held")),
                    (NOT_HELD, pgettext_lazy("fidelity", "Not held")),
                ],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose held or not held.")},
            )
            self.fields[note_field(key)] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=NOTE_MAX,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fieldsets.append((name, (held_field(key), note_field(key))))

    def ticks(self) -> list[FidelityTick]:
        return [
            FidelityTick(
                element=key,
                held=self.cleaned_data[held_field(key)] == HELD,
                note=self.cleaned_data.get(note_field(key)) or "",
            )
            for key, _name in self.elements
        ]
