from django.urls import path

from . import clients, styleguide, views

app_name = "web"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("language/", views.set_language, name="set_language"),
    path("organisation/switch/", views.switch_organisation, name="switch_organisation"),
    path("styleguide/", styleguide.styleguide, name="styleguide"),
    path("clients/<uuid:client_uuid>/", clients.client_detail, name="client_detail"),
    path("audit/clients/<uuid:client_uuid>/", clients.client_log, name="client_log"),
    path(
        "audit/clients/<uuid:client_uuid>/report/",
        clients.client_access_report,
        name="client_access_report",
    ),
]
