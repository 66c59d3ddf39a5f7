from django.urls import include, path

from bedring.api import api

urlpatterns = [
    path("", include("bedring.web.urls")),
    path("accounts/", include("bedring.accounts.urls")),
    path("clients/", include("bedring.clients.urls")),
    path("pathway/", include("bedring.pathway.urls")),
    path("catalogue/", include("bedring.catalogue.urls")),
    path("medication/", include("bedring.medication.urls")),
    path("health/", include("bedring.health.urls")),
    path("appointments/", include("bedring.appointments.urls")),
    path("journal/", include("bedring.journal.urls")),
    path("messaging/", include("bedring.messaging.urls")),
    path("outreach/", include("bedring.outreach.urls")),
    path("referrals/", include("bedring.referrals.urls")),
    path("documents/", include("bedring.documents.urls")),
    path("outcomes/", include("bedring.outcomes.urls")),
    path("registers/", include("bedring.registers.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]
