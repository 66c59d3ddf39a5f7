"""Send every message that is due now: for cron, and to recover after the worker was down
(the worker normally sends each message from its own task)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bedring.core import clock
from bedring.messaging import services
from bedring.messaging.tasks import send_due_messages


class Command(BaseCommand):
    help = "Send the messages (appointment reminders) that are due now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="hand the work to the task worker instead of sending from this process",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = send_due_messages.enqueue()
            self.stdout.write(f"Queued for the worker: task {result.id}.")
            return
        sent = services.send_due_messages(at=clock.now())
        self.stdout.write(f"Messages sent: {sent}.")
