"""Journal writes (JRN-1, JRN-2): keyword-only, typed, one transaction each; django-auditlog
keeps the old and new values of a draft. Every refusal is a ``DomainError`` with a stable
code, raised before anything is written.

**Drafts and signing.** A note is written as a draft; only its author edits, deletes or
signs it (``note_not_author``, 403). Signing is irreversible: a signed version is never
changed or deleted (``note_signed``, 409). Clinical record law asks the same: the original
text must stay readable after a correction, which names who made it and when (DK
journalføringsbekendtgørelsen § 14; NO helsepersonelloven § 42, "ny journalføring eller
datert rettelse"); BE: the patient's right to a carefully kept file (patiëntenrechtenwet of
22 August 2002, art. 9 § 1) is read the same way, an assumption as to the details.

**Corrections.** A correction of a signed note is a new version, signed at once by the
note's author, with the reason (``correction_reason_required``); it supersedes the newest
version only (``note_already_corrected``; two corrections at once end in one and a 409),
must change something (``correction_unchanged``) and may add the restriction but never lift
it (``restriction_kept``): the older versions follow the newest version's restriction.
Decided where the sources are silent: only the author corrects (another professional writes
a note of their own); an author who has left cannot be replaced.

**What a note may say.** Text is required (``text_required``) and at most
:data:`TEXT_MAX` characters; the time of the contact is not more than
:data:`FUTURE_TOLERANCE` ahead of the moment of writing (``contact_in_future``), not before
1900 (``contact_too_early``) nor before the client's birth day (``contact_before_birth``).
The episode must be the client's (``episode_not_of_client``), the goals must be goals of the
client's plans (``goal_not_of_client``) and, when an episode is named, of that episode's
plans (``goal_not_in_episode``); with goals and no episode, the goals' episode is taken.

**Restriction (JRN-2).** Only a member of a role the rule pack names in
``journal_restricted`` marks a note restricted (``restriction_not_allowed``); the note keeps
the role it was written as (``author_role``), which decides who else reads it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Membership, User
from bedring.accounts.selectors import rules_for
from bedring.audit.services import access_record
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.errors import Conflict, Forbidden, ValidationFailed
from bedring.core.roles import CLINICAL, Role
from bedring.core.text import storable
from bedring.pathway.models import Episode, Goal

from .models import ContactType, Note, NoteRead

TEXT_MAX = 20_000
REASON_MAX = 1_000
# A note may be written just before the contact's minute on a phone whose clock runs ahead.
FUTURE_TOLERANCE = datetime.timedelta(minutes=15)
EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
# The role a note is written as when the author has several: the first clinical one here.
ROLE_ORDER = [role.value for role in Role]


# --- checks -------------------------------------------------------------------------------


def _text(text: str) -> str:
    text = storable(text, "text")
    if not text:
        raise ValidationFailed("text_required", _("Write the note's text."), field="text")
    if len(text) > TEXT_MAX:
        raise ValidationFailed(
            "text_too_long",
            _("The note can be at most %(max)d characters.") % {"max": TEXT_MAX},
            field="text",
        )
    return text


def _contact_type(value: str) -> str:
    if value not in ContactType.values:
        raise ValidationFailed(
            "invalid_contact_type",
            _("Choose one of the listed contact types."),
            field="contact_type",
        )
    return value


def _contact_at(client: Client, contact_at: datetime.datetime, at: datetime.datetime) -> None:
    if contact_at.tzinfo is None:
        raise ValidationFailed(
            "invalid_contact_time",
            _("Give the time of the contact with its time zone."),
            field="contact_at",
        )
    if contact_at > at + FUTURE_TOLERANCE:
        raise ValidationFailed(
            "contact_in_future",
            _("The contact cannot be in the future: a note documents a contact that happened."),
            field="contact_at",
        )
    if contact_at < EARLIEST:
        raise ValidationFailed(
            "contact_too_early", _("The contact cannot be before 1900."), field="contact_at"
        )
    local_day = contact_at.astimezone(clock.zone(client.organisation)).date()
    if client.birth_date is not None and local_day < client.birth_date:
        raise ValidationFailed(
            "contact_before_birth",
            _("The contact cannot be before the client's birth."),
            field="contact_at",
        )


def _episode(client: Client, episode: Episode | None) -> None:
    if episode is not None and (
        episode.client_id != client.pk or episode.organisation_id != client.organisation_id
    ):
        raise ValidationFailed(
            "episode_not_of_client",
            _("The episode is not one of this client's."),
            field="episode",
        )


def _goals(client: Client, episode: Episode | None, goals: Sequence[Goal]) -> Episode | None:
    """The goals are the client's; returns the episode the note belongs to (the goals'
    when none is named and they share one)."""
    for goal in goals:
        plan_episode = goal.plan.episode
        if (
            plan_episode.client_id != client.pk
            or plan_episode.organisation_id != client.organisation_id
        ):
            raise ValidationFailed(
                "goal_not_of_client",
                _("The goal is not one of this client's plan goals."),
                field="goals",
                details={"goal": str(goal.uuid)},
            )
        if episode is not None and plan_episode.pk != episode.pk:
            raise ValidationFailed(
                "goal_not_in_episode",
                _("The goal belongs to another episode than the note's."),
                field="goals",
                details={"goal": str(goal.uuid)},
            )
    if episode is None and goals and len({g.plan.episode_id for g in goals}) == 1:
        return goals[0].plan.episode
    return episode


def _author_role(client: Client, author: User, restricted: bool) -> str:
    """The role the note is written as: for a restricted note, the author's role that may
    restrict; otherwise the author's first clinical role."""
    membership = Membership.objects.filter(
        user=author, organisation_id=client.organisation_id, is_active=True
    ).first()
    if membership is None:
        raise Forbidden("forbidden", _("Your role does not allow this."))
    roles = [r for r in ROLE_ORDER if r in membership.roles]
    if restricted:
        restricting = rules_for(client.organisation).journal_restricted
        role = next((r for r in roles if r in restricting), None)
        if role is None:
            raise ValidationFailed(
                "restriction_not_allowed",
                _("Your role cannot mark a note restricted."),
                field="restricted",
            )
        return role
    return next((r for r in roles if r in CLINICAL), roles[0] if roles else "")


def _reason(reason: str) -> str:
    reason = storable(reason, "reason")
    if not reason:
        raise ValidationFailed(
            "correction_reason_required",
            _("Say why the note is corrected."),
            field="reason",
        )
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            "reason_too_long",
            _("The reason can be at most %(max)d characters.") % {"max": REASON_MAX},
            field="reason",
        )
    return reason


def _locked(note: Note) -> Note:
    """The note's row, locked: two people acting on one note queue up."""
    return (
        Note.objects.select_for_update(of=("self",))
        .select_related("client__organisation", "episode")
        .get(pk=note.pk)
    )


def _check_author(note: Note, actor: User) -> None:
    if note.author_id != actor.pk:
        raise Forbidden(
            "note_not_author",
            _("Only the note's author can do this."),
        )


def _check_draft(note: Note) -> None:
    if note.signed_at is not None:
        raise Conflict(
            "note_signed",
            _("The note is signed and can no longer be changed or deleted; write a correction."),
        )


# --- writes -------------------------------------------------------------------------------


@transaction.atomic
def note_draft_create(
    *,
    client: Client,
    actor: User,
    contact_type: str,
    contact_at: datetime.datetime,
    text: str,
    episode: Episode | None = None,
    goals: Sequence[Goal] = (),
    restricted: bool = False,
    at: datetime.datetime | None = None,
) -> Note:
    """JRN-1: a new note, as a draft of ``actor``."""
    at = at or clock.now()
    contact_type = _contact_type(contact_type)
    text = _text(text)
    _contact_at(client, contact_at, at)
    _episode(client, episode)
    episode = _goals(client, episode, goals)
    author_role = _author_role(client, actor, restricted)
    note = Note(
        client=client,
        episode=episode,
        contact_type=contact_type,
        contact_at=contact_at,
        text=text,
        restricted=restricted,
        author=actor,
        author_role=author_role,
    )
    note.chain = note.uuid
    note.save()
    if goals:
        note.goals.set(goals)
    return note


@transaction.atomic
def note_draft_update(
    *,
    note: Note,
    actor: User,
    contact_type: str,
    contact_at: datetime.datetime,
    text: str,
    episode: Episode | None = None,
    goals: Sequence[Goal] = (),
    restricted: bool = False,
    at: datetime.datetime | None = None,
) -> Note:
    """JRN-1: change a draft (its author only; a signed note is 409 ``note_signed``)."""
    at = at or clock.now()
    locked = _locked(note)
    _check_draft(locked)
    _check_author(locked, actor)
    client = locked.client
    contact_type = _contact_type(contact_type)
    text = _text(text)
    _contact_at(client, contact_at, at)
    _episode(client, episode)
    episode = _goals(client, episode, goals)
    locked.author_role = _author_role(client, actor, restricted)
    locked.contact_type = contact_type
    locked.contact_at = contact_at
    locked.text = text
    locked.episode = episode
    locked.restricted = restricted
    locked.save()
    locked.goals.set(goals)
    return locked


@transaction.atomic
def note_draft_delete(*, note: Note, actor: User) -> None:
    """Delete a draft (its author only; a signed note is never deleted: 409 ``note_signed``).
    The change log keeps what the draft said."""
    locked = _locked(note)
    _check_draft(locked)
    _check_author(locked, actor)
    locked.goals.clear()
    locked.delete()


@transaction.atomic
def note_sign(*, note: Note, actor: User, at: datetime.datetime | None = None) -> Note:
    """JRN-1: sign a draft. Irreversible: the signed note is never changed or deleted."""
    at = at or clock.now()
    locked = _locked(note)
    _check_draft(locked)
    _check_author(locked, actor)
    _contact_at(locked.client, locked.contact_at, at)
    locked.signed_at = at
    locked.save(update_fields=["signed_at", "updated_at"])
    return locked


_UNCHANGED: object = object()


@transaction.atomic
def note_correct(
    *,
    note: Note,
    actor: User,
    text: str,
    reason: str,
    contact_type: str | None = None,
    contact_at: datetime.datetime | None = None,
    episode: Episode | object | None = _UNCHANGED,
    goals: Sequence[Goal] | None = None,
    restricted: bool | None = None,
    at: datetime.datetime | None = None,
) -> Note:
    """JRN-1: correct a signed note: a new version, signed now by the note's author, that
    keeps the old one. Anything left ``None`` (``episode``: left out) is kept."""
    at = at or clock.now()
    locked = _locked(note)
    if locked.signed_at is None:
        raise Conflict(
            "note_not_signed",
            _("The note is a draft: change the draft instead of correcting it."),
        )
    if Note.objects.filter(supersedes=locked).exists():
        raise Conflict(
            "note_already_corrected",
            _("This version has been corrected already: correct the newest version."),
        )
    _check_author(locked, actor)
    client = locked.client
    reason = _reason(reason)
    text = _text(text)
    contact_type = _contact_type(contact_type or locked.contact_type)
    contact_at = contact_at or locked.contact_at
    _contact_at(client, contact_at, at)
    new_episode = locked.episode if episode is _UNCHANGED else episode
    assert new_episode is None or isinstance(new_episode, Episode)  # noqa: S101 - typing
    _episode(client, new_episode)
    old_goals = list(locked.goals.select_related("plan__episode"))
    new_goals = list(goals) if goals is not None else old_goals
    new_episode = _goals(client, new_episode, new_goals)
    new_restricted = locked.restricted if restricted is None else restricted
    if locked.restricted and not new_restricted:
        raise ValidationFailed(
            "restriction_kept",
            _("A restricted note stays restricted: a correction cannot lift the restriction."),
            field="restricted",
        )
    unchanged = (
        text == locked.text
        and contact_type == locked.contact_type
        and contact_at == locked.contact_at
        and new_episode == locked.episode
        and {g.pk for g in new_goals} == {g.pk for g in old_goals}
        and new_restricted == locked.restricted
    )
    if unchanged:
        raise ValidationFailed(
            "correction_unchanged",
            _("The correction changes nothing: change the text or the details."),
            field="text",
        )
    author_role = (
        locked.author_role
        if new_restricted == locked.restricted
        else _author_role(client, actor, new_restricted)
    )
    correction = Note(
        client=client,
        episode=new_episode,
        contact_type=contact_type,
        contact_at=contact_at,
        text=text,
        restricted=new_restricted,
        author=actor,
        author_role=author_role,
        chain=locked.chain,
        version=locked.version + 1,
        supersedes=locked,
        correction_reason=reason,
    )
    try:
        with transaction.atomic():
            # Saved as a draft first: the database refuses goals added to a signed note.
            correction.save()
    except IntegrityError as exc:  # a second correction of the same version at once
        raise Conflict(
            "note_already_corrected",
            _("This version has been corrected already: correct the newest version."),
        ) from exc
    if new_goals:
        correction.goals.set(new_goals)
    correction.signed_at = at
    correction.save(update_fields=["signed_at", "updated_at"])
    return correction


def restricted_reads_record(
    *,
    reader: User,
    client: Client,
    notes: Iterable[Note],
    view: str,
    channel: str,
    request: HttpRequest | None = None,
    newest: Note | None = None,
) -> int:
    """JRN-2, PRV-1: the restricted notes whose text was shown to ``reader`` (their own
    excepted): one ``NoteRead`` each and one access-log entry, two INSERTs whatever the
    number. Returns how many were logged. ``newest``: the current version of the notes shown
    (versions of one note): a restriction a correction added covers the older versions too."""
    covered = newest is not None and newest.restricted
    shown = [n for n in notes if (n.restricted or covered) and n.author_id != reader.pk]
    if not shown:
        return 0
    NoteRead.objects.bulk_create(
        NoteRead(note=n, client=client, reader=reader, view=view, channel=channel) for n in shown
    )
    access_record(
        actor=reader, client=client, view="journal_restricted", channel=channel, request=request
    )
    return len(shown)
