"""Register exports: the one write is the log row of an export (who, when, which
organisation and year, how many records)."""

from __future__ import annotations

from bedring.accounts.models import User

from .models import RegisterExport
from .tdi_export import REGISTER, TdiExport


def tdi_export_log(
    *, export: TdiExport, actor: User | None, kind: str, channel: str
) -> RegisterExport:
    """PRV-1 for exports: one append-only row per TDI export handed out (page, file, API
    summary, command), with the number of records and of episodes held back."""
    return RegisterExport.objects.create(
        actor=actor,
        organisation=export.organisation,
        register=REGISTER,
        year=export.year,
        kind=kind,
        channel=channel,
        record_count=len(export.records),
        problem_count=export.problem_episodes,
    )
