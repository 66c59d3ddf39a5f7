from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "bedring.health"
    label = "health"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        for model in (
            models.Screening,
            models.Vaccination,
            models.HealthContact,
            models.Pregnancy,
            models.PregnancyFollowUp,
        ):
            auditlog.register(model)
