"""SMS providers that fail, for the retry tests (named in SMS_PROVIDER by override)."""

from __future__ import annotations

from bedring.messaging.providers import SendError, Sms

calls: list[Sms] = []


class DownSmsProvider:
    """A provider that is down: every attempt may succeed later."""

    def send(self, sms: Sms) -> str:
        calls.append(sms)
        raise SendError("The SMS provider answered HTTP 503.")


class RefusingSmsProvider:
    """A provider that refuses the request itself: trying again cannot help."""

    def send(self, sms: Sms) -> str:
        calls.append(sms)
        raise SendError("The SMS provider answered HTTP 400.", permanent=True)
