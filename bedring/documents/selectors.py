"""Document reads (JRN-3): the client's documents in a fixed number of queries, whatever
their number, and the full list a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import QuerySet

from bedring.clients.models import Client
from bedring.core.paging import Paginator

from .models import Document

# The Documents tab shows the latest this many; the full list this many a page.
RECENT = 50
PAGE_SIZE = 50


def client_documents(client: Client) -> QuerySet[Document]:
    """The client's documents (not the discarded ones), latest date first."""
    return (
        Document.objects.filter(client=client, discarded_at__isnull=True)
        .select_related("uploaded_by")
        .order_by("-dated_on", "-id")
    )


@dataclass
class DocumentList:
    documents: list[Document]
    total: int

    @property
    def more(self) -> bool:
        return self.total > len(self.documents)


def recent_documents(client: Client) -> DocumentList:
    """The latest :data:`RECENT` documents and how many there are: two queries."""
    documents = list(client_documents(client)[:RECENT])
    total = len(documents) if len(documents) < RECENT else client_documents(client).count()
    return DocumentList(documents=documents, total=total)


def document_page(client: Client, page: str | None) -> Page[Document]:
    return Paginator(client_documents(client), PAGE_SIZE).get_page(page)
