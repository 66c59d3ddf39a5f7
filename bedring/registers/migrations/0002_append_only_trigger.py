"""On PostgreSQL the export log refuses UPDATE and DELETE at the database, like the access
log (audit 0002, whose function it reuses). On SQLite the model guard applies."""

from django.db import migrations

TABLE = "registers_registerexport"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION bedring_refuse_change();"
    )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};")


class Migration(migrations.Migration):
    dependencies = [
        ("registers", "0001_register_export"),
        ("audit", "0002_append_only_trigger"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
