"""How a message leaves Bedring (APT-3): e-mail through Django's e-mail backend (SMTP in
production, the console in the demo, the in-memory outbox in tests), SMS through a provider
chosen by the ``SMS_PROVIDER`` setting (config/settings.py):

- :class:`HttpSmsProvider`: a generic HTTP SMS API, ``POST BEDRING_SMS_URL`` with
  ``Authorization: Bearer BEDRING_SMS_TOKEN`` and the JSON body
  ``{"to": "+4520000123", "text": "...", "reference": "<message uuid>"}`` (plus ``"from"``
  when ``BEDRING_SMS_SENDER`` is set). Any 2xx is accepted; the provider's message id is read
  from the answer's ``id`` or ``message_id`` when there is one. A timeout, a refused
  connection, 408, 425, 429 and 5xx are tried again later; any other 4xx is a permanent
  failure (the request itself is wrong: a bad number, a bad token). The reference is also sent
  as ``Idempotency-Key``, so a provider that honours it sends a retried message once.
- :class:`ConsoleSmsProvider`: prints the message (demo and development).
- :class:`LocmemSmsProvider`: keeps it in :data:`sms_outbox` (tests).
- :class:`UnconfiguredSmsProvider`: production without ``BEDRING_SMS_URL``: every SMS fails
  at once with that reason, visibly on the outbox page.

A provider raises :class:`SendError` when a message did not go; ``permanent`` says whether
trying again can help.
"""

from __future__ import annotations

import json
import smtplib
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.utils import formataddr, make_msgid
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

RETRYABLE_HTTP = frozenset({408, 425, 429})


class SendError(Exception):
    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@dataclass(frozen=True)
class Sms:
    to: str  # E.164
    text: str
    reference: str


class SmsProvider(Protocol):
    def send(self, sms: Sms) -> str:
        """Send one SMS; answer the provider's message id ("" when it gives none)."""
        ...


class ConsoleSmsProvider:
    def send(self, sms: Sms) -> str:
        sys.stdout.write(f"SMS to {sms.to} ({sms.reference}):\n{sms.text}\n{'-' * 72}\n")
        sys.stdout.flush()
        return f"console-{sms.reference}"


# What the in-memory provider sent, for tests to read (like django.core.mail.outbox).
sms_outbox: list[Sms] = []


class LocmemSmsProvider:
    def send(self, sms: Sms) -> str:
        sms_outbox.append(sms)
        return f"locmem-{len(sms_outbox)}"


class UnconfiguredSmsProvider:
    def send(self, sms: Sms) -> str:
        raise SendError("No SMS provider is configured (BEDRING_SMS_URL).", permanent=True)


class HttpSmsProvider:
    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        sender: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.url = url if url is not None else settings.SMS_URL
        self.token = token if token is not None else settings.SMS_TOKEN
        self.sender = sender if sender is not None else settings.SMS_SENDER
        self.timeout = timeout if timeout is not None else float(settings.SMS_TIMEOUT_SECONDS)
        if not self.url.startswith(("https://", "http://")):
            raise ValueError(f"the SMS provider's URL must be http(s), not {self.url!r}")

    def send(self, sms: Sms) -> str:
        body: dict[str, str] = {"to": sms.to, "text": sms.text, "reference": sms.reference}
        if self.sender:
            body["from"] = self.sender
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url,
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Idempotency-Key": sms.reference,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(65536)
        except urllib.error.HTTPError as exc:
            retryable = exc.code in RETRYABLE_HTTP or exc.code >= 500
            raise SendError(
                f"The SMS provider answered HTTP {exc.code}.", permanent=not retryable
            ) from exc
        except TimeoutError as exc:
            raise SendError("The SMS provider did not answer in time.") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise SendError("The SMS provider did not answer in time.") from exc
            raise SendError(f"The SMS provider could not be reached: {reason}.") from exc
        return _message_id(raw)


def _message_id(raw: bytes) -> str:
    """The provider's id of the message, when its answer names one. A 2xx without one (or
    without JSON) still means the provider took the message: sending it again would send it
    twice."""
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        return ""
    if not isinstance(answer, dict):
        return ""
    value = answer.get("id") or answer.get("message_id") or ""
    return str(value)[:200]


def sms_provider() -> SmsProvider:
    provider: SmsProvider = import_string(settings.SMS_PROVIDER)()
    return provider


def send_email(*, to: str, sender_name: str, subject: str, body: str, reference: str) -> str:
    """Send one e-mail through Django's configured backend; answer its Message-ID."""
    from_address = settings.DEFAULT_FROM_EMAIL
    domain = from_address.rpartition("@")[2] or "localhost"
    message_id = make_msgid(idstring=reference[:40], domain=domain)
    email = EmailMessage(
        subject=subject,
        body=body,
        from_email=formataddr((sender_name, from_address)),
        to=[to],
        headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"},
    )
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError("The mail server refused the address.", permanent=True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(f"The mail server could not take the message: {exc}.") from exc
    return message_id
