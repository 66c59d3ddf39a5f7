"""Forms of the assessment pages. They parse and convert; the rules are in the services
(bedring.pathway.services.assessment) and in bedring.pathway.tdi, whose errors the forms show
next to their fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Membership, Organisation, User
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error
from bedring.core.roles import Role

from . import tdi
from .models import QuestionSet
from .offers import offer_choices
from .questionnaires import DOMAINS, domain_label, label_for

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("", _("Not answered")), ("yes", _("Yes")), ("no", _("No"))]
QUESTION_PREFIX = "q_"
SECONDARY_ROWS = tdi.MAX_SECONDARY


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _yes_no_initial(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def add_domain_errors(form: forms.Form, error: DomainError, fields: dict[str, str]) -> None:
    """A service's refusal next to each field it concerns. ``fields`` maps the service's field
    names to the form's; the details of a refusal that names several fields are all shown."""
    problems = error.details.get("errors") or error.details.get("fields")
    if isinstance(problems, dict) and problems:
        for name, problem in problems.items():
            target = fields.get(name)
            form.add_error(target if target in form.fields else None, problem["message"])
        return
    if error.code == "answers_missing":
        for name in error.details.get("missing", []):
            target = fields.get(name)
            if target in form.fields:
                form.add_error(target, str(error.message))
        return
    mapped = fields.get(error.field or "", error.field)
    add_domain_error(
        form, type(error)(error.code, error.message, field=mapped, details=error.details)
    )


class AssessmentStartForm(forms.Form):
    conducted_on = forms.DateField(label=_("Date of the conversation"), widget=DATE)
    question_set = forms.ChoiceField(label=_("Question set"), required=False)
    external_requested_from = forms.CharField(
        label=_("Assessment requested from (GP, specialist services, …)"),
        required=False,
        max_length=200,
        help_text=_("Only when the assessment is made by someone outside the service."),
    )

    def __init__(self, *args: Any, question_sets: list[QuestionSet], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["question_set"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows the type
        field.choices = [(s.key, f"{s.title} (v{s.version})") for s in question_sets]
        if len(question_sets) <= 1:
            field.widget = forms.HiddenInput()


def _staff_name(user: User) -> str:
    return user.get_full_name() or user.username


def _question_field(question: dict[str, Any], language: str | None) -> forms.Field:
    label = label_for(question["label"], language)
    help_text = _("Needed to complete the assessment.") if question.get("required") else ""
    kind = question["type"]
    if kind == "choice":
        choices = [("", "—")] + [
            (c["value"], label_for(c["label"], language)) for c in question["choices"]
        ]
        return forms.ChoiceField(label=label, choices=choices, required=False, help_text=help_text)
    if kind == "bool":
        return forms.ChoiceField(label=label, choices=YES_NO, required=False, help_text=help_text)
    if kind == "number":
        return forms.DecimalField(
            label=label,
            required=False,
            help_text=help_text,
            max_digits=9,
            decimal_places=2,
            max_value=1_000_000,
            min_value=-1_000_000,
        )
    if kind == "date":
        return forms.DateField(label=label, required=False, widget=DATE, help_text=help_text)
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
    )


class AssessmentForm(forms.Form):
    """The question set's questions, grouped by domain, and the offers made in the
    conversation (ASM-2) with the doctor who took part (ASM-1)."""

    veteran = forms.ChoiceField(
        label=_("Has been deployed as a soldier (veteran)"), choices=YES_NO, required=False
    )
    doctor_conversation_offered = forms.BooleanField(
        label=_("A doctor's or nurse's conversation was offered"), required=False
    )
    consents_discussed = forms.BooleanField(label=_("Consents were discussed"), required=False)
    action_plan_offered = forms.BooleanField(
        label=_("An action plan was offered (SEL § 141)"), required=False
    )
    doctor = forms.ModelChoiceField(
        label=_("Doctor who took part"), queryset=User.objects.none(), required=False
    )
    external_requested_from = forms.CharField(
        label=_("Assessment requested from (GP, specialist services, …)"),
        required=False,
        max_length=200,
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    recommended_offer = forms.ChoiceField(
        label=_("Recommended offer"),
        required=False,
        help_text=_("From the organisation's catalogue of offers."),
    )
    recommendation = forms.CharField(
        label=_("Recommendation to the authority"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The preliminary assessment and recommendation that goes to the authority with "
            "the completed assessment."
        ),
    )

    OFFER_FIELDS = (
        "veteran",
        "doctor_conversation_offered",
        "consents_discussed",
        "action_plan_offered",
        "doctor",
        "external_requested_from",
        "summary",
        "recommended_offer",
        "recommendation",
    )

    def __init__(
        self,
        *args: Any,
        questions: list[dict[str, Any]],
        organisation: Organisation,
        language: str | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[QUESTION_PREFIX + question["key"]] = _question_field(question, language)
        doctor = self.fields["doctor"]
        assert isinstance(doctor, forms.ModelChoiceField)  # noqa: S101 - narrows the type
        doctor.queryset = doctors_of(organisation)
        doctor.label_from_instance = _staff_name  # type: ignore[method-assign,assignment]
        offer = self.fields["recommended_offer"]
        assert isinstance(offer, forms.ChoiceField)  # noqa: S101 - narrows the type
        offer.choices = [("", "—"), *offer_choices(organisation.pk)]
        # The questions grouped by domain (in the order of DOMAINS), then the offers.
        grouped: dict[str, list[str]] = {}
        for question in questions:
            grouped.setdefault(question["domain"], []).append(QUESTION_PREFIX + question["key"])
        self.fieldsets = [
            *((domain_label(d), tuple(grouped[d])) for d in DOMAINS if d in grouped),
            (_("Offers and participants"), self.OFFER_FIELDS),
        ]

    @staticmethod
    def initial_for(assessment: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "veteran": _yes_no_initial(assessment.veteran),
            "doctor_conversation_offered": assessment.doctor_conversation_offered,
            "consents_discussed": assessment.consents_discussed,
            "action_plan_offered": assessment.action_plan_offered,
            "doctor": assessment.doctor_id,
            "external_requested_from": assessment.external_requested_from,
            "summary": assessment.summary,
            "recommended_offer": assessment.recommended_offer,
            "recommendation": assessment.recommendation,
        }
        for question in assessment.question_set.questions:
            value = assessment.answers.get(question["key"])
            if question["type"] == "bool":
                value = _yes_no_initial(value)
            initial[QUESTION_PREFIX + question["key"]] = value
        return initial

    def field_map(self) -> dict[str, str]:
        """The service's field names (question keys, offer fields) to the form's."""
        mapping = {q["key"]: QUESTION_PREFIX + q["key"] for q in self.questions}
        mapping.update({name: name for name in self.OFFER_FIELDS})
        return mapping

    def answers(self) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for question in self.questions:
            value = self.cleaned_data.get(QUESTION_PREFIX + question["key"])
            if question["type"] == "bool":
                value = _yes_no(value or "")
            elif question["type"] == "number" and value is not None:
                value = int(value) if value == value.to_integral_value() else float(value)
            elif value == "":
                value = None
            answers[question["key"]] = value
        return answers

    def offers(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "veteran": _yes_no(data.get("veteran") or ""),
            "doctor_conversation_offered": bool(data.get("doctor_conversation_offered")),
            "consents_discussed": bool(data.get("consents_discussed")),
            "action_plan_offered": bool(data.get("action_plan_offered")),
            "doctor": data.get("doctor"),
            "external_requested_from": data.get("external_requested_from") or "",
            "summary": data.get("summary") or "",
            "recommended_offer": data.get("recommended_offer") or "",
            "recommendation": data.get("recommendation") or "",
        }


def doctors_of(organisation: Organisation) -> models.QuerySet[User]:
    """ASM-1: the staff who may be recorded as the intake's doctor. Roles are a JSON list, and
    SQLite cannot search inside one: the memberships are filtered here."""
    ids = [
        user_id
        for user_id, roles in Membership.objects.filter(
            organisation=organisation, is_active=True
        ).values_list("user_id", "roles")
        if Role.DOCTOR.value in roles
    ]
    return User.objects.filter(pk__in=ids).order_by("first_name", "last_name", "username")


def _code_field(
    label: Any, codes: type[models.IntegerChoices], exclude: Iterable[int] = ()
) -> forms.TypedChoiceField:
    choices: list[tuple[Any, Any]] = [("", "—")]
    choices += [(value, name) for value, name in codes.choices if value not in exclude]
    return forms.TypedChoiceField(
        label=label, choices=choices, coerce=int, empty_value=None, required=False
    )


def _substance_field(label: Any, *, secondary: bool) -> forms.TypedChoiceField:
    names = dict(tdi.Substance.choices)
    excluded = {tdi.NOT_KNOWN} if secondary else {tdi.Substance.ALCOHOL.value}
    choices: list[tuple[Any, Any]] = [("", "—")]
    for group, codes in tdi.SUBSTANCE_GROUPS:
        options = [(code, names[code]) for code in codes if code not in excluded]
        if options:
            choices.append((group, options))
    return forms.TypedChoiceField(
        label=label, choices=choices, coerce=int, empty_value=None, required=False
    )


def _age_field(label: Any) -> forms.IntegerField:
    field = forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=tdi.AGE_NOT_KNOWN,
        help_text=_("Whole years; 99 if not known."),
    )
    field.unit = _("years")  # type: ignore[attr-defined]
    return field


class TdiForm(forms.Form):
    """The EUDA TDI 3.0 intake items (bedring.pathway.tdi)."""

    previously_treated = _code_field(_("Ever treated for drug use before"), tdi.PreviouslyTreated)
    referral_source = _code_field(_("Source of referral"), tdi.ReferralSource)
    living_with = _code_field(_("Lives with"), tdi.LivingWith)
    living_where = _code_field(_("Lives where"), tdi.LivingWhere)
    children = _code_field(_("Lives with children under 18 (own or partner's)"), tdi.YesNo)
    nationality = forms.CharField(
        label=_("Nationality"),
        required=False,
        max_length=2,
        help_text=_("Two letters (ISO 3166), e.g. DK, NO, BE."),
    )
    education = _code_field(_("Highest education completed"), tdi.Education)
    labour_status = _code_field(_("Labour status"), tdi.LabourStatus)
    primary_substance = _substance_field(_("Primary substance"), secondary=False)
    primary_route = _code_field(_("Usual route of administration"), tdi.Route)
    primary_frequency = _code_field(_("Frequency of use, last 30 days"), tdi.Frequency)
    primary_age_first_use = _age_field(_("Age at first use"))
    ever_injected = _code_field(_("Injecting"), tdi.Injecting)
    age_first_injection = _age_field(_("Age at first injection"))
    ever_shared_equipment = _code_field(_("Sharing of injecting equipment"), tdi.Sharing)
    opioid_substitution_ever = _code_field(_("Ever in opioid substitution treatment"), tdi.YesNo)
    opioid_substitution_age_first = _age_field(_("Age at first substitution treatment"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._filled_rows: list[int] = []
        for row in range(SECONDARY_ROWS):
            number = row + 1
            self.fields[f"sec{row}_substance"] = _substance_field(
                _("Secondary substance %(n)s") % {"n": number}, secondary=True
            )
            self.fields[f"sec{row}_route"] = _code_field(_("Route"), tdi.Route)
            self.fields[f"sec{row}_frequency"] = _code_field(_("Frequency"), tdi.Frequency)
            self.fields[f"sec{row}_age_first_use"] = _age_field(_("Age at first use"))
        self.fieldsets = [
            *self.MAIN_GROUPS,
            *(
                (
                    _("Secondary substance %(n)s") % {"n": row + 1},
                    tuple(f"sec{row}_{key}" for key in tdi.SECONDARY_KEYS),
                )
                for row in range(SECONDARY_ROWS)
            ),
        ]

    MAIN_GROUPS = (
        (
            _("Treatment and referral"),
            ("previously_treated", "referral_source"),
        ),
        (
            _("Living situation"),
            (
                "living_with",
                "living_where",
                "children",
                "nationality",
                "education",
                "labour_status",
            ),
        ),
        (
            _("Primary substance"),
            ("primary_substance", "primary_route", "primary_frequency", "primary_age_first_use"),
        ),
        (
            _("Injecting and substitution"),
            (
                "ever_injected",
                "age_first_injection",
                "ever_shared_equipment",
                "opioid_substitution_ever",
                "opioid_substitution_age_first",
            ),
        ),
    )

    @staticmethod
    def initial_for(intake: Any) -> dict[str, Any]:
        if intake is None:
            return {}
        initial = {name: getattr(intake, name) for name in tdi.INPUT_FIELDS}
        for row, item in enumerate(intake.secondary_substances[:SECONDARY_ROWS]):
            for key in tdi.SECONDARY_KEYS:
                initial[f"sec{row}_{key}"] = item.get(key)
        return initial

    def field_map(self) -> dict[str, str]:
        """The service's field names to the form's; the n-th secondary substance the service
        saw is the n-th filled row of the form (empty rows are left out)."""
        mapping = {name: name for name in self.fields if not name.startswith("sec")}
        mapping["secondary_substances"] = "sec0_substance"
        for index, row in enumerate(self._filled_rows):
            for key in tdi.SECONDARY_KEYS:
                mapping[f"secondary_substances.{index}.{key}"] = f"sec{row}_{key}"
            mapping[f"secondary_substances.{index}"] = f"sec{row}_substance"
        return mapping

    def data_for_service(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            name: self.cleaned_data.get(name)
            for name in tdi.INPUT_FIELDS
            if name != "secondary_substances"
        }
        data["nationality"] = (data.get("nationality") or "").strip().upper()
        secondaries = []
        self._filled_rows = []
        for row in range(SECONDARY_ROWS):
            item = {key: self.cleaned_data.get(f"sec{row}_{key}") for key in tdi.SECONDARY_KEYS}
            if any(value is not None for value in item.values()):
                secondaries.append(item)
                self._filled_rows.append(row)
        data["secondary_substances"] = secondaries
        return data
