"""Journal pages (JRN-1, JRN-2)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

app_name = "journal"
urlpatterns: list[URLPattern] = [
    path("clients/<uuid:client_uuid>/", views.client_journal, name="client"),
    path("clients/<uuid:client_uuid>/new/", views.note_new, name="note_new"),
    path("clients/<uuid:client_uuid>/print/", views.journal_print, name="print"),
    path("notes/<uuid:note_uuid>/", views.note_detail, name="note"),
    path("notes/<uuid:note_uuid>/edit/", views.note_edit, name="note_edit"),
    path("notes/<uuid:note_uuid>/sign/", views.note_sign, name="sign"),
    path("notes/<uuid:note_uuid>/delete/", views.note_delete, name="note_delete"),
    path("notes/<uuid:note_uuid>/correct/", views.note_correct, name="correct"),
    path("notes/<uuid:note_uuid>/versions/", views.note_versions, name="versions"),
]
