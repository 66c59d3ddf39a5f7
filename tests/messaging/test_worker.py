"""APT-3: the worker sends what is due and only that, tries a failure again with growing
delays and then marks it failed for staff to see; e-mail goes through Django's backend. One
test runs the real task runner: the database backend and its worker."""

from __future__ import annotations

import datetime
import signal
from email.header import decode_header, make_header
from email.utils import parseaddr
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from bedring.clients import services as client_services
from bedring.messaging import providers, services
from bedring.messaging.models import MessageStatus

from . import fakes
from .conftest import local, task_backend

DOWN = "tests.messaging.fakes.DownSmsProvider"
REFUSING = "tests.messaging.fakes.RefusingSmsProvider"


@pytest.fixture(autouse=True)
def no_fake_calls():
    fakes.calls.clear()


def test_the_worker_sends_what_is_due_and_only_that(dk_client, make_client, agree, remind):
    # Given two queued reminders: one for tomorrow's 16:00, one for the day after
    org = dk_client.organisation
    agree(dk_client, "sms")
    other = agree(make_client(org), "sms")
    soon = remind(dk_client, days=2, reference="appointment:soon")
    later = remind(other, days=3, reference="appointment:later")

    # When the worker runs at 16:00 tomorrow
    sent = services.send_due_messages(at=local(org, 1, 16))

    # Then only the due one is sent, to the number in E.164, with its text
    assert sent == 1
    soon.refresh_from_db()
    later.refresh_from_db()
    assert (soon.status, soon.attempts) == (MessageStatus.SENT, 1)
    assert soon.sent_at == local(org, 1, 16)
    assert soon.provider_id.startswith("locmem-")
    assert later.status == MessageStatus.QUEUED
    [sms] = providers.sms_outbox
    assert sms.to == "+45" + "".join(ch for ch in dk_client.phone if ch.isdigit())[2:]
    assert sms.text == soon.text
    assert sms.reference == str(soon.uuid)


def test_a_task_that_runs_early_or_twice_sends_once(dk_client, agree, remind):
    org = dk_client.organisation
    agree(dk_client, "sms")
    message = remind(dk_client)
    early = services.message_send(message_id=message.pk, at=local(org, 1, 15, 59))
    assert early.status == MessageStatus.QUEUED
    assert providers.sms_outbox == []
    services.message_send(message_id=message.pk, at=local(org, 1, 16))
    again = services.message_send(message_id=message.pk, at=local(org, 1, 16, 5))
    assert again.status == MessageStatus.SENT
    assert len(providers.sms_outbox) == 1


@override_settings(SMS_PROVIDER=DOWN, MESSAGE_MAX_ATTEMPTS=5, MESSAGE_RETRY_SECONDS=300)
def test_a_failure_is_retried_with_growing_delays_then_failed(dk_client, agree, remind):
    # Given a queued reminder and a provider that is down
    org = dk_client.organisation
    agree(dk_client, "sms")
    message = remind(dk_client)
    at = message.send_after
    delays = []

    # When the worker tries at each moment the message is due again
    for _attempt in range(4):
        task_backend().clear()
        message = services.message_send(message_id=message.pk, at=at)
        # Then it stays queued, with the reason, and a task waits for the next attempt
        assert message.status == MessageStatus.QUEUED
        assert message.last_error == "The SMS provider answered HTTP 503."
        delays.append(message.next_attempt_at - at)
        assert message.next_attempt_at in [t.task.run_after for t in task_backend().results]
        at = message.next_attempt_at
    assert delays == [datetime.timedelta(minutes=m) for m in (5, 10, 20, 40)]

    # And the fifth failure marks it failed, for staff to see
    message = services.message_send(message_id=message.pk, at=at)
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 5)
    assert len(fakes.calls) == 5
    assert services.send_due_messages(at=at + datetime.timedelta(hours=1)) == 0
    assert message.sent_at is None
    assert org.pk == message.organisation_id


@override_settings(SMS_PROVIDER=REFUSING)
def test_a_refusal_that_retrying_cannot_help_fails_at_once(dk_client, agree, remind):
    agree(dk_client, "sms")
    message = remind(dk_client)
    message = services.message_send(message_id=message.pk, at=message.send_after)
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 1)
    assert message.last_error == "The SMS provider answered HTTP 400."


def test_a_reminder_is_not_sent_once_the_appointment_has_begun(dk_client, agree, remind):
    org = dk_client.organisation
    agree(dk_client, "sms")
    message = remind(dk_client, days=2, hour=9)
    message = services.message_send(message_id=message.pk, at=local(org, 2, 9, 1))
    assert message.status == MessageStatus.FAILED
    assert "begun" in message.last_error
    assert providers.sms_outbox == []


def test_a_new_number_on_the_client_form_is_used_when_the_reminder_goes(dk_client, agree, remind):
    """The general client edit does not know about reminders: the worker reads the client's
    number again when it sends."""
    agree(dk_client, "sms")
    message = remind(dk_client)
    client_services.client_update(client=dk_client, changes={"phone": "+45 20 00 07 77"})
    message = services.message_send(message_id=message.pk, at=message.send_after)
    assert message.status == MessageStatus.SENT
    assert message.recipient == "+45 20 00 07 77"
    assert providers.sms_outbox[0].to == "+4520000777"


def test_the_e_mail_goes_through_djangos_backend(dk_client, agree, remind):
    # Given a client who chose e-mail and the service's name
    agree(dk_client, "email", "service", email="kim.holm@example.org")
    message = remind(dk_client)

    # When it is due
    message = services.message_send(message_id=message.pk, at=message.send_after)

    # Then one e-mail is in Django's outbox (locmem in tests), from the service's name
    assert message.status == MessageStatus.SENT
    [email] = mail.outbox
    assert email.to == ["kim.holm@example.org"]
    name, address = parseaddr(str(make_header(decode_header(email.from_email))))
    assert (name, address) == ("Sønderborg Misbrugscenter", "noreply@example.org")
    assert email.subject == message.subject
    assert email.body == message.text
    assert message.provider_id == email.extra_headers["Message-ID"]


def test_send_due_messages_command_sends_what_is_due(dk_client, agree, remind, frozen_clock):
    agree(dk_client, "sms")
    message = remind(dk_client)
    frozen_clock.move_to(message.send_after + datetime.timedelta(minutes=1))
    out = StringIO()
    call_command("send_due_messages", stdout=out)
    assert "Messages sent: 1." in out.getvalue()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def run_worker_until_the_queue_is_empty(monkeypatch) -> None:
    """``manage.py db_worker --batch``: run every ready task, then stop. Its signal handlers
    are put back afterwards, and it may not close the test's connection (held in a
    transaction)."""
    import django_tasks_db.management.commands.db_worker as db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command(
            "db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0
        )
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@override_settings(TASKS=DATABASE_TASKS)
def test_the_database_task_runner_sends_the_reminder_when_it_is_due(
    dk_client, agree, remind, frozen_clock, monkeypatch
):
    # Given a reminder queued with the database backend: its task is a row, due at 16:00
    agree(dk_client, "sms")
    message = remind(dk_client)
    task = DBTaskResult.objects.get()
    assert task.task_path == "bedring.messaging.tasks.send_message"
    assert task.run_after == message.send_after
    assert task.args_kwargs == {"args": [message.pk], "kwargs": {}}

    # When the worker runs before then, nothing is sent
    run_worker_until_the_queue_is_empty(monkeypatch)
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert providers.sms_outbox == []

    # When it runs after 16:00, the task sends it
    frozen_clock.move_to(message.send_after + datetime.timedelta(seconds=30))
    run_worker_until_the_queue_is_empty(monkeypatch)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(providers.sms_outbox) == 1
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert task.return_value == "sent"


@override_settings(SMS_PROVIDER=DOWN)
def test_a_reminder_being_retried_follows_a_new_channel_when_it_goes(
    dk_client, counsellor, agree, remind
):
    """A change of preferences after the send time leaves the queued reminder to the send
    step, which reads them again: it goes by the new channel, not cancelled as "too late"."""
    agree(dk_client, "sms")
    message = remind(dk_client)
    message = services.message_send(message_id=message.pk, at=message.send_after)
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)
    services.contact_preferences_save(
        client=dk_client,
        actor=counsellor,
        at=message.send_after + datetime.timedelta(minutes=2),
        phone=dk_client.phone,
        email="kim.holm@example.org",
        reminder_consent=True,
        reminder_channel="email",
        reminder_label="neutral",
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    message = services.message_send(message_id=message.pk, at=message.next_attempt_at)
    assert (message.status, message.channel) == (MessageStatus.SENT, "email")
    assert mail.outbox[0].to == ["kim.holm@example.org"]
