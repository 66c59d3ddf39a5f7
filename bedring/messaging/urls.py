"""The outbox and a client's reminder preferences (APT-3)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

app_name = "messaging"
urlpatterns: list[URLPattern] = [
    path("outbox/", views.outbox, name="outbox"),
    path("messages/<uuid:message_uuid>/retry/", views.message_retry, name="retry"),
    path("clients/<uuid:client_uuid>/", views.client_reminders, name="client"),
]
