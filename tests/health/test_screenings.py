"""Screenings (HLT-1): recorded, declined, results; Assens' mandatory screenings at intake
as worklist deadlines; every refusal writes nothing."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import translation

from bedring.core.errors import Conflict, ValidationFailed
from bedring.health.models import Screening
from bedring.health.services import screening_record, screening_result_set
from bedring.pathway.models import Deadline, EpisodeEvent
from tests.conftest import login

from .conftest import days_ago


def _state():
    return {
        "screenings": Screening.objects.count(),
        "log": LogEntry.objects.count(),
        "events": EpisodeEvent.objects.count(),
    }


def _screening_deadlines(episode):
    return {d.basis["value"]: d for d in Deadline.objects.filter(episode=episode, kind="screening")}


# --- Assens: mandatory at intake -----------------------------------------------------------


def test_assens_opens_a_deadline_for_each_mandatory_screening_at_intake(
    assens, make_client, open_episode
):
    """HLT-1: HIV, hepatitis B and C are mandatory in Assens, due 14 days after the inquiry."""
    episode = open_episode(make_client(assens), days=3)
    deadlines = _screening_deadlines(episode)
    assert set(deadlines) == {"hiv", "hepatitis_b", "hepatitis_c"}
    for key, deadline in deadlines.items():
        assert deadline.status == "open"
        assert deadline.due_on == episode.opened_on + datetime.timedelta(days=14)
        assert deadline.basis == {
            "rule": "mandatory_screenings",
            "value": key,
            "days": 14,
            "req": "HLT-1",
        }


def test_sonderborg_opens_no_screening_deadline(org_dk, make_client, open_episode):
    """HLT-1: only where the organisation makes screening mandatory."""
    episode = open_episode(make_client(org_dk))
    assert not Deadline.objects.filter(episode=episode, kind="screening").exists()


def test_a_result_closes_the_mandatory_screening_of_its_kind_only(
    assens, make_client, make_staff, open_episode
):
    """HLT-1: the HIV sample taken in time: the HIV deadline is met, hepatitis stays open."""
    client = make_client(assens)
    episode = open_episode(client, days=3)
    nurse = make_staff(assens, "nurse")
    today = days_ago(assens, 0)
    screening_record(
        client=client,
        actor=nurse,
        kind="hiv",
        offered_on=today,
        tested_on=today,
        result="negative",
    )
    deadlines = _screening_deadlines(episode)
    assert (deadlines["hiv"].status, deadlines["hiv"].closed_on) == ("met", today)
    assert deadlines["hepatitis_b"].status == "open"
    assert deadlines["hepatitis_c"].status == "open"


def test_a_declined_offer_closes_the_mandatory_screening(
    assens, make_client, make_staff, open_episode
):
    """HLT-1: the client may decline; the offer made is what the rule asks for."""
    client = make_client(assens)
    episode = open_episode(client, days=2)
    screening_record(
        client=client,
        actor=make_staff(assens, "nurse"),
        kind="hepatitis_c",
        offered_on=days_ago(assens, 1),
        declined=True,
    )
    assert _screening_deadlines(episode)["hepatitis_c"].status == "met"


def test_a_screening_after_the_deadline_closes_it_as_met_late(
    assens, make_client, make_staff, open_episode
):
    client = make_client(assens)
    episode = open_episode(client, days=20)
    screening_record(
        client=client,
        actor=make_staff(assens, "nurse"),
        kind="hepatitis_b",
        offered_on=days_ago(assens, 1),
        tested_on=days_ago(assens, 1),
    )
    assert _screening_deadlines(episode)["hepatitis_b"].status == "missed"


def test_a_screening_from_before_the_inquiry_does_not_close_the_intake_deadline(
    assens, make_client, make_staff, open_episode
):
    """HLT-1: a test typed in as history is not the intake screening."""
    client = make_client(assens)
    episode = open_episode(client, days=3)
    screening_record(
        client=client,
        actor=make_staff(assens, "nurse"),
        kind="hiv",
        offered_on=days_ago(assens, 200),
        tested_on=days_ago(assens, 200),
        result="negative",
    )
    assert _screening_deadlines(episode)["hiv"].status == "open"


def test_the_mandatory_screenings_are_on_the_worklist_with_why_this_date(
    assens, make_client, make_staff, open_episode, client
):
    """HLT-1: the worklist lists them until done; the episode page says why the date."""
    person = make_client(assens)
    open_episode(person, days=3)
    counsellor = make_staff(assens, "counsellor")
    login(client, counsellor)
    worklist = client.get(reverse("pathway:worklist") + "?scope=all").content.decode()
    assert worklist.count("Screening") == 3
    assert person.display_name in worklist
    health = client.get(reverse("health:client", args=[person.uuid])).content.decode()
    assert 'data-testid="mandatory-open"' in health
    assert "HIV screening is mandatory at intake, within 14 days of the inquiry." in health


# --- recording -----------------------------------------------------------------------------


def test_a_sample_without_a_result_is_pending_and_its_result_recorded_later(
    dk_client, nurse, open_episode
):
    """HLT-1: the result arrives days later; the change log has the old and the new value."""
    open_episode(dk_client)
    on = days_ago(dk_client.organisation, 1)
    screening = screening_record(
        client=dk_client, actor=nurse, kind="tuberculosis", offered_on=on, tested_on=on
    )
    assert screening.result == "pending"
    screening_result_set(screening=screening, actor=nurse, result="negative", note="Lab 2")
    screening.refresh_from_db()
    assert screening.result == "negative"
    assert screening.note == "Lab 2"
    entry = LogEntry.objects.get_for_object(screening).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes_dict["result"] == ["pending", "negative"]
    assert entry.additional_data == {"client_id": str(dk_client.pk)}
    kinds = list(
        EpisodeEvent.objects.filter(client=dk_client, kind="health_screening").values_list(
            "summary", flat=True
        )
    )
    assert kinds == ["Tuberculosis: Pending", "Tuberculosis: Negative"]


def _refused(exc_type, code, **kwargs):
    before = _state()
    with pytest.raises(exc_type) as info:
        screening_record(**kwargs)
    assert info.value.code == code
    assert _state() == before
    return info.value


def test_a_screening_in_the_future_is_refused(dk_client, nurse):
    tomorrow = days_ago(dk_client.organisation, -1)
    error = _refused(
        ValidationFailed,
        "date_in_future",
        client=dk_client,
        actor=nurse,
        kind="hiv",
        offered_on=tomorrow,
        declined=True,
    )
    assert error.field == "offered_on"


def test_a_sample_in_the_future_is_refused(dk_client, nurse):
    today = days_ago(dk_client.organisation, 0)
    error = _refused(
        ValidationFailed,
        "date_in_future",
        client=dk_client,
        actor=nurse,
        kind="hiv",
        offered_on=today,
        tested_on=today + datetime.timedelta(days=1),
    )
    assert error.field == "tested_on"


def test_a_screening_before_the_clients_birth_is_refused(dk_client, nurse):
    _refused(
        ValidationFailed,
        "date_before_birth",
        client=dk_client,
        actor=nurse,
        kind="hiv",
        offered_on=dk_client.birth_date - datetime.timedelta(days=1),
        declined=True,
    )


def test_a_declined_screening_with_a_result_is_refused(dk_client, nurse):
    today = days_ago(dk_client.organisation, 0)
    _refused(
        ValidationFailed,
        "declined_with_result",
        client=dk_client,
        actor=nurse,
        kind="hiv",
        offered_on=today,
        declined=True,
        result="negative",
    )


def test_a_screening_neither_declined_nor_sampled_is_refused(dk_client, nurse):
    _refused(
        ValidationFailed,
        "tested_on_required",
        client=dk_client,
        actor=nurse,
        kind="hiv",
        offered_on=days_ago(dk_client.organisation, 0),
    )


def test_a_sample_before_the_offer_is_refused(dk_client, nurse):
    _refused(
        ValidationFailed,
        "tested_before_offer",
        client=dk_client,
        actor=nurse,
        kind="hiv",
        offered_on=days_ago(dk_client.organisation, 0),
        tested_on=days_ago(dk_client.organisation, 1),
    )


def test_an_unknown_screening_is_refused(dk_client, nurse):
    _refused(
        ValidationFailed,
        "invalid_screening",
        client=dk_client,
        actor=nurse,
        kind="measles",
        offered_on=days_ago(dk_client.organisation, 0),
        declined=True,
    )


def test_an_unknown_result_is_refused(dk_client, nurse):
    today = days_ago(dk_client.organisation, 0)
    _refused(
        ValidationFailed,
        "invalid_result",
        client=dk_client,
        actor=nurse,
        kind="hiv",
        offered_on=today,
        tested_on=today,
        result="maybe",
    )


def test_a_final_result_is_not_changed(dk_client, nurse):
    today = days_ago(dk_client.organisation, 0)
    screening = screening_record(
        client=dk_client,
        actor=nurse,
        kind="hiv",
        offered_on=today,
        tested_on=today,
        result="negative",
    )
    before = _state()
    with pytest.raises(Conflict) as info:
        screening_result_set(screening=screening, actor=nurse, result="positive")
    assert info.value.code == "result_final"
    assert _state() == before


def test_a_declined_screening_gets_no_result(dk_client, nurse):
    screening = screening_record(
        client=dk_client,
        actor=nurse,
        kind="hiv",
        offered_on=days_ago(dk_client.organisation, 0),
        declined=True,
    )
    before = _state()
    with pytest.raises(Conflict) as info:
        screening_result_set(screening=screening, actor=nurse, result="negative")
    assert info.value.code == "screening_declined"
    assert _state() == before


def test_a_pending_result_set_to_pending_is_refused(dk_client, nurse):
    today = days_ago(dk_client.organisation, 0)
    screening = screening_record(
        client=dk_client, actor=nurse, kind="hiv", offered_on=today, tested_on=today
    )
    before = _state()
    with pytest.raises(ValidationFailed) as info:
        screening_result_set(screening=screening, actor=nurse, result="pending")
    assert info.value.code == "result_required"
    assert _state() == before


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"offered_on": datetime.date(1, 1, 1), "declined": True}, "offered_on"),
        ({"offered_on": datetime.date(1899, 12, 31), "declined": True}, "offered_on"),
        ({"offered_on": None, "tested_on": datetime.date(1899, 12, 31)}, "tested_on"),
    ],
)
def test_a_screening_before_1900_is_refused(female, nurse, dates, field):
    """A date at the calendar's edge is a typing error, refused with its own code."""
    dates = {**dates, "offered_on": dates["offered_on"] or days_ago(female.organisation, 0)}
    error = _refused(
        ValidationFailed, "date_too_early", client=female, actor=nurse, kind="hiv", **dates
    )
    assert error.field == field


def test_the_deadline_note_is_in_the_language_of_the_staff_member(
    assens, make_client, make_staff, open_episode
):
    """The closed worklist item says what closed it, translated like the rest."""
    client = make_client(assens)
    episode = open_episode(client, days=2)
    nurse = make_staff(assens, "nurse")
    today = days_ago(assens, 0)
    screening_record(client=client, actor=nurse, kind="hiv", offered_on=today, tested_on=today)
    with translation.override("da"):
        screening_record(
            client=client, actor=nurse, kind="hepatitis_c", offered_on=today, declined=True
        )
    deadlines = _screening_deadlines(episode)
    assert deadlines["hiv"].note == "HIV: sample taken"
    assert deadlines["hepatitis_c"].note == "Hepatitis C: takket nej"
