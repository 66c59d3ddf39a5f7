"""APT-1: booking, moving, cancelling and recording attended / no-show; every refusal has its
stable code and writes nothing (no appointment, no request, no deadline, no timeline event,
no change-log row)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from auditlog.models import LogEntry

from bedring.appointments import services
from bedring.appointments.models import (
    Appointment,
    AppointmentKind,
    AppointmentRequest,
    AppointmentStatus,
    Room,
)
from bedring.core import clock
from bedring.core.errors import DomainError
from bedring.core.roles import Role
from bedring.pathway.models import Deadline, EpisodeEvent
from bedring.rules.packs import AppointmentKindKey

from .conftest import local, main_site, open_day

HOUR = datetime.timedelta(hours=1)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Appointment, AppointmentRequest, Deadline, EpisodeEvent, LogEntry)
    }


def refused(code: str, call: Any, **kwargs: Any) -> DomainError:
    before = counts()
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.code
    assert counts() == before, "a refusal wrote something"
    return caught.value


def test_the_kinds_are_the_rule_packs_keys():
    """A pack's appointment_offer names kinds by these keys (bedring.rules.packs)."""
    assert set(AppointmentKind.values) == set(AppointmentKindKey.__args__)  # type: ignore[attr-defined]


def test_book_an_appointment(book, dk_client, counsellor, org_dk, room, episode_for):
    episode = episode_for(dk_client)
    day = open_day(main_site(org_dk))
    appointment = book(dk_client, local(org_dk, day, 10), room=room, note="Bring the letter.")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.on == day
    assert appointment.minutes == 60
    assert appointment.ends_at == local(org_dk, day, 11)
    assert appointment.room == room
    assert appointment.organisation == org_dk
    assert appointment.episode == episode
    assert not appointment.outside_hours
    # The change log points at the client; the timeline says when, not why.
    entry = LogEntry.objects.get_for_object(appointment).get()
    assert entry.additional_data == {"client_id": str(dk_client.pk)}
    event = EpisodeEvent.objects.get(episode=episode, kind="appointment_booked")
    assert event.summary == f"{day:%Y-%m-%d} 10:00"
    assert "Bring" not in event.summary


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        ("conversation", Role.COUNSELLOR),
        ("doctor", Role.DOCTOR),
        ("psychologist", Role.PSYCHOLOGIST),
        ("nurse", Role.NURSE),
        ("nurse", Role.STREET_NURSE),
        ("home_visit", Role.COUNSELLOR),
        ("phone", Role.MUSIC_THERAPIST),
        ("responsibility_group", Role.COUNSELLOR),
    ],
)
def test_each_kind_with_a_staff_member_who_may_hold_it(
    book, dk_client, org_dk, make_staff, kind, role
):
    staff = make_staff(org_dk, role)
    day = open_day(main_site(org_dk))
    appointment = book(dk_client, local(org_dk, day, 10), staff=staff, kind=kind)
    assert appointment.kind == kind


def test_a_start_a_few_minutes_ago_is_now_not_the_past(book, dk_client, org_dk):
    """A walk-in conversation booked as it begins."""
    now = clock.now()
    appointment = book(dk_client, now - datetime.timedelta(minutes=4), confirm_outside_hours=True)
    assert appointment.starts_at < now


def test_move_to_another_time_staff_member_and_room(
    book, dk_client, org_dk, make_staff, room, episode_for
):
    episode = episode_for(dk_client)
    site = main_site(org_dk)
    day = open_day(site)
    later = open_day(site, after=(day - clock.today(org_dk)).days + 1)
    appointment = book(dk_client, local(org_dk, day, 10))
    nurse = make_staff(org_dk, Role.NURSE)
    moved = services.appointment_move(
        appointment=appointment,
        actor=nurse,
        starts_at=local(org_dk, later, 11),
        minutes=45,
        staff=nurse,
        room=room,
    )
    moved.refresh_from_db()
    assert (moved.on, moved.starts_at, moved.minutes) == (later, local(org_dk, later, 11), 45)
    assert (moved.staff, moved.room) == (nurse, room)
    event = EpisodeEvent.objects.get(episode=episode, kind="appointment_moved")
    assert event.data["previous"] == f"{day:%Y-%m-%d} 10:00"


def test_moving_to_the_same_slot_changes_nothing(book, dk_client, org_dk, counsellor):
    appointment = book(dk_client, local(org_dk, open_day(main_site(org_dk)), 10))
    before = counts()
    services.appointment_move(
        appointment=appointment,
        actor=counsellor,
        starts_at=appointment.starts_at,
        minutes=60,
        keep_room=True,
    )
    assert counts() == before


def test_cancel_by_the_client_with_notice_and_by_the_service_without(
    book, dk_client, org_dk, counsellor
):
    day = open_day(main_site(org_dk))
    first = book(dk_client, local(org_dk, day, 9))
    second = book(dk_client, local(org_dk, day, 11))
    services.appointment_cancel(
        appointment=first,
        actor=counsellor,
        cancelled_by="client",
        with_notice=True,
        reason="Job interview.",
    )
    services.appointment_cancel(
        appointment=second,
        actor=counsellor,
        cancelled_by="service",
        with_notice=False,
        reason="The counsellor is ill.",
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.cancelled_by, first.with_notice) == ("cancelled", "client", True)
    assert (second.cancelled_by, second.with_notice, second.cancel_reason) == (
        "service",
        False,
        "The counsellor is ill.",
    )
    assert first.cancelled_at is not None


def _started(book, client, organisation, *, hours_ago: float = 1) -> Appointment:
    """An appointment that began ``hours_ago`` hours ago, booked the day before."""
    start = clock.now() - datetime.timedelta(hours=hours_ago)
    return book(
        client,
        start,
        confirm_outside_hours=True,
        at=start - datetime.timedelta(days=1),
    )


def test_attended_and_no_show_from_the_start_on_and_corrected(
    book, dk_client, org_dk, counsellor, episode_for
):
    episode = episode_for(dk_client)
    appointment = _started(book, dk_client, org_dk, hours_ago=0.5)
    services.appointment_record_outcome(
        appointment=appointment, actor=counsellor, outcome="attended"
    )
    appointment.refresh_from_db()
    assert appointment.status == "attended"
    assert appointment.outcome_recorded_by == counsellor
    services.appointment_record_outcome(
        appointment=appointment, actor=counsellor, outcome="no_show"
    )
    appointment.refresh_from_db()
    assert appointment.status == "no_show"
    kinds = list(
        EpisodeEvent.objects.filter(episode=episode).order_by("id").values_list("kind", flat=True)
    )
    assert kinds[-2:] == ["appointment_attended", "appointment_no_show"]
    # Recording the same outcome again writes nothing.
    before = counts()
    services.appointment_record_outcome(
        appointment=appointment, actor=counsellor, outcome="no_show"
    )
    assert counts() == before


# --- refusals ------------------------------------------------------------------------------


def _other_room(org_no) -> Room:
    return Room.objects.filter(site__organisation=org_no).order_by("pk")[0]


@pytest.mark.parametrize(
    ("code", "change"),
    [
        ("appointment_in_past", lambda w: {"starts_at": clock.now() - HOUR}),
        ("end_before_start", lambda w: {"minutes": -30}),
        ("end_before_start", lambda w: {"minutes": 0}),
        ("length_too_short", lambda w: {"minutes": 3}),
        ("length_too_long", lambda w: {"minutes": 9 * 60}),
        (
            "appointment_too_far",
            lambda w: {"starts_at": clock.now() + datetime.timedelta(days=900)},
        ),
        ("time_without_zone", lambda w: {"starts_at": w["starts_at"].replace(tzinfo=None)}),
        ("invalid_kind", lambda w: {"kind": "massage"}),
        ("staff_other_organisation", lambda w: {"staff": w["outsider"]}),
        ("staff_not_clinical", lambda w: {"staff": w["manager"]}),
        ("staff_not_clinical", lambda w: {"staff": w["peer"]}),
        ("staff_role_for_kind", lambda w: {"kind": "psychologist"}),
        ("staff_role_for_kind", lambda w: {"kind": "doctor"}),
        ("client_other_organisation", lambda w: {"client": w["no_client"]}),
        # The appointment belongs to the site's organisation: a Sandnes site for a Sønderborg
        # client is the client of another organisation.
        ("client_other_organisation", lambda w: {"site": w["no_site"]}),
        ("room_not_at_site", lambda w: {"room": w["no_room"]}),
        ("note_too_long", lambda w: {"note": "x" * 501}),
        ("invalid_characters", lambda w: {"note": "Bring\x00 papers"}),
    ],
)
def test_each_refusal_has_its_code_and_writes_nothing(
    booking, code, change, outsider, manager, org_dk, org_no, make_staff, make_client, episode_for
):
    episode_for(booking["client"])
    world = {
        **booking,
        "outsider": outsider,
        "manager": manager,
        "peer": make_staff(org_dk, Role.PEER_WORKER),
        "no_client": make_client(org_no),
        "no_site": main_site(org_no),
        "no_room": _other_room(org_no),
    }
    error = refused(code, services.appointment_book, **{**booking, **change(world)})
    assert error.status in (409, 422)


def test_a_site_of_another_organisation_is_refused_on_a_move(booking, org_no):
    appointment = services.appointment_book(**booking)
    refused(
        "site_other_organisation",
        services.appointment_move,
        appointment=appointment,
        actor=booking["actor"],
        starts_at=booking["starts_at"],
        minutes=60,
        site=main_site(org_no),
    )


def test_an_inactive_site_or_room_is_refused(booking, room):
    site = booking["site"]
    room.is_active = False
    room.save()
    refused("room_not_at_site", services.appointment_book, **{**booking, "room": room})
    site.is_active = False
    site.save()
    refused("site_inactive", services.appointment_book, **booking)


def test_an_archived_client_is_refused(booking):
    client = booking["client"]
    client.archived_at = clock.now()
    client.save()
    refused("client_archived", services.appointment_book, **booking)


def test_a_move_into_the_past_and_of_a_cancelled_appointment_are_refused(booking):
    appointment = services.appointment_book(**booking)
    refused(
        "appointment_in_past",
        services.appointment_move,
        appointment=appointment,
        actor=booking["actor"],
        starts_at=clock.now() - HOUR,
        minutes=60,
    )
    services.appointment_cancel(
        appointment=appointment,
        actor=booking["actor"],
        cancelled_by="client",
        with_notice=True,
        reason="Ill.",
    )
    refused(
        "appointment_not_booked",
        services.appointment_move,
        appointment=appointment,
        actor=booking["actor"],
        starts_at=booking["starts_at"] + HOUR,
        minutes=60,
    )
    for outcome in ("attended", "no_show"):
        refused(
            "appointment_cancelled",
            services.appointment_record_outcome,
            appointment=appointment,
            actor=booking["actor"],
            outcome=outcome,
        )
    refused(
        "appointment_not_booked",
        services.appointment_cancel,
        appointment=appointment,
        actor=booking["actor"],
        cancelled_by="client",
        with_notice=True,
        reason="Again.",
    )


@pytest.mark.parametrize(
    ("code", "kwargs"),
    [
        ("reason_required", {"cancelled_by": "client", "with_notice": True, "reason": "  "}),
        ("note_too_long", {"cancelled_by": "client", "with_notice": True, "reason": "x" * 301}),
        ("invalid_cancelled_by", {"cancelled_by": "doctor", "with_notice": True, "reason": "x"}),
    ],
)
def test_a_cancellation_needs_who_and_why(booking, code, kwargs):
    appointment = services.appointment_book(**booking)
    refused(
        code,
        services.appointment_cancel,
        appointment=appointment,
        actor=booking["actor"],
        **kwargs,
    )


def test_an_appointment_that_is_over_is_not_cancelled_and_one_to_come_has_no_outcome(
    book, booking, dk_client, org_dk, counsellor
):
    past = _started(book, dk_client, org_dk, hours_ago=2)
    refused(
        "appointment_over",
        services.appointment_cancel,
        appointment=past,
        actor=counsellor,
        cancelled_by="client",
        with_notice=False,
        reason="Forgot.",
    )
    refused(
        "invalid_outcome",
        services.appointment_record_outcome,
        appointment=past,
        actor=counsellor,
        outcome="late",
    )
    future = services.appointment_book(**booking)
    refused(
        "appointment_not_started",
        services.appointment_record_outcome,
        appointment=future,
        actor=counsellor,
        outcome="attended",
    )
    services.appointment_record_outcome(appointment=past, actor=counsellor, outcome="attended")
    refused(
        "appointment_not_booked",
        services.appointment_move,
        appointment=past,
        actor=counsellor,
        starts_at=booking["starts_at"] + HOUR,
        minutes=60,
    )
