"""REF-1: the Referrals tab, a new referral out, the referral's page with its next steps, a
referral in; messages say what happens next; an outsider finds nothing; the pages cost the
same number of queries whatever the number of referrals."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bedring.clients.models import Client
from bedring.core import clock
from bedring.documents import services as document_services
from bedring.pathway.models import Deadline
from bedring.referrals import services
from bedring.referrals.models import IncomingReferral, Referral
from tests.conftest import login
from tests.documents.files import HTML, pdf_bytes, upload
from tests.referrals.conftest import consent, days_ago, partner


def messages_of(response) -> str:
    return " ".join(re.findall(r'class="msg success"[^>]*>([^<]*)<', response.content.decode()))


def test_the_tab_offers_the_two_primary_actions(client, dk_client, counsellor_dk):
    http = login(client, counsellor_dk)
    page = http.get(reverse("referrals:client", args=[dk_client.uuid]))
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("referrals:new", args=[dk_client.uuid]) in text
    assert reverse("referrals:incoming_client", args=[dk_client.uuid]) in text
    assert reverse("documents:client", args=[dk_client.uuid]) in text  # the Documents tab


def test_a_new_referral_is_sent_and_the_message_says_when_the_reply_is_due_and_who_has_it(
    client, dk_client, counsellor_dk, open_episode
):
    open_episode(dk_client, responsible=counsellor_dk)
    consent(dk_client, "gp")
    http = login(client, counsellor_dk)
    url = reverse("referrals:new", args=[dk_client.uuid])
    form = http.get(url)
    assert "Egen læge" in form.content.decode()
    today = clock.today(dk_client.organisation)
    response = http.post(
        url,
        {
            "partner": "egen-laege",
            "reason": "Blood tests before medication",
            "text": "Kære kollega …",
            "send_on": today.isoformat(),
            "new_file": upload(pdf_bytes(), "brev.pdf"),
            "action": "send",
        },
        follow=True,
    )
    assert response.status_code == 200
    referral = Referral.objects.get(client=dk_client)
    assert referral.status == "sent"
    assert referral.documents.count() == 1
    message = messages_of(response)
    assert "recorded as sent" in message
    assert counsellor_dk.get_full_name() in message
    assert Deadline.objects.filter(kind="referral_reply", subject_id=referral.pk).exists()


def test_without_consent_the_form_says_so_and_stores_nothing(
    client, dk_client, counsellor_dk, documents_dir
):
    http = login(client, counsellor_dk)
    response = http.post(
        reverse("referrals:new", args=[dk_client.uuid]),
        {
            "partner": "egen-laege",
            "reason": "x",
            "new_file": upload(pdf_bytes()),
            "action": "send",
        },
    )
    assert response.status_code == 422
    assert "no valid consent" in response.content.decode()
    assert not Referral.objects.exists()
    assert not dk_client.documents.exists()
    assert (
        not any(p.is_file() for p in documents_dir.rglob("*")) if documents_dir.exists() else True
    )


def test_the_referral_page_records_the_reply_and_ends_it_with_a_confirmation(
    client, dk_client, counsellor_dk, open_episode
):
    open_episode(dk_client)
    consent(dk_client, "gp", since_days=30)
    org = dk_client.organisation
    referral = services.referral_create(
        client=dk_client,
        actor=counsellor_dk,
        partner=partner(org, "egen-laege"),
        reason="Check-up",
        send_on=days_ago(org, 5),
    )
    http = login(client, counsellor_dk)
    detail = reverse("referrals:detail", args=[referral.uuid])
    page = http.get(detail).content.decode()
    assert "<details" in page and "End the referral" in page
    step = reverse("referrals:step", args=[referral.uuid])
    response = http.post(
        step,
        {"step-status": "accepted", "step-on": days_ago(org, 1).isoformat(), "step-note": "OK"},
        follow=True,
    )
    assert "accepted the referral" in messages_of(response)
    response = http.post(step, {"step-status": "received", "step-on": clock.today(org).isoformat()})
    assert response.status_code == 422  # not offered any more: the form refuses the choice
    response = http.post(
        step,
        {
            "final-status": "withdrawn",
            "final-on": clock.today(org).isoformat(),
            "final-note": "The client moved",
        },
        follow=True,
    )
    assert "withdrawn" in messages_of(response)
    referral.refresh_from_db()
    assert referral.status == "withdrawn"


def test_the_page_shows_a_refusal_next_to_its_field(client, dk_client, counsellor_dk):
    consent(dk_client, "gp", since_days=30)
    org = dk_client.organisation
    referral = services.referral_create(
        client=dk_client,
        actor=counsellor_dk,
        partner=partner(org, "egen-laege"),
        reason="Check-up",
        send_on=days_ago(org, 5),
    )
    http = login(client, counsellor_dk)
    response = http.post(
        reverse("referrals:step", args=[referral.uuid]),
        {"step-status": "accepted", "step-on": days_ago(org, 10).isoformat()},
    )
    assert response.status_code == 422
    assert "before the referral was sent" in response.content.decode()


def test_the_norwegian_page_records_the_rights_assessment(client, no_client, counsellor_no):
    consent(no_client, "specialist", since_days=30)
    org = no_client.organisation
    referral = services.referral_create(
        client=no_client,
        actor=counsellor_no,
        partner=partner(org, "tsb-helse-stavanger"),
        reason="Inpatient treatment",
        send_on=days_ago(org, 10),
    )
    services.referral_update(
        referral=referral, actor=counsellor_no, status="received", on=days_ago(org, 9)
    )
    http = login(client, counsellor_no)
    page = http.get(reverse("referrals:detail", args=[referral.uuid])).content.decode()
    assert "pasient- og brukerrettighetsloven § 2-2" in page
    latest = clock.today(org) + datetime.timedelta(weeks=8)
    response = http.post(
        reverse("referrals:rights", args=[referral.uuid]),
        {
            "rights-assessed_on": days_ago(org, 1).isoformat(),
            "rights-granted": "yes",
            "rights-latest_start_on": latest.isoformat(),
        },
        follow=True,
    )
    assert "starts at the latest" in messages_of(response)
    referral.refresh_from_db()
    assert referral.rights_outcome == "granted"


def test_a_referral_in_for_a_new_person_registers_the_client_and_the_inquiry(
    client, org_no, counsellor_no
):
    http = login(client, counsellor_no)
    url = reverse("referrals:incoming_new")
    assert http.get(url).status_code == 200
    site = org_no.sites.get(kind="main")
    response = http.post(
        url,
        {
            "client-first_name": "Per",
            "client-last_name": "Henvist",
            "client-sex": "male",
            "referral-referrer": "gp",
            "referral-referrer_name": "Dr. Lie",
            "referral-received_at": clock.local_now(org_no).strftime("%Y-%m-%dT%H:%M"),
            "referral-site": str(site.uuid),
            "referral-assign_to": str(counsellor_no.pk),
            "referral-letter_file": upload(pdf_bytes()),
        },
        follow=True,
    )
    assert response.status_code == 200
    new = Client.objects.get(organisation=org_no, last_name="Henvist")
    incoming = IncomingReferral.objects.get(client=new)
    assert incoming.inquiry is not None
    message = messages_of(response)
    assert "registered as an inquiry" in message and "First contact" in message
    assert counsellor_no.get_full_name() in message


def test_a_refused_letter_on_the_page_registers_nobody(client, org_no, counsellor_no):
    http = login(client, counsellor_no)
    site = org_no.sites.get(kind="main")
    before = Client.objects.count()
    response = http.post(
        reverse("referrals:incoming_new"),
        {
            "client-first_name": "Kari",
            "client-last_name": "Henvist",
            "client-sex": "female",
            "referral-referrer": "gp",
            "referral-received_at": clock.local_now(org_no).strftime("%Y-%m-%dT%H:%M"),
            "referral-site": str(site.uuid),
            "referral-letter_file": upload(HTML, "brev.pdf"),
        },
    )
    assert response.status_code == 422
    assert "Only PDF, PNG and JPEG" in response.content.decode()
    assert Client.objects.count() == before


def test_an_outsider_finds_no_referral_page(client, dk_client, counsellor_dk, outsider):
    consent(dk_client, "gp")
    referral = services.referral_create(
        client=dk_client,
        actor=counsellor_dk,
        partner=partner(dk_client.organisation, "egen-laege"),
        reason="x",
    )
    http = login(client, outsider)
    for url in (
        reverse("referrals:client", args=[dk_client.uuid]),
        reverse("referrals:new", args=[dk_client.uuid]),
        reverse("referrals:incoming_client", args=[dk_client.uuid]),
        reverse("referrals:detail", args=[referral.uuid]),
    ):
        assert http.get(url).status_code == 404, url
    for url in (
        reverse("referrals:step", args=[referral.uuid]),
        reverse("referrals:rights", args=[referral.uuid]),
    ):
        assert http.post(url, {}).status_code == 404, url


def _queries(http, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    return len(queries)


def _many(client_, actor, count: int) -> Referral:
    org = client_.organisation
    last = None
    for i in range(count):
        document = document_services.document_upload(
            client=client_,
            actor=actor,
            upload=upload(pdf_bytes()),
            kind="referral",
            dated_on=days_ago(org, 10),
            source="Sønderborg",
        )
        last = services.referral_create(
            client=client_,
            actor=actor,
            partner=partner(org, "egen-laege"),
            reason=f"Referral {i}",
            documents=[document],
            send_on=days_ago(org, 10),
        )
        services.referral_update(referral=last, actor=actor, status="received", on=days_ago(org, 9))
        services.referral_in_record(
            organisation=org,
            actor=actor,
            referrer="gp",
            received_at=clock.now() - datetime.timedelta(days=1),
            client=client_,
            site=org.sites.get(kind="main"),
        )
    assert last is not None
    return last


@pytest.mark.parametrize("page", ["tab", "detail"])
def test_the_pages_cost_the_same_queries_for_2_or_60_referrals(
    client, dk_client, counsellor_dk, open_episode, page
):
    open_episode(dk_client)
    consent(dk_client, "gp", since_days=30)
    http = login(client, counsellor_dk)
    last = _many(dk_client, counsellor_dk, 2)

    def url() -> str:
        if page == "tab":
            return reverse("referrals:client", args=[dk_client.uuid])
        return reverse("referrals:detail", args=[last.uuid])

    few = _queries(http, url())
    last = _many(dk_client, counsellor_dk, 58)
    many = _queries(http, url())
    assert many <= few + 2  # the counts once the lists are longer than shown
    assert many <= 30


def test_a_draft_is_sent_from_its_page_after_a_confirmation(
    client, dk_client, counsellor_dk, open_episode
):
    open_episode(dk_client, responsible=counsellor_dk)
    consent(dk_client, "gp")
    http = login(client, counsellor_dk)
    response = http.post(
        reverse("referrals:new", args=[dk_client.uuid]),
        {"partner": "egen-laege", "reason": "Check-up", "action": "draft"},
        follow=True,
    )
    assert "saved as a draft" in messages_of(response)
    referral = Referral.objects.get(client=dk_client)
    page = http.get(reverse("referrals:detail", args=[referral.uuid])).content.decode()
    assert 'data-testid="confirm-send"' in page and "cannot be undone" in page
    response = http.post(
        reverse("referrals:step", args=[referral.uuid]),
        {"send-on": clock.today(dk_client.organisation).isoformat()},
        follow=True,
    )
    assert "recorded as sent" in messages_of(response)
    referral.refresh_from_db()
    assert referral.status == "sent"
