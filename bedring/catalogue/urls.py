"""Catalogue pages (CAT-1..7, SCH-1, SCH-2): the offers, courses, enrolments and bookings,
attendance, gift cards, tallies and the calendar."""

from __future__ import annotations

from django.urls import URLPattern

from .views import attendance, courses, goals, offers

app_name = "catalogue"
urlpatterns: list[URLPattern] = [
    *offers.urlpatterns,
    *attendance.urlpatterns,
    *courses.urlpatterns,
    *goals.urlpatterns,
]
