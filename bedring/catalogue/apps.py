from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "bedring.catalogue"
    label = "catalogue"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        for model in (
            models.Offer,
            models.Course,
            models.Enrolment,
            models.Session,
            models.Attendance,
            models.GiftCard,
            models.Tally,
        ):
            auditlog.register(model)
