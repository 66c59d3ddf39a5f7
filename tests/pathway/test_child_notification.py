"""Children at home: a concern for a child under 18 starts the heightened duty to notify
children's services, without delay; the notification is recorded with when, by whom, to whom
and under which reference (DEC-7)."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from bedring.clients import services as client_services
from bedring.core import clock
from bedring.core.errors import Conflict, ValidationFailed
from bedring.pathway.models import ChildNotification, Deadline, Episode, EpisodeEvent
from bedring.pathway.services.decision import child_concern_record, child_notification_made
from bedring.pathway.services.episode import episode_withdraw
from tests.conftest import api_headers, login

CONCERN = "The 7-year-old has not been at school for two weeks; the home is chaotic."


def snapshot(episode: Episode) -> dict[str, Any]:
    return {
        "notifications": list(
            ChildNotification.objects.filter(episode=episode).values_list("pk", "notified_on")
        ),
        "events": EpisodeEvent.objects.filter(episode=episode).count(),
        "deadlines": list(
            Deadline.objects.filter(episode=episode).values_list("kind", "status", "subject_id")
        ),
    }


def post_json(user, url: str, body: dict[str, Any]):
    return HttpClient().post(
        url, data=json.dumps(body), content_type="application/json", **api_headers(user)
    )


def years_ago(episode: Episode, years: int, days: int = 0) -> datetime.date:
    today = clock.today(episode.organisation)
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


@pytest.fixture
def child(dk_episode):
    return client_services.child_add(
        client=dk_episode.client, first_name="Emma", birth_date=years_ago(dk_episode, 7)
    )


def test_a_concern_for_a_child_is_due_for_notification_today_and_is_closed_when_made(
    dk_episode, child, counsellor, authority
):
    """DEC-7: the concern opens a deadline due the same day (DK: without delay); the
    notification made closes it as met."""
    today = clock.today(dk_episode.organisation)
    notification = child_concern_record(
        episode=dk_episode, actor=counsellor, concern=CONCERN, child=child
    )
    assert (notification.child, notification.concern_noted_on) == (child, today)
    assert notification.noted_by == counsellor
    deadline = Deadline.objects.get(kind="child_notification", subject_id=notification.pk)
    assert (deadline.status, deadline.due_on) == ("open", today)
    assert deadline.basis["req"] == "DEC-7"
    made = child_notification_made(
        notification=notification,
        actor=authority,
        recipient="Børn og Familie, Sønderborg Kommune",
        reference="BF-2026-117",
    )
    assert (made.notified_on, made.notified_by) == (today, authority)
    assert (made.recipient, made.reference) == (
        "Børn og Familie, Sønderborg Kommune",
        "BF-2026-117",
    )
    deadline.refresh_from_db()
    assert (deadline.status, deadline.closed_on) == ("met", today)
    kinds = set(EpisodeEvent.objects.filter(episode=dk_episode).values_list("kind", flat=True))
    assert {"child_concern", "child_notified"} <= kinds
    with pytest.raises(Conflict) as twice:
        child_notification_made(notification=made, actor=authority, recipient="Again")
    assert twice.value.code == "notification_already_made"


def test_a_concern_may_be_recorded_before_the_child_is_known(dk_episode, counsellor):
    """DEC-7: the duty does not wait for the child's details."""
    notification = child_concern_record(episode=dk_episode, actor=counsellor, concern=CONCERN)
    assert notification.child is None


def test_the_child_must_be_the_clients_and_under_18(dk_episode, counsellor, org_dk, make_client):
    """DEC-7: a child of another client, or a young adult, is refused; nothing is written."""
    other = client_services.child_add(
        client=make_client(org_dk), first_name="Ola", birth_date=years_ago(dk_episode, 5)
    )
    # Mads was registered a year ago, at 17; he has turned 18 since
    adult = client_services.child_add(
        client=dk_episode.client,
        first_name="Mads",
        birth_date=years_ago(dk_episode, 18),
        today=years_ago(dk_episode, 1),
    )
    before = snapshot(dk_episode)
    for wrong, code in [(other, "child_not_clients"), (adult, "child_adult")]:
        with pytest.raises(ValidationFailed) as refused:
            child_concern_record(episode=dk_episode, actor=counsellor, concern=CONCERN, child=wrong)
        assert (refused.value.code, refused.value.field) == (code, "child")
    with pytest.raises(ValidationFailed) as empty:
        child_concern_record(episode=dk_episode, actor=counsellor, concern="  ")
    assert empty.value.code == "concern_required"
    assert snapshot(dk_episode) == before


def test_a_child_one_day_short_of_18_is_still_a_child(dk_episode, counsellor):
    """DEC-7: under 18 on the day the concern is noted."""
    almost = client_services.child_add(
        client=dk_episode.client, first_name="Sara", birth_date=years_ago(dk_episode, 18, -1)
    )
    notification = child_concern_record(
        episode=dk_episode, actor=counsellor, concern=CONCERN, child=almost
    )
    assert notification.child == almost


def test_no_concern_is_recorded_on_an_ended_episode(dk_episode, counsellor):
    """DEC-7: an ended episode takes no new tasks."""
    episode_withdraw(episode=dk_episode, actor=counsellor, reason="Moved away")
    with pytest.raises(Conflict) as closed:
        child_concern_record(episode=dk_episode, actor=counsellor, concern=CONCERN)
    assert closed.value.code == "episode_closed"


def test_the_notification_needs_a_recipient_and_a_real_date(dk_episode, child, counsellor):
    """DEC-7: to whom, and not before the concern nor in the future."""
    notification = child_concern_record(
        episode=dk_episode, actor=counsellor, concern=CONCERN, child=child
    )
    before = snapshot(dk_episode)
    today = clock.today(dk_episode.organisation)
    cases = [
        ({"recipient": ""}, "recipient_required"),
        ({"recipient": "BF", "notified_on": today + datetime.timedelta(days=1)}, "date_in_future"),
        ({"recipient": "BF", "notified_on": today - datetime.timedelta(days=1)}, "date_too_early"),
    ]
    for kwargs, code in cases:
        with pytest.raises(ValidationFailed) as refused:
            child_notification_made(notification=notification, actor=counsellor, **kwargs)
        assert refused.value.code == code
    assert snapshot(dk_episode) == before


def test_child_notifications_through_the_api_and_an_outsider_gets_404(
    dk_episode, child, counsellor, outsider
):
    """DEC-7, PRV-1: POST /episodes/{id}/child-notifications and .../notified."""
    url = f"/api/v1/episodes/{dk_episode.uuid}/child-notifications"
    before = snapshot(dk_episode)
    assert post_json(outsider, url, {"concern": CONCERN}).status_code == 404
    unknown = post_json(counsellor, url, {"concern": CONCERN, "child": str(dk_episode.uuid)})
    assert unknown.status_code == 422 and unknown.json()["code"] == "child_not_clients"
    assert snapshot(dk_episode) == before
    response = post_json(counsellor, url, {"concern": CONCERN, "child": str(child.uuid)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["child"], body["notified_on"]) == (str(child.uuid), None)
    notified_url = f"/api/v1/child-notifications/{body['id']}/notified"
    before = snapshot(dk_episode)
    assert post_json(outsider, notified_url, {"recipient": "BF"}).status_code == 404
    assert snapshot(dk_episode) == before
    response = post_json(counsellor, notified_url, {"recipient": "BF", "reference": "R-1"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["notified_on"] == clock.today(dk_episode.organisation).isoformat()
    assert (body["recipient"], body["reference"]) == ("BF", "R-1")
    assert body["notified_by"] == counsellor.get_full_name()


def test_the_concern_and_notification_forms(dk_episode, child, counsellor, outsider):
    """DEC-7: the forms offer the client's children; a refusal is 422 next to the field."""
    http = login(HttpClient(), counsellor)
    url = reverse("pathway:child_concern_new", kwargs={"episode_uuid": dk_episode.uuid})
    page = http.get(url)
    assert page.status_code == 200 and "Emma" in page.content.decode()
    assert login(HttpClient(), outsider).get(url).status_code == 404
    before = snapshot(dk_episode)
    response = http.post(url, {"child": str(child.uuid), "concern": ""})
    assert response.status_code == 422
    assert "Describe the concern for the child." in response.content.decode()
    assert snapshot(dk_episode) == before
    response = http.post(url, {"child": str(child.uuid), "concern": CONCERN})
    assert response.status_code == 302
    notification = ChildNotification.objects.get(episode=dk_episode)
    episode_page = http.get(response["Location"]).content.decode()
    assert f'data-testid="notification-{notification.uuid}"' in episode_page
    assert "Not notified yet" in episode_page
    url = reverse(
        "pathway:child_notification_made",
        kwargs={"episode_uuid": dk_episode.uuid, "notification_uuid": notification.uuid},
    )
    assert http.get(url).status_code == 200
    response = http.post(url, {"recipient": "Børn og Familie", "reference": "BF-1"})
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.notified_by == counsellor
