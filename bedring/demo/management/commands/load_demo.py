from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bedring.accounts.models import Organisation
from bedring.core.roles import Role
from bedring.demo.demo_data import DEMO_PASSWORD, demo_is_loaded, load_demo


class Command(BaseCommand):
    help = "Load the demo: the five seed organisations, staff of every role, synthetic clients."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="do nothing if data exists")
        parser.add_argument("--clients", type=int, default=60, help="clients per organisation")
        parser.add_argument("--logins", action="store_true", help="only print the demo logins")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["logins"]:
            self._print_logins()
            return
        if options["if_empty"] and demo_is_loaded():
            self.stdout.write("Demo data already present; not loading again.")
        else:
            load_demo(clients_per_organisation=options["clients"])
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self._print_logins()

    def _print_logins(self) -> None:
        orgs = list(Organisation.objects.order_by("slug").values_list("slug", flat=True))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (the password for all is {DEMO_PASSWORD}):")
        self.stdout.write("  demo.manager             manager and counsellor in every organisation")
        self.stdout.write("  <organisation>.<role>    one login per organisation and role")
        self.stdout.write("     organisations: " + ", ".join(orgs))
        self.stdout.write("     roles:         " + ", ".join(Role.values))
        self.stdout.write(
            "     for example:   sonderborg.counsellor, msoc-oostende.nurse, sandnes.authority"
        )
        self.stdout.write(
            "     street work:   udgaaende-behandling.street_nurse, sonderborg.street_nurse"
        )
        self.stdout.write("")
        self.stdout.write(
            "The first login asks you to set up an authenticator app (scan the QR code).\n"
            "Without a phone at hand: .venv/bin/python manage.py totp_code USERNAME"
        )
