"""National identifiers, validated with python-stdnum for the organisation's jurisdiction.

Pure functions: no ORM. Every refusal carries a stable code and a message naming what is
wrong, so the form and the API tell the same thing.

Danish CPR: the modulus-11 check is *not* enforced. The CPR office stopped guaranteeing it in
2007 (numbers without it are issued), so refusing them would refuse real people; stdnum does
the same. Bedring's synthetic CPR numbers still satisfy modulus 11.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.be import nn as be_nn
from stdnum.dk import cpr as dk_cpr
from stdnum.no import fodselsnummer as no_fnr

ASCII_DIGITS = frozenset("0123456789")
# What people type between the groups of digits: spaces, hyphens (also the dashes a word
# processor puts in), dots and slashes (the Belgian "85.07.30-033.28"). Compared after NFKC,
# which already turns full-width and no-break forms of these into the ASCII ones.
SEPARATORS = frozenset(" -./\u2010\u2011\u2012\u2013\u2014\u2212")
# Longer than any identifier written with a separator between every digit: anything longer is
# refused before it is normalised.
MAX_INPUT = 40

Kind = Literal["dk_cpr", "no_fnr", "no_dnr", "be_nn"]
Sex = Literal["female", "male"]

KIND_LABELS: dict[str, Promise] = {
    "dk_cpr": _("Danish CPR number"),
    "no_fnr": _("Norwegian national identity number"),
    "no_dnr": _("Norwegian D-number"),
    "be_nn": _("Belgian national number"),
}
JURISDICTION_KIND = {"DK": "dk_cpr", "NO": "no_fnr", "BE": "be_nn"}


class IdentifierError(ValueError):
    def __init__(self, code: str, message: str | Promise) -> None:
        super().__init__(str(message))
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ParsedIdentifier:
    kind: Kind
    value: str
    birth_date: datetime.date | None
    sex: Sex | None

    @property
    def display(self) -> str:
        return format_identifier(self.kind, self.value)


def _sex(letter: str) -> Sex:
    return "male" if letter == "M" else "female"


def normalise_identifier(raw: str, label: str | Promise | None = None) -> str:
    """The ASCII digits of an identifier as typed: the one normalisation of every entry point
    (register, update, form, API, search, duplicate check).

    NFKC first, so full-width (``１６０６００４１６４``) and other compatibility forms of 0-9
    become the digits they are; then the separators in :data:`SEPARATORS` are dropped. What
    remains must be ASCII 0-9. Digits of another script (Arabic-Indic ``٠١٢``, Devanagari
    ``०१२``), which NFKC leaves alone, are refused with ``id_digit_script`` rather than mapped
    (docs/architecture.md, "Decisions where the sources are silent"); anything else that is
    not a digit (letters, NUL) with ``id_format``; input longer than :data:`MAX_INPUT`
    characters with ``id_length``, before any work is done on it.
    """
    label = label or _("national identifier")
    raw = raw.strip()
    if len(raw) > MAX_INPUT:
        raise IdentifierError(
            "id_length", _("This is too long for a %(label)s.") % {"label": label}
        )
    text = unicodedata.normalize("NFKC", raw)
    value = "".join(ch for ch in text if ch not in SEPARATORS and not ch.isspace())
    if all(ch in ASCII_DIGITS for ch in value):
        return value
    if all(ch in ASCII_DIGITS or unicodedata.decimal(ch, None) is not None for ch in value):
        raise IdentifierError(
            "id_digit_script",
            _("Type the %(label)s with the digits 0 to 9: it has digits of another script.")
            % {"label": label},
        )
    raise IdentifierError("id_format", _("A %(label)s has digits only.") % {"label": label})


def identifier_query(query: str) -> str | None:
    """The ASCII digits of a search that is an identifier or a part of one (only digits and
    separators), or None for a search by name or code. Raises :class:`IdentifierError`
    ``id_digit_script`` for digits of another script, as :func:`normalise_identifier` does."""
    try:
        return normalise_identifier(query) or None
    except IdentifierError as exc:
        if exc.code == "id_digit_script":
            raise
        return None


def _parse_dk(value: str) -> ParsedIdentifier:
    dk_cpr.validate(value)
    # Odd last digit: male (CPR-loven); stdnum has no helper for it.
    sex: Sex = "male" if int(value[-1]) % 2 else "female"
    return ParsedIdentifier("dk_cpr", value, dk_cpr.get_birth_date(value), sex)


def _parse_no(value: str) -> ParsedIdentifier:
    no_fnr.validate(value)
    kind: Kind = "no_dnr" if int(value[0]) >= 4 else "no_fnr"
    return ParsedIdentifier(
        kind, value, no_fnr.get_birth_date(value), _sex(no_fnr.get_gender(value))
    )


def _parse_be(value: str) -> ParsedIdentifier:
    be_nn.validate(value)
    return ParsedIdentifier(
        "be_nn", value, be_nn.get_birth_date(value), _sex(be_nn.get_gender(value))
    )


PARSERS: dict[str, Callable[[str], ParsedIdentifier]] = {
    "DK": _parse_dk,
    "NO": _parse_no,
    "BE": _parse_be,
}
LENGTHS = {"DK": 10, "NO": 11, "BE": 11}


def parse_identifier(raw: str, jurisdiction: str, today: datetime.date) -> ParsedIdentifier:
    """Validate ``raw`` as the national identifier of ``jurisdiction``.

    Raises :class:`IdentifierError` with codes: ``id_format``, ``id_digit_script``,
    ``id_length``, ``id_checksum``, ``id_date``, ``id_future``, ``id_other_jurisdiction``.
    The value of the result is ASCII digits only (:func:`normalise_identifier`).
    """
    label = KIND_LABELS[JURISDICTION_KIND[jurisdiction]]
    value = normalise_identifier(raw, label)
    if not value:
        raise IdentifierError("id_format", _("A %(label)s has digits only.") % {"label": label})
    if len(value) != LENGTHS[jurisdiction]:
        other = _valid_elsewhere(value, jurisdiction, today)
        if other:
            raise other
        raise IdentifierError(
            "id_length",
            _("A %(label)s has %(n)d digits; this has %(got)d.")
            % {"label": label, "n": LENGTHS[jurisdiction], "got": len(value)},
        )
    try:
        parsed = PARSERS[jurisdiction](value)
    except stdnum_errors.InvalidChecksum as exc:
        other = _valid_elsewhere(value, jurisdiction, today)
        if other:
            raise other from exc
        if jurisdiction == "BE" and _be_checks_as_born_after_2000(value):
            # stdnum tries the 2000s reading of a Belgian number only up to the current year,
            # so check digits that fit a later year mean a future birth date, not a typo.
            raise IdentifierError(
                "id_future",
                _("This %(label)s gives a birth date in the future.") % {"label": label},
            ) from exc
        raise IdentifierError(
            "id_checksum",
            _("The check digits of this %(label)s do not match: please check for a typo.")
            % {"label": label},
        ) from exc
    except stdnum_errors.ValidationError as exc:
        other = _valid_elsewhere(value, jurisdiction, today)
        if other:
            raise other from exc
        if "not been born" in str(exc):
            raise IdentifierError(
                "id_future",
                _("This %(label)s gives a birth date in the future.") % {"label": label},
            ) from exc
        raise IdentifierError(
            "id_date",
            _("This %(label)s does not contain a real birth date.") % {"label": label},
        ) from exc
    if parsed.birth_date and parsed.birth_date > today:
        raise IdentifierError(
            "id_future", _("This %(label)s gives a birth date in the future.") % {"label": label}
        )
    return parsed


def _be_checks_as_born_after_2000(value: str) -> bool:
    return 97 - int("2" + value[:9]) % 97 == int(value[9:])


def _valid_elsewhere(value: str, jurisdiction: str, today: datetime.date) -> IdentifierError | None:
    for other, parser in PARSERS.items():
        if other == jurisdiction or len(value) != LENGTHS[other]:
            continue
        try:
            parsed = parser(value)
        except stdnum_errors.ValidationError:
            continue
        if parsed.birth_date and parsed.birth_date > today:
            continue
        return IdentifierError(
            "id_other_jurisdiction",
            _("This is a valid %(found)s, but this organisation uses the %(expected)s.")
            % {
                "found": KIND_LABELS[parsed.kind],
                "expected": KIND_LABELS[JURISDICTION_KIND[jurisdiction]],
            },
        )
    return None


def format_identifier(kind: str, value: str) -> str:
    if kind == "dk_cpr":
        return dk_cpr.format(value)
    if kind == "be_nn":
        return be_nn.format(value)
    if kind in ("no_fnr", "no_dnr"):
        return f"{value[:6]} {value[6:]}"
    return value


BIRTH_DATE_DIGITS = 6  # DDMMYY (DK, NO; a D-number adds 4 to the day) and YYMMDD (BE)
MASK = "*"


def mask_identifier(kind: str, value: str) -> str:
    """The identifier as a list shows it: the birth-date part only, every other digit masked,
    the country's separators kept: ``010190-****`` (DK), ``010190 *****`` (NO),
    ``85.07.30-***.**`` (BE). The whole identifier is shown once the record is opened."""
    shown = format_identifier(kind, value)
    seen = 0
    masked = []
    for ch in shown:
        if ch.isdigit():
            seen += 1
            masked.append(ch if seen <= BIRTH_DATE_DIGITS else MASK)
        else:
            masked.append(ch)
    return "".join(masked)
