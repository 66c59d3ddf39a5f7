"""Attendance per session and the no-show flag (SCH-1, SCH-2): built through the services,
every refusal writes nothing."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from hypothesis import given
from hypothesis import strategies as st

from bedring.catalogue.models import Attendance, EnrolmentStatus, SessionStatus
from bedring.catalogue.services.attendance import (
    absences_in_a_row,
    attendance_record,
    attendance_record_grid,
)
from bedring.core.errors import Conflict, ValidationFailed
from bedring.core.roles import Role
from bedring.pathway.models import EpisodeEvent

from .test_attendance_world import (
    FIRST_SESSION,
    course_with_sessions,
    days_ahead,
    enrol,
    individual_sessions,
    open_episode,
    weekly,
)

A, X, C = "attended", "absent", "cancelled"


@pytest.fixture
def world(org_dk, counsellor, make_client):
    client = make_client(org_dk)
    episode = open_episode(client, counsellor)
    course, sessions = course_with_sessions(org_dk, dates=weekly(FIRST_SESSION, 8))
    enrolment = enrol(client, actor=counsellor, course=course, episode=episode)
    return {
        "org": org_dk,
        "actor": counsellor,
        "client": client,
        "episode": episode,
        "course": course,
        "sessions": sessions,
        "enrolment": enrolment,
    }


def record(world, statuses):
    for session, status in zip(world["sessions"], statuses, strict=False):
        attendance_record(
            session=session, enrolment=world["enrolment"], status=status, actor=world["actor"]
        )
    world["enrolment"].refresh_from_db()
    return world["enrolment"]


def events(world, kind):
    return list(EpisodeEvent.objects.filter(episode=world["episode"], kind=kind))


# --- the run of absences, as a pure rule ---------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "run"),
    [
        ([], 0),
        ([X], 1),
        ([X, X, X], 3),
        ([X, A, X], 1),
        ([X, C, X], 2),
        ([X, X, C, C], 2),
        ([C, C, C], 0),
        ([X, X, X, A], 0),
    ],
)
def test_absences_in_a_row_count_from_the_end(statuses, run):
    """SCH-2: attended ends a run; cancelled with notice neither counts nor ends it."""
    assert absences_in_a_row(statuses) == run


@given(st.lists(st.sampled_from([A, X, C])))
def test_a_cancellation_never_changes_the_run_and_attendance_always_ends_it(statuses):
    assert absences_in_a_row([*statuses, C]) == absences_in_a_row(statuses)
    assert absences_in_a_row([*statuses, A]) == 0
    assert absences_in_a_row([*statuses, X]) == absences_in_a_row(statuses) + 1


# --- the flag ------------------------------------------------------------------------------


def test_three_absences_in_a_row_raise_the_flag_on_the_timeline(world):
    """SCH-2: the rule pack's no_show_flag_after (3 in DK) absences in a row raise the flag,
    and the client's open episode shows it on the timeline."""
    assert not record(world, [X, X]).no_show_flag
    assert events(world, "no_show_flag") == []

    enrolment = record(world, [X, X, X])

    assert enrolment.no_show_flag
    [event] = events(world, "no_show_flag")
    assert event.data["absences_in_a_row"] == 3
    assert event.data["threshold"] == 3
    assert event.data["enrolment"] == str(enrolment.uuid)
    assert event.actor == world["actor"]


def test_an_organisation_override_of_two_raises_the_flag_after_two(world):
    """SCH-2: the threshold is a rule; Organisation.rule_overrides changes it."""
    org = world["org"]
    org.rule_overrides = {**org.rule_overrides, "no_show_flag_after": 2}
    org.save()
    world["sessions"][0].organisation.refresh_from_db()

    assert not record(world, [X]).no_show_flag
    assert record(world, [X, X]).no_show_flag


def test_cancelled_with_notice_neither_counts_nor_breaks_the_run(world):
    """SCH-2: a client who cancels with notice is not a no-show, but the cancellation does not
    wipe out the absences before it either."""
    assert not record(world, [X, C, X]).no_show_flag
    assert record(world, [X, C, X, X]).no_show_flag


def test_only_cancellations_never_raise_the_flag(world):
    assert not record(world, [C, C, C, C]).no_show_flag


def test_an_attended_session_clears_the_flag(world):
    """SCH-2: the client came back: the flag goes, and the timeline says so."""
    assert record(world, [X, X, X]).no_show_flag
    enrolment = record(world, [X, X, X, A])
    assert not enrolment.no_show_flag
    assert len(events(world, "no_show_cleared")) == 1


def test_absences_after_a_return_start_a_new_run(world):
    assert not record(world, [X, X, A, X, X]).no_show_flag
    assert record(world, [X, X, A, X, X, X]).no_show_flag
    assert len(events(world, "no_show_flag")) == 1


def test_a_correction_follows_the_record_and_the_change_log_keeps_both_values(world):
    """SCH-1: correcting a record updates it; the change log keeps old and new values. An
    absence corrected to attended takes back the flag it raised."""
    record(world, [X, X, X])
    third = world["sessions"][2]

    attendance_record(session=third, enrolment=world["enrolment"], status=A, actor=world["actor"])

    world["enrolment"].refresh_from_db()
    assert not world["enrolment"].no_show_flag
    row = Attendance.objects.get(session=third, enrolment=world["enrolment"])
    assert row.status == A
    assert Attendance.objects.filter(enrolment=world["enrolment"]).count() == 3
    changes = [e.changes_dict for e in LogEntry.objects.get_for_object(row).order_by("pk")]
    assert changes[-1]["status"] == [X, A]


def test_recording_the_same_status_again_writes_nothing(world):
    record(world, [X])
    before = LogEntry.objects.count()
    record(world, [X])
    assert LogEntry.objects.count() == before


def test_recording_attendance_marks_the_session_held(world):
    session = world["sessions"][0]
    assert session.status == SessionStatus.PLANNED
    record(world, [A])
    session.refresh_from_db()
    assert session.status == SessionStatus.HELD


def test_without_an_open_episode_the_flag_is_still_raised(org_dk, counsellor, make_client):
    client = make_client(org_dk)
    course, sessions = course_with_sessions(org_dk, dates=weekly(FIRST_SESSION, 3))
    enrolment = enrol(client, actor=counsellor, course=course)
    for session in sessions:
        attendance_record(session=session, enrolment=enrolment, status=X, actor=counsellor)
    enrolment.refresh_from_db()
    assert enrolment.no_show_flag
    assert not EpisodeEvent.objects.filter(client=client, kind="no_show_flag").exists()


def test_the_flag_goes_on_the_clients_open_episode_when_the_enrolment_names_none(
    org_dk, counsellor, make_client
):
    client = make_client(org_dk)
    episode = open_episode(client, counsellor)
    course, sessions = course_with_sessions(org_dk, dates=weekly(FIRST_SESSION, 3))
    enrolment = enrol(client, actor=counsellor, course=course)
    for session in sessions:
        attendance_record(session=session, enrolment=enrolment, status=X, actor=counsellor)
    assert EpisodeEvent.objects.filter(episode=episode, kind="no_show_flag").count() == 1


def test_an_individual_session_takes_its_own_enrolment_only(org_dk, counsellor, make_client):
    """SCH-1: individual offers have sessions of one enrolment."""
    mine = enrol(make_client(org_dk), actor=counsellor, offer_key="individual")
    other = enrol(make_client(org_dk), actor=counsellor, offer_key="individual")
    [session] = individual_sessions(mine, [FIRST_SESSION])

    attendance_record(session=session, enrolment=mine, status=A, actor=counsellor)
    with pytest.raises(ValidationFailed) as refused:
        attendance_record(session=session, enrolment=other, status=A, actor=counsellor)
    assert refused.value.code == "not_in_session"
    assert Attendance.objects.filter(enrolment=other).count() == 0


# --- refusals write nothing ----------------------------------------------------------------


def assert_nothing_written(world, log_before):
    assert Attendance.objects.count() == 0
    assert LogEntry.objects.count() == log_before
    for session in world["sessions"]:
        session.refresh_from_db()
        assert session.status == SessionStatus.PLANNED


def test_a_session_in_the_future_is_refused(world):
    org = world["org"]
    _course, [later] = course_with_sessions(org, dates=[days_ahead(org, 1)])
    later.course = world["course"]
    later.save()
    log_before = LogEntry.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        attendance_record(
            session=later, enrolment=world["enrolment"], status=A, actor=world["actor"]
        )
    assert refused.value.code == "session_in_future"
    assert Attendance.objects.count() == 0
    assert LogEntry.objects.count() == log_before


def test_todays_session_can_be_recorded(world):
    org = world["org"]
    session = world["sessions"][-1]
    session.on = days_ahead(org, 0)
    session.save()
    attendance_record(session=session, enrolment=world["enrolment"], status=A, actor=world["actor"])
    assert Attendance.objects.filter(session=session).exists()


def test_a_cancelled_session_is_refused(world):
    session = world["sessions"][0]
    session.status = SessionStatus.CANCELLED
    session.save()
    log_before = LogEntry.objects.count()
    with pytest.raises(Conflict) as refused:
        attendance_record(
            session=session, enrolment=world["enrolment"], status=A, actor=world["actor"]
        )
    assert refused.value.code == "session_cancelled"
    assert Attendance.objects.count() == 0
    assert LogEntry.objects.count() == log_before


def test_a_client_of_another_course_is_refused(world, make_client):
    _other_course, [other_session] = course_with_sessions(world["org"], dates=[FIRST_SESSION])
    log_before = LogEntry.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        attendance_record(
            session=other_session, enrolment=world["enrolment"], status=A, actor=world["actor"]
        )
    assert refused.value.code == "not_in_session"
    assert Attendance.objects.count() == 0
    assert LogEntry.objects.count() == log_before


def test_an_ended_enrolment_is_refused(world):
    enrolment = world["enrolment"]
    enrolment.status = EnrolmentStatus.ENDED
    enrolment.ended_on = FIRST_SESSION
    enrolment.save()
    log_before = LogEntry.objects.count()
    with pytest.raises(Conflict) as refused:
        attendance_record(
            session=world["sessions"][0], enrolment=enrolment, status=A, actor=world["actor"]
        )
    assert refused.value.code == "enrolment_not_active"
    assert_nothing_written(world, log_before)


def test_a_session_before_the_enrolment_started_is_refused(world):
    enrolment = world["enrolment"]
    enrolment.starts_on = FIRST_SESSION + datetime.timedelta(days=1)
    enrolment.save()
    log_before = LogEntry.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        attendance_record(
            session=world["sessions"][0], enrolment=enrolment, status=A, actor=world["actor"]
        )
    assert refused.value.code == "before_enrolment"
    assert_nothing_written(world, log_before)


def test_an_unknown_status_is_refused(world):
    log_before = LogEntry.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        attendance_record(
            session=world["sessions"][0],
            enrolment=world["enrolment"],
            status="late",
            actor=world["actor"],
        )
    assert refused.value.code == "bad_status"
    assert_nothing_written(world, log_before)


def test_a_grid_with_one_refused_row_saves_no_row(world, make_client, make_staff):
    """SCH-1: one POST saves the whole grid, or nothing."""
    actor = make_staff(world["org"], Role.COUNSELLOR)
    ended = enrol(make_client(world["org"]), actor=actor, course=world["course"])
    ended.status = EnrolmentStatus.ENDED
    ended.save()
    log_before = LogEntry.objects.count()
    with pytest.raises(Conflict):
        attendance_record_grid(
            session=world["sessions"][0],
            marks=[(world["enrolment"], A), (ended, A)],
            actor=actor,
        )
    assert_nothing_written(world, log_before)
