"""``manage.py export_tdi``: the records to stdout or a file, CSV or JSON; the held-back
entrants on stderr with their count; a clear error (never a traceback) for an unknown
organisation or an impossible year."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from bedring.registers.models import RegisterExport
from bedring.registers.tdi_export import ITEM_NAMES

from .conftest import TDI


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_tdi", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_writes_csv_to_stdout_and_the_problems_to_stderr(org_dk, make_client, entrant):
    client = make_client(org_dk)
    entrant(client)
    held = entrant(make_client(org_dk), tdi={**TDI, "living_where": None})
    out, err = run("--organisation", "sonderborg", "--year", "2026")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == list(ITEM_NAMES)
    assert len(rows) == 2
    assert "1 records exported; 1 treatment entrants held back (1 problems)." in err
    assert f"{held.uuid}" in err and "living_where" in err
    assert client.national_id not in out + err
    log = RegisterExport.objects.get()
    assert (log.actor, log.channel, log.kind, log.year, log.record_count, log.problem_count) == (
        None,
        "command",
        "records",
        2026,
        1,
        1,
    )


def test_the_command_writes_json_to_a_file_and_takes_the_organisation_by_name(
    org_dk, make_client, entrant, tmp_path
):
    entrant(make_client(org_dk))
    target = tmp_path / "tdi.json"
    out, err = run(
        "--organisation",
        org_dk.name.upper(),
        "--year",
        "2026",
        "--format",
        "json",
        "--output",
        str(target),
    )
    assert out == ""
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["year"] == 2026
    assert data["items"] == list(ITEM_NAMES)
    assert len(data["records"]) == 1
    assert data["tables"]["primary_drug"]
    assert "1 records exported" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organisation", "nowhere", "--year", "2026"], "Unknown organisation 'nowhere'"),
        (["--organisation", "sonderborg", "--year", "1999"], "Choose a year from 2000"),
        (["--organisation", "sonderborg", "--year", "2999"], "Choose a year from 2000"),
    ],
)
def test_bad_arguments_are_a_clear_command_error(org_dk, args, message):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert message in str(error.value)
    assert not RegisterExport.objects.exists()


def test_a_year_that_is_not_a_number_is_refused_by_the_parser(org_dk):
    with pytest.raises(CommandError):
        run("--organisation", "sonderborg", "--year", "last")
