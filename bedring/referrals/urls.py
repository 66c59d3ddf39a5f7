"""Referral pages (REF-1)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

app_name = "referrals"
urlpatterns: list[URLPattern] = [
    path("clients/<uuid:client_uuid>/", views.client_referrals, name="client"),
    path("clients/<uuid:client_uuid>/new/", views.referral_new, name="new"),
    path("clients/<uuid:client_uuid>/in/", views.incoming_client, name="incoming_client"),
    path("in/", views.incoming_new, name="incoming_new"),
    path("<uuid:referral_uuid>/", views.referral_detail, name="detail"),
    path("<uuid:referral_uuid>/step/", views.referral_step, name="step"),
    path("<uuid:referral_uuid>/rights/", views.referral_rights, name="rights"),
]
