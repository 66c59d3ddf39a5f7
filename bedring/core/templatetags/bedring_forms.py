"""Template filters of the one form pattern (``templates/forms/``)."""

from __future__ import annotations

from django import forms, template

from bedring.core.forms import FieldGroup
from bedring.core.forms import field_groups as _field_groups

register = template.Library()


@register.filter
def field_groups(form: forms.BaseForm) -> list[FieldGroup]:
    """``{% for legend, fields in form|field_groups %}``: see ``core.forms.field_groups``."""
    return _field_groups(form)


@register.filter
def error_fields(form: forms.BaseForm) -> list[forms.BoundField]:
    """The fields of ``form`` that carry an error, in the form's order (the error summary's
    links)."""
    return [f for f in form if f.errors]
