"""What a file really is, from its bytes (never its name or the browser's word for it).

Two steps: the magic bytes at the start say which of the three accepted types it claims to be
(PDF, PNG, JPEG), then a light structural check reads it as that type: Pillow verifies an
image (and refuses a decompression bomb), pypdf opens a PDF and finds a page; a PDF also has
to end in ``%%EOF``. A file renamed ``.pdf`` that is really HTML, a script or a program has
none of the magic bytes; a truncated or damaged file fails the structural check.

Pure functions of the bytes: no Django, no files on disk.
"""

from __future__ import annotations

import io
import logging
import warnings

from PIL import Image
from pypdf import PdfReader

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
)
_PIL_FORMATS = {PNG: "PNG", JPEG: "JPEG"}
# A PDF writer may put a little after the last %%EOF (a newline, padding); 1 KiB is generous.
_EOF_WINDOW = 1024
# Refuse images larger than this many pixels (Pillow's warning limit is ~89 megapixels; a
# scanned A4 page at 600 dpi is ~35 megapixels).
MAX_IMAGE_PIXELS = 60_000_000
# A damaged PDF is refused with a clear error; pypdf's own warnings about it are noise.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def sniff(head: bytes) -> str | None:
    """The content type the first bytes announce, or None for anything else."""
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    return None


def _pdf_readable(content: bytes) -> bool:
    if b"%%EOF" not in content[-_EOF_WINDOW:]:
        return False
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        return len(reader.pages) >= 1
    except Exception:
        return False


def _image_readable(content: bytes, content_type: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if image.format != _PIL_FORMATS[content_type]:
                    return False
                width, height = image.size
                if width < 1 or height < 1 or width * height > MAX_IMAGE_PIXELS:
                    return False
                image.verify()
    except Exception:
        return False
    return True


def readable(content: bytes, content_type: str) -> bool:
    """Whether ``content`` reads as the ``content_type`` its magic bytes announced."""
    if content_type == PDF:
        return _pdf_readable(content)
    if content_type in _PIL_FORMATS:
        return _image_readable(content, content_type)
    return False
