"""Form pieces every domain's forms and views share: the date widget, the two ways a
service's refusal (a ``DomainError``) is shown on a form, and the one form pattern
(``PatternRenderer``, ``field_groups``, ``error_links``, ``set_unit``)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.functional import Promise
from django.utils.translation import gettext as _

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
FormOrSet = forms.BaseForm | forms.BaseFormSet  # type: ignore[type-arg]


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


def set_unit(form: forms.BaseForm, name: str, unit: str | Promise) -> None:
    """Show ``unit`` (mg, ml, days, …) beside the field ``name``."""
    if name in form.fields:
        form.fields[name].unit = unit  # type: ignore[attr-defined]


def group_of(form: forms.BaseForm, names: str) -> FieldGroup | None:
    """The first group of ``form`` (as ``field_groups`` makes them) that holds one of the
    fields ``names`` ("a" or "a,b": a field the form may have removed): for a page that lays
    out one form's groups between other things (a formset's rows)."""
    wanted = set(names.split(","))
    return next((g for g in field_groups(form) if any(f.name in wanted for f in g[1])), None)


@dataclass(frozen=True)
class ErrorLink:
    """One line of the error summary; ``target`` is the id of the control to focus ("" for
    an error about no one field: the whole form, a hidden field)."""

    target: str
    text: str


def field_target(field: forms.BoundField) -> str:
    """The id the summary links to: the input itself, or the first option of a group of
    radio buttons or check boxes (whose label has no ``for``)."""
    if field.id_for_label:
        return str(field.id_for_label)
    subwidgets = field.subwidgets
    first = subwidgets[0].id_for_label if subwidgets else ""
    return str(first or field.auto_id or "")


def error_links(*items: FormOrSet | None) -> list[ErrorLink]:
    """Every error of the forms and formsets ``items`` as the summary lists them: errors
    about a whole form first, then each field's in the form's order; a formset row's field
    names its row ("Goal (row 2)"). ``None`` items (a form the page does not show) are
    skipped."""
    general: list[ErrorLink] = []
    fields: list[ErrorLink] = []
    for item in items:
        if item is None:
            continue
        if isinstance(item, forms.BaseFormSet):
            general += [ErrorLink("", str(e)) for e in item.non_form_errors()]
            rows = [(f, n + 1) for n, f in enumerate(item.forms)]
        else:
            rows = [(item, 0)]
        for form, number in rows:
            general += [ErrorLink("", str(e)) for e in form.non_field_errors()]
            for field in form:
                label = str(field.label or "")
                if label and number:
                    label = _("%(label)s (row %(number)s)") % {"label": label, "number": number}
                for error in field.errors:
                    text = f"{label}: {error}" if label else str(error)
                    if field.is_hidden:
                        general.append(ErrorLink("", str(error)))
                    else:
                        fields.append(ErrorLink(field_target(field), text))
    return general + fields
