"""PRV-1: the client's access log and access report say in words who (name and role), when
(to the minute, in the user's language and the organisation's time zone), what was looked at
or changed, and through which channel, from one table (``bedring.audit.wording``): never a
view name, a database id, a Python structure or a microsecond timestamp."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from bedring.audit import wording
from bedring.audit.models import AccessEvent
from bedring.clients import services as client_services
from bedring.core.roles import Role
from tests.conftest import TODAY, login

MICROSECONDS = re.compile(r"\d{2}:\d{2}:\d{2}\.\d+|\.\d{6}")
RAW_VIEWS = (
    "client_detail",
    "client_edit",
    "api_client_detail",
    "journal_note",
    "a_view_nobody_named",
)


@pytest.fixture
def history(client, counsellor, manager, dk_client):
    """A counsellor opens the client in the browser and the journal, reads it through the API,
    changes the phone number and withdraws a consent; a view nobody put in the table was
    logged too."""
    login(client, counsellor)
    client.get(f"/clients/{dk_client.uuid}/")
    client.get(f"/journal/clients/{dk_client.uuid}/")
    client.post(
        f"/clients/{dk_client.uuid}/edit/",
        {
            "national_id": dk_client.national_id,
            "first_name": dk_client.first_name,
            "last_name": dk_client.last_name,
            "sex": dk_client.sex,
            "phone": "+45 20 00 09 99",
        },
    )
    consent = client_services.consent_add(
        client=dk_client,
        party="gp",
        scope="Medication list",
        valid_from=dk_client.created_at.date(),
        given_by="client",
    )
    client_services.consent_withdraw(consent=consent, reason="Changed mind")
    for view, channel in (("api_client_detail", "api"), ("a_view_nobody_named", "html")):
        AccessEvent.objects.create(
            actor=counsellor,
            organisation=dk_client.organisation,
            client=dk_client,
            view=view,
            channel=channel,
        )
    return dk_client


def log_page(http: HttpClient, client, **headers: str) -> str:
    response = http.get(f"/audit/clients/{client.uuid}/", headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def assert_no_internals(page: str) -> None:
    assert "{'" not in page
    assert "pk" not in page
    assert not MICROSECONDS.search(page), MICROSECONDS.search(page)
    for view in RAW_VIEWS:
        assert view not in page


def test_the_access_log_says_who_when_what_and_how_in_words(client, counsellor, manager, history):
    """PRV-1"""
    # Given the history above, when a manager opens the client's access log
    login(client, manager)
    page = log_page(client, history)

    # Then nothing of the log's storage shows
    assert_no_internals(page)
    # and each access says who with the role, what in words, and the channel
    assert f'Test {counsellor.last_name} <span class="muted">· Counsellor' in page
    assert "Opened the client overview" in page
    assert "Opened the journal" in page
    assert "Opened the client record" in page  # the API read, and the view nobody named
    assert "Web" in page and "API" in page
    # to the minute, in the organisation's time zone (the suite's clock: 10:00 in Sønderborg)
    assert re.search(rf"{TODAY.year} 10:0\d<", page)
    # and the changes name the field and its old and new values
    assert "Client record changed" in page
    assert "+45 20 00 09 99" in page
    assert re.search(r"Changed phone from [^<]+ to \+45 20 00 09 99", page)
    assert "Consent changed" in page
    assert "Set reason for withdrawal to Changed mind" in page


def test_the_danish_access_log_is_in_danish(client, manager, history, settings):
    """PRV-1: the log is in the user's language, dates in its format."""
    login(client, manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    page = log_page(client, history)
    assert '<html lang="da"' in page
    assert "Hvem har åbnet journalen" in page  # Who opened this record
    assert "Ændringer" in page  # Changes
    assert "Misbrugsbehandler" in page  # the counsellor's role
    assert re.search(rf"\d+\. \w+ {TODAY.year} 10:0\d", page)  # 23. november 2026 10:00
    assert "telefon" in page  # the field's label
    assert_no_internals(page)


def test_the_access_report_reads_the_same_table(client, counsellor, manager, history):
    """PRV-1: the printable report for the client says what the log says."""
    login(client, manager)
    response = client.get(f"/audit/clients/{history.uuid}/report/")
    assert response.status_code == 200
    report = response.content.decode()
    assert_no_internals(report)
    assert "Opened the client overview" in report
    assert "Opened the journal" in report
    assert "Counsellor" in report
    assert "Print or export" in report  # the report itself is logged as printed


def test_every_unknown_name_falls_back_to_words():
    """PRV-1: a view, record or field missing from the table reads generically."""
    assert str(wording.view_words("something_added_next_year").label) == (
        "Opened the client record"
    )
    assert str(wording.view_words("api_journal").label) == "Opened the journal"
    assert wording.record_label("newapp", "thing") == "A record of the client"
    assert wording.field_label(None, "some_field") == "a detail"
    assert wording.channel_label("fax") == "Other"


def test_the_log_page_queries_do_not_grow_with_its_rows(
    client, counsellor, manager, dk_client, make_staff, org_dk
):
    """The access log and change log pages issue the same number of queries for 2 and for
    20 readers and changes."""

    def count() -> int:
        login(client, manager)
        with CaptureQueriesContext(connection) as queries:
            log_page(client, dk_client)
        return len(queries)

    def readers(n: int) -> None:
        for _ in range(n):
            person = make_staff(org_dk, Role.NURSE)
            AccessEvent.objects.create(
                actor=person,
                organisation=org_dk,
                client=dk_client,
                view="client_detail",
                channel="html",
            )
            client_services.client_update(
                client=dk_client, changes={"phone": f"+45 20 00 {n:02d} {_:02d}"}
            )

    readers(2)
    few = count()
    readers(18)
    assert count() == few
