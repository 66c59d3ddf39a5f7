"""STAND-IN for the street-contact page (HRM-8), written on the ``offline`` branch only so that
the offline support (static/outreach/offline.js, sw.js) can be built and tested before the
``contacts`` branch lands. At merge the ``contacts`` branch's view and template replace this
file and templates/outreach/contact_new.html; what they must keep is listed in the template.

The contract: one form, ``<form id="main-form" data-outreach-form data-api-url=...>``, whose
field names are the API's ContactIn; ``?shell=1`` renders the same page without any person
data (the service worker caches that variant). GET only here: with the script the form goes
to the API; the real page also takes a plain POST.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from bedring.accounts.access import staff_for_request, staff_view, users_who_may
from bedring.clients.selectors import recent_clients
from bedring.core import clock
from bedring.core.roles import Perm

from ..models import LocationType, Place
from ..packs import label
from ..selectors import outreach_spec


@require_GET
@staff_view(Perm.HARM_REDUCTION)
def contact_new(request: HttpRequest) -> HttpResponse:
    staff = staff_for_request(request)
    user = staff.user
    organisation = staff.organisation
    spec = outreach_spec(organisation)
    if spec is None:
        return render(request, "outreach/contact_new.html", {"no_outreach": True})
    language = get_language()
    shell = request.GET.get("shell") == "1"
    context: dict[str, Any] = {
        "organisation": organisation,
        "shell": shell,
        "time_zone": str(clock.zone(organisation)),
        "sites": list(organisation.sites.filter(is_active=True).order_by("name")),
        "location_types": LocationType.choices,
        "places": list(Place.objects.filter(organisation=organisation, is_active=True)),
        "activities": [(a.key, label(a.name.as_dict(), language)) for a in spec.activities],
        "items": [(i.key, label(i.name.as_dict(), language), i.returnable) for i in spec.items],
        "colleagues": [
            u for u in users_who_may(organisation.pk, Perm.HARM_REDUCTION) if u.pk != user.pk
        ],
        # Person data and what makes one page differ from the next: not in the shell.
        "clients": []
        if shell
        else recent_clients(actor_id=user.pk, organisation_id=organisation.pk),
        "at": "" if shell else clock.local_now(organisation).strftime("%Y-%m-%dT%H:%M"),
    }
    return render(request, "outreach/contact_new.html", context)


urlpatterns = [path("contacts/new/", contact_new, name="contact_new")]
