"""Document reads (JRN-3): the client's documents a page at a time, in a fixed number of
queries whatever their number."""

from __future__ import annotations

from django.core.paginator import Page
from django.db.models import QuerySet

from bedring.clients.models import Client
from bedring.core.paging import Paginator

from .models import Document

# The Documents tab shows this many a page, the latest first; a referral offers the latest
# this many to send with it.
RECENT = 50
PAGE_SIZE = 50


def client_documents(client: Client) -> QuerySet[Document]:
    """The client's documents (not the discarded ones), latest date first."""
    return (
        Document.objects.filter(client=client, discarded_at__isnull=True)
        .select_related("uploaded_by")
        .order_by("-dated_on", "-id")
    )


def document_page(client: Client, page: str | None) -> Page[Document]:
    """A page of the client's documents, latest first: two queries (the count and the rows)."""
    return Paginator(client_documents(client), PAGE_SIZE).get_page(page)
