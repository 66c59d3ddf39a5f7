from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Demo installs only: print the current login code of a user's authenticator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError("totp_code only works on a demo install (BEDRING_DEMO=true).")
        device = (
            TOTPDevice.objects.filter(user__username=options["username"])
            .order_by("-confirmed", "-id")
            .first()
        )
        if device is None:
            raise CommandError(
                "No authenticator for this user yet: log in once with the password to enrol one."
            )
        code = totp(
            device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
        )
        self.stdout.write(f"{code:0{device.digits}d}")
