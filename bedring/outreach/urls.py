"""Outreach pages (HRM-1..5, HRM-8..10): street contacts, the needle exchange, the model's
evaluation. Each topic's module under views/ lists its url patterns; they are composed here."""

from __future__ import annotations

from django.urls import URLPattern

from .views import contacts, evaluation, exchange, offline, people

app_name = "outreach"
urlpatterns: list[URLPattern] = [
    *contacts.urlpatterns,
    *people.urlpatterns,
    *offline.urlpatterns,
    *exchange.urlpatterns,
    *evaluation.urlpatterns,
]
