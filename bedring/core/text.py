"""The one check of a free text a service stores: trimmed, without the NUL character that
PostgreSQL cannot store (refused on every database alike), present when required, and no
longer than its column. Each refusal names its field and has a stable code."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .errors import ValidationFailed


def storable(value: str, field: str) -> str:
    """``value`` trimmed, refused with ``invalid_characters`` if it holds a NUL."""
    value = value.strip()
    if "\x00" in value:
        raise ValidationFailed(
            "invalid_characters",
            _("The text contains a character that cannot be stored."),
            field=field,
        )
    return value


def clean_text(value: str, field: str, limit: int, *, required: bool = False) -> str:
    value = storable(value, field)
    if required and not value:
        raise ValidationFailed(f"{field}_required", _("This field is required."), field=field)
    if len(value) > limit:
        raise ValidationFailed(
            f"{field}_too_long", _("At most %(max)d characters.") % {"max": limit}, field=field
        )
    return value
