"""The catalogue of offers as staff read it (CAT-1)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from bedring.accounts.access import staff_for_request, staff_view

from ..models import Offer


@staff_view()
def offer_list(request: HttpRequest) -> HttpResponse:
    """Every current offer of the organisation with its terms, grouped by intensity."""
    staff = staff_for_request(request)
    current = list(
        Offer.objects.filter(organisation=staff.organisation, is_current=True).order_by(
            "intensity", "name"
        )
    )
    names = {offer.key: offer.name for offer in current}
    offers = [
        (offer, terms, [names.get(key, key) for key in terms.prerequisites])
        for offer, terms in ((offer, offer.parsed) for offer in current)
    ]
    return render(request, "catalogue/offers.html", {"offers": offers})


urlpatterns: list[URLPattern] = [
    path("", offer_list, name="offers"),
]
