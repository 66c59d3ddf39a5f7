from django.urls import URLPattern

from .views import assessment, decision, discharge, episode, plan

app_name = "pathway"
urlpatterns: list[URLPattern] = [
    *episode.urlpatterns,
    *assessment.urlpatterns,
    *decision.urlpatterns,
    *plan.urlpatterns,
    *discharge.urlpatterns,
]
