"""Documents in /api/v1/ (JRN-3): the same service, rules and error codes as the pages.

Every operation sits under the client (``/clients/{client_id}/documents...``) and reads it
through ``clients.access.client_for``: another organisation's client is 404, a role without
the permission 403, and every call (the file download included) is in the access log. The
upload is ``multipart/form-data`` with the file in ``file``; a file that is not a PDF, PNG or
JPEG by its content is 422 ``document_type``, a larger one than the limit 422
``document_too_large``.
"""

from __future__ import annotations

import datetime
from typing import Literal
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from bedring.accounts.access import Staff
from bedring.clients.access import client_for
from bedring.clients.models import Client
from bedring.core.paging import api_page
from bedring.core.roles import Perm

from . import selectors, services
from .models import Document
from .views import file_response

router = Router(tags=["documents"])

KindIn = Literal[
    "self_referral", "gp_information", "contract", "letter", "referral", "reply", "other"
]


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


def _client(request: HttpRequest, client_id: UUID, view: str, perm: Perm) -> Client:
    return client_for(request, _staff(request), client_id, view=view, perm=perm, channel="api")


class DocumentIn(Schema):
    kind: KindIn
    dated_on: datetime.date
    source: str = Field(..., max_length=200, description="Who wrote or sent it.")
    title: str = Field("", max_length=200)


class DocumentOut(Schema):
    id: UUID
    kind: str
    dated_on: datetime.date
    source: str
    title: str
    content_type: str
    size: int
    sha256: str
    original_name: str
    attached: bool
    uploaded_by: str
    created_at: datetime.datetime


def document_out(d: Document) -> DocumentOut:
    return DocumentOut(
        id=d.uuid,
        kind=d.kind,
        dated_on=d.dated_on,
        source=d.source,
        title=d.title,
        content_type=d.content_type,
        size=d.size,
        sha256=d.sha256,
        original_name=d.original_name,
        attached=d.attached,
        uploaded_by=getattr(d.uploaded_by, "username", ""),
        created_at=d.created_at,
    )


class DocumentPage(Schema):
    count: int
    results: list[DocumentOut]


class DiscardIn(Schema):
    reason: str = Field(..., max_length=300)


def _document(client: Client, document_id: UUID) -> Document:
    document = (
        Document.objects.filter(client=client, uuid=document_id, discarded_at__isnull=True)
        .select_related("uploaded_by")
        .first()
    )
    if document is None:
        raise Http404
    return document


@router.get("/clients/{client_id}/documents", response=DocumentPage)
def document_list(
    request: HttpRequest, client_id: UUID, offset: int = 0, limit: int = 50
) -> DocumentPage:
    """JRN-3: the client's documents, latest date first, a page at a time."""
    client = _client(request, client_id, "api_documents", Perm.CLIENT_READ)
    count, rows = api_page(selectors.client_documents(client), offset, limit)
    return DocumentPage(count=count, results=[document_out(d) for d in rows])


@router.post("/clients/{client_id}/documents", response={201: DocumentOut})
def document_upload(
    request: HttpRequest,
    client_id: UUID,
    details: Form[DocumentIn],
    file: File[UploadedFile],
) -> Status[DocumentOut]:
    """JRN-3: store a PDF, PNG or JPEG (checked by its content) in the client's record."""
    client = _client(request, client_id, "api_document_upload", Perm.CLIENT_WRITE)
    document = services.document_upload(
        client=client, actor=_staff(request).user, upload=file, **details.model_dump()
    )
    return Status(201, document_out(document))


@router.get("/clients/{client_id}/documents/{document_id}/file")
def document_download(request: HttpRequest, client_id: UUID, document_id: UUID) -> HttpResponse:
    """JRN-3: the stored file, as an attachment with its checked content type."""
    staff = _staff(request)
    client = client_for(request, staff, client_id, view="api_document_download", channel="api")
    return file_response(_document(client, document_id))


@router.post("/clients/{client_id}/documents/{document_id}/discard", response=DocumentOut)
def document_discard(
    request: HttpRequest, client_id: UUID, document_id: UUID, payload: DiscardIn
) -> DocumentOut:
    """Discard a mistaken upload: its uploader only, within the hour, with a reason, while
    no referral uses it (409 ``discard_not_uploader``, ``discard_too_late``,
    ``document_in_use``)."""
    client = _client(request, client_id, "api_document_discard", Perm.CLIENT_WRITE)
    document = services.document_discard(
        document=_document(client, document_id), actor=_staff(request).user, **payload.model_dump()
    )
    return document_out(document)
