"""JRN-1: the database refuses to change a signed journal note, to add goals to or take them
from one, and to change a read of a restricted note. On PostgreSQL it refuses to delete them
too. On SQLite only the changes are refused: Django empties an SQLite test database with
DELETE (PostgreSQL with TRUNCATE, which row triggers do not see), and the model refuses the
deletes there (``Note.delete``).

A later migration that makes SQLite rebuild ``journal_note`` (most column changes) drops its
triggers: such a migration must create them again (tests/journal/test_immutability.py fails
without them)."""

from django.db import migrations

# "%%" because Django passes the SQL through psycopg's placeholder parsing.
POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION bedring_journal_refuse() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'a signed journal note is never changed or deleted (%%)', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER journal_note_signed BEFORE UPDATE OR DELETE ON journal_note
    FOR EACH ROW WHEN (OLD.signed_at IS NOT NULL) EXECUTE FUNCTION bedring_journal_refuse();
    """,
    """
    CREATE OR REPLACE FUNCTION bedring_journal_goals_refuse() RETURNS trigger AS $$
    DECLARE
        the_note bigint;
    BEGIN
        IF TG_OP = 'DELETE' THEN
            the_note := OLD.note_id;
        ELSE
            the_note := NEW.note_id;
        END IF;
        IF EXISTS (SELECT 1 FROM journal_note WHERE id = the_note AND signed_at IS NOT NULL) THEN
            RAISE EXCEPTION 'the goals of a signed journal note are never changed'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER journal_note_goals_signed BEFORE INSERT OR UPDATE OR DELETE
    ON journal_note_goals FOR EACH ROW EXECUTE FUNCTION bedring_journal_goals_refuse();
    """,
    """
    CREATE TRIGGER journal_noteread_append_only BEFORE UPDATE OR DELETE ON journal_noteread
    FOR EACH ROW EXECUTE FUNCTION bedring_journal_refuse();
    """,
]
POSTGRESQL_BACK = [
    "DROP TRIGGER IF EXISTS journal_noteread_append_only ON journal_noteread;",
    "DROP TRIGGER IF EXISTS journal_note_goals_signed ON journal_note_goals;",
    "DROP TRIGGER IF EXISTS journal_note_signed ON journal_note;",
    "DROP FUNCTION IF EXISTS bedring_journal_goals_refuse();",
    "DROP FUNCTION IF EXISTS bedring_journal_refuse();",
]
SQLITE = [
    """
    CREATE TRIGGER journal_note_signed BEFORE UPDATE ON journal_note
    FOR EACH ROW WHEN OLD.signed_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'a signed journal note is never changed'); END;
    """,
    """
    CREATE TRIGGER journal_note_goals_signed_insert BEFORE INSERT ON journal_note_goals
    FOR EACH ROW WHEN (SELECT signed_at FROM journal_note WHERE id = NEW.note_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'the goals of a signed journal note are never changed'); END;
    """,
    """
    CREATE TRIGGER journal_note_goals_signed_update BEFORE UPDATE ON journal_note_goals
    FOR EACH ROW WHEN (SELECT signed_at FROM journal_note WHERE id = OLD.note_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'the goals of a signed journal note are never changed'); END;
    """,
    """
    CREATE TRIGGER journal_noteread_append_only BEFORE UPDATE ON journal_noteread
    BEGIN SELECT RAISE(ABORT, 'note reads are append-only'); END;
    """,
]
SQLITE_BACK = [
    "DROP TRIGGER IF EXISTS journal_noteread_append_only;",
    "DROP TRIGGER IF EXISTS journal_note_goals_signed_update;",
    "DROP TRIGGER IF EXISTS journal_note_goals_signed_insert;",
    "DROP TRIGGER IF EXISTS journal_note_signed;",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRESQL)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_BACK)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_BACK)


class Migration(migrations.Migration):
    dependencies = [("journal", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
