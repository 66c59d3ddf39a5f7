from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "bedring.outreach"
    label = "outreach"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from bedring.clients.no_show import register_outreach_clients

        from . import models
        from .no_show import outreach_clients

        # SCH-2, APT-1: the no-show flag asks who is an outreach client through the clients'
        # port (appointments and the catalogue are below outreach and may not import it).
        register_outreach_clients(outreach_clients)

        for model in (
            models.Pseudonym,
            models.OutreachContact,
            models.ExchangeTransaction,
            models.ExchangeStockMovement,
            models.FidelityCheck,
        ):
            auditlog.register(model)
