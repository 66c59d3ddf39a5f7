"""Medication pages (MED-1..9): the client's medication, prescriptions, the dispensing desk,
stock, urine tests, travel certificates and co-payments."""

from __future__ import annotations

from django.urls import include, path

app_name = "medication"
urlpatterns = [
    path("", include("bedring.medication.views")),
    # Urine tests, travel certificates and co-payments (bedring.medication.views_records).
    path("", include("bedring.medication.views_records")),
]
