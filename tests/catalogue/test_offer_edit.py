"""Managers edit the catalogue: every change is a new version, and enrolments and courses
keep the terms they were made under; the terms' own rules are shown next to the field they
concern (CAT-1, CAT-6, CAT-7, DEC-5, MED-8)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from bedring.catalogue.forms import OfferTermsForm
from bedring.catalogue.models import Offer
from bedring.catalogue.services.enrolments import enrol
from bedring.catalogue.services.offers import offer_edit
from bedring.core.errors import Conflict, ValidationFailed
from bedring.core.roles import Role
from tests.catalogue.test_courses_world import (
    course,
    current,
    get_json,
    person,
    post_json,
    writes,
)

# The 2026-27 calendar of the course scenarios (tests/catalogue/conftest.py).
pytestmark = pytest.mark.usefixtures("on_the_scenario_day")

D = datetime.date


def form_data(offer: Offer, **changes: Any) -> dict[str, Any]:
    """The edit form as the page fills it from the offer, with ``changes``."""
    data: dict[str, Any] = {}
    for name, value in OfferTermsForm.initial_from(offer.parsed).items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is None:
            data[name] = ""
        elif isinstance(value, datetime.time):
            data[name] = value.strftime("%H:%M")
        else:
            data[name] = value
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def test_a_manager_edits_an_offer_and_enrolments_keep_their_version(
    org_dk, manager, counsellor, as_user
):
    """CAT-1: the change is version 2; the client enrolled under version 1 keeps its terms,
    and so does the course planned under it."""
    offer = current(org_dk, "relatives-course")
    planned = course(org_dk, "relatives-course", D(2027, 3, 18), actor=counsellor)
    enrolment = enrol(client=person(org_dk), actor=counsellor, course=planned)
    http = as_user(manager)
    assert http.get(f"/catalogue/offers/{offer.uuid}/edit/").status_code == 200
    response = http.post(
        f"/catalogue/offers/{offer.uuid}/edit/",
        form_data(offer, name="Pårørendegruppe", capacity=14, session_minutes=120),
    )
    assert response.status_code == 302
    new = current(org_dk, "relatives-course")
    assert response["Location"] == f"/catalogue/offers/{new.uuid}/"
    assert (new.version, new.name) == (2, "Pårørendegruppe")
    assert new.parsed.capacity == 14
    assert new.parsed.cadence == offer.parsed.cadence  # untouched terms stay as they were
    enrolment.refresh_from_db()
    planned.refresh_from_db()
    assert enrolment.offer == offer
    assert enrolment.offer.parsed.session_minutes == 90
    assert planned.offer == offer
    # The old version says so, and its course is still on the offer's page.
    old_page = http.get(f"/catalogue/offers/{offer.uuid}/").content.decode()
    assert f"/catalogue/offers/{new.uuid}/" in old_page
    new_page = http.get(f"/catalogue/offers/{new.uuid}/").content.decode()
    assert f"/catalogue/courses/{planned.uuid}/" in new_page


def test_saving_unchanged_terms_makes_no_version(org_dk, manager, as_user):
    offer = current(org_dk, "intro-group")
    before = writes()
    response = as_user(manager).post(f"/catalogue/offers/{offer.uuid}/edit/", form_data(offer))
    assert response.status_code == 302
    assert writes() == before
    assert current(org_dk, "intro-group") == offer


@pytest.mark.parametrize(
    ("key", "changes", "field", "text"),
    [
        # A per-month cadence needs its times a month.
        (
            "intro-group",
            {"cadence_kind": "per_month"},
            "cadence_times_min",
            "Give how many times a month, at least and at most.",
        ),
        (
            "intro-group",
            {"age_min": "30", "age_max": "20"},
            "age_min",
            "The minimum age cannot be above the maximum age.",
        ),
        (
            "intro-group",
            {"cadence_times_min": "5", "cadence_times_max": "2"},
            "cadence_times_min",
            "Times a month go from 1 to 31",
        ),
        (
            "intro-group",
            {"count_kind": "fixed", "count_sessions": ""},
            "count_sessions",
            "Give the number of sessions.",
        ),
        ("intro-group", {"session_minutes": "2"}, "session_minutes", "Give 5 or more."),
        # DEC-5, MED-8: anonymous treatment never includes substitution.
        (
            "anonymous-treatment",
            {"substitution": "on"},
            None,
            "Anonymous treatment never includes substitution medication.",
        ),
        (
            "mapping",
            {"needs_authorisation": "on"},
            None,
            "An offer without authorisation cannot need authorisation.",
        ),
    ],
)
def test_the_terms_rules_are_shown_next_to_their_field_and_nothing_is_saved(
    org_dk, manager, as_user, key, changes, field, text
):
    offer = current(org_dk, key)
    before = writes()
    response = as_user(manager).post(
        f"/catalogue/offers/{offer.uuid}/edit/", form_data(offer, **changes)
    )
    assert response.status_code == 422
    form = response.context["form"]
    errors = form.errors.get(field or "__all__")
    assert errors, form.errors
    assert any(text in error for error in errors), errors
    # The manager reads the rule in words, not the pack author's notation (issue 13).
    shown = " ".join(str(e) for errs in form.errors.values() for e in errs)
    for notation in ("times_per_month", "<=", "per_month", "Input should", "DEC-5", "min age"):
        assert notation not in shown, notation
    assert writes() == before


def test_a_prerequisite_is_chosen_among_the_catalogue(org_dk, manager, as_user):
    """CAT-7: the after-course needs the main course; a manager adds the pre-course too."""
    offer = current(org_dk, "day-treatment-after")
    response = as_user(manager).post(
        f"/catalogue/offers/{offer.uuid}/edit/",
        form_data(offer, prerequisites=["day-treatment-main", "pre-course-day"]),
    )
    assert response.status_code == 302
    assert current(org_dk, "day-treatment-after").parsed.prerequisites == (
        "day-treatment-main",
        "pre-course-day",
    )
    with pytest.raises(ValidationFailed) as refused:
        offer_edit(
            offer=current(org_dk, "day-treatment-after"),
            actor=manager,
            changes={"prerequisites": ["no-such-offer"]},
        )
    assert refused.value.code == "unknown_prerequisite"


def test_an_earlier_version_cannot_be_edited(org_dk, manager):
    offer = current(org_dk, "intro-group")
    offer_edit(offer=offer, actor=manager, changes={"capacity": 11})
    offer.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        offer_edit(offer=offer, actor=manager, changes={"capacity": 9})
    assert refused.value.code == "offer_not_current"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.MANAGER, 200),
        (Role.ADMINISTRATOR, 200),  # organisation settings: the catalogue is one
        (Role.COUNSELLOR, 403),
        (Role.AUTHORITY, 403),
        (Role.PEER_WORKER, 403),
    ],
)
def test_only_managers_edit_the_catalogue(org_dk, make_staff, as_user, role, status):
    offer = current(org_dk, "intro-group")
    http = as_user(make_staff(org_dk, role))
    assert http.get(f"/catalogue/offers/{offer.uuid}/edit/").status_code == status
    page = http.get(f"/catalogue/offers/{offer.uuid}/").content.decode()
    assert ("/edit/" in page) == (status == 200)


def test_a_manager_of_another_organisation_finds_no_offer_to_edit(org_dk, outsider, as_user):
    offer = current(org_dk, "intro-group")
    http = as_user(outsider)
    assert http.get(f"/catalogue/offers/{offer.uuid}/edit/").status_code == 404
    assert http.post(f"/catalogue/offers/{offer.uuid}/edit/", form_data(offer)).status_code == 404
    assert get_json(outsider, f"/api/v1/offers/{offer.uuid}").status_code == 404


# --- the API --------------------------------------------------------------------------


NEW_OFFER = {
    "key": "walking-group",
    "name": "Gågruppe",
    "intensity": "outpatient",
    "format": "group",
    "session_minutes": 60,
    "cadence": {"kind": "weekly", "weekdays": ["wed"], "start_time": "10:00"},
    "count": {"kind": "fixed", "sessions": 6},
    "ages": {"min": 18},
    "capacity": 8,
}


def test_the_api_lists_the_catalogue_of_my_organisation_only(org_dk, org_no, counsellor):
    response = get_json(counsellor, "/api/v1/offers")
    assert response.status_code == 200
    keys = {o["key"] for o in response.json()}
    assert "relatives-course" in keys
    assert {o["organisation"] for o in response.json()} == {str(org_dk.uuid)}
    offer = current(org_dk, "relatives-course")
    detail = get_json(counsellor, f"/api/v1/offers/{offer.uuid}").json()
    assert detail["terms"]["cadence"]["iso_weeks"] == "even"
    assert get_json(counsellor, f"/api/v1/offers?organisation={org_no.uuid}").status_code == 404


def test_a_manager_adds_an_offer_and_a_new_version_through_the_api(org_dk, manager):
    response = post_json(manager, "/api/v1/offers", {"terms": NEW_OFFER})
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 1
    again = post_json(manager, "/api/v1/offers", {"terms": NEW_OFFER})
    assert again.status_code == 200
    assert again.json()["id"] == response.json()["id"]
    changed = post_json(manager, "/api/v1/offers", {"terms": {**NEW_OFFER, "capacity": 10}})
    assert changed.status_code == 201
    assert changed.json()["version"] == 2
    first = get_json(manager, f"/api/v1/offers/{response.json()['id']}").json()
    assert first["is_current"] is False
    assert first["terms"]["capacity"] == 8


@pytest.mark.parametrize(
    ("terms", "code"),
    [
        ({**NEW_OFFER, "prerequisites": ["no-such-offer"]}, "unknown_prerequisite"),
        ({**NEW_OFFER, "cadence": {"kind": "per_month"}}, "invalid_input"),
        (
            {**NEW_OFFER, "anonymous_treatment": True, "substitution": True},
            "invalid_input",
        ),
    ],
)
def test_the_api_refuses_invalid_terms_and_writes_nothing(org_dk, manager, terms, code):
    before = writes()
    response = post_json(manager, "/api/v1/offers", {"terms": terms})
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert writes() == before


def test_only_managers_publish_offers_through_the_api(org_dk, counsellor, outsider):
    assert post_json(counsellor, "/api/v1/offers", {"terms": NEW_OFFER}).status_code == 403
    # The outsider manages their own organisation, and the offer goes there.
    response = post_json(outsider, "/api/v1/offers", {"terms": NEW_OFFER})
    assert response.status_code == 201
    assert response.json()["organisation"] != str(org_dk.uuid)
    named = post_json(
        outsider, "/api/v1/offers", {"organisation": str(org_dk.uuid), "terms": NEW_OFFER}
    )
    assert named.status_code == 404
