from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "bedring.outreach"
    label = "outreach"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        for model in (
            models.Pseudonym,
            models.OutreachContact,
            models.ExchangeTransaction,
            models.ExchangeStockMovement,
            models.FidelityCheck,
        ):
            auditlog.register(model)
