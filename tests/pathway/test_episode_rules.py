"""Rules of the episode that protect duties owed to the client and to children, and dates
that must make sense (DEC-1, DEC-2, DEC-6, DEC-7, INT-5, INT-7, PRV-1)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bedring.audit.models import AccessEvent
from bedring.core import clock
from bedring.core.errors import Conflict, ValidationFailed
from bedring.core.roles import Role
from bedring.pathway.models import Deadline, Episode
from bedring.pathway.services import episode as services
from bedring.pathway.services.decision import (
    child_concern_record,
    complaint_register,
    decision_make,
)
from tests.conftest import api_headers, login
from tests.pathway.conftest import at

D = datetime.date


def test_ending_an_episode_keeps_the_duties_owed_to_the_client_and_children(
    dk_episode, counsellor, authority
):
    """DEC-2, DEC-6, DEC-7: a refusal's letter, a complaint's re-evaluation and a child
    notification stay due after the client stops coming; the course's own deadlines end."""
    services.episode_begin_assessment(episode=dk_episode, actor=counsellor)
    refusal = decision_make(
        episode=dk_episode,
        actor=authority,
        kind="treatment",
        outcome="refused",
        justification="Not now.",
        decided_on=D(2026, 11, 18),
    )
    complaint_register(
        decision=refusal,
        actor=counsellor,
        kind="decision",
        text="I disagree.",
        received_on=D(2026, 11, 19),
    )
    child_concern_record(
        episode=dk_episode, actor=counsellor, concern="School absence.", noted_on=D(2026, 11, 19)
    )
    services.episode_withdraw(episode=dk_episode, actor=counsellor, reason="Did not come back")
    statuses = dict(Deadline.objects.filter(episode=dk_episode).values_list("kind", "status"))
    assert statuses["treatment_start"] == "cancelled"
    assert statuses["decision_letter"] == "open"
    assert statuses["complaint_reevaluation"] == "open"
    assert statuses["child_notification"] == "open"


def test_a_doctors_medical_grant_does_not_start_treatment_the_authority_refused(
    dk_episode, counsellor, authority, doctor
):
    """DEC-1: only a grant of treatment by the authority starts treatment."""
    services.episode_begin_assessment(episode=dk_episode, actor=counsellor)
    decision_make(
        episode=dk_episode,
        actor=authority,
        kind="treatment",
        outcome="refused",
        justification="Not now.",
        decided_on=D(2026, 11, 18),
    )
    decision_make(
        episode=dk_episode,
        actor=doctor,
        kind="medical",
        outcome="granted",
        justification="Medication indicated.",
        decided_on=D(2026, 11, 18),
    )
    with pytest.raises(Conflict) as refused:
        services.episode_start_treatment(episode=dk_episode, actor=counsellor, on=D(2026, 11, 19))
    assert refused.value.code == "not_granted"
    dk_episode.refresh_from_db()
    assert dk_episode.state == "decided"
    assert Deadline.objects.get(episode=dk_episode, kind="treatment_start").status == "open"


def test_treatment_cannot_be_recorded_as_started_in_the_future(dk_episode, counsellor, authority):
    services.episode_begin_assessment(episode=dk_episode, actor=counsellor)
    decision_make(
        episode=dk_episode,
        actor=authority,
        kind="treatment",
        outcome="granted",
        justification="Fits.",
        decided_on=D(2026, 11, 18),
    )
    future = clock.today(dk_episode.organisation) + datetime.timedelta(days=10)
    with pytest.raises(ValidationFailed) as refused:
        services.episode_start_treatment(episode=dk_episode, actor=counsellor, on=future)
    assert refused.value.code == "start_in_future"
    assert Deadline.objects.get(episode=dk_episode, kind="treatment_start").status == "open"


def test_first_contact_before_the_inquiry_and_a_free_choice_outside_the_episode_are_refused(
    dk_episode, counsellor, org_dk
):
    with pytest.raises(ValidationFailed) as refused:
        services.episode_record_first_contact(
            episode=dk_episode, actor=counsellor, at=at(org_dk, 2026, 11, 1, 9)
        )
    assert refused.value.code == "contact_before_inquiry"
    with pytest.raises(ValidationFailed) as refused:
        services.episode_free_choice(
            episode=dk_episode, actor=counsellor, provider="X", on=D(2026, 1, 1)
        )
    assert refused.value.code == "free_choice_date"
    assert Deadline.objects.get(episode=dk_episode).status == "open"


def test_an_implausibly_old_inquiry_date_is_a_form_error_not_a_crash(
    dk_client, counsellor, org_dk, client
):
    login(client, counsellor)
    response = client.post(
        reverse("pathway:inquiry_new"),
        {
            "client": str(dk_client.uuid),
            "channel": "phone",
            "referrer": "self",
            "received_at": "0001-01-01T00:10",
            "site": str(org_dk.sites.get(slug="kongevej").uuid),
        },
    )
    assert response.status_code == 422
    assert not Episode.objects.exists()


def test_only_staff_who_may_read_records_can_be_responsible(
    dk_episode, counsellor, org_dk, make_staff
):
    """INT-7: a peer worker or administrator cannot hold a client's deadlines."""
    peer = make_staff(org_dk, Role.PEER_WORKER)
    with pytest.raises(ValidationFailed) as refused:
        services.episode_assign(episode=dk_episode, actor=counsellor, responsible=peer)
    assert refused.value.code == "assignee_not_staff"


def test_the_worklist_logs_each_client_it_shows(
    org_dk, counsellor, make_client, open_episode, client
):
    """PRV-1: the worklist shows who is in treatment; every client shown is a logged access."""
    shown = open_episode(make_client(org_dk), assign_to=counsellor)
    login(client, counsellor)
    client.get(reverse("pathway:worklist"))
    assert (
        AccessEvent.objects.filter(client=shown.client, view="worklist", actor=counsellor).count()
        == 1
    )


def test_the_client_episodes_api_has_a_bounded_query_count(dk_client, counsellor, org_dk, client):
    headers = api_headers(counsellor)
    url = f"/api/v1/clients/{dk_client.uuid}/episodes"

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, **headers).status_code == 200
        return len(ctx.captured_queries)

    services.episode_withdraw(
        episode=services.inquiry_register(
            organisation=org_dk,
            site=org_dk.sites.get(slug="kongevej"),
            actor=counsellor,
            channel="phone",
            referrer="self",
            received_at=at(org_dk, 2026, 1, 5, 9),
            client=dk_client,
        ).episode,
        actor=counsellor,
        reason="test",
    )
    client.get(url, **headers)  # the token's first use of the minute writes last_used_at
    one = count()
    for day in range(6, 30):
        inquiry = services.inquiry_register(
            organisation=org_dk,
            site=org_dk.sites.get(slug="kongevej"),
            actor=counsellor,
            channel="phone",
            referrer="self",
            received_at=at(org_dk, 2026, 1, day, 9),
            client=dk_client,
        )
        services.episode_withdraw(episode=inquiry.episode, actor=counsellor, reason="test")
    assert count() == one


def test_an_enormous_number_answer_is_refused_not_a_crash(dk_episode, counsellor, client):
    from bedring.pathway.services.assessment import assessment_start

    assessment = assessment_start(
        episode=dk_episode, actor=counsellor, conducted_on=D(2026, 11, 18)
    )
    number_keys = [q["key"] for q in assessment.question_set.questions if q["type"] == "number"]
    assert number_keys, "the Danish question set has a number question"
    for value in ("1e400", "NaN", str(10**30)):
        response = client.put(
            f"/api/v1/assessments/{assessment.uuid}/answers",
            data=f'{{"answers": {{"{number_keys[0]}": {value}}}}}',
            content_type="application/json",
            **api_headers(counsellor),
        )
        assert response.status_code == 422, (value, response.content)
