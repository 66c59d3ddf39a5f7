"""DIS-1, SCH-2: a discharge ends the client's active enrolments of the episode (a group course
and an individual offer) in the same transaction, with the discharge as the reason, and
cancels their planned sessions after it; another client's enrolments are untouched. The
pathway reaches the catalogue only through its port (``pathway.episode_end``)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from bedring.catalogue.models import Enrolment, EnrolmentStatus, Session, SessionStatus
from bedring.catalogue.services.enrolments import book_individual_sessions, enrol
from bedring.pathway import episode_end
from bedring.pathway.models import Discharge
from bedring.pathway.states import EpisodeState
from tests.catalogue.conftest import SCENARIO_NOW
from tests.catalogue.test_courses_world import course, current
from tests.pathway.test_discharge import current_goals, discharge, make_active

D = datetime.date
DISCHARGED_ON = D(2026, 11, 20)


@pytest.fixture
def treated(frozen_clock, org_dk, dk_client, make_client, counsellor, authority):
    """Two clients in active treatment, both in one motivation group from 9 November; the
    first also in individual counselling with a session before and two after the discharge
    day."""
    frozen_clock.move_to(SCENARIO_NOW)
    group = course(org_dk, "motivation-group", D(2026, 11, 9), actor=counsellor)
    episode = make_active(dk_client, counsellor, authority)
    other_client = make_client(org_dk)
    other_episode = make_active(other_client, counsellor, authority)
    in_group = enrol(client=dk_client, actor=counsellor, course=group, starts_on=D(2026, 11, 9))
    individual = enrol(
        client=dk_client,
        actor=counsellor,
        offer=current(org_dk, "individual"),
        starts_on=D(2026, 11, 9),
    )
    book_individual_sessions(
        enrolment=individual,
        actor=counsellor,
        dates=[D(2026, 11, 18), D(2026, 11, 25), D(2026, 12, 2)],
    )
    other = enrol(client=other_client, actor=counsellor, course=group, starts_on=D(2026, 11, 9))
    return episode, [in_group, individual], other_episode, other


def statuses(enrolments: list[Enrolment]) -> list[str]:
    return [Enrolment.objects.get(pk=e.pk).status for e in enrolments]


def planned_sessions(enrolment: Enrolment) -> list[datetime.date]:
    return list(
        Session.objects.filter(enrolment=enrolment, status=SessionStatus.PLANNED).values_list(
            "on", flat=True
        )
    )


def test_the_discharge_ends_the_clients_enrolments_with_it_as_the_reason(treated, counsellor):
    """DIS-1, SCH-2"""
    episode, enrolments, _other_episode, other = treated
    # When the client is discharged as completed
    done = discharge(episode, counsellor, discharged_on=DISCHARGED_ON)
    # Then both enrolments ended on the discharge day, the discharge named as the reason
    for enrolment in enrolments:
        enrolment.refresh_from_db()
        assert enrolment.status == EnrolmentStatus.ENDED
        assert enrolment.ended_on == DISCHARGED_ON
        assert enrolment.end_reason == "Discharged: Completed"
    # and the individual sessions after the discharge are cancelled, the one before kept
    assert planned_sessions(enrolments[1]) == [D(2026, 11, 18)]
    # and the discharge says what it ended
    assert done.consequences == [  # type: ignore[attr-defined]
        "The client's 2 active enrolments end, with the discharge as the reason; their "
        "planned sessions after the discharge are cancelled."
    ]
    # and the other client in the same group is still enrolled
    other.refresh_from_db()
    assert other.status == EnrolmentStatus.ACTIVE
    assert other.ended_on is None


def test_a_failure_after_the_enrolments_end_leaves_the_discharge_and_them_unwritten(
    treated, counsellor, monkeypatch
):
    """The discharge and the enrolments' ends are one transaction."""
    episode, enrolments, _other_episode, _other = treated

    def fails(ended: episode_end.EpisodeEnded) -> list[str]:
        # The catalogue's handler has run before this one: its ends must roll back too.
        assert Enrolment.objects.get(pk=enrolments[0].pk).status == EnrolmentStatus.ENDED
        raise RuntimeError("a later domain failed")

    monkeypatch.setitem(episode_end._handlers, "tests.fails", fails)
    with pytest.raises(RuntimeError):
        discharge(episode, counsellor, discharged_on=DISCHARGED_ON)
    episode.refresh_from_db()
    assert episode.state == EpisodeState.ACTIVE
    assert not Discharge.objects.filter(episode=episode).exists()
    assert statuses(enrolments) == [EnrolmentStatus.ACTIVE, EnrolmentStatus.ACTIVE]
    assert planned_sessions(enrolments[1]) == [D(2026, 11, 18), D(2026, 11, 25), D(2026, 12, 2)]


def test_the_confirmation_says_how_many_enrolments_end(treated, counsellor, as_user):
    """DIS-1: before the discharge is done the page says it will end the 2 enrolments, and
    nothing is written until it is confirmed."""
    episode, enrolments, _other_episode, _other = treated
    http = as_user(counsellor)
    goals = current_goals(episode)
    data = {
        "status": "completed",
        "discharged_on": DISCHARGED_ON.isoformat(),
        "overall_result": "drug_free",
        "destination": "",
        "note": "",
        "goals-TOTAL_FORMS": str(len(goals)),
        "goals-INITIAL_FORMS": str(len(goals)),
        **{f"goals-{i}-goal": str(g.uuid) for i, g in enumerate(goals)},
        **{f"goals-{i}-outcome": "reached" for i in range(len(goals))},
    }
    url = reverse("pathway:discharge_create", args=[episode.uuid])
    page = http.post(url, data).content.decode()
    assert 'data-testid="confirm-page"' in page
    assert "The client&#x27;s 2 active enrolments end" in page
    assert statuses(enrolments) == [EnrolmentStatus.ACTIVE, EnrolmentStatus.ACTIVE]
    assert http.post(url, {**data, "confirm": "1"}).status_code == 302
    assert statuses(enrolments) == [EnrolmentStatus.ENDED, EnrolmentStatus.ENDED]
