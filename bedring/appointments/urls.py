"""Appointment pages (APT-1, APT-2)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

app_name = "appointments"
urlpatterns: list[URLPattern] = [
    path("day/", views.day, name="day"),
    path("week/", views.week, name="week"),
    path("book/", views.book_start, name="book_start"),
    path("clients/<uuid:client_uuid>/", views.client_appointments, name="client"),
    path("clients/<uuid:client_uuid>/book/", views.book, name="book"),
    path("clients/<uuid:client_uuid>/requests/", views.request_add, name="request_add"),
    path(
        "requests/<uuid:request_uuid>/withdraw/",
        views.request_withdraw,
        name="request_withdraw",
    ),
    path("<uuid:appointment_uuid>/", views.detail, name="detail"),
    path("<uuid:appointment_uuid>/move/", views.move, name="move"),
    path("<uuid:appointment_uuid>/cancel/", views.cancel, name="cancel"),
    path("<uuid:appointment_uuid>/outcome/", views.outcome, name="outcome"),
]
