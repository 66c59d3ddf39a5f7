"""APT-2: Sandnes offers a psychologist appointment within a week of the request (seed 004,
a rule in its service pack). A request opens an APPOINTMENT_OFFER deadline on the open
episode (subject: the request), met when an appointment within the week is booked for it,
met late when the appointment is later or the booking comes after the week. Other
organisations' packs promise nothing."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml

from bedring.accounts.selectors import rules_for
from bedring.appointments import services
from bedring.appointments.models import AppointmentRequest, RequestStatus
from bedring.appointments.rules import offer_deadline
from bedring.core import clock
from bedring.pathway.models import Deadline, EpisodeEvent
from bedring.pathway.models.episode import DeadlineKind, DeadlineStatus
from bedring.rules.loader import PACK_DIR

from .conftest import local, main_site, open_day
from .test_booking import refused

SEEDS = Path("/work/shared/seeds")


def offer_deadlines(request: AppointmentRequest):
    return Deadline.objects.filter(kind=DeadlineKind.APPOINTMENT_OFFER, subject_id=request.pk)


def days_from_today(organisation, days: int) -> datetime.date:
    return clock.today(organisation) + datetime.timedelta(days=days)


def first_open_day_from(site, day: datetime.date) -> datetime.date:
    return open_day(site, after=(day - clock.today(site.organisation)).days)


def book_for(request, staff, starts_at, **kw):
    return services.appointment_book(
        client=request.client,
        actor=staff,
        staff=staff,
        site=main_site(request.client.organisation),
        kind=request.kind,
        starts_at=starts_at,
        minutes=45,
        request=request,
        **kw,
    )


def test_the_sandnes_pack_promises_a_psychologist_within_a_week_citing_the_seed(sandnes):
    rule = rules_for(sandnes).appointment_offer["psychologist"]
    assert rule.days == 7
    assert "seed 004" in rule.source
    assert "line 89" in rule.source
    seed = next(SEEDS.glob("004_*.txt"), None)
    if seed is not None:  # the seed files are beside the repository, not in it
        line = seed.read_text(encoding="utf-8").splitlines()[88]
        assert "Avtale kan normalt tilbys i løpet av en uke" in line
    # Only Sandnes promises an appointment offer (an organisation rule, not a jurisdiction's).
    for path in PACK_DIR.glob("*.yaml"):
        overrides = yaml.safe_load(path.read_text(encoding="utf-8"))["organisation"].get(
            "rule_overrides", {}
        )
        assert ("appointment_offer" in overrides) == (path.stem == "sandnes"), path.stem


def test_the_offer_rule_is_pure_arithmetic(sandnes, org_dk):
    day = datetime.date(2026, 11, 27)
    spec = offer_deadline(rules_for(sandnes), "psychologist", day)
    assert spec is not None
    assert spec.due_on == datetime.date(2026, 12, 4)
    assert spec.basis == {
        "rule": "appointment_offer",
        "value": 7,
        "kind": "psychologist",
        "req": "APT-2",
    }
    assert offer_deadline(rules_for(sandnes), "conversation", day) is None
    assert offer_deadline(rules_for(org_dk), "psychologist", day) is None


def test_a_request_opens_the_deadline_and_a_booking_within_the_week_meets_it(
    sandnes, no_client, psychologist, no_counsellor, episode_for
):
    episode = episode_for(no_client)
    request = services.appointment_request_record(
        client=no_client, actor=no_counsellor, kind="psychologist", note="Anxiety."
    )
    due = days_from_today(sandnes, 7)
    assert request.offer_due_on == due
    [deadline] = offer_deadlines(request)
    assert (deadline.episode, deadline.due_on, deadline.status) == (episode, due, "open")
    assert deadline.basis["rule"] == "appointment_offer"
    assert EpisodeEvent.objects.filter(episode=episode, kind="appointment_requested").exists()

    day = open_day(main_site(sandnes))
    assert day <= due
    appointment = book_for(request, psychologist, local(sandnes, day, 10))
    deadline.refresh_from_db()
    request.refresh_from_db()
    assert deadline.status == DeadlineStatus.MET
    assert deadline.closed_on == clock.today(sandnes)
    assert request.status == RequestStatus.BOOKED
    assert appointment.request == request


def test_a_booking_after_the_week_is_met_late(
    sandnes, no_client, psychologist, no_counsellor, episode_for
):
    """Recorded eight days ago, booked today: the week has passed."""
    episode_for(no_client, days=10)
    request = services.appointment_request_record(
        client=no_client,
        actor=no_counsellor,
        kind="psychologist",
        at=clock.now() - datetime.timedelta(days=8),
    )
    assert request.offer_due_on == days_from_today(sandnes, -1)
    book_for(request, psychologist, local(sandnes, open_day(main_site(sandnes)), 10))
    [deadline] = offer_deadlines(request)
    assert deadline.status == DeadlineStatus.MISSED  # "met late"
    assert deadline.get_status_display() == "Met late"


def test_an_appointment_later_than_the_week_is_met_late_and_a_move_judges_again(
    sandnes, no_client, psychologist, no_counsellor, episode_for
):
    episode_for(no_client)
    request = services.appointment_request_record(
        client=no_client, actor=no_counsellor, kind="psychologist"
    )
    site = main_site(sandnes)
    late_day = first_open_day_from(site, days_from_today(sandnes, 9))
    appointment = book_for(request, psychologist, local(sandnes, late_day, 10))
    [deadline] = offer_deadlines(request)
    assert deadline.status == DeadlineStatus.MISSED
    early_day = open_day(site)
    services.appointment_move(
        appointment=appointment,
        actor=psychologist,
        starts_at=local(sandnes, early_day, 10),
        minutes=45,
        keep_room=True,
    )
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.MET


def test_a_cancellation_by_the_service_reopens_the_request_one_by_the_client_does_not(
    sandnes, no_client, psychologist, no_counsellor, episode_for
):
    episode_for(no_client)
    site = main_site(sandnes)
    day = open_day(site)
    request = services.appointment_request_record(
        client=no_client, actor=no_counsellor, kind="psychologist"
    )
    appointment = book_for(request, psychologist, local(sandnes, day, 10))
    services.appointment_cancel(
        appointment=appointment,
        actor=psychologist,
        cancelled_by="service",
        with_notice=True,
        reason="The psychologist is ill.",
    )
    request.refresh_from_db()
    [deadline] = offer_deadlines(request)
    assert request.status == RequestStatus.OPEN
    assert (deadline.status, deadline.closed_on, deadline.due_on) == (
        "open",
        None,
        request.offer_due_on,
    )
    again = book_for(request, psychologist, local(sandnes, day, 11))
    services.appointment_cancel(
        appointment=again,
        actor=psychologist,
        cancelled_by="client",
        with_notice=True,
        reason="Feels better.",
    )
    request.refresh_from_db()
    deadline.refresh_from_db()
    assert request.status == RequestStatus.BOOKED
    assert deadline.status == DeadlineStatus.MET


def test_a_withdrawn_request_no_longer_needs_its_deadline(
    sandnes, no_client, no_counsellor, episode_for
):
    episode_for(no_client)
    request = services.appointment_request_record(
        client=no_client, actor=no_counsellor, kind="psychologist"
    )
    refused(
        "reason_required",
        services.appointment_request_withdraw,
        request=request,
        actor=no_counsellor,
        reason="",
    )
    services.appointment_request_withdraw(
        request=request, actor=no_counsellor, reason="Got help from the GP."
    )
    [deadline] = offer_deadlines(request)
    assert deadline.status == DeadlineStatus.CANCELLED
    refused(
        "request_not_open",
        services.appointment_request_withdraw,
        request=request,
        actor=no_counsellor,
        reason="Again.",
    )


def test_without_an_open_episode_the_request_keeps_its_day_but_opens_no_deadline(
    sandnes, no_client, no_counsellor
):
    """A deadline needs an episode; the psychologist needs no referral, so the request is
    still recorded and shows the day it is to be offered by."""
    request = services.appointment_request_record(
        client=no_client, actor=no_counsellor, kind="psychologist"
    )
    assert request.offer_due_on == days_from_today(sandnes, 7)
    assert request.episode is None
    assert not offer_deadlines(request).exists()


def test_another_organisations_pack_has_no_such_rule(dk_client, counsellor, episode_for):
    episode_for(dk_client)
    request = services.appointment_request_record(
        client=dk_client, actor=counsellor, kind="psychologist"
    )
    assert request.offer_due_on is None
    assert not Deadline.objects.filter(kind=DeadlineKind.APPOINTMENT_OFFER).exists()


def test_a_sandnes_conversation_request_promises_nothing(no_client, no_counsellor, episode_for):
    episode_for(no_client)
    request = services.appointment_request_record(
        client=no_client, actor=no_counsellor, kind="conversation"
    )
    assert request.offer_due_on is None
    assert not offer_deadlines(request).exists()


@pytest.mark.parametrize(
    "code", ["request_other_client", "request_kind_mismatch", "request_not_open"]
)
def test_a_booking_for_a_request_is_checked(
    code, sandnes, no_client, make_client, psychologist, no_counsellor, episode_for
):
    episode_for(no_client)
    request = services.appointment_request_record(
        client=no_client, actor=no_counsellor, kind="psychologist"
    )
    day = open_day(main_site(sandnes))
    client, kind, staff = no_client, "psychologist", psychologist
    if code == "request_other_client":
        client = make_client(sandnes)
    elif code == "request_kind_mismatch":
        kind, staff = "conversation", no_counsellor
    else:
        book_for(request, psychologist, local(sandnes, day, 9))
    refused(
        code,
        services.appointment_book,
        client=client,
        actor=staff,
        staff=staff,
        site=main_site(sandnes),
        kind=kind,
        starts_at=local(sandnes, day, 11),
        minutes=45,
        request=request,
    )
    request.refresh_from_db()
    assert offer_deadlines(request).get().status == (
        "met" if code == "request_not_open" else "open"
    )
