"""The EUDA TDI 3.0 intake items: the code lists, their validation (pure, fast) and their
storage with the assessment. A refused intake names every field and writes nothing."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from bedring.core.errors import Conflict, ValidationFailed
from bedring.pathway import tdi
from bedring.pathway.models import EpisodeEvent, TdiIntake
from bedring.pathway.services import assessment as services
from bedring.pathway.services.episode import episode_withdraw
from bedring.synthetic.people import GENERATORS
from tests.conftest import TODAY

VALID: dict[str, Any] = {
    "previously_treated": 2,
    "referral_source": 4,
    "living_with": 1,
    "living_where": 2,
    "children": 2,
    "nationality": "DK",
    "education": 2,
    "labour_status": 3,
    "primary_substance": 11,
    "primary_route": 1,
    "primary_frequency": 1,
    "primary_age_first_use": 17,
    "secondary_substances": [
        {"substance": 42, "route": 3, "frequency": 2, "age_first_use": 19},
        {"substance": 71, "route": 2, "frequency": 1, "age_first_use": 14},
    ],
    "ever_injected": 4,
    "age_first_injection": 19,
    "ever_shared_equipment": 2,
    "opioid_substitution_ever": 1,
    "opioid_substitution_age_first": 25,
}


def problems_of(changes: dict[str, Any], client_age: int | None = 40) -> dict[str, str]:
    data = {**VALID, **changes}
    return {field: p.code for field, p in tdi.validate_tdi(data, client_age).items()}


# --- Code lists -----------------------------------------------------------------------------


def test_a_complete_valid_intake_has_no_problems():
    assert tdi.validate_tdi(VALID, 40) == {}


def test_nothing_asked_yet_is_valid():
    """``None`` means not asked: an empty intake is a valid start."""
    assert tdi.validate_tdi({}, 40) == {}


def test_every_list_has_not_known_as_99():
    """TDI: 99 is "not known" in every list, an answer distinct from not asked (None)."""
    code_lists: list[Any] = [*tdi.CODED_FIELDS.values(), tdi.Substance]
    for codes in code_lists:
        assert tdi.NOT_KNOWN in codes.values, codes.__name__


def test_the_substance_groups_cover_every_substance_code_once():
    grouped = [code for _label, codes in tdi.SUBSTANCE_GROUPS for code in codes]
    assert sorted(grouped) == sorted(tdi.Substance.values)


def test_substance_codes_are_group_and_sub_category():
    """Heroin is opioid (1) number 1, crack is cocaine (2) number 2."""
    assert (tdi.Substance.HEROIN, tdi.Substance.CRACK, tdi.Substance.MDMA) == (11, 22, 33)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("previously_treated", 3),
        ("referral_source", 10),
        ("living_with", 0),
        ("living_where", 4),
        ("children", 3),
        ("education", 5),
        ("labour_status", 6),
        ("primary_substance", 16),
        ("primary_route", 6),
        ("primary_frequency", 6),
        ("ever_injected", 5),
        ("ever_shared_equipment", 0),
        ("opioid_substitution_ever", 0),
    ],
)
def test_a_code_outside_its_list_is_unknown(field, value):
    assert problems_of({field: value}) == {field: "unknown_code"}


@pytest.mark.parametrize("value", ["11", 11.0, True])
def test_a_code_must_be_a_whole_number(value):
    assert problems_of({"primary_substance": value}) == {"primary_substance": "not_a_code"}


@pytest.mark.parametrize("value", ["dk", "DNK", "D1", 45])
def test_nationality_is_two_capital_letters(value):
    assert problems_of({"nationality": value}) == {"nationality": "unknown_code"}


def test_an_unknown_item_is_refused():
    assert problems_of({"favourite_colour": 1}) == {"favourite_colour": "unknown_field"}


def test_injected_last_30_days_is_derived_not_given():
    """It follows from ever_injected, so the two never disagree."""
    assert problems_of({"injected_last_30_days": 1}) == {"injected_last_30_days": "unknown_field"}
    derive = tdi.derived_fields
    assert derive({"ever_injected": 4}) == {"injected_last_30_days": tdi.YesNo.YES}
    assert derive({"ever_injected": 3}) == {"injected_last_30_days": tdi.YesNo.NO}
    assert derive({"ever_injected": 1}) == {"injected_last_30_days": tdi.YesNo.NO}
    assert derive({"ever_injected": 99}) == {"injected_last_30_days": tdi.NOT_KNOWN}
    assert derive({}) == {"injected_last_30_days": None}


# --- Ages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (4, {"primary_age_first_use": "age_too_low"}),
        (5, {}),
        (40, {}),
        (41, {"primary_age_first_use": "age_above_client_age"}),
        (99, {}),
        ("17", {"primary_age_first_use": "not_an_age"}),
    ],
)
def test_age_at_first_use_is_between_5_and_the_clients_age(age, expected):
    """Boundaries: 5 and the client's age (40) are accepted; 4 and 41 are not; 99 is not known."""
    assert problems_of({"primary_age_first_use": age}, client_age=40) == expected


@pytest.mark.parametrize("field", ["age_first_injection", "opioid_substitution_age_first"])
def test_every_age_item_has_the_same_bounds(field):
    assert problems_of({field: 41}, client_age=40) == {field: "age_above_client_age"}
    assert problems_of({field: 4}, client_age=40) == {field: "age_too_low"}


def test_without_a_birth_date_only_the_lower_bound_is_checked():
    assert problems_of({"primary_age_first_use": 70}, client_age=None) == {}
    assert problems_of({"primary_age_first_use": 3}, client_age=None) == {
        "primary_age_first_use": "age_too_low"
    }


@given(client_age=st.integers(5, 98), age=st.integers(0, 120))
def test_an_age_is_accepted_exactly_within_its_bounds(client_age, age):
    """Property: an age is valid iff 5 <= age <= client's age, or it is "not known" (99)."""
    problems = tdi.validate_tdi({"primary_substance": 11, "primary_age_first_use": age}, client_age)
    valid = age == tdi.AGE_NOT_KNOWN or tdi.MIN_AGE_FIRST_USE <= age <= client_age
    assert ("primary_age_first_use" not in problems) is valid


# --- Secondary substances -------------------------------------------------------------------


def secondaries(*codes: int) -> list[dict[str, Any]]:
    return [{"substance": code} for code in codes]


def test_four_secondary_substances_are_accepted_and_five_are_not():
    """TDI: up to four secondary substances."""
    assert problems_of({"secondary_substances": secondaries(21, 31, 42, 71)}) == {}
    assert problems_of({"secondary_substances": secondaries(21, 31, 42, 71, 80)}) == {
        "secondary_substances": "too_many_secondary"
    }


def test_a_secondary_substance_is_neither_the_primary_nor_listed_twice():
    assert problems_of({"secondary_substances": secondaries(11)}) == {
        "secondary_substances.0.substance": "secondary_is_primary"
    }
    assert problems_of({"secondary_substances": secondaries(42, 42)}) == {
        "secondary_substances.1.substance": "duplicate_substance"
    }


def test_each_item_of_a_secondary_substance_is_checked_in_place():
    items = [
        {"substance": 42, "route": 9},
        {"substance": 71, "frequency": 2, "age_first_use": 50},
        {"route": 2},
        {"substance": 80, "colour": "red"},
    ]
    assert problems_of({"secondary_substances": items}) == {
        "secondary_substances.0.route": "unknown_code",
        "secondary_substances.1.age_first_use": "age_above_client_age",
        "secondary_substances.2.substance": "substance_required",
        "secondary_substances.3.colour": "unknown_field",
    }


def test_not_known_is_not_a_secondary_substance_but_alcohol_is():
    """TDI: alcohol is recorded alongside a drug, never as the primary substance."""
    assert problems_of({"secondary_substances": secondaries(99)}) == {
        "secondary_substances.0.substance": "unknown_code"
    }
    assert problems_of({"secondary_substances": secondaries(80)}) == {}
    assert problems_of({"primary_substance": 80}) == {"primary_substance": "alcohol_not_primary"}


def test_secondary_substances_must_be_a_list_of_objects():
    assert problems_of({"secondary_substances": "heroin"}) == {"secondary_substances": "not_a_list"}
    assert problems_of({"secondary_substances": [42]}) == {
        "secondary_substances.0": "not_an_object"
    }


# --- Consistency ----------------------------------------------------------------------------


def test_route_frequency_and_age_need_the_primary_substance():
    assert problems_of({"primary_substance": None, "secondary_substances": []}) == {
        "primary_substance": "primary_required"
    }


def test_someone_who_never_injected_has_no_injecting_history():
    never = {"ever_injected": 1, "primary_route": 2}
    assert problems_of({**never, "age_first_injection": None, "ever_shared_equipment": 1}) == {}
    assert problems_of(never) == {
        "age_first_injection": "inconsistent",
        "ever_shared_equipment": "inconsistent",
    }
    assert problems_of(
        {"ever_injected": 1, "age_first_injection": None, "ever_shared_equipment": None}
    ) == {"ever_injected": "inconsistent"}  # heroin is injected (route 1)


def test_an_age_at_first_substitution_needs_substitution():
    assert problems_of({"opioid_substitution_ever": 2}) == {
        "opioid_substitution_age_first": "inconsistent"
    }
    assert problems_of({"opioid_substitution_ever": 2, "opioid_substitution_age_first": 99}) == {}


# --- Stored with the assessment -------------------------------------------------------------


def answer_everything(question_set: Any) -> dict[str, Any]:
    sample = {"text": "x", "bool": True, "number": 1, "date": "2026-11-20"}
    return {
        q["key"]: q["choices"][0]["value"] if q["type"] == "choice" else sample[q["type"]]
        for q in question_set.questions
    }


@pytest.fixture
def assessment(dk_episode, counsellor):
    return services.assessment_start(episode=dk_episode, actor=counsellor)


def test_the_intake_is_stored_with_the_assessment(assessment, counsellor):
    client_age = assessment.episode.client.age_on(assessment.conducted_on)
    data = {**VALID, "primary_age_first_use": client_age}
    intake = services.assessment_save_tdi(assessment=assessment, actor=counsellor, data=data)
    intake.refresh_from_db()
    assert intake.primary_substance == tdi.Substance.HEROIN
    assert intake.primary_age_first_use == client_age
    assert intake.injected_last_30_days == tdi.YesNo.YES
    assert intake.secondary_substances[0] == {
        "substance": 42,
        "route": 3,
        "frequency": 2,
        "age_first_use": 19,
    }
    assert EpisodeEvent.objects.filter(kind="tdi").count() == 1


def test_saving_again_replaces_every_item(assessment, counsellor):
    """All items are given each time: an item left out is not asked (None)."""
    services.assessment_save_tdi(assessment=assessment, actor=counsellor, data=VALID)
    services.assessment_save_tdi(
        assessment=assessment, actor=counsellor, data={"previously_treated": 1}
    )
    intake = TdiIntake.objects.get(assessment=assessment)
    assert intake.previously_treated == 1
    assert intake.primary_substance is None
    assert intake.secondary_substances == []
    assert intake.nationality == ""


def test_an_invalid_intake_is_refused_whole_with_every_field_and_writes_nothing(
    assessment, counsellor
):
    # Given a stored intake
    services.assessment_save_tdi(assessment=assessment, actor=counsellor, data=VALID)
    client_age = assessment.episode.client.age_on(assessment.conducted_on)
    before = (EpisodeEvent.objects.count(), LogEntry.objects.count())
    # When an intake with several problems is saved
    bad = {**VALID, "referral_source": 42, "primary_age_first_use": client_age + 1}
    bad["secondary_substances"] = secondaries(21, 31, 42, 71, 80)
    with pytest.raises(ValidationFailed) as caught:
        services.assessment_save_tdi(assessment=assessment, actor=counsellor, data=bad)
    # Then it is refused with every field, and the stored intake is unchanged
    error = caught.value
    assert error.code == "tdi_invalid"
    assert {k: v["code"] for k, v in error.details["fields"].items()} == {
        "referral_source": "unknown_code",
        "primary_age_first_use": "age_above_client_age",
        "secondary_substances": "too_many_secondary",
    }
    assert error.field in error.details["fields"]
    assert (EpisodeEvent.objects.count(), LogEntry.objects.count()) == before
    assert TdiIntake.objects.get(assessment=assessment).referral_source == VALID["referral_source"]


def test_the_intake_may_be_coded_after_completion_but_not_after_the_episode_ended(
    assessment, counsellor
):
    """TDI items are often coded afterwards; an ended episode takes no more records."""
    services.assessment_save_answers(
        assessment=assessment, actor=counsellor, answers=answer_everything(assessment.question_set)
    )
    services.assessment_complete(assessment=assessment, actor=counsellor)
    services.assessment_save_tdi(assessment=assessment, actor=counsellor, data=VALID)
    episode_withdraw(episode=assessment.episode, actor=counsellor, reason="Moved away")
    with pytest.raises(Conflict) as caught:
        services.assessment_save_tdi(assessment=assessment, actor=counsellor, data={})
    assert caught.value.code == "episode_closed"


def test_the_clients_age_at_the_assessment_bounds_the_ages(
    org_dk, make_client, open_episode, counsellor
):
    """A client of 20 cannot have started at 21."""
    today = TODAY
    # Born 20 years and some months before the declared day, so 20 on it (and not 21).
    born = (TODAY - relativedelta(years=21)) + datetime.timedelta(days=200)
    national_id = GENERATORS["DK"](born, "female", random.Random(1))
    client = make_client(org_dk, national_id=national_id)
    episode = open_episode(client)
    assessment = services.assessment_start(episode=episode, actor=counsellor, conducted_on=today)
    assert client.age_on(today) == 20
    with pytest.raises(ValidationFailed) as caught:
        services.assessment_save_tdi(
            assessment=assessment,
            actor=counsellor,
            data={"primary_substance": 71, "primary_age_first_use": 21},
        )
    assert caught.value.details["fields"]["primary_age_first_use"]["code"] == (
        "age_above_client_age"
    )
    services.assessment_save_tdi(
        assessment=assessment,
        actor=counsellor,
        data={"primary_substance": 71, "primary_age_first_use": 20},
    )
