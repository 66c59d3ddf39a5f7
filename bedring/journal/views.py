"""The client's journal (JRN-1, JRN-2): the Journal tab, writing and signing a note, its
correction and its versions, and the printed journal. Thin: parse, check access (through
clients.access and journal.access, which write the access log), call one service, render.

A refusal shows the form again with the reason next to the field (422); a refusal of an
action on a note that is not the caller's or no longer a draft goes back to the note with
the reason as a message. Every display of a restricted note's text to someone other than its
author is logged (``services.restricted_reads_record``)."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bedring.accounts.access import Staff, staff_for_request, staff_view
from bedring.clients.access import client_for
from bedring.clients.models import Client
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.errors import Conflict, DomainError, Forbidden
from bedring.core.forms import add_domain_error
from bedring.core.roles import Perm

from . import selectors, services
from .access import note_for
from .forms import CorrectionForm, JournalFilterForm, NoteForm, SignForm
from .models import ContactType, Note
from .printing import journal_pdf
from .selectors import JournalFilter, Reader


def _filters(
    request: HttpRequest, client: Client, reader: Reader
) -> tuple[JournalFilterForm, JournalFilter, str]:
    """The filter form from ``?type=&episode=&author=&q=``; an unknown value is ignored
    (the form says so), a search too long is refused with its reason."""
    form = JournalFilterForm(
        request.GET or None,
        episodes=selectors.client_episodes(client),
        authors=selectors.journal_authors(client, reader),
    )
    if not form.is_bound or not form.is_valid():
        return form, JournalFilter(), ""
    data = form.cleaned_data
    where = JournalFilter(
        contact_type=data["type"],
        episode=form.episodes.get(data["episode"]),
        author=form.authors.get(data["author"]),
        query=data["q"].strip(),
    )
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return form, where, query


def _note_form(
    client: Client,
    reader: Reader,
    data: Any = None,
    *,
    form_class: type[NoteForm] = NoteForm,
    **kwargs: Any,
) -> NoteForm:
    return form_class(
        data,
        organisation=client.organisation,
        episodes=selectors.client_episodes(client),
        goals=selectors.client_goals(client),
        may_restrict=selectors.may_restrict(reader, client.organisation),
        **kwargs,
    )


def _show_text(
    request: HttpRequest, staff: Staff, client: Client, reader: Reader, notes: list[Note], view: str
) -> None:
    """Mark what the reader may read, and log the restricted texts shown."""
    for note in notes:
        note.readable = reader.may_read(note)  # type: ignore[attr-defined]
    services.restricted_reads_record(
        reader=staff.user,
        client=client,
        notes=[n for n in notes if n.readable],  # type: ignore[attr-defined]
        view=view,
        channel="html",
        request=request,
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def client_journal(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """JRN-1: the client's notes, newest contact first, filtered by type, episode, author
    and a search in the text the reader may read; a page at a time."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="journal")
    reader = selectors.staff_reader(staff, client)
    form, where, query = _filters(request, client, reader)
    page = selectors.journal_page(client, reader, where, request.GET.get("page"))
    notes = list(page.object_list)
    _show_text(request, staff, client, reader, notes, "journal")
    return render(
        request,
        "journal/client.html",
        client_context(
            request,
            client,
            "journal",
            page=page,
            notes=notes,
            filter_form=form,
            filtered=where.active,
            query=query,
            contact_types=ContactType.choices,
            reader=reader,
        ),
    )


def _contact_at_from(value: str) -> dict[str, str]:
    """An initial time of the contact from a link (e.g. the appointment's start), when it
    reads as a local date and time; otherwise none, and the form starts from now."""
    try:
        datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M")  # noqa: DTZ007 - only checks the shape
    except ValueError:
        return {}
    return {"contact_at": value}


@staff_view(Perm.CLIENT_WRITE, scope="client")
def note_new(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """JRN-1: write a note as a draft; the text starts from the pack's template of the
    chosen contact type (``?type=``)."""
    staff = staff_for_request(request)
    client = client_for(
        request, staff, client_uuid, view="journal_note_new", perm=Perm.CLIENT_WRITE
    )
    reader = selectors.staff_reader(staff, client)
    contact_type = request.GET.get("type", ContactType.CONVERSATION)
    if contact_type not in ContactType.values:
        contact_type = ContactType.CONVERSATION
    form = _note_form(
        client,
        reader,
        request.POST or None,
        initial={
            "contact_type": contact_type,
            "text": selectors.note_template(client.organisation, contact_type),
            # a note written after an appointment starts at its time (``?at=``, local)
            **_contact_at_from(request.GET.get("at", "")),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            note = services.note_draft_create(
                client=client, actor=staff.user, at=clock.now(), **form.service_data()
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The draft is saved. Sign it when it is complete: a signed note can no "
                    "longer be changed."
                ),
            )
            return redirect("journal:note", note_uuid=note.uuid)
    return render(
        request,
        "journal/note_form.html",
        client_context(
            request,
            client,
            "journal",
            form=form,
            title=_("Write a note"),
            contact_type=contact_type,
            contact_types=ContactType.choices,
        ),
        status=422 if request.method == "POST" else 200,
    )


def _note_page(
    request: HttpRequest,
    staff: Staff,
    note: Note,
    *,
    sign_form: SignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    client = note.client
    reader = selectors.staff_reader(staff, client)
    versions = selectors.note_versions(note)
    newest = selectors.current_version(versions)
    readable = reader.may_read(newest)
    note.readable = readable  # type: ignore[attr-defined]
    if readable:
        services.restricted_reads_record(
            reader=staff.user,
            client=client,
            notes=[note],
            view="journal_note",
            channel="html",
            request=request,
            newest=newest,
        )
    is_author = note.author_id == staff.user.pk
    can_write = staff.can(Perm.CLIENT_WRITE, client.organisation_id)
    return render(
        request,
        "journal/note.html",
        client_context(
            request,
            client,
            "journal",
            note=note,
            goals=list(note.goals.all()) if readable else [],
            newest=newest,
            versions_count=len(versions),
            may_edit=can_write and is_author and not note.is_signed,
            may_correct=can_write and is_author and note.is_signed and newest.pk == note.pk,
            sign_form=sign_form or SignForm(),
        ),
        status=status,
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def note_detail(request: HttpRequest, note_uuid: str) -> HttpResponse:
    """A note: its text (or, restricted, that it exists), its state and what can be done."""
    staff = staff_for_request(request)
    note = note_for(request, staff, note_uuid, view="journal_note")
    return _note_page(request, staff, note)


def _refused(request: HttpRequest, staff: Staff, note: Note, exc: DomainError) -> HttpResponse:
    """A refused action on a note: the note page with the reason. Changing or deleting a
    signed note answers 409 (the note is as it was); other refusals (not the author, a draft
    to correct, a version corrected already) go back to the note."""
    messages.error(request, str(exc.message))
    if exc.code == "note_signed":
        return _note_page(request, staff, note, status=exc.status)
    return redirect("journal:note", note_uuid=note.uuid)


SIGNED = Conflict(
    "note_signed",
    gettext_lazy("The note is signed and can no longer be changed or deleted; write a correction."),
)
NOT_AUTHOR = Forbidden("note_not_author", gettext_lazy("Only the note's author can do this."))
RESTRICTED = Forbidden(
    "note_restricted",
    gettext_lazy("The note is restricted: your role does not read its text."),
)
NOT_SIGNED = Conflict(
    "note_not_signed",
    gettext_lazy("The note is a draft: change the draft instead of correcting it."),
)


@staff_view(Perm.CLIENT_WRITE, scope="client")
def note_edit(request: HttpRequest, note_uuid: str) -> HttpResponse:
    """JRN-1: change a draft (its author only)."""
    staff = staff_for_request(request)
    note = note_for(request, staff, note_uuid, view="journal_note_edit", perm=Perm.CLIENT_WRITE)
    client = note.client
    reader = selectors.staff_reader(staff, client)
    if note.is_signed:
        return _refused(request, staff, note, SIGNED)
    if note.author_id != staff.user.pk:
        return _refused(request, staff, note, NOT_AUTHOR)
    initial = {
        "contact_type": note.contact_type,
        "contact_at": note.contact_at.astimezone(clock.zone(client.organisation)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "episode": str(note.episode.uuid) if note.episode else "",
        "goals": [str(g.uuid) for g in note.goals.all()],
        "restricted": note.restricted,
        "text": note.text,
    }
    form = _note_form(client, reader, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_draft_update(
                note=note, actor=staff.user, at=clock.now(), **form.service_data()
            )
        except DomainError as exc:
            if exc.code in ("note_signed", "note_not_author"):
                return _refused(request, staff, note, exc)
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The draft is saved. Sign it when it is complete."))
            return redirect("journal:note", note_uuid=note.uuid)
    return render(
        request,
        "journal/note_form.html",
        client_context(
            request, client, "journal", form=form, title=_("Change the draft"), note=note
        ),
        status=422 if request.method == "POST" else 200,
    )


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def note_sign(request: HttpRequest, note_uuid: str) -> HttpResponse:
    """JRN-1: sign a draft after the author confirms; irreversible."""
    staff = staff_for_request(request)
    note = note_for(request, staff, note_uuid, view="journal_note_sign", perm=Perm.CLIENT_WRITE)
    if note.is_signed:
        return _refused(request, staff, note, SIGNED)
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Confirm that you sign the note."))
        return redirect("journal:note", note_uuid=note.uuid)
    try:
        services.note_sign(note=note, actor=staff.user, at=clock.now())
    except DomainError as exc:
        return _refused(request, staff, note, exc)
    messages.success(
        request,
        _(
            "The note is signed and is now part of the journal. It can no longer be changed; "
            "a mistake is put right with a correction."
        ),
    )
    return redirect("journal:note", note_uuid=note.uuid)


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def note_delete(request: HttpRequest, note_uuid: str) -> HttpResponse:
    """Delete a draft after the author confirms (a signed note is never deleted)."""
    staff = staff_for_request(request)
    note = note_for(request, staff, note_uuid, view="journal_note_delete", perm=Perm.CLIENT_WRITE)
    if note.is_signed:
        return _refused(request, staff, note, SIGNED)
    if not SignForm(request.POST).is_valid():
        messages.error(request, _("Confirm that you delete the draft."))
        return redirect("journal:note", note_uuid=note.uuid)
    client_uuid = note.client.uuid
    try:
        services.note_draft_delete(note=note, actor=staff.user)
    except DomainError as exc:
        return _refused(request, staff, note, exc)
    messages.success(request, _("The draft is deleted."))
    return redirect("journal:client", client_uuid=client_uuid)


@staff_view(Perm.CLIENT_WRITE, scope="client")
def note_correct(request: HttpRequest, note_uuid: str) -> HttpResponse:
    """JRN-1: correct a signed note: a new version with the reason, signed at once; the old
    one stays in the versions."""
    staff = staff_for_request(request)
    note = note_for(request, staff, note_uuid, view="journal_note_correct", perm=Perm.CLIENT_WRITE)
    client = note.client
    reader = selectors.staff_reader(staff, client)
    if not note.is_signed:
        return _refused(request, staff, note, NOT_SIGNED)
    if note.author_id != staff.user.pk:
        return _refused(request, staff, note, NOT_AUTHOR)
    initial = {
        "contact_type": note.contact_type,
        "contact_at": note.contact_at.astimezone(clock.zone(client.organisation)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "episode": str(note.episode.uuid) if note.episode else "",
        "goals": [str(g.uuid) for g in note.goals.all()],
        "restricted": note.restricted,
        "text": note.text,
    }
    form = _note_form(
        client, reader, request.POST or None, form_class=CorrectionForm, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        data.pop("confirm")
        try:
            correction = services.note_correct(note=note, actor=staff.user, at=clock.now(), **data)
        except DomainError as exc:
            if exc.code in ("note_not_signed", "note_already_corrected", "note_not_author"):
                return _refused(request, staff, note, exc)
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The correction is signed as version %(version)d. The earlier version stays "
                    "in the note's versions."
                )
                % {"version": correction.version},
            )
            return redirect("journal:note", note_uuid=correction.uuid)
    return render(
        request,
        "journal/note_form.html",
        client_context(
            request,
            client,
            "journal",
            form=form,
            title=_("Correct the note"),
            note=note,
            correcting=True,
        ),
        status=422 if request.method == "POST" else 200,
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def note_versions(request: HttpRequest, note_uuid: str) -> HttpResponse:
    """JRN-1: every version of a note with who signed it, when and why it was corrected; the
    texts only for those who may read the note."""
    staff = staff_for_request(request)
    note = note_for(request, staff, note_uuid, view="journal_versions")
    client = note.client
    reader = selectors.staff_reader(staff, client)
    versions = selectors.note_versions(note)
    newest = selectors.current_version(versions)
    if not reader.may_read(newest):
        return _refused(request, staff, note, RESTRICTED)
    services.restricted_reads_record(
        reader=staff.user,
        client=client,
        notes=versions,
        view="journal_versions",
        channel="html",
        request=request,
        newest=newest,
    )
    return render(
        request,
        "journal/versions.html",
        client_context(
            request,
            client,
            "journal",
            note=note,
            newest=newest,
            versions=list(reversed(versions)),
        ),
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def journal_print(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """JRN-1: the signed notes of the journal as a PDF (the page's filters apply), the
    newest :data:`~bedring.journal.selectors.PRINT_MAX`. A print: logged as such."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="journal_pdf", channel="print")
    reader = selectors.staff_reader(staff, client)
    _form, where, _query = _filters(request, client, reader)
    notes, total = selectors.journal_for_print(client, reader, where)
    for note in notes:
        note.readable = reader.may_read(note)  # type: ignore[attr-defined]
    services.restricted_reads_record(
        reader=staff.user,
        client=client,
        notes=[n for n in notes if n.readable],  # type: ignore[attr-defined]
        view="journal_pdf",
        channel="print",
        request=request,
    )
    pdf = journal_pdf(client=client, notes=notes, total=total, where=where, printed_by=staff.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True,
        filename=f"journal-{client.code}-{clock.today(client.organisation).isoformat()}.pdf",
    )
    response["Cache-Control"] = "no-store"
    return response
