"""The change log for rows written in bulk.

django-auditlog writes its entry from the save signals, which ``bulk_create`` and
``bulk_update`` do not send. A service that writes many rows at once (so that a page's
queries do not grow with its rows) hands them here, and the log gets, in one insert, the
entries the saves would have written: the same diff, the same object, the same actor and
correlation id.

The actor, address and port come the way auditlog gives them to a save: through the
``pre_save`` receiver its middleware connects for the length of a request. Its context
variable outlives the request (auditlog never resets it), so reading it directly would stamp
an earlier request's user on these entries; outside a request there is no actor.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditlog.cid import get_cid
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import router
from django.db.models import Model
from django.db.models.signals import pre_save
from django.utils.encoding import smart_str


def change_log_in_bulk(rows: Sequence[tuple[Model | None, Model]]) -> list[LogEntry]:
    """One entry per ``(before, after)`` pair: a creation when ``before`` is None (``after``
    must have its primary key), else an update with the fields that differ."""
    entries = []
    for before, after in rows:
        changes = model_instance_diff(
            before, after, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
        )
        if not changes:
            continue
        additional = getattr(after, "get_additional_data", None)
        entry = LogEntry(
            content_type=ContentType.objects.get_for_model(after),
            object_pk=str(after.pk),
            object_id=after.pk if isinstance(after.pk, int) else None,
            object_repr=smart_str(after),
            action=LogEntry.Action.CREATE if before is None else LogEntry.Action.UPDATE,
            changes=changes,
            additional_data=additional() if callable(additional) else None,
            cid=get_cid(),
        )
        # What a save of the entry would receive: the request's actor, address and port.
        pre_save.send(
            sender=LogEntry,
            instance=entry,
            raw=False,
            using=router.db_for_write(LogEntry),
            update_fields=None,
        )
        entries.append(entry)
    return LogEntry.objects.bulk_create(entries)
