"""The printed journal (JRN-1): the signed notes of a client as a PDF, in the language of the
staff member who prints it (an internal record, not a letter to the client). Made by
``bedring.core.pdf.render_pdf``, which fetches nothing."""

from __future__ import annotations

from collections.abc import Sequence

from django.template.loader import render_to_string

from bedring.accounts.models import User
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.pdf import render_pdf

from .models import Note
from .selectors import JournalFilter

TEMPLATE = "journal/print.html"


def journal_html(
    *,
    client: Client,
    notes: Sequence[Note],
    total: int,
    where: JournalFilter,
    printed_by: User,
) -> str:
    """The notes carry ``readable`` (set by the caller): a restricted note the printer may
    not read is printed as existing, without its text."""
    return render_to_string(
        TEMPLATE,
        {
            "client": client,
            "organisation": client.organisation,
            "notes": notes,
            "total": total,
            "where": where,
            "printed_by": printed_by,
            "printed_at": clock.now(),
            "zone": client.organisation.time_zone,
        },
    )


def journal_pdf(
    *,
    client: Client,
    notes: Sequence[Note],
    total: int,
    where: JournalFilter,
    printed_by: User,
) -> bytes:
    return render_pdf(
        journal_html(client=client, notes=notes, total=total, where=where, printed_by=printed_by)
    )
