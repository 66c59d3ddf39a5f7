from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "bedring.messaging"
    label = "messaging"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        # A message is client data (who is reminded of what, when): its changes are logged.
        auditlog.register(models.Message)
