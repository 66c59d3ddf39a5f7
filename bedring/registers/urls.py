from __future__ import annotations

from django.urls import URLPattern, path

from . import views

app_name = "registers"
urlpatterns: list[URLPattern] = [
    path("tdi/", views.tdi_page, name="tdi"),
    path("tdi/records.csv", views.tdi_download, name="tdi_download"),
    path("tdi/tables.csv", views.tdi_tables_download, name="tdi_tables_download"),
]
