"""An index on the client that a change-log entry belongs to (``additional_data.client_id``,
written by ``get_additional_data`` on every client-owned model), so that a client's change log
is an index look-up however large the log grows. The expressions match what Django generates
for ``KT("additional_data__client_id")`` on each database."""

from django.db import migrations

INDEX = "auditlog_logentry_client_idx"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        expression = "((additional_data ->> 'client_id'))"
    elif vendor == "sqlite":
        expression = "(JSON_EXTRACT(additional_data, '$.\"client_id\"'))"
    else:
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON auditlog_logentry {expression}")


def backward(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
