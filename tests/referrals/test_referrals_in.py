"""REF-1, INT-1: a referral in registers an inquiry through the pathway, so the first-contact
deadlines follow; its letter is a document of the client; all or nothing."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.errors import DomainError, ValidationFailed
from bedring.core.roles import Role
from bedring.documents.models import Document
from bedring.pathway.models import Deadline, EpisodeEvent, Inquiry
from bedring.referrals import services
from bedring.referrals.models import IncomingReferral
from tests.documents.files import HTML, pdf_bytes, upload
from tests.referrals.conftest import files_in


def received(organisation, days_ago: int = 1, hour: int = 11) -> datetime.datetime:
    day = clock.today(organisation) - datetime.timedelta(days=days_ago)
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=ZoneInfo(organisation.time_zone)
    )


def main_site(organisation):
    return organisation.sites.get(kind="main")


def test_a_gp_referral_registers_an_inquiry_with_its_first_contact_deadline(
    no_client, counsellor_no
):
    org = no_client.organisation
    incoming = services.referral_in_record(
        organisation=org,
        actor=counsellor_no,
        referrer="gp",
        referrer_name="Dr. Berg, Sandnes legesenter",
        received_at=received(org),
        reason="Alcohol use, asks for help",
        site=main_site(org),
        client=no_client,
        letter_file=upload(pdf_bytes(), "henvisning.pdf"),
        assign_to=counsellor_no,
    )
    inquiry = incoming.inquiry
    assert inquiry is not None
    assert (inquiry.channel, inquiry.referrer, inquiry.referrer_name) == (
        "referral",
        "gp",
        "Dr. Berg, Sandnes legesenter",
    )
    assert incoming.episode == inquiry.episode
    first = Deadline.objects.get(episode=incoming.episode, kind="first_contact")
    assert first.status == "open"
    assert first.responsible == counsellor_no
    letter = incoming.letter
    assert letter is not None
    assert (letter.kind, letter.source, letter.attached) == (
        "referral",
        "Dr. Berg, Sandnes legesenter",
        True,
    )


def test_a_danish_referral_in_starts_the_treatment_guarantee(dk_client, counsellor_dk):
    org = dk_client.organisation
    incoming = services.referral_in_record(
        organisation=org,
        actor=counsellor_dk,
        referrer="hospital",
        received_at=received(org, days_ago=2),
        site=main_site(org),
        client=dk_client,
    )
    due = Deadline.objects.get(episode=incoming.episode, kind="treatment_start").due_on
    assert due == clock.today(org) - datetime.timedelta(days=2) + datetime.timedelta(days=14)


def test_a_new_person_is_registered_with_the_referral(org_no, counsellor_no, documents_dir):
    incoming = services.referral_in_record(
        organisation=org_no,
        actor=counsellor_no,
        referrer="other_agency",
        referrer_name="Stavanger kommune",
        received_at=received(org_no),
        site=main_site(org_no),
        new_client={"first_name": "Synne", "last_name": "Test", "sex": "female"},
    )
    assert incoming.client.display_name == "Synne Test"
    assert incoming.client.organisation == org_no
    assert incoming.inquiry is not None


def test_a_refused_letter_leaves_no_client_no_inquiry_no_document_and_no_file(
    org_no, counsellor_no, documents_dir
):
    clients, inquiries = Client.objects.count(), Inquiry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        services.referral_in_record(
            organisation=org_no,
            actor=counsellor_no,
            referrer="gp",
            received_at=received(org_no),
            site=main_site(org_no),
            new_client={"first_name": "Nils", "last_name": "Test"},
            letter_file=upload(HTML, "henvisning.pdf"),
        )
    assert caught.value.code == "document_type"
    assert (Client.objects.count(), Inquiry.objects.count()) == (clients, inquiries)
    assert not Document.objects.exists()
    assert not IncomingReferral.objects.exists()
    assert files_in(documents_dir) == []


def test_a_failure_after_the_letter_is_stored_removes_its_file(
    no_client, counsellor_no, documents_dir, monkeypatch
):
    def fail(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(IncomingReferral.objects, "create", fail)
    org = no_client.organisation
    with pytest.raises(RuntimeError):
        services.referral_in_record(
            organisation=org,
            actor=counsellor_no,
            referrer="gp",
            received_at=received(org),
            site=main_site(org),
            client=no_client,
            letter_file=upload(pdf_bytes()),
        )
    assert files_in(documents_dir) == []
    assert not Document.objects.exists()
    assert not Inquiry.objects.filter(client=no_client).exists()


def test_a_client_in_an_open_episode_gets_the_referral_on_that_episode(
    no_client, counsellor_no, open_episode
):
    episode = open_episode(no_client)
    org = no_client.organisation
    incoming = services.referral_in_record(
        organisation=org,
        actor=counsellor_no,
        referrer="hospital",
        received_at=received(org),
        client=no_client,
    )
    assert incoming.inquiry is None
    assert incoming.episode == episode
    assert EpisodeEvent.objects.filter(episode=episode, kind="referral_in").exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"referrer": "self"}, "referrer_invalid"),
        ({"received_at": "future"}, "received_at_future"),
        ({"site": None}, "site_required"),
        ({"client": None}, "client_required"),
    ],
)
def test_a_referral_in_says_who_when_and_where(no_client, counsellor_no, change, code):
    org = no_client.organisation
    values = {
        "organisation": org,
        "actor": counsellor_no,
        "referrer": "gp",
        "received_at": received(org),
        "site": main_site(org),
        "client": no_client,
        **change,
    }
    if values["received_at"] == "future":
        values["received_at"] = clock.now() + datetime.timedelta(days=1)
    with pytest.raises(DomainError) as caught:
        services.referral_in_record(**values)
    assert caught.value.code == code
    assert not IncomingReferral.objects.exists()
    assert not Inquiry.objects.filter(client=no_client).exists()


def test_an_assignee_from_another_organisation_is_refused(
    no_client, counsellor_no, make_staff, org_dk
):
    stranger = make_staff(org_dk, Role.COUNSELLOR)
    org = no_client.organisation
    with pytest.raises(ValidationFailed) as caught:
        services.referral_in_record(
            organisation=org,
            actor=counsellor_no,
            referrer="gp",
            received_at=received(org),
            site=main_site(org),
            client=no_client,
            assign_to=stranger,
        )
    assert caught.value.code == "assignee_not_staff"
