"""REF-1 in /api/v1/: the registry, referrals out and in, their steps; stable JSON errors,
never a 500; an outsider gets 404."""

from __future__ import annotations

import datetime

import pytest

from bedring.core import clock
from bedring.documents import services as document_services
from bedring.pathway.models import Deadline
from bedring.referrals.models import Referral
from tests.conftest import api_headers
from tests.documents.files import pdf_bytes, upload
from tests.referrals.conftest import consent, days_ago

JSON = "application/json"


@pytest.fixture
def headers(counsellor_dk):
    return api_headers(counsellor_dk)


def test_the_registry_is_the_active_organisations(client, headers):
    partners = client.get("/api/v1/partners", **headers).json()
    assert {p["key"] for p in partners} == {
        "egen-laege",
        "behandlingspsykiatrien",
        "doegnbehandling",
    }
    assert all(p["reply_days"] > 0 and p["reply_source"] for p in partners)


def test_a_referral_without_consent_is_422_consent_missing(client, dk_client, headers):
    response = client.post(
        f"/api/v1/clients/{dk_client.uuid}/referrals",
        {"partner": "egen-laege", "reason": "Check-up"},
        content_type=JSON,
        **headers,
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "consent_missing"
    assert body["field"] == "consent"
    assert not Referral.objects.exists()


def test_a_referral_is_created_sent_and_answered(
    client, dk_client, counsellor_dk, headers, open_episode
):
    open_episode(dk_client)
    given = consent(dk_client, "gp", since_days=30)
    org = dk_client.organisation
    document = document_services.document_upload(
        client=dk_client,
        actor=counsellor_dk,
        upload=upload(pdf_bytes()),
        kind="referral",
        dated_on=clock.today(org),
        source="Sønderborg",
    )
    base = f"/api/v1/clients/{dk_client.uuid}/referrals"
    response = client.post(
        base,
        {
            "partner": "egen-laege",
            "reason": "Check-up",
            "documents": [str(document.uuid)],
            "send_on": days_ago(org, 3).isoformat(),
        },
        content_type=JSON,
        **headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["consent"], body["documents"]) == (
        "sent",
        str(given.uuid),
        [str(document.uuid)],
    )
    assert body["reply_due_on"] == (days_ago(org, 3) + datetime.timedelta(days=14)).isoformat()
    status = f"{base}/{body['id']}/status"
    response = client.post(
        status,
        {
            "status": "appointment",
            "on": days_ago(org, 1).isoformat(),
            "appointment_on": clock.today(org).isoformat(),
        },
        content_type=JSON,
        **headers,
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "appointment"
    assert Deadline.objects.get(kind="referral_reply").status == "met"
    response = client.post(
        status,
        {"status": "received", "on": clock.today(org).isoformat()},
        content_type=JSON,
        **headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "referral_transition"
    listed = client.get(base, **headers).json()
    assert listed["count"] == 1
    one = client.get(f"{base}/{body['id']}", **headers)
    assert one.json()["appointment_on"] == clock.today(org).isoformat()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"partner": "nobody", "reason": "x"}, 404, "partner_not_found"),
        ({"partner": "egen-laege", "reason": ""}, 422, "reason_required"),
        ({"partner": "egen-laege", "reason": "x", "send_on": "2999-01-01"}, 422, "date_in_future"),
        (
            {
                "partner": "egen-laege",
                "reason": "x",
                "documents": ["00000000-0000-0000-0000-000000000000"],
            },
            422,
            "document_not_in_record",
        ),
        (
            {
                "partner": "egen-laege",
                "reason": "x",
                "consent": "00000000-0000-0000-0000-000000000000",
            },
            404,
            "consent_not_found",
        ),
        ({"partner": "egen-laege"}, 422, "invalid_input"),
        ({"partner": "egen-laege", "reason": "x\x00"}, 422, "invalid_characters"),
    ],
    ids=["partner", "reason", "future", "document", "consent", "missing", "nul"],
)
def test_bad_input_is_a_json_4xx_never_a_500(client, dk_client, headers, body, status, code):
    consent(dk_client, "gp")
    response = client.post(
        f"/api/v1/clients/{dk_client.uuid}/referrals", body, content_type=JSON, **headers
    )
    assert response.status_code in (status, 422), response.content
    if code:
        assert response.json()["code"] == code
    assert "code" in response.json()


def test_a_referral_in_registers_an_inquiry_with_its_letter(client, no_client, counsellor_no):
    headers = api_headers(counsellor_no)
    org = no_client.organisation
    letter = document_services.document_upload(
        client=no_client,
        actor=counsellor_no,
        upload=upload(pdf_bytes()),
        kind="referral",
        dated_on=clock.today(org),
        source="Dr. Lie",
    )
    response = client.post(
        f"/api/v1/clients/{no_client.uuid}/incoming-referrals",
        {
            "referrer": "gp",
            "referrer_name": "Dr. Lie",
            "received_at": (clock.now() - datetime.timedelta(hours=2)).isoformat(),
            "site": str(org.sites.get(kind="main").uuid),
            "letter": str(letter.uuid),
            "assign_to": counsellor_no.username,
        },
        content_type=JSON,
        **headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["inquiry"] is not None and body["letter"] == str(letter.uuid)
    assert Deadline.objects.filter(kind="first_contact", client_id=no_client.pk).exists()
    listed = client.get(f"/api/v1/clients/{no_client.uuid}/incoming-referrals", **headers).json()
    assert listed["count"] == 1
    response = client.post(
        f"/api/v1/clients/{no_client.uuid}/incoming-referrals",
        {"referrer": "self", "received_at": clock.now().isoformat()},
        content_type=JSON,
        **headers,
    )
    assert response.status_code == 422


def test_an_outsider_gets_404_everywhere(client, dk_client, counsellor_dk, outsider):
    consent(dk_client, "gp")
    from bedring.referrals import services
    from tests.referrals.conftest import partner

    referral = services.referral_create(
        client=dk_client,
        actor=counsellor_dk,
        partner=partner(dk_client.organisation, "egen-laege"),
        reason="x",
    )
    headers = api_headers(outsider)
    base = f"/api/v1/clients/{dk_client.uuid}"
    for method, url, body in [
        ("get", f"{base}/referrals", None),
        ("post", f"{base}/referrals", {"partner": "egen-laege", "reason": "x"}),
        ("get", f"{base}/referrals/{referral.uuid}", None),
        (
            "post",
            f"{base}/referrals/{referral.uuid}/status",
            {"status": "sent", "on": "2026-01-01"},
        ),
        ("get", f"{base}/incoming-referrals", None),
    ]:
        kwargs = {"content_type": JSON, "data": body} if body else {}
        response = getattr(client, method)(url, **kwargs, **headers)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
