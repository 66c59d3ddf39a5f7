"""The client's Documents tab (JRN-3): the list, the upload form, the download and the
discarding of a mistaken upload. Thin: parse, check access (clients.access, documents.access),
call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bedring.accounts.access import staff_for_request, staff_view
from bedring.clients.access import client_for
from bedring.clients.models import Client
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error
from bedring.core.roles import Perm

from . import selectors, services, storage
from .access import document_for
from .forms import DiscardForm, DocumentForm
from .models import Document


def _page(
    request: HttpRequest,
    client: Client,
    *,
    form: DocumentForm | None = None,
    status: int = 200,
    discard: tuple[str, list[str]] = ("", []),
) -> HttpResponse:
    staff = staff_for_request(request)
    now = clock.now()
    page = selectors.document_page(client, request.GET.get("page"))
    discardable = {d.pk for d in page if services.may_discard(d, staff.user, now)}
    # A refused discard of a document the page no longer offers to discard (someone else's,
    # too late): its reasons go to the top of the list instead.
    shown = {str(d.uuid) for d in page if d.pk in discardable}
    hidden_errors = discard[1] if discard[0] and discard[0] not in shown else []
    return render(
        request,
        "documents/client.html",
        {
            **client_context(request, client, "documents"),
            "page": page,
            "form": form or DocumentForm(initial={"dated_on": clock.today(client.organisation)}),
            "upload_open": form is not None,
            "discardable": discardable,
            "discard_minutes": services.DISCARD_MINUTES,
            "discard_uuid": discard[0],
            "discard_errors": discard[1],
            "hidden_errors": hidden_errors,
            "max_mb": f"{services.max_bytes() / (1024 * 1024):g}",
        },
        status=status,
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def client_documents(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """JRN-3: the documents of the client's record, latest first, and the upload form."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="documents")
    return _page(request, client)


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def document_upload(request: HttpRequest, client_uuid: str) -> HttpResponse:
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="document_upload", perm=Perm.CLIENT_WRITE)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = services.document_upload(
                client=client,
                actor=staff.user,
                upload=form.cleaned_data["file"],
                **{k: v for k, v in form.cleaned_data.items() if k != "file"},
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "%(kind)s of %(date)s is stored in the record. It can be attached to a "
                    "referral; if it went to the wrong client, discard it within %(minutes)d "
                    "minutes."
                )
                % {
                    "kind": document.get_kind_display(),
                    "date": date_format(document.dated_on, "SHORT_DATE_FORMAT"),
                    "minutes": services.DISCARD_MINUTES,
                },
            )
            return redirect("documents:client", client_uuid=client.uuid)
    return _page(request, client, form=form, status=422)


def file_response(document: Document) -> HttpResponse:
    """The stored file (at most the upload limit, so read whole), as a download named from
    its kind and date, with its checked type and never sniffed by the browser."""
    try:
        data = storage.path_of(document.storage_name).read_bytes()
    except (OSError, ValueError) as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.download_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


@staff_view(Perm.CLIENT_READ, scope="client")
def document_download(request: HttpRequest, document_uuid: str) -> HttpResponse:
    """JRN-3: the file, only through here (the read is in the client's access log)."""
    staff = staff_for_request(request)
    document = document_for(request, staff, document_uuid, view="document_download")
    return file_response(document)


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def document_discard(request: HttpRequest, document_uuid: str) -> HttpResponse:
    """Discard a mistaken upload (its uploader, within the hour, with a reason)."""
    staff = staff_for_request(request)
    document = document_for(
        request, staff, document_uuid, view="document_discard", perm=Perm.CLIENT_WRITE
    )
    form = DiscardForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            services.document_discard(
                document=document, actor=staff.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            errors.append(str(exc.message))
        else:
            messages.success(
                request,
                _(
                    "The upload is discarded: its file is removed and the record keeps who "
                    "discarded it and why. Upload the right document if there is one."
                ),
            )
            return redirect("documents:client", client_uuid=document.client.uuid)
    else:
        errors.extend(str(e) for field_errors in form.errors.values() for e in field_errors)
    return _page(request, document.client, status=422, discard=(str(document.uuid), errors))
