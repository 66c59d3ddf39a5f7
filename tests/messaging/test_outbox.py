"""APT-3: failed and queued messages are visible to staff on the organisation's outbox page and
in the API, each client linked and every listing in the access log; a failed one can be tried
again. The page's queries do not grow with the outbox."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bedring.audit.models import AccessEvent
from bedring.core.roles import Role
from bedring.messaging.models import Message, MessageStatus
from tests.conftest import api_headers, login

OUTBOX = "/messaging/outbox/"


def failed_reminders(clients, agree, remind) -> list[Message]:
    """A failed reminder for each client (the provider gave up on them)."""
    made = []
    for i, client in enumerate(clients):
        agree(client, "sms")
        made.append(remind(client, reference=f"appointment:{client.uuid}:{i}"))
    Message.objects.filter(pk__in=[m.pk for m in made]).update(
        status=MessageStatus.FAILED, attempts=5, last_error="The SMS provider answered HTTP 503."
    )
    return made


def test_the_outbox_lists_failed_messages_with_the_client_linked(
    client, counsellor, dk_client, make_client, agree, remind
):
    # Given a failed reminder and a queued one
    [failed] = failed_reminders([dk_client], agree, remind)
    other = make_client(dk_client.organisation)
    agree(other, "sms")
    remind(other, reference="appointment:queued")
    login(client, counsellor)

    # When the outbox is opened
    response = client.get(OUTBOX)

    # Then the failed one is listed with the reason and its client linked; the counts show both
    html = response.content.decode()
    assert response.status_code == 200
    assert f"/messaging/clients/{dk_client.uuid}/" in html
    assert "The SMS provider answered HTTP 503." in html
    assert f"/messaging/messages/{failed.uuid}/retry/" in html
    assert other.display_name not in html
    assert list(response.context["page"]) == [failed]
    assert response.context["counts"] == {"failed": 1, "queued": 1}
    # ... and the listed client is in the access log
    assert AccessEvent.objects.filter(client=dk_client, view="messaging_outbox").count() == 1
    queued = client.get(OUTBOX + "?status=queued")
    assert other.display_name in queued.content.decode()


def test_the_outbox_queries_do_not_grow_with_the_outbox(
    client, counsellor, org_dk, make_client, agree, remind
):
    login(client, counsellor)
    failed_reminders([make_client(org_dk)], agree, remind)
    client.get(OUTBOX)  # warm the session and the staff context
    with CaptureQueriesContext(connection) as one:
        assert client.get(OUTBOX).status_code == 200
    failed_reminders([make_client(org_dk) for _ in range(12)], agree, remind)
    with CaptureQueriesContext(connection) as thirteen:
        response = client.get(OUTBOX)
    assert len(response.context["page"]) == 13
    assert len(thirteen) == len(one), [q["sql"] for q in thirteen.captured_queries]


def test_a_failed_message_is_tried_again(client, counsellor, dk_client, agree, remind):
    [failed] = failed_reminders([dk_client], agree, remind)
    login(client, counsellor)
    response = client.post(f"/messaging/messages/{failed.uuid}/retry/", follow=True)
    assert response.status_code == 200
    assert "is queued again" in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (MessageStatus.QUEUED, 0)
    # a second try of the same message is refused with the reason, nothing changes
    again = client.post(f"/messaging/messages/{failed.uuid}/retry/", follow=True)
    assert "Only a failed message can be tried again." in again.content.decode()


def test_retrying_and_reading_another_organisations_outbox_is_refused(
    client, outsider, dk_client, agree, remind, make_staff
):
    [failed] = failed_reminders([dk_client], agree, remind)
    login(client, outsider)
    assert client.post(f"/messaging/messages/{failed.uuid}/retry/").status_code == 404
    own = client.get(OUTBOX)
    assert own.status_code == 200
    assert dk_client.display_name not in own.content.decode()
    failed.refresh_from_db()
    assert failed.status == MessageStatus.FAILED
    login(client, make_staff(dk_client.organisation, Role.DROPIN_WORKER))
    assert client.get(OUTBOX).status_code == 403


def test_the_api_lists_the_outbox_and_retries(client, counsellor, dk_client, agree, remind):
    [failed] = failed_reminders([dk_client], agree, remind)
    headers = api_headers(counsellor)
    listed = client.get("/api/v1/outbox?status=failed", **headers)
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 1
    [row] = body["results"]
    assert (row["id"], row["client"], row["status"]) == (
        str(failed.uuid),
        str(dk_client.uuid),
        "failed",
    )
    assert AccessEvent.objects.filter(client=dk_client, view="api_outbox").exists()
    retried = client.post(f"/api/v1/messages/{failed.uuid}/retry", **headers)
    assert retried.status_code == 200
    assert retried.json()["status"] == "queued"
    again = client.post(f"/api/v1/messages/{failed.uuid}/retry", **headers)
    assert (again.status_code, again.json()["code"]) == (409, "message_not_failed")


def test_the_api_answers_an_outsider_404(client, outsider, dk_client, agree, remind):
    [failed] = failed_reminders([dk_client], agree, remind)
    headers = api_headers(outsider)
    retried = client.post(f"/api/v1/messages/{failed.uuid}/retry", **headers)
    assert (retried.status_code, retried.json()["code"]) == (404, "not_found")
    named = client.get(f"/api/v1/outbox?organisation={dk_client.organisation.uuid}", **headers)
    assert named.status_code == 404
    own = client.get("/api/v1/outbox", **headers)
    assert own.status_code == 200
    assert own.json()["count"] == 0
