from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("clients/<uuid:client_uuid>/", views.client_log, name="client_log"),
    path("clients/<uuid:client_uuid>/report/", views.client_access_report, name="client_report"),
]
