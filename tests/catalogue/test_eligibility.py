"""Who may start an offer (bedring.catalogue.eligibility): CAT-6 age limits, CAT-7
prerequisites and the residential checklist, DEC-1/DEC-3 authorisation, DEC-5 anonymous
treatment, MED-8 substitution, PRV-4 anonymity.

Pure tests: no database. Offers are built directly as OfferTerms.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from bedring.catalogue.eligibility import (
    ANONYMOUS_TREATMENT_CRITERIA,
    ANONYMOUS_TREATMENT_RECORDED,
    CODES,
    RESIDENTIAL_CRITERIA,
    Candidate,
    Refusal,
    check_eligibility,
    ensure_eligible,
)
from bedring.catalogue.terms import AgeRange, OfferTerms
from bedring.core.errors import ValidationFailed

START = date(2026, 11, 23)

SERVICE = OfferTerms(
    key="individual", name="Individuelle samtaler", intensity="outpatient", ages={"min": 12}
)
DAY = OfferTerms(
    key="day-treatment-main",
    name="Dagbehandling",
    intensity="day",
    ages={"min": 18},
    prerequisites=("pre-course-day",),
)
RESIDENTIAL = OfferTerms(
    key="residential-visitation",
    name="Døgnbehandling",
    intensity="residential",
    ages={"min": 18},
    residential_criteria=True,
)
LYKKEN = OfferTerms(
    key="lykken",
    name="Værestedet Lykken",
    intensity="no_authorisation",
    needs_authorisation=False,
    anonymous_allowed=True,
    ages={"min": 23},
)
# "12 år indtil det 23. leveår": up to the day before the 23rd birthday (see the module).
YOUTH = OfferTerms(
    key="youth", name="Ungebehandling", intensity="outpatient", ages={"min": 12, "max": 22}
)
MOVE = OfferTerms(key="move", name="MOVE", intensity="outpatient", ages={"min": 15, "max": 25})
SUBSTITUTION = OfferTerms(
    key="substitution",
    name="Substitutionsbehandling",
    intensity="outpatient",
    substitution=True,
    ages={"min": 18},
)
SUBSTITUTION_NO_AGES = SUBSTITUTION.model_copy(update={"ages": AgeRange()})
ANONYMOUS_TREATMENT = OfferTerms(
    key="anonymous-treatment",
    name="Anonym behandling",
    intensity="no_authorisation",
    needs_authorisation=False,
    anonymous_treatment=True,
    anonymous_allowed=True,
)
OPEN_COUNSELLING = OfferTerms(
    key="open-counselling",
    name="Åben rådgivning",
    intensity="no_authorisation",
    needs_authorisation=False,
)

# Meets every rule of every offer above, given a birth date inside the offer's range.
QUALIFIED = Candidate(
    birth_date=date(1990, 5, 10),
    anonymous=False,
    has_granted_episode=True,
    granted_intensities=frozenset({"outpatient", "day", "residential"}),
    completed_offers=frozenset({"pre-course-day"}),
    residential_criteria=frozenset(RESIDENTIAL_CRITERIA),
    anonymous_treatment_criteria=frozenset(ANONYMOUS_TREATMENT_RECORDED),
)


@pytest.fixture(autouse=True, scope="module")
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def candidate(**changes: object) -> Candidate:
    return dataclasses.replace(QUALIFIED, **changes)


def aged(years: int, *, on: date = START) -> date:
    """The birth date of someone whose ``years``-th birthday is ``on``."""
    return on.replace(year=on.year - years)


def codes(refusals: list[Refusal]) -> list[str]:
    return [r.code for r in refusals]


def check(terms: OfferTerms, who: Candidate, *, start: date = START) -> list[str]:
    return codes(check_eligibility(terms, who, start=start))


# --- the qualified client -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offer", "age"),
    [
        (SERVICE, 12),
        (DAY, 18),
        (RESIDENTIAL, 40),
        (LYKKEN, 23),
        (YOUTH, 16),
        (MOVE, 20),
        (SUBSTITUTION, 18),
        (ANONYMOUS_TREATMENT, 30),
        (OPEN_COUNSELLING, 50),
    ],
    ids=lambda value: getattr(value, "key", str(value)),
)
def test_a_client_who_meets_every_rule_is_eligible(offer: OfferTerms, age: int) -> None:
    assert check_eligibility(offer, candidate(birth_date=aged(age)), start=START) == []


# --- CAT-6 age limits on the start date -----------------------------------------------------


@pytest.mark.parametrize(
    ("offer", "birthday", "before", "on_the_day"),
    [
        (SERVICE, 12, ["too_young"], []),
        (DAY, 18, ["too_young"], []),
        (LYKKEN, 23, ["too_young"], []),
        (YOUTH, 12, ["too_young"], []),
        (YOUTH, 23, [], ["too_old"]),
        (MOVE, 15, ["too_young"], []),
        (MOVE, 25, [], []),
        (MOVE, 26, [], ["too_old"]),
    ],
    ids=lambda value: getattr(value, "key", str(value)),
)
def test_age_limits_turn_on_the_birthday(
    offer: OfferTerms, birthday: int, before: list[str], on_the_day: list[str]
) -> None:
    """CAT-6: given a client whose birthday is the start date, the day before the start the
    client is one year younger; min and max are both inclusive in completed years."""
    who = candidate(birth_date=aged(birthday))
    assert check(offer, who, start=START - timedelta(days=1)) == before
    assert check(offer, who, start=START) == on_the_day


def test_youth_takes_a_22_year_old_and_lykken_takes_over_on_the_23rd_birthday() -> None:
    """CAT-6: "12 år indtil det 23. leveår" ends with the 23rd year of life, on the 23rd
    birthday, the day Lykken (23+) opens: no gap and no overlap."""
    who = candidate(birth_date=date(2003, 11, 23))
    eve, birthday = date(2026, 11, 22), date(2026, 11, 23)
    assert (check(YOUTH, who, start=eve), check(LYKKEN, who, start=eve)) == ([], ["too_young"])
    assert (check(YOUTH, who, start=birthday), check(LYKKEN, who, start=birthday)) == (
        ["too_old"],
        [],
    )


@pytest.mark.parametrize(
    ("offer", "born", "refused_on", "admitted_on"),
    [
        # 18th birthday in a year without 29 February: turns 18 on 1 March.
        (DAY, date(2008, 2, 29), date(2026, 2, 28), date(2026, 3, 1)),
        (LYKKEN, date(2004, 2, 29), date(2027, 2, 28), date(2027, 3, 1)),
        (MOVE, date(2012, 2, 29), date(2027, 2, 28), date(2027, 3, 1)),
        # 12th birthday in a leap year: turns 12 on 29 February itself.
        (SERVICE, date(2012, 2, 29), date(2024, 2, 28), date(2024, 2, 29)),
    ],
    ids=["day-18", "lykken-23", "move-15", "service-12-leap"],
)
def test_a_29_february_birthday_counts_from_1_march_in_common_years(
    offer: OfferTerms, born: date, refused_on: date, admitted_on: date
) -> None:
    who = candidate(birth_date=born)
    assert check(offer, who, start=refused_on) == ["too_young"]
    assert check(offer, who, start=admitted_on) == []


def test_a_29_february_birthday_leaves_the_youth_offer_on_1_march() -> None:
    who = candidate(birth_date=date(2008, 2, 29))
    assert check(YOUTH, who, start=date(2031, 2, 28)) == []
    assert check(YOUTH, who, start=date(2031, 3, 1)) == ["too_old"]
    assert check(MOVE, who, start=date(2034, 2, 28)) == []
    assert check(MOVE, who, start=date(2034, 3, 1)) == ["too_old"]


def test_age_messages_name_the_offer_the_limit_the_age_and_the_date() -> None:
    young = check_eligibility(DAY, candidate(birth_date=aged(18)), start=date(2026, 11, 22))
    old = check_eligibility(MOVE, candidate(birth_date=aged(26)), start=START)
    assert young[0].message == (
        "Dagbehandling is for ages 18 and over; the client is 17 on 2026-11-22."
    )
    assert old[0].message == "MOVE is for ages up to 25; the client is 26 on 2026-11-23."
    assert {young[0].rule, old[0].rule} == {"CAT-6"}


def test_the_age_is_counted_on_the_start_date_not_today() -> None:
    who = candidate(birth_date=date(2009, 6, 1))  # 17 on START
    assert check(DAY, who, start=START) == ["too_young"]
    assert check(DAY, who, start=date(2027, 6, 1)) == []


def test_an_age_limit_without_a_birth_date_is_refused_as_unknown() -> None:
    who = candidate(birth_date=None)
    assert check(DAY, who) == ["age_unknown"]
    assert check(SUBSTITUTION_NO_AGES, who) == ["age_unknown"]  # MED-8 is an age limit too
    assert check(OPEN_COUNSELLING, who) == []  # no age rule, nothing to know


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    start=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    low=st.none() | st.integers(min_value=0, max_value=120),
    high=st.none() | st.integers(min_value=0, max_value=120),
)
def test_too_young_and_too_old_exclude_each_other_and_spare_ages_in_range(
    born: date, start: date, low: int | None, high: int | None
) -> None:
    if low is not None and high is not None and low > high:
        low, high = high, low
    offer = OfferTerms(
        key="any", name="Any", intensity="outpatient", ages={"min": low, "max": high}
    )
    found = set(check(offer, candidate(birth_date=born), start=start))
    assert not {"too_young", "too_old"} <= found
    age = start.year - born.year - ((start.month, start.day) < (born.month, born.day))
    above_min = low is None or age >= low
    below_max = high is None or age <= high
    assert ("too_young" in found) == (not above_min)
    assert ("too_old" in found) == (above_min and not below_max)
    if above_min and below_max:
        assert found == set()


# --- MED-8 substitution ---------------------------------------------------------------------


def test_substitution_is_refused_under_18_even_without_an_offer_age_limit() -> None:
    """MED-8: the law's limit, reported under its own code."""
    who = candidate(birth_date=aged(18))
    assert check(SUBSTITUTION_NO_AGES, who, start=START - timedelta(days=1)) == [
        "substitution_under_age"
    ]
    assert check(SUBSTITUTION_NO_AGES, who, start=START) == []


def test_substitution_under_18_reports_the_offer_limit_and_the_law() -> None:
    refusals = check_eligibility(
        SUBSTITUTION, candidate(birth_date=aged(18)), start=START - timedelta(days=1)
    )
    assert [(r.code, r.rule) for r in refusals] == [
        ("too_young", "CAT-6"),
        ("substitution_under_age", "MED-8"),
    ]
    assert refusals[1].message == (
        "Substitutionsbehandling includes substitution medication, which is only for clients "
        "18 and over; the client is 17 on 2026-11-22."
    )


def test_substitution_is_never_given_to_an_anonymous_client() -> None:
    """MED-8: even where the offer itself would take anonymous clients."""
    open_door = SUBSTITUTION.model_copy(update={"anonymous_allowed": True})
    who = candidate(birth_date=aged(30), anonymous=True)
    assert check(open_door, who) == ["substitution_anonymous"]
    assert check(SUBSTITUTION, who) == ["anonymous_not_allowed", "substitution_anonymous"]


# --- DEC-1, DEC-3 authorisation -------------------------------------------------------------


def test_an_offer_needing_authorisation_needs_a_granted_episode() -> None:
    who = candidate(birth_date=aged(30), has_granted_episode=False)
    refusals = check_eligibility(SERVICE, who, start=START)
    assert [(r.code, r.rule) for r in refusals] == [("authorisation_required", "DEC-1")]
    assert refusals[0].message.startswith("Individuelle samtaler needs authorisation")
    assert check(OPEN_COUNSELLING, who) == []
    assert check(LYKKEN, who) == []


@pytest.mark.parametrize("offer", [DAY, RESIDENTIAL], ids=["day", "residential"])
def test_day_and_residential_offers_need_their_intensity_granted(offer: OfferTerms) -> None:
    """DEC-3: an outpatient grant does not open day or residential treatment."""
    who = candidate(birth_date=aged(30), granted_intensities=frozenset({"outpatient"}))
    refusals = check_eligibility(offer, who, start=START)
    assert [(r.code, r.rule, r.missing) for r in refusals] == [
        ("intensity_not_granted", "DEC-3", (offer.intensity,))
    ]
    assert refusals[0].message == (
        f"{offer.name} needs a decision granting {offer.intensity} treatment."
    )


def test_an_outpatient_offer_needs_no_particular_intensity() -> None:
    who = candidate(birth_date=aged(30), granted_intensities=frozenset())
    assert check(SERVICE, who) == []


def test_without_any_episode_day_treatment_reports_both_authorisation_rules() -> None:
    who = candidate(birth_date=aged(30), has_granted_episode=False, granted_intensities=frozenset())
    assert check(DAY, who) == ["authorisation_required", "intensity_not_granted"]


# --- CAT-7 prerequisites and the residential checklist --------------------------------------


def test_day_treatment_needs_the_completed_pre_course() -> None:
    who = candidate(birth_date=aged(30), completed_offers=frozenset())
    refusals = check_eligibility(DAY, who, start=START)
    assert [(r.code, r.rule, r.missing) for r in refusals] == [
        ("prerequisite_missing", "CAT-7", ("pre-course-day",))
    ]
    assert refusals[0].message == "Dagbehandling needs a completed “pre-course-day” first."
    named = check_eligibility(
        DAY, who, start=START, offer_names={"pre-course-day": "Forforløb til dagbehandling"}
    )
    assert named[0].message == (
        "Dagbehandling needs a completed “Forforløb til dagbehandling” first."
    )


def test_each_missing_prerequisite_is_named_in_the_offer_order() -> None:
    offer = DAY.model_copy(update={"prerequisites": ("pre-course-day", "intro", "motivation")})
    who = candidate(birth_date=aged(30), completed_offers=frozenset({"intro"}))
    refusals = check_eligibility(offer, who, start=START)
    assert [(r.code, r.missing) for r in refusals] == [
        ("prerequisite_missing", ("pre-course-day",)),
        ("prerequisite_missing", ("motivation",)),
    ]


def test_residential_treatment_needs_every_criterion_recorded() -> None:
    recorded = frozenset(RESIDENTIAL_CRITERIA) - {"outpatient_tried", "wants_drug_free"}
    who = candidate(birth_date=aged(30), residential_criteria=recorded | {"not-a-criterion"})
    refusals = check_eligibility(RESIDENTIAL, who, start=START)
    assert [(r.code, r.rule, r.missing) for r in refusals] == [
        ("residential_criteria_missing", "CAT-7", ("outpatient_tried", "wants_drug_free"))
    ]
    assert refusals[0].message == (
        "Døgnbehandling needs every residential criterion recorded as met; missing: "
        "Relevant outpatient offers have been tried; Wishes to be drug-free."
    )


def test_the_residential_checklist_is_only_asked_of_offers_that_need_it() -> None:
    who = candidate(birth_date=aged(30), residential_criteria=frozenset())
    assert check(RESIDENTIAL, who) == ["residential_criteria_missing"]
    assert check(DAY, who) == []


def test_the_residential_checklist_is_the_eight_criteria_of_cat_7() -> None:
    assert list(RESIDENTIAL_CRITERIA) == [
        "outpatient_tried",
        "something_to_come_home_to",
        "fits_institution_frame",
        "needs_to_get_away",
        "before_and_after_course",
        "wants_drug_free",
        "rapid_deterioration",
        "clear_goals_and_motivation",
    ]


# --- PRV-4 anonymity, DEC-5 anonymous treatment ---------------------------------------------


def test_an_anonymous_client_is_refused_where_the_offer_needs_an_identity() -> None:
    who = candidate(birth_date=aged(30), anonymous=True)
    refusals = check_eligibility(SERVICE, who, start=START)
    assert [(r.code, r.rule) for r in refusals] == [("anonymous_not_allowed", "PRV-4")]
    assert refusals[0].message.startswith("Individuelle samtaler is not open to anonymous")
    assert check(LYKKEN, who) == []


def test_anonymous_treatment_is_open_to_anonymous_clients_by_definition() -> None:
    offer = ANONYMOUS_TREATMENT.model_copy(update={"anonymous_allowed": False})
    assert check(offer, candidate(birth_date=aged(30), anonymous=True)) == []


def test_anonymous_treatment_needs_every_dec_5_criterion() -> None:
    recorded = frozenset(ANONYMOUS_TREATMENT_RECORDED) - {"settled_housing"}
    who = candidate(birth_date=aged(30), anonymous_treatment_criteria=recorded)
    refusals = check_eligibility(ANONYMOUS_TREATMENT, who, start=START)
    assert [(r.code, r.rule, r.missing) for r in refusals] == [
        ("anonymous_treatment_criteria", "DEC-5", ("settled_housing",))
    ]
    assert refusals[0].message == (
        "Anonym behandling is anonymous treatment, and these criteria are not met: Settled housing."
    )


def test_anonymous_treatment_computes_over_18_on_the_start_date() -> None:
    """DEC-5: "over 18" is 18 or older, from the birth date; recording it changes nothing."""
    who = candidate(
        birth_date=aged(18),
        anonymous_treatment_criteria=frozenset(ANONYMOUS_TREATMENT_CRITERIA),  # incl. over_18
    )
    refusals = check_eligibility(ANONYMOUS_TREATMENT, who, start=START - timedelta(days=1))
    assert [(r.code, r.missing) for r in refusals] == [
        ("anonymous_treatment_criteria", ("over_18",))
    ]
    assert check(ANONYMOUS_TREATMENT, who, start=START) == []


def test_anonymous_treatment_without_a_birth_date_asks_for_the_age_once() -> None:
    refusals = check_eligibility(
        ANONYMOUS_TREATMENT,
        candidate(birth_date=None, anonymous_treatment_criteria=frozenset({"needs_anonymity"})),
        start=START,
    )
    assert [(r.code, r.missing) for r in refusals] == [
        ("age_unknown", ()),
        (
            "anonymous_treatment_criteria",
            ("in_education_or_work", "wants_to_reduce_or_stop", "settled_housing"),
        ),
    ]


def test_anonymous_treatment_criteria_list_over_18_among_the_dec_5_five() -> None:
    assert list(ANONYMOUS_TREATMENT_CRITERIA) == [
        "in_education_or_work",
        "over_18",
        "wants_to_reduce_or_stop",
        "settled_housing",
        "needs_anonymity",
    ]
    assert "over_18" not in ANONYMOUS_TREATMENT_RECORDED


# --- every code, every message, the order ---------------------------------------------------

SCENARIOS: list[tuple[str, OfferTerms, Candidate, date]] = [
    ("age_unknown", DAY, candidate(birth_date=None), START),
    ("too_young", DAY, candidate(birth_date=aged(17)), START),
    ("too_old", MOVE, candidate(birth_date=aged(26)), START),
    ("substitution_under_age", SUBSTITUTION_NO_AGES, candidate(birth_date=aged(17)), START),
    ("authorisation_required", SERVICE, candidate(has_granted_episode=False), START),
    ("intensity_not_granted", DAY, candidate(granted_intensities=frozenset()), START),
    ("prerequisite_missing", DAY, candidate(completed_offers=frozenset()), START),
    (
        "residential_criteria_missing",
        RESIDENTIAL,
        candidate(residential_criteria=frozenset()),
        START,
    ),
    ("anonymous_not_allowed", SERVICE, candidate(anonymous=True), START),
    ("substitution_anonymous", SUBSTITUTION, candidate(anonymous=True), START),
    (
        "anonymous_treatment_criteria",
        ANONYMOUS_TREATMENT,
        candidate(anonymous_treatment_criteria=frozenset()),
        START,
    ),
]


def test_the_scenarios_cover_every_code() -> None:
    assert [code for code, *_ in SCENARIOS] == list(CODES)


@pytest.mark.parametrize(
    ("code", "offer", "who", "start"), SCENARIOS, ids=[code for code, *_ in SCENARIOS]
)
def test_every_refusal_names_the_offer_and_the_rule(
    code: str, offer: OfferTerms, who: Candidate, start: date
) -> None:
    refusal = next(r for r in check_eligibility(offer, who, start=start) if r.code == code)
    assert type(refusal.message) is str
    assert offer.name in refusal.message
    assert refusal.rule in {"CAT-6", "CAT-7", "DEC-1", "DEC-3", "DEC-5", "MED-8", "PRV-4"}
    assert str(refusal) == refusal.message


def test_messages_follow_the_active_language() -> None:
    """The message is translated when the check runs; placeholders survive any catalogue."""
    with translation.override("da"):
        refusals = check_eligibility(DAY, candidate(birth_date=aged(17)), start=START)
    assert "Dagbehandling" in refusals[0].message
    assert "17" in refusals[0].message


def test_all_refusals_are_reported_in_a_stable_order() -> None:
    everything = OfferTerms(
        key="everything",
        name="Alt",
        intensity="residential",
        ages={"min": 18},
        substitution=True,
        prerequisites=("b-course", "a-course"),
        residential_criteria=True,
    )
    nobody = Candidate(birth_date=aged(17), anonymous=True)
    assert check(everything, nobody) == [
        "too_young",
        "substitution_under_age",
        "authorisation_required",
        "intensity_not_granted",
        "prerequisite_missing",
        "prerequisite_missing",
        "residential_criteria_missing",
        "anonymous_not_allowed",
        "substitution_anonymous",
    ]


@given(
    age=st.integers(min_value=0, max_value=60),
    anonymous=st.booleans(),
    granted=st.booleans(),
    intensities=st.frozensets(st.sampled_from(["outpatient", "day", "residential"])),
    completed=st.frozensets(st.sampled_from(["pre-course-day", "intro"])),
    residential=st.frozensets(st.sampled_from(list(RESIDENTIAL_CRITERIA))),
    anonymous_criteria=st.frozensets(st.sampled_from(list(ANONYMOUS_TREATMENT_CRITERIA))),
    offer=st.sampled_from(
        [SERVICE, DAY, RESIDENTIAL, LYKKEN, YOUTH, MOVE, SUBSTITUTION, ANONYMOUS_TREATMENT]
    ),
)
def test_refusals_always_come_in_the_order_of_the_codes(
    age: int,
    anonymous: bool,
    granted: bool,
    intensities: frozenset[str],
    completed: frozenset[str],
    residential: frozenset[str],
    anonymous_criteria: frozenset[str],
    offer: OfferTerms,
) -> None:
    who = Candidate(
        birth_date=aged(age),
        anonymous=anonymous,
        has_granted_episode=granted,
        granted_intensities=intensities,
        completed_offers=completed,
        residential_criteria=residential,
        anonymous_treatment_criteria=anonymous_criteria,
    )
    found = check(offer, who)
    assert found == check(offer, who)
    positions = [CODES.index(code) for code in found]
    assert positions == sorted(positions)


# --- one call for services behind the form and the API --------------------------------------


def test_ensure_eligible_raises_every_refusal_as_one_validation_error() -> None:
    who = candidate(
        birth_date=aged(30), completed_offers=frozenset(), granted_intensities=frozenset()
    )
    with pytest.raises(ValidationFailed) as caught:
        ensure_eligible(DAY, who, start=START)
    error = caught.value
    assert error.status == 422
    assert error.code == "intensity_not_granted"
    assert [r["code"] for r in error.details["refusals"]] == [
        "intensity_not_granted",
        "prerequisite_missing",
    ]
    assert error.details["refusals"][1]["missing"] == ["pre-course-day"]
    assert error.details["offer"] == "day-treatment-main"
    assert "Dagbehandling needs a completed “pre-course-day” first." in str(error.message)


def test_ensure_eligible_passes_a_qualified_client() -> None:
    ensure_eligible(DAY, candidate(birth_date=aged(30)), start=START)
