"""``manage.py export_tdi --organisation sonderborg --year 2026``: the EUDA TDI 3.0 records of
an organisation's treatment entrants of a year, as CSV (default) or JSON, to a file or stdout.
The records held back (a mandatory item missing) are listed on stderr with their count."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bedring.accounts.models import Organisation
from bedring.core import clock
from bedring.core.errors import DomainError
from bedring.registers.models import ExportChannel, ExportKind
from bedring.registers.services import tdi_export_log
from bedring.registers.tdi_export import build_tdi_export, check_year, problems_text


class Command(BaseCommand):
    help = "Export the EUDA TDI 3.0 records of an organisation's treatment entrants of a year."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="Slug or name.")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--output", help="File to write; default standard output.")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = options["organisation"]
        organisation = Organisation.objects.filter(slug=wanted).first()
        if organisation is None:
            # By name, case-insensitive also beyond ASCII (SQLite's iexact is ASCII only).
            organisation = next(
                (
                    o
                    for o in Organisation.objects.all()
                    if o.name.casefold() == wanted.strip().casefold()
                ),
                None,
            )
        if organisation is None:
            known = ", ".join(Organisation.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"Unknown organisation {wanted!r}; known: {known or 'none'}.")
        try:
            check_year(options["year"], today=clock.today(organisation))
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        export = build_tdi_export(organisation=organisation, year=options["year"])
        if options["format"] == "json":
            text = json.dumps(export.to_json(), ensure_ascii=False, indent=1) + "\n"
        else:
            text = export.to_csv()
        if options["output"]:
            try:
                Path(options["output"]).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Cannot write {options['output']}: {exc.strerror}.") from exc
        else:
            self.stdout.write(text, ending="")
        tdi_export_log(
            export=export, actor=None, kind=ExportKind.RECORDS, channel=ExportChannel.COMMAND
        )
        self.stderr.write(
            f"{len(export.records)} records exported; "
            f"{export.problem_episodes} treatment entrants held back "
            f"({len(export.problems)} problems)."
        )
        for line in problems_text(export):
            self.stderr.write(line)
