"""The no-show flag relaxed for outreach clients (seed 001 line 5, "fleksible rammer"): the
pack's ``outreach_no_show_flag_after`` read through ``bedring.clients.no_show`` by the
appointments (the flag, its timeline event, the client's pages) and by the catalogue's
attendance, which import nothing of outreach (the port, registered in OutreachConfig.ready).

An outreach client: an outreach contact in the organisation in the last 90 days, or a client
who came to the record from a code."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bedring.accounts.selectors import rules_for
from bedring.appointments import services as appointments
from bedring.appointments.selectors import repeated_no_shows
from bedring.catalogue.services.attendance import attendance_record_grid
from bedring.clients.no_show import no_show_threshold, no_show_thresholds
from bedring.core import clock
from bedring.core.roles import Role
from bedring.outreach.models import OutreachContact, Pseudonym
from bedring.pathway.models import EpisodeEvent
from tests.catalogue.test_attendance_world import FIRST_SESSION, course_with_sessions, enrol, weekly

from .evaluation_helpers import ago, inquire, record

pytestmark = pytest.mark.django_db


def no_shows(client, staff, site, count: int, *, first_days_ago: int = 30, hour: int = 10) -> None:
    """``count`` past conversations of ``client``, two days apart, each a no-show."""
    organisation = client.organisation
    for i in range(count):
        day = clock.today(organisation) - datetime.timedelta(days=first_days_ago - 2 * i)
        start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=clock.zone(organisation))
        appointment = appointments.appointment_book(
            client=client,
            actor=staff,
            staff=staff,
            site=site,
            kind="conversation",
            starts_at=start,
            minutes=30,
            confirm_outside_hours=True,
            at=start - datetime.timedelta(days=7),
        )
        appointments.appointment_record_outcome(
            appointment=appointment, actor=staff, outcome="no_show"
        )


@pytest.fixture
def counsellor_outreach(org_outreach, make_staff):
    return make_staff(org_outreach, Role.COUNSELLOR)


def test_the_outreach_model_sets_six_for_outreach_clients():
    from tests.conftest import shipped_organisation

    pack = rules_for(shipped_organisation("outreach-dk"))
    assert (pack.no_show_flag_after, pack.outreach_no_show_flag_after) == (3, 6)


def test_an_outreach_client_is_flagged_after_six_no_shows_an_ordinary_client_after_three(
    org_outreach, odense, street_worker, counsellor_outreach, make_client
):
    met, other = make_client(org_outreach), make_client(org_outreach)
    record(org_outreach, odense, street_worker, ago(5), client=met)
    inquire(met, odense, counsellor_outreach, ago(40))
    assert no_show_threshold(met) == 6
    assert no_show_threshold(other) == 3
    no_shows(met, counsellor_outreach, odense, 3)
    no_shows(other, counsellor_outreach, odense, 3, hour=13)
    assert not repeated_no_shows(met, no_show_threshold(met))
    assert repeated_no_shows(other, no_show_threshold(other))
    no_shows(met, counsellor_outreach, odense, 3, first_days_ago=20)
    assert repeated_no_shows(met, no_show_threshold(met))
    flag = EpisodeEvent.objects.get(client=met, kind="appointment_no_show_flag")
    assert flag.data["threshold"] == 6


def test_the_client_pages_follow_the_outreach_rule(
    as_user, org_outreach, odense, street_worker, counsellor_outreach, make_client
):
    met = make_client(org_outreach)
    record(org_outreach, odense, street_worker, ago(5), client=met)
    no_shows(met, counsellor_outreach, odense, 4)
    http = as_user(counsellor_outreach)
    for url in (
        reverse("web:client_detail", args=[met.uuid]),
        reverse("appointments:client", args=[met.uuid]),
    ):
        assert 'data-testid="appointment-no-show-flag"' not in http.get(url).content.decode()


def test_who_is_an_outreach_client(org_outreach, odense, street_worker, make_client):
    """A contact 89 days ago counts, one 91 days ago does not; a client who came from a code
    counts whenever that was."""
    recent, old, from_code = (make_client(org_outreach) for _i in range(3))
    for client, days_ago in ((recent, 89), (old, 91)):
        contact = record(org_outreach, odense, street_worker, ago(1), client=client)
        OutreachContact.objects.filter(pk=contact.pk).update(
            at=clock.now() - datetime.timedelta(days=days_ago)
        )
    record(org_outreach, odense, street_worker, ago(1), code="STREET7")
    OutreachContact.objects.filter(pseudonym__code="STREET7").update(
        at=clock.now() - datetime.timedelta(days=400)
    )
    Pseudonym.objects.filter(code="STREET7").update(client=from_code)
    thresholds = no_show_thresholds(org_outreach, [recent.pk, old.pk, from_code.pk])
    assert thresholds == {recent.pk: 6, old.pk: 3, from_code.pk: 6}


def test_never_means_outreach_clients_are_not_flagged(org_dk, dk_client, make_staff, make_client):
    """An organisation may write "never"; the ordinary clients keep their rule."""
    org_dk.rule_overrides = {**org_dk.rule_overrides, "outreach_no_show_flag_after": "never"}
    org_dk.save()
    nurse = make_staff(org_dk, Role.STREET_NURSE)
    site = org_dk.sites.get(kind="main")
    record(org_dk, site, nurse, ago(3), client=dk_client)
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    no_shows(dk_client, counsellor, site, 5)
    assert no_show_threshold(dk_client) is None
    assert not repeated_no_shows(dk_client, None)
    other = make_client(org_dk)
    assert no_show_threshold(other) == 3


def test_without_the_rule_an_outreach_client_is_flagged_as_everyone_and_nothing_is_asked(
    org_dk, dk_client, make_staff
):
    """Sønderborg runs outreach but sets no outreach rule: its outreach clients keep 3, and the
    threshold costs no query."""
    site = org_dk.sites.get(kind="main")
    record(org_dk, site, make_staff(org_dk, Role.STREET_NURSE), ago(3), client=dk_client)
    org = dk_client.organisation
    rules_for(org)
    with CaptureQueriesContext(connection) as queries:
        assert no_show_thresholds(org, [dk_client.pk]) == {dk_client.pk: 3}
    assert len(queries) == 0


def test_attendance_flags_each_client_by_their_own_threshold(org_dk, make_staff, make_client):
    """A group with an outreach client and an ordinary one, absent together: the ordinary
    one is flagged at the pack's 3, the outreach client at the organisation's 5."""
    org_dk.rule_overrides = {**org_dk.rule_overrides, "outreach_no_show_flag_after": 5}
    org_dk.save()
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    met, other = make_client(org_dk), make_client(org_dk)
    record(
        org_dk,
        org_dk.sites.get(kind="main"),
        make_staff(org_dk, Role.STREET_NURSE),
        ago(2),
        client=met,
    )
    course, sessions = course_with_sessions(org_dk, dates=weekly(FIRST_SESSION, 6))
    enrolments = [enrol(c, actor=counsellor, course=course) for c in (met, other)]
    for session in sessions[:3]:
        attendance_record_grid(
            session=session, marks=[(e, "absent") for e in enrolments], actor=counsellor
        )
    for e in enrolments:
        e.refresh_from_db()
    assert (enrolments[0].no_show_flag, enrolments[1].no_show_flag) == (False, True)
    for session in sessions[3:5]:
        attendance_record_grid(
            session=session, marks=[(e, "absent") for e in enrolments], actor=counsellor
        )
    enrolments[0].refresh_from_db()
    assert enrolments[0].no_show_flag


def test_never_clears_a_flag_raised_before_at_the_next_record(org_dk, make_staff, make_client):
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    met = make_client(org_dk)
    course, sessions = course_with_sessions(org_dk, dates=weekly(FIRST_SESSION, 5))
    enrolment = enrol(met, actor=counsellor, course=course)
    for session in sessions[:3]:
        attendance_record_grid(session=session, marks=[(enrolment, "absent")], actor=counsellor)
    enrolment.refresh_from_db()
    assert enrolment.no_show_flag
    # The person is met on the street, and the organisation relaxes the rule entirely.
    record(
        org_dk,
        org_dk.sites.get(kind="main"),
        make_staff(org_dk, Role.STREET_NURSE),
        ago(1),
        client=met,
    )
    org_dk.rule_overrides = {**org_dk.rule_overrides, "outreach_no_show_flag_after": "never"}
    org_dk.save()
    attendance_record_grid(session=sessions[3], marks=[(enrolment, "absent")], actor=counsellor)
    enrolment.refresh_from_db()
    assert not enrolment.no_show_flag
