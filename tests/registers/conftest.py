"""Treatment entrants built through the real services: an inquiry (in person or by phone),
an assessment with its TDI items, a granted decision and the start of treatment."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bedring.accounts.models import Organisation, User
from bedring.catalogue.models import Offer
from bedring.catalogue.services.attendance import attendance_record
from bedring.catalogue.services.enrolments import book_individual_sessions, enrol
from bedring.clients.models import Client
from bedring.core.roles import Role
from bedring.pathway.models import Episode, QuestionSet
from bedring.pathway.services import assessment as assessments
from bedring.pathway.services.decision import decision_make
from bedring.pathway.services.episode import (
    episode_begin_assessment,
    episode_start_treatment,
    inquiry_register,
)

D = datetime.date
START = D(2026, 3, 10)

# A complete, valid TDI intake for an adult (ages low enough for any synthetic client).
TDI: dict[str, Any] = {
    "previously_treated": 2,
    "referral_source": 4,
    "living_with": 1,
    "living_where": 2,
    "children": 2,
    "nationality": "DK",
    "education": 2,
    "labour_status": 3,
    "primary_substance": 11,
    "primary_route": 1,
    "primary_frequency": 1,
    "primary_age_first_use": 16,
    "secondary_substances": [
        {"substance": 42, "route": 3, "frequency": 2, "age_first_use": 17},
        {"substance": 71, "route": 2, "frequency": 1, "age_first_use": 14},
    ],
    "ever_injected": 4,
    "age_first_injection": 17,
    "ever_shared_equipment": 2,
    "opioid_substitution_ever": 2,
}


def answer_everything(question_set: QuestionSet) -> dict[str, Any]:
    sample = {"text": "In the client's words", "bool": True, "number": 3, "date": "2026-01-20"}
    return {
        q["key"]: q["choices"][0]["value"] if q["type"] == "choice" else sample[q["type"]]
        for q in question_set.questions
    }


@pytest.fixture
def staff_of(make_staff: Callable[..., User]) -> Callable[[Organisation, str], User]:
    cache: dict[tuple[int, str], User] = {}

    def get(organisation: Organisation, role: str) -> User:
        key = (organisation.pk, role)
        if key not in cache:
            cache[key] = make_staff(organisation, role)
        return cache[key]

    return get


@pytest.fixture
def entrant(staff_of: Callable[[Organisation, str], User]) -> Callable[..., Episode]:
    """entrant(client, channel="in_person", started_on=D(2026, 3, 10), tdi=TDI,
    complete=True, assess=True): an episode whose treatment started on ``started_on``."""

    def make(
        client: Client,
        *,
        channel: str = "in_person",
        started_on: datetime.date = START,
        tdi: dict[str, Any] | None = TDI,
        complete: bool = True,
        assess: bool = True,
    ) -> Episode:
        organisation = client.organisation
        counsellor = staff_of(organisation, Role.COUNSELLOR)
        received = started_on - datetime.timedelta(days=8)
        inquiry = inquiry_register(
            organisation=organisation,
            site=organisation.sites.filter(kind="main").first() or organisation.sites.first(),
            actor=counsellor,
            channel=channel,
            referrer="self",
            received_at=datetime.datetime.combine(
                received, datetime.time(10), tzinfo=ZoneInfo(organisation.time_zone)
            ),
            client=client,
        )
        episode = inquiry.episode
        assert episode is not None
        if assess:
            assessment = assessments.assessment_start(
                episode=episode,
                actor=counsellor,
                conducted_on=started_on - datetime.timedelta(days=5),
            )
            if tdi is not None:
                assessments.assessment_save_tdi(assessment=assessment, actor=counsellor, data=tdi)
            if complete:
                assessments.assessment_save_answers(
                    assessment=assessment,
                    actor=counsellor,
                    answers=answer_everything(assessment.question_set),
                )
                assessments.assessment_complete(assessment=assessment, actor=counsellor)
        else:
            episode_begin_assessment(episode=episode, actor=counsellor)
        decision_make(
            episode=episode,
            actor=staff_of(organisation, Role.AUTHORITY),
            kind="treatment",
            outcome="granted",
            intensity="outpatient",
            justification="Meets the criteria.",
            decided_on=started_on - datetime.timedelta(days=2),
        )
        episode_start_treatment(episode=episode, actor=counsellor, on=started_on)
        episode.refresh_from_db()
        return episode

    return make


@pytest.fixture
def attend(staff_of: Callable[[Organisation, str], User]) -> Callable[..., None]:
    """attend(episode, offer_key, on): enrol the episode's client in an individual offer,
    book one session on ``on`` and record it as attended."""

    def make(episode: Episode, offer_key: str, on: datetime.date) -> None:
        organisation = episode.organisation
        counsellor = staff_of(organisation, Role.COUNSELLOR)
        offer = Offer.objects.get(organisation=organisation, key=offer_key, is_current=True)
        enrolment = enrol(client=episode.client, actor=counsellor, offer=offer, starts_on=on)
        assert enrolment.episode_id == episode.pk
        (session,) = book_individual_sessions(enrolment=enrolment, actor=counsellor, dates=[on])
        attendance_record(session=session, enrolment=enrolment, status="attended", actor=counsellor)

    return make
