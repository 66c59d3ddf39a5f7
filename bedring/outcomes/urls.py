from __future__ import annotations

from django.urls import URLPattern, path

from . import views

app_name = "outcomes"
urlpatterns: list[URLPattern] = [
    path("", views.dashboard, name="dashboard"),
    path("episodes/", views.episodes, name="episodes"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
]
