"""Forms of the catalogue: an offer's main terms, a course, an enrolment and its end, and the
booking of individual sessions. They only parse; the rules are the services' (and the
offer terms' pydantic validators) and come back as domain errors shown next to the field."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Site, User
from bedring.core.errors import DomainError
from bedring.core.forms import DATE, add_domain_error, set_unit
from bedring.pathway.models.plan import Progress

from .eligibility import (
    ANONYMOUS_TREATMENT_CRITERIA,
    ANONYMOUS_TREATMENT_RECORDED,
    RESIDENTIAL_CRITERIA,
)
from .models import ClosedDayRule, Course, Offer
from .terms import OfferTerms

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
TEXT = forms.Textarea(attrs={"rows": 3})

INTENSITIES = [
    ("no_authorisation", _("Without authorisation")),
    ("outpatient", _("Outpatient")),
    ("day", _("Day treatment")),
    ("residential", _("Residential treatment")),
]
FORMATS = [
    ("individual", _("Individual")),
    ("group", _("Group")),
    ("individual_or_group", _("Individual or group")),
]
CADENCES = [
    ("weekly", _("Weekly")),
    ("biweekly", _("Every other week")),
    ("weekdays", _("Several days a week")),
    ("per_month", _("Times per month (individual)")),
    ("open", _("Open (no schedule)")),
]
ISO_WEEKS = [("any", _("Every week")), ("even", _("Even weeks")), ("odd", _("Odd weeks"))]
COUNTS = [
    ("fixed", _("A fixed number of sessions")),
    ("up_to", _("Up to a number of sessions")),
    ("open", _("Open")),
]
WEEKDAYS = [
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
    ("sat", _("Saturday")),
    ("sun", _("Sunday")),
]


def add_refusal(form: forms.Form, error: DomainError) -> None:
    """An eligibility refusal lists every rule that refuses, each naming the offer (CAT-6,
    CAT-7, DEC-1, DEC-5, MED-8, PRV-4); other errors go to their field. The requirement ID
    of each rule stays in the refusal's details for the API and the tests: staff read only
    the message (issue 13)."""
    refusals = error.details.get("refusals")
    if refusals:
        for refusal in refusals:
            form.add_error(None, str(refusal["message"]))
    else:
        add_domain_error(form, error)


# --- the offer's terms (CAT-1) -------------------------------------------------------


# The findings of the offer terms' rules (``terms._finding`` codes) as a manager reads them
# on the edit form, with the field each belongs to (None: the field the finding names, or
# above the form). The pack's author reads the terms' own English message instead.
TERMS_FINDINGS: dict[str, tuple[str | None, str | Promise]] = {
    "times_per_month_required": (
        "cadence_times_min",
        _("Give how many times a month, at least and at most."),
    ),
    "times_per_month_range": (
        "cadence_times_min",
        _("Times a month go from 1 to 31, and at least cannot be more than at most."),
    ),
    "weekdays_required": ("cadence_weekdays", _("Choose at least one weekday.")),
    "sessions_required": ("count_sessions", _("Give the number of sessions.")),
    "weeks_order": ("count_weeks_min", _("Weeks, at least cannot be more than weeks, at most.")),
    "ages_order": ("age_min", _("The minimum age cannot be above the maximum age.")),
    "authorisation_contradiction": (
        None,
        _("An offer without authorisation cannot need authorisation."),
    ),
    "anonymous_substitution": (
        None,
        _("Anonymous treatment never includes substitution medication."),
    ),
    "tally_authorisation": (None, _("An offer counted anonymously needs no authorisation.")),
    "tally_twice": (
        None,
        _("An offer is either only counted anonymously or also enrols clients, not both."),
    ),
    "own_prerequisite": ("prerequisites", _("An offer cannot be its own prerequisite.")),
}
# Pydantic's own findings about a number, with the bound it broke.
LIMIT_FINDINGS: dict[str, str | Promise] = {
    "greater_than_equal": _("Give %(limit)s or more."),
    "greater_than": _("Give more than %(limit)s."),
    "less_than_equal": _("Give %(limit)s or less."),
    "less_than": _("Give less than %(limit)s."),
}


def terms_finding(finding: dict[str, Any]) -> tuple[str | None, str]:
    """A finding of ``services.offers.terms_invalid`` as the form shows it: the field (None
    when the finding's location decides) and the message in the active language. A finding
    with no wording of its own keeps the terms' message."""
    code = finding.get("code") or ""
    if code in TERMS_FINDINGS:
        field, message = TERMS_FINDINGS[code]
        return field, str(message)
    if code in LIMIT_FINDINGS and finding.get("limit") is not None:
        limit = number_format(finding["limit"])
        return None, str(LIMIT_FINDINGS[code]) % {"limit": limit}
    return None, str(finding["message"])


class OfferTermsForm(forms.Form):
    """CAT-1: the main terms of an offer as a manager edits them. Saving makes a new version
    (enrolments keep theirs); the terms' own validators (pydantic) have the last word and
    their findings are shown next to the field they concern."""

    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), required=False, widget=TEXT)
    intensity = forms.ChoiceField(label=_("Intensity"), choices=INTENSITIES)
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS)
    session_minutes = forms.IntegerField(label=_("Session length"), required=False)
    cadence_kind = forms.ChoiceField(label=_("Cadence"), choices=CADENCES)
    cadence_weekdays = forms.MultipleChoiceField(
        label=_("Weekdays"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Weekly without weekdays: the day the course starts."),
    )
    cadence_iso_weeks = forms.ChoiceField(label=_("Weeks"), choices=ISO_WEEKS, initial="any")
    cadence_times_min = forms.IntegerField(label=_("Times per month, at least"), required=False)
    cadence_times_max = forms.IntegerField(label=_("Times per month, at most"), required=False)
    cadence_start_time = forms.TimeField(label=_("Start time"), required=False, widget=TIME)
    count_kind = forms.ChoiceField(label=_("Number of sessions"), choices=COUNTS)
    count_sessions = forms.IntegerField(label=_("Sessions"), required=False)
    count_extra = forms.IntegerField(
        label=_("Extra sessions after the course"), required=False, initial=0
    )
    count_weeks_min = forms.IntegerField(label=_("Weeks, at least"), required=False)
    count_weeks_max = forms.IntegerField(label=_("Weeks, at most"), required=False)
    age_min = forms.IntegerField(label=_("Minimum age"), required=False)
    age_max = forms.IntegerField(label=_("Maximum age"), required=False)
    needs_authorisation = forms.BooleanField(label=_("Needs authorisation"), required=False)
    anonymous_allowed = forms.BooleanField(label=_("Open to anonymous clients"), required=False)
    substitution = forms.BooleanField(label=_("Includes substitution medication"), required=False)
    prerequisites = forms.MultipleChoiceField(
        label=_("Offers to complete first"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    capacity = forms.IntegerField(label=_("Places in a group"), required=False)

    fieldsets = [
        (_("Offer"), ("name", "purpose", "intensity", "format", "substitution")),
        (
            _("Cadence"),
            (
                "session_minutes",
                "cadence_kind",
                "cadence_weekdays",
                "cadence_iso_weeks",
                "cadence_times_min",
                "cadence_times_max",
                "cadence_start_time",
            ),
        ),
        (
            _("Sessions"),
            (
                "count_kind",
                "count_sessions",
                "count_extra",
                "count_weeks_min",
                "count_weeks_max",
                "capacity",
            ),
        ),
        (
            _("Who may take part"),
            ("age_min", "age_max", "needs_authorisation", "anonymous_allowed", "prerequisites"),
        ),
    ]

    # Where a finding of the terms' validators is shown: the dotted pydantic location, or
    # the group it concerns (a whole cadence, count or age range) -> a field of this form.
    FIELD_OF: dict[str, str] = {
        "name": "name",
        "purpose": "purpose",
        "intensity": "intensity",
        "format": "format",
        "session_minutes": "session_minutes",
        "cadence": "cadence_kind",
        "cadence.kind": "cadence_kind",
        "cadence.weekdays": "cadence_weekdays",
        "cadence.iso_weeks": "cadence_iso_weeks",
        "cadence.times_per_month": "cadence_times_min",
        "cadence.times_per_month.0": "cadence_times_min",
        "cadence.times_per_month.1": "cadence_times_max",
        "cadence.start_time": "cadence_start_time",
        "count": "count_kind",
        "count.kind": "count_kind",
        "count.sessions": "count_sessions",
        "count.extra": "count_extra",
        "count.weeks_min": "count_weeks_min",
        "count.weeks_max": "count_weeks_max",
        "ages": "age_min",
        "ages.min": "age_min",
        "ages.max": "age_max",
        "needs_authorisation": "needs_authorisation",
        "anonymous_allowed": "anonymous_allowed",
        "substitution": "substitution",
        "prerequisites": "prerequisites",
        "capacity": "capacity",
    }

    def __init__(self, *args: Any, prerequisite_choices: Iterable[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["prerequisites"].choices = list(prerequisite_choices)  # type: ignore[attr-defined]
        set_unit(self, "session_minutes", _("minutes"))
        for name in ("count_weeks_min", "count_weeks_max"):
            set_unit(self, name, _("weeks"))
        for name in ("age_min", "age_max"):
            set_unit(self, name, _("years"))

    @staticmethod
    def initial_from(terms: OfferTerms) -> dict[str, Any]:
        cadence, count, ages = terms.cadence, terms.count, terms.ages
        times = cadence.times_per_month or (None, None)
        return {
            "name": terms.name,
            "purpose": terms.purpose,
            "intensity": terms.intensity,
            "format": terms.format,
            "session_minutes": terms.session_minutes,
            "cadence_kind": cadence.kind,
            "cadence_weekdays": list(cadence.weekdays),
            "cadence_iso_weeks": cadence.iso_weeks,
            "cadence_times_min": times[0],
            "cadence_times_max": times[1],
            "cadence_start_time": cadence.start_time,
            "count_kind": count.kind,
            "count_sessions": count.sessions,
            "count_extra": count.extra,
            "count_weeks_min": count.weeks_min,
            "count_weeks_max": count.weeks_max,
            "age_min": ages.min,
            "age_max": ages.max,
            "needs_authorisation": terms.needs_authorisation,
            "anonymous_allowed": terms.anonymous_allowed,
            "substitution": terms.substitution,
            "prerequisites": list(terms.prerequisites),
            "capacity": terms.capacity,
        }

    def changes(self) -> dict[str, Any]:
        """The cleaned data as offer terms (nested as ``OfferTerms`` has them)."""
        data = self.cleaned_data
        low, high = data["cadence_times_min"], data["cadence_times_max"]
        if low is None and high is None:
            times: list[int] | None = None
        else:
            times = [low if low is not None else high, high if high is not None else low]
        start = data["cadence_start_time"]
        return {
            "name": data["name"],
            "purpose": data["purpose"],
            "intensity": data["intensity"],
            "format": data["format"],
            "session_minutes": data["session_minutes"],
            "cadence": {
                "kind": data["cadence_kind"],
                "weekdays": list(data["cadence_weekdays"]),
                "iso_weeks": data["cadence_iso_weeks"],
                "times_per_month": times,
                "start_time": start.strftime("%H:%M") if start else None,
            },
            "count": {
                "kind": data["count_kind"],
                "sessions": data["count_sessions"],
                "extra": data["count_extra"] or 0,
                "weeks_min": data["count_weeks_min"],
                "weeks_max": data["count_weeks_max"],
            },
            "ages": {"min": data["age_min"], "max": data["age_max"]},
            "needs_authorisation": data["needs_authorisation"],
            "anonymous_allowed": data["anonymous_allowed"],
            "substitution": data["substitution"],
            "prerequisites": list(data["prerequisites"]),
            "capacity": data["capacity"],
        }

    def add_terms_error(self, error: DomainError) -> None:
        """Each finding next to its field, in the manager's words and language; one about
        the whole offer above the form."""
        findings = error.details.get("errors")
        if not findings:
            add_domain_error(self, error)
            return
        for finding in findings:
            field, message = terms_finding(finding)
            if field is None:
                field = self.FIELD_OF.get(finding["field"] or "")
            self.add_error(field if field in self.fields else None, message)


# --- courses (SCH-1) -----------------------------------------------------------------
# --- courses (SCH-1) -----------------------------------------------------------------


if TYPE_CHECKING:
    _UsersField = forms.ModelMultipleChoiceField[User]
    _SiteField = forms.ModelChoiceField[Site]
else:  # generic only in the type stubs
    _UsersField = forms.ModelMultipleChoiceField
    _SiteField = forms.ModelChoiceField


class StaffChoiceField(_UsersField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class SiteChoiceField(_SiteField):
    def label_from_instance(self, obj: Site) -> str:
        return obj.name


class CourseForm(forms.Form):
    fieldsets = [
        ("", ("title",)),
        (_("When"), ("starts_on", "start_time", "on_closed_day")),
        (_("Where"), ("site", "room")),
        ("", ("capacity", "staff")),
    ]

    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    site = SiteChoiceField(label=_("Site"), queryset=Site.objects.none(), to_field_name="uuid")
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    start_time = forms.TimeField(label=_("Time"), required=False, widget=TIME)
    room = forms.CharField(label=_("Room"), required=False, max_length=100)
    capacity = forms.IntegerField(
        label=_("Places"),
        required=False,
        min_value=1,
        max_value=500,
        help_text=_("Empty: the offer's number of places."),
    )
    on_closed_day = forms.ChoiceField(
        label=_("A session on a public holiday or closed day"),
        choices=ClosedDayRule.choices,
        initial=ClosedDayRule.EXTEND,
    )
    staff = StaffChoiceField(
        label=_("Staff"),
        queryset=User.objects.none(),
        to_field_name="username",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, sites: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]
        self.fields["staff"].queryset = staff  # type: ignore[attr-defined]


class CourseCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Everyone still enrolled is ended with this reason."),
    )


# --- enrolments (CAT-6, CAT-7, DEC-5) ------------------------------------------------


def _criteria_choices(keys: Sequence[str], labels: Any) -> list[tuple[str, Any]]:
    return [(key, labels[key]) for key in keys]


class CriteriaMixin(forms.Form):
    """The checklists recorded at enrolment: CAT-7 residential criteria and the DEC-5
    anonymous-treatment criteria (18 or over is computed from the birth date)."""

    residential_criteria = forms.MultipleChoiceField(  # CAT-7
        label=_("Residential treatment: criteria met"),
        choices=_criteria_choices(list(RESIDENTIAL_CRITERIA), RESIDENTIAL_CRITERIA),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    anonymous_treatment_criteria = forms.MultipleChoiceField(  # DEC-5
        label=_("Anonymous treatment: criteria met"),
        choices=_criteria_choices(ANONYMOUS_TREATMENT_RECORDED, ANONYMOUS_TREATMENT_CRITERIA),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def criteria(self) -> list[str]:
        return [
            *self.cleaned_data.get("residential_criteria", []),
            *self.cleaned_data.get("anonymous_treatment_criteria", []),
        ]

    def keep_criteria_for(self, terms: OfferTerms | None) -> None:
        """Show only the checklists the offer asks for (none before the offer is chosen)."""
        if terms is None or not terms.residential_criteria:
            del self.fields["residential_criteria"]
        if terms is None or not terms.anonymous_treatment:
            del self.fields["anonymous_treatment_criteria"]


class CourseEnrolForm(CriteriaMixin):
    field_order = ("client", "starts_on")
    client = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": _("Choose the client.")}
    )
    starts_on = forms.DateField(
        label=_("Starts on"),
        required=False,
        widget=DATE,
        help_text=_("Empty: today, or the course's first day."),
    )


class CourseOfOfferField(forms.ChoiceField):
    """The course of the chosen offer. Whether a value is one of the offer's courses is the
    form's check (``ClientEnrolForm.clean_course``), so that a course of another offer gets
    a message naming the offer instead of Django's "select a valid choice"."""

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)


def course_label(course: Course) -> str:
    """A course as the enrolment form lists it: title, first day (in the user's locale) and
    site; the offer is the one chosen above it."""
    parts = [course.title] if course.title else []
    parts += [date_format(course.starts_on, "SHORT_DATE_FORMAT"), course.site.name]
    if course.room:
        parts.append(course.room)
    return ", ".join(parts)


class ClientEnrolForm(CriteriaMixin):
    """SCH-1, CAT-6, CAT-7, DEC-5: enrol the client in an offer, and for a group offer in one
    of its courses. The offer is chosen first: the course field lists only the open courses
    of the chosen offer (``courses``, filtered by the view's query), and appears only for an
    offer that has courses; the checklists only where the chosen offer asks for them."""

    field_order = ("offer", "course", "starts_on")
    offer = forms.ChoiceField(
        label=_("Offer"),
        error_messages={"invalid_choice": _("Choose one of the offers of the catalogue.")},
    )
    course = CourseOfOfferField(label=_("Course"), required=False)
    starts_on = forms.DateField(
        label=_("Starts on"), required=False, widget=DATE, help_text=_("Empty: today.")
    )

    def __init__(
        self,
        *args: Any,
        offers: Sequence[Offer],
        offer: Offer | None,
        courses: Sequence[Course],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.for_offer = offer
        self._offers = {str(o.uuid): o for o in offers}
        self._courses = {
            str(c.uuid): c
            for c in courses
            if offer is not None
            and c.organisation_id == offer.organisation_id
            and c.offer.key == offer.key
        }
        self.fields["offer"].choices = [("", "—"), *((str(o.uuid), o.name) for o in offers)]  # type: ignore[attr-defined]
        terms = offer.parsed if offer is not None else None
        if terms is None or not terms.plans_courses or not self._courses:
            del self.fields["course"]
        else:
            course = self.fields["course"]
            course.required = terms.format == "group"
            course.error_messages = {
                **course.error_messages,
                "required": _("%(offer)s is a group offer: choose the course.")
                % {"offer": terms.name},
            }
            course.help_text = (
                _("The course the client joins.")
                if course.required
                else _("Empty: the client is enrolled individually.")
            )
            course.choices = [  # type: ignore[attr-defined]
                ("", "—"),
                *((key, course_label(c)) for key, c in self._courses.items()),
            ]
        self.keep_criteria_for(terms)

    @property
    def no_course_planned(self) -> bool:
        """The chosen offer runs in courses, but none is open: planned, not cancelled, with
        a session to come."""
        return (
            self.for_offer is not None and self.for_offer.parsed.plans_courses and not self._courses
        )

    @property
    def can_enrol(self) -> bool:
        """An offer is chosen and the client can be enrolled in it now: not a group offer
        waiting for its first course."""
        if self.for_offer is None:
            return False
        return not (self.no_course_planned and self.for_offer.parsed.format == "group")

    def _not_of_offer(self) -> ValidationError:
        return ValidationError(
            _("That course is not a course of %(offer)s; choose one of its courses."),
            code="course_offer_mismatch",
            params={"offer": self.for_offer.name if self.for_offer is not None else ""},
        )

    def clean_course(self) -> str:
        value = str(self.cleaned_data.get("course") or "")
        if value and value not in self._courses:
            raise self._not_of_offer()
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A course posted for an offer that shows none (chosen before the offer was changed,
        # without JavaScript) is refused, never silently dropped.
        posted = self.data.get(self.add_prefix("course"))
        if self.for_offer is not None and "course" not in self.fields and posted:
            self.add_error(None, self._not_of_offer())
        return data

    def chosen_offer(self) -> Offer | None:
        return self._offers.get(self.cleaned_data.get("offer") or "")

    def chosen_course(self) -> Course | None:
        return self._courses.get(self.cleaned_data.get("course") or "")


class EnrolmentEndForm(forms.Form):
    completed = forms.BooleanField(
        label=_("Completed"),
        required=False,
        help_text=_("Completed counts as done where another offer needs this one first."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Needed when ending early: no measurable progress, repeated no-shows, …"),
    )
    ended_on = forms.DateField(label=_("Ended on"), required=False, widget=DATE)


class DatesField(forms.CharField):
    """Dates one per line or separated by commas, as YYYY-MM-DD."""

    def to_python(self, value: Any) -> list[datetime.date]:  # type: ignore[override]
        text = super().to_python(value) or ""
        found: list[datetime.date] = []
        for part in text.replace(",", "\n").split():
            try:
                found.append(datetime.date.fromisoformat(part.strip()))
            except ValueError as exc:
                raise ValidationError(
                    _("“%(value)s” is not a date (YYYY-MM-DD)."), params={"value": part}
                ) from exc
        return found


class BookSessionsForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=DATE,
        help_text=_("Per-month offers: empty books a month from the start."),
    )
    times = forms.IntegerField(
        label=_("Times a month"),
        required=False,
        min_value=1,
        max_value=31,
        help_text=_("Empty: the offer's maximum."),
    )
    sessions = forms.IntegerField(
        label=_("Number of sessions"),
        required=False,
        min_value=1,
        max_value=200,
        help_text=_("Weekly offers: empty books what is left of the offer's sessions."),
    )
    dates = DatesField(
        label=_("Or these dates"),
        required=False,
        widget=TEXT,
        help_text=_("One date a line (YYYY-MM-DD); needed for offers without a cadence."),
    )
    start_time = forms.TimeField(label=_("Time"), required=False, widget=TIME)


class EnrolmentGoalForm(forms.Form):
    """An individual SMART goal agreed with the client in the offer (Lykken): what, how it is
    measured, the target and by when. The SMART rule is the service's, as for a plan."""

    fieldsets = [(_("The goal"), ("text", "measure", "target", "due_on", "client_words"))]

    text = forms.CharField(label=_("Goal"), max_length=300)
    measure = forms.CharField(label=_("How it is measured"), max_length=300)
    target = forms.CharField(label=_("Target"), max_length=200)
    due_on = forms.DateField(label=_("By"), widget=DATE)
    client_words = forms.CharField(
        label=_("In the client's words"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    agreed_on = forms.DateField(
        label=_("Agreed on"), required=False, widget=DATE, help_text=_("Empty: today.")
    )


class EnrolmentGoalProgressForm(forms.Form):
    """The progress on an individual goal, followed up with the client."""

    progress = forms.ChoiceField(
        label=_("Progress"), choices=Progress.choices, widget=forms.RadioSelect
    )
    on = forms.DateField(label=_("Date"), required=False, widget=DATE, help_text=_("Empty: today."))
