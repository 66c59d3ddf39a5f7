"""HTML to PDF for letters, certificates and reports. WeasyPrint may fetch nothing: the
stylesheet is read here and passed as a string, and the fetcher refuses every URL, so a
document can never make a network request."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from weasyprint import CSS, HTML  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

STYLESHEET = Path(settings.BASE_DIR) / "static" / "bedring" / "letter.css"


def render_pdf(html: str) -> bytes:
    fetcher = URLFetcher(allowed_protocols=())
    stylesheet = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=fetcher)
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet])
    return bytes(pdf)
