from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bedring.rules.loader import PackError, available_packs, load_pack


class Command(BaseCommand):
    help = "Load a service data pack (organisation, sites, hours): a name or a path to a YAML file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", help=f"pack names: {', '.join(available_packs())}")
        parser.add_argument("--all", action="store_true", help="load every shipped pack")

    def handle(self, *args: Any, **options: Any) -> None:
        names = available_packs() if options["all"] else options["names"]
        if not names:
            raise CommandError(
                "Name a pack or use --all. Known packs: " + ", ".join(available_packs())
            )
        for name in names:
            try:
                organisation = load_pack(name)
            except PackError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"loaded {name}: {organisation.name}")
