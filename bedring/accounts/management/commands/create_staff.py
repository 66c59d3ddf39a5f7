from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bedring.accounts.models import Organisation, Team, User
from bedring.accounts.services import membership_add, staff_create
from bedring.core.errors import DomainError
from bedring.core.roles import Role


class Command(BaseCommand):
    help = (
        "Create a staff member in an organisation with one or more roles, or add an existing "
        "staff member to another organisation. The password is asked for unless given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--organisation", required=True, help="organisation slug")
        parser.add_argument("--role", action="append", required=True, choices=Role.values)
        parser.add_argument("--team", help="team name (created if missing)")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="default: asked for on the terminal")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            known = ", ".join(Organisation.objects.values_list("slug", flat=True))
            raise CommandError(f"No organisation {options['organisation']!r}. Known: {known}")
        team = None
        if options["team"]:
            team, _created = Team.objects.get_or_create(
                organisation=organisation, name=options["team"]
            )
        existing = User.objects.filter(username=options["username"]).first()
        if existing is not None:
            membership_add(
                user=existing, organisation=organisation, roles=options["role"], team=team
            )
            self.stdout.write(
                f"{existing.username} now has {', '.join(options['role'])} at {organisation}"
            )
            return
        password = options["password"] or getpass.getpass("Password: ")
        try:
            user = staff_create(
                username=options["username"],
                password=password,
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
                organisation=organisation,
                roles=options["role"],
                team=team,
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"created {user.username} ({', '.join(options['role'])}) at {organisation}"
        )
