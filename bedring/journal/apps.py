from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "bedring.journal"
    label = "journal"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        # Drafts change and may be deleted: their old values are in the change log. A signed
        # version never changes (the reads of restricted notes are their own append-only log).
        auditlog.register(models.Note, m2m_fields={"goals"})
