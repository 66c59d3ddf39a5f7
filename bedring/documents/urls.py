"""Document pages (JRN-3)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

app_name = "documents"
urlpatterns: list[URLPattern] = [
    path("clients/<uuid:client_uuid>/", views.client_documents, name="client"),
    path("clients/<uuid:client_uuid>/upload/", views.document_upload, name="upload"),
    path("<uuid:document_uuid>/file/", views.document_download, name="download"),
    path("<uuid:document_uuid>/discard/", views.document_discard, name="discard"),
]
