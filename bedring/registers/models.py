"""The log of register exports: who built which register's export for which organisation and
year, when, through which channel and with how many records (PRV-1 for exports).

A register export reads many client records at once but shows no name and no identifier
(the client is a pseudonymous key), so it is logged as one row per export instead of one
access event per client. Rows are never changed or deleted, like the access log.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from bedring.audit.models import AppendOnlyError


class ExportKind(models.TextChoices):
    PAGE = "page", "page"  # the summary page: counts, tables, validation list
    RECORDS = "records", "records"  # the record file (one row per episode)
    TABLES = "tables", "tables"  # the aggregated tables only
    SUMMARY = "summary", "summary"  # the API summary: counts, tables, validation list


class ExportChannel(models.TextChoices):
    HTML = "html", "HTML"
    API = "api", "API"
    COMMAND = "command", "command line"


class RegisterExport(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # None: the management command (the operating system knows who ran it).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    register = models.CharField(max_length=20)  # "tdi"
    year = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=ExportKind.choices)
    channel = models.CharField(max_length=8, choices=ExportChannel.choices)
    record_count = models.PositiveIntegerField()
    problem_count = models.PositiveIntegerField()

    class Meta:
        ordering: ClassVar = ["-at", "-id"]
        indexes: ClassVar = [models.Index(fields=["organisation", "-at"])]

    def __str__(self) -> str:
        return f"{self.at} {self.register} {self.year} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("register exports are logged append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("register exports are logged append-only")
