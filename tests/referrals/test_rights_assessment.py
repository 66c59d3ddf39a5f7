"""REF-1 (NO): a referral to the specialist health service has the patient's rights assessed
within 10 working days of its receipt (pasient- og brukerrettighetsloven § 2-2): a worklist
deadline in Norwegian working days, closed by the recorded outcome."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from bedring.core import clock
from bedring.core.calendar import working_days_between
from bedring.core.errors import Conflict, DomainError, ValidationFailed
from bedring.pathway.models import Deadline
from bedring.referrals import services
from tests.referrals.conftest import consent, days_ago, partner

MONDAY_BEFORE_EASTER_2026 = datetime.date(2026, 3, 30)


def tsb_referral(client, actor, *, send_on: datetime.date):
    return services.referral_create(
        client=client,
        actor=actor,
        partner=partner(client.organisation, "tsb-helse-stavanger"),
        reason="Needs inpatient detoxification",
        send_on=send_on,
    )


def test_the_rights_deadline_counts_norwegian_working_days_from_the_receipt(
    org_no, make_client, counsellor_no, open_episode, frozen_clock
):
    """Received on the Monday before Easter 2026: Maundy Thursday, Good Friday and Easter
    Monday are public holidays in Norway, so the tenth working day is Thursday 16 April, 17
    calendar days later."""
    frozen_clock.move_to(datetime.datetime(2026, 4, 20, 10, 0, tzinfo=datetime.UTC))
    with time_machine.travel(datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC)):
        no_client = make_client(org_no)
        open_episode(no_client, days=5)
        consent(no_client, "specialist", since_days=10)
    referral = tsb_referral(no_client, counsellor_no, send_on=datetime.date(2026, 3, 27))
    services.referral_update(
        referral=referral, actor=counsellor_no, status="received", on=MONDAY_BEFORE_EASTER_2026
    )
    deadline = Deadline.objects.get(kind="rights_assessment", subject_id=referral.pk)
    assert deadline.due_on == datetime.date(2026, 4, 16)
    assert working_days_between(MONDAY_BEFORE_EASTER_2026, deadline.due_on, "NO") == 10
    assert deadline.basis["law"] == "pasient- og brukerrettighetsloven § 2-2"
    assert deadline.basis["value"] == 10
    referral.refresh_from_db()
    assert referral.rights_due_on == datetime.date(2026, 4, 16)


def test_recording_the_rights_closes_the_deadline(no_client, counsellor_no, open_episode):
    open_episode(no_client)
    consent(no_client, "specialist")
    org = no_client.organisation
    referral = tsb_referral(no_client, counsellor_no, send_on=days_ago(org, 9))
    services.referral_update(
        referral=referral, actor=counsellor_no, status="received", on=days_ago(org, 8)
    )
    latest = clock.today(org) + datetime.timedelta(weeks=6)
    services.referral_rights_record(
        referral=referral,
        actor=counsellor_no,
        assessed_on=days_ago(org, 1),
        granted=True,
        latest_start_on=latest,
    )
    deadline = Deadline.objects.get(kind="rights_assessment", subject_id=referral.pk)
    assert deadline.status == "met"
    referral.refresh_from_db()
    assert (referral.rights_outcome, referral.rights_latest_start_on) == ("granted", latest)
    with pytest.raises(Conflict) as caught:
        services.referral_rights_record(
            referral=referral, actor=counsellor_no, assessed_on=clock.today(org), granted=False
        )
    assert caught.value.code == "rights_already_recorded"


def test_a_reply_without_a_recorded_receipt_starts_the_rights_assessment(
    no_client, counsellor_no, open_episode
):
    open_episode(no_client)
    consent(no_client, "specialist")
    org = no_client.organisation
    referral = tsb_referral(no_client, counsellor_no, send_on=days_ago(org, 3))
    services.referral_update(
        referral=referral, actor=counsellor_no, status="accepted", on=days_ago(org, 1)
    )
    referral.refresh_from_db()
    assert referral.received_on == days_ago(org, 1)
    assert Deadline.objects.filter(
        kind="rights_assessment", subject_id=referral.pk, status="open"
    ).exists()
    assert Deadline.objects.get(kind="referral_reply", subject_id=referral.pk).status == "met"


@pytest.mark.parametrize(
    ("granted", "latest_days", "code"),
    [
        (True, None, "rights_start_required"),
        (True, -5, "rights_start_before_assessment"),
        (False, 10, "rights_start_not_granted"),
    ],
)
def test_a_right_comes_with_its_latest_start_and_a_refusal_without(
    no_client, counsellor_no, granted, latest_days, code
):
    consent(no_client, "specialist")
    org = no_client.organisation
    referral = tsb_referral(no_client, counsellor_no, send_on=days_ago(org, 5))
    services.referral_update(
        referral=referral, actor=counsellor_no, status="received", on=days_ago(org, 4)
    )
    latest = None if latest_days is None else clock.today(org) + datetime.timedelta(latest_days)
    with pytest.raises(ValidationFailed) as caught:
        services.referral_rights_record(
            referral=referral,
            actor=counsellor_no,
            assessed_on=clock.today(org),
            granted=granted,
            latest_start_on=latest,
        )
    assert caught.value.code == code
    referral.refresh_from_db()
    assert referral.rights_outcome == ""


def test_the_rights_need_the_receipt_first(no_client, counsellor_no):
    consent(no_client, "specialist")
    org = no_client.organisation
    referral = tsb_referral(no_client, counsellor_no, send_on=days_ago(org, 5))
    with pytest.raises(Conflict) as caught:
        services.referral_rights_record(
            referral=referral, actor=counsellor_no, assessed_on=clock.today(org), granted=False
        )
    assert caught.value.code == "rights_not_received"


def test_no_rights_assessment_for_a_danish_referral(dk_client, counsellor_dk, open_episode):
    open_episode(dk_client)
    consent(dk_client, "psychiatry")
    org = dk_client.organisation
    referral = services.referral_create(
        client=dk_client,
        actor=counsellor_dk,
        partner=partner(org, "behandlingspsykiatrien"),
        reason="Assessment of depression",
        send_on=days_ago(org, 3),
    )
    services.referral_update(
        referral=referral, actor=counsellor_dk, status="received", on=days_ago(org, 2)
    )
    assert not Deadline.objects.filter(kind="rights_assessment").exists()
    with pytest.raises(DomainError) as caught:
        services.referral_rights_record(
            referral=referral, actor=counsellor_dk, assessed_on=clock.today(org), granted=False
        )
    assert caught.value.code == "rights_not_applicable"
