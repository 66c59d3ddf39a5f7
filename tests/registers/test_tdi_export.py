"""The EUDA TDI 3.0 export (bedring.registers.tdi_export): who is a treatment entrant, how
the items are mapped, what is held back and why, the pseudonym, and a bounded number of
queries whatever the number of episodes."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bedring.registers import tdi_export
from bedring.registers.tdi_export import ITEM_NAMES, build_tdi_export, pseudonym
from bedring.registers.views import _problems
from tests.conftest import api_headers

from .conftest import TDI, D


def key_of(client) -> str:
    return pseudonym(
        identifier_kind=client.identifier_kind,
        national_id=client.national_id,
        client_uuid=client.uuid,
    )


def exported_keys(export) -> set[str]:
    return {r["client_key"] for r in export.records}


# --- selection --------------------------------------------------------------------------------


def test_only_face_to_face_entrants_of_the_year_and_organisation_are_exported(
    org_dk, org_no, make_client, entrant, attend
):
    # Given entrants of Sønderborg in 2026 in person, by phone only, by phone then an attended
    # treatment session, by phone then only a harm-reduction contact, one of 2025, and one
    # of another organisation
    in_person = make_client(org_dk)
    entrant(in_person)
    phone_only = make_client(org_dk)
    entrant(phone_only, channel="phone")
    phone_then_session = make_client(org_dk)
    attend(entrant(phone_then_session, channel="phone"), "individual", D(2026, 3, 16))
    phone_then_harm_reduction = make_client(org_dk)
    attend(entrant(phone_then_harm_reduction, channel="phone"), "open-counselling", D(2026, 3, 16))
    last_year = make_client(org_dk)
    entrant(last_year, started_on=D(2025, 12, 30))
    elsewhere = make_client(org_no)
    entrant(elsewhere)
    # When the 2026 export of Sønderborg is built
    export = build_tdi_export(organisation=org_dk, year=2026)
    # Then the in-person entrant and the one who attended a treatment session are exported,
    # nobody else, and nobody is held back
    assert exported_keys(export) == {key_of(in_person), key_of(phone_then_session)}
    assert export.entrants == 2
    assert export.problems == []
    # And the 2025 entrant is in the 2025 export
    assert exported_keys(build_tdi_export(organisation=org_dk, year=2025)) == {key_of(last_year)}
    # And the other organisation's entrant only in its own
    assert exported_keys(build_tdi_export(organisation=org_no, year=2026)) == {key_of(elsewhere)}


# --- items ------------------------------------------------------------------------------------


def test_the_items_come_from_the_intake_the_client_and_the_episode(org_dk, make_client, entrant):
    client = make_client(org_dk)
    entrant(client, started_on=D(2026, 3, 10))
    client.refresh_from_db()
    (record,) = build_tdi_export(organisation=org_dk, year=2026).records
    assert list(record) == list(ITEM_NAMES)
    expected_age = client.age_on(D(2026, 3, 10))
    assert record["client_key"] == key_of(client)
    assert record["centre_type"] == tdi_export.CentreType.OUTPATIENT
    assert record["treatment_year"] == 2026
    assert record["sex"] == {"male": 1, "female": 2}.get(client.sex, 99)
    assert record["age"] == (expected_age if expected_age is not None else 99)
    if client.birth_date is not None:
        assert record["year_of_birth"] == client.birth_date.year
    for name in ("previously_treated", "referral_source", "living_with", "living_where"):
        assert record[name] == TDI[name]
    assert record["primary_substance"] == 11
    assert record["primary_age_first_use"] == 16
    assert record["nationality"] == "DK"
    assert (record["secondary_substance_1"], record["secondary_substance_2"]) == (42, 71)
    assert record["secondary_substance_3"] is None
    # Derived from "injected in the last 30 days" (4) of ever_injected
    assert (record["ever_injected"], record["injected_last_30_days"]) == (4, 1)
    assert record["opioid_substitution_age_first"] is None


def test_the_tables_count_the_exported_records_by_drug_sex_and_age_band(
    org_dk, make_client, entrant
):
    entrant(make_client(org_dk))
    entrant(make_client(org_dk), tdi={**TDI, "primary_substance": 21, "primary_route": 4})
    export = build_tdi_export(organisation=org_dk, year=2026)
    drugs = {row.code: row.count for row in export.tables["primary_drug"]}
    assert (drugs["11"], drugs["21"], drugs["31"]) == (1, 1, 0)
    assert sum(row.count for row in export.tables["sex"]) == 2
    assert sum(row.count for row in export.tables["age_band"]) == 2
    bands = {tdi_export._age_band(r["age"]) for r in export.records}
    counted = {row.code for row in export.tables["age_band"] if row.count}
    assert counted == bands


# --- validation -------------------------------------------------------------------------------


def test_a_missing_mandatory_item_is_listed_with_the_episode_and_not_exported(
    org_dk, make_client, entrant
):
    complete = make_client(org_dk)
    entrant(complete)
    gap = make_client(org_dk)
    episode = entrant(gap, tdi={**TDI, "previously_treated": None, "primary_frequency": None})
    export = build_tdi_export(organisation=org_dk, year=2026)
    assert exported_keys(export) == {key_of(complete)}
    assert export.entrants == 2
    assert {(p.episode, p.item, p.code) for p in export.problems} == {
        (episode.uuid, "previously_treated", "missing_item"),
        (episode.uuid, "primary_frequency", "missing_item"),
    }
    assessment = episode.assessments.get()
    assert {p.assessment for p in export.problems} == {assessment.uuid}
    assert all(p.client_key == key_of(gap) for p in export.problems)
    assert "Ever previously treated" in export.problems[0].message


def test_an_age_at_first_injection_is_mandatory_for_someone_who_injected(
    org_dk, make_client, entrant
):
    episode = entrant(make_client(org_dk), tdi={**TDI, "age_first_injection": None})
    export = build_tdi_export(organisation=org_dk, year=2026)
    assert export.records == []
    assert [(p.episode, p.item) for p in export.problems] == [(episode.uuid, "age_first_injection")]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"tdi": None}, "no_tdi"),
        ({"complete": False}, "assessment_not_completed"),
        ({"assess": False}, "no_assessment"),
    ],
)
def test_an_entrant_without_completed_tdi_items_is_held_back_with_the_reason(
    org_dk, make_client, entrant, kwargs, code
):
    episode = entrant(make_client(org_dk), **kwargs)
    export = build_tdi_export(organisation=org_dk, year=2026)
    assert export.records == []
    assert [(p.episode, p.item, p.code) for p in export.problems] == [(episode.uuid, "tdi", code)]


# --- pseudonym --------------------------------------------------------------------------------


def test_the_pseudonym_is_stable_different_per_person_and_never_the_identifier(
    org_dk, make_client, entrant, settings
):
    first, second = make_client(org_dk), make_client(org_dk)
    entrant(first)
    entrant(second)
    export = build_tdi_export(organisation=org_dk, year=2026)
    keys = [r["client_key"] for r in export.records]
    assert len(set(keys)) == 2
    # Stable: the same key in a second export
    assert exported_keys(build_tdi_export(organisation=org_dk, year=2026)) == set(keys)
    # A keyed hash: another key gives other pseudonyms, and the plain SHA-256 of the
    # identifier (guessable from the number) is not used
    plain = {hashlib.sha256(c.national_id.encode()).hexdigest() for c in (first, second)}
    assert not plain & set(keys)
    settings.PSEUDONYM_KEY = "another-key-" + "z" * 40
    assert not exported_keys(build_tdi_export(organisation=org_dk, year=2026)) & set(keys)
    # The national identifier (and the client's uuid) appear nowhere in the output
    text = export.to_csv() + export.tables_csv() + json.dumps(export.to_json())
    for client in (first, second):
        assert client.national_id not in text
        assert client.identifier_display not in text
        assert str(client.uuid) not in text
        assert client.last_name not in text


def test_a_client_without_identifier_is_keyed_by_the_internal_uuid(org_dk, make_client, entrant):
    client = make_client(org_dk, national_id="")
    entrant(client)
    (record,) = build_tdi_export(organisation=org_dk, year=2026).records
    assert record["client_key"] == key_of(client)
    assert len(record["client_key"]) == 64


# --- files ------------------------------------------------------------------------------------


def test_the_records_csv_has_the_item_names_and_one_row_per_record(org_dk, make_client, entrant):
    entrant(make_client(org_dk))
    export = build_tdi_export(organisation=org_dk, year=2026)
    rows = list(csv.reader(io.StringIO(export.to_csv())))
    assert rows[0] == list(ITEM_NAMES)
    assert len(rows) == 2
    assert rows[1][ITEM_NAMES.index("secondary_substance_3")] == ""
    tables = list(csv.DictReader(io.StringIO(export.tables_csv())))
    assert {t["table"] for t in tables} == {"primary_drug", "sex", "age_band"}


# --- queries ----------------------------------------------------------------------------------


def test_the_export_takes_the_same_few_queries_for_one_or_many_episodes(
    org_dk, make_client, entrant, attend
):
    entrant(make_client(org_dk))
    with CaptureQueriesContext(connection) as few:
        assert len(build_tdi_export(organisation=org_dk, year=2026).records) == 1
    for n in range(5):
        episode = entrant(make_client(org_dk), channel="phone" if n % 2 else "in_person")
        if n % 2:
            attend(episode, "individual", D(2026, 3, 16))
    entrant(make_client(org_dk), tdi={**TDI, "education": None})
    with CaptureQueriesContext(connection) as many:
        export = build_tdi_export(organisation=org_dk, year=2026)
    assert (len(export.records), export.problem_episodes) == (6, 1)
    assert len(many) == len(few) <= 2, [q["sql"] for q in many.captured_queries]


def test_the_page_link_points_at_the_assessments_tdi_items(org_dk, make_client, entrant):
    episode = entrant(make_client(org_dk), tdi={**TDI, "education": None})
    assessment = episode.assessments.get()
    (row,) = _problems(build_tdi_export(organisation=org_dk, year=2026), None).object_list
    assert row["link"] == reverse(
        "pathway:assessment_tdi",
        kwargs={"episode_uuid": episode.uuid, "assessment_uuid": assessment.uuid},
    )


def test_the_validation_list_is_paged_on_the_page_and_in_the_api(
    org_dk, manager, as_user, make_client, entrant, monkeypatch
):
    monkeypatch.setattr("bedring.registers.views.PROBLEMS_PER_PAGE", 2)
    held = [entrant(make_client(org_dk), tdi={**TDI, "children": None}) for _ in range(3)]
    export = build_tdi_export(organisation=org_dk, year=2026)
    assert len(_problems(export, "1").object_list) == 2
    last = _problems(export, "2")
    assert (len(last.object_list), last.number, last.paginator.num_pages) == (1, 2, 2)
    # A page number that is not one is the first page, never an error.
    assert _problems(export, "x").number == 1
    page = as_user(manager).get(reverse("registers:tdi"), {"year": "2026", "page": "2"})
    assert page.status_code == 200
    assert page.content.decode().count('href="/pathway/episodes/') == 1

    api = as_user(manager).get(
        "/api/v1/registers/tdi", {"year": 2026, "limit": 2, "offset": 2}, **api_headers(manager)
    )
    data = api.json()
    assert (data["problems_total"], len(data["problems"])) == (3, 1)
    assert {p["episode"] for p in data["problems"]} <= {str(e.uuid) for e in held}
    bad = as_user(manager).get("/api/v1/registers/tdi", {"limit": 500}, **api_headers(manager))
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_page")
