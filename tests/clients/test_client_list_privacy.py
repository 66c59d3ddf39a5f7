"""PRV-1: the client list does not open on every client of the organisation; it starts with
the search and the clients this staff member opened recently (from the access log, of the
active organisation only), and lists show national identifiers masked to the birth date.
The opened record shows the whole identifier."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from bedring.accounts.access import ACTIVE_ORG_SESSION_KEY
from bedring.accounts.services import membership_add
from bedring.audit.models import AccessEvent
from bedring.clients.identifiers import mask_identifier
from bedring.core.roles import Role
from tests.conftest import login


def list_page(http: HttpClient, query: str = "") -> str:
    response = http.get("/clients/", {"q": query} if query else {})
    assert response.status_code == 200
    return response.content.decode()


def recent_section(page: str) -> str:
    start = page.index('data-testid="recent-clients"')
    return page[start : page.index("</section>", start)]


def open_record(http: HttpClient, client) -> None:
    assert http.get(f"/clients/{client.uuid}/").status_code == 200


# --- the mask ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        ("dk_cpr", "0101901234", "010190-****"),
        ("no_fnr", "01019012345", "010190 *****"),
        ("no_dnr", "41019012345", "410190 *****"),
        ("be_nn", "85073003328", "85.07.30-***.**"),
    ],
)
def test_an_identifier_is_masked_to_its_birth_date_in_each_countrys_format(kind, value, masked):
    """PRV-1: no personal digit is shown, the separators of the country are kept."""
    assert mask_identifier(kind, value) == masked


# --- search results ---------------------------------------------------------------------------


def test_search_results_show_the_identifier_masked_and_the_opened_record_shows_it_whole(
    client, counsellor, dk_client
):
    """PRV-1"""
    login(client, counsellor)
    # When the counsellor searches by the birth date
    page = list_page(client, dk_client.national_id[:6])
    # Then the client is found with the birth-date part only
    assert str(dk_client.uuid) in page
    assert f"{dk_client.national_id[:6]}-****" in page
    assert dk_client.identifier_display not in page
    assert dk_client.national_id not in page
    # and the opened record shows the whole identifier
    record = client.get(f"/clients/{dk_client.uuid}/").content.decode()
    assert dk_client.identifier_display in record


# --- the start page: recent clients -----------------------------------------------------------


def test_the_list_starts_with_nobody_but_the_clients_i_opened_most_recent_first(
    client, counsellor, org_dk, make_client, frozen_clock
):
    """PRV-1: at most 10, the most recently opened first; being seen in search results is
    not opening, and a client opened twice is listed once."""
    clients = [make_client(org_dk) for _ in range(12)]
    login(client, counsellor)
    # Given the counsellor opened twelve clients, the first one again at the end
    for person in [*clients, clients[0]]:
        frozen_clock.shift(60)
        open_record(client, person)
    # and merely saw another one in search results
    seen = make_client(org_dk, last_name="Onlyseen")
    list_page(client, "Onlyseen")

    # When the list is opened without a search
    page = list_page(client)

    # Then it lists nobody but the ten most recently opened, the latest first
    recent = recent_section(page)
    order = [m for m in re.findall(r"/clients/([0-9a-f-]{36})/", recent)]
    expected = [clients[0], *reversed(clients[3:12])]
    assert order == [str(c.uuid) for c in expected]
    assert str(seen.uuid) not in page
    assert str(clients[1].uuid) not in page and str(clients[2].uuid) not in page
    # with the identifiers masked
    assert clients[0].national_id not in page
    assert f"{clients[0].national_id[:6]}-****" in recent
    # and the list itself is logged as seen (PRV-1), not as opened
    assert AccessEvent.objects.filter(
        client=clients[0], actor=counsellor, view="recent_clients"
    ).exists()


def test_recent_clients_are_of_the_active_organisation_only(
    client, org_dk, org_no, make_staff, make_client, outsider
):
    """PRV-1: a member of two organisations sees, in Sandnes, none of the Danish clients she
    opened; another organisation's staff see none of them at all."""
    dane = make_client(org_dk, last_name="Danishclient")
    norwegian = make_client(org_no, last_name="Norwegianclient")
    both = make_staff(org_dk, Role.COUNSELLOR)
    membership_add(user=both, organisation=org_no, roles=[Role.COUNSELLOR])
    login(client, both)
    session = client.session
    session[ACTIVE_ORG_SESSION_KEY] = org_dk.pk
    session.save()
    open_record(client, dane)
    session = client.session
    session[ACTIVE_ORG_SESSION_KEY] = org_no.pk
    session.save()
    open_record(client, norwegian)

    in_sandnes = recent_section(list_page(client))
    assert str(norwegian.uuid) in in_sandnes
    assert str(dane.uuid) not in in_sandnes

    page = list_page(login(HttpClient(), outsider))
    assert str(dane.uuid) not in page and "Danishclient" not in page
    assert str(norwegian.uuid) not in page


def test_the_recent_list_issues_the_same_queries_for_one_and_for_ten_clients(
    client, counsellor, org_dk, make_client
):
    """The start page's queries are bounded whatever the number of recent clients."""
    login(client, counsellor)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            list_page(client)
        return len(queries)

    open_record(client, make_client(org_dk))
    one = count()
    for _ in range(12):
        open_record(client, make_client(org_dk))
    assert count() == one
