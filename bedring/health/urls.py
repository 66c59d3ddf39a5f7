"""Health pages (HLT-1..4)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

app_name = "health"
urlpatterns: list[URLPattern] = [
    path("clients/<uuid:client_uuid>/", views.client_health, name="client"),
    path("clients/<uuid:client_uuid>/screenings/", views.screening_add, name="screening_add"),
    path(
        "clients/<uuid:client_uuid>/screenings/all/",
        views.screening_history,
        name="screening_history",
    ),
    path(
        "screenings/<uuid:screening_uuid>/result/",
        views.screening_result,
        name="screening_result",
    ),
    path(
        "clients/<uuid:client_uuid>/vaccinations/",
        views.vaccination_add,
        name="vaccination_add",
    ),
    path("clients/<uuid:client_uuid>/contacts/", views.contact_add, name="contact_add"),
    path("clients/<uuid:client_uuid>/contacts/all/", views.contact_history, name="contact_history"),
    path("clients/<uuid:client_uuid>/pregnancies/", views.pregnancy_add, name="pregnancy_add"),
    path("pregnancies/<uuid:pregnancy_uuid>/end/", views.pregnancy_end, name="pregnancy_end"),
    path(
        "pregnancies/<uuid:pregnancy_uuid>/follow-ups/",
        views.follow_up_add,
        name="follow_up_add",
    ),
    path(
        "pregnancies/<uuid:pregnancy_uuid>/follow-ups/all/",
        views.follow_up_history,
        name="follow_up_history",
    ),
]
