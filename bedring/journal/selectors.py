"""Journal reads (JRN-1, JRN-2): who may read which note's text, the client's journal as a
list of current versions (filtered, searched, a page at a time, in a fixed number of queries
whatever the history), a note's versions, the templates, and the reads the client's access
report and FHIR export need.

**Who reads a restricted note.** Its author; members of the author's role (the role the note
was written as); and members of the roles the organisation's rule pack names for that role
(``journal_restricted``). Everyone else sees that the note exists (date, type, author's role,
"restricted"), never its text, and a search never matches text they may not read.

**Which restriction counts.** The restriction of the newest version: a correction may add the
restriction but never lift it (bedring.journal.services), so the older versions of a
restricted note are hidden with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import Staff
from bedring.accounts.models import Organisation, User
from bedring.accounts.selectors import rules_for
from bedring.clients.models import Client
from bedring.core.errors import ValidationFailed
from bedring.core.paging import Paginator
from bedring.pathway.models import Episode, Goal

from .models import Note, NoteRead

PAGE_SIZE = 50
QUERY_MAX = 200
# The printed journal holds at most this many notes (the newest); the page says so.
PRINT_MAX = 500


@dataclass(frozen=True)
class Reader:
    """A staff member reading one organisation's journal: whose restricted notes they read."""

    user: User
    roles: frozenset[str]
    # The author roles whose restricted notes this reader may read.
    readable_roles: frozenset[str]

    def may_read(self, note: Note) -> bool:
        return (
            not note.restricted
            or note.author_id == self.user.pk
            or note.author_role in self.readable_roles
        )

    def readable(self) -> Q:
        """The notes whose text this reader may read, as a filter."""
        return (
            Q(restricted=False) | Q(author_id=self.user.pk) | Q(author_role__in=self.readable_roles)
        )


def reader_for(user: User, organisation: Organisation, roles: Iterable[str]) -> Reader:
    role_set = frozenset(roles)
    return Reader(
        user=user,
        roles=role_set,
        readable_roles=rules_for(organisation).restricted_readable_by(role_set),
    )


def staff_reader(staff: Staff, client: Client) -> Reader:
    """The reader a staff member is for a client's journal (their roles in its organisation)."""
    membership = staff.memberships.get(client.organisation_id)
    roles = membership.roles if membership is not None else []
    return reader_for(staff.user, client.organisation, roles)


def restricting_roles(organisation: Organisation) -> frozenset[str]:
    return frozenset(rules_for(organisation).journal_restricted)


def may_restrict(reader: Reader, organisation: Organisation) -> bool:
    """JRN-2: does one of the reader's roles mark notes restricted?"""
    return bool(reader.roles & restricting_roles(organisation))


def note_template(organisation: Organisation, contact_type: str) -> str:
    """JRN-1: the text a new note of ``contact_type`` starts from ("" without a template)."""
    template = rules_for(organisation).journal_templates.get(contact_type)  # type: ignore[call-overload]
    return template.text if template is not None else ""


@dataclass(frozen=True)
class JournalFilter:
    contact_type: str = ""
    episode: Episode | None = None
    author: User | None = None
    query: str = ""

    @property
    def active(self) -> bool:
        return bool(self.contact_type or self.episode or self.author or self.query)


def check_query(query: str) -> str:
    query = query.replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if len(query) > QUERY_MAX:
        raise ValidationFailed(
            "query_too_long",
            _("The search can be at most %(max)d characters.") % {"max": QUERY_MAX},
            field="q",
        )
    return query


def journal_notes(
    client: Client, reader: Reader, where: JournalFilter | None = None
) -> QuerySet[Note]:
    """The client's journal: the current version of every note (drafts included, flagged),
    newest contact first. A search matches only the text the reader may read."""
    where = where or JournalFilter()
    notes = Note.objects.filter(client=client, superseded_by__isnull=True).select_related(
        "author", "episode", "supersedes"
    )
    if where.contact_type:
        notes = notes.filter(contact_type=where.contact_type)
    if where.episode is not None:
        notes = notes.filter(episode=where.episode)
    if where.author is not None:
        # Only notes the reader may read: who wrote a restricted note is not shown to others.
        notes = notes.filter(reader.readable(), author=where.author)
    if where.query:
        notes = notes.filter(reader.readable(), text__icontains=check_query(where.query))
    return notes.order_by("-contact_at", "-id")


def journal_page(
    client: Client, reader: Reader, where: JournalFilter, page_number: Any
) -> Page[Note]:
    """One page of the journal with each note's goals: three queries whatever the history
    (the count, the page, its goals)."""
    notes = journal_notes(client, reader, where).prefetch_related("goals")
    return Paginator(notes, PAGE_SIZE).get_page(page_number)


def journal_for_print(
    client: Client, reader: Reader, where: JournalFilter
) -> tuple[list[Note], int]:
    """The signed notes to print (the newest :data:`PRINT_MAX`) and how many there are."""
    notes = journal_notes(client, reader, where).filter(signed_at__isnull=False)
    printed = list(notes.prefetch_related("goals")[:PRINT_MAX])
    total = len(printed) if len(printed) < PRINT_MAX else notes.count()
    return printed, total


def client_episodes(client: Client) -> list[Episode]:
    return list(
        Episode.objects.filter(client=client, organisation_id=client.organisation_id).order_by(
            "-opened_on", "-id"
        )
    )


def client_goals(client: Client) -> list[Goal]:
    """The goals of the client's current plans, for a note to name (PLN-1)."""
    return list(
        Goal.objects.filter(
            plan__episode__client=client,
            plan__episode__organisation_id=client.organisation_id,
            plan__is_current=True,
        )
        .select_related("plan__episode")
        .order_by("-plan__episode__opened_on", "position", "id")
    )


def journal_authors(client: Client, reader: Reader) -> list[User]:
    """The authors of the notes the reader may read (a restricted note's author is not
    named to those who may not read it)."""
    return list(
        User.objects.filter(
            pk__in=Note.objects.filter(reader.readable(), client=client).values("author_id")
        ).order_by("first_name", "last_name", "username")
    )


def note_versions(note: Note) -> list[Note]:
    """Every version of a note, the first first."""
    return list(
        Note.objects.filter(chain=note.chain, client_id=note.client_id)
        .select_related("author", "episode", "supersedes")
        .prefetch_related("goals")
        .order_by("version")
    )


def current_version(versions: Sequence[Note]) -> Note:
    return max(versions, key=lambda n: n.version)


def signed_notes_for_export(client: Client, reader: Reader) -> list[Note]:
    """The signed versions of every note whose newest version the reader may read, oldest
    contact first (for the FHIR export): one query."""
    versions = list(
        Note.objects.filter(
            client=client,
            client__organisation_id=client.organisation_id,
            signed_at__isnull=False,
        )
        .select_related("author", "supersedes")
        .order_by("contact_at", "chain", "version")
    )
    newest: dict[Any, Note] = {}
    for note in versions:
        if note.chain not in newest or note.version > newest[note.chain].version:
            newest[note.chain] = note
    return [n for n in versions if reader.may_read(newest[n.chain])]


@dataclass(frozen=True)
class ReportNotes:
    """The client's access report: every note version written, and every read of a
    restricted note's text."""

    written: list[Note]
    reads: list[NoteRead]


def access_report_notes(client: Client) -> ReportNotes:
    """Two queries whatever the history."""
    return ReportNotes(
        written=list(
            Note.objects.filter(client=client)
            .select_related("author")
            .order_by("-created_at", "-id")
        ),
        reads=list(
            NoteRead.objects.filter(client=client)
            .select_related("reader", "note")
            .order_by("-at", "-id")
        ),
    )
