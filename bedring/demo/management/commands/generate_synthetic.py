from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bedring.core import clock

HELP = """Generate a synthetic world: N clients of the service packs' organisations with Y years
of treatment history up to --until (episodes, inquiries, deadlines, assessments with TDI
intakes, decisions, plans, goals, evaluations, sessions and attendance, substitution
prescriptions with a dose for every day, discharges, follow-ups, readmissions). Synthetic
people only; national identifiers pass their checksums. The same --seed gives the same rows.

Safety: the rows are written in bulk, past the services and the change log. The command
therefore writes only into a database whose name contains "bench" or "synthetic" (with
--append if it already holds clients), or into an empty demo installation (BEDRING_DEMO=true
and no client at all). Any other database is refused, because it may hold real people."""


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--until: not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = HELP

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clients", type=int, default=1000, help="clients to generate")
        parser.add_argument("--years", type=int, default=10, help="years of history")
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument(
            "--until",
            type=_date,
            default=None,
            help="the last day of the history (default: today)",
        )
        parser.add_argument(
            "--dispensing-share",
            type=float,
            default=0.1,
            help="share of clients on opioid substitution with daily doses (0-1)",
        )
        parser.add_argument(
            "--append",
            action="store_true",
            help="add to a bench/synthetic database that already holds clients",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        from bedring.synthetic.load import generate, refusal

        clients, years = options["clients"], options["years"]
        share = options["dispensing_share"]
        if clients < 1:
            raise CommandError("--clients must be at least 1.")
        if not 1 <= years <= 50:
            raise CommandError("--years must be between 1 and 50.")
        if not 0 <= share <= 1:
            raise CommandError("--dispensing-share must be between 0 and 1.")
        reason = refusal(append=options["append"])
        if reason is not None:
            raise CommandError(reason)
        until = options["until"] or clock.today()
        result = generate(
            clients=clients,
            years=years,
            seed=options["seed"],
            until=until,
            dispensing_share=share,
            quiet=options["quiet"] or options["verbosity"] == 0,
        )
        rows = result["rows"]
        summary = ", ".join(f"{name} {n:,}" for name, n in rows.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {rows.get('Client', 0):,} clients in {result['seconds']:.1f} s: "
                f"{summary}."
            )
        )
