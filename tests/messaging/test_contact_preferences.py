"""APT-3: the client's mobile number, e-mail and reminder preferences on the client's page and
in the API: validated with specific errors and no partial write, consent recorded with when
and by whom, queued reminders following the change; another organisation's client is 404."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from bedring.audit.models import AccessEvent
from bedring.clients import services as client_services
from bedring.clients.models import Client
from bedring.core.errors import ValidationFailed
from bedring.core.roles import Role
from bedring.messaging import services
from bedring.messaging.models import Message, MessageStatus
from tests.conftest import api_headers, login

from .conftest import local


def page(client: Client) -> str:
    return f"/messaging/clients/{client.uuid}/"


def api(client: Client) -> str:
    return f"/api/v1/clients/{client.uuid}/contact-preferences"


def form_data(**changes: str) -> dict[str, str]:
    data = {
        "phone": "+45 20 00 01 23",
        "email": "kim.holm@example.org",
        "reminder_consent": "yes",
        "reminder_channel": "sms",
        "reminder_label": "neutral",
    }
    data.update(changes)
    return data


def field_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


# --- the page ---------------------------------------------------------------------------------


def test_the_page_records_consent_with_when_and_by_whom(client, counsellor, dk_client):
    # Given a counsellor on the client's reminder page, which shows both names to choose from
    login(client, counsellor)
    shown = client.get(page(dk_client))
    assert shown.status_code == 200
    assert "Sønderborg Kommune" in shown.content.decode()
    assert "Sønderborg Misbrugscenter" in shown.content.decode()

    # When the client's agreement to SMS reminders under the neutral name is saved
    response = client.post(page(dk_client), form_data())

    # Then it is stored, with the moment and the counsellor, and the change is in the change log
    assert response.status_code == 302
    dk_client.refresh_from_db()
    assert dk_client.phone == "+45 20 00 01 23"
    assert (dk_client.reminder_consent, dk_client.reminder_channel) == (True, "sms")
    assert dk_client.reminder_label == "neutral"
    assert dk_client.reminder_consent_by == counsellor
    assert dk_client.reminder_consent_at is not None
    entry = LogEntry.objects.get_for_object(dk_client).latest("timestamp")
    assert entry.changes_dict["reminder_consent"] == [False, True]
    assert entry.actor == counsellor
    # ... the page says what happens next, and the overview shows it
    followed = client.get(response["Location"])
    assert "Reminders of appointments go by SMS" in followed.content.decode()
    overview = client.get(f"/clients/{dk_client.uuid}/")
    assert "Yes, by SMS" in overview.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phone": "+45 12"}, "phone", "too few or too many digits"),
        ({"phone": "call me"}, "phone", "only digits, spaces"),
        ({"phone": "٢٠٠٠٠١٢٣"}, "phone", "digits 0-9"),
        ({"phone": "80 20 30 40"}, "phone", "landline or service number"),
        ({"phone": ""}, "phone", "need the client's mobile number"),
        ({"email": "not-an-address"}, "email", "not an e-mail address"),
        ({"reminder_channel": ""}, "reminder_channel", "SMS or by e-mail"),
        (
            {"reminder_channel": "email", "email": ""},
            "email",
            "need the client's e-mail address",
        ),
    ],
)
def test_a_refused_form_says_why_and_writes_nothing(
    client, counsellor, dk_client, changes, field, message
):
    login(client, counsellor)
    before = Client.objects.values().get(pk=dk_client.pk)
    response = client.post(page(dk_client), form_data(**changes))
    assert response.status_code == 422
    assert any(message in error for error in field_errors(response, field)), response.context[
        "form"
    ].errors
    assert Client.objects.values().get(pk=dk_client.pk) == before


def test_an_outsider_gets_404_and_a_drop_in_worker_403(client, outsider, dk_client, make_staff):
    login(client, outsider)
    assert client.get(page(dk_client)).status_code == 404
    assert client.post(page(dk_client), form_data()).status_code == 404
    login(client, make_staff(dk_client.organisation, Role.DROPIN_WORKER))
    assert client.get(page(dk_client)).status_code == 403
    dk_client.refresh_from_db()
    assert not dk_client.reminder_consent


def test_the_page_read_is_in_the_access_log(client, counsellor, dk_client):
    login(client, counsellor)
    client.get(page(dk_client))
    assert AccessEvent.objects.filter(client=dk_client, view="messaging_client").exists()


def test_the_overview_shows_the_reminders_and_a_failed_badge(
    client, counsellor, dk_client, agree, remind
):
    agree(dk_client, "sms")
    message = remind(dk_client)
    login(client, counsellor)
    overview = client.get(f"/clients/{dk_client.uuid}/")
    assert b"reminders-failed" not in overview.content
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED)
    overview = client.get(f"/clients/{dk_client.uuid}/")
    assert overview.status_code == 200
    assert b'data-testid="reminders-failed"' in overview.content


# --- what a change does to queued reminders ---------------------------------------------------


def test_withdrawing_consent_cancels_the_queued_reminders(dk_client, counsellor, agree, remind):
    agree(dk_client, "sms")
    message = remind(dk_client)
    services.contact_preferences_save(
        client=dk_client,
        actor=counsellor,
        at=local(dk_client.organisation, 0, 11),
        phone=dk_client.phone,
        email="",
        reminder_consent=False,
        reminder_channel="sms",
        reminder_label="neutral",
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED
    dk_client.refresh_from_db()
    assert dk_client.reminder_consent_at == local(dk_client.organisation, 0, 11)


def test_a_new_channel_re_addresses_the_queued_reminder(dk_client, agree, remind):
    agree(dk_client, "sms")
    first = remind(dk_client)
    agree(dk_client, "email", email="kim.holm@example.org")
    first.refresh_from_db()
    assert first.status == MessageStatus.CANCELLED
    now = Message.objects.get(status=MessageStatus.QUEUED)
    assert (now.channel, now.recipient, now.reference) == (
        "email",
        "kim.holm@example.org",
        first.reference,
    )
    assert now.send_after == first.send_after


def test_a_bad_number_on_the_client_form_is_refused_too(dk_client):
    """The general client edit checks the number the same way."""
    with pytest.raises(ValidationFailed) as refused:
        client_services.client_update(client=dk_client, changes={"phone": "+45 2000"})
    assert (refused.value.code, refused.value.field) == ("phone_length", "phone")
    with pytest.raises(ValidationFailed) as bad_email:
        client_services.client_update(client=dk_client, changes={"email": "x@"})
    assert bad_email.value.code == "email_invalid"


@pytest.mark.parametrize(
    ("channel", "changes", "code"),
    [
        ("sms", {"phone": ""}, "phone_required_for_sms"),
        ("email", {"email": ""}, "email_required_for_email"),
    ],
)
def test_the_client_form_keeps_the_contact_the_reminders_go_to(
    dk_client, agree, channel, changes, code
):
    """A client who agreed to reminders by SMS (e-mail) keeps a mobile number (an address):
    clearing it on the general form is refused, and nothing changes."""
    agree(dk_client, channel)
    dk_client.refresh_from_db()
    before = (dk_client.phone, dk_client.email)
    with pytest.raises(ValidationFailed) as refused:
        client_services.client_update(client=dk_client, changes=changes)
    assert refused.value.code == code
    dk_client.refresh_from_db()
    assert (dk_client.phone, dk_client.email) == before
    # the other contact may go
    other = {"email": ""} if channel == "sms" else {"phone": ""}
    client_services.client_update(client=dk_client, changes=other)


def test_a_foreign_mobile_number_is_accepted_with_its_country_code(dk_client, agree):
    agree(dk_client, "sms", phone="+46 70 123 45 67")
    dk_client.refresh_from_db()
    assert dk_client.phone == "+46 70 123 45 67"


def test_a_national_number_is_read_in_the_organisations_country(org_no, make_client, agree):
    client = make_client(org_no)
    agree(client, "sms", phone="400 00 123")
    client.refresh_from_db()
    assert client.phone == "+47 40 00 01 23"


# --- the API ----------------------------------------------------------------------------------


def test_the_api_reads_and_replaces_the_preferences(client, counsellor, dk_client):
    headers = api_headers(counsellor)
    got = client.get(api(dk_client), **headers)
    assert got.status_code == 200
    assert got.json()["reminder_consent"] is False
    assert got.json()["labels"] == {
        "neutral": "Sønderborg Kommune",
        "service": "Sønderborg Misbrugscenter",
    }
    put = client.put(
        api(dk_client),
        data={
            "phone": "20000123",
            "email": "kim.holm@example.org",
            "reminder_consent": True,
            "reminder_channel": "email",
            "reminder_label": "service",
        },
        content_type="application/json",
        **headers,
    )
    assert put.status_code == 200, put.content
    body = put.json()
    assert body["phone"] == "+45 20 00 01 23"
    assert (body["reminder_channel"], body["reminder_label"]) == ("email", "service")
    assert body["reminder_consent_by"] == counsellor.username
    assert body["failed_messages"] == 0


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"phone": "+45 12"}, "phone_length", "phone"),
        ({"phone": "80 20 30 40"}, "phone_not_mobile", "phone"),
        ({"email": "nobody@"}, "email_invalid", "email"),
        ({"reminder_channel": ""}, "reminder_channel_required", "reminder_channel"),
        ({"phone": ""}, "phone_required_for_sms", "phone"),
    ],
)
def test_the_api_refuses_with_a_stable_code_and_writes_nothing(
    client, counsellor, dk_client, body, code, field
):
    payload = {
        "phone": "+45 20 00 01 23",
        "email": "kim.holm@example.org",
        "reminder_consent": True,
        "reminder_channel": "sms",
        "reminder_label": "neutral",
        **body,
    }
    before = Client.objects.values().get(pk=dk_client.pk)
    response = client.put(
        api(dk_client), data=payload, content_type="application/json", **api_headers(counsellor)
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert Client.objects.values().get(pk=dk_client.pk) == before


def test_the_api_refuses_an_unknown_channel(client, counsellor, dk_client):
    response = client.put(
        api(dk_client),
        data={"reminder_consent": True, "reminder_channel": "pigeon"},
        content_type="application/json",
        **api_headers(counsellor),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_the_api_answers_an_outsider_404(client, outsider, dk_client):
    headers = api_headers(outsider)
    assert client.get(api(dk_client), **headers).status_code == 404
    put = client.put(
        api(dk_client),
        data={"reminder_consent": False},
        content_type="application/json",
        **headers,
    )
    assert put.status_code == 404
    assert put.json()["code"] == "not_found"


def test_a_landline_is_refused_for_sms_but_kept_as_a_phone_number(org_be, make_client, agree):
    """The Belgian numbering plan knows 059 as Oostende's landlines."""
    client = make_client(org_be, phone="059 51 63 29")
    assert client.phone == "+32 59 51 63 29"
    with pytest.raises(ValidationFailed) as refused:
        agree(client, "sms")
    assert refused.value.code == "phone_not_mobile"
