"""JRN-3: documents are stored by their content, outside the web root, under random names;
every refusal leaves neither a row nor a file."""

from __future__ import annotations

import datetime
import hashlib
import stat
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings

from bedring.core import clock
from bedring.core.errors import ValidationFailed
from bedring.core.roles import Role
from bedring.documents import services, storage
from bedring.documents.models import Document
from tests.documents.conftest import files_in
from tests.documents.files import (
    BROKEN_PDF,
    BROKEN_PNG,
    EXE,
    HTML,
    image_bytes,
    pdf_bytes,
    upload,
)


@pytest.fixture
def nurse(org_dk, make_staff):
    return make_staff(org_dk, Role.NURSE)


def store(client, actor, content: bytes, name: str = "letter.pdf", **extra):
    values = {
        "kind": "gp_information",
        "dated_on": clock.today(client.organisation),
        "source": "Egen læge",
        **extra,
    }
    return services.document_upload(
        client=client, actor=actor, upload=upload(content, name), **values
    )


def refused(client, actor, content: bytes, code: str, documents_dir: Path, **extra) -> None:
    with pytest.raises(ValidationFailed) as caught:
        store(client, actor, content, **extra)
    assert caught.value.code == code
    assert not Document.objects.filter(client=client).exists()
    assert files_in(documents_dir) == []


def test_a_pdf_is_stored_under_a_random_name_outside_the_web_root(dk_client, nurse, documents_dir):
    content = pdf_bytes()
    document = store(dk_client, nurse, content, name=f"{dk_client.last_name} henvisning.pdf")
    path = storage.path_of(document.storage_name)
    assert path.read_bytes() == content
    assert path.is_relative_to(documents_dir)
    # Never the client's name, nor the upload's: 32 random hex characters.
    assert len(document.storage_name) == 32
    assert dk_client.last_name.lower() not in str(path).lower()
    assert "henvisning" not in str(path)
    # Outside everything the web server serves.
    for served in (settings.STATIC_ROOT, *settings.STATICFILES_DIRS):
        assert not path.resolve().is_relative_to(Path(served).resolve())
    assert settings.MEDIA_ROOT == ""
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert document.content_type == "application/pdf"
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.original_name == f"{dk_client.last_name} henvisning.pdf"
    assert document.download_name == f"gp_information-{document.dated_on.isoformat()}.pdf"


@pytest.mark.parametrize(("fmt", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_images_are_stored_with_the_type_their_content_has(dk_client, nurse, fmt, content_type):
    # The name says PDF; the content decides.
    document = store(dk_client, nurse, image_bytes(fmt), name="scan.pdf")
    assert document.content_type == content_type


@pytest.mark.parametrize(
    "content",
    [HTML, EXE, b"PK\x03\x04 a zip", b"just some text"],
    ids=["html", "exe", "zip", "text"],
)
def test_a_file_renamed_pdf_that_is_something_else_is_refused(
    dk_client, nurse, documents_dir, content
):
    refused(dk_client, nurse, content, "document_type", documents_dir)


@pytest.mark.parametrize("content", [BROKEN_PDF, BROKEN_PNG], ids=["pdf", "png"])
def test_a_file_with_the_right_magic_but_damaged_is_refused(
    dk_client, nurse, documents_dir, content
):
    refused(dk_client, nurse, content, "document_unreadable", documents_dir)


def test_a_pdf_cut_short_is_refused(dk_client, nurse, documents_dir):
    content = pdf_bytes()
    refused(dk_client, nurse, content[: len(content) // 2], "document_unreadable", documents_dir)


def test_a_file_over_the_size_limit_is_refused(dk_client, nurse, documents_dir, settings):
    settings.BEDRING_DOCUMENT_MAX_BYTES = len(pdf_bytes()) - 1
    refused(dk_client, nurse, pdf_bytes(), "document_too_large", documents_dir)


def test_the_size_limit_holds_whatever_size_the_upload_claims(
    dk_client, nurse, documents_dir, settings
):
    settings.BEDRING_DOCUMENT_MAX_BYTES = 100
    lying = upload(pdf_bytes())
    lying.size = 10
    with pytest.raises(ValidationFailed) as caught:
        services.document_upload(
            client=dk_client,
            actor=nurse,
            upload=lying,
            kind="letter",
            dated_on=clock.today(dk_client.organisation),
            source="GP",
        )
    assert caught.value.code == "document_too_large"
    assert files_in(documents_dir) == []


def test_an_empty_file_is_refused(dk_client, nurse, documents_dir):
    refused(dk_client, nurse, b"", "document_empty", documents_dir)


def test_a_date_in_the_future_is_refused_before_anything_is_written(
    dk_client, nurse, documents_dir
):
    tomorrow = clock.today(dk_client.organisation) + datetime.timedelta(days=1)
    refused(dk_client, nurse, pdf_bytes(), "date_in_future", documents_dir, dated_on=tomorrow)


@pytest.mark.parametrize(
    ("extra", "code"),
    [({"source": "  "}, "source_required"), ({"kind": "poster"}, "document_kind")],
)
def test_a_document_says_what_it_is_and_where_it_came_from(
    dk_client, nurse, documents_dir, extra, code
):
    refused(dk_client, nurse, pdf_bytes(), code, documents_dir, **extra)


def test_a_failure_after_the_file_is_written_removes_the_file(dk_client, nurse, documents_dir):
    with (
        mock.patch.object(Document.objects, "create", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        store(dk_client, nurse, pdf_bytes())
    assert files_in(documents_dir) == []
    assert not Document.objects.filter(client=dk_client).exists()
