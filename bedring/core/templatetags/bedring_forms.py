"""Template tags and filters of the one form pattern (``templates/forms/``)."""

from __future__ import annotations

from typing import Any

from django import forms, template

from bedring.core.forms import ErrorLink, FieldGroup, FormOrSet, error_links, group_of
from bedring.core.forms import field_groups as _field_groups

register = template.Library()


@register.filter
def field_groups(form: forms.BaseForm) -> list[FieldGroup]:
    """``{% for legend, fields in form|field_groups %}``: see ``core.forms.field_groups``."""
    return _field_groups(form)


@register.filter
def group(form: forms.BaseForm, names: str) -> FieldGroup | None:
    """``{% with g=form|group:"network" %}``: the group holding that field (``group_of``)."""
    return group_of(form, names)


@register.inclusion_tag("forms/error_summary.html")
def error_summary(*items: FormOrSet | None, also: list[ErrorLink] | None = None) -> dict[str, Any]:
    """``{% error_summary form rows also=section_errors %}``: one summary of every error of the
    forms and formsets a page posts together, each linking to its field
    (``core.forms.error_links``); ``also``: refusals about a part of the page that is no
    field (a section of rows), linking to that part."""
    return {"links": [*(also or []), *error_links(*items)]}
