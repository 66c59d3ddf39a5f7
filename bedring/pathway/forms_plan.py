"""Forms of the plan pages (PLN-1..6): the plan with its goal and collaborator rows, and the
evaluation with one progress row per goal.

The forms only parse; the rules (SMART goals, consents, dates, coordinators) are the
service's, so that the pages and the API refuse the same things with the same codes. Fields
the service checks are therefore optional here: its message is shown next to the field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation, User
from bedring.clients.models import ConsentParty
from bedring.core.forms import DATE

from .models.plan import Aim, Progress
from .services.plan import PLAN_OPTIONS, CollaboratorInput, GoalInput, ProgressInput

MAX_GOALS = 30
MAX_COLLABORATORS = 20


if TYPE_CHECKING:
    UserChoiceField = forms.ModelChoiceField[User]
else:  # ModelChoiceField is generic only in the type stubs
    UserChoiceField = forms.ModelChoiceField


class StaffChoiceField(UserChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class PlanForm(forms.Form):
    # The page lays the groups out between the goal and collaborator rows (``|group``).
    fieldsets = [
        (_("The plan"), ("agreed_on", "client_participated", "client_words", "aims")),
        ("", ("network",)),
        (
            _("Coordinated help"),
            ("action_plan", "individual_plan", "coordinator", "responsibility_group"),
        ),
    ]

    agreed_on = forms.DateField(label=_("Agreed on"), widget=DATE)
    aims = forms.MultipleChoiceField(
        label=_("Aims of treatment"),
        choices=Aim.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    client_participated = forms.BooleanField(
        label=_("Made together with the client"), required=False
    )
    client_words = forms.CharField(
        label=_("What matters to the client, in their words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    network = forms.CharField(
        label=_("Network meeting: who takes part and the topics the client chose"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    action_plan = forms.BooleanField(label=_("Action plan (SEL § 141)"), required=False)
    individual_plan = forms.BooleanField(label=_("Individual plan"), required=False)
    coordinator = StaffChoiceField(
        label=_("Coordinator"), queryset=User.objects.none(), required=False
    )
    responsibility_group = forms.CharField(
        label=_("Responsibility group"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who takes part, and when the group meets."),
    )
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(
        self, *args: Any, organisation: Organisation, staff: list[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # PLN-4: offer only the plan options the organisation's jurisdiction has.
        options = PLAN_OPTIONS.get(organisation.jurisdiction, frozenset())
        if "action_plan" not in options:
            del self.fields["action_plan"]
        if "individual_plan" not in options:
            for name in ("individual_plan", "coordinator", "responsibility_group"):
                del self.fields[name]
        else:
            field = self.fields["coordinator"]
            assert isinstance(field, StaffChoiceField)  # noqa: S101 - narrows the type
            field.queryset = User.objects.filter(pk__in=[u.pk for u in staff]).order_by(
                "first_name", "last_name"
            )


class GoalForm(forms.Form):
    """One SMART goal. A row left empty is no goal; a half-filled row is refused by the
    service with ``goal_incomplete`` next to the row."""

    text = forms.CharField(label=_("Goal"), max_length=300, required=False)
    measure = forms.CharField(label=_("How it is measured"), max_length=300, required=False)
    target = forms.CharField(label=_("Target"), max_length=200, required=False)
    due_on = forms.DateField(label=_("By"), required=False, widget=DATE)
    client_words = forms.CharField(
        label=_("In the client's words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    short_term = forms.BooleanField(label=_("Short-term goal"), required=False)

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not any(data.get(name) for name in ("text", "measure", "target", "due_on"))

    def goal(self) -> GoalInput:
        data = self.cleaned_data
        return GoalInput(
            text=data.get("text") or "",
            measure=data.get("measure") or "",
            target=data.get("target") or "",
            due_on=data.get("due_on"),
            client_words=data.get("client_words") or "",
            short_term=bool(data.get("short_term")),
        )


class CollaboratorForm(forms.Form):
    """Someone the client wants the centre to work with (PLN-6); needs a consent (PRV-2)."""

    party = forms.ChoiceField(
        label=_("Shared with"),
        choices=[("", "—"), *ConsentParty.choices],
        required=False,
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)

    def is_blank(self) -> bool:
        return not self.cleaned_data.get("party") and not self.cleaned_data.get("name")

    def collaborator(self) -> CollaboratorInput:
        return CollaboratorInput(
            party=self.cleaned_data.get("party") or "", name=self.cleaned_data.get("name") or ""
        )


GoalFormSet = formset_factory(
    GoalForm, extra=0, max_num=MAX_GOALS, absolute_max=MAX_GOALS, validate_max=True
)
CollaboratorFormSet = formset_factory(
    CollaboratorForm,
    extra=0,
    max_num=MAX_COLLABORATORS,
    absolute_max=MAX_COLLABORATORS,
    validate_max=True,
)


class EvaluationForm(forms.Form):
    evaluated_on = forms.DateField(label=_("Evaluated on"), widget=DATE)
    client_participated = forms.BooleanField(label=_("With the client"), required=False)
    client_view = forms.CharField(
        label=_("The client's view"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    plan_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ProgressForm(forms.Form):
    """The progress on one goal; the goal is named by its public id."""

    goal = forms.UUIDField(widget=forms.HiddenInput)
    progress = forms.ChoiceField(
        label=_("Progress"),
        choices=Progress.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def entry(self) -> ProgressInput:
        data = self.cleaned_data
        return ProgressInput(
            goal=data["goal"], progress=data.get("progress") or "", note=data.get("note") or ""
        )


ProgressFormSet = formset_factory(
    ProgressForm, extra=0, max_num=MAX_GOALS, absolute_max=MAX_GOALS, validate_max=True
)
