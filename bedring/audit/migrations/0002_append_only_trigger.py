"""On PostgreSQL, the access log and the change log refuse UPDATE and DELETE at the database:
not even a session with raw SQL can rewrite who saw or changed a record. (SQLite is the
single-user embedded default; there the model guard in AccessEvent applies.)"""

from django.db import migrations

TABLES = ("audit_accessevent", "auditlog_logentry")

# "%%" because Django passes the SQL through psycopg's placeholder parsing.
FORWARD = """
CREATE OR REPLACE FUNCTION bedring_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the %% table is append-only', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FORWARD)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION bedring_refuse_change();"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS bedring_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("auditlog", "0017_add_actor_email"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
