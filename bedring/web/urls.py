from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("language/", views.set_language, name="set_language"),
    path("organisation/switch/", views.switch_organisation, name="switch_organisation"),
]
