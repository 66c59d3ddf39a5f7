"""Form pieces every domain's forms and views share: the date widget and the two ways a
service's refusal (a ``DomainError``) is shown on a form."""

from __future__ import annotations

from django import forms

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
