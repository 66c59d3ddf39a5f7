from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "bedring.catalogue"
    label = "catalogue"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from bedring.pathway.offers import register_offer_source

        from . import models
        from .selectors import decidable_offer_refs

        # The pathway reads the catalogue's offers through its port (it may not import us).
        register_offer_source(decidable_offer_refs)

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
