"""The journal in /api/v1/ (JRN-1, JRN-2): the same services, rules and error codes as the
pages.

A client's notes are under the client (``/clients/{client_id}/journal-notes``), read through
``clients.access.client_for``; a note by its own UUID (``/journal-notes/{note_id}``) through
``journal.access.note_for``: another organisation's is 404, a role without the permission
403, and every call is in the access log.

A restricted note the caller may not read comes with ``readable: false`` and no text,
author or correction reason; its versions are 403 ``note_restricted``. Refusals: 409
``note_signed`` (a signed note is never changed or deleted), ``note_not_signed``,
``note_already_corrected``; 403 ``note_not_author``, ``note_restricted``; 422
``text_required``, ``contact_in_future``, ``contact_too_early``, ``contact_before_birth``,
``invalid_contact_time``, ``episode_not_of_client``, ``goal_not_of_client``,
``goal_not_in_episode``, ``restriction_not_allowed``, ``restriction_kept``,
``correction_reason_required``, ``correction_unchanged``, ``query_too_long``,
``invalid_page``.
"""

from __future__ import annotations

import datetime
from typing import Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from bedring.accounts.access import Staff
from bedring.accounts.models import User
from bedring.clients.access import client_for
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.errors import Forbidden, ValidationFailed
from bedring.core.paging import api_page
from bedring.core.roles import Perm
from bedring.pathway.models import Episode, Goal
from bedring.rules.packs import ContactTypeKey

from . import selectors, services
from .access import note_for
from .models import Note
from .selectors import JournalFilter, Reader
from .services import REASON_MAX, TEXT_MAX

router = Router(tags=["journal"])

# JRN-1: the contact types (the rule pack's keys, which the model's choices equal).
ContactTypeIn = ContactTypeKey
MAX_GOALS = 50


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


def _client(request: HttpRequest, client_id: UUID, view: str, perm: Perm) -> Client:
    return client_for(request, _staff(request), client_id, view=view, perm=perm, channel="api")


def _note(request: HttpRequest, note_id: UUID, view: str, perm: Perm) -> Note:
    return note_for(request, _staff(request), note_id, view=view, perm=perm, channel="api")


class NoteIn(Schema):
    contact_type: ContactTypeIn
    contact_at: datetime.datetime = Field(
        ..., description="With its offset; at most 15 minutes ahead of now."
    )
    text: str = Field("", max_length=TEXT_MAX)
    episode: UUID | None = None
    goals: list[UUID] = Field(default_factory=list, max_length=MAX_GOALS)
    restricted: bool = False


class CorrectionIn(Schema):
    text: str = Field(..., max_length=TEXT_MAX)
    reason: str = Field("", max_length=REASON_MAX)
    contact_type: ContactTypeIn | None = None
    contact_at: datetime.datetime | None = None
    episode: UUID | None = Field(None, description="Left out: the note's episode is kept.")
    goals: list[UUID] | None = Field(None, max_length=MAX_GOALS)
    restricted: bool | None = Field(None, description="May be added, never lifted.")


class NoteOut(Schema):
    id: UUID
    chain: UUID
    version: int
    supersedes: UUID | None
    status: Literal["draft", "signed"]
    contact_type: str
    contact_at: datetime.datetime
    episode: UUID | None
    restricted: bool
    readable: bool
    author_role: str
    # Only when the caller may read the note:
    author: str | None
    text: str | None
    goals: list[UUID]
    correction_reason: str | None
    signed_at: datetime.datetime | None
    created_at: datetime.datetime


class NotePage(Schema):
    count: int
    results: list[NoteOut]


def note_out(note: Note, readable: bool, goals: list[Goal] | None = None) -> NoteOut:
    return NoteOut(
        id=note.uuid,
        chain=note.chain,
        version=note.version,
        supersedes=note.supersedes.uuid if note.supersedes_id and note.supersedes else None,
        status="signed" if note.is_signed else "draft",
        contact_type=note.contact_type,
        contact_at=note.contact_at,
        episode=note.episode.uuid if note.episode_id and note.episode else None,
        restricted=note.restricted,
        readable=readable,
        author_role=note.author_role,
        author=note.author.username if readable else None,
        text=note.text if readable else None,
        goals=[g.uuid for g in (goals if goals is not None else note.goals.all())]
        if readable
        else [],
        correction_reason=note.correction_reason if readable else None,
        signed_at=note.signed_at,
        created_at=note.created_at,
    )


def _episode(client: Client, episode_id: UUID | None) -> Episode | None:
    """The client's episode; another client's (or none at all) is refused alike."""
    if episode_id is None:
        return None
    episode = Episode.objects.filter(
        uuid=episode_id, client=client, organisation_id=client.organisation_id
    ).first()
    if episode is None:
        raise ValidationFailed(
            "episode_not_of_client",
            _("The episode is not one of this client's."),
            field="episode",
        )
    return episode


def _goals(ids: list[UUID]) -> list[Goal]:
    """The goals named; one that does not exist is refused like another client's (the
    service checks they are the client's), so a caller learns nothing of other clients."""
    goals = {g.uuid: g for g in Goal.objects.filter(uuid__in=ids).select_related("plan__episode")}
    missing = [str(i) for i in ids if i not in goals]
    if missing:
        raise ValidationFailed(
            "goal_not_of_client",
            _("The goal is not one of this client's plan goals."),
            field="goals",
            details={"goal": missing[0]},
        )
    return [goals[i] for i in dict.fromkeys(ids)]


def _log_shown(
    request: HttpRequest,
    reader: Reader,
    client: Client,
    notes: list[Note],
    view: str,
    newest: Note | None = None,
) -> None:
    services.restricted_reads_record(
        reader=reader.user,
        client=client,
        notes=[n for n in notes if reader.may_read(newest or n)],
        view=view,
        channel="api",
        request=request,
        newest=newest,
    )


@router.get("/clients/{client_id}/journal-notes", response=NotePage)
def note_list(
    request: HttpRequest,
    client_id: UUID,
    type: ContactTypeIn | None = None,
    episode: UUID | None = None,
    author: str = "",
    q: str = "",
    offset: int = 0,
    limit: int = 50,
) -> NotePage:
    """JRN-1: the client's notes (current versions, drafts flagged), newest contact first;
    ``q`` searches the text of the notes the caller may read. A page at a time."""
    client = _client(request, client_id, "api_journal", Perm.CLIENT_READ)
    reader = selectors.staff_reader(_staff(request), client)
    where = JournalFilter(
        contact_type=type or "",
        episode=Episode.objects.filter(uuid=episode, client=client).first() if episode else None,
        author=User.objects.filter(username=author).first() if author else None,
        query=q,
    )
    if (episode and where.episode is None) or (author and where.author is None):
        return NotePage(count=0, results=[])
    notes = selectors.journal_notes(client, reader, where).prefetch_related("goals")
    count, rows = api_page(notes, offset, limit)
    _log_shown(request, reader, client, rows, "api_journal")
    return NotePage(
        count=count,
        results=[note_out(n, reader.may_read(n), list(n.goals.all())) for n in rows],
    )


@router.post("/clients/{client_id}/journal-notes", response={201: NoteOut})
def note_create(request: HttpRequest, client_id: UUID, payload: NoteIn) -> Status[NoteOut]:
    """JRN-1: a new note as the caller's draft. Sign it with ``.../sign``."""
    client = _client(request, client_id, "api_journal_note_new", Perm.CLIENT_WRITE)
    note = services.note_draft_create(
        client=client,
        actor=_staff(request).user,
        contact_type=payload.contact_type,
        contact_at=payload.contact_at,
        text=payload.text,
        episode=_episode(client, payload.episode),
        goals=_goals(payload.goals),
        restricted=payload.restricted,
        at=clock.now(),
    )
    return Status(201, note_out(note, True))


@router.get("/journal-notes/{note_id}", response=NoteOut)
def note_detail(request: HttpRequest, note_id: UUID) -> NoteOut:
    """A note (any version); a restricted one the caller may not read without its text."""
    note = _note(request, note_id, "api_journal_note", Perm.CLIENT_READ)
    reader = selectors.staff_reader(_staff(request), note.client)
    newest = selectors.current_version(selectors.note_versions(note))
    readable = reader.may_read(newest)
    if readable:
        _log_shown(request, reader, note.client, [note], "api_journal_note", newest)
    return note_out(note, readable)


@router.put("/journal-notes/{note_id}", response=NoteOut)
def note_update(request: HttpRequest, note_id: UUID, payload: NoteIn) -> NoteOut:
    """JRN-1: change a draft (its author only); a signed note is 409 ``note_signed``."""
    note = _note(request, note_id, "api_journal_note_edit", Perm.CLIENT_WRITE)
    client = note.client
    note = services.note_draft_update(
        note=note,
        actor=_staff(request).user,
        contact_type=payload.contact_type,
        contact_at=payload.contact_at,
        text=payload.text,
        episode=_episode(client, payload.episode),
        goals=_goals(payload.goals),
        restricted=payload.restricted,
        at=clock.now(),
    )
    return note_out(note, True)


@router.delete("/journal-notes/{note_id}", response={204: None})
def note_delete(request: HttpRequest, note_id: UUID) -> Status[None]:
    """Delete a draft (its author only); a signed note is never deleted (409 ``note_signed``)."""
    note = _note(request, note_id, "api_journal_note_delete", Perm.CLIENT_WRITE)
    services.note_draft_delete(note=note, actor=_staff(request).user)
    return Status(204, None)


@router.post("/journal-notes/{note_id}/sign", response=NoteOut)
def note_sign(request: HttpRequest, note_id: UUID) -> NoteOut:
    """JRN-1: sign a draft (its author only). Irreversible."""
    note = _note(request, note_id, "api_journal_note_sign", Perm.CLIENT_WRITE)
    note = services.note_sign(note=note, actor=_staff(request).user, at=clock.now())
    return note_out(note, True)


@router.post("/journal-notes/{note_id}/corrections", response={201: NoteOut})
def note_correct(request: HttpRequest, note_id: UUID, payload: CorrectionIn) -> Status[NoteOut]:
    """JRN-1: correct a signed note (its author only): a new version, signed now, with the
    reason; the old version is kept. Fields left out are kept."""
    note = _note(request, note_id, "api_journal_note_correct", Perm.CLIENT_WRITE)
    client = note.client
    changes = payload.model_fields_set
    correction = services.note_correct(
        note=note,
        actor=_staff(request).user,
        text=payload.text,
        reason=payload.reason,
        contact_type=payload.contact_type,
        contact_at=payload.contact_at,
        **({"episode": _episode(client, payload.episode)} if "episode" in changes else {}),
        goals=_goals(payload.goals) if payload.goals is not None else None,
        restricted=payload.restricted,
        at=clock.now(),
    )
    return Status(201, note_out(correction, True))


class VersionsOut(Schema):
    chain: UUID
    versions: list[NoteOut]


@router.get("/journal-notes/{note_id}/versions", response=VersionsOut)
def note_versions(request: HttpRequest, note_id: UUID) -> VersionsOut:
    """JRN-1: every version of the note, the first first, with who signed each, when and
    why it was corrected. 403 ``note_restricted`` for a restricted note the caller may not
    read."""
    note = _note(request, note_id, "api_journal_versions", Perm.CLIENT_READ)
    reader = selectors.staff_reader(_staff(request), note.client)
    versions = selectors.note_versions(note)
    newest = selectors.current_version(versions)
    if not reader.may_read(newest):
        raise Forbidden(
            "note_restricted", _("The note is restricted: your role does not read its text.")
        )
    _log_shown(request, reader, note.client, versions, "api_journal_versions", newest)
    return VersionsOut(
        chain=note.chain, versions=[note_out(v, True, list(v.goals.all())) for v in versions]
    )
