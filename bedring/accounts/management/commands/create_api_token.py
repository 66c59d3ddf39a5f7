from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bedring.accounts.models import User
from bedring.accounts.services import api_token_create
from bedring.core.errors import DomainError


class Command(BaseCommand):
    help = "Create an API token for a staff member and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['username']!r}.")
        try:
            _token, raw = api_token_create(user=user, name=options["name"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(raw)
