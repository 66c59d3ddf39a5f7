from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "bedring.clients"
    label = "clients"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.Client)
        auditlog.register(models.Relative)
        auditlog.register(models.Consent)
        auditlog.register(models.ChildAtHome)
