"""Health contacts (HLT-3) and pregnancy with its follow-up (HLT-4): recorded through the
services, the follow-up after a birth on the worklist; every refusal writes nothing."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.formats import date_format

from bedring.core.errors import Conflict, ValidationFailed
from bedring.health.models import (
    HealthContact,
    Pregnancy,
    PregnancyFollowUp,
    PregnancyStatus,
)
from bedring.health.services import (
    health_contact_record,
    pregnancy_end,
    pregnancy_follow_up_record,
    pregnancy_record,
)
from bedring.pathway.models import Deadline, EpisodeEvent

from .conftest import days_ago

WEEK = datetime.timedelta(weeks=1)


def _state():
    return {
        "contacts": HealthContact.objects.count(),
        "pregnancies": list(Pregnancy.objects.values_list("status", "ended_on")),
        "follow_ups": PregnancyFollowUp.objects.count(),
        "deadlines": Deadline.objects.count(),
        "log": LogEntry.objects.count(),
        "events": EpisodeEvent.objects.count(),
    }


def _refused(service, exc_type, code, **kwargs):
    before = _state()
    with pytest.raises(exc_type) as info:
        service(**kwargs)
    assert info.value.code == code
    assert _state() == before
    return info.value


@pytest.fixture
def pregnancy(female, nurse):
    return pregnancy_record(
        client=female,
        actor=nurse,
        noted_on=days_ago(female.organisation, 30),
        estimated_due_on=days_ago(female.organisation, -150),
    )


# --- health contacts (HLT-3) ---------------------------------------------------------------


def test_each_kind_of_health_contact_is_recorded_with_its_staff_member(
    dk_client, nurse, open_episode
):
    """HLT-3: contraception, NADA, a health conversation, a dental referral."""
    open_episode(dk_client)
    on = days_ago(dk_client.organisation, 1)
    for kind in ("contraception", "nada", "health_conversation", "dental_referral"):
        health_contact_record(client=dk_client, actor=nurse, kind=kind, on=on, note="ok")
    contacts = HealthContact.objects.filter(client=dk_client)
    assert contacts.count() == 4
    assert {c.staff_id for c in contacts} == {nurse.pk}
    assert EpisodeEvent.objects.filter(client=dk_client, kind="health_contact").count() == 4


def test_a_health_contact_in_the_future_is_refused(dk_client, nurse):
    _refused(
        health_contact_record,
        ValidationFailed,
        "date_in_future",
        client=dk_client,
        actor=nurse,
        kind="nada",
        on=days_ago(dk_client.organisation, -1),
    )


def test_a_health_contact_before_the_birth_date_is_refused(dk_client, nurse):
    _refused(
        health_contact_record,
        ValidationFailed,
        "date_before_birth",
        client=dk_client,
        actor=nurse,
        kind="nada",
        on=dk_client.birth_date - datetime.timedelta(days=1),
    )


def test_an_unknown_health_contact_is_refused(dk_client, nurse):
    _refused(
        health_contact_record,
        ValidationFailed,
        "invalid_contact_kind",
        client=dk_client,
        actor=nurse,
        kind="massage",
        on=days_ago(dk_client.organisation, 0),
    )


def test_a_note_too_long_is_refused(dk_client, nurse):
    _refused(
        health_contact_record,
        ValidationFailed,
        "note_too_long",
        client=dk_client,
        actor=nurse,
        kind="nada",
        on=days_ago(dk_client.organisation, 0),
        note="x" * 2001,
    )


# --- pregnancy (HLT-4) ---------------------------------------------------------------------


def test_a_pregnancy_is_followed_up_and_the_birth_opens_the_follow_up_after_birth(
    female, nurse, open_episode
):
    """HLT-4: urine tests, the midwife, cooperation with the GP; the birth ends the pregnancy
    and puts the follow-up after birth on the worklist six weeks later; recording it closes
    the deadline."""
    org = female.organisation
    episode = open_episode(female, days=40)
    pregnancy = pregnancy_record(
        client=female,
        actor=nurse,
        noted_on=days_ago(org, 35),
        estimated_due_on=days_ago(org, 5),
    )
    pregnancy_follow_up_record(
        pregnancy=pregnancy, actor=nurse, kind="urine_test", on=days_ago(org, 30)
    )
    pregnancy_follow_up_record(
        pregnancy=pregnancy, actor=nurse, kind="midwife", on=days_ago(org, 20)
    )
    pregnancy_follow_up_record(
        pregnancy=pregnancy, actor=nurse, kind="cooperation", partner="gp", on=days_ago(org, 15)
    )
    pregnancy_end(pregnancy=pregnancy, actor=nurse, outcome="birth", on=days_ago(org, 3))
    pregnancy.refresh_from_db()
    assert (pregnancy.status, pregnancy.ended_on) == ("birth", days_ago(org, 3))
    deadline = Deadline.objects.get(episode=episode, kind="pregnancy_follow_up")
    assert deadline.due_on == days_ago(org, 3) + 6 * WEEK
    assert deadline.subject_id == pregnancy.pk
    assert deadline.basis == {"rule": "postnatal_follow_up_weeks", "value": 6, "req": "HLT-4"}
    pregnancy_follow_up_record(
        pregnancy=pregnancy, actor=nurse, kind="after_birth", on=days_ago(org, 0)
    )
    deadline.refresh_from_db()
    assert deadline.status == "met"
    assert pregnancy.follow_ups.count() == 4


def test_a_pregnancy_that_ends_without_a_birth_opens_nothing(female, nurse, open_episode):
    episode = open_episode(female, days=10)
    pregnancy = pregnancy_record(
        client=female, actor=nurse, estimated_due_on=days_ago(female.organisation, -200)
    )
    pregnancy_end(
        pregnancy=pregnancy, actor=nurse, outcome="ended", on=days_ago(female.organisation, 0)
    )
    assert not Deadline.objects.filter(episode=episode, kind="pregnancy_follow_up").exists()
    # After it ended, a new pregnancy can be recorded.
    pregnancy_record(
        client=female, actor=nurse, estimated_due_on=days_ago(female.organisation, -250)
    )


def test_a_client_of_unknown_sex_may_have_a_pregnancy_recorded(org_dk, make_client, nurse):
    client = make_client(org_dk, national_id="", sex="unknown")
    pregnancy = pregnancy_record(
        client=client, actor=nurse, estimated_due_on=days_ago(org_dk, -100)
    )
    assert pregnancy.status == PregnancyStatus.ONGOING


@pytest.mark.parametrize("sex", ["male", "other"])
def test_a_pregnancy_is_refused_for_a_client_not_female_or_unknown(org_dk, make_client, nurse, sex):
    client = make_client(org_dk, national_id="", sex=sex)
    _refused(
        pregnancy_record,
        ValidationFailed,
        "pregnancy_sex",
        client=client,
        actor=nurse,
        estimated_due_on=days_ago(org_dk, -100),
    )


def test_a_second_ongoing_pregnancy_is_refused(pregnancy, female, nurse):
    _refused(
        pregnancy_record,
        Conflict,
        "pregnancy_ongoing",
        client=female,
        actor=nurse,
        estimated_due_on=days_ago(female.organisation, -100),
    )


def test_the_database_holds_one_ongoing_pregnancy_per_client(pregnancy, female, nurse):
    """HLT-4: a partial unique constraint, whatever a service forgets."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Pregnancy.objects.create(
            client=female,
            noted_on=pregnancy.noted_on,
            estimated_due_on=pregnancy.estimated_due_on,
            recorded_by=nurse,
        )


def test_an_implausible_due_date_is_refused(female, nurse):
    org = female.organisation
    error = _refused(
        pregnancy_record,
        ValidationFailed,
        "due_date_implausible",
        client=female,
        actor=nurse,
        estimated_due_on=days_ago(org, -400),
    )
    assert error.field == "estimated_due_on"
    _refused(
        pregnancy_record,
        ValidationFailed,
        "due_date_implausible",
        client=female,
        actor=nurse,
        estimated_due_on=days_ago(org, 60),
    )


def test_a_pregnancy_noted_in_the_future_is_refused(female, nurse):
    org = female.organisation
    _refused(
        pregnancy_record,
        ValidationFailed,
        "date_in_future",
        client=female,
        actor=nurse,
        noted_on=days_ago(org, -1),
        estimated_due_on=days_ago(org, -100),
    )


def test_a_birth_in_the_future_is_refused(pregnancy, nurse):
    _refused(
        pregnancy_end,
        ValidationFailed,
        "date_in_future",
        pregnancy=pregnancy,
        actor=nurse,
        outcome="birth",
        on=days_ago(pregnancy.client.organisation, -1),
    )


def test_an_end_before_the_pregnancy_was_known_is_refused(pregnancy, nurse):
    _refused(
        pregnancy_end,
        ValidationFailed,
        "end_before_pregnancy",
        pregnancy=pregnancy,
        actor=nurse,
        outcome="ended",
        on=pregnancy.noted_on - datetime.timedelta(days=1),
    )


def test_a_pregnancy_ends_only_once(pregnancy, nurse):
    today = days_ago(pregnancy.client.organisation, 0)
    pregnancy_end(pregnancy=pregnancy, actor=nurse, outcome="birth", on=today)
    _refused(
        pregnancy_end,
        Conflict,
        "pregnancy_not_ongoing",
        pregnancy=pregnancy,
        actor=nurse,
        outcome="ended",
        on=today,
    )


def test_an_unknown_outcome_is_refused(pregnancy, nurse):
    _refused(
        pregnancy_end,
        ValidationFailed,
        "invalid_outcome",
        pregnancy=pregnancy,
        actor=nurse,
        outcome="ongoing",
        on=days_ago(pregnancy.client.organisation, 0),
    )


def test_a_cooperation_without_its_partner_is_refused(pregnancy, nurse):
    error = _refused(
        pregnancy_follow_up_record,
        ValidationFailed,
        "partner_required",
        pregnancy=pregnancy,
        actor=nurse,
        kind="cooperation",
        on=days_ago(pregnancy.client.organisation, 0),
    )
    assert error.field == "partner"


def test_a_partner_on_another_follow_up_is_refused(pregnancy, nurse):
    _refused(
        pregnancy_follow_up_record,
        ValidationFailed,
        "partner_not_expected",
        pregnancy=pregnancy,
        actor=nurse,
        kind="home_visit",
        partner="gp",
        on=days_ago(pregnancy.client.organisation, 0),
    )


def test_an_unknown_follow_up_or_partner_is_refused(pregnancy, nurse):
    today = days_ago(pregnancy.client.organisation, 0)
    _refused(
        pregnancy_follow_up_record,
        ValidationFailed,
        "invalid_follow_up_kind",
        pregnancy=pregnancy,
        actor=nurse,
        kind="yoga",
        on=today,
    )
    _refused(
        pregnancy_follow_up_record,
        ValidationFailed,
        "invalid_partner",
        pregnancy=pregnancy,
        actor=nurse,
        kind="cooperation",
        partner="police",
        on=today,
    )


def test_a_follow_up_in_the_future_is_refused(pregnancy, nurse):
    _refused(
        pregnancy_follow_up_record,
        ValidationFailed,
        "date_in_future",
        pregnancy=pregnancy,
        actor=nurse,
        kind="home_visit",
        on=days_ago(pregnancy.client.organisation, -1),
    )


def test_a_follow_up_before_the_pregnancy_was_known_is_refused(pregnancy, nurse):
    _refused(
        pregnancy_follow_up_record,
        ValidationFailed,
        "follow_up_before_pregnancy",
        pregnancy=pregnancy,
        actor=nurse,
        kind="home_visit",
        on=pregnancy.noted_on - datetime.timedelta(days=1),
    )


def test_the_follow_up_after_birth_needs_the_birth(pregnancy, nurse):
    _refused(
        pregnancy_follow_up_record,
        Conflict,
        "no_birth_recorded",
        pregnancy=pregnancy,
        actor=nurse,
        kind="after_birth",
        on=days_ago(pregnancy.client.organisation, 0),
    )


def test_the_follow_up_after_birth_cannot_be_before_the_birth(pregnancy, nurse):
    org = pregnancy.client.organisation
    pregnancy_end(pregnancy=pregnancy, actor=nurse, outcome="birth", on=days_ago(org, 2))
    _refused(
        pregnancy_follow_up_record,
        ValidationFailed,
        "follow_up_before_birth",
        pregnancy=pregnancy,
        actor=nurse,
        kind="after_birth",
        on=days_ago(org, 3),
    )


# --- dates at the calendar's edge, timeline summaries, worklist notes ----------------------

EARLY = datetime.date(1899, 12, 31)


def test_a_pregnancy_known_since_year_one_is_refused_not_an_overflow(female, nurse):
    """A "known since" date at the calendar's edge (a typing error) is refused with its own
    code before any date arithmetic: 3 weeks before 0001-01-01 does not exist."""
    assert female.birth_date is None
    error = _refused(
        pregnancy_record,
        ValidationFailed,
        "date_too_early",
        client=female,
        actor=nurse,
        noted_on=datetime.date(1, 1, 1),
        estimated_due_on=datetime.date(1, 2, 1),
    )
    assert error.field == "noted_on"
    assert str(error.message) == "The date cannot be before 1 January 1900."


@pytest.mark.parametrize(
    ("service", "kwargs", "field"),
    [
        (health_contact_record, {"kind": "nada", "on": EARLY}, "on"),
        (pregnancy_record, {"noted_on": EARLY, "estimated_due_on": EARLY}, "noted_on"),
    ],
)
def test_a_health_date_before_1900_is_refused(female, nurse, service, kwargs, field):
    error = _refused(
        service, ValidationFailed, "date_too_early", client=female, actor=nurse, **kwargs
    )
    assert error.field == field


@pytest.mark.parametrize(
    ("service", "kwargs"),
    [
        (pregnancy_end, {"outcome": "birth", "on": EARLY}),
        (pregnancy_follow_up_record, {"kind": "home_visit", "on": EARLY}),
    ],
)
def test_a_pregnancy_date_before_1900_is_refused(pregnancy, nurse, service, kwargs):
    error = _refused(
        service, ValidationFailed, "date_too_early", pregnancy=pregnancy, actor=nurse, **kwargs
    )
    assert error.field == "on"


def test_the_first_day_of_1900_is_accepted(female, nurse):
    contact = health_contact_record(
        client=female, actor=nurse, kind="nada", on=datetime.date(1900, 1, 1)
    )
    assert contact.on == datetime.date(1900, 1, 1)


def test_a_due_date_at_the_calendars_edge_is_implausible_not_an_overflow(female, nurse):
    """The due date is only compared with the day the pregnancy became known (itself
    checked first): the first and the last day of the calendar are refused as implausible."""
    for due in (datetime.date.min, datetime.date.max):
        _refused(
            pregnancy_record,
            ValidationFailed,
            "due_date_implausible",
            client=female,
            actor=nurse,
            estimated_due_on=due,
        )


def test_a_birth_on_the_calendars_last_day_is_in_the_future_not_an_overflow(pregnancy, nurse):
    """The follow-up after birth is computed (six weeks on) only after the date check."""
    _refused(
        pregnancy_end,
        ValidationFailed,
        "date_in_future",
        pregnancy=pregnancy,
        actor=nurse,
        outcome="birth",
        on=datetime.date.max,
    )


def test_the_pregnancy_event_shows_the_due_date_in_the_local_format(female, nurse, open_episode):
    """The timeline is read as is: the due date as staff write it, not 2027-03-01."""
    open_episode(female)
    due = days_ago(female.organisation, -100)
    pregnancy_record(client=female, actor=nurse, estimated_due_on=due)
    summary = EpisodeEvent.objects.get(client=female, kind="health_pregnancy").summary
    assert due.isoformat() not in summary
    assert summary == f"Estimated due date {date_format(due, 'SHORT_DATE_FORMAT')}"


def test_the_follow_up_after_birth_note_is_in_the_language_of_the_staff_member(
    female, nurse, open_episode
):
    """The met worklist item says what met it, translated like the rest."""
    org = female.organisation
    open_episode(female, days=40)
    pregnancy = pregnancy_record(
        client=female, actor=nurse, noted_on=days_ago(org, 35), estimated_due_on=days_ago(org, 5)
    )
    pregnancy_end(pregnancy=pregnancy, actor=nurse, outcome="birth", on=days_ago(org, 3))
    with translation.override("nl"):
        pregnancy_follow_up_record(
            pregnancy=pregnancy, actor=nurse, kind="after_birth", on=days_ago(org, 0)
        )
    deadline = Deadline.objects.get(client=female, kind="pregnancy_follow_up")
    assert (deadline.status, deadline.note) == ("met", "Opvolging na de geboorte")
