"""The outreach pages as a progressive web app (HRM-8, "Works offline").

* ``/outreach/sw.js``: the service worker. Served from under ``/outreach/`` so that its scope
  is the outreach pages and nothing else; ``no-cache``, so the browser checks for a new one on
  every visit. Its source is ``static/outreach/sw.js`` with the list of what it may cache put
  in front: the contact page's shell (``?shell=1``, the page without any person data) and the
  static files that page needs. It never caches a page with person data nor an API answer.
* ``/outreach/manifest.webmanifest``: the web app manifest (name, start page, scope, icon).
* ``/outreach/offline/key/``: the device key of the offline store (``bedring.outreach.offline``)
  for the worker's verified session: POST with the CSRF token, answered ``no-store``.

The worker and the manifest are code, like the static files: they need no login and contain
nothing about anyone (the authorisation walk lists them as public).
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import cast

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from bedring.accounts.access import staff_view
from bedring.accounts.models import User
from bedring.core.roles import Perm

from ..offline import device_key, key_id

WORKER_SOURCE = "outreach/sw.js"
# What the contact page's shell needs besides itself (templates/base.html, the page's own
# script and the manifest's icon).
SHELL_STATIC = (
    "bedring/bedring.css",
    "bedring/bedring.js",
    "vendor/htmx.min.js",
    "outreach/offline.js",
    "outreach/icon.svg",
    "outreach/outreach.css",
    "outreach/contact-steps.js",
)


def _worker_source() -> str:
    found = finders.find(WORKER_SOURCE)
    if not found:
        raise FileNotFoundError(WORKER_SOURCE)
    return Path(found).read_text(encoding="utf-8")


def shell_config() -> dict[str, object]:
    page = reverse("outreach:contact_new")
    return {
        "page": page,
        "shell": f"{page}?shell=1",
        "assets": [static(name) for name in SHELL_STATIC],
    }


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    source = _worker_source()
    config = shell_config()
    version = hashlib.sha256(
        (json.dumps(config, sort_keys=True) + source).encode("utf-8")
    ).hexdigest()[:12]
    config["version"] = version
    body = f"self.BEDRING_OFFLINE = {json.dumps(config, sort_keys=True)};\n{source}"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": _("Bedring outreach"),
        "short_name": _("Outreach"),
        "description": _("Record street contacts, also without network."),
        "lang": get_language(),
        "start_url": reverse("outreach:contact_new"),
        "scope": reverse("outreach:service_worker").rsplit("/", 1)[0] + "/",
        "display": "standalone",
        "background_color": "#f6f7f9",
        "theme_color": "#17324a",
        "icons": [
            {"src": static("outreach/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


@require_POST
@never_cache
@staff_view(Perm.HARM_REDUCTION)
def offline_key(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    return JsonResponse(
        {"kid": key_id(user), "key": base64.b64encode(device_key(user)).decode("ascii")}
    )


urlpatterns = [
    path("sw.js", service_worker, name="service_worker"),
    path("manifest.webmanifest", manifest, name="manifest"),
    path("offline/key/", offline_key, name="offline_key"),
]
