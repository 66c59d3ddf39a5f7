"""HRM-8 on the pages: the outreach page, the contact form (one page, three fieldsets, the
API's field names, a shell without people for the phone's offline copy), the service's
refusals on the form, the confirmation, a client's street contacts; who may do what (an
outsider 404, a role without harm_reduction 403, a known client needs client_write) and the
access log; a bounded number of queries whatever the history."""

from __future__ import annotations

import datetime
import re
import uuid
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bedring.accounts.models import Organisation, Site, User
from bedring.audit.models import AccessEvent
from bedring.clients.models import Client
from bedring.core import clock
from bedring.outreach.models import OutreachContact, Pseudonym
from bedring.outreach.services.contacts import Conflicts
from tests.conftest import login
from tests.outreach.conftest import record

pytestmark = pytest.mark.django_db

NEW = reverse("outreach:contact_new")
INDEX = reverse("outreach:index")


def page(http: HttpClient, url: str, status: int = 200) -> str:
    response = http.get(url)
    assert response.status_code == status, response.content[:2000]
    return response.content.decode()


def common_case(person: Client, **change: Any) -> dict[str, Any]:
    """A known person, two items, a short note: what a street nurse records most."""
    data: dict[str, Any] = {
        "who": "client",
        "client": str(person.uuid),
        "site": "odense",
        "location_type": "street",
        "place": "",
        "activities": ["conversation", "supplies"],
        "items_out-syringe-1ml": "10",
        "items_out-swab": "10",
        "items_back-syringe-1ml": "",
        "minutes": "10",
        "note": "Doing better, sleeps at the shelter.",
        "at": clock.local_now(person.organisation).strftime("%Y-%m-%dT%H:%M"),
        "offline_id": str(uuid.uuid4()),
    }
    data.update(change)
    return {k: v for k, v in data.items() if v is not None}


# --- the form --------------------------------------------------------------------------------


def test_the_form_is_one_page_of_three_fieldsets_named_as_the_api(
    org_outreach: Organisation, street_worker: User, make_staff
) -> None:
    make_staff(org_outreach, "street_nurse")  # a colleague who may be present
    html = page(login(HttpClient(), street_worker), NEW)
    form = re.search(r"<form[^>]*data-outreach-form[^>]*>", html)
    assert form is not None
    assert f'data-api-url="{reverse("api:outreach_contacts")}"' in form.group(0)
    assert 'id="main-form"' in form.group(0)
    assert html.count('class="group step" data-step=') == 3
    names = set(re.findall(r'name="([^"]+)"', html))
    assert {
        "who",
        "client_code",
        "pseudonym",
        "pseudonym_consent",
        "site",
        "location_type",
        "place",
        "activities",
        "items_out-syringe-1ml",
        "items_back-syringe-1ml",
        "items_out-swab",
        "minutes",
        "staff",
        "note",
        "at",
        "offline_id",
    } <= names
    # a swab is not taken back; the pack's activities are the choices
    assert "items_back-swab" not in names
    assert 'value="wound-care"' in html and "Wound care" in html
    # a fresh contact id and the time now, on the organisation's clock
    offline_id = re.search(r'name="offline_id" value="([0-9a-f-]{36})"', html)
    assert offline_id is not None
    assert clock.local_now(org_outreach).strftime("%Y-%m-%dT%H:") in html
    # the steps come from a script of our own: no inline script (CSP script-src 'self')
    assert "/static/outreach/contact-steps.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    # the team of a new worker is the first outreach base, the place is the street
    assert re.search(r'<option value="aarhus" selected>|<option value="odense" selected>', html)


def test_the_shell_for_the_phone_has_no_people_and_no_contact_id(
    org_outreach: Organisation, odense: Site, street_worker: User, outreach_client: Client
) -> None:
    record(org_outreach, odense, street_worker, client=outreach_client)
    record(org_outreach, odense, street_worker, pseudonym_code="ZX-9", pseudonym_consent=True)
    http = login(HttpClient(), street_worker)
    full = page(http, NEW)
    assert outreach_client.first_name in full and "ZX-9" in full
    shell = page(http, NEW + "?shell=1")
    assert outreach_client.first_name not in shell and outreach_client.code not in shell
    assert outreach_client.last_name not in shell and "ZX-9" not in shell
    assert "data-shell" in shell and "data-recent-clients" in shell
    assert re.search(r'name="offline_id"(?! value="[0-9a-f])', shell)
    assert not re.search(r'name="at" value="[0-9]', shell)
    # the team and the kind of place are no person's: kept
    assert '<option value="odense" selected>' in shell


def test_the_common_case_is_saved_and_confirmed_with_record_another(
    org_outreach: Organisation, street_worker: User, outreach_client: Client
) -> None:
    http = login(HttpClient(), street_worker)
    response = http.post(NEW, common_case(outreach_client))
    assert response.status_code == 302
    contact = OutreachContact.objects.get(organisation=org_outreach)
    assert response["Location"] == reverse("outreach:contact", args=[contact.uuid])
    assert contact.client == outreach_client
    assert contact.items_out == {"syringe-1ml": 10, "swab": 10}
    assert contact.activities == ["conversation", "supplies"]
    assert contact.minutes == 10 and contact.recorded_by == street_worker
    assert contact.at.astimezone(clock.zone(org_outreach)).strftime("%H:%M") == clock.local_now(
        org_outreach
    ).strftime("%H:%M")
    html = page(http, response["Location"])
    assert f"Contact recorded: {outreach_client.display_name} ({outreach_client.code})." in html
    assert 'data-testid="record-another"' in html and f'href="{NEW}"' in html
    assert "10 × Syringe 1 ml" in html and "10 × Alcohol swab" in html
    assert "Doing better" in html
    # choosing the client opened the record for this task: in the access log
    assert AccessEvent.objects.filter(
        actor=street_worker, client=outreach_client, view="outreach_contact"
    ).exists()


def test_sending_the_same_form_twice_stores_one_contact(
    org_outreach: Organisation, street_worker: User, outreach_client: Client
) -> None:
    http = login(HttpClient(), street_worker)
    data = common_case(outreach_client)
    first, second = http.post(NEW, data), http.post(NEW, data)
    assert first["Location"] == second["Location"]
    assert OutreachContact.objects.filter(organisation=org_outreach).count() == 1
    assert "This contact was already recorded" in page(http, second["Location"])


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"minutes": ""}, "minutes", "Time spent is 1 to 600 minutes."),
        ({"minutes": "900"}, "minutes", "Time spent is 1 to 600 minutes."),
        ({"activities": None}, "activities", "Choose at least one thing that was done."),
        (
            {"items_out-swab": "-3"},
            "items_out-swab",
            "A count must be a whole number from 0 to 1000.",
        ),
        ({"who": "", "client": ""}, "who", "Say who the contact was with."),
        ({"client": ""}, "client", "Choose the person, or type their client code."),
        (
            {"client": "", "client_code": "NOPE-1"},
            "client_code",
            "No client here has this client code.",
        ),
        ({"client": str(uuid.uuid4())}, "client", "No such client here."),
        ({"client": "not-a-uuid"}, "client", "Choose the person from the list."),
        (
            {"who": "pseudonym", "pseudonym": "NEW-7"},
            "pseudonym_consent",
            "Record a new code only when the person agrees to it.",
        ),
        ({"who": "pseudonym", "pseudonym": " "}, "pseudonym", "Type the person's code."),
        ({"at": "2000-01-01T10:00"}, "at", "The time is more than 60 days ago."),
        ({"location_type": "moon"}, "location_type", "Select a valid choice."),
        ({"site": "nowhere"}, "site", "Select a valid choice."),
    ],
)
def test_a_bad_contact_shows_the_reason_on_its_field_and_writes_nothing(
    org_outreach: Organisation,
    street_worker: User,
    outreach_client: Client,
    change: dict[str, Any],
    field: str,
    message: str,
) -> None:
    http = login(HttpClient(), street_worker)
    response = http.post(NEW, common_case(outreach_client, **change))
    assert response.status_code == 422
    html = unescape(response.content.decode())
    assert 'class="error-summary"' in html
    assert message in html
    # the reason is in the summary and next to its field
    marker = 'id="id_client"' if field == "client" else f'data-field="{field}"'
    beside = html.split(marker, 1)[1].split("data-field=", 1)[0]
    assert message in beside, field
    assert not OutreachContact.objects.filter(organisation=org_outreach).exists()
    assert not Pseudonym.objects.filter(organisation=org_outreach).exists()


def test_a_client_found_by_client_code_and_a_new_code_with_agreement(
    org_outreach: Organisation, street_worker: User, outreach_client: Client
) -> None:
    http = login(HttpClient(), street_worker)
    by_code = common_case(
        outreach_client, who="", client="", client_code=outreach_client.code.lower()
    )
    assert http.post(NEW, by_code).status_code == 302
    coded = common_case(
        outreach_client, who="pseudonym", client="", pseudonym="mk-4", pseudonym_consent="on"
    )
    assert http.post(NEW, coded).status_code == 302
    contacts = OutreachContact.objects.filter(organisation=org_outreach).order_by("id")
    assert contacts[0].client == outreach_client
    assert contacts[1].client is None and contacts[1].pseudonym.code == "MK-4"


def test_a_role_without_records_records_codes_but_no_known_client(
    org_outreach: Organisation, dropin_worker: User, outreach_client: Client
) -> None:
    http = login(HttpClient(), dropin_worker)
    html = page(http, NEW)
    assert 'value="client"' not in html and "A known client" not in html
    response = http.post(
        NEW, common_case(outreach_client, who="", client=str(outreach_client.uuid))
    )
    assert response.status_code == 422
    assert "Your role records no contacts with named clients" in response.content.decode()
    response = http.post(NEW, common_case(outreach_client))
    assert response.status_code == 422
    assert not OutreachContact.objects.filter(organisation=org_outreach).exists()
    assert not AccessEvent.objects.filter(actor=dropin_worker, client=outreach_client).exists()
    assert http.post(NEW, common_case(outreach_client, who="nobody", client="")).status_code == 302


def test_a_role_without_harm_reduction_is_refused(
    org_outreach: Organisation,
    odense: Site,
    street_worker: User,
    outreach_doctor: User,
    outreach_client: Client,
) -> None:
    contact = record(org_outreach, odense, street_worker)
    http = login(HttpClient(), outreach_doctor)
    for url in (
        INDEX,
        NEW,
        reverse("outreach:contact", args=[contact.uuid]),
        reverse("outreach:pseudonyms"),
    ):
        assert http.get(url).status_code == 403, url
    assert http.post(NEW, common_case(outreach_client)).status_code == 403
    assert http.post(reverse("outreach:contact_checked", args=[contact.uuid])).status_code == 403
    # the client's street contacts are part of the record: whoever reads it reads them
    assert http.get(reverse("outreach:client", args=[outreach_client.uuid])).status_code == 200


def test_an_outsider_finds_nothing(
    org_outreach: Organisation,
    odense: Site,
    street_worker: User,
    outsider: User,
    outreach_client: Client,
) -> None:
    contact = record(
        org_outreach, odense, street_worker, pseudonym_code="OUT-1", pseudonym_consent=True
    )
    http = login(HttpClient(), outsider)
    for url in (
        reverse("outreach:contact", args=[contact.uuid]),
        reverse("outreach:client", args=[outreach_client.uuid]),
        reverse("outreach:pseudonym", args=[contact.pseudonym.uuid]),
    ):
        assert http.get(url).status_code == 404, url
    assert http.post(reverse("outreach:contact_checked", args=[contact.uuid])).status_code == 404
    # a client of ours posted in the outsider's organisation: refused on the form, no log
    assert "OUT-1" not in page(http, reverse("outreach:pseudonyms"))
    assert not AccessEvent.objects.filter(actor=outsider).exists()


def test_an_organisation_without_street_work_says_so(org_no: Organisation, make_staff) -> None:
    http = login(HttpClient(), make_staff(org_no, "street_nurse"))
    for url in (INDEX, NEW):
        assert "records no street work" in page(http, url)


def test_the_client_page_preselects_the_client_for_a_new_contact(
    org_outreach: Organisation, street_worker: User, outreach_client: Client
) -> None:
    http = login(HttpClient(), street_worker)
    html = page(http, f"{NEW}?client={outreach_client.uuid}")
    assert re.search(rf'value="{outreach_client.uuid}" checked', html)
    assert re.search(r'value="client" id="id_who_0" checked|value="client"[^>]*checked', html)


# --- the outreach page -------------------------------------------------------------------


def test_the_outreach_page_has_the_button_my_contacts_today_and_the_contacts_to_check(
    org_outreach: Organisation,
    odense: Site,
    street_worker: User,
    outreach_client: Client,
    make_staff,
) -> None:
    colleague = make_staff(org_outreach, "street_nurse")
    mine = record(
        org_outreach, odense, street_worker, client=outreach_client, items_out={"needle": 3}
    )
    record(org_outreach, odense, colleague, note="Not mine")
    yesterday = record(
        org_outreach, odense, street_worker, at=clock.now() - datetime.timedelta(days=1)
    )
    pseudonym = Pseudonym.objects.create(
        organisation=org_outreach, code="LATE-1", consent_at=clock.now(), created_by=street_worker
    )
    late = record(org_outreach, odense, colleague, pseudonym_code="LATE-1", offline_id=uuid.uuid4())
    OutreachContact.objects.filter(pk=late.pk).update(conflict=Conflicts.PSEUDONYM_MERGED)
    http = login(HttpClient(), street_worker)

    html = page(http, INDEX)

    assert 'data-testid="record-contact"' in html and f'href="{NEW}"' in html
    today = html.split('data-testid="my-contacts-today"')[1]
    assert outreach_client.display_name in today and "3 × Needle" in today
    assert str(yesterday.uuid) not in today and "Not mine" not in today
    to_check = html.split('data-testid="contacts-to-check"')[1].split(
        'data-testid="my-contacts-today"'
    )[0]
    assert "merged into LATE-1" in to_check and str(pseudonym.code) in to_check
    # the clients shown are logged as seen
    assert AccessEvent.objects.filter(
        actor=street_worker, client=outreach_client, view="outreach_contacts"
    ).exists()
    # marking it checked clears it
    response = http.post(reverse("outreach:contact_checked", args=[late.uuid]))
    assert response.status_code == 302 and response["Location"] == INDEX
    late.refresh_from_db()
    assert late.conflict == ""
    assert 'data-testid="contacts-to-check"' not in page(http, INDEX)
    assert mine.pk


def test_a_peer_worker_sees_a_known_clients_contact_without_the_person(
    org_outreach: Organisation,
    odense: Site,
    street_worker: User,
    outreach_client: Client,
    make_staff,
) -> None:
    peer = make_staff(org_outreach, "peer_worker")
    contact = record(
        org_outreach,
        odense,
        street_worker,
        client=outreach_client,
        note="Private detail",
        staff=[peer.username],
    )
    http = login(HttpClient(), peer)
    for html in (page(http, INDEX), page(http, reverse("outreach:contact", args=[contact.uuid]))):
        assert outreach_client.first_name not in html and outreach_client.code not in html
        assert "Private detail" not in html and "A client" in html
    assert not AccessEvent.objects.filter(actor=peer).exists()


# --- a client's street contacts --------------------------------------------------------------


def test_the_client_record_lists_its_street_contacts_and_the_overview_links_them(
    org_outreach: Organisation, odense: Site, street_worker: User, outreach_client: Client
) -> None:
    record(org_outreach, odense, street_worker, client=outreach_client, note="Seen at the station")
    http = login(HttpClient(), street_worker)
    url = reverse("outreach:client", args=[outreach_client.uuid])
    html = page(http, url)
    assert "Seen at the station" in html and 'data-testid="record-for-client"' in html
    assert AccessEvent.objects.filter(client=outreach_client, view="outreach_client").exists()
    overview = page(http, reverse("web:client_detail", args=[outreach_client.uuid]))
    assert f'href="{url}"' in overview


def test_an_organisation_without_street_work_has_no_link_on_the_overview(
    org_no: Organisation, make_staff, make_client
) -> None:
    client = make_client(org_no)
    html = page(
        login(HttpClient(), make_staff(org_no, "counsellor")),
        reverse("web:client_detail", args=[client.uuid]),
    )
    assert 'data-testid="client-street-contacts"' not in html


# --- bounded queries -----------------------------------------------------------------------


def history(org: Organisation, site: Site, user: User, clients: list[Client], n: int) -> None:
    for i in range(n):
        for client in clients:
            record(org, site, user, client=client, items_out={"needle": 1}, staff=[])
        record(org, site, user, pseudonym_code=f"Q-{len(clients)}-{i}", pseudonym_consent=True)
        record(
            org,
            site,
            user,
            pseudonym_code=f"Q-{len(clients)}-{i}",
            offline_id=uuid.uuid4(),
        )
        OutreachContact.objects.filter(organisation=org).exclude(pseudonym=None).update(
            conflict=Conflicts.BECAME_CLIENT
        )


def count(http: HttpClient, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["index", "contact_new", "client", "pseudonyms", "pseudonym"])
def test_the_pages_issue_the_same_queries_for_four_times_the_history(
    org_outreach: Organisation,
    odense: Site,
    street_worker: User,
    make_client,
    make_staff,
    django_assert_max_num_queries,
    name: str,
) -> None:
    small_client = make_client(org_outreach)
    history(org_outreach, odense, street_worker, [small_client], 1)
    http = login(HttpClient(), street_worker)

    def url(client: Client) -> str:
        if name == "client":
            return reverse("outreach:client", args=[client.uuid])
        if name == "pseudonym":
            code = Pseudonym.objects.filter(organisation=org_outreach).order_by("-id").first()
            assert code is not None
            return reverse("outreach:pseudonym", args=[code.uuid])
        return reverse(f"outreach:{name}")

    few = count(http, url(small_client))
    big_clients = [make_client(org_outreach) for _ in range(4)]
    history(org_outreach, odense, street_worker, big_clients, 4)
    target = url(big_clients[0])
    with django_assert_max_num_queries(few):
        assert http.get(target).status_code == 200


# --- the home page and the menu ----------------------------------------------------------


def test_the_street_nurses_home_has_record_a_contact_as_its_primary_button(
    org_outreach: Organisation, odense: Site, street_worker: User, outreach_doctor: User
) -> None:
    record(org_outreach, odense, street_worker)
    html = page(login(HttpClient(), street_worker), reverse("web:dashboard"))
    panel = html.split('data-testid="panel-outreach"')[1].split("</section>")[0]
    assert re.search(rf'<a class="button" href="{NEW}" data-testid="home-record-contact"', panel)
    assert "1 contact of mine today" in panel
    # it comes first, before finding a person
    assert html.index('data-testid="panel-outreach"') < html.index('data-testid="panel-search"')
    assert f'href="{INDEX}" data-menu="outreach"' in html
    doctor = page(login(HttpClient(), outreach_doctor), reverse("web:dashboard"))
    assert 'data-menu="outreach"' not in doctor and "panel-outreach" not in doctor


def test_a_street_nurse_without_street_work_has_no_record_button(
    org_no: Organisation, make_staff
) -> None:
    html = page(login(HttpClient(), make_staff(org_no, "street_nurse")), reverse("web:dashboard"))
    assert "panel-outreach" not in html and 'data-testid="panel-search"' in html
