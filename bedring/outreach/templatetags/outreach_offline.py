"""``{% offline_base %}`` at the end of every page (templates/base.html): the configuration of
``static/outreach/offline.js`` and the script itself. On every page the script sends contacts
waiting on the phone, warns before a logout while some wait, and after a logout wipes what
the outreach pages kept on the device (docs/architecture.md, "Offline on the phone")."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse

from bedring.accounts.views import WIPE_COOKIE

from ..offline import key_id

register = template.Library()


CONTACT_ID = "00000000-0000-0000-0000-000000000000"


@register.inclusion_tag("outreach/_offline_base.html", takes_context=True)
def offline_base(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    verified = bool(
        user is not None and user.is_authenticated and getattr(user, "is_verified", lambda: False)()
    )
    worker = reverse("outreach:service_worker")
    return {
        # The login this page belongs to: what it stores is filed under it.
        "kid": key_id(user) if verified and user is not None else "",
        "api_url": reverse("api:outreach_contacts"),
        # Where a contact sent with the network is confirmed ({id}: the stored contact's id).
        "contact_url": reverse("outreach:contact", args=[CONTACT_ID]).replace(CONTACT_ID, "{id}"),
        "worker_url": worker,
        "worker_scope": worker.rsplit("/", 1)[0] + "/",
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "wipe_cookie": WIPE_COOKIE,
    }
