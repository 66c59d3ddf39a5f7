"""Inquiries open episodes with their deadlines; episodes move only along the state table;
the worklists show what is due (INT-1..7, DEC-4)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bedring.clients.models import Client
from bedring.core.errors import Conflict, NotFound, ValidationFailed
from bedring.core.roles import Role
from bedring.pathway.models import Deadline, Episode, EpisodeEvent, Inquiry
from bedring.pathway.services import episode as services
from bedring.pathway.timeline import record_event
from tests.conftest import api_headers, login
from tests.pathway.conftest import at, days_ago

D = datetime.date


def test_phone_inquiry_opens_an_episode_with_the_14_day_guarantee(
    dk_client, counsellor, org_dk, client
):
    """INT-1, INT-5: channel, referrer and time recorded; the start deadline computed and shown."""
    # Given a counsellor at Sønderborg
    login(client, counsellor)
    site = org_dk.sites.get(slug="kongevej")
    # When she records a phone inquiry referred by the GP on Tuesday 17 November at 10:00
    response = client.post(
        reverse("pathway:inquiry_new") + f"?client={dk_client.uuid}",
        {
            "client": str(dk_client.uuid),
            "channel": "phone",
            "referrer": "gp",
            "referrer_name": "Dr. Test",
            "received_at": "2026-11-17T10:00",
            "site": str(site.uuid),
            "assign_to": str(counsellor.pk),
        },
    )
    # Then an episode is open with the treatment start due on 1 December, shown on its page
    assert response.status_code == 302
    episode = Episode.objects.get(client=dk_client)
    inquiry = Inquiry.objects.get(episode=episode)
    assert (inquiry.channel, inquiry.referrer, inquiry.referrer_name) == ("phone", "gp", "Dr. Test")
    assert inquiry.received_at == at(org_dk, 2026, 11, 17, 10, 0)
    assert not inquiry.outside_hours
    assert episode.responsible == counsellor
    deadline = Deadline.objects.get(episode=episode)
    assert (deadline.kind, deadline.due_on) == ("treatment_start", D(2026, 12, 1))
    page = client.get(response["Location"]).content.decode()
    assert "Dec. 1, 2026" in page
    assert "treatment guarantee" in page


def test_inquiry_form_refuses_a_time_in_the_future_and_writes_nothing(
    dk_client, counsellor, org_dk, client
):
    login(client, counsellor)
    site = org_dk.sites.get(slug="kongevej")
    response = client.post(
        reverse("pathway:inquiry_new"),
        {
            "client": str(dk_client.uuid),
            "channel": "phone",
            "referrer": "self",
            "received_at": "2099-01-01T10:00",
            "site": str(site.uuid),
        },
    )
    assert response.status_code == 422
    assert "cannot be received in the future" in response.content.decode()
    assert not Episode.objects.exists()
    assert not Inquiry.objects.exists()


def test_inquiry_form_refuses_an_impossible_date(dk_client, counsellor, org_dk, client):
    login(client, counsellor)
    site = org_dk.sites.get(slug="kongevej")
    response = client.post(
        reverse("pathway:inquiry_new"),
        {
            "client": str(dk_client.uuid),
            "channel": "phone",
            "referrer": "self",
            "received_at": "2026-02-30T10:00",
            "site": str(site.uuid),
        },
    )
    assert response.status_code == 422
    assert not Episode.objects.exists()


def test_norwegian_call_after_phone_hours_on_friday_is_called_back_on_monday_through_the_api(
    org_no, make_staff, make_client, client
):
    """INT-6 through the API: a call at 16:30 on Friday (phone hours 09-15) is called back on
    Monday; the first contact is due within 3 working days; the mapping period ends in 3 months."""
    counsellor = make_staff(org_no, Role.COUNSELLOR)
    person = make_client(org_no)
    site = org_no.sites.get(slug="mo-senteret")
    response = client.post(
        "/api/v1/inquiries",
        {
            "client": str(person.uuid),
            "site": str(site.uuid),
            "channel": "phone",
            "referrer": "relative",
            "received_at": "2026-11-20T16:30:00+01:00",
        },
        content_type="application/json",
        **api_headers(counsellor),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["inquiry"]["outside_hours"] is True
    due = {d["kind"]: d["due_on"] for d in body["episode"]["deadlines"]}
    assert due == {
        "callback": "2026-11-23",
        "first_contact": "2026-11-25",
        "assessment": "2027-02-20",
    }


def test_norwegian_call_within_phone_hours_gets_no_callback(org_no, make_staff, make_client):
    person = make_client(org_no)
    actor = make_staff(org_no, Role.COUNSELLOR)
    inquiry = services.inquiry_register(
        organisation=org_no,
        site=org_no.sites.get(slug="mo-senteret"),
        actor=actor,
        channel="phone",
        referrer="self",
        received_at=at(org_no, 2026, 11, 20, 10, 0),
        client=person,
    )
    assert not inquiry.outside_hours
    assert {d.kind for d in inquiry.episode.deadlines.all()} == {"first_contact", "assessment"}


def test_recording_first_contact_meets_the_callback_and_first_contact_deadlines(
    org_no, make_staff, make_client
):
    person = make_client(org_no)
    actor = make_staff(org_no, Role.COUNSELLOR)
    inquiry = services.inquiry_register(
        organisation=org_no,
        site=org_no.sites.get(slug="mo-senteret"),
        actor=actor,
        channel="phone",
        referrer="self",
        received_at=at(org_no, 2026, 11, 13, 16, 30),
        client=person,
    )
    services.episode_record_first_contact(
        episode=inquiry.episode, actor=actor, at=at(org_no, 2026, 11, 16, 9, 5)
    )
    statuses = {d.kind: d.status for d in inquiry.episode.deadlines.all()}
    assert statuses == {"callback": "met", "first_contact": "met", "assessment": "open"}


def test_walk_in_gets_a_counsellor_the_same_day(dk_client, counsellor, org_dk, make_staff):
    """INT-7: no conditions for presenting; a counsellor can be assigned on the spot."""
    receptionist = make_staff(org_dk, Role.NURSE)
    inquiry = services.inquiry_register(
        organisation=org_dk,
        site=org_dk.sites.get(slug="kongevej"),
        actor=receptionist,
        channel="in_person",
        referrer="self",
        received_at=at(org_dk, 2026, 11, 20, 9, 0),
        client=dk_client,
        walk_in=True,
        assign_to=counsellor,
    )
    assert inquiry.walk_in
    assert inquiry.episode.responsible == counsellor
    assert Deadline.objects.get(episode=inquiry.episode).responsible == counsellor
    kinds = list(
        EpisodeEvent.objects.filter(episode=inquiry.episode).values_list("kind", flat=True)
    )
    assert kinds == ["inquiry", "assigned"]


def test_anonymous_open_counselling_records_no_person(org_dk, counsellor):
    """INT-2: anonymous counselling needs no authorisation; nothing personal is recorded."""
    inquiry = services.inquiry_register(
        organisation=org_dk,
        site=org_dk.sites.get(slug="kongevej"),
        actor=counsellor,
        channel="in_person",
        referrer="self",
        received_at=at(org_dk, 2026, 11, 20, 9, 0),
        anonymous_counselling=True,
    )
    assert inquiry.client is None and inquiry.episode is None
    assert not Episode.objects.exists()
    assert not Client.objects.exists()


def test_a_second_inquiry_while_an_episode_is_open_is_refused(dk_episode, counsellor, org_dk):
    with pytest.raises(Conflict) as refused:
        services.inquiry_register(
            organisation=org_dk,
            site=org_dk.sites.get(slug="kongevej"),
            actor=counsellor,
            channel="phone",
            referrer="self",
            received_at=at(org_dk, 2026, 11, 20, 9, 0),
            client=dk_episode.client,
        )
    assert refused.value.code == "episode_open"
    assert Episode.objects.count() == 1


def test_a_client_of_another_organisation_cannot_be_given_an_inquiry(
    org_dk, org_no, make_client, counsellor
):
    stranger = make_client(org_no)
    with pytest.raises(NotFound):
        services.inquiry_register(
            organisation=org_dk,
            site=org_dk.sites.get(slug="kongevej"),
            actor=counsellor,
            channel="phone",
            referrer="self",
            received_at=at(org_dk, 2026, 11, 20, 9, 0),
            client=stranger,
        )
    assert not Episode.objects.exists()


def test_a_returning_client_opens_a_new_episode_linked_to_the_earlier_one(
    dk_episode, counsellor, org_dk
):
    services.episode_withdraw(episode=dk_episode, actor=counsellor, reason="Referred to the GP")
    again = services.inquiry_register(
        organisation=org_dk,
        site=org_dk.sites.get(slug="kongevej"),
        actor=counsellor,
        channel="phone",
        referrer="self",
        received_at=at(org_dk, 2026, 11, 20, 9, 0),
        client=dk_episode.client,
    )
    assert again.episode.previous_episode == dk_episode


def test_free_choice_waives_the_start_guarantee(dk_episode, counsellor):
    """DEC-4: the start deadline is waived, not breached."""
    services.episode_free_choice(
        episode=dk_episode, actor=counsellor, provider="Another centre", on=D(2026, 11, 20)
    )
    deadline = Deadline.objects.get(episode=dk_episode, kind="treatment_start")
    assert deadline.status == "waived"
    assert "Another centre" in deadline.note


def test_free_choice_needs_the_provider(dk_episode, counsellor):
    with pytest.raises(ValidationFailed) as refused:
        services.episode_free_choice(episode=dk_episode, actor=counsellor, provider="  ")
    assert refused.value.code == "provider_required"
    assert Deadline.objects.get(episode=dk_episode).status == "open"


def test_starting_treatment_from_an_inquiry_is_a_bad_transition_in_the_api(
    dk_episode, counsellor, client
):
    """The state table: inquiry -> active is not a move; the API answers 409 bad_transition."""
    response = client.post(
        f"/api/v1/episodes/{dk_episode.uuid}/start",
        {},
        content_type="application/json",
        **api_headers(counsellor),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "bad_transition"
    dk_episode.refresh_from_db()
    assert dk_episode.state == "inquiry"


def test_a_bad_transition_in_the_ui_is_a_message_not_an_error_page(dk_episode, counsellor, client):
    login(client, counsellor)
    response = client.post(
        reverse("pathway:episode_start", args=[dk_episode.uuid]), {"on": "2026-11-20"}, follow=True
    )
    assert response.status_code == 200
    assert "cannot move to" in response.content.decode()


def test_ending_an_episode_cancels_what_was_due(dk_episode, counsellor):
    services.episode_withdraw(episode=dk_episode, actor=counsellor, reason="Changed their mind")
    dk_episode.refresh_from_db()
    assert dk_episode.state == "withdrawn"
    assert Deadline.objects.get(episode=dk_episode).status == "cancelled"
    with pytest.raises(Conflict):
        services.episode_begin_assessment(episode=dk_episode, actor=counsellor)


def test_the_outsider_gets_404_for_episode_pages_and_api(dk_episode, outsider, client):
    login(client, outsider)
    assert client.get(reverse("pathway:episode", args=[dk_episode.uuid])).status_code == 404
    response = client.get(f"/api/v1/episodes/{dk_episode.uuid}", **api_headers(outsider))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_worklist_shows_my_deadlines_overdue_first_and_the_dashboard_counts_them(
    org_dk, counsellor, make_client, open_episode, client
):
    """The worklist: every open deadline with its due date, overdue first, filterable by site.
    The DK treatment guarantee is 14 days: an inquiry 53 days ago is overdue, 3 days ago not."""
    early = open_episode(
        make_client(org_dk), received_at=days_ago(org_dk, 53), assign_to=counsellor
    )
    late = open_episode(make_client(org_dk), received_at=days_ago(org_dk, 3), assign_to=counsellor)
    other = open_episode(make_client(org_dk), received_at=days_ago(org_dk, 4))
    login(client, counsellor)
    page = client.get(reverse("pathway:worklist")).content.decode()
    assert page.index(str(early.uuid)) < page.index(str(late.uuid))
    assert str(other.uuid) not in page
    everyone = client.get(reverse("pathway:worklist") + "?scope=all").content.decode()
    assert str(other.uuid) in everyone
    dashboard = client.get("/").content.decode()
    assert 'data-testid="dash-my-overdue">1 overdue' in dashboard


def test_worklist_site_filter_and_a_bad_site_value(
    org_dk, counsellor, make_client, open_episode, client
):
    open_episode(make_client(org_dk), assign_to=counsellor)
    login(client, counsellor)
    lykken = org_dk.sites.get(slug="lykken")
    assert (
        "Nothing is due"
        in client.get(reverse("pathway:worklist") + f"?site={lykken.uuid}").content.decode()
    )
    assert client.get(reverse("pathway:worklist") + "?site=not-a-uuid").status_code == 200


def test_worklist_query_count_does_not_grow_with_the_number_of_deadlines(
    org_dk, counsellor, make_client, open_episode, client
):
    login(client, counsellor)
    open_episode(make_client(org_dk), assign_to=counsellor)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("pathway:worklist") + "?scope=all").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(200):
        open_episode(make_client(org_dk), assign_to=counsellor)
    assert count() == few
    # 201 deadlines, 100 a page, overdue first
    page = client.get(reverse("pathway:worklist") + "?scope=all&page=3").content.decode()
    assert "Page 3 of 3" in page


def test_episode_page_query_count_is_bounded_with_a_long_history(dk_episode, counsellor, client):
    login(client, counsellor)
    url = reverse("pathway:episode", args=[dk_episode.uuid])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(300):
        record_event(episode=dk_episode, actor=counsellor, kind="note", summary=f"event {i}")
    assert count() == few


def test_client_pathway_tab_lists_episodes_with_a_bounded_query_count(
    dk_client, counsellor, org_dk, client
):
    login(client, counsellor)
    url = reverse("pathway:client_episodes", args=[dk_client.uuid])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    none = count()
    for day in range(1, 201):
        inquiry = services.inquiry_register(
            organisation=org_dk,
            site=org_dk.sites.get(slug="kongevej"),
            actor=counsellor,
            channel="phone",
            referrer="self",
            received_at=at(org_dk, 2026, 1, 1, 9, 0) + datetime.timedelta(days=day),
            client=dk_client,
        )
        services.episode_withdraw(episode=inquiry.episode, actor=counsellor, reason="test")
    assert count() == none
    assert "Timeline" in client.get(url).content.decode()


def test_treatment_starts_only_after_a_grant_and_meets_the_guarantee(
    dk_episode, counsellor, authority, doctor
):
    """INT-5, DEC-1: a refusal does not start treatment; a grant does, and the start deadline
    is met. A doctor's medical decision during treatment keeps the episode active."""
    from bedring.pathway.services.decision import decision_make

    services.episode_begin_assessment(episode=dk_episode, actor=counsellor)
    decision_make(
        episode=dk_episode,
        actor=authority,
        kind="treatment",
        outcome="refused",
        justification="Not enough information yet.",
        decided_on=D(2026, 11, 18),
    )
    with pytest.raises(Conflict) as refused:
        services.episode_start_treatment(episode=dk_episode, actor=counsellor, on=D(2026, 11, 20))
    assert refused.value.code == "not_granted"
    decision_make(
        episode=dk_episode,
        actor=authority,
        kind="treatment",
        outcome="granted",
        justification="Outpatient treatment fits.",
        decided_on=D(2026, 11, 19),
    )
    services.episode_start_treatment(episode=dk_episode, actor=counsellor, on=D(2026, 11, 20))
    dk_episode.refresh_from_db()
    assert (dk_episode.state, dk_episode.started_on) == ("active", D(2026, 11, 20))
    assert Deadline.objects.get(episode=dk_episode, kind="treatment_start").status == "met"
    decision_make(
        episode=dk_episode,
        actor=doctor,
        kind="medical",
        outcome="granted",
        justification="Substitution indicated.",
        decided_on=D(2026, 11, 21),
    )
    dk_episode.refresh_from_db()
    assert dk_episode.state == "active"


def test_the_timeline_names_the_state_in_the_users_language(dk_episode, counsellor, client):
    services.episode_begin_assessment(episode=dk_episode, actor=counsellor)
    login(client, counsellor)
    page = client.get(reverse("pathway:episode", args=[dk_episode.uuid])).content.decode()
    assert "State: Assessment" in page
    assert "State: assessment" not in page


def test_team_view_shows_my_teams_and_unassigned_deadlines_not_another_teams(
    org_dk, make_staff, make_client, open_episode, client
):
    """The team view of the worklist: my team's deadlines and the unassigned ones."""
    from bedring.accounts.models import Membership, Team

    north, south = (Team.objects.create(organisation=org_dk, name=n) for n in ("North", "South"))
    me, colleague, other = (make_staff(org_dk, Role.COUNSELLOR) for _ in range(3))
    Membership.objects.filter(user__in=[me, colleague]).update(team=north)
    Membership.objects.filter(user=other).update(team=south)
    mine = open_episode(make_client(org_dk), assign_to=me)
    theirs = open_episode(make_client(org_dk), assign_to=colleague)
    unassigned = open_episode(make_client(org_dk))
    elsewhere = open_episode(make_client(org_dk), assign_to=other)
    login(client, me)
    page = client.get(reverse("pathway:worklist") + "?scope=team").content.decode()
    # By the episode's link: two synthetic clients may share a name.
    for shown in (mine, theirs, unassigned):
        assert str(shown.uuid) in page
    assert str(elsewhere.uuid) not in page
    api = client.get("/api/v1/deadlines?scope=team", **api_headers(me)).json()
    assert {d["episode"] for d in api} == {str(e.uuid) for e in (mine, theirs, unassigned)}
    assert (
        client.get("/api/v1/deadlines?limit=0", **api_headers(me)).json()["code"] == "invalid_page"
    )
