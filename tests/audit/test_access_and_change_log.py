"""PRV-1: every read of a client record is logged with who and when; every write with old and
new values; the logs cannot be rewritten; a manager sees who accessed a client."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from bedring.audit.models import AccessEvent, AppendOnlyError
from bedring.clients import services as client_services
from tests.conftest import login


def test_opening_a_client_page_writes_an_access_event_with_who_and_which_view(
    client, counsellor, dk_client
):
    """PRV-1"""
    # Given a counsellor in the client's organisation
    login(client, counsellor)
    # When the client page is opened twice
    client.get(f"/clients/{dk_client.uuid}/")
    client.get(f"/clients/{dk_client.uuid}/edit/")
    # Then two access events name the counsellor, the client and the view
    events = list(AccessEvent.objects.filter(client=dk_client).order_by("id"))
    assert [e.view for e in events] == ["client_detail", "client_edit"]
    assert all(e.actor_id == counsellor.pk and e.channel == "html" for e in events)
    assert all(e.organisation_id == dk_client.organisation_id for e in events)


def test_an_outsider_leaves_no_access_event_and_gets_404(client, outsider, dk_client):
    login(client, outsider)
    assert client.get(f"/clients/{dk_client.uuid}/").status_code == 404
    assert not AccessEvent.objects.filter(client=dk_client).exists()


def test_editing_a_client_records_old_and_new_values_and_the_actor(client, counsellor, dk_client):
    """PRV-1: every write with old and new values."""
    login(client, counsellor)
    old_phone = dk_client.phone
    response = client.post(
        f"/clients/{dk_client.uuid}/edit/",
        {
            "national_id": dk_client.national_id,
            "first_name": dk_client.first_name,
            "last_name": dk_client.last_name,
            "sex": dk_client.sex,
            "phone": "+45 20 00 09 99",
        },
    )
    assert response.status_code == 302
    entry = (
        LogEntry.objects.get_for_object(dk_client)
        .filter(action=LogEntry.Action.UPDATE)
        .latest("id")
    )
    assert entry.actor_id == counsellor.pk
    assert entry.changes_dict["phone"] == [old_phone, "+45 20 00 09 99"]


def test_changes_to_a_consent_are_listed_on_the_clients_change_log(client, manager, dk_client):
    consent = client_services.consent_add(
        client=dk_client,
        party="gp",
        scope="Medication list",
        valid_from=datetime.date(2026, 1, 1),
        given_by="client",
    )
    client_services.consent_withdraw(consent=consent, reason="Changed mind")
    login(client, manager)
    page = client.get(f"/audit/clients/{dk_client.uuid}/").content.decode()
    assert "Changed mind" in page
    assert "reason for withdrawal" in page


def test_a_manager_sees_who_accessed_a_client_and_can_print_the_report(
    client, counsellor, manager, dk_client
):
    """PRV-1: a manager lists who accessed a client; the client's access report can be printed."""
    login(client, counsellor).get(f"/clients/{dk_client.uuid}/")
    login(client, manager)
    log_page = client.get(f"/audit/clients/{dk_client.uuid}/")
    assert log_page.status_code == 200
    assert counsellor.last_name in log_page.content.decode()
    report = client.get(f"/audit/clients/{dk_client.uuid}/report/")
    assert report.status_code == 200
    text = report.content.decode()
    assert counsellor.last_name in text and dk_client.code in text
    assert AccessEvent.objects.filter(
        client=dk_client, view="access_report", channel="print"
    ).exists()


def test_a_counsellor_may_not_read_the_access_log(client, counsellor, dk_client):
    login(client, counsellor)
    assert client.get(f"/audit/clients/{dk_client.uuid}/").status_code == 403


def test_access_events_cannot_be_changed_or_deleted(counsellor, dk_client):
    """PRV-1: the log is append-only, in the model and (on PostgreSQL) in the database."""
    event = AccessEvent.objects.create(
        actor=counsellor,
        organisation=dk_client.organisation,
        client=dk_client,
        view="x",
        channel="html",
    )
    event.view = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AccessEvent.objects.get(pk=event.pk).view == "x"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)
def test_postgresql_refuses_raw_update_and_delete_of_the_logs(counsellor, dk_client):
    """PRV-1: not even raw SQL can rewrite the logs on PostgreSQL (migration audit 0002)."""
    AccessEvent.objects.create(
        actor=counsellor,
        organisation=dk_client.organisation,
        client=dk_client,
        view="x",
        channel="html",
    )
    for statement in (
        "UPDATE audit_accessevent SET view = 'rewritten'",
        "DELETE FROM audit_accessevent",
        "UPDATE auditlog_logentry SET object_repr = 'rewritten'",
        "DELETE FROM auditlog_logentry",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert AccessEvent.objects.filter(view="x").count() == 1


def test_client_page_query_count_does_not_grow_with_history(
    client, counsellor, make_client, org_dk
):
    """The client page issues the same number of queries for a short and a long history."""
    small = make_client(org_dk)
    large = make_client(org_dk)
    for i in range(40):
        client_services.relative_save(client=large, name=f"Relative {i}", relation="friend")
        client_services.consent_add(
            client=large,
            party="gp",
            scope=f"Scope {i}",
            valid_from=datetime.date(2026, 1, 1),
            given_by="client",
        )
        client_services.child_add(
            client=large, first_name=f"C{i}", birth_date=datetime.date(2015, 1, 1)
        )
    login(client, counsellor)
    for _ in range(30):  # a long access log too
        client.get(f"/clients/{large.uuid}/")

    def count(target) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/clients/{target.uuid}/").status_code == 200
        return len(ctx.captured_queries)

    small_count, large_count = count(small), count(large)
    assert small_count == large_count
    assert large_count <= 20


def test_access_log_page_query_count_is_bounded(client, manager, counsellor, dk_client):
    login(client, counsellor)
    for _ in range(150):
        client.get(f"/clients/{dk_client.uuid}/")
    login(client, manager)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/audit/clients/{dk_client.uuid}/").status_code == 200
    assert len(ctx.captured_queries) <= 20


def test_a_clients_change_log_is_read_through_the_client_index(dk_client):
    """The change log grows with every write; a client's changes are an index look-up."""
    from bedring.audit.selectors import client_changes

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # tiny test tables: force the choice
    plan = client_changes(dk_client).explain()
    assert "auditlog_logentry_client_idx" in plan
    assert client_changes(dk_client).filter(content_type__model="client").exists()
