"""Writes about clients and the people around them. Keyword-only, typed, atomic; every write
is recorded with old and new values by django-auditlog in the same transaction."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation, User
from bedring.accounts.selectors import rules_for
from bedring.core import clock
from bedring.core.ages import age_on
from bedring.core.errors import Conflict, ValidationFailed

from .identifiers import IdentifierError, parse_identifier
from .models import (
    ChildAtHome,
    Client,
    Consent,
    ConsentGiver,
    IdentifierKind,
    Relative,
    ReminderChannel,
    ReminderLabel,
    Sex,
)
from .phones import check_sms_number, normalise_email, normalise_phone

ADULT_AGE = 18
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone
EARLIEST_BIRTH = datetime.date(1900, 1, 1)
CLIENT_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "phone",
    "email",
    "address",
    "postal_code",
    "city",
    "language",
)


def _new_code(organisation: Organisation) -> str:
    prefix = "".join(ch for ch in organisation.slug.upper() if ch.isalpha())[:3] or "BDR"
    for _attempt in range(20):
        code = prefix + "-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if not Client.objects.filter(organisation=organisation, code=code).exists():
            return code
    raise RuntimeError("could not find a free client code")  # 32**6 codes: never in practice


def _check_birth_date(birth_date: datetime.date | None, today: datetime.date) -> None:
    if birth_date is None:
        return
    if birth_date > today:
        raise ValidationFailed(
            "birth_date_future", _("The birth date is in the future."), field="birth_date"
        )
    if birth_date < EARLIEST_BIRTH:
        raise ValidationFailed(
            "birth_date_implausible", _("The birth date is before 1900."), field="birth_date"
        )


def _apply_identifier(
    client: Client, national_id: str, organisation: Organisation, today: datetime.date
) -> None:
    national_id = national_id.strip()
    if not national_id:
        client.identifier_kind = IdentifierKind.NONE
        client.national_id = ""
        return
    try:
        parsed = parse_identifier(national_id, organisation.jurisdiction, today)
    except IdentifierError as exc:
        raise ValidationFailed(exc.code, exc.message, field="national_id") from exc
    duplicate = (
        Client.objects.filter(organisation=organisation, national_id=parsed.value)
        .exclude(pk=client.pk)
        .first()
    )
    if duplicate is not None:
        raise Conflict(
            "duplicate_client",
            _("A client with this identifier is already registered: %(name)s (%(code)s).")
            % {"name": duplicate.display_name, "code": duplicate.code},
            field="national_id",
            details={"client": str(duplicate.uuid)},
        )
    if client.birth_date and parsed.birth_date and client.birth_date != parsed.birth_date:
        raise ValidationFailed(
            "birth_date_mismatch",
            _("The birth date does not match the one in the identifier (%(date)s).")
            % {"date": parsed.birth_date.isoformat()},
            field="birth_date",
        )
    client.identifier_kind = parsed.kind
    client.national_id = parsed.value
    client.birth_date = parsed.birth_date or client.birth_date
    if parsed.sex and client.sex in ("", Sex.UNKNOWN):
        client.sex = parsed.sex


def _check_names(client: Client) -> None:
    if client.anonymous:
        if client.national_id:
            raise ValidationFailed(
                "anonymous_with_identifier",
                _("An anonymous client has no national identifier."),
                field="national_id",
            )
        client.first_name = client.last_name = ""
    elif not (client.first_name.strip() or client.last_name.strip()):
        raise ValidationFailed(
            "name_required",
            _("Give a name, or register the client as anonymous."),
            field="last_name",
        )


def _save_unique(client: Client) -> Client:
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError as exc:
        # Two people registering the same person at the same moment: the constraint decides.
        duplicate = client.national_id and (
            Client.objects.filter(
                organisation_id=client.organisation_id, national_id=client.national_id
            )
            .exclude(pk=client.pk)
            .exists()
        )
        if duplicate:
            raise Conflict(
                "duplicate_client",
                _("A client with this identifier is already registered."),
                field="national_id",
            ) from exc
        raise ValidationFailed(
            "invalid_client", _("These details cannot be saved: a required value is missing.")
        ) from exc
    return client


@transaction.atomic
def client_register(
    *,
    organisation: Organisation,
    national_id: str = "",
    anonymous: bool = False,
    first_name: str = "",
    last_name: str = "",
    birth_date: datetime.date | None = None,
    sex: str = Sex.UNKNOWN,
    phone: str = "",
    email: str = "",
    address: str = "",
    postal_code: str = "",
    city: str = "",
    language: str = "",
    today: datetime.date | None = None,
) -> Client:
    """PRV-1: register a client in one organisation's record system, never twice."""
    today = today or clock.today(organisation)
    client = Client(
        organisation=organisation,
        anonymous=anonymous,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        birth_date=birth_date,
        sex=sex or Sex.UNKNOWN,
        phone=phone.strip(),
        email=email.strip(),
        address=address.strip(),
        postal_code=postal_code.strip(),
        city=city.strip(),
        language=language or "",
    )
    _check_birth_date(birth_date, today)
    _apply_identifier(client, national_id, organisation, today)
    _check_names(client)
    client.phone = normalise_phone(phone, organisation.jurisdiction)
    client.email = normalise_email(email)
    client.code = _new_code(organisation)
    return _save_unique(client)


@transaction.atomic
def client_update(
    *, client: Client, changes: dict[str, Any], today: datetime.date | None = None
) -> Client:
    """Change a client's details; the identifier is validated and de-duplicated again.

    The row is locked and re-read, so two people changing different fields at the same time
    both keep their change."""
    client = (
        Client.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=client.pk)
    )
    organisation = client.organisation
    today = today or clock.today(organisation)
    unknown = set(changes) - {*CLIENT_FIELDS, "national_id", "anonymous"}
    if unknown:
        raise ValidationFailed(
            "unknown_field", _("Unknown field: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
    for name in CLIENT_FIELDS:
        if name in changes:
            value = changes[name]
            setattr(client, name, value.strip() if isinstance(value, str) else value)
    if "anonymous" in changes:
        client.anonymous = bool(changes["anonymous"])
    _check_birth_date(client.birth_date, today)
    if "national_id" in changes:
        if "birth_date" not in changes:
            client.birth_date = None if changes["national_id"] else client.birth_date
        _apply_identifier(client, changes["national_id"] or "", organisation, today)
    _check_names(client)
    # Checked when changed: a number stored before the check does not block other changes.
    if "phone" in changes:
        client.phone = normalise_phone(changes["phone"] or "", organisation.jurisdiction)
    if "email" in changes:
        client.email = normalise_email(changes["email"] or "")
    if client.reminder_consent and ("phone" in changes or "email" in changes):
        _check_reachable(client.reminder_channel, client.phone, client.email)
    return _save_unique(client)


def _check_reachable(channel: str, phone: str, email: str) -> None:
    """APT-3: a client who agreed to reminders keeps the number or address they go to."""
    if channel == ReminderChannel.SMS and not phone:
        raise ValidationFailed(
            "phone_required_for_sms",
            _("SMS reminders need the client's mobile number."),
            field="phone",
        )
    if channel == ReminderChannel.EMAIL and not email:
        raise ValidationFailed(
            "email_required_for_email",
            _("E-mail reminders need the client's e-mail address."),
            field="email",
        )


@transaction.atomic
def client_contact_set(
    *,
    client: Client,
    actor: User,
    at: datetime.datetime,
    phone: str,
    email: str,
    reminder_consent: bool,
    reminder_channel: str,
    reminder_label: str,
) -> Client:
    """APT-3: the client's mobile number and e-mail address, whether the client agrees to
    appointment reminders, by which channel and under which name. All checked before anything
    is written; the moment and the staff member are recorded whenever the answer is given or
    changes (a withdrawal too). Callers re-plan queued reminders (messaging.services)."""
    client = (
        Client.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=client.pk)
    )
    region = client.organisation.jurisdiction
    phone = normalise_phone(phone, region)
    email = normalise_email(email)
    if reminder_channel not in ("", *ReminderChannel.values):
        raise ValidationFailed(
            "reminder_channel_unknown",
            _("Reminders go by SMS or e-mail."),
            field="reminder_channel",
        )
    if reminder_label not in ReminderLabel.values:
        raise ValidationFailed(
            "reminder_label_unknown",
            _("Choose the neutral name or the service's name."),
            field="reminder_label",
        )
    if reminder_consent:
        if not reminder_channel:
            raise ValidationFailed(
                "reminder_channel_required",
                _("Choose whether the reminders go by SMS or by e-mail."),
                field="reminder_channel",
            )
        _check_reachable(reminder_channel, phone, email)
        if reminder_channel == ReminderChannel.SMS:
            check_sms_number(phone, region)
    if reminder_consent != client.reminder_consent or client.reminder_consent_at is None:
        client.reminder_consent_at = at
        client.reminder_consent_by = actor
    client.phone = phone
    client.email = email
    client.reminder_consent = reminder_consent
    client.reminder_channel = reminder_channel
    client.reminder_label = reminder_label
    client.save(
        update_fields=[
            "phone",
            "email",
            "reminder_consent",
            "reminder_consent_at",
            "reminder_consent_by",
            "reminder_channel",
            "reminder_label",
            "updated_at",
        ]
    )
    return client


def relative_save(*, client: Client, relative: Relative | None = None, **fields: Any) -> Relative:
    """REL-1: relatives are recorded with whether the client wishes them involved."""
    relative = relative or Relative(client=client)
    if relative.client_id != client.pk:
        raise ValidationFailed("wrong_client", _("This person belongs to another client."))
    for name, value in fields.items():
        setattr(relative, name, value.strip() if isinstance(value, str) else value)
    if not relative.name:
        raise ValidationFailed("name_required", _("Give the person's name."), field="name")
    relative.save()
    return relative


def consent_add(
    *,
    client: Client,
    party: str,
    scope: str,
    valid_from: datetime.date,
    given_by: str,
    party_name: str = "",
    valid_until: datetime.date | None = None,
    given_by_name: str = "",
) -> Consent:
    """PRV-2, PLN-6: consent before working with others; a parent consents for a young child."""
    if not scope.strip():
        raise ValidationFailed(
            "consent_scope_required", _("Say what may be shared."), field="scope"
        )
    if valid_until is not None and valid_until < valid_from:
        raise ValidationFailed(
            "consent_period", _("The consent cannot end before it starts."), field="valid_until"
        )
    limit = rules_for(client.organisation).parental_consent_under_age
    age = client.age_on(valid_from)
    if age is not None and age < limit:
        if given_by == ConsentGiver.CLIENT:
            raise ValidationFailed(
                "consent_parent_required",
                _("The client is under %(age)d: a parent or guardian must give the consent.")
                % {"age": limit},
                field="given_by",
            )
        if not given_by_name.strip():
            raise ValidationFailed(
                "consent_giver_name_required",
                _("Name the parent or guardian who gives the consent."),
                field="given_by_name",
            )
    return Consent.objects.create(
        client=client,
        party=party,
        party_name=party_name.strip(),
        scope=scope.strip(),
        valid_from=valid_from,
        valid_until=valid_until,
        given_by=given_by,
        given_by_name=given_by_name.strip(),
    )


@transaction.atomic
def consent_withdraw(
    *, consent: Consent, reason: str, at: datetime.datetime | None = None
) -> Consent:
    # Lock the row: a double submit withdraws once and keeps the first reason.
    consent = Consent.objects.select_for_update(of=("self",)).get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise Conflict("consent_already_withdrawn", _("This consent is already withdrawn."))
    consent.withdrawn_at = at or clock.now()
    consent.withdrawn_reason = reason.strip()
    consent.save(update_fields=["withdrawn_at", "withdrawn_reason", "updated_at"])
    return consent


def child_add(
    *,
    client: Client,
    first_name: str,
    birth_date: datetime.date,
    lives_with_client: bool = True,
    concern: bool = False,
    notes: str = "",
    today: datetime.date | None = None,
) -> ChildAtHome:
    """DEC-7: children under 18 at home, so that a concern leads to a notification."""
    today = today or clock.today(client.organisation)
    if not first_name.strip():
        raise ValidationFailed(
            "name_required", _("Give the child's first name or initials."), field="first_name"
        )
    if birth_date > today:
        raise ValidationFailed(
            "birth_date_future", _("The birth date is in the future."), field="birth_date"
        )
    if age_on(birth_date, today) >= ADULT_AGE:
        raise ValidationFailed(
            "child_not_minor", _("Only children under 18 are recorded here."), field="birth_date"
        )
    return ChildAtHome.objects.create(
        client=client,
        first_name=first_name.strip(),
        birth_date=birth_date,
        lives_with_client=lives_with_client,
        concern=concern,
        notes=notes.strip(),
    )
