"""REF-1: a referral out relies on the client's consent, moves only along its status table,
and its reply deadline opens when it is sent and closes when the reply comes."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from bedring.clients import services as client_services
from bedring.core import clock
from bedring.core.errors import Conflict, DomainError, ValidationFailed
from bedring.documents import services as document_services
from bedring.pathway.models import Deadline
from bedring.referrals import services
from bedring.referrals.models import Referral, ReferralEvent
from tests.conftest import login
from tests.documents.files import pdf_bytes, upload
from tests.referrals.conftest import consent, days_ago, partner


def refer(client, actor, key="egen-laege", **extra):
    values = {"reason": "Medication review with the GP", "text": "Dear colleague …", **extra}
    return services.referral_create(
        client=client, actor=actor, partner=partner(client.organisation, key), **values
    )


def test_a_referral_without_a_consent_for_the_partner_is_refused_and_nothing_is_written(
    dk_client, counsellor_dk
):
    consent(dk_client, "psychiatry")  # another party
    with pytest.raises(ValidationFailed) as caught:
        refer(dk_client, counsellor_dk)
    assert caught.value.code == "consent_missing"
    assert caught.value.field == "consent"
    assert caught.value.details == {"partner": "egen-laege", "party": "gp"}
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    "make",
    [
        lambda c: client_services.consent_withdraw(consent=consent(c, "gp"), reason="Changed mind"),
        lambda c: consent(c, "gp", since_days=90, valid_until=days_ago(c.organisation, 1)),
        lambda c: consent(c, "gp", since_days=-3),  # starts in three days
        lambda c: consent(c, "gp", party_name="Another doctor entirely"),
    ],
    ids=["withdrawn", "expired", "not-yet", "names-someone-else"],
)
def test_a_consent_that_is_not_valid_for_the_partner_today_does_not_count(
    dk_client, counsellor_dk, make
):
    make(dk_client)
    with pytest.raises(ValidationFailed) as caught:
        refer(dk_client, counsellor_dk)
    assert caught.value.code == "consent_missing"


def test_an_unnamed_other_consent_does_not_cover_a_residential_institution(
    dk_client, counsellor_dk
):
    consent(dk_client, "other")
    with pytest.raises(ValidationFailed) as caught:
        refer(dk_client, counsellor_dk, key="doegnbehandling")
    assert caught.value.code == "consent_missing"
    named = consent(
        dk_client, "other", party_name="Døgnbehandlingstilbud  godkendt på tilbudsportalen"
    )
    assert refer(dk_client, counsellor_dk, key="doegnbehandling").consent == named


def test_a_consent_chosen_that_does_not_cover_the_partner_is_named_as_such(
    dk_client, counsellor_dk
):
    psychiatry = consent(dk_client, "psychiatry")
    consent(dk_client, "gp")
    with pytest.raises(ValidationFailed) as caught:
        refer(dk_client, counsellor_dk, consent=psychiatry)
    assert caught.value.code == "consent_not_covering"


def test_a_draft_is_sent_later_and_the_reply_deadline_opens_on_the_worklist(
    dk_client, counsellor_dk, open_episode
):
    episode = open_episode(dk_client, responsible=counsellor_dk)
    given = consent(dk_client, "gp")
    referral = refer(dk_client, counsellor_dk)
    assert referral.status == "draft"
    assert referral.consent == given
    assert not Deadline.objects.filter(kind="referral_reply").exists()
    sent_on = days_ago(dk_client.organisation, 2)
    services.referral_update(referral=referral, actor=counsellor_dk, status="sent", on=sent_on)
    deadline = Deadline.objects.get(kind="referral_reply", subject_id=referral.pk)
    assert deadline.episode == episode
    assert deadline.responsible == counsellor_dk
    assert deadline.due_on == sent_on + datetime.timedelta(days=14)  # egen-laege: 14 days
    assert deadline.basis["req"] == "REF-1"
    referral.refresh_from_db()
    assert referral.reply_due_on == deadline.due_on
    # and the counsellor's worklist shows it, linked to the client's referrals
    http = login(HttpClient(), counsellor_dk)
    page = http.get(reverse("pathway:worklist")).content.decode()
    (row,) = [r for r in page.split("<tr") if "Referral reply" in r]
    assert dk_client.display_name in row
    assert "Referral reply" in row
    assert reverse("referrals:client", args=[dk_client.uuid]) in row


def test_the_reply_closes_the_deadline_met_or_met_late(dk_client, counsellor_dk, open_episode):
    open_episode(dk_client)
    consent(dk_client, "gp", since_days=100)
    on_time = refer(dk_client, counsellor_dk, send_on=days_ago(dk_client.organisation, 5))
    services.referral_update(
        referral=on_time,
        actor=counsellor_dk,
        status="accepted",
        on=days_ago(dk_client.organisation, 1),
        note="Seen next week",
    )
    assert Deadline.objects.get(subject_id=on_time.pk, kind="referral_reply").status == "met"
    late = refer(dk_client, counsellor_dk, send_on=days_ago(dk_client.organisation, 30))
    services.referral_update(
        referral=late,
        actor=counsellor_dk,
        status="refused",
        on=days_ago(dk_client.organisation, 1),
        note="No capacity",
    )
    assert Deadline.objects.get(subject_id=late.pk, kind="referral_reply").status == "missed"
    late.refresh_from_db()
    assert (late.status, late.reply_note) == ("refused", "No capacity")


def test_without_an_open_episode_the_referral_keeps_its_due_day_but_no_worklist_row(
    dk_client, counsellor_dk
):
    consent(dk_client, "gp")
    referral = refer(dk_client, counsellor_dk, send_on=clock.today(dk_client.organisation))
    assert referral.reply_due_on is not None
    assert referral.episode is None
    assert not Deadline.objects.filter(subject_id=referral.pk).exists()


@pytest.mark.parametrize(
    ("steps", "bad"),
    [
        ([], "accepted"),  # a draft is sent first
        ([("refused", "No")], "accepted"),  # refused is final
        ([("withdrawn", "Client moved")], "received"),
        ([("accepted", "")], "received"),
    ],
    ids=["draft-accepted", "refused-accepted", "withdrawn-received", "accepted-received"],
)
def test_a_step_the_table_does_not_allow_is_409_and_changes_nothing(
    dk_client, counsellor_dk, steps, bad
):
    consent(dk_client, "gp")
    today = clock.today(dk_client.organisation)
    referral = refer(dk_client, counsellor_dk, send_on=None if not steps else today)
    for status, note in steps:
        services.referral_update(
            referral=referral, actor=counsellor_dk, status=status, on=today, note=note
        )
    referral.refresh_from_db()
    before = (referral.status, referral.updated_at, ReferralEvent.objects.count())
    with pytest.raises(Conflict) as caught:
        services.referral_update(referral=referral, actor=counsellor_dk, status=bad, on=today)
    assert caught.value.code == "referral_transition"
    referral.refresh_from_db()
    assert (referral.status, referral.updated_at, ReferralEvent.objects.count()) == before


@pytest.mark.parametrize(
    ("status", "extra", "code"),
    [
        ("accepted", {"days": -1}, "date_in_future"),
        ("accepted", {"days": 20}, "date_before_sent"),
        ("refused", {}, "reply_note_required"),
        ("appointment", {}, "appointment_required"),
        ("appointment", {"appointment_days": 5}, "appointment_before_reply"),
        ("accepted", {"appointment_days": -5}, "appointment_not_given"),
        ("withdrawn", {}, "withdraw_reason_required"),
        ("poster", {}, "referral_status"),
    ],
)
def test_each_step_checks_its_day_and_note(dk_client, counsellor_dk, status, extra, code):
    consent(dk_client, "gp", since_days=100)
    referral = refer(dk_client, counsellor_dk, send_on=days_ago(dk_client.organisation, 10))
    on = days_ago(dk_client.organisation, extra.get("days", 0))
    appointment_on = (
        days_ago(dk_client.organisation, extra["appointment_days"])
        if "appointment_days" in extra
        else None
    )
    with pytest.raises(DomainError) as caught:
        services.referral_update(
            referral=referral,
            actor=counsellor_dk,
            status=status,
            on=on,
            appointment_on=appointment_on,
        )
    assert caught.value.code == code
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_an_appointment_is_recorded_after_the_acceptance(dk_client, counsellor_dk, open_episode):
    open_episode(dk_client)
    consent(dk_client, "gp", since_days=100)
    today = clock.today(dk_client.organisation)
    referral = refer(dk_client, counsellor_dk, send_on=days_ago(dk_client.organisation, 6))
    services.referral_update(
        referral=referral,
        actor=counsellor_dk,
        status="received",
        on=days_ago(dk_client.organisation, 5),
    )
    services.referral_update(
        referral=referral,
        actor=counsellor_dk,
        status="accepted",
        on=days_ago(dk_client.organisation, 3),
    )
    services.referral_update(
        referral=referral,
        actor=counsellor_dk,
        status="appointment",
        on=today,
        appointment_on=today + datetime.timedelta(days=10),
        note="Thursday 10:00 at the clinic",
    )
    referral.refresh_from_db()
    assert referral.status == "appointment"
    assert referral.replied_on == days_ago(dk_client.organisation, 3)
    assert referral.appointment_on == today + datetime.timedelta(days=10)
    steps = list(referral.events.values_list("step", flat=True))
    assert steps == ["created", "sent", "received", "accepted", "appointment"]


def test_withdrawing_cancels_the_open_deadlines(dk_client, counsellor_dk, open_episode):
    open_episode(dk_client)
    consent(dk_client, "gp")
    today = clock.today(dk_client.organisation)
    referral = refer(dk_client, counsellor_dk, send_on=today)
    services.referral_update(
        referral=referral, actor=counsellor_dk, status="withdrawn", on=today, note="Client moved"
    )
    deadline = Deadline.objects.get(subject_id=referral.pk, kind="referral_reply")
    assert deadline.status == "cancelled"


def test_a_consent_withdrawn_after_the_draft_stops_the_sending(dk_client, counsellor_dk):
    given = consent(dk_client, "gp")
    referral = refer(dk_client, counsellor_dk)
    client_services.consent_withdraw(consent=given, reason="No longer")
    with pytest.raises(ValidationFailed) as caught:
        services.referral_update(
            referral=referral,
            actor=counsellor_dk,
            status="sent",
            on=clock.today(dk_client.organisation),
        )
    assert caught.value.code == "consent_missing"
    referral.refresh_from_db()
    assert referral.status == "draft"
    # A new consent stands in for the withdrawn one.
    renewed = consent(dk_client, "gp", since_days=0)
    services.referral_update(
        referral=referral,
        actor=counsellor_dk,
        status="sent",
        on=clock.today(dk_client.organisation),
    )
    referral.refresh_from_db()
    assert (referral.status, referral.consent) == ("sent", renewed)


def test_documents_sent_with_a_referral_can_no_longer_be_discarded(dk_client, counsellor_dk):
    consent(dk_client, "gp")
    document = document_services.document_upload(
        client=dk_client,
        actor=counsellor_dk,
        upload=upload(pdf_bytes()),
        kind="referral",
        dated_on=clock.today(dk_client.organisation),
        source="Sønderborg",
    )
    referral = refer(
        dk_client, counsellor_dk, documents=[document], send_on=clock.today(dk_client.organisation)
    )
    assert list(referral.documents.all()) == [document]
    document.refresh_from_db()
    assert document.attached
    with pytest.raises(Conflict) as caught:
        document_services.document_discard(document=document, actor=counsellor_dk, reason="x")
    assert caught.value.code == "document_in_use"


def test_a_document_of_another_client_cannot_be_attached(
    dk_client, counsellor_dk, make_client, org_dk
):
    other = make_client(org_dk)
    document = document_services.document_upload(
        client=other,
        actor=counsellor_dk,
        upload=upload(pdf_bytes()),
        kind="letter",
        dated_on=clock.today(org_dk),
        source="GP",
    )
    consent(dk_client, "gp")
    with pytest.raises(ValidationFailed) as caught:
        refer(dk_client, counsellor_dk, documents=[document])
    assert caught.value.code == "document_not_in_record"
    assert not Referral.objects.exists()


def test_a_partner_of_another_organisation_is_not_found(dk_client, counsellor_dk, org_no):
    consent(dk_client, "gp")
    with pytest.raises(DomainError) as caught:
        services.referral_create(
            client=dk_client,
            actor=counsellor_dk,
            partner=partner(org_no, "fastlege"),
            reason="x",
        )
    assert caught.value.code == "partner_not_found"


def test_a_draft_whose_document_was_discarded_is_not_sent(dk_client, counsellor_dk):
    """A draft's documents are not attached yet, so their uploader may still discard one; the
    referral is then refused at sending, not sent without its file."""
    consent(dk_client, "gp")
    document = document_services.document_upload(
        client=dk_client,
        actor=counsellor_dk,
        upload=upload(pdf_bytes()),
        kind="referral",
        dated_on=clock.today(dk_client.organisation),
        source="Sønderborg",
    )
    referral = refer(dk_client, counsellor_dk, documents=[document])
    document_services.document_discard(document=document, actor=counsellor_dk, reason="Wrong")
    with pytest.raises(ValidationFailed) as caught:
        services.referral_update(
            referral=referral,
            actor=counsellor_dk,
            status="sent",
            on=clock.today(dk_client.organisation),
        )
    assert caught.value.code == "document_not_in_record"
    referral.refresh_from_db()
    assert referral.status == "draft"
    assert not Deadline.objects.filter(kind="referral_reply").exists()
