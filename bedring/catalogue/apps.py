from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "bedring.catalogue"
    label = "catalogue"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from bedring.pathway.episode_end import register_episode_end_handler
        from bedring.pathway.offers import register_offer_source

        from . import models
        from .selectors import decidable_offer_refs
        from .services.enrolments import enrolments_end_with_episode

        # The pathway reads the catalogue's offers through its port (it may not import us),
        # and a discharge ends the episode's enrolments through another (DIS-1, SCH-2).
        register_offer_source(decidable_offer_refs)
        register_episode_end_handler("catalogue.enrolments", enrolments_end_with_episode)

        for model in (
            models.Offer,
            models.Course,
            models.Enrolment,
            models.EnrolmentGoal,
            models.Session,
            models.Attendance,
            models.GiftCard,
            models.Tally,
        ):
            auditlog.register(model)
