"""Enrolment in an offer and its courses: who may start (CAT-6, CAT-7, DEC-1, DEC-3, DEC-5,
MED-8, PRV-4), places (SCH-1), ending (SCH-2), through the service, the pages and the API,
and a refusal never writes anything."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.template.loader import render_to_string

from bedring.catalogue import selectors
from bedring.catalogue.eligibility import ANONYMOUS_TREATMENT_RECORDED, RESIDENTIAL_CRITERIA
from bedring.catalogue.models import Enrolment, EnrolmentStatus
from bedring.catalogue.services.courses import course_create
from bedring.catalogue.services.enrolments import enrol, enrolment_end
from bedring.clients.models import Client
from bedring.core.errors import Conflict, NotFound, ValidationFailed
from bedring.core.roles import Role
from bedring.pathway.models import EpisodeEvent
from bedring.rules.loader import load_pack
from tests.catalogue.test_catalogue_pack import PACK
from tests.catalogue.test_courses_world import (
    anonymous,
    course,
    current,
    granted,
    person,
    post_json,
    reads,
    writes,
)

# The 2026-27 calendar of the course scenarios (tests/catalogue/conftest.py).
pytestmark = pytest.mark.usefixtures("on_the_scenario_day")

D = datetime.date


def codes(error: ValidationFailed) -> list[str]:
    return [r["code"] for r in error.details["refusals"]]


# --- CAT-6: ages, on the start date -------------------------------------------------


@pytest.fixture
def turning_18(db, tmp_path: Path, make_staff):
    """The test pack: day treatment (18+, day treatment granted, pre-course first) for a
    client who turns 18 on 15 January 2027 and has completed the pre-course at 17."""
    path = tmp_path / "test-centre.yaml"
    path.write_text(PACK, encoding="utf-8")
    organisation = load_pack(str(path))
    counsellor = make_staff(organisation, Role.COUNSELLOR)
    client = person(organisation, born=D(2009, 1, 15))
    granted(client, "day")
    pre = course_create(
        offer=current(organisation, "pre-course-day"),
        site=organisation.sites.get(),
        actor=counsellor,
        starts_on=D(2026, 11, 3),
        capacity=8,
    )
    done = enrol(client=client, actor=counsellor, course=pre, starts_on=D(2026, 11, 3))
    enrolment_end(enrolment=done, actor=counsellor, completed=True)
    return organisation, client, counsellor


def test_a_17_year_old_is_refused_day_treatment_and_accepted_on_the_18th_birthday(turning_18):
    """CAT-6: day treatment from 18, counted on the start date: the day before the 18th
    birthday is refused (and only for the age), the birthday itself is accepted."""
    organisation, client, counsellor = turning_18
    day = current(organisation, "day-treatment-main")
    with pytest.raises(ValidationFailed) as refused:
        enrol(client=client, actor=counsellor, offer=day, starts_on=D(2027, 1, 14))
    assert refused.value.code == "too_young"
    assert codes(refused.value) == ["too_young"]
    assert "Dagbehandling" in str(refused.value.message)
    enrolment = enrol(client=client, actor=counsellor, offer=day, starts_on=D(2027, 1, 15))
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.offer == day


def test_the_api_refuses_the_17_year_old_with_the_same_code_and_accepts_on_the_birthday(
    turning_18,
):
    organisation, client, counsellor = turning_18
    day = current(organisation, "day-treatment-main")
    body = {"client": str(client.uuid), "offer": str(day.uuid), "starts_on": "2027-01-14"}
    before = writes()
    response = post_json(counsellor, "/api/v1/enrolments", body)
    assert response.status_code == 422
    refusal = response.json()
    assert refusal["code"] == "too_young"
    assert refusal["details"]["refusals"][0]["rule"] == "CAT-6"
    assert "Dagbehandling" in refusal["message"]
    assert writes() == before
    response = post_json(counsellor, "/api/v1/enrolments", {**body, "starts_on": "2027-01-15"})
    assert response.status_code == 201, response.content
    assert response.json()["offer_key"] == "day-treatment-main"
    assert response.json()["starts_on"] == "2027-01-15"


# --- CAT-7: the pre-course first, the residential checklist ---------------------------


def test_day_treatment_is_refused_without_the_pre_course_and_accepted_after_it(org_dk, counsellor):
    """CAT-7: day treatment needs the pre-course completed first; an enrolment ended early
    does not count, a completed one does."""
    client = person(org_dk)
    granted(client, "day")
    day_course = course(org_dk, "day-treatment-main", D(2027, 1, 4), actor=counsellor)
    with pytest.raises(ValidationFailed) as refused:
        enrol(client=client, actor=counsellor, course=day_course)
    assert codes(refused.value) == ["prerequisite_missing"]
    assert "Før-forløb til dagbehandling" in str(refused.value.message)

    pre = course(org_dk, "pre-course-day", D(2026, 11, 3), actor=counsellor)
    first = enrol(client=client, actor=counsellor, course=pre, starts_on=D(2026, 11, 3))
    enrolment_end(enrolment=first, actor=counsellor, completed=False, reason="Ill for weeks")
    with pytest.raises(ValidationFailed):
        enrol(client=client, actor=counsellor, course=day_course)

    second = enrol(client=client, actor=counsellor, course=pre, starts_on=D(2026, 11, 10))
    enrolment_end(enrolment=second, actor=counsellor, completed=True)
    enrolment = enrol(client=client, actor=counsellor, course=day_course)
    assert enrolment.course == day_course
    assert enrolment.starts_on == D(2027, 1, 4)  # the course's first day


def test_residential_treatment_needs_every_criterion_and_the_checklist_is_kept(org_dk, counsellor):
    """CAT-7: residential treatment only with every criterion recorded as met; the
    checklist the enrolment rested on is kept in the episode's timeline and the change log
    (there is no field for it on the records)."""
    client = person(org_dk)
    episode = granted(client, "residential")
    referral = current(org_dk, "residential-referral")
    some = ["outpatient_tried", "wants_drug_free"]
    with pytest.raises(ValidationFailed) as refused:
        enrol(client=client, actor=counsellor, offer=referral, criteria=some)
    assert refused.value.code == "residential_criteria_missing"
    missing = refused.value.details["refusals"][0]["missing"]
    assert set(missing) == set(RESIDENTIAL_CRITERIA) - set(some)
    assert not Enrolment.objects.filter(client=client).exists()

    enrolment = enrol(
        client=client, actor=counsellor, offer=referral, criteria=list(RESIDENTIAL_CRITERIA)
    )
    assert enrolment.episode == episode
    event = EpisodeEvent.objects.get(episode=episode, kind="enrolled")
    assert event.data["criteria"] == sorted(RESIDENTIAL_CRITERIA)
    assert event.data["offer"] == "residential-referral"
    entry = LogEntry.objects.filter(additional_data__client_id=str(client.pk)).get(
        changes__has_key="criteria_met"
    )
    assert entry.actor == counsellor
    assert entry.additional_data["criteria"] == sorted(RESIDENTIAL_CRITERIA)


def test_residential_treatment_is_refused_without_a_decision_granting_it(org_dk, counsellor):
    """DEC-3: residential treatment by its own decision; outpatient treatment is not enough."""
    client = person(org_dk)
    granted(client)
    with pytest.raises(ValidationFailed) as refused:
        enrol(
            client=client,
            actor=counsellor,
            offer=current(org_dk, "residential-referral"),
            criteria=list(RESIDENTIAL_CRITERIA),
        )
    assert codes(refused.value) == ["intensity_not_granted"]


# --- DEC-1, DEC-5, MED-8, PRV-4 ---------------------------------------------------------


def test_an_offer_needing_authorisation_is_refused_without_a_granted_decision(org_dk, counsellor):
    """DEC-1: the intro group needs a granted decision in an open episode."""
    planned = course(org_dk, "intro-group", actor=counsellor)
    with pytest.raises(ValidationFailed) as refused:
        enrol(client=person(org_dk), actor=counsellor, course=planned)
    assert refused.value.code == "authorisation_required"
    client = person(org_dk)
    episode = granted(client)
    assert enrol(client=client, actor=counsellor, course=planned).episode == episode


def test_anonymous_treatment_needs_its_criteria_and_is_kept_without_an_episode(org_dk, counsellor):
    """DEC-5: for people 18 or over in education or work, with settled housing, who want
    to reduce or stop and need anonymity; no case is needed, and the checklist is kept in
    the change log of the enrolment."""
    planned = course(org_dk, "anonymous-treatment", actor=counsellor)
    client = anonymous(org_dk, born=D(1995, 3, 3))
    with pytest.raises(ValidationFailed) as refused:
        enrol(client=client, actor=counsellor, course=planned, criteria=["needs_anonymity"])
    assert refused.value.code == "anonymous_treatment_criteria"
    assert "Anonym ambulant stofmisbrugsbehandling" in str(refused.value.message)

    enrolment = enrol(
        client=client,
        actor=counsellor,
        course=planned,
        criteria=list(ANONYMOUS_TREATMENT_RECORDED),
    )
    assert enrolment.episode is None
    entry = LogEntry.objects.get(changes__has_key="criteria_met")
    assert entry.additional_data == {
        "client_id": str(client.pk),
        "criteria": sorted(ANONYMOUS_TREATMENT_RECORDED),
    }


def test_anonymous_treatment_without_a_birth_date_is_refused(org_dk, counsellor):
    planned = course(org_dk, "anonymous-treatment", actor=counsellor)
    with pytest.raises(ValidationFailed) as refused:
        enrol(
            client=anonymous(org_dk),
            actor=counsellor,
            course=planned,
            criteria=list(ANONYMOUS_TREATMENT_RECORDED),
        )
    assert refused.value.code == "age_unknown"


def test_substitution_is_never_given_to_an_anonymous_client_nor_under_18(org_dk, counsellor):
    """MED-8: substitution only for 18 and over, never in anonymous treatment (an
    anonymous-treatment offer cannot even include it: see test_offer_edit)."""
    offer = current(org_dk, "medication-supported")
    nameless = anonymous(org_dk, born=D(1990, 1, 1))
    with pytest.raises(ValidationFailed) as refused:
        enrol(client=nameless, actor=counsellor, offer=offer)
    assert "substitution_anonymous" in codes(refused.value)
    assert {r["rule"] for r in refused.value.details["refusals"]} >= {"MED-8", "PRV-4"}

    young = person(org_dk, born=D(2009, 6, 1))
    granted(young)
    with pytest.raises(ValidationFailed) as refused:
        enrol(client=young, actor=counsellor, offer=offer, starts_on=D(2027, 1, 4))
    assert codes(refused.value) == ["too_young", "substitution_under_age"]


def test_a_client_without_an_identifier_counts_as_anonymous(org_dk, counsellor):
    """PRV-4: a pseudonymous client (a name, no national identifier) is not identified."""
    client = Client.objects.get(pk=person(org_dk, national_id="", birth_date=D(1990, 1, 1)).pk)
    candidate, _episode = selectors.eligibility_candidate(client=client)
    assert candidate.anonymous


# --- places (SCH-1) -------------------------------------------------------------------


def test_a_full_course_refuses_the_next_client_with_409(org_dk, counsellor):
    planned = course(org_dk, "relatives-course", D(2027, 3, 18), actor=counsellor, capacity=1)
    enrol(client=person(org_dk), actor=counsellor, course=planned)
    late = person(org_dk)
    before = writes()
    with pytest.raises(Conflict) as full:
        enrol(client=late, actor=counsellor, course=planned)
    assert full.value.code == "course_full"
    assert full.value.details == {"capacity": 1, "taken": 1}
    assert writes() == before
    response = post_json(
        counsellor, f"/api/v1/courses/{planned.uuid}/enrolments", {"client": str(late.uuid)}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "course_full"


def test_an_ended_enrolment_frees_its_place(org_dk, counsellor):
    planned = course(org_dk, "relatives-course", D(2026, 11, 1), actor=counsellor, capacity=1)
    first = enrol(client=person(org_dk), actor=counsellor, course=planned)
    with pytest.raises(ValidationFailed) as future:
        enrolment_end(
            enrolment=first,
            actor=counsellor,
            completed=False,
            reason="Moved away",
            on=D(2027, 4, 8),
        )
    assert future.value.code == "date_in_future"
    enrolment_end(enrolment=first, actor=counsellor, completed=False, reason="Moved away")
    assert enrol(client=person(org_dk), actor=counsellor, course=planned).status == "active"


def test_a_client_is_enrolled_once_in_a_course(org_dk, counsellor):
    planned = course(org_dk, "relatives-course", D(2027, 3, 18), actor=counsellor)
    client = person(org_dk)
    enrol(client=client, actor=counsellor, course=planned)
    with pytest.raises(Conflict) as twice:
        enrol(client=client, actor=counsellor, course=planned)
    assert twice.value.code == "already_enrolled"


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("intro-group", "course_required"),  # a group offer: choose its course
        ("shacks", "tally_only"),  # counted anonymously, nobody is enrolled (INT-3)
    ],
)
def test_an_enrolment_needs_a_course_for_a_group_offer_and_none_for_a_tally(
    org_dk, counsellor, key, code
):
    client = person(org_dk)
    granted(client)
    with pytest.raises(ValidationFailed) as refused:
        enrol(client=client, actor=counsellor, offer=current(org_dk, key))
    assert refused.value.code == code


def test_a_cancelled_course_takes_nobody(org_dk, counsellor):
    from bedring.catalogue.services.courses import course_cancel

    planned = course(org_dk, "relatives-course", D(2027, 3, 18), actor=counsellor)
    course_cancel(course=planned, actor=counsellor, reason="No room")
    with pytest.raises(Conflict) as refused:
        enrol(client=person(org_dk), actor=counsellor, course=planned)
    assert refused.value.code == "course_cancelled"


def test_a_client_of_another_organisation_is_not_found(org_dk, org_no, counsellor, outsider):
    planned = course(org_dk, "relatives-course", D(2027, 3, 18), actor=counsellor)
    foreign = person(org_no)
    with pytest.raises(NotFound):
        enrol(client=foreign, actor=counsellor, course=planned)
    ours = person(org_dk)
    url = f"/api/v1/courses/{planned.uuid}/enrolments"
    assert post_json(counsellor, url, {"client": str(foreign.uuid)}).status_code == 404
    assert post_json(outsider, url, {"client": str(ours.uuid)}).status_code == 404
    assert post_json(outsider, url, {"client": str(foreign.uuid)}).status_code == 404
    assert not Enrolment.objects.exists()


# --- ending (SCH-2) -------------------------------------------------------------------


def test_an_enrolment_ends_early_with_a_reason_or_completed(org_dk, counsellor):
    pre = course(org_dk, "relatives-course", D(2026, 11, 1), actor=counsellor)
    client = person(org_dk)
    enrolment = enrol(client=client, actor=counsellor, course=pre, starts_on=D(2026, 11, 1))
    with pytest.raises(ValidationFailed) as refused:
        enrolment_end(enrolment=enrolment, actor=counsellor, completed=False)
    assert refused.value.code == "reason_required"
    enrolment_end(
        enrolment=enrolment, actor=counsellor, completed=False, reason="Repeated no-shows"
    )
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.end_reason) == ("ended", "Repeated no-shows")
    with pytest.raises(Conflict) as again:
        enrolment_end(enrolment=enrolment, actor=counsellor, completed=True)
    assert again.value.code == "enrolment_not_active"
    response = post_json(
        counsellor, f"/api/v1/enrolments/{enrolment.uuid}/end", {"completed": True}
    )
    assert response.status_code == 409


def test_the_api_ends_an_enrolment_as_completed(org_dk, counsellor, outsider):
    pre = course(org_dk, "relatives-course", D(2026, 11, 1), actor=counsellor)
    enrolment = enrol(client=person(org_dk), actor=counsellor, course=pre, starts_on=D(2026, 11, 1))
    url = f"/api/v1/enrolments/{enrolment.uuid}/end"
    assert post_json(outsider, url, {"completed": True}).status_code == 404
    response = post_json(counsellor, url, {"completed": True})
    assert response.status_code == 200
    assert response.json()["status"] == "completed"


# --- pages ----------------------------------------------------------------------------


def test_a_counsellor_finds_the_client_and_enrols_them_from_the_course_page(
    org_dk, counsellor, as_user
):
    planned = course(org_dk, "relatives-course", D(2027, 3, 18), actor=counsellor)
    client = person(org_dk, first_name="Birthe", last_name="Skov")
    http = as_user(counsellor)
    found = http.get(f"/catalogue/courses/{planned.uuid}/enrol/?q=Skov").content.decode()
    assert "Birthe Skov" in found
    assert f"client={client.uuid}" in found
    partial = http.get(
        f"/catalogue/courses/{planned.uuid}/enrol/?q={client.code}", HTTP_HX_REQUEST="true"
    )
    assert "Birthe Skov" in partial.content.decode()
    assert "<html" not in partial.content.decode()
    response = http.post(f"/catalogue/courses/{planned.uuid}/enrol/", {"client": str(client.uuid)})
    assert response.status_code == 302
    page = http.get(response["Location"]).content.decode()
    assert f"/clients/{client.uuid}/" in page
    assert 'data-testid="places">1 / 12<' in page


def test_a_refusal_on_the_page_names_the_offer_and_not_the_requirement_code_with_422(
    org_dk, counsellor, as_user
):
    """DEC-1: the refusal names the offer and the rule in words; the requirement ID is for
    the API's details, never shown to staff (issue 13)."""
    planned = course(org_dk, "intro-group", actor=counsellor)
    client = person(org_dk)
    before = writes()
    response = as_user(counsellor).post(
        f"/catalogue/courses/{planned.uuid}/enrol/", {"client": str(client.uuid)}
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "Introgruppe needs authorisation" in text
    assert "DEC-1" not in text
    assert writes() == before


def test_a_client_is_enrolled_from_their_page_with_the_residential_checklist(
    org_dk, counsellor, as_user
):
    client = person(org_dk)
    granted(client, "residential")
    referral = current(org_dk, "residential-referral")
    http = as_user(counsellor)
    url = f"/catalogue/clients/{client.uuid}/enrol/"
    form = http.get(f"{url}?offer={referral.uuid}").content.decode()
    assert "Residential treatment: criteria met" in form
    data = {"offer": str(referral.uuid), "residential_criteria": ["outpatient_tried"]}
    refused = http.post(url, data)
    assert refused.status_code == 422
    assert "Visitation til døgnbehandling needs" in refused.content.decode()
    assert "CAT-7" not in refused.content.decode()
    data["residential_criteria"] = list(RESIDENTIAL_CRITERIA)
    response = http.post(f"/catalogue/clients/{client.uuid}/enrol/", data)
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(client=client)
    assert response["Location"] == f"/catalogue/enrolments/{enrolment.uuid}/"
    assert "Visitation til døgnbehandling" in http.get(response["Location"]).content.decode()


def test_the_client_page_partial_lists_the_enrolments(org_dk, counsellor):
    planned = course(org_dk, "relatives-course", D(2027, 3, 18), actor=counsellor)
    client = person(org_dk)
    enrolment = enrol(client=client, actor=counsellor, course=planned)
    html = render_to_string(
        "catalogue/partials/_client_enrolments.html",
        {"client": client, "enrolments": selectors.client_enrolments(client), "can_write": True},
    )
    assert f"/catalogue/enrolments/{enrolment.uuid}/" in html
    assert f"/catalogue/courses/{planned.uuid}/" in html
    assert f"/catalogue/clients/{client.uuid}/enrol/" in html


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.COUNSELLOR, 200),
        (Role.MANAGER, 200),
        (Role.PEER_WORKER, 403),
        (Role.DROPIN_WORKER, 403),
        (Role.ADMINISTRATOR, 403),
    ],
)
def test_enrolment_pages_by_role(org_dk, counsellor, make_staff, as_user, role, status):
    planned = course(org_dk, "relatives-course", D(2027, 3, 18), actor=counsellor)
    client = person(org_dk)
    enrolment = enrol(client=client, actor=counsellor, course=planned)
    http = as_user(make_staff(org_dk, role))
    for path in (
        f"/catalogue/enrolments/{enrolment.uuid}/",
        f"/catalogue/enrolments/{enrolment.uuid}/end/",
        f"/catalogue/clients/{client.uuid}/enrol/",
    ):
        assert http.get(path).status_code == status, path


def test_an_outsider_finds_no_enrolment_and_reading_one_is_logged(
    org_dk, counsellor, outsider, as_user
):
    planned = course(org_dk, "relatives-course", D(2027, 3, 18), actor=counsellor)
    client = person(org_dk)
    enrolment = enrol(client=client, actor=counsellor, course=planned)
    stranger = as_user(outsider)
    for path in (
        f"/catalogue/enrolments/{enrolment.uuid}/",
        f"/catalogue/enrolments/{enrolment.uuid}/end/",
        f"/catalogue/enrolments/{enrolment.uuid}/sessions/",
        f"/catalogue/clients/{client.uuid}/enrol/",
    ):
        assert stranger.get(path).status_code == 404, path
    before = reads()
    assert as_user(counsellor).get(f"/catalogue/enrolments/{enrolment.uuid}/").status_code == 200
    assert reads() == before + 1


# --- a refused request writes nothing ---------------------------------------------------


@pytest.mark.parametrize(
    "case",
    ["too_young", "course_full", "already_enrolled", "invalid_criteria", "end_without_reason"],
)
def test_every_refused_request_writes_nothing(org_dk, counsellor, as_user, case):
    planned = course(org_dk, "relatives-course", D(2026, 11, 5), actor=counsellor, capacity=1)
    taken = person(org_dk)
    enrolment = enrol(client=taken, actor=counsellor, course=planned, starts_on=D(2026, 11, 5))
    http = as_user(counsellor)
    other = person(org_dk)
    before = writes()
    if case == "too_young":
        young = person(org_dk, born=D(2010, 1, 1))
        before = writes()
        url = f"/catalogue/clients/{young.uuid}/enrol/"
        response = http.post(url, {"offer": str(current(org_dk, "alcohol-treatment").uuid)})
        expected = 422
    elif case == "course_full":
        url = f"/catalogue/courses/{planned.uuid}/enrol/"
        response = http.post(url, {"client": str(other.uuid)})
        expected = 422  # the page shows the 409 refusal as a form error
    elif case == "already_enrolled":
        response = post_json(
            counsellor,
            f"/api/v1/courses/{planned.uuid}/enrolments",
            {"client": str(taken.uuid)},
        )
        expected = 409
    elif case == "invalid_criteria":
        response = post_json(
            counsellor,
            "/api/v1/enrolments",
            {
                "client": str(other.uuid),
                "offer": str(current(org_dk, "alcohol-treatment").uuid),
                "criteria": ["likes_tea"],
            },
        )
        expected = 422
    else:
        response = http.post(f"/catalogue/enrolments/{enrolment.uuid}/end/", {"reason": ""})
        expected = 422
    assert response.status_code == expected, response.content
    assert writes() == before
