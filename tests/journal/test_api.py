"""The journal in /api/v1/ (JRN-1): create a draft, change it, sign it, correct it, list and
search, read the versions; a signed note is 409 ``note_signed`` to PUT and DELETE; only the
author acts on a note (403 ``note_not_author``); bad input is a JSON 422 with a specific code
and writes nothing; an outsider gets 404; the list costs the same queries however long the
journal."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bedring.core import clock
from bedring.journal.models import Note
from tests.conftest import api_headers
from tests.journal.conftest import World, draft, signed, with_plan

pytestmark = pytest.mark.django_db


def notes_url(world: World) -> str:
    return f"/api/v1/clients/{world.client.uuid}/journal-notes"


def body(world: World, **overrides) -> dict[str, object]:
    data: dict[str, object] = {
        "contact_type": "phone",
        "contact_at": (clock.now() - datetime.timedelta(minutes=30)).isoformat(),
        "text": "Phoned: the appointment is moved.",
        "episode": str(world.episode.uuid),
        "goals": [str(world.goals[1].uuid)],
    }
    data.update(overrides)
    return data


def test_create_update_sign_correct_and_versions(client, world: World):
    headers = api_headers(world.counsellor)
    response = client.post(
        notes_url(world), body(world), content_type="application/json", **headers
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "draft" and created["version"] == 1
    assert created["goals"] == [str(world.goals[1].uuid)]
    note_url = f"/api/v1/journal-notes/{created['id']}"
    response = client.put(
        note_url, body(world, text="Phoned twice."), content_type="application/json", **headers
    )
    assert response.status_code == 200 and response.json()["text"] == "Phoned twice."
    response = client.post(f"{note_url}/sign", **headers)
    assert response.status_code == 200 and response.json()["status"] == "signed"
    response = client.post(
        f"{note_url}/corrections",
        {"text": "Phoned three times.", "reason": "Miscounted."},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201, response.content
    correction = response.json()
    assert correction["version"] == 2 and correction["supersedes"] == created["id"]
    assert correction["correction_reason"] == "Miscounted."
    assert correction["goals"] == [str(world.goals[1].uuid)]
    versions = client.get(f"{note_url}/versions", **headers).json()["versions"]
    assert [v["text"] for v in versions] == ["Phoned twice.", "Phoned three times."]
    listed = client.get(notes_url(world), **headers).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == correction["id"]
    assert client.get(notes_url(world), {"q": "three"}, **headers).json()["count"] == 1
    assert client.get(notes_url(world), {"q": "four"}, **headers).json()["count"] == 0
    assert client.get(notes_url(world), {"type": "medical"}, **headers).json()["count"] == 0


def test_a_signed_note_is_409_to_put_and_delete(client, world: World):
    note = signed(world.client, world.counsellor)
    headers = api_headers(world.counsellor)
    url = f"/api/v1/journal-notes/{note.uuid}"
    for response in (
        client.put(url, body(world), content_type="application/json", **headers),
        client.delete(url, **headers),
        client.post(f"{url}/sign", **headers),
    ):
        assert response.status_code == 409
        assert response.json()["code"] == "note_signed"
    note.refresh_from_db()
    assert note.text == "We talked about the week."


def test_only_the_author_acts_on_a_note(client, world: World):
    mine = draft(world.client, world.counsellor)
    done = signed(world.client, world.counsellor)
    headers = api_headers(world.doctor)
    for response in (
        client.put(
            f"/api/v1/journal-notes/{mine.uuid}",
            body(world),
            content_type="application/json",
            **headers,
        ),
        client.delete(f"/api/v1/journal-notes/{mine.uuid}", **headers),
        client.post(f"/api/v1/journal-notes/{mine.uuid}/sign", **headers),
        client.post(
            f"/api/v1/journal-notes/{done.uuid}/corrections",
            {"text": "Mine now.", "reason": "x"},
            content_type="application/json",
            **headers,
        ),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "note_not_author"


def test_a_draft_is_deleted(client, world: World):
    note = draft(world.client, world.counsellor)
    response = client.delete(f"/api/v1/journal-notes/{note.uuid}", **api_headers(world.counsellor))
    assert response.status_code == 204
    assert not Note.objects.filter(pk=note.pk).exists()


def test_bad_input_is_a_json_422_with_its_code_and_writes_nothing(
    client, world: World, make_client
):
    other = make_client(world.organisation)
    other_episode, other_goals = with_plan(other, world.counsellor)
    headers = api_headers(world.counsellor)
    future = (clock.now() + datetime.timedelta(hours=1)).isoformat()
    cases = [
        (body(world, text=""), "text_required"),
        (body(world, text="   "), "text_required"),
        (body(world, contact_at=future), "contact_in_future"),
        (body(world, contact_at="2026-02-30T10:00:00+01:00"), "invalid_input"),
        (body(world, contact_at="1899-05-01T10:00:00+01:00"), "contact_too_early"),
        (body(world, contact_at="2026-01-05T10:00:00"), "invalid_contact_time"),
        (body(world, contact_type="telepathy"), "invalid_input"),
        (body(world, episode=str(other_episode.uuid)), "episode_not_of_client"),
        (body(world, goals=[str(other_goals[0].uuid)]), "goal_not_of_client"),
        (body(world, goals=["6f1c2e0a-5b7d-4c1e-9a3f-2d8b7e4c9a10"]), "goal_not_of_client"),
        (body(world, restricted=True), "restriction_not_allowed"),
    ]
    for data, code in cases:
        response = client.post(notes_url(world), data, content_type="application/json", **headers)
        assert response.status_code == 422, (data, response.content)
        assert response.json()["code"] == code, data
    assert not Note.objects.exists()
    correction = client.post(
        f"/api/v1/journal-notes/{signed(world.client, world.counsellor).uuid}/corrections",
        {"text": "New."},
        content_type="application/json",
        **headers,
    )
    assert correction.status_code == 422
    assert correction.json()["code"] == "correction_reason_required"
    for params, code in (({"q": "x" * 201}, "query_too_long"), ({"limit": 0}, "invalid_page")):
        response = client.get(notes_url(world), params, **headers)
        assert (response.status_code, response.json()["code"]) == (422, code)


def test_an_outsider_gets_404(client, world: World, outsider):
    note = signed(world.client, world.counsellor)
    headers = api_headers(outsider)
    for method, url in (
        ("get", notes_url(world)),
        ("get", f"/api/v1/journal-notes/{note.uuid}"),
        ("get", f"/api/v1/journal-notes/{note.uuid}/versions"),
        ("post", f"/api/v1/journal-notes/{note.uuid}/sign"),
        ("delete", f"/api/v1/journal-notes/{note.uuid}"),
    ):
        response = getattr(client, method)(url, **headers)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    response = client.post(
        notes_url(world), body(world), content_type="application/json", **headers
    )
    assert response.status_code == 404


def test_the_list_costs_the_same_queries_whatever_the_history(client, world: World):
    headers = api_headers(world.doctor)
    for n in range(3):
        signed(world.client, world.psychologist, text=f"n{n}", restricted=True, goals=world.goals)
    client.get(notes_url(world), **headers)
    with CaptureQueriesContext(connection) as few:
        assert client.get(notes_url(world), **headers).status_code == 200
    for n in range(60):
        signed(
            world.client,
            world.counsellor if n % 2 else world.psychologist,
            text=f"m{n}",
            restricted=not n % 2,
            goals=world.goals[: n % 3],
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(notes_url(world), **headers)
    assert response.json()["count"] == 63
    assert len(many.captured_queries) == len(few.captured_queries) <= 15
