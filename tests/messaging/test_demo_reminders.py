"""APT-3 in the demo: a few clients of every organisation agree to reminders by SMS or
e-mail (synthetic numbers, addresses at example.org), so booking them an appointment puts a
reminder in the outbox."""

from __future__ import annotations

from bedring.accounts.models import Organisation
from bedring.clients.models import Client
from bedring.demo.demo_data import load_demo
from bedring.demo.messaging import DEMO_REMINDER_CLIENTS
from bedring.messaging.models import Message

from .conftest import local


def test_demo_clients_agree_to_reminders_and_get_one_when_booked(empty_installation, remind):
    load_demo(clients_per_organisation=DEMO_REMINDER_CLIENTS + 1)
    for organisation in Organisation.objects.all():
        agreed = Client.objects.filter(organisation=organisation, reminder_consent=True)
        assert agreed.count() == DEMO_REMINDER_CLIENTS
        assert {c.reminder_channel for c in agreed} == {"sms", "email"}
        assert all(c.email.endswith("@example.org") for c in agreed)
        assert all(c.reminder_consent_by is not None for c in agreed)
        said_no = Client.objects.get(organisation=organisation, reminder_consent=False)
        assert said_no.reminder_consent_at is not None
    client = Client.objects.filter(reminder_consent=True).order_by("id").first()
    message = remind(client, at=local(client.organisation, 0, 10))
    assert message is not None
    assert Message.objects.get(reference=message.reference) == message
    # The demo's own appointments (bedring.demo.appointments) queued reminders too.
    assert (
        Message.objects.filter(reference__startswith="appointment:").exclude(pk=message.pk).exists()
    )
    # a second load changes nothing
    load_demo(clients_per_organisation=DEMO_REMINDER_CLIENTS + 1)
    organisations = Organisation.objects.count()
    total = Client.objects.filter(reminder_consent=True).count()
    assert total == organisations * DEMO_REMINDER_CLIENTS
