"""APT-3: the HTTP SMS adapter against a real HTTP server on 127.0.0.1 (a thread of the test,
on a free port): the JSON it posts with the bearer token, the provider's id, and a provider
that fails (500, too slow) leading to retries and, in the end, a failed message."""

from __future__ import annotations

import datetime
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import override_settings

from bedring.messaging import services
from bedring.messaging.models import MessageStatus
from bedring.messaging.providers import HttpSmsProvider, SendError, Sms

TOKEN = "test-token-not-secret"


@dataclass
class FakeSmsApi:
    """What the fake provider answers next and what it received."""

    url: str = ""
    status: int = 200
    delay: float = 0.0
    answer: dict[str, Any] = field(default_factory=lambda: {"id": "prov-1"})
    received: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def sms_api() -> Iterator[FakeSmsApi]:
    api = FakeSmsApi()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            api.received.append(
                {
                    "path": self.path,
                    "authorization": self.headers.get("Authorization"),
                    "content_type": self.headers.get("Content-Type"),
                    "idempotency_key": self.headers.get("Idempotency-Key"),
                    "body": json.loads(self.rfile.read(length)),
                }
            )
            if api.delay:
                time.sleep(api.delay)
            payload = json.dumps(api.answer).encode()
            try:
                self.send_response(api.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # port 0: a free port
    server.daemon_threads = True
    server.block_on_close = False  # a handler still sleeping (the timeout test) is not awaited
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}/v1/sms"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def provider(api: FakeSmsApi, **options: Any) -> HttpSmsProvider:
    return HttpSmsProvider(api.url, TOKEN, sender=options.get("sender", ""), timeout=0.3)


def test_the_adapter_posts_json_with_the_bearer_token(sms_api):
    message_id = provider(sms_api, sender="Bedring").send(
        Sms(to="+4520000123", text="Hello", reference="ref-1")
    )
    assert message_id == "prov-1"
    [request] = sms_api.received
    assert request["path"] == "/v1/sms"
    assert request["authorization"] == f"Bearer {TOKEN}"
    assert request["content_type"] == "application/json"
    assert request["idempotency_key"] == "ref-1"
    assert request["body"] == {
        "to": "+4520000123",
        "text": "Hello",
        "reference": "ref-1",
        "from": "Bedring",
    }


def test_a_2xx_without_an_id_is_still_sent(sms_api):
    sms_api.status, sms_api.answer = 202, {}
    assert provider(sms_api).send(Sms(to="+4520000123", text="x", reference="r")) == ""


@pytest.mark.parametrize(
    ("status", "permanent"), [(500, False), (503, False), (429, False), (400, True), (401, True)]
)
def test_which_answers_are_worth_trying_again(sms_api, status, permanent):
    sms_api.status = status
    with pytest.raises(SendError) as failed:
        provider(sms_api).send(Sms(to="+4520000123", text="x", reference="r"))
    assert failed.value.permanent is permanent
    assert str(status) in failed.value.reason


def test_a_provider_that_does_not_answer_in_time_is_tried_again(sms_api):
    sms_api.delay = 1.0
    with pytest.raises(SendError) as failed:
        provider(sms_api).send(Sms(to="+4520000123", text="x", reference="r"))
    assert failed.value.permanent is False
    assert "in time" in failed.value.reason


def test_a_provider_that_is_not_there_is_tried_again():
    unreachable = HttpSmsProvider("http://127.0.0.1:9/none", TOKEN, timeout=0.5)
    with pytest.raises(SendError) as failed:
        unreachable.send(Sms(to="+4520000123", text="x", reference="r"))
    assert failed.value.permanent is False


def test_a_reminder_through_the_http_provider_is_sent(sms_api, dk_client, agree, remind):
    agree(dk_client, "sms")
    message = remind(dk_client)
    with override_settings(
        SMS_PROVIDER="bedring.messaging.providers.HttpSmsProvider",
        SMS_URL=sms_api.url,
        SMS_TOKEN=TOKEN,
        SMS_SENDER="",
    ):
        message = services.message_send(message_id=message.pk, at=message.send_after)
    assert (message.status, message.provider_id) == (MessageStatus.SENT, "prov-1")
    [request] = sms_api.received
    assert request["body"]["text"] == message.text
    assert request["body"]["reference"] == str(message.uuid)
    assert "from" not in request["body"]


def test_a_failing_provider_leads_to_retries_and_then_failed(sms_api, dk_client, agree, remind):
    """500, then too slow, then 500 …: tried again after each, failed after the last."""
    agree(dk_client, "sms")
    message = remind(dk_client)
    at = message.send_after
    with override_settings(
        SMS_PROVIDER="bedring.messaging.providers.HttpSmsProvider",
        SMS_URL=sms_api.url,
        SMS_TOKEN=TOKEN,
        SMS_TIMEOUT_SECONDS=1,
        MESSAGE_MAX_ATTEMPTS=3,
    ):
        sms_api.status = 500
        message = services.message_send(message_id=message.pk, at=at)
        assert message.status == MessageStatus.QUEUED
        assert message.last_error == "The SMS provider answered HTTP 500."
        assert message.next_attempt_at == at + datetime.timedelta(minutes=5)

        sms_api.status, sms_api.delay = 200, 1.5  # answers, but after the timeout
        message = services.message_send(message_id=message.pk, at=message.next_attempt_at)
        assert message.status == MessageStatus.QUEUED
        assert message.last_error == "The SMS provider did not answer in time."

        sms_api.status, sms_api.delay = 500, 0.0
        message = services.message_send(message_id=message.pk, at=message.next_attempt_at)
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 3)
    assert message.last_error == "The SMS provider answered HTTP 500."
    assert len(sms_api.received) == 3
    # every attempt carried the same idempotency key: a provider that got the slow one sends it once
    assert {r["idempotency_key"] for r in sms_api.received} == {str(message.uuid)}


def test_the_provider_refuses_a_url_that_is_not_http():
    with pytest.raises(ValueError, match="http"):
        HttpSmsProvider("file:///etc/passwd", TOKEN)
