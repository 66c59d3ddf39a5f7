"""APT-3 through bedring.messaging: booking an appointment queues its reminder (when the
client agreed and the organisation sends them), moving it replaces the reminder, cancelling
it cancels the reminder; the reminder names the site's street address (none for a home visit
or a phone call) and never the service, the kind or the client's health."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bedring.appointments import services
from bedring.appointments.services import reminder_reference
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.errors import DomainError
from bedring.core.roles import Role
from bedring.messaging import services as messaging
from bedring.messaging.models import Message, MessageStatus
from tests.messaging.conftest import forbidden_in

from .conftest import local, main_site, open_day


@pytest.fixture
def agreed(counsellor) -> Callable[..., Client]:
    def agree(client: Client, channel: str = "sms") -> Client:
        return messaging.contact_preferences_save(
            client=client,
            actor=counsellor,
            at=clock.now(),
            phone=client.phone,
            email="client@example.org",
            reminder_consent=True,
            reminder_channel=channel,
            reminder_label="neutral",
        )

    return agree


def reminders(appointment: Any) -> Any:
    return Message.objects.filter(reference=reminder_reference(appointment))


def test_booking_queues_the_reminder_moving_replaces_it_cancelling_cancels_it(
    book, dk_client, counsellor, org_dk, agreed, make_staff
):
    client = agreed(dk_client)
    site = main_site(org_dk)
    day = open_day(site, after=3)
    psychologist = make_staff(org_dk, Role.PSYCHOLOGIST)
    appointment = book(client, local(org_dk, day, 10), kind="psychologist", staff=psychologist)
    [queued] = reminders(appointment)
    assert queued.status == MessageStatus.QUEUED
    assert queued.event_at == local(org_dk, day, 10)
    assert queued.place == site.address
    assert queued.client == client
    assert forbidden_in(queued.text) == []
    later = open_day(site, after=(day - clock.today(org_dk)).days + 1)
    services.appointment_move(
        appointment=appointment,
        actor=counsellor,
        starts_at=local(org_dk, later, 11),
        minutes=45,
        keep_room=True,
    )
    statuses = dict(reminders(appointment).values_list("event_at", "status"))
    assert statuses == {
        local(org_dk, day, 10): MessageStatus.CANCELLED,
        local(org_dk, later, 11): MessageStatus.QUEUED,
    }
    services.appointment_cancel(
        appointment=appointment,
        actor=counsellor,
        cancelled_by="client",
        with_notice=True,
        reason="Ill.",
    )
    assert set(reminders(appointment).values_list("status", flat=True)) == {MessageStatus.CANCELLED}


@pytest.mark.parametrize("kind", ["home_visit", "phone"])
def test_a_home_visit_or_a_phone_call_names_no_place(book, dk_client, org_dk, agreed, kind):
    client = agreed(dk_client)
    appointment = book(client, local(org_dk, open_day(main_site(org_dk), after=3), 10), kind=kind)
    [queued] = reminders(appointment)
    assert queued.place == ""


def test_no_reminder_without_the_clients_consent(book, dk_client, org_dk):
    appointment = book(dk_client, local(org_dk, open_day(main_site(org_dk), after=3), 10))
    assert not reminders(appointment).exists()


def test_a_refused_booking_queues_nothing(book, make_client, dk_client, org_dk, agreed):
    client = agreed(dk_client)
    day = open_day(main_site(org_dk), after=3)
    book(make_client(org_dk), local(org_dk, day, 10))
    before = Message.objects.count()
    with pytest.raises(DomainError) as caught:
        book(client, local(org_dk, day, 10))
    assert caught.value.code == "staff_double_booked"
    assert Message.objects.count() == before
