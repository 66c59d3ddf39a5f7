from django.urls import path

from . import views

app_name = "clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_create, name="create"),
    path("<uuid:client_uuid>/edit/", views.client_edit, name="edit"),
    path("<uuid:client_uuid>/relatives/new/", views.relative_add, name="relative_add"),
    path(
        "<uuid:client_uuid>/relatives/<uuid:relative_uuid>/",
        views.relative_edit,
        name="relative_edit",
    ),
    path("<uuid:client_uuid>/consents/new/", views.consent_add, name="consent_add"),
    path(
        "<uuid:client_uuid>/consents/<uuid:consent_uuid>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("<uuid:client_uuid>/children/new/", views.child_add, name="child_add"),
]
