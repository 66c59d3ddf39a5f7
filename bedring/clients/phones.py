"""A client's phone number and e-mail address as typed, checked and stored (APT-3).

A phone number is read with the ``phonenumbers`` library in the organisation's jurisdiction
(``DK``, ``NO`` and ``BE`` are also the ISO region codes), so a national number needs no
country code and a foreign one is typed with its ``+``. It is stored in the international
format (``+45 20 00 01 23``): one spelling for people to read and for the SMS provider to turn
into E.164. Digits of another script are refused, as for identifiers (docs/architecture.md).

A number the library cannot place in an allocated range is kept (its metadata lags behind new
ranges, and the demo uses unallocated fiction ranges); only a number of the wrong length is
refused. SMS reminders also refuse a number known to be a landline or a service number.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from bedring.core.errors import ValidationFailed

MAX_PHONE_LENGTH = 40
MAX_EMAIL_LENGTH = 254  # the column's length (RFC 5321's limit on a forward path)
# Digits, spaces, the usual separators and one leading plus; anything else is not a number.
PHONE_CHARACTERS = re.compile(r"\+?[0-9 ().\-/]+")
NOT_FOR_SMS = frozenset(
    {
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.UAN,
        PhoneNumberType.VOICEMAIL,
        PhoneNumberType.PAGER,
    }
)


def _parse(text: str, region: str) -> phonenumbers.PhoneNumber:
    try:
        return phonenumbers.parse(text, region)
    except NumberParseException as exc:
        raise ValidationFailed(
            "phone_unreadable",
            _(
                "This is not a phone number: type its digits, with + and the country code for a "
                "number from another country."
            ),
            field="phone",
        ) from exc


def normalise_phone(raw: str, region: str) -> str:
    """The number as it is stored (international format), or "" for no number. Refusals:
    ``phone_too_long``, ``phone_digit_script``, ``phone_characters``, ``phone_unreadable``,
    ``phone_length``."""
    if len(raw) > MAX_PHONE_LENGTH:
        raise ValidationFailed(
            "phone_too_long",
            _("A phone number has at most %(max)d characters.") % {"max": MAX_PHONE_LENGTH},
            field="phone",
        )
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return ""
    if any(ch.isdigit() and ch not in "0123456789" for ch in text):
        raise ValidationFailed(
            "phone_digit_script",
            _("Type the phone number with the digits 0-9."),
            field="phone",
        )
    if not PHONE_CHARACTERS.fullmatch(text):
        raise ValidationFailed(
            "phone_characters",
            _("A phone number has only digits, spaces, hyphens and a + before the country code."),
            field="phone",
        )
    number = _parse(text, region)
    if not phonenumbers.is_possible_number(number):
        code = number.country_code or 0
        country = phonenumbers.region_code_for_country_code(code)
        raise ValidationFailed(
            "phone_length",
            _(
                "This phone number has too few or too many digits for a number in %(country)s "
                "(+%(code)d)."
            )
            % {"country": country, "code": code},
            field="phone",
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def check_sms_number(phone: str, region: str) -> None:
    """An SMS reminder needs a number that can receive one: ``phone_not_mobile`` for a number
    the numbering plan knows as a landline or a service number."""
    number = _parse(phone, region)
    if phonenumbers.number_type(number) in NOT_FOR_SMS:
        raise ValidationFailed(
            "phone_not_mobile",
            _("This is a landline or service number: SMS reminders need a mobile number."),
            field="phone",
        )


def e164(phone: str, region: str) -> str:
    """The stored number as SMS providers want it: ``+4520000123``."""
    return phonenumbers.format_number(_parse(phone, region), PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    """The address as stored, or "" for none; ``email_invalid`` for anything Django's e-mail
    validator refuses."""
    text = raw.strip()
    if not text:
        return ""
    try:
        if len(text) > MAX_EMAIL_LENGTH:
            raise ValidationError("too long")
        validate_email(text)
    except ValidationError as exc:
        raise ValidationFailed(
            "email_invalid",
            _("This is not an e-mail address (name@example.org)."),
            field="email",
        ) from exc
    return text
