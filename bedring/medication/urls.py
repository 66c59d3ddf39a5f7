"""Medication pages (MED-1..9): the client's medication, prescriptions, the dispensing desk,
stock, urine tests, travel certificates and co-payments."""

from __future__ import annotations

from django.urls import URLPattern

from .views import dispensing, prescriptions, records

app_name = "medication"
urlpatterns: list[URLPattern] = [
    *prescriptions.urlpatterns,
    *dispensing.urlpatterns,
    *records.urlpatterns,
]
