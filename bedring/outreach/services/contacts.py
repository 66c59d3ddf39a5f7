"""Street contacts and pseudonyms (HRM-3, HRM-4, HRM-8, PRV-4): keyword-only, typed, one
transaction each; django-auditlog keeps old and new values.

Rules decided here where the sources are silent:

* **Who.** A contact is with a known client, with a pseudonymous person (a code the person
  agreed to), or with nobody identified. A new code needs the person's agreement
  (``pseudonym_consent_required``); an existing code is used as it is.
* **When.** Not more than ``CLOCK_SKEW`` ahead of the server's time (a phone's clock may
  run a little fast) and not older than ``MAX_AGE`` (a phone kept offline for weeks is
  asked to be checked by a person, not silently accepted).
* **Idempotent upload.** A phone gives each contact a random ``offline_id``; the same id
  sent again returns the stored contact (``created`` false) and writes nothing. The same id
  from another organisation is refused (``offline_id_taken``).
* **Conflicts are kept, never lost.** If the pseudonym was merged into another code, or the
  person became a client, while the phone was offline, the contact is stored on the person
  as they are now and ``conflict`` says what changed, for the worker to look at.
* **Health (HLT-3).** An activity whose pack entry names a ``health_kind`` (wound care, a
  clinical assessment) also writes that health contact for a known client.
* **Screening offered (HLT-1).** An activity whose pack entry names ``screenings`` (the street
  nurse offers HIV and hepatitis tests) takes the person's answer per screening:
  ``declined`` or ``sampled`` (a sample taken there, result pending). For a known client each
  answer becomes a :class:`~bedring.health.models.Screening` offered that day, declined or
  with its sample, so the Health tab shows it, the result is entered there when it comes,
  and a mandatory-screening deadline closes as if the offer were made at the centre. An
  offer the person has not answered yet ("maybe next week") writes no screening: a
  screening is either declined or sampled, and recording it as declined would not be true.
  With nobody identified, or a code that is not a client, nothing is written to Health:
  the contact's activities still say that screening was offered.
* **The health record's day** is the contact's day in the organisation's time zone, never
  after the organisation's today (a phone's clock a few minutes fast at midnight).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping, Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import may
from bedring.accounts.models import Organisation, Site, User
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.errors import Conflict, ValidationFailed
from bedring.core.roles import Perm
from bedring.health import services as health_services

from ..models import LocationType, OutreachContact, Place, Pseudonym
from ..packs import OutreachIn
from ..selectors import outreach_spec

CLOCK_SKEW = datetime.timedelta(minutes=10)
MAX_AGE = datetime.timedelta(days=60)
MAX_MINUTES = 600
MAX_ITEM_COUNT = 1000
NOTE_MAX = 2000
# HLT-1: the answers to a screening offered in a contact.
SCREENING_DECLINED = "declined"
SCREENING_SAMPLED = "sampled"
SCREENING_ANSWERS = (SCREENING_DECLINED, SCREENING_SAMPLED)


class Conflicts:
    PSEUDONYM_MERGED = "pseudonym_merged"
    BECAME_CLIENT = "pseudonym_became_client"


def spec_for(organisation: Organisation) -> OutreachIn:
    spec = outreach_spec(organisation)
    if spec is None:
        raise ValidationFailed("no_outreach", _("This organisation records no outreach work."))
    return spec


def check_items(
    spec: OutreachIn, counts: Mapping[str, object], *, field: str, returned: bool = False
) -> dict[str, int]:
    """``{item_key: count}`` of the pack's items, zero counts dropped; anything else is a
    ValidationFailed naming the field."""
    items = {i.key: i for i in spec.items}
    cleaned: dict[str, int] = {}
    for key, value in counts.items():
        if key not in items:
            raise ValidationFailed(
                "unknown_item",
                _("%(item)s is not an item of this service.") % {"item": key},
                field=field,
            )
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 0 <= value <= MAX_ITEM_COUNT
        ):
            raise ValidationFailed(
                "item_count_invalid",
                _("A count must be a whole number from 0 to %(max)s.") % {"max": MAX_ITEM_COUNT},
                field=field,
            )
        if returned and value and not items[key].returnable:
            raise ValidationFailed(
                "item_not_returnable",
                _("%(item)s is not taken back.") % {"item": key},
                field=field,
            )
        if value:
            cleaned[key] = value
    return cleaned


def check_moment(organisation: Organisation, at: datetime.datetime, *, field: str = "at") -> None:
    now = clock.now()
    if at > now + CLOCK_SKEW:
        raise ValidationFailed("at_in_future", _("The time is in the future."), field=field)
    if at < now - MAX_AGE:
        raise ValidationFailed(
            "at_too_old",
            _("The time is more than 60 days ago. Check the date, or ask a manager."),
            field=field,
        )


def _pseudonym(
    organisation: Organisation, actor: User, code: str, consent: bool, at: datetime.datetime
) -> tuple[Pseudonym, str]:
    code = code.strip().upper()
    if not code or len(code) > 32:
        raise ValidationFailed(
            "pseudonym_invalid", _("A code has 1 to 32 characters."), field="pseudonym"
        )
    found = Pseudonym.objects.filter(organisation=organisation, code=code).first()
    if found is None:
        if not consent:
            raise ValidationFailed(
                "pseudonym_consent_required",
                _("Record a new code only when the person agrees to it."),
                field="pseudonym_consent",
            )
        return (
            Pseudonym.objects.create(
                organisation=organisation, code=code, consent_at=at, created_by=actor
            ),
            "",
        )
    conflict = ""
    seen = {found.pk}
    while found.merged_into_id is not None:
        found = Pseudonym.objects.get(pk=found.merged_into_id)
        conflict = Conflicts.PSEUDONYM_MERGED
        if found.pk in seen:  # a loop would be a data error; stop at the first repeat
            break
        seen.add(found.pk)
    if found.client_id is not None and not conflict:
        conflict = Conflicts.BECAME_CLIENT
    return found, conflict


def check_screenings(
    spec: OutreachIn, chosen: Sequence[str], answers: Mapping[str, object]
) -> dict[str, str]:
    """HLT-1: ``{screening kind: "declined" | "sampled"}`` for screenings that a chosen
    activity offers; anything else is a ValidationFailed on ``screenings``."""
    offered = {kind for a in spec.activities if a.key in chosen for kind in a.screenings}
    cleaned: dict[str, str] = {}
    for kind, answer in answers.items():
        if kind not in offered:
            raise ValidationFailed(
                "screening_not_offered",
                _("Choose the activity that offers this screening."),
                field="screenings",
            )
        if answer not in SCREENING_ANSWERS:
            raise ValidationFailed(
                "screening_answer_invalid",
                _("Record whether the person declined or a sample was taken."),
                field="screenings",
            )
        cleaned[kind] = str(answer)
    return cleaned


def _staff(organisation: Organisation, usernames: Iterable[str]) -> list[User]:
    names = sorted({n for n in usernames if n})
    users = list(User.objects.filter(username__in=names, is_active=True))
    found = {u.username for u in users}
    missing = [n for n in names if n not in found]
    strangers = [u.username for u in users if not may(u, Perm.HARM_REDUCTION, organisation.pk)]
    if missing or strangers:
        raise ValidationFailed(
            "staff_not_here",
            _("%(names)s does not work in outreach here.")
            % {"names": ", ".join(missing + strangers)},
            field="staff",
        )
    return users


def hold_uploads(organisation: Organisation) -> None:
    """A phone may send the same record twice at once (a retry while the first is still on
    its way). Uploads for one organisation wait for each other here, inside the caller's
    transaction, so the second finds what the first stored instead of failing on the unique
    ``offline_id`` (a row lock on PostgreSQL; SQLite writes one transaction at a time)."""
    list(Organisation.objects.select_for_update().filter(pk=organisation.pk).values_list("pk"))


@transaction.atomic
def contact_record(
    *,
    organisation: Organisation,
    actor: User,
    site: Site,
    at: datetime.datetime,
    activities: Sequence[str],
    minutes: int,
    location_type: str = "",
    place_key: str = "",
    client: Client | None = None,
    pseudonym_code: str = "",
    pseudonym_consent: bool = False,
    items_out: Mapping[str, object] | None = None,
    items_back: Mapping[str, object] | None = None,
    staff: Iterable[str] = (),
    note: str = "",
    offline_id: uuid.UUID | None = None,
    screenings: Mapping[str, object] | None = None,
) -> tuple[OutreachContact, bool]:
    """HRM-8: record one contact; answers the contact and whether it was new (False: the
    same ``offline_id`` was stored before, nothing was written). ``screenings``: the
    person's answer to each screening offered (HLT-1), ``{"hiv": "declined", ...}``."""
    if offline_id is not None:
        hold_uploads(organisation)
        stored = OutreachContact.objects.filter(offline_id=offline_id).first()
        if stored is not None:
            if stored.organisation_id != organisation.pk:
                raise Conflict("offline_id_taken", _("This contact id is already used."))
            return stored, False
    spec = spec_for(organisation)
    if site.organisation_id != organisation.pk or not site.is_active:
        raise ValidationFailed("unknown_site", _("Choose one of your sites."), field="site")
    if client is not None and client.organisation_id != organisation.pk:
        raise ValidationFailed("unknown_client", _("No such client here."), field="client")
    if client is not None and pseudonym_code:
        raise ValidationFailed(
            "two_persons", _("Choose a client or a code, not both."), field="pseudonym"
        )
    check_moment(organisation, at)
    place = None
    if place_key:
        place = Place.objects.filter(
            organisation=organisation, key=place_key, is_active=True
        ).first()
        if place is None:
            raise ValidationFailed(
                "unknown_place", _("Choose a place from the list."), field="place"
            )
        location_type = location_type or place.location_type
    if location_type not in LocationType.values:
        raise ValidationFailed(
            "location_type_invalid",
            _("Choose where the contact took place."),
            field="location_type",
        )
    known = {a.key: a for a in spec.activities}
    chosen = list(dict.fromkeys(activities))
    if not chosen:
        raise ValidationFailed(
            "activities_required", _("Choose at least one thing that was done."), field="activities"
        )
    unknown = [a for a in chosen if a not in known]
    if unknown:
        raise ValidationFailed(
            "unknown_activity",
            _("%(activity)s is not an activity of this service.") % {"activity": unknown[0]},
            field="activities",
        )
    if isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        raise ValidationFailed(
            "minutes_invalid",
            _("Time spent is 1 to %(max)s minutes.") % {"max": MAX_MINUTES},
            field="minutes",
        )
    out = check_items(spec, items_out or {}, field="items_out")
    back = check_items(spec, items_back or {}, field="items_back", returned=True)
    answers = check_screenings(spec, chosen, screenings or {})
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            "note_too_long", _("A note has at most 2000 characters."), field="note"
        )
    present = _staff(organisation, staff)
    pseudonym, conflict = None, ""
    if pseudonym_code:
        pseudonym, conflict = _pseudonym(organisation, actor, pseudonym_code, pseudonym_consent, at)
        client = pseudonym.client
    if offline_id is None:
        conflict = ""  # a contact typed online was entered against the person as they are
    contact = OutreachContact.objects.create(
        organisation=organisation,
        site=site,
        at=at,
        location_type=location_type,
        place=place,
        client=client,
        pseudonym=pseudonym,
        activities=chosen,
        items_out=out,
        items_back=back,
        minutes=minutes,
        note=note.strip(),
        recorded_by=actor,
        offline_id=offline_id,
        received_at=clock.now(),
        conflict=conflict,
    )
    contact.staff.set({actor, *present})
    if client is not None:
        day = min(at.astimezone(clock.zone(organisation)).date(), clock.today(organisation))
        for key in chosen:
            kind = known[key].health_kind
            if kind:
                health_services.health_contact_record(
                    client=client, actor=actor, kind=kind, on=day, note=note.strip()[:500]
                )
        for screening, answer in answers.items():
            sampled = answer == SCREENING_SAMPLED
            health_services.screening_record(
                client=client,
                actor=actor,
                kind=screening,
                offered_on=day,
                declined=not sampled,
                tested_on=day if sampled else None,
                note=note.strip()[:500],
            )
    return contact, True


@transaction.atomic
def conflict_clear(*, contact: OutreachContact, actor: User) -> OutreachContact:
    """The worker has looked at a contact whose person changed while the phone was offline."""
    contact.conflict = ""
    contact.save(update_fields=["conflict", "updated_at"])
    return contact
