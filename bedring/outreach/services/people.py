"""Codes (pseudonyms, PRV-4): a person met on the street who agreed to a code instead of a
name; such a person may later become a client with a record, with their consent, and two
codes may turn out to be one person. Keyword-only, typed, one transaction each;
django-auditlog keeps the old and new values of every row written (saved one by one, never
with a bulk update, so that each change is in the log with its actor).

Rules decided here where the sources are silent:

* **A code** is 1 to 32 characters, stored in capitals (a worker types ``ab-7`` on a phone
  and finds ``AB-7`` again). A new code needs the person's agreement.
* **Becoming a client** needs the person's consent and the client registration's fields
  (``clients.services.client_register``, with its identifier checks and duplicate refusal);
  a person already registered is joined to their record instead (``client``). Every contact
  of the code, and of the codes merged into it, gets the client: the contacts join the
  record. A clinical activity of such a contact (wound care, a clinical assessment) becomes
  the client's health contact, held by the worker who met the person (HLT-3), as it would
  have had the person been known then.
* **Merging** two codes is for one person who got two codes: the contacts move to the code
  kept, a code already merged into the one given up follows it, and the code given up
  points to the one kept (``merged_into``), so a phone that still sends the old code stores
  its contact on the code kept, marked to be checked. Codes of two different clients are
  never merged; if only the code given up became a client, the code kept takes the client.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation, User
from bedring.clients.models import Client
from bedring.clients.services import client_register
from bedring.core import clock
from bedring.core.errors import Conflict, ValidationFailed
from bedring.health import services as health_services

from ..models import OutreachContact, Pseudonym
from ..packs import OutreachIn
from .contacts import spec_for

CODE_MAX = 32
EARLIEST_BIRTH_YEAR = 1900
# What becoming a client passes on to the client registration (its keyword arguments).
REGISTRATION_FIELDS = frozenset(
    {
        "national_id",
        "anonymous",
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
    }
)


def clean_code(code: str, *, field: str = "code") -> str:
    """A code as stored: trimmed, in capitals, 1 to 32 characters."""
    cleaned = code.replace("\x00", "").strip().upper()
    if not cleaned or len(cleaned) > CODE_MAX:
        raise ValidationFailed(
            "pseudonym_invalid", _("A code has 1 to 32 characters."), field=field
        )
    return cleaned


@transaction.atomic
def pseudonym_create(
    *,
    organisation: Organisation,
    actor: User,
    code: str,
    consent: bool,
    birth_year: int | None = None,
    at: datetime.datetime | None = None,
) -> Pseudonym:
    """PRV-4: a new code, with the person's agreement."""
    spec_for(organisation)
    at = at or clock.now()
    code = clean_code(code)
    if not consent:
        raise ValidationFailed(
            "pseudonym_consent_required",
            _("Record a new code only when the person agrees to it."),
            field="consent",
        )
    if birth_year is not None and not (
        EARLIEST_BIRTH_YEAR <= birth_year <= clock.today(organisation).year
    ):
        raise ValidationFailed(
            "birth_year_invalid",
            _("The year of birth is from 1900 to this year."),
            field="birth_year",
        )
    if Pseudonym.objects.filter(organisation=organisation, code=code).exists():
        raise Conflict("pseudonym_taken", _("This code is already used."), field="code")
    return Pseudonym.objects.create(
        organisation=organisation,
        code=code,
        consent_at=at,
        created_by=actor,
        birth_year=birth_year,
    )


def _locked(pseudonym: Pseudonym) -> Pseudonym:
    return Pseudonym.objects.select_for_update().select_related("organisation").get(pk=pseudonym.pk)


def kept_code(pseudonym: Pseudonym) -> Pseudonym:
    """The code a merged code now lives on (itself when it was never merged)."""
    seen = {pseudonym.pk}
    while pseudonym.merged_into_id is not None:
        pseudonym = Pseudonym.objects.get(pk=pseudonym.merged_into_id)
        if pseudonym.pk in seen:  # a loop would be a data error; stop at the first repeat
            break
        seen.add(pseudonym.pk)
    return pseudonym


def _codes_of(pseudonym: Pseudonym) -> list[int]:
    """The code and every code merged into it, at any depth (one query per level)."""
    found = [pseudonym.pk]
    level = [pseudonym.pk]
    while level:
        level = list(
            Pseudonym.objects.filter(merged_into_id__in=level)
            .exclude(pk__in=found)
            .values_list("pk", flat=True)
        )
        found += level
    return found


def _join(contacts: Iterable[OutreachContact], client: Client, spec: OutreachIn) -> int:
    """The contacts join the client's record: each gets the client, and a clinical activity
    becomes the client's health contact (HLT-3) held by the worker who recorded it."""
    kinds = {a.key: a.health_kind for a in spec.activities if a.health_kind}
    zone = clock.zone(client.organisation)
    joined = 0
    for contact in contacts:
        if contact.client_id is not None:
            continue
        contact.client = client
        contact.save(update_fields=["client", "updated_at"])
        joined += 1
        day = contact.at.astimezone(zone).date()
        for key in contact.activities:
            if key in kinds:
                health_services.health_contact_record(
                    client=client,
                    actor=contact.recorded_by,
                    kind=str(kinds[key]),
                    on=day,
                    note=contact.note[:500],
                )
    return joined


@transaction.atomic
def pseudonym_to_client(
    *,
    pseudonym: Pseudonym,
    actor: User,
    consent: bool,
    client: Client | None = None,
    registration: Mapping[str, Any] | None = None,
    at: datetime.datetime | None = None,
) -> tuple[Client, int]:
    """PRV-4: the person behind a code becomes a client, with their consent: registered
    with ``registration`` (the client registration's fields), or joined to ``client`` when
    they are registered already. Answers the client and how many contacts joined the
    record."""
    pseudonym = _locked(pseudonym)
    organisation = pseudonym.organisation
    spec = spec_for(organisation)
    if not consent:
        raise ValidationFailed(
            "client_consent_required",
            _("Register the person only when they agree to become a client."),
            field="consent",
        )
    if pseudonym.merged_into_id is not None:
        raise Conflict(
            "pseudonym_merged",
            _("This code was merged into %(code)s: use that code.")
            % {"code": kept_code(pseudonym).code},
        )
    if pseudonym.client_id is not None:
        raise Conflict(
            "pseudonym_already_client", _("The person with this code is already a client.")
        )
    if client is not None:
        if client.organisation_id != organisation.pk:
            raise ValidationFailed("unknown_client", _("No such client here."), field="client")
    else:
        data = dict(registration or {})
        unknown = sorted(set(data) - REGISTRATION_FIELDS)
        if unknown:
            raise ValidationFailed(
                "unknown_field", _("Unknown field: %(f)s") % {"f": ", ".join(unknown)}
            )
        client = client_register(organisation=organisation, **data)
    pseudonym.client = client
    pseudonym.became_client_at = at or clock.now()
    pseudonym.save(update_fields=["client", "became_client_at", "updated_at"])
    contacts = (
        OutreachContact.objects.filter(pseudonym_id__in=_codes_of(pseudonym))
        .select_related("recorded_by")
        .order_by("at", "id")
    )
    return client, _join(contacts, client, spec)


@transaction.atomic
def pseudonym_merge(*, pseudonym: Pseudonym, into: Pseudonym, actor: User) -> Pseudonym:
    """PRV-4: two codes are one person: ``pseudonym`` is given up for ``into`` (or the code
    ``into`` now lives on), its contacts move there. Answers the code kept."""
    pseudonym = _locked(pseudonym)
    spec = spec_for(pseudonym.organisation)
    if into.organisation_id != pseudonym.organisation_id:
        raise ValidationFailed("unknown_pseudonym", _("No such code here."), field="into")
    if pseudonym.merged_into_id is not None:
        raise Conflict(
            "pseudonym_merged",
            _("This code was merged into %(code)s: use that code.")
            % {"code": kept_code(pseudonym).code},
        )
    into = _locked(kept_code(into))
    if into.pk == pseudonym.pk:
        raise ValidationFailed("merge_same", _("Choose another code than this one."), field="into")
    if into.client_id and pseudonym.client_id and into.client_id != pseudonym.client_id:
        raise Conflict(
            "pseudonyms_two_clients",
            _("Both codes belong to different clients: they are not merged."),
            field="into",
        )
    if into.client_id is None and pseudonym.client_id is not None:
        into.client_id = pseudonym.client_id
        into.became_client_at = pseudonym.became_client_at
        into.save(update_fields=["client", "became_client_at", "updated_at"])
    moving = list(
        OutreachContact.objects.filter(pseudonym=pseudonym)
        .select_related("recorded_by")
        .order_by("at", "id")
    )
    for contact in moving:
        contact.pseudonym = into
        contact.save(update_fields=["pseudonym", "updated_at"])
    for earlier in Pseudonym.objects.filter(merged_into=pseudonym).order_by("id"):
        earlier.merged_into = into
        earlier.save(update_fields=["merged_into", "updated_at"])
    pseudonym.merged_into = into
    pseudonym.save(update_fields=["merged_into", "updated_at"])
    if into.client_id is not None:
        client = Client.objects.select_related("organisation").get(pk=into.client_id)
        # The code kept is a client's: contacts without the client (those moved, or the
        # kept code's own when it took the client from the code given up) join the record.
        everything = OutreachContact.objects.filter(
            pseudonym_id__in=_codes_of(into), client__isnull=True
        ).select_related("recorded_by")
        _join(everything, client, spec)
    return into
