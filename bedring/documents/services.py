"""Document writes (JRN-3): keyword-only, typed, one transaction each; django-auditlog keeps
the row's values and who wrote them.

* **Upload.** A PDF, PNG or JPEG of at most ``settings.BEDRING_DOCUMENT_MAX_BYTES`` (10 MB
  by default), recognised by its content (:mod:`bedring.documents.content`): a file whose
  bytes are not one of the three is ``document_type``, one that announces a type but does not
  read as it is ``document_unreadable``, one too large ``document_too_large``, an empty one
  ``document_empty``. Everything is checked before a byte is written; the file is written
  under a random name (:mod:`bedring.documents.storage`) and removed again if the
  transaction fails, so a refusal leaves no row and no file.
* **No deletion.** A document is part of the record. The one exception is a mistaken upload
  (the wrong client, the wrong file): its uploader may *discard* it within
  :data:`DISCARD_MINUTES` with a reason, while no referral uses it. The row stays with who,
  when and why (and the change log); the file is removed, because it belongs in another
  record or in none. Anything later is corrected by uploading the right document.
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import User
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.errors import Conflict, ValidationFailed
from bedring.core.text import clean_text, storable

from . import content, storage
from .models import Document, DocumentKind

# How long after an upload its uploader may discard it as a mistake.
DISCARD_MINUTES = 60
EARLIEST_DAY = datetime.date(1900, 1, 1)
TEXT_MAX = 200
REASON_MAX = 300


def max_bytes() -> int:
    return int(settings.BEDRING_DOCUMENT_MAX_BYTES)


def _too_large() -> ValidationFailed:
    megabytes = max_bytes() / (1024 * 1024)
    return ValidationFailed(
        "document_too_large",
        _("The file is larger than %(mb)s MB.") % {"mb": f"{megabytes:g}"},
        field="file",
    )


def read_upload(upload: File) -> tuple[bytes, str]:  # type: ignore[type-arg]
    """The bytes of an upload and their checked content type, or a refusal. Reads at most one
    byte more than the limit, whatever the upload claims its size is."""
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise _too_large()
    upload.seek(0)
    data = upload.read(limit + 1)
    if isinstance(data, str):  # a text-mode file: not a document
        raise ValidationFailed("document_type", _("Upload a PDF, PNG or JPEG file."), field="file")
    if len(data) > limit:
        raise _too_large()
    if not data:
        raise ValidationFailed("document_empty", _("The file is empty."), field="file")
    content_type = content.sniff(data[:16])
    if content_type is None:
        raise ValidationFailed(
            "document_type",
            _("Only PDF, PNG and JPEG files can be stored; this file is none of them."),
            field="file",
        )
    if not content.readable(data, content_type):
        raise ValidationFailed(
            "document_unreadable",
            _("The file looks like a %(type)s but cannot be read; it may be damaged.")
            % {"type": content_type.split("/")[-1].upper()},
            field="file",
        )
    return data, content_type


def _check_day(client: Client, day: datetime.date) -> None:
    if day < EARLIEST_DAY:
        raise ValidationFailed(
            "date_too_early", _("The date cannot be before 1 January 1900."), field="dated_on"
        )
    if day > clock.today(client.organisation):
        raise ValidationFailed(
            "date_in_future", _("The date cannot be in the future."), field="dated_on"
        )


def document_upload(
    *,
    client: Client,
    actor: User,
    upload: File,  # type: ignore[type-arg]
    kind: str,
    dated_on: datetime.date,
    source: str,
    title: str = "",
) -> Document:
    """JRN-3: store a document in the client's record. Checks everything before writing the
    file; the file goes if the transaction does not commit."""
    with storage.removed_on_failure():
        return _document_upload(
            client=client,
            actor=actor,
            upload=upload,
            kind=kind,
            dated_on=dated_on,
            source=source,
            title=title,
        )


@transaction.atomic
def _document_upload(
    *,
    client: Client,
    actor: User,
    upload: File,  # type: ignore[type-arg]
    kind: str,
    dated_on: datetime.date,
    source: str,
    title: str,
) -> Document:
    if kind not in DocumentKind.values:
        raise ValidationFailed("document_kind", _("Choose one of the listed kinds."), field="kind")
    _check_day(client, dated_on)
    source = clean_text(source, "source", TEXT_MAX, required=True)
    title = clean_text(title, "title", TEXT_MAX)
    data, content_type = read_upload(upload)
    original_name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][:TEXT_MAX]
    storage_name = storage.write_new(data)
    return Document.objects.create(
        client=client,
        kind=kind,
        dated_on=dated_on,
        source=source,
        title=title,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_name=storage_name,
        original_name=original_name,
        uploaded_by=actor,
    )


def documents_attach(*, documents: list[Document]) -> None:
    """The documents are now part of something sent or received (a referral): they can no
    longer be discarded. Called by the higher layers that use them (referrals)."""
    for document in documents:
        if not document.attached:
            document.attached = True
            document.save(update_fields=["attached", "updated_at"])


def may_discard(document: Document, user: User, at: datetime.datetime) -> bool:
    """Whether ``user`` may still discard ``document`` as a mistaken upload at ``at`` (the
    page shows the form only then; the service checks again, with the reasons)."""
    return (
        document.discarded_at is None
        and not document.attached
        and document.uploaded_by_id == user.pk
        and at - document.created_at <= datetime.timedelta(minutes=DISCARD_MINUTES)
    )


@transaction.atomic
def document_discard(
    *,
    document: Document,
    actor: User,
    reason: str,
    at: datetime.datetime | None = None,
) -> Document:
    """Discard a mistaken upload: only its uploader, within :data:`DISCARD_MINUTES`, with a
    reason, and not once a referral uses it (``attached``). The row stays; the file is
    removed once the transaction has committed."""
    at = at or clock.now()
    document = Document.objects.select_for_update(of=("self",)).get(pk=document.pk)
    if document.discarded_at is not None:
        raise Conflict("document_discarded", _("This document has already been discarded."))
    if document.uploaded_by_id != actor.pk:
        raise Conflict(
            "discard_not_uploader",
            _("Only the person who uploaded a document can discard it."),
        )
    if at - document.created_at > datetime.timedelta(minutes=DISCARD_MINUTES):
        raise Conflict(
            "discard_too_late",
            _(
                "A document can only be discarded within %(minutes)d minutes of its upload; "
                "it is now part of the record."
            )
            % {"minutes": DISCARD_MINUTES},
        )
    if document.attached:
        raise Conflict(
            "document_in_use",
            _("A referral uses this document; it stays in the record."),
        )
    reason = storable(reason, "reason")
    if not reason:
        raise ValidationFailed(
            "discard_reason_required", _("Say why the upload was a mistake."), field="reason"
        )
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            "reason_too_long",
            _("At most %(max)d characters.") % {"max": REASON_MAX},
            field="reason",
        )
    document.discarded_at = at
    document.discarded_by = actor
    document.discard_reason = reason
    document.save(update_fields=["discarded_at", "discarded_by", "discard_reason", "updated_at"])
    storage_name = document.storage_name
    transaction.on_commit(lambda: storage.remove(storage_name))
    return document
