from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "bedring.appointments"
    label = "appointments"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from bedring.core.feeds import register_feed_source

        from . import models, selectors

        for model in (models.Room, models.AppointmentRequest, models.Appointment):
            auditlog.register(model)
        # The staff member's appointments in the catalogue's calendar feed (SCH-4, APT-1).
        register_feed_source("appointments", selectors.feed_events)
