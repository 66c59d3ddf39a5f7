"""Synthetic people for the demo, the tests and the benchmark: no real personal data anywhere.

Identifiers are generated to pass python-stdnum's validation for their jurisdiction (and, for
Danish CPR numbers, the old modulus-11 check as well), with a birth date and sex that agree.
Deterministic for a given ``random.Random``.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

FIRST_NAMES = {
    "DK": {
        "female": [
            "Anne",
            "Mette",
            "Sofie",
            "Ida",
            "Camilla",
            "Louise",
            "Maja",
            "Freja",
            "Line",
            "Signe",
        ],
        "male": [
            "Lars",
            "Søren",
            "Mikkel",
            "Rasmus",
            "Jesper",
            "Frederik",
            "Anders",
            "Mads",
            "Kasper",
            "Jonas",
        ],
    },
    "NO": {
        "female": [
            "Ingrid",
            "Kari",
            "Nora",
            "Emma",
            "Silje",
            "Marte",
            "Hanne",
            "Tone",
            "Ingeborg",
            "Ragnhild",
        ],
        "male": [
            "Ola",
            "Lars",
            "Knut",
            "Håkon",
            "Sindre",
            "Eirik",
            "Jostein",
            "Magnus",
            "Torbjørn",
            "Vegard",
        ],
    },
    "BE": {
        "female": [
            "Lotte",
            "Elke",
            "Sofie",
            "Annelies",
            "Griet",
            "Lien",
            "Marieke",
            "Nele",
            "Katrien",
            "Hanne",
        ],
        "male": [
            "Pieter",
            "Wout",
            "Bram",
            "Jens",
            "Thomas",
            "Koen",
            "Stijn",
            "Ruben",
            "Dries",
            "Joris",
        ],
    },
}
LAST_NAMES = {
    "DK": [
        "Nielsen",
        "Jensen",
        "Hansen",
        "Pedersen",
        "Andersen",
        "Christensen",
        "Larsen",
        "Sørensen",
        "Rasmussen",
        "Jørgensen",
        "Madsen",
        "Kristensen",
    ],
    "NO": [
        "Hansen",
        "Johansen",
        "Olsen",
        "Larsen",
        "Andersen",
        "Pedersen",
        "Nilsen",
        "Kristiansen",
        "Jensen",
        "Karlsen",
        "Berg",
        "Haugen",
    ],
    "BE": [
        "Peeters",
        "Janssens",
        "Maes",
        "Jacobs",
        "Mertens",
        "Willems",
        "Claes",
        "Goossens",
        "Wouters",
        "De Smet",
        "Vermeulen",
        "Desmet",
    ],
}
CITIES = {
    "DK": [("6400", "Sønderborg"), ("5610", "Assens"), ("5000", "Odense C"), ("8000", "Aarhus C")],
    "NO": [("4306", "Sandnes"), ("4307", "Sandnes"), ("4313", "Sandnes")],
    "BE": [("8400", "Oostende"), ("8800", "Roeselare"), ("8500", "Kortrijk")],
}
STREETS = {
    "DK": ["Storegade", "Skolevej", "Østergade", "Parkvej", "Møllevej"],
    "NO": ["Storgata", "Skolegata", "Kirkeveien", "Langgata", "Parkveien"],
    "BE": ["Kerkstraat", "Stationsstraat", "Dorpsstraat", "Nieuwstraat", "Molenstraat"],
}

CPR_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
FNR_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
FNR_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def dk_cpr(birth: datetime.date, sex: str, rng: random.Random) -> str:
    if not 1900 <= birth.year <= 2036:
        raise ValueError("synthetic CPR numbers cover 1900-2036")
    head = birth.strftime("%d%m%y")
    century_digit = "4" if birth.year >= 2000 else str(rng.randint(0, 3))
    while True:
        tail = century_digit + f"{rng.randint(0, 999):03d}"
        number = head + tail
        male = int(number[-1]) % 2 == 1
        if male != (sex == "male"):
            continue
        if sum(w * int(d) for w, d in zip(CPR_WEIGHTS, number, strict=True)) % 11 == 0:
            return number


def no_fnr(birth: datetime.date, sex: str, rng: random.Random) -> str:
    if not 1900 <= birth.year <= 2039:
        raise ValueError("synthetic fødselsnumre cover 1900-2039")
    head = birth.strftime("%d%m%y")
    low, high = (0, 499) if birth.year < 2000 else (500, 999)
    while True:
        individual = f"{rng.randint(low, high):03d}"
        if (int(individual[2]) % 2 == 1) != (sex == "male"):
            continue
        base = head + individual
        k1 = (11 - sum(w * int(d) for w, d in zip(FNR_W1, base, strict=True)) % 11) % 11
        if k1 == 10:
            continue
        k2 = (11 - sum(w * int(d) for w, d in zip(FNR_W2, base + str(k1), strict=True)) % 11) % 11
        if k2 == 10:
            continue
        return base + str(k1) + str(k2)


def be_nn(birth: datetime.date, sex: str, rng: random.Random) -> str:
    head = birth.strftime("%y%m%d")
    serial = rng.randrange(1, 998, 2) if sex == "male" else rng.randrange(2, 997, 2)
    base = head + f"{serial:03d}"
    check = 97 - (int(("2" + base) if birth.year >= 2000 else base) % 97)
    return base + f"{check:02d}"


GENERATORS = {"DK": dk_cpr, "NO": no_fnr, "BE": be_nn}


@dataclass(frozen=True)
class SyntheticPerson:
    first_name: str
    last_name: str
    birth_date: datetime.date
    sex: str
    national_id: str
    phone: str
    address: str
    postal_code: str
    city: str


def synthetic_person(
    jurisdiction: str,
    rng: random.Random,
    *,
    today: datetime.date,
    min_age: int = 18,
    max_age: int = 70,
) -> SyntheticPerson:
    sex = rng.choice(["female", "male"])
    age_days = rng.randint(min_age * 365 + 5, max_age * 365)
    birth = today - datetime.timedelta(days=age_days)
    postal_code, city = rng.choice(CITIES[jurisdiction])
    return SyntheticPerson(
        first_name=rng.choice(FIRST_NAMES[jurisdiction][sex]),
        last_name=rng.choice(LAST_NAMES[jurisdiction]),
        birth_date=birth,
        sex=sex,
        national_id=GENERATORS[jurisdiction](birth, sex, rng),
        # Numbers in ranges that are not assigned to subscribers (fiction, as on television),
        # of the length a number of the country has (phonenumbers checks it, APT-3).
        phone={"DK": "+45 20 00 0", "NO": "+47 400 00 ", "BE": "+32 470 00 "}[jurisdiction]
        + f"{rng.randint(0, 999):03d}",
        address=f"{rng.choice(STREETS[jurisdiction])} {rng.randint(1, 120)}",
        postal_code=postal_code,
        city=city,
    )
