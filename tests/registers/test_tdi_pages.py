"""The TDI page, its downloads and the API summary: managers of the active organisation
only, never the national identifier, every export logged."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from bedring.audit.models import AppendOnlyError
from bedring.core.roles import Role
from bedring.registers.models import RegisterExport
from bedring.registers.tdi_export import ITEM_NAMES

from ..conftest import api_headers
from .conftest import TDI
from .test_tdi_export import key_of

API = "/api/v1/registers/tdi"


def test_the_manager_sees_the_counts_tables_and_held_back_entrants(
    org_dk, manager, as_user, make_client, entrant
):
    client = make_client(org_dk)
    entrant(client)
    held = entrant(make_client(org_dk), tdi={**TDI, "education": None})
    response = as_user(manager).get(reverse("registers:tdi"), {"year": "2026"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 record to export of 2 treatment entrants; 1 held back" in html
    assert 'data-testid="tdi-table"' in html
    assert str(held.assessments.get().uuid) in html  # the link to the TDI items
    assert "Highest level of education completed" in html
    assert client.national_id not in html
    assert client.last_name not in html
    assert RegisterExport.objects.get().kind == "page"


def test_the_nav_links_the_page_for_managers_only(org_dk, manager, counsellor, as_user):
    link = reverse("registers:tdi")
    assert link in as_user(manager).get(reverse("web:dashboard")).content.decode()
    assert link not in as_user(counsellor).get(reverse("web:dashboard")).content.decode()


def test_the_downloads_are_csv_and_logged(org_dk, manager, as_user, make_client, entrant):
    client = make_client(org_dk)
    entrant(client)
    http = as_user(manager)
    response = http.get(reverse("registers:tdi_download"), {"year": "2026"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="tdi-sonderborg-2026.csv"' in response["Content-Disposition"]
    body = response.content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == list(ITEM_NAMES)
    assert rows[1][0] == key_of(client)
    assert client.national_id not in body
    tables = http.get(reverse("registers:tdi_tables_download"), {"year": "2026"})
    assert tables.status_code == 200
    assert tables.content.decode().startswith("table,code,label,count")
    logs = list(RegisterExport.objects.order_by("id").values_list("kind", "record_count", "actor"))
    assert logs == [("records", 1, manager.pk), ("tables", 1, manager.pk)]


def test_an_impossible_year_is_refused_with_a_message(org_dk, manager, as_user):
    http = as_user(manager)
    page = http.get(reverse("registers:tdi"), {"year": "1850"})
    assert page.status_code == 400
    assert "Choose a year from 2000" in page.content.decode()
    download = http.get(reverse("registers:tdi_download"), {"year": "next"})
    assert download.status_code == 400
    assert "Choose a year from 2000" in download.content.decode()
    assert not RegisterExport.objects.exists()


def test_a_counsellor_may_not_export(org_dk, counsellor, as_user):
    http = as_user(counsellor)
    for name in ("registers:tdi", "registers:tdi_download", "registers:tdi_tables_download"):
        assert http.get(reverse(name)).status_code == 403
    assert http.get(API, **api_headers(counsellor)).status_code == 403


def test_a_manager_of_another_organisation_sees_only_their_own(
    org_dk, org_no, make_staff, as_user, make_client, entrant
):
    dk_client = make_client(org_dk)
    entrant(dk_client)
    no_client = make_client(org_no)
    entrant(no_client)
    outsider = make_staff(org_no, Role.MANAGER)
    body = as_user(outsider).get(reverse("registers:tdi_download"), {"year": "2026"})
    text = body.content.decode()
    assert key_of(no_client) in text
    assert key_of(dk_client) not in text
    api = as_user(outsider).get(API, {"organisation": str(org_dk.uuid)}, **api_headers(outsider))
    assert api.status_code == 404


def test_the_api_gives_the_summary_of_the_active_organisation(
    org_dk, manager, client, make_client, entrant
):
    dk_client = make_client(org_dk)
    entrant(dk_client)
    held = entrant(make_client(org_dk), tdi={**TDI, "children": None})
    response = client.get(API, {"year": 2026}, **api_headers(manager))
    assert response.status_code == 200
    data = response.json()
    assert (data["organisation"], data["year"], data["entrants"], data["records"]) == (
        "sonderborg",
        2026,
        2,
        1,
    )
    assert [(p["episode"], p["item"]) for p in data["problems"]] == [(str(held.uuid), "children")]
    assert {t for t in data["tables"]} == {"primary_drug", "sex", "age_band"}
    assert dk_client.national_id not in response.content.decode()
    assert RegisterExport.objects.get().channel == "api"


def test_the_api_refuses_an_impossible_year(org_dk, manager, client):
    response = client.get(API, {"year": 1999}, **api_headers(manager))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_year"


def test_the_export_log_is_append_only(org_dk, manager, as_user):
    as_user(manager).get(reverse("registers:tdi"), {"year": "2026"})
    log = RegisterExport.objects.get()
    with pytest.raises(AppendOnlyError):
        log.save()
    with pytest.raises(AppendOnlyError):
        log.delete()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            RegisterExport.objects.filter(pk=log.pk).update(year=2025)
