"""Form pieces every domain's forms and views share: the date widget, the two ways a
service's refusal (a ``DomainError``) is shown on a form, and the one form pattern
(``PatternRenderer``, ``field_groups``, ``set_unit``)."""

from __future__ import annotations

from django import forms
from django.forms.renderers import TemplatesSetting

from .errors import DomainError

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal next to the field it concerns."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


def add_row_error(
    form: forms.Form,
    rows: forms.BaseFormSet,  # type: ignore[type-arg]
    error: DomainError,
    *,
    field: str,
    row_field: str,
) -> None:
    """Show a refusal about one goal (``details["goal"]``) on the formset row of that goal,
    any other refusal on the form."""
    row = next(
        (f for f in rows.forms if str(f.cleaned_data.get("goal")) == error.details.get("goal")),
        None,
    )
    if error.field == field and row is not None:
        row.add_error(row_field, str(error.message))
    else:
        add_domain_error(form, error)


class PatternRenderer(TemplatesSetting):
    """The one form pattern (``templates/forms/``): every ``{{ form }}`` renders an error
    summary linking to each field, fields grouped under legends (a form's ``fieldsets``),
    units beside quantities (a field's ``unit``), and each field's help and errors."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


FieldGroup = tuple[str, list[forms.BoundField]]


def field_groups(form: forms.BaseForm) -> list[FieldGroup]:
    """The visible fields of ``form`` in the groups its ``fieldsets`` names, as
    ``[(legend, [field, ...]), ...]``; fields no group names come first, without a legend.

    ``fieldsets`` is ``[(legend, ("field", ...)), ...]`` on the form class; a name the form
    does not have (a field removed in ``__init__``) is skipped."""
    visible = {f.name: f for f in form.visible_fields()}
    named: list[FieldGroup] = []
    seen: set[str] = set()
    for legend, names in getattr(form, "fieldsets", ()):
        group = [visible[n] for n in names if n in visible and n not in seen]
        seen.update(f.name for f in group)
        if group:
            named.append((str(legend), group))
    rest = [f for n, f in visible.items() if n not in seen]
    return ([("", rest)] if rest else []) + named


def set_unit(form: forms.BaseForm, name: str, unit: str) -> None:
    """Show ``unit`` (mg, ml, days, …) beside the field ``name``."""
    if name in form.fields:
        form.fields[name].unit = unit  # type: ignore[attr-defined]
