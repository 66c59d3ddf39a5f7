"""Labels for health codes stored in deadline bases (a screening key, a schedule key)."""

from __future__ import annotations

from django import template

from ..models import ScreeningKind, VaccinationSchedule

register = template.Library()


@register.filter
def screening_label(value: str) -> str:
    """The translated name of a screening key; the key itself if it is unknown."""
    return str(dict(ScreeningKind.choices).get(value, value))


@register.filter
def schedule_label(value: str) -> str:
    """The translated name of a vaccination schedule key; the key itself if it is unknown."""
    return str(dict(VaccinationSchedule.choices).get(value, value))
