"""National identifiers (bedring.clients.identifiers.parse_identifier), PRV-1.

Pure tests: no database. Every number is built by bedring.synthetic.people, never a real
person's; checksum failures are made by changing one digit of a valid synthetic number.
"""

from __future__ import annotations

import datetime
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.be import nn as stdnum_be_nn
from stdnum.dk import cpr as stdnum_dk_cpr
from stdnum.no import fodselsnummer as stdnum_no_fnr

from bedring.clients.identifiers import IdentifierError, parse_identifier
from bedring.synthetic import people

TODAY = datetime.date(2026, 11, 23)
LABELS = {
    "DK": "Danish CPR number",
    "NO": "Norwegian national identity number",
    "BE": "Belgian national number",
}


def refusal(raw: str, jurisdiction: str) -> IdentifierError:
    with pytest.raises(IdentifierError) as caught:
        parse_identifier(raw, jurisdiction, TODAY)
    return caught.value


def change_digit(number: str, position: int) -> str:
    """The same number with one digit replaced by the next one (9 becomes 0)."""
    digit = str((int(number[position]) + 1) % 10)
    return number[:position] + digit + number[position + 1 :]


def no_with_check_digits(base: str) -> str | None:
    """Append the two Norwegian check digits to nine digits; None when no valid pair exists."""
    k1 = (11 - sum(w * int(d) for w, d in zip(people.FNR_W1, base, strict=True)) % 11) % 11
    if k1 == 10:
        return None
    with_k1 = base + str(k1)
    k2 = (11 - sum(w * int(d) for w, d in zip(people.FNR_W2, with_k1, strict=True)) % 11) % 11
    if k2 == 10:
        return None
    return with_k1 + str(k2)


def synthetic_d_number(birth: datetime.date, sex: str) -> str:
    """A Norwegian D-number: a fødselsnummer with 40 added to the day, check digits redone."""
    for seed in range(100):
        fnr = people.no_fnr(birth, sex, random.Random(seed))
        d_number = no_with_check_digits(str(int(fnr[0]) + 4) + fnr[1:9])
        if d_number is not None:
            return d_number
    raise AssertionError("no D-number with valid check digits in 100 tries")


# --- Valid identifiers: kind, birth date and sex ----------------------------------------------


@pytest.mark.parametrize(
    ("jurisdiction", "kind", "birth", "sex"),
    [
        ("DK", "dk_cpr", datetime.date(1990, 2, 14), "female"),
        ("DK", "dk_cpr", datetime.date(1958, 9, 1), "male"),
        ("DK", "dk_cpr", datetime.date(2004, 12, 31), "male"),
        ("NO", "no_fnr", datetime.date(1985, 7, 3), "male"),
        ("NO", "no_fnr", datetime.date(2001, 1, 20), "female"),
        ("BE", "be_nn", datetime.date(1977, 5, 9), "male"),
        ("BE", "be_nn", datetime.date(2003, 12, 31), "female"),
    ],
)
def test_a_valid_identifier_gives_its_kind_birth_date_and_sex(
    jurisdiction: str, kind: str, birth: datetime.date, sex: str
) -> None:
    """PRV-1: the birth date and sex are derived from the identifier."""
    # Given a synthetic identifier of the organisation's jurisdiction
    number = people.GENERATORS[jurisdiction](birth, sex, random.Random(11))

    # When it is parsed
    parsed = parse_identifier(number, jurisdiction, TODAY)

    # Then kind, birth date and sex are those it was built from
    assert parsed.kind == kind
    assert parsed.value == number
    assert parsed.birth_date == birth
    assert parsed.sex == sex


@pytest.mark.parametrize("sex", ["female", "male"])
def test_a_norwegian_d_number_is_recognised_as_a_d_number(sex: str) -> None:
    """PRV-1: a D-number (day + 40) is accepted in Norway, with the real birth day."""
    # Given a D-number for someone born on 5 March 1980
    d_number = synthetic_d_number(datetime.date(1980, 3, 5), sex)
    assert d_number.startswith("45")

    # When it is parsed in a Norwegian organisation
    parsed = parse_identifier(d_number, "NO", TODAY)

    # Then it is a D-number with the birth date without the 40 added
    assert parsed.kind == "no_dnr"
    assert parsed.birth_date == datetime.date(1980, 3, 5)
    assert parsed.sex == sex


def test_separators_are_ignored_and_the_value_is_stored_compact() -> None:
    """PRV-1: '140290-1582' and '1402901582' are the same CPR number."""
    # Given a CPR number typed with its usual dash and stray spaces
    number = people.dk_cpr(datetime.date(1990, 2, 14), "female", random.Random(3))
    typed = f" {number[:6]}-{number[6:]} "

    # When it is parsed
    parsed = parse_identifier(typed, "DK", TODAY)

    # Then the value is the ten digits and the display has the dash back
    assert parsed.value == number
    assert parsed.display == f"{number[:6]}-{number[6:]}"


def test_a_belgian_number_typed_with_dots_is_accepted() -> None:
    # Given a Belgian national number in its printed form 'YY.MM.DD-SSS.CC'
    number = people.be_nn(datetime.date(1977, 5, 9), "male", random.Random(5))
    typed = f"{number[0:2]}.{number[2:4]}.{number[4:6]}-{number[6:9]}.{number[9:]}"

    # When it is parsed
    parsed = parse_identifier(typed, "BE", TODAY)

    # Then it is the same number, shown in the printed form again
    assert parsed.value == number
    assert parsed.display == typed


def test_a_cpr_number_without_the_old_modulus_11_check_is_still_accepted() -> None:
    """PRV-1: the CPR office issues numbers without modulus 11 since 2007; refusing them
    would refuse real people."""
    # Given a CPR number whose last digit is changed by two (same sex, modulus 11 broken)
    number = people.dk_cpr(datetime.date(1970, 4, 1), "male", random.Random(2))
    last = (int(number[-1]) + 2) % 10
    changed = number[:-1] + str(last)
    assert stdnum_dk_cpr.checksum(changed) != 0

    # When it is parsed
    parsed = parse_identifier(changed, "DK", TODAY)

    # Then it is accepted with its birth date and sex
    assert parsed.birth_date == datetime.date(1970, 4, 1)
    assert parsed.sex == "male"


# --- Refusals: format, length, check digits ---------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "jurisdiction"),
    [("14029O1582", "DK"), ("cpr", "DK"), ("0307854332x", "NO"), ("77.05.09-OO1.23", "BE")],
)
def test_letters_are_refused_with_id_format(raw: str, jurisdiction: str) -> None:
    """PRV-1: an identifier has digits only."""
    # When something with letters is given as an identifier
    error = refusal(raw, jurisdiction)

    # Then it is refused as the wrong format, naming the expected identifier
    assert error.code == "id_format"
    assert LABELS[jurisdiction] in str(error.message)


@pytest.mark.parametrize(
    ("raw", "jurisdiction", "expected", "got"),
    [
        ("14029015", "DK", 10, 8),
        ("140290158212", "DK", 10, 12),
        ("1234567890", "NO", 11, 10),
        ("850730033", "BE", 11, 9),
    ],
)
def test_a_wrong_number_of_digits_is_refused_with_id_length(
    raw: str, jurisdiction: str, expected: int, got: int
) -> None:
    """PRV-1: the message says how many digits are expected and how many were given."""
    # When an identifier with too few or too many digits is given
    error = refusal(raw, jurisdiction)

    # Then it is refused for its length, with both numbers in the message
    assert error.code == "id_length"
    assert f"has {expected} digits; this has {got}" in str(error.message)


@pytest.mark.parametrize("position", [0, 6, 8, 9, 10])
def test_a_mistyped_norwegian_number_is_refused_with_id_checksum(position: int) -> None:
    """PRV-1: the two check digits of a fødselsnummer catch a typo."""
    # Given a valid fødselsnummer with one digit changed
    number = people.no_fnr(datetime.date(1985, 7, 3), "male", random.Random(4))
    typo = change_digit(number, position)

    # When it is parsed in a Norwegian organisation
    error = refusal(typo, "NO")

    # Then the check digits are reported as not matching
    assert error.code == "id_checksum"
    assert "check digits" in str(error.message)


@pytest.mark.parametrize("position", [0, 3, 7, 10])
def test_a_mistyped_belgian_number_is_refused_with_id_checksum(position: int) -> None:
    """PRV-1: the modulus-97 check of a national number catches a typo."""
    # Given a valid Belgian national number with one digit changed
    number = people.be_nn(datetime.date(1977, 5, 9), "female", random.Random(8))
    typo = change_digit(number, position)

    # When it is parsed in a Belgian organisation
    error = refusal(typo, "BE")

    # Then the check digits are reported as not matching
    assert error.code == "id_checksum"
    assert "Belgian national number" in str(error.message)


# --- Refusals: the birth date -----------------------------------------------------------------


@pytest.mark.parametrize("raw", ["3002901234", "300290-1234", "3113850123", "0000001234"])
def test_a_cpr_number_with_an_impossible_date_is_refused_with_id_date(raw: str) -> None:
    """PRV-1: 30 February, a 13th month or day 0 is no one's birthday."""
    # When a CPR number with an impossible birth date is given
    error = refusal(raw, "DK")

    # Then it is refused for its date
    assert error.code == "id_date"
    assert "real birth date" in str(error.message)


def test_a_norwegian_number_with_valid_check_digits_but_an_impossible_date_gives_id_date() -> None:
    # Given '300290' (30 February 1990) with correct check digits
    number = next(
        n
        for n in (no_with_check_digits(f"300290{i:03d}") for i in range(100, 200))
        if n is not None
    )

    # When it is parsed in a Norwegian organisation
    error = refusal(number, "NO")

    # Then the date, not the check digits, is named as the problem
    assert error.code == "id_date"


@pytest.mark.parametrize("jurisdiction", ["DK", "NO", "BE"])
@pytest.mark.parametrize(
    "birth",
    [datetime.date(2026, 11, 24), datetime.date(2026, 12, 31), datetime.date(2030, 6, 15)],
)
def test_a_birth_date_after_today_is_refused_with_id_future(
    jurisdiction: str, birth: datetime.date
) -> None:
    """PRV-1: a number for someone not yet born is a typo or made up."""
    # Given a well-formed identifier whose birth date is after 23 November 2026
    number = people.GENERATORS[jurisdiction](birth, "female", random.Random(9))

    # When it is parsed on 23 November 2026
    error = refusal(number, jurisdiction)

    # Then it is refused because the birth date is in the future
    assert error.code == "id_future"
    assert "future" in str(error.message)


def test_someone_born_today_is_accepted() -> None:
    # Given a CPR number for someone born on the day itself
    number = people.dk_cpr(TODAY, "male", random.Random(1))

    # When it is parsed that day
    parsed = parse_identifier(number, "DK", TODAY)

    # Then it is accepted: today is not the future
    assert parsed.birth_date == TODAY


# --- Refusals: a valid identifier of another jurisdiction -------------------------------------


@pytest.mark.parametrize(
    ("issued_in", "entered_in"),
    [("BE", "NO"), ("DK", "BE"), ("DK", "NO"), ("NO", "DK"), ("NO", "BE"), ("BE", "DK")],
)
def test_a_valid_identifier_of_another_country_is_refused_with_id_other_jurisdiction(
    issued_in: str, entered_in: str
) -> None:
    """PRV-1: say what the number is, rather than call a valid number a typo."""
    # Given a valid identifier of one country
    number = people.GENERATORS[issued_in](datetime.date(1982, 10, 17), "male", random.Random(6))

    # When it is entered in an organisation of another country
    error = refusal(number, entered_in)

    # Then the message names what the number is and what the organisation registers
    assert error.code == "id_other_jurisdiction"
    assert f"valid {LABELS[issued_in]}" in str(error.message)
    assert LABELS[entered_in] in str(error.message)


# --- Properties of the synthetic identifiers --------------------------------------------------

BIRTH_DATES = st.dates(datetime.date(1900, 1, 1), datetime.date(2025, 12, 31))
SEXES = st.sampled_from(["female", "male"])
SEEDS = st.integers(min_value=0, max_value=2**32)
STDNUM_SEX = {"F": "female", "M": "male"}


@given(birth=BIRTH_DATES, sex=SEXES, seed=SEEDS)
def test_synthetic_cpr_numbers_are_valid_cpr_numbers(
    birth: datetime.date, sex: str, seed: int
) -> None:
    """PRV-1: synthetic Danish clients have CPR numbers stdnum and Bedring accept."""
    # Given a synthetic CPR number
    number = people.dk_cpr(birth, sex, random.Random(seed))

    # Then python-stdnum accepts it with the same birth date, and so does Bedring
    assert stdnum_dk_cpr.validate(number) == number
    assert stdnum_dk_cpr.get_birth_date(number) == birth
    parsed = parse_identifier(number, "DK", TODAY)
    assert (parsed.kind, parsed.birth_date, parsed.sex) == ("dk_cpr", birth, sex)
    # And the old modulus-11 check holds too
    assert stdnum_dk_cpr.checksum(number) == 0


@given(birth=BIRTH_DATES, sex=SEXES, seed=SEEDS)
def test_synthetic_fodselsnumre_are_valid_fodselsnumre(
    birth: datetime.date, sex: str, seed: int
) -> None:
    """PRV-1: synthetic Norwegian clients have fødselsnumre stdnum and Bedring accept."""
    # Given a synthetic fødselsnummer
    number = people.no_fnr(birth, sex, random.Random(seed))

    # Then python-stdnum accepts it with the same birth date and sex, and so does Bedring
    assert stdnum_no_fnr.validate(number) == number
    assert stdnum_no_fnr.get_birth_date(number) == birth
    assert STDNUM_SEX[stdnum_no_fnr.get_gender(number)] == sex
    parsed = parse_identifier(number, "NO", TODAY)
    assert (parsed.kind, parsed.birth_date, parsed.sex) == ("no_fnr", birth, sex)


@given(birth=BIRTH_DATES, sex=SEXES, seed=SEEDS)
def test_synthetic_belgian_numbers_are_valid_national_numbers(
    birth: datetime.date, sex: str, seed: int
) -> None:
    """PRV-1: synthetic Belgian clients have national numbers stdnum and Bedring accept."""
    # Given a synthetic Belgian national number
    number = people.be_nn(birth, sex, random.Random(seed))

    # Then python-stdnum accepts it with the same birth date and sex, and so does Bedring
    assert stdnum_be_nn.validate(number) == number
    assert stdnum_be_nn.get_birth_date(number) == birth
    assert STDNUM_SEX[stdnum_be_nn.get_gender(number)] == sex
    parsed = parse_identifier(number, "BE", TODAY)
    assert (parsed.kind, parsed.birth_date, parsed.sex) == ("be_nn", birth, sex)
