"""The client overview shows the current episode's state as a translated badge and who has
the case now (REF-2); with no episode it shows neither; the query count stays bounded."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bedring.core.roles import Role
from bedring.pathway.services.episode import episode_begin_assessment, inquiry_register
from tests.conftest import login
from tests.pathway.conftest import days_ago


def open_episode(client, counsellor):
    organisation = client.organisation
    inquiry = inquiry_register(
        organisation=organisation,
        site=organisation.sites.filter(kind="main").first(),
        actor=counsellor,
        channel="phone",
        referrer="self",
        received_at=days_ago(organisation, 3),
        client=client,
        assign_to=counsellor,
    )
    return inquiry.episode


def overview(http, client) -> str:
    response = http.get(f"/clients/{client.uuid}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_overview_shows_the_episodes_state_and_who_has_the_case(client, counsellor, dk_client):
    """REF-2"""
    episode = open_episode(dk_client, counsellor)
    episode_begin_assessment(episode=episode, actor=counsellor)
    login(client, counsellor)
    page = overview(client, dk_client)
    badge = page[page.index('data-testid="client-episode-state"') :]
    assert badge.split("</a>")[0].endswith("Episode: Assessment")
    assert f"/pathway/episodes/{episode.uuid}/" in page
    case_with = page[page.index('data-testid="client-case-with"') :].split("</p>")[0]
    assert counsellor.get_full_name() in case_with


def test_the_state_badge_is_translated(client, counsellor, dk_client, settings):
    episode = open_episode(dk_client, counsellor)
    episode_begin_assessment(episode=episode, actor=counsellor)
    login(client, counsellor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
    page = overview(client, dk_client)
    badge = page[page.index('data-testid="client-episode-state"') :].split("</a>")[0]
    assert "Assessment" not in badge
    assert "Udredning" in badge or "Kortlægning" in badge, badge


def test_a_client_without_an_episode_has_no_badge(client, counsellor, dk_client):
    login(client, counsellor)
    page = overview(client, dk_client)
    assert 'data-testid="client-episode-state"' not in page


def test_the_overview_queries_do_not_depend_on_the_episode(
    client, counsellor, org_dk, make_client, make_staff
):
    """The badge adds a fixed number of queries, the same for a new and a busy episode."""
    login(client, counsellor)
    quiet = make_client(org_dk)
    open_episode(quiet, counsellor)
    busy = make_client(org_dk)
    episode = open_episode(busy, counsellor)
    episode_begin_assessment(episode=episode, actor=counsellor)
    for _ in range(3):
        make_staff(org_dk, Role.COUNSELLOR)

    def count(person) -> int:
        overview(client, person)  # warm the caches of the first request
        with CaptureQueriesContext(connection) as queries:
            overview(client, person)
        return len(queries)

    assert count(busy) == count(quiet)
