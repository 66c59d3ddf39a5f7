"""APT-3: a reminder is queued only with the client's consent, on the chosen channel, at the
organisation's time, signed with the name the client agreed to and saying nothing about
health; scheduling again replaces, cancelling cancels."""

from __future__ import annotations

import datetime

import pytest

from bedring.core.errors import ValidationFailed
from bedring.messaging import services
from bedring.messaging.models import Message, MessageStatus, ReminderSettings

from .conftest import forbidden_in, forbidden_names, local, task_backend


def test_without_consent_nothing_is_queued(dk_client, remind):
    # Given a client who has not agreed to reminders (the default)
    assert not dk_client.reminder_consent

    # When an appointment is booked
    result = remind(dk_client)

    # Then nothing is queued, and nothing is written
    assert result is None
    assert not Message.objects.exists()
    assert task_backend().results == []


def test_a_client_who_said_no_gets_nothing_even_with_a_channel(dk_client, counsellor, remind):
    services.contact_preferences_save(
        client=dk_client,
        actor=counsellor,
        at=local(dk_client.organisation, 0, 10),
        phone=dk_client.phone,
        email="",
        reminder_consent=False,
        reminder_channel="sms",
        reminder_label="neutral",
    )
    assert remind(dk_client) is None
    assert not Message.objects.exists()


def test_consent_and_sms_queue_one_message_the_day_before_at_four(dk_client, agree, remind):
    """The Sønderborg pack: the day before, 16:00 Danish time."""
    # Given a client who agreed to SMS reminders
    agree(dk_client, "sms")

    # When an appointment two days after today at 09:00 is booked
    message = remind(dk_client, days=2, hour=9)

    # Then one message is queued for the day before at 16:00 local time, to the mobile number
    assert message is not None
    assert Message.objects.count() == 1
    org = dk_client.organisation
    assert message.send_after == local(org, 1, 16)
    assert message.next_attempt_at == message.send_after
    assert (message.channel, message.status, message.attempts) == ("sms", "queued", 0)
    assert message.recipient == dk_client.phone
    assert message.reference == "appointment:1"
    # ... and a task of the task runner waits for that moment
    [task] = task_backend().results
    assert task.task.name == "send_message"
    assert list(task.args) == [message.pk]
    assert task.task.run_after == message.send_after


def test_the_time_follows_the_organisations_pack(org_no, make_client, agree, remind):
    """Sandnes sends at 16:00 Norwegian time: the same wall-clock rule in another zone."""
    client = make_client(org_no)
    agree(client, "sms")
    message = remind(client, days=3, hour=13)
    assert message.send_after == local(org_no, 2, 16)
    assert message.send_after.utcoffset() is not None


def test_the_neutral_text_names_no_service_and_no_health_word(dk_client, agree, remind):
    # Given a client who chose the neutral name
    agree(dk_client, "sms", "neutral")

    # When a reminder is queued
    message = remind(dk_client)

    # Then it is signed with the municipality's name, has the time and the street address,
    # and none of the packs' organisation, site, service or offer names nor a health word
    assert forbidden_names()  # the list is read from the packs
    assert forbidden_in(message.text) == []
    assert message.text.startswith("Sønderborg Kommune:")
    assert "Kongevej 19, 6400 Sønderborg" in message.text
    assert "09.00" in message.text or "09:00" in message.text


def test_the_service_name_only_when_the_client_agreed_to_it(dk_client, agree, remind):
    agree(dk_client, "sms", "service")
    message = remind(dk_client)
    assert message.text.startswith("Sønderborg Misbrugscenter:")
    assert message.sender == "Sønderborg Misbrugscenter"


def test_a_place_that_names_the_service_is_left_out_of_a_neutral_reminder(dk_client, agree, remind):
    """The caller gives the site's name by mistake: the neutral text leaves the place out."""
    agree(dk_client, "sms", "neutral")
    message = remind(dk_client, place="Sønderborg Misbrugscenter, Kongevej 19")
    assert forbidden_in(message.text) == []
    assert "Kongevej" not in message.text
    assert message.place == "Sønderborg Misbrugscenter, Kongevej 19"  # kept, for the record


def test_the_text_is_in_the_clients_language_else_the_organisations(
    dk_client, make_client, org_dk, agree, remind
):
    # A client without a language gets the organisation's (Danish day and month names)
    agree(dk_client, "sms")
    danish = remind(dk_client, days=2, reference="appointment:da")
    day = (local(org_dk, 2, 9)).date()
    danish_days = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]
    assert danish.language == "da"
    assert danish_days[day.weekday()] in danish.text
    # A client who reads Dutch gets Dutch ones
    dutch_client = make_client(org_dk, language="nl")
    agree(dutch_client, "sms")
    dutch = remind(dutch_client, days=2, reference="appointment:nl")
    dutch_days = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
    assert dutch.language == "nl"
    assert dutch_days[day.weekday()] in dutch.text


def test_rescheduling_replaces_the_queued_reminder(dk_client, agree, remind):
    # Given a queued reminder
    agree(dk_client, "sms")
    first = remind(dk_client, days=2, hour=9)

    # When the appointment is moved to a day later
    second = remind(dk_client, days=3, hour=11)

    # Then the first is cancelled and one reminder is queued, for the new time
    first.refresh_from_db()
    assert first.status == MessageStatus.CANCELLED
    assert first.cancelled_at is not None
    queued = Message.objects.filter(status=MessageStatus.QUEUED)
    assert list(queued) == [second]
    assert second.send_after == local(dk_client.organisation, 2, 16)


def test_scheduling_the_same_reminder_again_changes_nothing(dk_client, agree, remind):
    agree(dk_client, "sms")
    first = remind(dk_client)
    again = remind(dk_client)
    assert again == first
    assert Message.objects.count() == 1


def test_cancel_cancels_the_queued_reminder_and_answers_how_many(dk_client, agree, remind):
    agree(dk_client, "sms")
    message = remind(dk_client, reference="appointment:x")
    remind(dk_client, reference="appointment:other")
    count = services.cancel_messages(
        reference="appointment:x", at=local(dk_client.organisation, 0, 11)
    )
    assert count == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED
    assert Message.objects.filter(status=MessageStatus.QUEUED).count() == 1
    assert services.cancel_messages(reference="appointment:x", at=message.cancelled_at) == 0


def test_nothing_is_queued_when_the_send_time_has_passed(dk_client, agree, remind):
    """Booked at 17:00 for tomorrow morning: the 16:00 reminder time is gone."""
    agree(dk_client, "sms")
    org = dk_client.organisation
    earlier = remind(dk_client, days=3)  # queued for a later time ...
    late = remind(dk_client, days=1, hour=9, at=local(org, 0, 17))  # ... moved to tomorrow
    assert late is None
    earlier.refresh_from_db()
    assert earlier.status == MessageStatus.CANCELLED  # it named the old time
    assert not Message.objects.filter(status=MessageStatus.QUEUED).exists()


def test_an_appointment_today_gets_no_reminder(dk_client, agree, remind):
    agree(dk_client, "sms")
    assert remind(dk_client, days=0, hour=15) is None


def test_an_organisation_without_reminder_rules_sends_none(dk_client, agree, remind):
    agree(dk_client, "sms")
    ReminderSettings.objects.filter(organisation=dk_client.organisation).delete()
    assert remind(dk_client) is None
    assert not Message.objects.exists()


def test_a_client_of_another_organisation_is_refused(dk_client, org_no, agree):
    agree(dk_client, "sms")
    with pytest.raises(ValidationFailed) as refused:
        services.schedule_appointment_reminder(
            client=dk_client,
            organisation=org_no,
            starts_at=local(org_no, 2, 9),
            place="",
            reference="appointment:1",
            at=local(org_no, 0, 10),
        )
    assert refused.value.code == "wrong_organisation"
    assert not Message.objects.exists()


def test_a_moment_without_a_time_zone_and_an_empty_reference_are_refused(dk_client, agree):
    agree(dk_client, "sms")
    org = dk_client.organisation
    naive = datetime.datetime.combine(local(org, 2, 9).date(), datetime.time(9))
    with pytest.raises(ValidationFailed) as refused:
        services.schedule_appointment_reminder(
            client=dk_client,
            organisation=org,
            starts_at=naive,
            place="",
            reference="appointment:1",
            at=local(org, 0, 10),
        )
    assert refused.value.code == "naive_datetime"
    with pytest.raises(ValidationFailed) as empty:
        services.schedule_appointment_reminder(
            client=dk_client,
            organisation=org,
            starts_at=local(org, 2, 9),
            place="",
            reference=" ",
            at=local(org, 0, 10),
        )
    assert empty.value.code == "reference_invalid"
    assert not Message.objects.exists()


def test_an_e_mail_reminder_has_a_neutral_subject(dk_client, agree, remind):
    agree(dk_client, "email", email="kim.holm@example.org")
    message = remind(dk_client)
    assert (message.channel, message.recipient) == ("email", "kim.holm@example.org")
    assert message.subject
    assert forbidden_in(message.subject) == []
    assert forbidden_in(message.text) == []
