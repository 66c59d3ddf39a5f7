"""PRV-4 on the pages: the codes with their contacts, a code's page, the person becoming a
client (consent, the registration's rules, joining someone registered already) and two codes
merged after a confirmation. Who may: a role that opens no record does not register."""

from __future__ import annotations

from html import unescape

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client as HttpClient
from django.urls import reverse

from bedring.accounts.models import Organisation, Site, User
from bedring.audit.models import AccessEvent
from bedring.clients.models import Client
from bedring.outreach.models import OutreachContact, Pseudonym
from tests.conftest import login
from tests.outreach.conftest import record

pytestmark = pytest.mark.django_db


def registration(**change: str) -> dict[str, str]:
    data = {
        "consent": "on",
        "national_id": "",
        "first_name": "Mette",
        "last_name": "Gadeplan",
        "birth_date": "",
        "sex": "female",
        "phone": "",
        "email": "",
        "address": "",
        "postal_code": "",
        "city": "",
        "language": "",
    }
    data.update(change)
    return data


@pytest.fixture
def coded(org_outreach: Organisation, odense: Site, street_worker: User) -> Pseudonym:
    record(org_outreach, odense, street_worker, pseudonym_code="AB-77", pseudonym_consent=True)
    record(org_outreach, odense, street_worker, pseudonym_code="AB-77", activities=["wound-care"])
    return Pseudonym.objects.get(organisation=org_outreach, code="AB-77")


def test_the_codes_are_listed_with_their_contacts_and_found_by_their_start(
    org_outreach: Organisation, odense: Site, street_worker: User, coded: Pseudonym
) -> None:
    record(org_outreach, odense, street_worker, pseudonym_code="CD-1", pseudonym_consent=True)
    http = login(HttpClient(), street_worker)
    html = http.get(reverse("outreach:pseudonyms")).content.decode()
    row = html.split('data-testid="code-AB-77"')[1].split("</tr>")[0]
    assert ">2<" in row
    found = http.get(reverse("outreach:pseudonyms") + "?q=ab").content.decode()
    assert "AB-77" in found and "CD-1" not in found
    detail = http.get(reverse("outreach:pseudonym", args=[coded.uuid])).content.decode()
    assert detail.count('data-testid="contact-row"') == 2
    assert 'data-testid="becomes-client"' in detail and 'data-testid="merge-code"' in detail


def test_the_person_becomes_a_client_with_consent_and_the_contacts_join_the_record(
    org_outreach: Organisation, street_worker: User, coded: Pseudonym
) -> None:
    http = login(HttpClient(), street_worker)
    url = reverse("outreach:pseudonym_client", args=[coded.uuid])
    assert 'data-testid="code-client-form"' in http.get(url).content.decode()
    refused = http.post(url, registration(consent=""))
    assert refused.status_code == 422
    assert "Register the person only when they agree to become a client." in unescape(
        refused.content.decode()
    )
    assert not Client.objects.filter(last_name="Gadeplan").exists()

    response = http.post(url, registration())

    client = Client.objects.get(organisation=org_outreach, last_name="Gadeplan")
    assert response.status_code == 302
    assert response["Location"] == reverse("outreach:client", args=[client.uuid])
    assert OutreachContact.objects.filter(pseudonym=coded, client=client).count() == 2
    page = http.get(response["Location"]).content.decode()
    assert "Mette Gadeplan is a client now. 2 street contacts joined the record." in page
    assert page.count('data-testid="contact-row"') == 2
    coded.refresh_from_db()
    assert coded.client == client
    # every write is in the change log, with who made it
    changed = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(OutreachContact),
        object_pk__in=[str(c.pk) for c in OutreachContact.objects.filter(pseudonym=coded)],
        action=LogEntry.Action.UPDATE,
    )
    assert changed.exists() and {e.actor for e in changed} == {street_worker}
    assert LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Pseudonym),
        object_pk=str(coded.pk),
        actor=street_worker,
    ).exists()
    # the code's page says so, and offers no second registration
    detail = http.get(reverse("outreach:pseudonym", args=[coded.uuid])).content.decode()
    assert 'data-testid="code-client"' in detail and 'data-testid="becomes-client"' not in detail


def test_someone_registered_already_is_offered_and_joined(
    org_outreach: Organisation, street_worker: User, coded: Pseudonym, outreach_client: Client
) -> None:
    http = login(HttpClient(), street_worker)
    url = reverse("outreach:pseudonym_client", args=[coded.uuid])
    response = http.post(url, registration(national_id=outreach_client.national_id))
    html = response.content.decode()
    assert response.status_code == 422
    assert 'data-testid="duplicate-client"' in html and outreach_client.code in html
    joined = http.post(url, {"existing": str(outreach_client.uuid), "consent": "on"})
    assert joined.status_code == 302
    assert OutreachContact.objects.filter(pseudonym=coded, client=outreach_client).count() == 2
    assert AccessEvent.objects.filter(client=outreach_client, view="pseudonym_client").exists()


def test_a_role_that_opens_no_record_does_not_register(
    org_outreach: Organisation, dropin_worker: User, coded: Pseudonym
) -> None:
    http = login(HttpClient(), dropin_worker)
    url = reverse("outreach:pseudonym_client", args=[coded.uuid])
    assert http.get(url).status_code == 403
    assert http.post(url, registration()).status_code == 403
    assert (
        'data-testid="becomes-client"'
        not in http.get(reverse("outreach:pseudonym", args=[coded.uuid])).content.decode()
    )


def test_two_codes_are_merged_after_a_confirmation(
    org_outreach: Organisation, odense: Site, street_worker: User, coded: Pseudonym
) -> None:
    record(org_outreach, odense, street_worker, pseudonym_code="EF-2", pseudonym_consent=True)
    other = Pseudonym.objects.get(organisation=org_outreach, code="EF-2")
    http = login(HttpClient(), street_worker)
    url = reverse("outreach:pseudonym_merge", args=[other.uuid])
    unknown = http.post(url, {"into": "NOPE"})
    assert unknown.status_code == 422 and "No code like this here." in unknown.content.decode()

    asked = http.post(url, {"into": "ab-77"})

    html = asked.content.decode()
    assert asked.status_code == 200 and 'data-testid="confirm-page"' in html
    assert "Merge code EF-2 into AB-77?" in html
    other.refresh_from_db()
    assert other.merged_into is None  # nothing written yet
    done = http.post(url, {"into": "ab-77", "confirm": "1"})
    assert done.status_code == 302
    assert done["Location"] == reverse("outreach:pseudonym", args=[coded.uuid])
    other.refresh_from_db()
    assert other.merged_into == coded
    assert OutreachContact.objects.filter(pseudonym=coded).count() == 3
    again = http.get(url).content.decode()
    assert "was merged into AB-77 already" in again
