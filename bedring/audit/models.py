"""Who looked at which client record, when, and through which view (PRV-1).

Changes (old and new values) are kept by django-auditlog; reads are kept here, one row per
view of a record. Rows are never changed or deleted: the model refuses it, and on PostgreSQL
a trigger refuses it too (migration 0002), so not even a raw SQL session can rewrite history.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models


class AppendOnlyError(RuntimeError):
    pass


class AccessEvent(models.Model):
    class Channel(models.TextChoices):
        HTML = "html", "HTML"
        API = "api", "API"
        PRINT = "print", "Print"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    view = models.CharField(max_length=80)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["client", "-at"]),
            models.Index(fields=["actor", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at} {self.actor_id} {self.view} {self.client_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("access events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("access events are append-only")
