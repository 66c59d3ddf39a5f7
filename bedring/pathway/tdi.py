"""The EUDA (formerly EMCDDA) Treatment Demand Indicator, protocol 3.0: the code lists of the
intake items stored in :class:`~bedring.pathway.models.TdiIntake`, and their validation.

Pure: no ORM, no request. :func:`validate_tdi` returns the problems per field, so that the form
can show each next to its field and the API can return them all at once.

Where the codes come from. The published protocol (EMCDDA Manuals 9, "Treatment demand
indicator (TDI) Standard protocol 3.0", 2012, annex "TDI items and codes") could not be read
while this module was written; the codes below are written from the protocol as the authors know
it, and the drug classification was cross-checked against a national TDI 3.0 reporting
mapping (opioids 11-15, cocaine 21-23, other stimulants 31-35, hypnotics and sedatives 41-44,
hallucinogens 51-53, volatile inhalants, cannabis 71-73, other substances). **Check every list
against the protocol's annex before the first national export**; the export maps these values,
so a correction is a data migration of the stored codes, not a change of the forms.

Conventions: 99 is "not known" in every list (an answer: the question was asked); ``None``
(a missing value) means not asked yet. Substances are stored as two digits, group × 10 +
sub-category (heroin 11, crack 22); a group without sub-categories ends in 0 (volatile
inhalants 60, alcohol 80, other substances 90). Ages are whole years, 99 is "not known".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

NOT_KNOWN = 99
AGE_NOT_KNOWN = 99
MIN_AGE_FIRST_USE = 5
MAX_SECONDARY = 4


class PreviouslyTreated(models.IntegerChoices):
    """TDI item: ever previously treated for drug use (any centre, any time)."""

    NEVER = 1, _("Never previously treated")
    PREVIOUSLY = 2, _("Previously treated")
    NOT_KNOWN = 99, _("Not known")


class ReferralSource(models.IntegerChoices):
    """TDI item: source of referral (who sent the person, not the channel)."""

    SELF = 1, _("Self-referral")
    FAMILY_FRIENDS = 2, _("Family or friends")
    OTHER_DRUG_TREATMENT = 3, _("Another drug treatment centre")
    GP = 4, _("General practitioner")
    HOSPITAL_MEDICAL = 5, _("Hospital or other medical source")
    EDUCATION = 6, _("Educational service")
    JUSTICE = 7, _("Court, probation or police")
    SOCIAL_SERVICES = 8, _("Social services")
    OTHER = 9, _("Other")
    NOT_KNOWN = 99, _("Not known")


class LivingWith(models.IntegerChoices):
    """TDI item: living status, with whom (the last 30 days)."""

    ALONE = 1, _("Alone")
    PARENTS = 2, _("With parents or family")
    ALONE_WITH_CHILDREN = 3, _("Alone with children")
    PARTNER = 4, _("With a partner, without children")
    PARTNER_AND_CHILDREN = 5, _("With a partner and children")
    FRIENDS_OTHERS = 6, _("With friends or others (not relatives)")
    OTHER = 7, _("Other")
    NOT_KNOWN = 99, _("Not known")


class LivingWhere(models.IntegerChoices):
    """TDI item: living status, where (the last 30 days)."""

    STABLE = 1, _("Stable accommodation")
    UNSTABLE = 2, _("Unstable accommodation (homeless, shelter, temporary)")
    INSTITUTION = 3, _("Institution (prison, clinic)")
    NOT_KNOWN = 99, _("Not known")


class YesNo(models.IntegerChoices):
    YES = 1, _("Yes")
    NO = 2, _("No")
    NOT_KNOWN = 99, _("Not known")


class Education(models.IntegerChoices):
    """TDI item: highest level of education completed (ISCED)."""

    NONE = 0, _("Never went to school or did not complete primary school")
    PRIMARY = 1, _("Primary education (ISCED 1)")
    LOWER_SECONDARY = 2, _("Lower secondary education (ISCED 2)")
    UPPER_SECONDARY = 3, _("Upper secondary education (ISCED 3-4)")
    HIGHER = 4, _("Higher education (ISCED 5 and above)")
    NOT_KNOWN = 99, _("Not known")


class LabourStatus(models.IntegerChoices):
    """TDI item: labour status."""

    EMPLOYED = 1, _("Regularly employed")
    STUDENT = 2, _("Pupil or student")
    UNEMPLOYED = 3, _("Unemployed")
    INACTIVE = 4, _("Economically inactive (pensioner, home-maker, unable to work)")
    OTHER = 5, _("Other")
    NOT_KNOWN = 99, _("Not known")


class Substance(models.IntegerChoices):
    """TDI items: primary and secondary drug."""

    HEROIN = 11, _("Heroin")
    METHADONE = 12, _("Methadone, misused")
    BUPRENORPHINE = 13, _("Buprenorphine, misused")
    FENTANYL = 14, _("Fentanyl and fentanyls, misused")
    OTHER_OPIOIDS = 15, _("Other opioids")
    COCAINE_POWDER = 21, _("Powder cocaine")
    CRACK = 22, _("Crack cocaine")
    OTHER_COCAINE = 23, _("Other cocaine")
    AMPHETAMINES = 31, _("Amphetamines")
    METHAMPHETAMINE = 32, _("Methamphetamine")
    MDMA = 33, _("MDMA and derivatives")
    CATHINONES = 34, _("Synthetic cathinones")
    OTHER_STIMULANTS = 35, _("Other stimulants")
    BARBITURATES = 41, _("Barbiturates, misused")
    BENZODIAZEPINES = 42, _("Benzodiazepines, misused")
    GHB = 43, _("GHB or GBL")
    OTHER_SEDATIVES = 44, _("Other hypnotics and sedatives")
    LSD = 51, _("LSD")
    KETAMINE = 52, _("Ketamine")
    OTHER_HALLUCINOGENS = 53, _("Other hallucinogens")
    INHALANTS = 60, _("Volatile inhalants")
    CANNABIS = 71, _("Cannabis, herbal or resin")
    SYNTHETIC_CANNABINOIDS = 72, _("Synthetic cannabinoids")
    OTHER_CANNABIS = 73, _("Other cannabis")
    ALCOHOL = 80, _("Alcohol")
    OTHER = 90, _("Other substances")
    NOT_KNOWN = 99, _("Not known")


# For grouped drop-downs: the TDI drug groups in protocol order.
SUBSTANCE_GROUPS: tuple[tuple[Promise, tuple[int, ...]], ...] = (
    (_("Opioids"), (11, 12, 13, 14, 15)),
    (_("Cocaine"), (21, 22, 23)),
    (_("Stimulants other than cocaine"), (31, 32, 33, 34, 35)),
    (_("Hypnotics and sedatives"), (41, 42, 43, 44)),
    (_("Hallucinogens"), (51, 52, 53)),
    (_("Volatile inhalants"), (60,)),
    (_("Cannabis"), (71, 72, 73)),
    (_("Other"), (80, 90, 99)),
)


class Route(models.IntegerChoices):
    """TDI item: usual route of administration (the last 30 days)."""

    INJECT = 1, _("Inject")
    SMOKE = 2, _("Smoke or inhale")
    EAT_DRINK = 3, _("Eat or drink")
    SNIFF = 4, _("Sniff")
    OTHER = 5, _("Other")
    NOT_KNOWN = 99, _("Not known")


class Frequency(models.IntegerChoices):
    """TDI item: frequency of use in the last 30 days."""

    DAILY = 1, _("Daily")
    FOUR_TO_SIX = 2, _("4-6 days a week")
    TWO_TO_THREE = 3, _("2-3 days a week")
    WEEKLY_OR_LESS = 4, _("Once a week or less")
    NOT_USED = 5, _("Not used in the last 30 days")
    NOT_KNOWN = 99, _("Not known")


class Injecting(models.IntegerChoices):
    """TDI item: ever injected, with how recently."""

    NEVER = 1, _("Never injected")
    NOT_LAST_12_MONTHS = 2, _("Injected, but not in the last 12 months")
    LAST_12_MONTHS = 3, _("Injected in the last 12 months, but not in the last 30 days")
    LAST_30_DAYS = 4, _("Injected in the last 30 days")
    NOT_KNOWN = 99, _("Not known")


class Sharing(models.IntegerChoices):
    """TDI item: ever shared needles, syringes or other injecting equipment."""

    NEVER = 1, _("Never shared")
    NOT_LAST_12_MONTHS = 2, _("Shared, but not in the last 12 months")
    LAST_12_MONTHS = 3, _("Shared in the last 12 months, but not in the last 30 days")
    LAST_30_DAYS = 4, _("Shared in the last 30 days")
    NOT_KNOWN = 99, _("Not known")


# The coded fields of TdiIntake and their code lists.
CODED_FIELDS: dict[str, type[models.IntegerChoices]] = {
    "previously_treated": PreviouslyTreated,
    "referral_source": ReferralSource,
    "living_with": LivingWith,
    "living_where": LivingWhere,
    "children": YesNo,  # living with children (own or partner's) under 18
    "education": Education,
    "labour_status": LabourStatus,
    "primary_substance": Substance,
    "primary_route": Route,
    "primary_frequency": Frequency,
    "ever_injected": Injecting,
    "ever_shared_equipment": Sharing,
    "opioid_substitution_ever": YesNo,
}
AGE_FIELDS = ("primary_age_first_use", "age_first_injection", "opioid_substitution_age_first")
SECONDARY_KEYS: dict[str, type[models.IntegerChoices] | None] = {
    "substance": Substance,
    "route": Route,
    "frequency": Frequency,
    "age_first_use": None,
}
# What a caller gives. ``injected_last_30_days`` is not among them: it follows from
# ``ever_injected`` (see derived_fields), so the two can never disagree.
INPUT_FIELDS = (
    *CODED_FIELDS,
    *AGE_FIELDS,
    "nationality",
    "secondary_substances",
)
NATIONALITY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class TdiProblem:
    code: str
    message: str | Promise


def _code_problem(value: Any, codes: type[models.IntegerChoices]) -> TdiProblem | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return TdiProblem("not_a_code", _("Give the code as a whole number."))
    if value not in codes.values:
        return TdiProblem(
            "unknown_code", _("%(value)s is not a code of this list.") % {"value": value}
        )
    return None


def _age_problem(value: Any, client_age: int | None) -> TdiProblem | None:
    if value is None or value == AGE_NOT_KNOWN:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return TdiProblem("not_an_age", _("Give the age in whole years."))
    if value < MIN_AGE_FIRST_USE:
        return TdiProblem(
            "age_too_low",
            _("An age under %(min)s is not plausible; use “not known” (99) if unsure.")
            % {"min": MIN_AGE_FIRST_USE},
        )
    if client_age is not None and value > client_age:
        return TdiProblem(
            "age_above_client_age",
            _("The client is %(age)s: the age cannot be higher.") % {"age": client_age},
        )
    return None


def _check_secondaries(
    value: Any, primary: Any, client_age: int | None, problems: dict[str, TdiProblem]
) -> None:
    field = "secondary_substances"
    if value is None:
        return
    if not isinstance(value, list):
        problems[field] = TdiProblem("not_a_list", _("Give the secondary substances as a list."))
        return
    if len(value) > MAX_SECONDARY:
        problems[field] = TdiProblem(
            "too_many_secondary",
            _("At most %(max)s secondary substances are recorded.") % {"max": MAX_SECONDARY},
        )
        return
    seen: set[int] = set()
    for index, item in enumerate(value):
        path = f"{field}.{index}"
        if not isinstance(item, Mapping):
            problems[path] = TdiProblem("not_an_object", _("Give each substance as an object."))
            continue
        unknown = sorted(set(item) - set(SECONDARY_KEYS))
        if unknown:
            problems[f"{path}.{unknown[0]}"] = TdiProblem(
                "unknown_field", _("Not a TDI item: %(name)s.") % {"name": unknown[0]}
            )
        substance = item.get("substance")
        if substance is None:
            problems[f"{path}.substance"] = TdiProblem(
                "substance_required", _("Choose the substance.")
            )
        elif substance == NOT_KNOWN:
            problems[f"{path}.substance"] = TdiProblem(
                "unknown_code", _("Leave an unknown secondary substance out.")
            )
        elif substance == primary:
            problems[f"{path}.substance"] = TdiProblem(
                "secondary_is_primary", _("This is already the primary substance.")
            )
        elif substance in seen:
            problems[f"{path}.substance"] = TdiProblem(
                "duplicate_substance", _("This substance is listed twice.")
            )
        for key, codes in SECONDARY_KEYS.items():
            if f"{path}.{key}" in problems:
                continue
            problem = (
                _code_problem(item.get(key), codes)
                if codes is not None
                else _age_problem(item.get(key), client_age)
            )
            if problem is not None:
                problems[f"{path}.{key}"] = problem
        if isinstance(substance, int):
            seen.add(substance)


def validate_tdi(data: Mapping[str, Any], client_age: int | None) -> dict[str, TdiProblem]:
    """The problems of a TDI intake, per field (``secondary_substances.2.route`` for an item of
    the list); empty when it is valid. ``client_age`` is the client's age at the assessment, or
    None when the birth date is not known (then only the lower age bound is checked)."""
    problems: dict[str, TdiProblem] = {}
    for name in sorted(set(data) - set(INPUT_FIELDS)):
        problems[name] = TdiProblem(
            "unknown_field", _("Not a TDI item: %(name)s.") % {"name": name}
        )

    for name, codes in CODED_FIELDS.items():
        problem = _code_problem(data.get(name), codes)
        if problem is not None:
            problems[name] = problem
    for name in AGE_FIELDS:
        problem = _age_problem(data.get(name), client_age)
        if problem is not None:
            problems[name] = problem

    nationality = data.get("nationality") or ""
    if not isinstance(nationality, str) or (nationality and not NATIONALITY.match(nationality)):
        problems["nationality"] = TdiProblem(
            "unknown_code", _("Give the country as two capital letters (ISO 3166), e.g. DK.")
        )

    primary = data.get("primary_substance")
    if primary == Substance.ALCOHOL and "primary_substance" not in problems:
        # The TDI counts people in treatment for drugs; alcohol is recorded only alongside.
        problems["primary_substance"] = TdiProblem(
            "alcohol_not_primary",
            _("The TDI records drug treatment: alcohol can only be a secondary substance."),
        )
    about_primary = ("primary_route", "primary_frequency", "primary_age_first_use")
    if primary is None and (
        any(data.get(name) is not None for name in about_primary)
        or data.get("secondary_substances")
    ):
        problems.setdefault(
            "primary_substance",
            TdiProblem("primary_required", _("Choose the primary substance first.")),
        )
    _check_secondaries(data.get("secondary_substances"), primary, client_age, problems)

    _check_injecting(data, problems)
    if (
        data.get("opioid_substitution_age_first") not in (None, AGE_NOT_KNOWN)
        and data.get("opioid_substitution_ever") != YesNo.YES
        and "opioid_substitution_ever" not in problems
    ):
        problems.setdefault(
            "opioid_substitution_age_first",
            TdiProblem(
                "inconsistent",
                _("An age at first substitution treatment needs “yes” to ever having had it."),
            ),
        )
    return problems


def _check_injecting(data: Mapping[str, Any], problems: dict[str, TdiProblem]) -> None:
    if data.get("ever_injected") != Injecting.NEVER:
        return
    if data.get("age_first_injection") not in (None, AGE_NOT_KNOWN):
        problems.setdefault(
            "age_first_injection",
            TdiProblem("inconsistent", _("Someone who never injected has no age at first one.")),
        )
    if data.get("ever_shared_equipment") not in (None, Sharing.NEVER, Sharing.NOT_KNOWN):
        problems.setdefault(
            "ever_shared_equipment",
            TdiProblem("inconsistent", _("Someone who never injected cannot have shared.")),
        )
    routes = [data.get("primary_route")]
    secondaries = data.get("secondary_substances")
    if isinstance(secondaries, list):
        routes += [s.get("route") for s in secondaries if isinstance(s, Mapping)]
    if Route.INJECT in routes:
        problems.setdefault(
            "ever_injected",
            TdiProblem("inconsistent", _("A substance is injected: the client has injected.")),
        )


def derived_fields(data: Mapping[str, Any]) -> dict[str, int | None]:
    """``injected_last_30_days`` as the TDI yes/no code, from ``ever_injected``."""
    ever = data.get("ever_injected")
    if ever is None:
        last_30: int | None = None
    elif ever == Injecting.NOT_KNOWN:
        last_30 = YesNo.NOT_KNOWN
    else:
        last_30 = YesNo.YES if ever == Injecting.LAST_30_DAYS else YesNo.NO
    return {"injected_last_30_days": last_30}


def label_of(codes: type[models.IntegerChoices], value: int | None) -> str:
    """The label of a code for display; empty for a question not asked."""
    if value is None:
        return ""
    labels = dict(codes.choices)
    return str(labels.get(value, value))
