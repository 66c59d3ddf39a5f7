"""Vaccinations (HLT-2): doses in order, the next dose computed from the schedule and put on
the worklist while the client has an open episode; every refusal writes nothing."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.template.defaultfilters import date as date_format
from django.urls import reverse
from django.utils import translation

from bedring.core.errors import Conflict, ValidationFailed
from bedring.health.models import Vaccination
from bedring.health.services import vaccination_record
from bedring.pathway.models import Deadline
from tests.conftest import login

from .conftest import days_ago


def _state():
    return {
        "doses": Vaccination.objects.count(),
        "deadlines": Deadline.objects.count(),
        "log": LogEntry.objects.count(),
    }


def test_the_next_dose_is_computed_and_put_on_the_worklist(dk_client, nurse, open_episode):
    """HLT-2: hepatitis B dose 1 today: dose 2 is due in a month, as a VACCINATION deadline
    on the open episode, with the schedule as its basis."""
    episode = open_episode(dk_client)
    today = days_ago(dk_client.organisation, 0)
    dose = vaccination_record(
        client=dk_client, actor=nurse, schedule="hepatitis_b", dose=1, given_on=today
    )
    expected = today + relativedelta(months=1)
    assert dose.next_due_on == expected
    deadline = Deadline.objects.get(episode=episode, kind="vaccination")
    assert (deadline.due_on, deadline.status, deadline.subject_id) == (expected, "open", dose.pk)
    assert deadline.basis == {
        "rule": "vaccination_schedule",
        "value": "hepatitis_b",
        "dose": 2,
        "req": "HLT-2",
    }


def test_the_next_dose_closes_its_deadline_and_opens_the_one_after(dk_client, nurse, open_episode):
    """HLT-2: dose 2 given: its worklist item is met, dose 3's opens; the last dose opens
    nothing."""
    episode = open_episode(dk_client, days=60)
    org = dk_client.organisation
    first = vaccination_record(
        client=dk_client,
        actor=nurse,
        schedule="hepatitis_b_accelerated",
        dose=1,
        given_on=days_ago(org, 40),
    )
    second = vaccination_record(
        client=dk_client,
        actor=nurse,
        schedule="hepatitis_b_accelerated",
        dose=2,
        given_on=days_ago(org, 33),
    )
    assert Deadline.objects.get(subject_id=first.pk, kind="vaccination").status == "met"
    third = vaccination_record(
        client=dk_client,
        actor=nurse,
        schedule="hepatitis_b_accelerated",
        dose=3,
        given_on=days_ago(org, 10),  # due at day 21 after the first: 9 days late
    )
    assert Deadline.objects.get(subject_id=second.pk, kind="vaccination").status == "missed"
    booster = Deadline.objects.get(subject_id=third.pk, kind="vaccination", status="open")
    assert booster.basis["dose"] == 4
    assert booster.due_on == days_ago(org, 40) + relativedelta(months=12)
    vaccination_record(
        client=dk_client,
        actor=nurse,
        schedule="hepatitis_b_accelerated",
        dose=4,
        given_on=days_ago(org, 1),
    )
    assert not Deadline.objects.filter(episode=episode, kind="vaccination", status="open").exists()


def test_the_next_dose_is_on_the_worklist_page(dk_client, nurse, open_episode, client):
    """HLT-2: the worklist shows the dose until it is given."""
    open_episode(dk_client)
    vaccination_record(
        client=dk_client,
        actor=nurse,
        schedule="hepatitis_a",
        dose=1,
        given_on=days_ago(dk_client.organisation, 0),
    )
    login(client, nurse)
    page = client.get(reverse("pathway:worklist") + "?scope=all").content.decode()
    assert "Vaccination dose" in page
    assert dk_client.display_name in page


def test_without_an_open_episode_the_next_dose_is_on_the_health_page_only(dk_client, nurse, client):
    """HLT-2: a deadline needs an episode; the health page still shows the dose due."""
    dose = vaccination_record(
        client=dk_client,
        actor=nurse,
        schedule="hepatitis_ab",
        dose=1,
        given_on=days_ago(dk_client.organisation, 0),
    )
    assert not Deadline.objects.filter(client=dk_client).exists()
    login(client, nurse)
    page = client.get(reverse("health:client", args=[dk_client.uuid])).content.decode()
    assert 'data-testid="next-dose-hepatitis_ab"' in page
    assert date_format(dose.next_due_on, "SHORT_DATE_FORMAT") in page
    assert "not on the worklist" in page


def _refused(exc_type, code, **kwargs):
    before = _state()
    with pytest.raises(exc_type) as info:
        vaccination_record(**kwargs)
    assert info.value.code == code
    assert _state() == before
    return info.value


def test_dose_two_before_dose_one_is_refused(dk_client, nurse, open_episode):
    open_episode(dk_client)
    error = _refused(
        ValidationFailed,
        "dose_out_of_order",
        client=dk_client,
        actor=nurse,
        schedule="hepatitis_b",
        dose=2,
        given_on=days_ago(dk_client.organisation, 0),
    )
    assert error.field == "dose"


def test_a_dose_recorded_twice_is_refused(dk_client, nurse, open_episode):
    open_episode(dk_client)
    today = days_ago(dk_client.organisation, 0)
    vaccination_record(
        client=dk_client, actor=nurse, schedule="hepatitis_b", dose=1, given_on=today
    )
    _refused(
        Conflict,
        "duplicate_dose",
        client=dk_client,
        actor=nurse,
        schedule="hepatitis_b",
        dose=1,
        given_on=today,
    )


def test_a_dose_in_the_future_is_refused(dk_client, nurse):
    error = _refused(
        ValidationFailed,
        "date_in_future",
        client=dk_client,
        actor=nurse,
        schedule="hepatitis_b",
        dose=1,
        given_on=days_ago(dk_client.organisation, -1),
    )
    assert error.field == "given_on"


def test_a_dose_before_the_birth_date_is_refused(dk_client, nurse):
    _refused(
        ValidationFailed,
        "date_before_birth",
        client=dk_client,
        actor=nurse,
        schedule="hepatitis_b",
        dose=1,
        given_on=dk_client.birth_date - datetime.timedelta(days=1),
    )


def test_a_dose_before_the_dose_before_it_is_refused(dk_client, nurse):
    org = dk_client.organisation
    vaccination_record(
        client=dk_client, actor=nurse, schedule="hepatitis_a", dose=1, given_on=days_ago(org, 5)
    )
    _refused(
        ValidationFailed,
        "dose_before_previous",
        client=dk_client,
        actor=nurse,
        schedule="hepatitis_a",
        dose=2,
        given_on=days_ago(org, 6),
    )


def test_a_dose_beyond_the_schedule_is_refused(dk_client, nurse):
    _refused(
        ValidationFailed,
        "dose_beyond_schedule",
        client=dk_client,
        actor=nurse,
        schedule="hepatitis_a",
        dose=3,
        given_on=days_ago(dk_client.organisation, 0),
    )


def test_an_unknown_schedule_is_refused(dk_client, nurse):
    _refused(
        ValidationFailed,
        "invalid_schedule",
        client=dk_client,
        actor=nurse,
        schedule="yellow_fever",
        dose=1,
        given_on=days_ago(dk_client.organisation, 0),
    )


def test_vaccination_records_have_no_cost_fields():
    """HLT-2: vaccination against hepatitis is free."""
    names = {f.name for f in Vaccination._meta.get_fields()}
    assert not names & {"price", "cost", "amount", "co_payment", "fee"}


@pytest.mark.parametrize("given_on", [datetime.date.min, datetime.date(1899, 12, 31)])
def test_a_dose_before_1900_is_refused(female, nurse, given_on):
    """A date at the calendar's edge is a typing error, refused with its own code."""
    error = _refused(
        ValidationFailed,
        "date_too_early",
        client=female,
        actor=nurse,
        schedule="hepatitis_b",
        dose=1,
        given_on=given_on,
    )
    assert error.field == "given_on"


def test_a_dose_on_the_calendars_last_day_is_in_the_future_not_an_overflow(female, nurse):
    """The next dose (months later) is computed only after the date check."""
    _refused(
        ValidationFailed,
        "date_in_future",
        client=female,
        actor=nurse,
        schedule="hepatitis_b",
        dose=1,
        given_on=datetime.date.max,
    )


def test_the_deadline_note_is_in_the_language_of_the_staff_member(dk_client, nurse, open_episode):
    """The met worklist item of a dose says which dose met it, translated like the rest."""
    open_episode(dk_client, days=60)
    org = dk_client.organisation
    first = vaccination_record(
        client=dk_client, actor=nurse, schedule="hepatitis_b", dose=1, given_on=days_ago(org, 40)
    )
    with translation.override("da"):
        vaccination_record(
            client=dk_client,
            actor=nurse,
            schedule="hepatitis_b",
            dose=2,
            given_on=days_ago(org, 5),
        )
    assert (
        Deadline.objects.get(subject_id=first.pk, kind="vaccination").note == "Hepatitis B: dosis 2"
    )
