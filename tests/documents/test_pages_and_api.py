"""JRN-3: the Documents tab, the download (only through the access-logged view), discarding
a mistaken upload, and the same in the API; an outsider finds nothing."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bedring.audit.models import AccessEvent
from bedring.core import clock
from bedring.core.errors import Conflict, ValidationFailed
from bedring.core.roles import Role
from bedring.documents import services, storage
from bedring.documents.models import Document
from tests.conftest import api_headers, login
from tests.documents.conftest import files_in
from tests.documents.files import EXE, HTML, image_bytes, pdf_bytes, upload


@pytest.fixture
def nurse(org_dk, make_staff):
    return make_staff(org_dk, Role.NURSE)


def stored(client, actor, content=None, **extra):
    return services.document_upload(
        client=client,
        actor=actor,
        upload=upload(content or pdf_bytes()),
        kind=extra.get("kind", "letter"),
        dated_on=extra.get("dated_on", clock.today(client.organisation)),
        source="Egen læge",
    )


def form(content: bytes, name: str = "letter.pdf", **extra):
    return {
        "document-file": upload(content, name),
        "document-kind": "gp_information",
        "document-dated_on": clock.today().isoformat(),
        "document-source": "Egen læge",
        **extra,
    }


def test_the_documents_tab_uploads_a_file_and_says_what_happens_next(
    client, dk_client, nurse, documents_dir
):
    http = login(client, nurse)
    page = http.get(reverse("documents:client", args=[dk_client.uuid]))
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content
    response = http.post(reverse("documents:upload", args=[dk_client.uuid]), form(pdf_bytes()))
    assert response.status_code == 302
    document = Document.objects.get(client=dk_client)
    page = http.get(response["Location"])
    assert "is stored in the record" in page.content.decode()
    assert str(document.uuid) in page.content.decode()
    assert len(files_in(documents_dir)) == 1


def test_the_page_refuses_an_html_file_named_pdf_and_writes_nothing(
    client, dk_client, nurse, documents_dir
):
    http = login(client, nurse)
    response = http.post(reverse("documents:upload", args=[dk_client.uuid]), form(HTML))
    assert response.status_code == 422
    assert "Only PDF, PNG and JPEG" in response.content.decode()
    assert not Document.objects.exists()
    assert files_in(documents_dir) == []


def test_the_download_is_the_file_with_safe_headers_and_is_access_logged(client, dk_client, nurse):
    document = stored(dk_client, nurse)
    http = login(client, nurse)
    before = AccessEvent.objects.filter(client=dk_client, view="document_download").count()
    response = http.get(reverse("documents:download", args=[document.uuid]))
    assert response.status_code == 200
    assert response.getvalue() == pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        f'attachment; filename="letter-{document.dated_on.isoformat()}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    after = AccessEvent.objects.filter(client=dk_client, view="document_download").count()
    assert after == before + 1


def test_an_outsider_finds_neither_the_tab_nor_the_file(client, dk_client, nurse, outsider):
    document = stored(dk_client, nurse)
    http = login(client, outsider)
    for url in (
        reverse("documents:client", args=[dk_client.uuid]),
        reverse("documents:download", args=[document.uuid]),
    ):
        assert http.get(url).status_code == 404
    assert (
        http.post(reverse("documents:discard", args=[document.uuid]), {"reason": "x"}).status_code
        == 404
    )
    api = client.get(
        f"/api/v1/clients/{dk_client.uuid}/documents/{document.uuid}/file",
        **api_headers(outsider),
    )
    assert api.status_code == 404
    assert api.json()["code"] == "not_found"


def test_the_uploader_discards_a_mistaken_upload_the_row_stays_the_file_goes(
    client, dk_client, nurse, documents_dir, django_capture_on_commit_callbacks
):
    document = stored(dk_client, nurse)
    path = storage.path_of(document.storage_name)
    http = login(client, nurse)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            reverse("documents:discard", args=[document.uuid]), {"reason": "Wrong client"}
        )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.discarded_by == nurse
    assert document.discard_reason == "Wrong client"
    assert not path.exists()
    # Gone from the list and from the download.
    assert http.get(reverse("documents:download", args=[document.uuid])).status_code == 404
    page = http.get(reverse("documents:client", args=[dk_client.uuid]))
    assert str(document.uuid) not in page.content.decode()


def test_a_refused_discard_is_shown_next_to_the_document(
    client, dk_client, nurse, make_staff, org_dk
):
    document = stored(dk_client, nurse)
    http = login(client, nurse)
    response = http.post(reverse("documents:discard", args=[document.uuid]), {"reason": ""})
    assert response.status_code == 422
    assert "This field is required" in response.content.decode()
    other = login(client.__class__(), make_staff(org_dk, Role.NURSE))
    response = other.post(reverse("documents:discard", args=[document.uuid]), {"reason": "x"})
    assert response.status_code == 422
    assert "Only the person who uploaded" in response.content.decode()
    document.refresh_from_db()
    assert document.discarded_at is None


def test_only_the_uploader_within_the_hour_without_a_referral_may_discard(
    dk_client, nurse, make_staff, org_dk, frozen_clock
):
    document = stored(dk_client, nurse)
    other = make_staff(org_dk, Role.NURSE)
    with pytest.raises(Conflict) as caught:
        services.document_discard(document=document, actor=other, reason="Not mine")
    assert caught.value.code == "discard_not_uploader"
    with pytest.raises(ValidationFailed) as missing:
        services.document_discard(document=document, actor=nurse, reason="  ")
    assert missing.value.code == "discard_reason_required"
    services.documents_attach(documents=[document])
    with pytest.raises(Conflict) as caught:
        services.document_discard(document=document, actor=nurse, reason="Oops")
    assert caught.value.code == "document_in_use"
    late = stored(dk_client, nurse)
    frozen_clock.shift(datetime.timedelta(minutes=services.DISCARD_MINUTES + 1))
    with pytest.raises(Conflict) as caught:
        services.document_discard(document=late, actor=nurse, reason="Oops")
    assert caught.value.code == "discard_too_late"
    late.refresh_from_db()
    assert late.discarded_at is None


def _tab_queries(http, client_uuid) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert http.get(reverse("documents:client", args=[client_uuid])).status_code == 200
    return len(queries)


def test_the_documents_tab_costs_the_same_queries_for_3_or_60_documents(client, dk_client, nurse):
    for _ in range(3):
        stored(dk_client, nurse)
    http = login(client, nurse)
    few = _tab_queries(http, dk_client.uuid)
    for _ in range(57):
        stored(dk_client, nurse, content=image_bytes("PNG"))
    many = _tab_queries(http, dk_client.uuid)
    assert many == few
    assert many <= 20
    # the older documents are on the next page
    first = http.get(reverse("documents:client", args=[dk_client.uuid])).content.decode()
    assert 'data-testid="documents-next"' in first
    second = http.get(reverse("documents:client", args=[dk_client.uuid]), {"page": 2})
    assert second.content.decode().count('data-testid="document-') == 10


# --- the API -------------------------------------------------------------------------------


def test_the_api_uploads_multipart_lists_and_downloads(client, dk_client, nurse, documents_dir):
    headers = api_headers(nurse)
    url = f"/api/v1/clients/{dk_client.uuid}/documents"
    response = client.post(
        url,
        {
            "file": upload(image_bytes("JPEG"), "photo.jpg", "image/jpeg"),
            "kind": "contract",
            "dated_on": clock.today().isoformat(),
            "source": "Døgninstitution",
        },
        **headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "image/jpeg"
    listed = client.get(url, **headers).json()
    assert listed["count"] == 1
    assert listed["results"][0]["id"] == body["id"]
    file = client.get(f"{url}/{body['id']}/file", **headers)
    assert file.status_code == 200
    assert file["X-Content-Type-Options"] == "nosniff"
    assert file["Content-Type"] == "image/jpeg"
    assert AccessEvent.objects.filter(client=dk_client, view="api_document_download").exists()


@pytest.mark.parametrize(("content", "code"), [(EXE, "document_type"), (HTML, "document_type")])
def test_the_api_refuses_a_disguised_file_with_json_and_writes_nothing(
    client, dk_client, nurse, documents_dir, content, code
):
    response = client.post(
        f"/api/v1/clients/{dk_client.uuid}/documents",
        {
            "file": upload(content, "report.pdf"),
            "kind": "letter",
            "dated_on": clock.today().isoformat(),
            "source": "GP",
        },
        **api_headers(nurse),
    )
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert not Document.objects.exists()
    assert files_in(documents_dir) == []


def test_the_api_refuses_a_file_too_large_and_one_missing(
    client, dk_client, nurse, documents_dir, settings
):
    settings.BEDRING_DOCUMENT_MAX_BYTES = 50
    url = f"/api/v1/clients/{dk_client.uuid}/documents"
    fields = {"kind": "letter", "dated_on": clock.today().isoformat(), "source": "GP"}
    response = client.post(url, {"file": upload(pdf_bytes()), **fields}, **api_headers(nurse))
    assert response.status_code == 422
    assert response.json()["code"] == "document_too_large"
    response = client.post(url, fields, **api_headers(nurse))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert files_in(documents_dir) == []


def test_the_api_discards_for_the_uploader_only(client, dk_client, nurse, make_staff, org_dk):
    document = stored(dk_client, nurse)
    url = f"/api/v1/clients/{dk_client.uuid}/documents/{document.uuid}/discard"
    other = make_staff(org_dk, Role.COUNSELLOR)
    response = client.post(
        url, {"reason": "x"}, content_type="application/json", **api_headers(other)
    )
    assert response.status_code == 409
    assert response.json()["code"] == "discard_not_uploader"
    response = client.post(
        url, {"reason": "Wrong file"}, content_type="application/json", **api_headers(nurse)
    )
    assert response.status_code == 200
