"""Labels for values stored as codes in the timeline (the state an episode moved to)."""

from __future__ import annotations

from django import template

from ..states import EpisodeState

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    """The translated label of an episode state; the code itself if it is unknown."""
    return str(dict(EpisodeState.choices).get(value, value))
