"""Reminders and the outbox in /api/v1/ (APT-3): the same services, rules and error codes as
the pages.

- ``GET|PUT /clients/{client_id}/contact-preferences``: the client's mobile number, e-mail,
  consent to reminders (with when and by whom it was recorded), channel and name. A PUT
  replaces them all; a refusal is 422 with the service's code (``phone_length``,
  ``phone_not_mobile``, ``email_invalid``, ``reminder_channel_required``,
  ``phone_required_for_sms``, ``email_required_for_email`` …) and writes nothing.
- ``GET /outbox?organisation=&status=failed|queued&offset=&limit=``: an organisation's failed
  or queued messages, a page at a time; each client listed is in the access log.
- ``POST /messages/{message_id}/retry``: a failed message tried again (409
  ``message_not_failed``, ``message_too_late``, ``message_superseded``).

Another organisation's client, message or organisation is 404.
"""

from __future__ import annotations

import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from bedring.accounts.access import Staff, memberships_where
from bedring.audit.services import access_search_results
from bedring.clients.access import client_for
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.paging import api_page
from bedring.core.roles import Perm

from . import selectors, services
from .access import message_for
from .models import Message

router = Router(tags=["messaging"])


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


class LabelsOut(Schema):
    neutral: str
    service: str


class ContactPreferencesIn(Schema):
    phone: str = Field("", max_length=100, description="As typed; stored in international format")
    email: str = Field("", max_length=400)
    reminder_consent: bool
    reminder_channel: Literal["", "sms", "email"] = ""
    reminder_label: Literal["neutral", "service"] = "neutral"


class ContactPreferencesOut(Schema):
    phone: str
    email: str
    reminder_consent: bool
    reminder_consent_at: datetime.datetime | None
    reminder_consent_by: str | None
    reminder_channel: str
    reminder_label: str
    labels: LabelsOut | None = Field(
        description="The names the organisation's reminders are signed with; null: it sends none"
    )
    failed_messages: int


def _preferences_out(client: Client) -> ContactPreferencesOut:
    rules = services.reminder_settings(client.organisation)
    by = client.reminder_consent_by
    return ContactPreferencesOut(
        phone=client.phone,
        email=client.email,
        reminder_consent=client.reminder_consent,
        reminder_consent_at=client.reminder_consent_at,
        reminder_consent_by=by.username if by is not None else None,
        reminder_channel=client.reminder_channel,
        reminder_label=client.reminder_label,
        labels=(
            LabelsOut(neutral=rules.neutral_label, service=rules.service_label)
            if rules is not None
            else None
        ),
        failed_messages=selectors.client_failed_count(client),
    )


@router.get("/clients/{client_id}/contact-preferences", response=ContactPreferencesOut)
def contact_preferences_get(request: HttpRequest, client_id: UUID) -> ContactPreferencesOut:
    client = client_for(
        request, _staff(request), client_id, view="api_contact_preferences", channel="api"
    )
    return _preferences_out(client)


@router.put("/clients/{client_id}/contact-preferences", response=ContactPreferencesOut)
def contact_preferences_put(
    request: HttpRequest, client_id: UUID, payload: ContactPreferencesIn
) -> ContactPreferencesOut:
    staff = _staff(request)
    client = client_for(
        request,
        staff,
        client_id,
        view="api_contact_preferences_update",
        perm=Perm.CLIENT_WRITE,
        channel="api",
    )
    client = services.contact_preferences_save(
        client=client, actor=staff.user, at=clock.now(), **payload.model_dump()
    )
    return _preferences_out(client)


class MessageOut(Schema):
    id: UUID
    organisation: UUID
    client: UUID
    client_name: str
    kind: str
    channel: str
    recipient: str
    subject: str
    text: str
    reference: str
    status: str
    send_after: datetime.datetime
    next_attempt_at: datetime.datetime
    attempts: int
    last_error: str
    sent_at: datetime.datetime | None
    provider_id: str


class MessagePage(Schema):
    count: int
    results: list[MessageOut]


def _message_out(message: Message) -> MessageOut:
    return MessageOut(
        id=message.uuid,
        organisation=message.client.organisation.uuid,
        client=message.client.uuid,
        client_name=message.client.display_name,
        kind=message.kind,
        channel=message.channel,
        recipient=message.recipient,
        subject=message.subject,
        text=message.text,
        reference=message.reference,
        status=message.status,
        send_after=message.send_after,
        next_attempt_at=message.next_attempt_at,
        attempts=message.attempts,
        last_error=message.last_error,
        sent_at=message.sent_at,
        provider_id=message.provider_id,
    )


@router.get("/outbox", response=MessagePage)
def outbox_list(
    request: HttpRequest,
    organisation: UUID | None = None,
    status: Literal["failed", "queued"] = "failed",
    offset: int = 0,
    limit: int = 50,
) -> MessagePage:
    """The failed (latest first) or queued (next first) messages of an organisation: the one
    named, else the first (by name) of the caller's organisations."""
    staff = _staff(request)
    readable = memberships_where(staff, Perm.CLIENT_READ)
    if organisation is not None:
        readable = [m for m in readable if m.organisation.uuid == organisation]
        if not readable:
            if any(m.organisation.uuid == organisation for m in staff.memberships.values()):
                raise PermissionDenied
            raise Http404
    if not readable:
        raise PermissionDenied
    org = min((m.organisation for m in readable), key=lambda o: o.name)
    count, rows = api_page(selectors.outbox(organisation_id=org.pk, status=status), offset, limit)
    access_search_results(
        actor=staff.user,
        clients=[m.client for m in rows],
        view="api_outbox",
        channel="api",
        request=request,
    )
    return MessagePage(count=count, results=[_message_out(m) for m in rows])


@router.post("/messages/{message_id}/retry", response=MessageOut)
def message_retry(request: HttpRequest, message_id: UUID) -> MessageOut:
    message = message_for(
        request,
        _staff(request),
        message_id,
        view="api_message_retry",
        perm=Perm.CLIENT_WRITE,
        channel="api",
    )
    return _message_out(services.message_retry(message=message, at=clock.now()))
