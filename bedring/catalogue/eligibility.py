"""Who may start an offer, and on what day (CAT-6, CAT-7, DEC-1, DEC-3, DEC-5, MED-8, PRV-4).

Pure: no ORM. The caller describes the client as a :class:`Candidate` (from the client
record, the open episode's granted decisions, finished enrolments and the recorded
checklists) and gets back every :class:`Refusal` that applies, so the enrolment form and the
API refuse with the same words and the same codes.

Ages are counted on the **start date** in completed years (``bedring.core.ages.age_on``:
someone born on 29 February turns N on 1 March in years without one).

* ``AgeRange.min`` is inclusive: "from 18" / "over 18 år" admits the client on the 18th
  birthday and refuses them the day before.
* ``AgeRange.max`` is inclusive in completed years: ``max: 25`` (MOVE 15-25) admits a
  25-year-old up to the day before the 26th birthday and refuses from the 26th birthday on.
* Youth, "12 år indtil det 23. leveår" (seed 003): the 23rd year of life is the year in
  which the person is 22, and "until" is read as up to its end, which is the 23rd birthday.
  Danish legislation words such limits "indtil det fyldte 23. år" (until turning 23), and
  that is the reading taken here. So a youth offer that follows the seed carries
  ``max: 22``. It admits a client up to the day before the 23rd birthday, and Lykken
  (``min: 23``) takes over on the birthday itself, with no gap and no overlap. A pack that
  writes ``max: 23`` (the "12-23" of CAT-6 taken literally) keeps 23-year-olds in youth
  services for one more year. That is the pack's choice; the rule only applies the number.
* "Over 18" in DEC-5 and MED-8 means 18 or older, as in the seed's "over 18 år".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bedring.core.ages import age_on
from bedring.core.errors import ValidationFailed

from .terms import OfferTerms

ADULT_AGE = 18  # MED-8 substitution, DEC-5 anonymous treatment

# CAT-7: the residential treatment checklist, in the order of the source (003 §5).
RESIDENTIAL_CRITERIA: Mapping[str, Promise] = MappingProxyType(
    {
        "outpatient_tried": _("Relevant outpatient offers have been tried"),
        "something_to_come_home_to": _("Has something to come home to"),
        "fits_institution_frame": _("Able to fit into the institution's frame"),
        "needs_to_get_away": _("A professionally assessed need to get away"),
        "before_and_after_course": _("Does not stand alone: a course before and after"),
        "wants_drug_free": _("Wishes to be drug-free"),
        "rapid_deterioration": _("Rapid deterioration"),
        "clear_goals_and_motivation": _("Clear goals and own motivation"),
    }
)

# DEC-5: who anonymous treatment is for. ``over_18`` is computed from the birth date on the
# start day, never recorded; the rest are recorded by staff (ANONYMOUS_TREATMENT_RECORDED).
ANONYMOUS_TREATMENT_CRITERIA: Mapping[str, Promise] = MappingProxyType(
    {
        "in_education_or_work": _("In education or work"),
        "over_18": _("18 or over"),
        "wants_to_reduce_or_stop": _("Wants to reduce or stop"),
        "settled_housing": _("Settled housing"),
        "needs_anonymity": _("Needs anonymity"),
    }
)
OVER_18 = "over_18"
ANONYMOUS_TREATMENT_RECORDED: tuple[str, ...] = tuple(
    key for key in ANONYMOUS_TREATMENT_CRITERIA if key != OVER_18
)

# Intensities that need a decision granting exactly that intensity (DEC-3).
_GRANTED_INTENSITY_LABELS: Mapping[str, Promise] = MappingProxyType(
    {
        "day": _("day treatment"),
        "residential": _("residential treatment"),
    }
)

# Every code, in the order check_eligibility reports them.
CODES: tuple[str, ...] = (
    "age_unknown",
    "too_young",
    "too_old",
    "substitution_under_age",
    "authorisation_required",
    "intensity_not_granted",
    "prerequisite_missing",
    "residential_criteria_missing",
    "anonymous_not_allowed",
    "substitution_anonymous",
    "anonymous_treatment_criteria",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Candidate:
    """What the rules need to know about a client, on the start date.

    ``anonymous``: the client is known without an identity (anonymous or pseudonymous); the
    caller decides which records count. ``has_granted_episode``: a granted decision in force
    in an open episode. ``granted_intensities``: the intensities granted in it (outpatient,
    day, residential). ``completed_offers``: keys of offers the client has completed.
    ``residential_criteria`` / ``anonymous_treatment_criteria``: keys of the CAT-7 and
    DEC-5 criteria recorded as met; unknown keys are ignored, and ``over_18`` is never read
    from here.
    """

    birth_date: date | None
    anonymous: bool = False
    has_granted_episode: bool = False
    granted_intensities: frozenset[str] = frozenset()
    completed_offers: frozenset[str] = frozenset()
    residential_criteria: frozenset[str] = frozenset()
    anonymous_treatment_criteria: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Refusal:
    """One rule that refuses the offer. ``message`` is translated into the language active
    when the check ran and names the offer; ``rule`` is the requirement ID; ``missing`` holds
    the keys a refusal lists (prerequisite offers, criteria), for the API and the forms."""

    code: str
    message: str
    rule: str
    missing: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.message


def _labels(labels: Mapping[str, Promise], keys: tuple[str, ...]) -> str:
    return "; ".join(str(labels[key]) for key in keys)


def check_eligibility(
    terms: OfferTerms,
    candidate: Candidate,
    *,
    start: date,
    offer_names: Mapping[str, str] | None = None,
) -> list[Refusal]:
    """Every refusal that applies to ``candidate`` starting ``terms`` on ``start``; an empty
    list means eligible. Each rule is checked on its own and reports on its own, in the order
    of :data:`CODES` (prerequisites in the offer's order), so one fact can show up under two
    rules: a 17-year-old in a substitution offer with ``min: 18`` gets ``too_young``
    (CAT-6, the offer's limit) and ``substitution_under_age`` (MED-8, the law's).

    ``offer_names`` maps offer keys to names for the prerequisite message ("Dagbehandling
    needs a completed “Forforløb” first"); without it the key is shown.
    """
    offer = terms.name
    on = start.isoformat()
    refusals: list[Refusal] = []
    age = None if candidate.birth_date is None else age_on(candidate.birth_date, start)

    # CAT-6 age limits, and the birth date every age rule needs.
    limits = terms.ages
    has_age_rule = (
        limits.min is not None
        or limits.max is not None
        or terms.substitution
        or terms.anonymous_treatment
    )
    if age is None:
        if has_age_rule:
            refusals.append(
                Refusal(
                    "age_unknown",
                    _("%(offer)s has an age limit; record the client's birth date first.")
                    % {"offer": offer},
                    "CAT-6",
                )
            )
    elif limits.min is not None and age < limits.min:
        refusals.append(
            Refusal(
                "too_young",
                _("%(offer)s is for ages %(min)d and over; the client is %(age)d on %(date)s.")
                % {"offer": offer, "min": limits.min, "age": age, "date": on},
                "CAT-6",
            )
        )
    elif limits.max is not None and age > limits.max:
        refusals.append(
            Refusal(
                "too_old",
                _("%(offer)s is for ages up to %(max)d; the client is %(age)d on %(date)s.")
                % {"offer": offer, "max": limits.max, "age": age, "date": on},
                "CAT-6",
            )
        )

    # MED-8: substitution only from 18, whatever the offer's own limit says.
    if terms.substitution and age is not None and age < ADULT_AGE:
        refusals.append(
            Refusal(
                "substitution_under_age",
                _(
                    "%(offer)s includes substitution medication, which is only for clients "
                    "18 and over; the client is %(age)d on %(date)s."
                )
                % {"offer": offer, "age": age, "date": on},
                "MED-8",
            )
        )

    # DEC-1: the authority grants treatment; DEC-3: day and residential by their own decision.
    if terms.needs_authorisation and not candidate.has_granted_episode:
        refusals.append(
            Refusal(
                "authorisation_required",
                _("%(offer)s needs authorisation: a granted decision in an open episode.")
                % {"offer": offer},
                "DEC-1",
            )
        )
    if (
        terms.intensity in _GRANTED_INTENSITY_LABELS
        and terms.intensity not in candidate.granted_intensities
    ):
        refusals.append(
            Refusal(
                "intensity_not_granted",
                _("%(offer)s needs a decision granting %(intensity)s.")
                % {"offer": offer, "intensity": _GRANTED_INTENSITY_LABELS[terms.intensity]},
                "DEC-3",
                (terms.intensity,),
            )
        )

    # CAT-7: offers to complete first (day treatment after the pre-course).
    names = offer_names or {}
    for key in terms.prerequisites:
        if key not in candidate.completed_offers:
            refusals.append(
                Refusal(
                    "prerequisite_missing",
                    _("%(offer)s needs a completed “%(prerequisite)s” first.")
                    % {"offer": offer, "prerequisite": names.get(key, key)},
                    "CAT-7",
                    (key,),
                )
            )

    # CAT-7: residential treatment needs every criterion of the checklist recorded.
    if terms.residential_criteria:
        missing = tuple(k for k in RESIDENTIAL_CRITERIA if k not in candidate.residential_criteria)
        if missing:
            refusals.append(
                Refusal(
                    "residential_criteria_missing",
                    _(
                        "%(offer)s needs every residential criterion recorded as met; "
                        "missing: %(missing)s."
                    )
                    % {"offer": offer, "missing": _labels(RESIDENTIAL_CRITERIA, missing)},
                    "CAT-7",
                    missing,
                )
            )

    # PRV-4: anonymity only where the offer allows it; anonymous treatment (DEC-5) does.
    if candidate.anonymous and not (terms.anonymous_allowed or terms.anonymous_treatment):
        refusals.append(
            Refusal(
                "anonymous_not_allowed",
                _("%(offer)s is not open to anonymous clients; the client must be identified.")
                % {"offer": offer},
                "PRV-4",
            )
        )

    # MED-8: never substitution for an anonymous client.
    if terms.substitution and candidate.anonymous:
        refusals.append(
            Refusal(
                "substitution_anonymous",
                _(
                    "%(offer)s includes substitution medication, which is never given in "
                    "anonymous treatment."
                )
                % {"offer": offer},
                "MED-8",
            )
        )

    # DEC-5: anonymous treatment only for those who meet every criterion. An unknown age is
    # already refused as age_unknown above, so it is not listed again here.
    if terms.anonymous_treatment:
        recorded = candidate.anonymous_treatment_criteria
        missing = tuple(
            key
            for key in ANONYMOUS_TREATMENT_CRITERIA
            if (key == OVER_18 and age is not None and age < ADULT_AGE)
            or (key != OVER_18 and key not in recorded)
        )
        if missing:
            refusals.append(
                Refusal(
                    "anonymous_treatment_criteria",
                    _(
                        "%(offer)s is anonymous treatment, and these criteria are not met: "
                        "%(missing)s."
                    )
                    % {"offer": offer, "missing": _labels(ANONYMOUS_TREATMENT_CRITERIA, missing)},
                    "DEC-5",
                    missing,
                )
            )

    return refusals


def ensure_eligible(
    terms: OfferTerms,
    candidate: Candidate,
    *,
    start: date,
    offer_names: Mapping[str, str] | None = None,
) -> None:
    """Raise :class:`ValidationFailed` when any rule refuses: the first refusal's code, every
    message, and all refusals in ``details["refusals"]``, for services behind the form and API.
    """
    refusals = check_eligibility(terms, candidate, start=start, offer_names=offer_names)
    if refusals:
        raise ValidationFailed(
            refusals[0].code,
            " ".join(r.message for r in refusals),
            details={
                "offer": terms.key,
                "refusals": [
                    {
                        "code": r.code,
                        "rule": r.rule,
                        "message": r.message,
                        "missing": list(r.missing),
                    }
                    for r in refusals
                ],
            },
        )
