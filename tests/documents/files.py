"""Small real and fake files for the document tests: a PDF made by the letters' PDF module,
images made by Pillow, and things pretending to be a PDF."""

from __future__ import annotations

import functools
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bedring.core.pdf import render_pdf


@functools.cache
def pdf_bytes() -> bytes:
    return render_pdf("<h1>Henvisning</h1><p>Synthetic test letter.</p>")


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
# A Windows program: "MZ", then a DOS stub.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
# A PDF header with nothing readable after it.
BROKEN_PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ngarbage"
BROKEN_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(content: bytes, name: str = "letter.pdf", content_type: str = "application/pdf"):
    """An upload as the browser sends it: the name and type are the sender's claims."""
    return SimpleUploadedFile(name, content, content_type=content_type)
