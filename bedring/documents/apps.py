from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "bedring.documents"
    label = "documents"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.Document)
