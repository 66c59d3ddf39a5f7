"""Lykken (seed 003 "Øvrige ydelser" 4): named clients with individual SMART goals (line 541)
beside anonymous counts, and the 23+ limit (line 55) for both.

Lykken is open to current and former users of the centre (line 545). A treatment plan
belongs to an open episode, so a former user could not get a goal through a plan; the goals
are therefore set on the Lykken enrolment itself (``individual_goals`` in the offer's terms),
with the plan's SMART rule."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

import pytest
from dateutil.relativedelta import relativedelta
from django.test import Client as HttpClient

from bedring.accounts.models import Organisation
from bedring.catalogue.models import Enrolment, EnrolmentGoal, Tally
from bedring.catalogue.services.enrolments import enrol, enrolment_end
from bedring.catalogue.services.goals import enrolment_goal_add, enrolment_goal_progress
from bedring.catalogue.services.tallies import tally_record
from bedring.catalogue.terms import OfferTerms
from bedring.clients.models import Client
from bedring.core.errors import Conflict, ValidationFailed
from bedring.core.roles import Role
from bedring.pathway.models import EpisodeEvent
from bedring.pathway.services.episode import (
    episode_begin_assessment,
    episode_withdraw,
    inquiry_register,
)
from bedring.pathway.services.plan import GoalInput
from bedring.synthetic.people import GENERATORS
from tests.conftest import NOW, TODAY, api_headers, login

from .test_attendance_world import offer

pytestmark = pytest.mark.django_db

GOAL = GoalInput(
    text="Keep my flat",
    measure="Rent paid on time, from the bank statement",
    target="Every month",
    due_on=TODAY + datetime.timedelta(days=90),
    client_words="I want to keep my home.",
)


def aged(make_client: Callable[..., Client], org: Organisation, years: int) -> Client:
    """A client who is ``years`` old today, the day before the next birthday."""
    birth = TODAY - relativedelta(years=years + 1) + datetime.timedelta(days=1)
    return make_client(
        org, national_id=GENERATORS["DK"](birth, "male", random.Random(years)), birth_date=birth
    )


@pytest.fixture
def visitor(org_dk, make_client) -> Client:
    return aged(make_client, org_dk, 41)


@pytest.fixture
def lykken_enrolment(org_dk, visitor, counsellor) -> Enrolment:
    return enrol(client=visitor, actor=counsellor, offer=offer(org_dk, "lykken"))


# --- the 23+ limit, for named clients and for counts ------------------------------------


def test_a_22_year_old_is_refused_lykken_and_a_23_year_old_is_enrolled(
    org_dk, make_client, counsellor
):
    lykken = offer(org_dk, "lykken")
    with pytest.raises(ValidationFailed) as refused:
        enrol(client=aged(make_client, org_dk, 22), actor=counsellor, offer=lykken)
    assert refused.value.code == "too_young"
    assert [r["code"] for r in refused.value.details["refusals"]] == ["too_young"]
    enrolment = enrol(client=aged(make_client, org_dk, 23), actor=counsellor, offer=lykken)
    assert enrolment.starts_on == TODAY and enrolment.episode is None


def test_counts_and_named_clients_side_by_side_both_from_23(org_dk, lykken_enrolment, make_staff):
    dropin = make_staff(org_dk, Role.DROPIN_WORKER)
    data = {
        "organisation": org_dk,
        "site": org_dk.sites.get(slug="lykken"),
        "offer": offer(org_dk, "lykken"),
        "on": TODAY,
        "count": 4,
        "actor": dropin,
    }
    assert tally_record(**data, age_band="24-29").count == 4
    with pytest.raises(ValidationFailed) as refused:
        tally_record(**data, age_band="15-17")
    assert refused.value.code == "age_band_under_offer"
    assert Tally.objects.filter(organisation=org_dk).count() == 1
    assert Enrolment.objects.filter(offer__key="lykken", status="active").count() == 1


# --- individual SMART goals --------------------------------------------------------------


def test_a_visitor_without_an_episode_gets_a_smart_goal_and_its_progress(
    lykken_enrolment, counsellor
):
    goal = enrolment_goal_add(enrolment=lykken_enrolment, actor=counsellor, goal=GOAL)
    assert (goal.text, goal.measure, goal.target) == (GOAL.text, GOAL.measure, GOAL.target)
    assert (goal.due_on, goal.agreed_on, goal.progress) == (GOAL.due_on, TODAY, "not_started")
    assert goal.client_words == "I want to keep my home." and goal.set_by == counsellor
    enrolment_goal_progress(goal=goal, actor=counsellor, progress="some")
    goal.refresh_from_db()
    assert (goal.progress, goal.progress_on) == ("some", TODAY)


def test_a_former_user_whose_episode_ended_gets_goals_in_lykken(org_dk, visitor, counsellor):
    """A former user: the episode is closed, so no plan can be made, but Lykken's goals can."""
    inquiry = inquiry_register(
        organisation=org_dk,
        site=org_dk.sites.get(slug="kongevej"),
        actor=counsellor,
        channel="phone",
        referrer="self",
        received_at=NOW - datetime.timedelta(days=30),
        client=visitor,
    )
    assert inquiry.episode is not None
    episode_withdraw(episode=inquiry.episode, actor=counsellor, reason="Did not want treatment")
    enrolment = enrol(client=visitor, actor=counsellor, offer=offer(org_dk, "lykken"))
    assert enrolment.episode is None
    enrolment_goal_add(enrolment=enrolment, actor=counsellor, goal=GOAL)
    assert EnrolmentGoal.objects.filter(enrolment__client=visitor).count() == 1


def test_a_client_in_treatment_has_the_goal_on_the_episodes_timeline(org_dk, visitor, counsellor):
    inquiry = inquiry_register(
        organisation=org_dk,
        site=org_dk.sites.get(slug="kongevej"),
        actor=counsellor,
        channel="phone",
        referrer="self",
        received_at=NOW - datetime.timedelta(days=3),
        client=visitor,
    )
    assert inquiry.episode is not None
    episode_begin_assessment(episode=inquiry.episode, actor=counsellor)
    enrolment = enrol(client=visitor, actor=counsellor, offer=offer(org_dk, "lykken"))
    assert enrolment.episode == inquiry.episode
    enrolment_goal_add(enrolment=enrolment, actor=counsellor, goal=GOAL)
    event = EpisodeEvent.objects.get(episode=inquiry.episode, kind="enrolment_goal")
    assert GOAL.text in event.summary


@pytest.mark.parametrize(
    ("change", "agreed_on", "code"),
    [
        ({"measure": ""}, None, "goal_incomplete"),
        ({"due_on": None}, None, "goal_incomplete"),
        ({"due_on": TODAY}, None, "goal_due_before_plan"),
        ({"text": "x" * 301}, None, "goal_too_long"),
        ({}, TODAY + datetime.timedelta(days=1), "date_in_future"),
        ({}, TODAY - datetime.timedelta(days=1), "date_before_enrolment"),
    ],
)
def test_a_goal_that_is_not_smart_or_misdated_is_refused(
    lykken_enrolment, counsellor, change, agreed_on, code
):
    goal = GoalInput(**{**GOAL.__dict__, **change})
    with pytest.raises(ValidationFailed) as refused:
        enrolment_goal_add(
            enrolment=lykken_enrolment, actor=counsellor, goal=goal, agreed_on=agreed_on
        )
    assert refused.value.code == code
    assert not EnrolmentGoal.objects.exists()


def test_an_offer_without_individual_goals_takes_none(org_dk, visitor, counsellor):
    enrolment = enrol(client=visitor, actor=counsellor, offer=offer(org_dk, "alcohol-treatment"))
    with pytest.raises(ValidationFailed) as refused:
        enrolment_goal_add(enrolment=enrolment, actor=counsellor, goal=GOAL)
    assert refused.value.code == "goals_not_in_offer"


def test_an_ended_enrolment_takes_no_goal_and_no_progress(lykken_enrolment, counsellor):
    goal = enrolment_goal_add(enrolment=lykken_enrolment, actor=counsellor, goal=GOAL)
    enrolment_end(enrolment=lykken_enrolment, actor=counsellor, completed=True)
    with pytest.raises(Conflict) as refused:
        enrolment_goal_add(enrolment=lykken_enrolment, actor=counsellor, goal=GOAL)
    assert refused.value.code == "enrolment_not_active"
    with pytest.raises(Conflict):
        enrolment_goal_progress(goal=goal, actor=counsellor, progress="reached")


def test_progress_must_be_a_listed_value(lykken_enrolment, counsellor):
    goal = enrolment_goal_add(enrolment=lykken_enrolment, actor=counsellor, goal=GOAL)
    with pytest.raises(ValidationFailed) as refused:
        enrolment_goal_progress(goal=goal, actor=counsellor, progress="great")
    assert refused.value.code == "invalid_progress"


def test_individual_goals_need_an_offer_that_enrols():
    with pytest.raises(ValueError, match="individual goals need named clients"):
        OfferTerms(
            key="x",
            name="X",
            intensity="no_authorisation",
            needs_authorisation=False,
            tally_only=True,
            individual_goals=True,
        )


# --- the pages -----------------------------------------------------------------------------


def test_a_counsellor_sets_a_goal_and_its_progress_from_the_enrolment_page(
    lykken_enrolment, counsellor
):
    http = login(HttpClient(), counsellor)
    detail = f"/catalogue/enrolments/{lykken_enrolment.uuid}/"
    page = http.get(detail).content.decode()
    assert "Individual goals" in page and "Add a goal" in page
    form = http.get(f"/catalogue/enrolments/{lykken_enrolment.uuid}/goals/")
    assert form.status_code == 200 and 'id="main-form"' in form.content.decode()
    refused = http.post(
        f"/catalogue/enrolments/{lykken_enrolment.uuid}/goals/",
        {"text": GOAL.text, "measure": GOAL.measure, "target": GOAL.target, "due_on": TODAY},
    )
    assert refused.status_code == 422
    assert "the date must be after the day the plan is agreed" in refused.content.decode()
    saved = http.post(
        f"/catalogue/enrolments/{lykken_enrolment.uuid}/goals/",
        {
            "text": GOAL.text,
            "measure": GOAL.measure,
            "target": GOAL.target,
            "due_on": GOAL.due_on.isoformat(),
        },
    )
    assert saved.status_code == 302 and saved["Location"] == detail
    goal = EnrolmentGoal.objects.get(enrolment=lykken_enrolment)
    assert GOAL.text in http.get(detail).content.decode()
    progressed = http.post(
        f"/catalogue/enrolment-goals/{goal.uuid}/progress/", {"progress": "reached"}
    )
    assert progressed.status_code == 302
    assert "Reached" in http.get(detail).content.decode()


def test_a_dropin_worker_opens_no_record_and_the_outsider_sees_nothing(
    org_dk, lykken_enrolment, counsellor, make_staff, outsider
):
    goal = enrolment_goal_add(enrolment=lykken_enrolment, actor=counsellor, goal=GOAL)
    dropin = login(HttpClient(), make_staff(org_dk, Role.DROPIN_WORKER))
    stranger = login(HttpClient(), outsider)
    for url in (
        f"/catalogue/enrolments/{lykken_enrolment.uuid}/goals/",
        f"/catalogue/enrolment-goals/{goal.uuid}/progress/",
    ):
        assert dropin.get(url).status_code == 403
        assert stranger.get(url).status_code == 404


def test_the_enrolment_page_reads_the_goals_in_a_bounded_number_of_queries(
    lykken_enrolment, counsellor, django_assert_max_num_queries
):
    http = login(HttpClient(), counsellor)
    url = f"/catalogue/enrolments/{lykken_enrolment.uuid}/"
    enrolment_goal_add(enrolment=lykken_enrolment, actor=counsellor, goal=GOAL)
    http.get(url)  # warm the caches (the organisation's rules, the session)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert http.get(url).status_code == 200
    for _n in range(3):
        enrolment_goal_add(enrolment=lykken_enrolment, actor=counsellor, goal=GOAL)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = http.get(url)
    assert page.content.decode().count(GOAL.measure) == 4


# --- the API -------------------------------------------------------------------------------


def test_the_api_sets_lists_and_follows_up_goals(lykken_enrolment, counsellor, outsider):
    http = HttpClient()
    headers = api_headers(counsellor)
    base = f"/api/v1/enrolments/{lykken_enrolment.uuid}/goals"
    body = {
        "text": GOAL.text,
        "measure": GOAL.measure,
        "target": GOAL.target,
        "due_on": GOAL.due_on.isoformat(),
    }
    created = http.post(base, body, content_type="application/json", **headers)
    assert created.status_code == 201, created.content
    goal = created.json()
    assert (goal["progress"], goal["agreed_on"]) == ("not_started", TODAY.isoformat())
    incomplete = http.post(
        base, {**body, "measure": ""}, content_type="application/json", **headers
    )
    assert (incomplete.status_code, incomplete.json()["code"]) == (422, "goal_incomplete")
    listed = http.get(base, **headers).json()
    assert [g["id"] for g in listed] == [goal["id"]]
    progressed = http.post(
        f"/api/v1/enrolment-goals/{goal['id']}/progress",
        {"progress": "some"},
        content_type="application/json",
        **headers,
    )
    assert progressed.status_code == 200 and progressed.json()["progress"] == "some"
    assert http.get(base, **api_headers(outsider)).status_code == 404
