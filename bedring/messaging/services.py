"""Writes of the outbox (APT-3). Keyword-only, typed, atomic.

The public interface other packages call (appointments), with exactly these names:

- :func:`schedule_appointment_reminder`: queue (or replace) the reminder of an appointment.
- :func:`cancel_messages`: cancel what is queued (or failed) about a reference.

A queued message always has a task (django-tasks, the database backend) due when the message
is: the task is written in the same transaction as the message, and the worker
(``manage.py db_worker``) runs it then. ``manage.py send_due_messages`` sends whatever is due
whatever happened to the tasks (cron, recovery).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation, Site, User
from bedring.clients import services as client_services
from bedring.clients.models import Client, ReminderChannel, ReminderLabel
from bedring.clients.phones import check_sms_number, e164
from bedring.core import clock
from bedring.core.errors import Conflict, ValidationFailed

from .models import Message, MessageKind, MessageStatus, ReminderSettings
from .providers import SendError, Sms, send_email, sms_provider
from .rules import ReminderRulesIn
from .texts import reminder_text, revealing_names, safe_place

MAX_REFERENCE_LENGTH = 100
# While a worker sends a message it is not due for anyone else; if the worker dies, the
# message is due again when the lease ends (and a task is waiting for that moment).
SEND_LEASE = datetime.timedelta(minutes=10)
SWEEP_LIMIT = 500


@dataclass(frozen=True)
class _Plan:
    channel: str
    recipient: str
    sender: str
    subject: str
    text: str
    language: str


def reminder_settings(organisation: Organisation) -> ReminderSettings | None:
    return ReminderSettings.objects.filter(organisation=organisation).first()


def _plan(
    client: Client,
    organisation: Organisation,
    rules: ReminderSettings,
    *,
    starts_at: datetime.datetime,
    place: str,
) -> _Plan | None:
    """What the client agreed to receive about an appointment, or None when the client did
    not agree, chose no channel, or has no contact on it."""
    if not client.reminder_consent or client.archived_at is not None:
        return None
    if client.reminder_channel == ReminderChannel.SMS:
        if not client.phone:
            return None
        try:
            check_sms_number(client.phone, organisation.jurisdiction)
        except ValidationFailed:
            return None  # stored before the check: an SMS cannot reach it
        recipient = client.phone
    elif client.reminder_channel == ReminderChannel.EMAIL:
        if not client.email:
            return None
        recipient = client.email
    else:
        return None
    neutral = client.reminder_label != ReminderLabel.SERVICE
    sites = Site.objects.filter(organisation=organisation).values_list("name", flat=True)
    revealing = revealing_names([organisation.name, rules.service_label, *sites])
    language = client.language or organisation.language
    words = reminder_text(
        sender=rules.label_for(client.reminder_label),
        starts_at=starts_at,
        zone=clock.zone(organisation),
        place=safe_place(place, neutral=neutral, revealing=revealing),
        language=language,
        email=client.reminder_channel == ReminderChannel.EMAIL,
    )
    return _Plan(
        channel=client.reminder_channel,
        recipient=recipient,
        sender=rules.label_for(client.reminder_label),
        subject=words.subject,
        text=words.text,
        language=language,
    )


def _check_moment(value: datetime.datetime, field: str) -> None:
    if timezone.is_naive(value):
        raise ValidationFailed(
            "naive_datetime", _("Give the time with its time zone."), field=field
        )


def _enqueue(message: Message) -> None:
    """A task due when the message is (same transaction with the database backend)."""
    from django_tasks import task_backends

    from .tasks import send_message

    if not task_backends[send_message.backend].supports_defer:
        return  # a backend that cannot wait (immediate): send_due_messages sends it
    send_message.using(run_after=message.next_attempt_at).enqueue(message.pk)


def _close(messages: list[Message], *, at: datetime.datetime, reason: str) -> int:
    for message in messages:
        message.status = MessageStatus.CANCELLED
        message.cancelled_at = at
        if reason:
            message.last_error = reason[:500]
        message.save(update_fields=["status", "cancelled_at", "last_error", "updated_at"])
    return len(messages)


def _open_about(reference: str) -> list[Message]:
    """The queued and failed messages about ``reference``, locked."""
    return list(
        Message.objects.select_for_update(of=("self",)).filter(
            reference=reference, status__in=[MessageStatus.QUEUED, MessageStatus.FAILED]
        )
    )


@transaction.atomic
def schedule_appointment_reminder(
    *,
    client: Client,
    organisation: Organisation,
    starts_at: datetime.datetime,
    place: str,
    reference: str,
    at: datetime.datetime,
) -> Message | None:
    """APT-3: queue the reminder of an appointment at ``starts_at`` in ``place`` (a street
    address: never a service or site name), sent by the organisation's rule (e.g. the day
    before at 16:00 local time) on the channel the client chose.

    None, and nothing written, when the client has not agreed to reminders, chose no channel
    or has no number/address for it, or the organisation has no reminder rules. A queued (or
    failed) reminder with the same ``reference`` is replaced; scheduling the same reminder
    again changes nothing. When the send time has passed (an appointment booked after it),
    nothing is queued and an earlier reminder of the reference is cancelled: it named another
    time.
    """
    reference = reference.strip()
    if not reference or len(reference) > MAX_REFERENCE_LENGTH:
        raise ValidationFailed(
            "reference_invalid",
            _("The message must say what it is about: a reference of 1 to 100 characters."),
            field="reference",
        )
    _check_moment(starts_at, "starts_at")
    _check_moment(at, "at")
    if client.organisation_id != organisation.pk:
        raise ValidationFailed(
            "wrong_organisation", _("This client belongs to another organisation.")
        )
    # The preferences as they are now; two bookings of one client wait for each other.
    client = Client.objects.select_for_update(of=("self",)).get(pk=client.pk)
    rules = reminder_settings(organisation)
    plan = (
        _plan(client, organisation, rules, starts_at=starts_at, place=place)
        if rules is not None
        else None
    )
    if plan is None or rules is None:
        return None
    send_after = rules.send_time(starts_at, clock.zone(organisation))
    previous = _open_about(reference)
    if send_after <= at or send_after >= starts_at:
        _close(previous, at=at, reason="")
        return None
    for message in previous:
        if (
            message.status == MessageStatus.QUEUED
            and message.client_id == client.pk
            and message.send_after == send_after
            and message.event_at == starts_at
            and message.place == place
            and (message.channel, message.recipient, message.text)
            == (plan.channel, plan.recipient, plan.text)
        ):
            return message  # the same reminder: nothing to replace
    _close(previous, at=at, reason="")
    message = Message.objects.create(
        organisation=organisation,
        client=client,
        kind=MessageKind.APPOINTMENT_REMINDER,
        channel=plan.channel,
        recipient=plan.recipient,
        sender=plan.sender,
        subject=plan.subject,
        text=plan.text,
        language=plan.language,
        reference=reference,
        event_at=starts_at,
        place=place,
        send_after=send_after,
        next_attempt_at=send_after,
    )
    _enqueue(message)
    return message


@transaction.atomic
def cancel_messages(*, reference: str, at: datetime.datetime) -> int:
    """Cancel the queued (and failed) messages about ``reference`` (an appointment cancelled
    or moved elsewhere); answer how many. Sent messages stay as they are."""
    return _close(_open_about(reference.strip()), at=at, reason="")


@transaction.atomic
def contact_preferences_save(
    *,
    client: Client,
    actor: User,
    at: datetime.datetime,
    phone: str,
    email: str,
    reminder_consent: bool,
    reminder_channel: str,
    reminder_label: str,
) -> Client:
    """APT-3: the client's contact details and reminder preferences (checked and stored by
    clients.services.client_contact_set), then every queued reminder of the client made again
    for them: withdrawn consent cancels them, a new number or channel re-addresses them."""
    client = client_services.client_contact_set(
        client=client,
        actor=actor,
        at=at,
        phone=phone,
        email=email,
        reminder_consent=reminder_consent,
        reminder_channel=reminder_channel,
        reminder_label=reminder_label,
    )
    queued = Message.objects.filter(
        client=client, status=MessageStatus.QUEUED, kind=MessageKind.APPOINTMENT_REMINDER
    ).select_related("organisation")
    for message in list(queued):
        if not client.reminder_consent:
            _close([message], at=at, reason="")
            continue
        if message.event_at is None or message.send_after <= at:
            continue  # due or being retried: the send step reads the preferences again
        again = schedule_appointment_reminder(
            client=client,
            organisation=message.organisation,
            starts_at=message.event_at,
            place=message.place,
            reference=message.reference,
            at=at,
        )
        if again is None:
            _close(_open_about(message.reference), at=at, reason="")
    return client


@transaction.atomic
def message_retry(*, message: Message, at: datetime.datetime) -> Message:
    """A failed message tried again from now, with all its attempts (staff, after fixing the
    number or when the provider is back)."""
    message = Message.objects.select_for_update(of=("self",)).get(pk=message.pk)
    if message.status != MessageStatus.FAILED:
        raise Conflict("message_not_failed", _("Only a failed message can be tried again."))
    if message.event_at is not None and at >= message.event_at:
        raise Conflict(
            "message_too_late",
            _("The appointment has begun: a reminder of it is no use now."),
        )
    if Message.objects.filter(reference=message.reference, status=MessageStatus.QUEUED).exists():
        raise Conflict(
            "message_superseded",
            _("A newer message about the same appointment is queued."),
        )
    message.status = MessageStatus.QUEUED
    message.attempts = 0
    message.next_attempt_at = at
    message.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    _enqueue(message)
    return message


def _retry_delay(attempts: int) -> datetime.timedelta:
    """5, 10, 20, 40 … minutes after the first, second, third … failed attempt."""
    return datetime.timedelta(seconds=settings.MESSAGE_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


def _deliver(message: Message) -> str:
    if message.channel == ReminderChannel.SMS:
        return sms_provider().send(
            Sms(
                to=e164(message.recipient, message.organisation.jurisdiction),
                text=message.text,
                reference=str(message.uuid),
            )
        )
    return send_email(
        to=message.recipient,
        sender_name=message.sender,
        subject=message.subject,
        body=message.text,
        reference=str(message.uuid),
    )


@transaction.atomic
def _claim(message_id: int, at: datetime.datetime) -> Message | None:
    """Take a due message for sending: its text made again from the client's preferences as
    they are now, one more attempt counted, and a lease so no one else sends it meanwhile.
    None when there is nothing to send (gone, not queued, not due, cancelled here)."""
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("organisation", "client")
        .filter(pk=message_id)
        .first()
    )
    if message is None or message.status != MessageStatus.QUEUED or message.next_attempt_at > at:
        return None
    if message.event_at is not None and at >= message.event_at:
        message.status = MessageStatus.FAILED
        message.last_error = "The appointment had begun before the reminder could be sent."
        message.save(update_fields=["status", "last_error", "updated_at"])
        return None
    rules = reminder_settings(message.organisation)
    if message.event_at is not None and rules is not None:
        plan = _plan(
            message.client,
            message.organisation,
            rules,
            starts_at=message.event_at,
            place=message.place,
        )
        if plan is None:
            _close([message], at=at, reason="The client no longer agrees to reminders.")
            return None
        message.channel, message.recipient, message.sender = (
            plan.channel,
            plan.recipient,
            plan.sender,
        )
        message.subject, message.text, message.language = plan.subject, plan.text, plan.language
    message.attempts += 1
    message.next_attempt_at = at + SEND_LEASE
    message.save()
    _enqueue(message)  # the lease's end: if this worker dies, the message is sent then
    return message


def message_send(*, message_id: int, at: datetime.datetime) -> Message | None:
    """The worker's step: send one message if it is queued and due. Success marks it sent;
    a failure is tried again later (doubling delays) until ``MESSAGE_MAX_ATTEMPTS``, or at
    once marked failed when retrying cannot help. The sending itself happens outside any
    transaction, so a slow provider holds no database lock."""
    message = _claim(message_id, at)
    if message is None:
        return Message.objects.filter(pk=message_id).first()
    failure: SendError | None = None
    provider_id = ""
    try:
        provider_id = _deliver(message)
    except SendError as exc:
        failure = exc
    with transaction.atomic():
        message = Message.objects.select_for_update(of=("self",)).get(pk=message_id)
        if failure is None:
            # Sent, even if someone cancelled it meanwhile: the outbox says what happened.
            message.status = MessageStatus.SENT
            message.sent_at = at
            message.provider_id = provider_id[:200]
            message.last_error = ""
        else:
            message.last_error = failure.reason[:500]
            if message.status == MessageStatus.QUEUED:
                if failure.permanent or message.attempts >= settings.MESSAGE_MAX_ATTEMPTS:
                    message.status = MessageStatus.FAILED
                else:
                    message.next_attempt_at = at + _retry_delay(message.attempts)
                    _enqueue(message)
        message.save()
    return message


def send_due_messages(*, at: datetime.datetime, limit: int = SWEEP_LIMIT) -> int:
    """Send every queued message that is due (oldest first, at most ``limit``); answer how
    many were sent. For cron and recovery; the tasks do the same one message at a time."""
    due = list(
        Message.objects.filter(status=MessageStatus.QUEUED, next_attempt_at__lte=at)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for message_id in due:
        message = message_send(message_id=message_id, at=at)
        sent += message is not None and message.status == MessageStatus.SENT
    return sent


@transaction.atomic
def reminder_settings_load(
    *, organisation: Organisation, rules: ReminderRulesIn | None
) -> ReminderSettings | None:
    """The reminder rules of an organisation's service pack; a pack without them removes
    them (and the organisation sends no reminders)."""
    if rules is None:
        ReminderSettings.objects.filter(organisation=organisation).delete()
        return None
    stored, _created = ReminderSettings.objects.update_or_create(
        organisation=organisation,
        defaults={
            "days_before": rules.timing.days_before,
            "send_at": rules.timing.at,
            "timing_source": rules.timing.source,
            "neutral_label": rules.labels.neutral,
            "service_label": rules.labels.service,
            "labels_source": rules.labels.source,
        },
    )
    return stored
