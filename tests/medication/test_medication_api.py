"""Prescriptions, dispensing and stock through /api/v1/ (MED-1, MED-2, MED-3, MED-6, MED-8):
the same services, rules and error codes as the pages, always JSON, never a 500; the
outsider gets 404 on every path that names one of our objects; a refused request writes
nothing.

Dispensing goes by the real clock: tests that hand out doses make the site give medication
all day every day (public holidays included) and prescribe from today."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient

from bedring.accounts.services import site_set_hours
from bedring.audit.models import AccessEvent
from bedring.core.errors import Conflict
from bedring.core.hours import Interval
from bedring.core.roles import Role
from bedring.medication import selectors
from bedring.medication.models import (
    Dispensing,
    DispensingKind,
    Prescription,
    PrescriptionStatus,
    PrescriptionVersion,
    StockMovement,
)
from bedring.medication.services import dispensing, holds, prescribing, stock
from tests.conftest import api_headers
from tests.medication.conftest import MONDAY, at, days, medicine, open_all_day

ALL_DAY = Interval(datetime.time(0, 0), datetime.time(23, 59, 59, 999999))


class Api:
    """A program calling the API with one staff member's token."""

    def __init__(self, user) -> None:
        self.http = HttpClient()
        self.headers = api_headers(user)

    def get(self, path: str, **params: Any):
        return self.http.get(path, params, **self.headers)

    def post(self, path: str, body: Any):
        return self.http.post(path, body, content_type="application/json", **self.headers)


def counts() -> dict[str, int]:
    return {
        "prescriptions": Prescription.objects.count(),
        "versions": PrescriptionVersion.objects.count(),
        "dispensings": Dispensing.objects.count(),
        "stock": StockMovement.objects.count(),
    }


def prescription_body(site, starts_on: datetime.date, /, **overrides) -> dict[str, Any]:
    body: dict[str, Any] = {
        "medicine": "methadone-oral-solution",
        "site": str(site.uuid),
        "daily_dose": "60",
        "starts_on": starts_on.isoformat(),
        "supervised_weekdays": [0, 1, 2, 3, 4],
        "take_home_weekdays": [5, 6],
        "pickup_interval_days": 3,
    }
    body.update(overrides)
    return body


def terms_body(version: PrescriptionVersion, **overrides) -> dict[str, Any]:
    body: dict[str, Any] = {
        "site": str(version.site.uuid),
        "daily_dose": str(version.daily_dose),
        "starts_on": version.starts_on.isoformat(),
        "ends_on": None,
        "supervised_weekdays": version.supervised_weekdays,
        "take_home_weekdays": version.take_home_weekdays,
        "pickup_interval_days": version.pickup_interval_days,
        "delivery": version.delivery,
        "delivery_to": version.delivery_to,
    }
    body.update(overrides)
    return body


@pytest.fixture
def todays(todays_prescription):
    return todays_prescription


def P(prescription) -> str:
    return f"/api/v1/prescriptions/{prescription.uuid}"


def S(site) -> str:
    return f"/api/v1/sites/{site.uuid}"


def refusal(response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    return body


# --- medicines -----------------------------------------------------------------------------


def test_the_medicine_list(nurse, outsider):
    """MED-1: the shipped list with ATC code, maximum and step; the same for everyone."""
    listed = Api(nurse).get("/api/v1/medicines")
    assert listed.status_code == 200
    by_key = {m["key"]: m for m in listed.json()}
    assert by_key["methadone-oral-solution"]["atc_code"] == "N07BC02"
    assert by_key["methadone-oral-solution"]["is_substitution"] is True
    assert Decimal(by_key["buprenorphine-sublingual"]["max_daily_dose"]) == 32
    assert Api(outsider).get("/api/v1/medicines").json() == listed.json()


def test_the_api_needs_a_token(dk_client):
    response = HttpClient().get(f"/api/v1/clients/{dk_client.uuid}/prescriptions")
    refusal(response, 401, "unauthenticated")


# --- prescriptions -------------------------------------------------------------------------


def test_a_doctor_prescribes_through_the_api(doctor, dk_client, desk_site, today):
    """MED-1, MED-3: 201 with the current version; the client's list shows it."""
    response = Api(doctor).post(
        f"/api/v1/clients/{dk_client.uuid}/prescriptions",
        prescription_body(desk_site, today, delivery="home_nursing", delivery_to="Hjemmeplejen"),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "active"
    assert body["client"] == str(dk_client.uuid)
    assert body["current"]["number"] == 1
    assert Decimal(body["current"]["daily_dose"]) == 60
    assert body["current"]["take_home_weekdays"] == [5, 6]
    assert body["current"]["delivery"] == "home_nursing"
    assert body["current"]["prescriber"] == doctor.username
    listed = Api(doctor).get(f"/api/v1/clients/{dk_client.uuid}/prescriptions")
    assert [p["id"] for p in listed.json()] == [body["id"]]


def test_a_counsellor_reads_the_prescriptions_and_the_read_is_logged(
    counsellor, dk_client, prescribe
):
    prescription = prescribe(dk_client)
    listed = Api(counsellor).get(f"/api/v1/clients/{dk_client.uuid}/prescriptions")
    assert listed.status_code == 200
    assert listed.json()[0]["id"] == str(prescription.uuid)
    assert AccessEvent.objects.filter(
        actor=counsellor, view="api_prescriptions", channel="api"
    ).exists()


@pytest.mark.parametrize("role", [Role.NURSE, Role.COUNSELLOR, Role.MANAGER])
def test_only_a_doctor_prescribes_through_the_api(
    org_dk, make_staff, dk_client, desk_site, today, role
):
    """MED-1: 403 for a nurse; nothing written."""
    response = Api(make_staff(org_dk, role)).post(
        f"/api/v1/clients/{dk_client.uuid}/prescriptions", prescription_body(desk_site, today)
    )
    refusal(response, 403, "forbidden")
    assert counts()["prescriptions"] == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"supervised_weekdays": [9]}, "supervised_weekdays.0"),
        ({"take_home_weekdays": [-1]}, "take_home_weekdays.0"),
        ({"daily_dose": "abc"}, "daily_dose"),
        ({"daily_dose": "NaN"}, "daily_dose"),
        ({"daily_dose": "Infinity"}, "daily_dose"),
        ({"daily_dose": "0"}, "daily_dose"),
        ({"daily_dose": "60.005"}, "daily_dose"),
        ({"daily_dose": "123456789"}, "daily_dose"),
        ({"pickup_interval_days": 0}, "pickup_interval_days"),
        ({"pickup_interval_days": 29}, "pickup_interval_days"),
        ({"starts_on": "2026-02-30"}, "starts_on"),
        ({"site": "not-a-uuid"}, "site"),
        ({"delivery": "drone"}, "delivery"),
        ({"medicine": "x" * 61}, "medicine"),
        ({"supervised_weekdays": [0, 1, 2, 3, 4, 5, 6, 0]}, "supervised_weekdays"),
    ],
)
def test_invalid_prescription_input_is_422_invalid_input(
    doctor, dk_client, desk_site, today, overrides, field
):
    response = Api(doctor).post(
        f"/api/v1/clients/{dk_client.uuid}/prescriptions",
        prescription_body(desk_site, today, **overrides),
    )
    body = refusal(response, 422, "invalid_input")
    assert any(e["field"] == f"payload.{field}" for e in body["errors"]), body
    assert counts()["prescriptions"] == 0


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"medicine": "aspirin"}, 422, "medicine_not_found"),
        ({"site": str(uuid.uuid4())}, 422, "site_not_found"),
        ({"daily_dose": "300"}, 422, "dose_above_maximum"),
        ({"supervised_weekdays": [], "take_home_weekdays": []}, 422, "no_dose_days"),
        ({"supervised_weekdays": [0, 5], "take_home_weekdays": [5]}, 422, "weekday_twice"),
        ({"pickup_interval_days": 1}, 422, "pickup_interval_too_short"),
        (
            {"supervised_weekdays": [5, 6], "take_home_weekdays": []},
            422,
            "site_closed_on_supervised_days",
        ),
        ({"delivery": "residential_home"}, 422, "delivery_to_required"),
        ({"starts_on": "2020-01-01"}, 422, "start_in_past"),
        ({"starts_on": "2099-01-01", "ends_on": "2098-01-01"}, 422, "end_before_start"),
    ],
)
def test_a_prescription_outside_the_rules_is_refused_with_its_code(
    doctor, dk_client, desk_site, today, overrides, status, code
):
    """MED-1, MED-3: the same codes as the service, nothing written."""
    response = Api(doctor).post(
        f"/api/v1/clients/{dk_client.uuid}/prescriptions",
        prescription_body(desk_site, today, **overrides),
    )
    refusal(response, status, code)
    assert counts()["prescriptions"] == 0


def test_a_site_of_another_organisation_is_not_ours_to_prescribe_at(
    doctor, dk_client, org_no, today
):
    response = Api(doctor).post(
        f"/api/v1/clients/{dk_client.uuid}/prescriptions",
        prescription_body(org_no.sites.first(), today),
    )
    refusal(response, 422, "site_not_found")
    assert counts()["prescriptions"] == 0


def test_substitution_under_18_is_refused_through_the_api(
    doctor, org_dk, make_client, desk_site, today
):
    """MED-8: the code names the rule; the message names MED-8."""
    young = make_client(
        org_dk, national_id="", birth_date=today - datetime.timedelta(days=17 * 365)
    )
    response = Api(doctor).post(
        f"/api/v1/clients/{young.uuid}/prescriptions", prescription_body(desk_site, today)
    )
    body = refusal(response, 422, "substitution_under_age")
    assert "only for clients aged 18 or over" in body["message"]
    assert "MED-" not in body["message"]  # requirement codes are not for users
    assert counts()["prescriptions"] == 0


def test_substitution_in_anonymous_treatment_is_refused_through_the_api(
    doctor, org_dk, desk_site, today
):
    from bedring.clients.services import client_register

    anonymous = client_register(organisation=org_dk, anonymous=True)
    response = Api(doctor).post(
        f"/api/v1/clients/{anonymous.uuid}/prescriptions", prescription_body(desk_site, today)
    )
    refusal(response, 422, "substitution_anonymous")


def test_a_second_substitution_is_409(doctor, dk_client, prescribe, desk_site, today):
    prescribe(dk_client)
    response = Api(doctor).post(
        f"/api/v1/clients/{dk_client.uuid}/prescriptions",
        prescription_body(desk_site, today, medicine="buprenorphine-sublingual", daily_dose="16"),
    )
    refusal(response, 409, "substitution_already_prescribed")
    assert counts()["prescriptions"] == 1


def test_a_prescription_with_its_versions(doctor, counsellor, dk_client, prescribe):
    """MED-1: every version, newest first; a change of more than the step needs a reason."""
    prescription = prescribe(dk_client)
    version = selectors.current_version(prescription)
    doctor_api = Api(doctor)
    refused = doctor_api.post(f"{P(prescription)}/versions", terms_body(version, daily_dose="90"))
    body = refusal(refused, 422, "reason_required")
    assert body["field"] == "reason"
    assert counts()["versions"] == 1

    changed = doctor_api.post(
        f"{P(prescription)}/versions",
        terms_body(version, daily_dose="90", reason="Withdrawal signs"),
    )
    assert changed.status_code == 201, changed.content
    assert changed.json()["current"]["number"] == 2
    assert changed.json()["current"]["reason"] == "Withdrawal signs"

    detail = Api(counsellor).get(P(prescription))
    assert detail.status_code == 200
    versions = detail.json()["versions"]
    assert [(v["number"], v["is_current"]) for v in versions] == [(2, True), (1, False)]
    assert Decimal(versions[1]["daily_dose"]) == 60


def test_a_change_cannot_move_a_started_prescriptions_start(doctor, dk_client, prescribe):
    prescription = prescribe(dk_client)
    version = selectors.current_version(prescription)
    response = Api(doctor).post(
        f"{P(prescription)}/versions",
        terms_body(version, starts_on=(MONDAY + days(1)).isoformat()),
    )
    refusal(response, 422, "start_fixed")
    assert counts()["versions"] == 1


def test_invalid_change_input_is_422(doctor, dk_client, prescribe):
    prescription = prescribe(dk_client)
    version = selectors.current_version(prescription)
    response = Api(doctor).post(
        f"{P(prescription)}/versions", terms_body(version, take_home_weekdays=[7])
    )
    refusal(response, 422, "invalid_input")
    assert counts()["versions"] == 1


def test_a_doctor_ends_a_prescription_through_the_api(doctor, dk_client, prescribe, today):
    """MED-1: ended with a reason; a second end is 409; an empty reason 422."""
    prescription = prescribe(dk_client)
    api = Api(doctor)
    refusal(
        api.post(f"{P(prescription)}/end", {"on": today.isoformat(), "reason": " "}),
        422,
        "reason_required",
    )
    ended = api.post(f"{P(prescription)}/end", {"on": today.isoformat(), "reason": "Moved away"})
    assert ended.status_code == 200, ended.content
    assert (ended.json()["status"], ended.json()["ended_on"]) == ("ended", today.isoformat())
    again = api.post(f"{P(prescription)}/end", {"on": today.isoformat(), "reason": "Again"})
    refusal(again, 409, "prescription_ended")
    refusal(api.post(f"{P(prescription)}/end", {"reason": "x"}), 422, "invalid_input")
    # Changes to an ended prescription are refused too.
    version = selectors.current_version(prescription)
    refusal(api.post(f"{P(prescription)}/versions", terms_body(version)), 409, "prescription_ended")


def test_a_review_lifts_the_hold(doctor, nurse, dk_client, prescribe, desk_site, today):
    """MED-2: Monday's dose taken, three days missed: on hold. The review lifts it; a
    review of a prescription not on hold is 409."""
    prescription = prescribe(dk_client)
    dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY))
    with pytest.raises(Conflict):
        dispensing.dispense(
            prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY + days(4))
        )
    detail = Api(nurse).get(P(prescription)).json()
    assert detail["status"] == "on_hold"
    assert "3 doses missed in a row" in detail["hold_reason"]

    api = Api(doctor)
    refusal(api.post(f"{P(prescription)}/review", {"note": ""}), 422, "review_note_required")
    reviewed = api.post(f"{P(prescription)}/review", {"note": "Seen; continue."})
    assert reviewed.status_code == 200, reviewed.content
    assert (reviewed.json()["status"], reviewed.json()["hold_reason"]) == ("active", "")
    prescription.refresh_from_db()
    assert prescription.doses_counted_from == today
    refusal(api.post(f"{P(prescription)}/review", {"note": "Again"}), 409, "not_on_hold")


@pytest.mark.parametrize("action", ["versions", "end", "review"])
def test_a_nurse_may_not_change_end_or_review_through_the_api(
    nurse, dk_client, prescribe, today, action
):
    prescription = prescribe(dk_client)
    body = {
        "versions": terms_body(selectors.current_version(prescription)),
        "end": {"on": today.isoformat(), "reason": "x"},
        "review": {"note": "x"},
    }[action]
    refusal(Api(nurse).post(f"{P(prescription)}/{action}", body), 403, "forbidden")
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.ACTIVE
    assert counts()["versions"] == 1


# --- dispensing ----------------------------------------------------------------------------


def test_a_nurse_dispenses_and_a_second_dose_is_409(nurse, second_nurse, todays, open_desk, today):
    """MED-2: 201 with the observation; a second dose on the day is 409 already_dispensed
    and writes nothing."""
    response = Api(nurse).post(
        f"{P(todays)}/dispensings",
        {"site": str(open_desk.uuid), "effect": "too_weak", "intoxication_signs": "None"},
    )
    assert response.status_code == 201, response.content
    dose = response.json()
    assert (dose["day"], dose["kind"], dose["effect"]) == (
        today.isoformat(),
        "supervised",
        "too_weak",
    )
    assert dose["handed_out_by"] == nurse.username
    assert Decimal(dose["quantity"]) == 60
    before = counts()
    again = Api(second_nurse).post(f"{P(todays)}/dispensings", {"site": str(open_desk.uuid)})
    body = refusal(again, 409, "already_dispensed")
    assert body["details"] == {"day": today.isoformat()}
    assert counts() == before


def test_an_exception_dose_through_the_api(nurse, todays, open_desk):
    """MED-2: a second dose only as an exception with its reason."""
    api = Api(nurse)
    site = str(open_desk.uuid)
    refusal(
        api.post(
            f"{P(todays)}/dispensings",
            {"site": site, "kind": "exception", "exception_reason": "lost", "reason": "Bus"},
        ),
        422,
        "no_regular_dose",
    )
    assert api.post(f"{P(todays)}/dispensings", {"site": site}).status_code == 201
    extra = api.post(
        f"{P(todays)}/dispensings",
        {
            "site": site,
            "kind": "exception",
            "exception_reason": "extra",
            "reason": "Travel",
            "quantity": "20",
        },
    )
    assert extra.status_code == 201, extra.content
    assert (extra.json()["kind"], extra.json()["exception_reason"]) == ("exception", "extra")
    assert Decimal(extra.json()["quantity"]) == 20


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"kind": "exception", "reason": "x"}, 422, "bad_exception"),
        ({"kind": "exception", "exception_reason": "lost", "reason": "  "}, 422, "reason_required"),
        (
            {"kind": "exception", "exception_reason": "lost", "reason": "x", "quantity": "61"},
            422,
            "exception_quantity",
        ),
        ({"kind": "exception", "exception_reason": "forgot", "reason": "x"}, 422, "invalid_input"),
        (
            {"kind": "exception", "exception_reason": "lost", "reason": "x", "quantity": "0"},
            422,
            "invalid_input",
        ),
        (
            {"kind": "exception", "exception_reason": "lost", "reason": "x", "quantity": "abc"},
            422,
            "invalid_input",
        ),
        ({"kind": "double"}, 422, "invalid_input"),
        ({"effect": "euphoric"}, 422, "invalid_input"),
    ],
)
def test_an_exception_outside_the_rules_is_refused_through_the_api(
    nurse, todays, open_desk, body, status, code
):
    api = Api(nurse)
    assert api.post(f"{P(todays)}/dispensings", {"site": str(open_desk.uuid)}).status_code == 201
    before = counts()
    refusal(
        api.post(f"{P(todays)}/dispensings", {"site": str(open_desk.uuid), **body}), status, code
    )
    assert counts() == before


def test_dispensing_outside_medication_hours_is_422(nurse, todays, open_desk, today):
    """MED-6: the site gives medication only on another weekday: now is outside its hours."""
    site_set_hours(site=open_desk, kind="medication", week={(today.weekday() + 1) % 7: [ALL_DAY]})
    response = Api(nurse).post(f"{P(todays)}/dispensings", {"site": str(open_desk.uuid)})
    body = refusal(response, 422, "outside_medication_hours")
    assert body["message"] == "It is outside the site's medication hours."
    assert counts()["dispensings"] == 0


def test_a_closed_day_is_422(org_dk, nurse, todays, open_desk, today):
    """MED-6: the organisation closed the site today."""
    from bedring.accounts.models import ClosedDay

    ClosedDay.objects.create(organisation=org_dk, site=open_desk, date=today, reason="Staff day")
    refusal(
        Api(nurse).post(f"{P(todays)}/dispensings", {"site": str(open_desk.uuid)}),
        422,
        "closed_day",
    )
    assert counts()["dispensings"] == 0


def test_dispensing_at_another_of_our_sites_is_422_wrong_site(org_dk, nurse, todays):
    other = org_dk.sites.get(slug="lykken")
    open_all_day(other)
    refusal(
        Api(nurse).post(f"{P(todays)}/dispensings", {"site": str(other.uuid)}), 422, "wrong_site"
    )
    assert counts()["dispensings"] == 0


def test_a_prescription_on_hold_is_409(nurse, todays, open_desk, today):
    holds.hold_for_missed_doses(prescription=todays, missed=3, since=today, today=today)
    refusal(
        Api(nurse).post(f"{P(todays)}/dispensings", {"site": str(open_desk.uuid)}),
        409,
        "prescription_on_hold",
    )
    refusal(
        Api(nurse).post(
            f"{P(todays)}/take-home",
            {"site": str(open_desk.uuid), "days": [(today + days(1)).isoformat()]},
        ),
        409,
        "prescription_on_hold",
    )
    assert counts()["dispensings"] == 0


def test_an_ended_prescription_is_409(doctor, nurse, todays, open_desk, today):
    prescribing.prescription_end(prescription=todays, actor=doctor, on=today, reason="Stop")
    refusal(
        Api(nurse).post(f"{P(todays)}/dispensings", {"site": str(open_desk.uuid)}),
        409,
        "prescription_ended",
    )


def test_a_prescription_not_started_is_422(doctor, nurse, dk_client, open_desk, today):
    later = prescribing.prescription_create(
        client=dk_client,
        actor=doctor,
        medicine=medicine("naltrexone"),
        terms=prescribing.PrescriptionTerms(
            site=open_desk,
            daily_dose=Decimal("50"),
            starts_on=today + days(2),
            ends_on=None,
            supervised_weekdays=tuple(range(7)),
        ),
        today=today,
    )
    refusal(
        Api(nurse).post(f"{P(later)}/dispensings", {"site": str(open_desk.uuid)}),
        422,
        "not_started",
    )


def test_a_counsellor_does_not_dispense_through_the_api(counsellor, manager, todays, open_desk):
    for user in (counsellor, manager):
        refusal(
            Api(user).post(f"{P(todays)}/dispensings", {"site": str(open_desk.uuid)}),
            403,
            "forbidden",
        )
    assert counts()["dispensings"] == 0


def test_a_site_of_another_organisation_in_the_body_is_404(nurse, todays, org_no):
    response = Api(nurse).post(f"{P(todays)}/dispensings", {"site": str(org_no.sites.first().uuid)})
    refusal(response, 404, "not_found")
    assert counts()["dispensings"] == 0


def test_the_doses_of_a_prescription_page_by_page(
    counsellor, nurse, dk_client, prescribe, desk_site
):
    """MED-2: newest first; offset and limit; silly values are clamped, not a 500."""
    prescription = prescribe(dk_client)
    for n in range(3):
        dispensing.dispense(
            prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY + days(n))
        )
    api = Api(counsellor)
    doses = api.get(f"{P(prescription)}/dispensings")
    assert doses.status_code == 200
    assert [d["day"] for d in doses.json()] == [(MONDAY + days(n)).isoformat() for n in (2, 1, 0)]
    page = api.get(f"{P(prescription)}/dispensings", offset=1, limit=1)
    assert [d["day"] for d in page.json()] == [(MONDAY + days(1)).isoformat()]
    assert len(api.get(f"{P(prescription)}/dispensings", offset=-5, limit=0).json()) == 1
    assert api.get(f"{P(prescription)}/dispensings", offset=10**30).status_code in (200, 422)
    refusal(api.get(f"{P(prescription)}/dispensings", limit="abc"), 422, "invalid_input")


def test_take_home_through_the_api(nurse, todays, open_desk, today):
    """MED-2, MED-3: one row per day; a day covered or not prescribed is refused."""
    api = Api(nurse)
    site = str(open_desk.uuid)
    wanted = [(today + days(n)).isoformat() for n in (1, 2)]
    made = api.post(f"{P(todays)}/take-home", {"site": site, "days": wanted})
    assert made.status_code == 201, made.content
    assert [(d["day"], d["kind"]) for d in made.json()] == [(d, "take_home") for d in wanted]
    before = counts()
    refusal(
        api.post(f"{P(todays)}/take-home", {"site": site, "days": wanted[:1]}),
        422,
        "take_home_overlap",
    )
    refusal(
        api.post(f"{P(todays)}/take-home", {"site": site, "days": [today.isoformat()]}),
        422,
        "take_home_not_prescribed",
    )
    refusal(
        api.post(f"{P(todays)}/take-home", {"site": site, "days": ["9999-12-31"]}),
        422,
        "take_home_not_prescribed",
    )
    refusal(api.post(f"{P(todays)}/take-home", {"site": site, "days": []}), 422, "invalid_input")
    refusal(
        api.post(f"{P(todays)}/take-home", {"site": site, "days": ["abc"]}), 422, "invalid_input"
    )
    refusal(api.post(f"{P(todays)}/take-home", {"days": wanted}), 422, "invalid_input")
    assert counts() == before


# --- the desk ------------------------------------------------------------------------------


def test_the_desk_through_the_api(nurse, todays, open_desk, today):
    """MED-2, MED-6: today's list with each row's status; listed clients are logged."""
    Api(nurse).post(f"{P(todays)}/dispensings", {"site": str(open_desk.uuid)})
    desk = Api(nurse).get(f"{S(open_desk)}/desk")
    assert desk.status_code == 200
    body = desk.json()
    assert (body["day"], body["open_now"]) == (today.isoformat(), True)
    [row] = body["rows"]
    assert (row["prescription"], row["status"], row["collected"]) == (
        str(todays.uuid),
        "collected",
        True,
    )
    assert len(row["take_home_due"]) == 6
    assert AccessEvent.objects.filter(view="api_desk", client_id=todays.client_id).exists()


def test_the_desk_is_for_who_dispenses(counsellor, manager, open_desk):
    for user in (counsellor, manager):
        refusal(Api(user).get(f"{S(open_desk)}/desk"), 403, "forbidden")


def test_an_unknown_site_is_404(nurse):
    refusal(Api(nurse).get(f"/api/v1/sites/{uuid.uuid4()}/desk"), 404, "not_found")
    refusal(Api(nurse).get("/api/v1/sites/not-a-uuid/desk"), 422, "invalid_input")


# --- stock ---------------------------------------------------------------------------------


def test_stock_through_the_api(nurse, second_nurse, desk_site):
    """MED-2: received, wasted with a witness, counted; the list is newest first."""
    api = Api(nurse)
    received = api.post(
        f"{S(desk_site)}/stock",
        {
            "medicine": "methadone-oral-solution",
            "kind": "received",
            "quantity": "1000",
            "batch": "B1",
        },
    )
    assert received.status_code == 201, received.content
    assert (received.json()["kind"], received.json()["actor"]) == ("received", nurse.username)
    wasted = api.post(
        f"{S(desk_site)}/stock",
        {
            "medicine": "methadone-oral-solution",
            "kind": "wasted",
            "quantity": "60",
            "witness": second_nurse.username,
        },
    )
    assert wasted.status_code == 201, wasted.content
    assert wasted.json()["witness"] == second_nurse.username
    counted = api.post(
        f"{S(desk_site)}/stock",
        {"medicine": "methadone-oral-solution", "kind": "counted", "quantity": "0"},
    )
    assert counted.status_code == 201, counted.content
    listed = api.get(f"{S(desk_site)}/stock")
    assert listed.status_code == 200
    assert sorted(m["kind"] for m in listed.json()) == ["counted", "received", "wasted"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"kind": "wasted", "quantity": "6"}, 422, "witness_required"),
        ({"kind": "wasted", "quantity": "6", "witness": "nobody-here"}, 422, "witness_not_staff"),
        ({"kind": "wasted", "quantity": "6", "witness": "counsellor"}, 422, "witness_not_staff"),
        ({"kind": "wasted", "quantity": "6", "witness": "outsider"}, 422, "witness_not_staff"),
        ({"kind": "wasted", "quantity": "6", "witness": "self"}, 422, "witness_is_actor"),
        ({"kind": "received", "quantity": "0"}, 422, "quantity_not_positive"),
        ({"kind": "received", "quantity": "1.005"}, 422, "invalid_input"),
        ({"kind": "received", "quantity": "-1"}, 422, "invalid_input"),
        ({"kind": "received", "quantity": "abc"}, 422, "invalid_input"),
        ({"kind": "received", "quantity": "NaN"}, 422, "invalid_input"),
        ({"kind": "received", "quantity": "1e30"}, 422, "invalid_input"),
        ({"kind": "dispensed", "quantity": "6"}, 422, "invalid_input"),
        ({"kind": "received", "quantity": "6", "medicine": "aspirin"}, 422, "medicine_not_found"),
    ],
)
def test_stock_outside_the_rules_is_refused_through_the_api(
    nurse, counsellor, outsider, desk_site, body, status, code
):
    named = {
        "counsellor": counsellor.username,
        "outsider": outsider.username,
        "self": nurse.username,
    }
    if "witness" in body:
        body = {**body, "witness": named.get(body["witness"], body["witness"])}
    response = Api(nurse).post(
        f"{S(desk_site)}/stock", {"medicine": "methadone-oral-solution", **body}
    )
    refusal(response, status, code)
    assert counts()["stock"] == 0


def test_a_counsellor_keeps_no_stock(counsellor, desk_site):
    api = Api(counsellor)
    refusal(api.get(f"{S(desk_site)}/stock"), 403, "forbidden")
    refusal(
        api.post(
            f"{S(desk_site)}/stock",
            {"medicine": "methadone-oral-solution", "kind": "received", "quantity": "1"},
        ),
        403,
        "forbidden",
    )
    refusal(
        api.get(f"{S(desk_site)}/stock/reconciliation", start="2026-11-01", end="2026-11-30"),
        403,
        "forbidden",
    )
    assert counts()["stock"] == 0


def test_the_reconciliation_through_the_api(nurse, second_nurse, dk_client, prescribe, desk_site):
    """MED-2: the book of a week, a dose without its movement and a count off the book."""
    stock.stock_record(
        site=desk_site,
        medicine=medicine(),
        actor=nurse,
        kind="received",
        quantity=Decimal("1000"),
        at=at(MONDAY - days(3)),
    )
    prescription = prescribe(dk_client)
    dose = dispensing.dispense(
        prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY)
    )
    Dispensing.objects.create(
        client_id=dk_client.pk,
        prescription=prescription,
        version=dose.version,
        organisation_id=dose.organisation_id,
        site=desk_site,
        day=MONDAY + days(1),
        kind=DispensingKind.SUPERVISED,
        quantity=Decimal("60"),
        handed_out_at=at(MONDAY + days(1)),
        handed_out_by=nurse,
    )
    stock.stock_record(
        site=desk_site,
        medicine=medicine(),
        actor=nurse,
        kind="counted",
        quantity=Decimal("930"),
        at=at(MONDAY + days(2)),
    )
    response = Api(nurse).get(
        f"{S(desk_site)}/stock/reconciliation",
        start=MONDAY.isoformat(),
        end=(MONDAY + days(6)).isoformat(),
    )
    assert response.status_code == 200, response.content
    [line] = response.json()
    assert line["medicine"] == "methadone-oral-solution"
    assert Decimal(line["opening"]) == 1000
    assert Decimal(line["dispensed"]) == 60
    assert Decimal(line["doses_handed_out"]) == 120
    assert Decimal(line["dispensing_difference"]) == 60
    assert Decimal(line["closing"]) == 940
    assert Decimal(line["counted"]) == 930
    assert Decimal(line["count_difference"]) == -10


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start": "2026-11-30", "end": "2026-11-01"}, "end_before_start"),
        ({"start": "2000-01-01", "end": "2026-11-01"}, "period_too_long"),
        ({"start": "9999-12-31", "end": "9999-12-31"}, "date_out_of_range"),
        ({"start": "0001-01-01", "end": "0001-01-02"}, "date_out_of_range"),
        ({"start": "2026-11-01"}, "invalid_input"),
        ({"start": "2026-11-01", "end": "yesterday"}, "invalid_input"),
    ],
)
def test_a_bad_reconciliation_period_is_422(nurse, desk_site, params, code):
    refusal(Api(nurse).get(f"{S(desk_site)}/stock/reconciliation", **params), 422, code)


# --- the outsider --------------------------------------------------------------------------


def test_the_outsider_gets_404_on_every_path_naming_our_objects(
    outsider, dk_client, todays, open_desk, today
):
    """PRV-1: a staff member of another organisation (every role) learns nothing: 404 on
    every medication path that names a client, a prescription or a site of ours, and
    nothing is written or logged."""
    before = counts()
    api = Api(outsider)
    site = str(open_desk.uuid)
    version = selectors.current_version(todays)
    requests = [
        ("get", f"/api/v1/clients/{dk_client.uuid}/prescriptions", None),
        (
            "post",
            f"/api/v1/clients/{dk_client.uuid}/prescriptions",
            prescription_body(open_desk, today),
        ),
        ("get", P(todays), None),
        ("post", f"{P(todays)}/versions", terms_body(version, daily_dose="65")),
        ("post", f"{P(todays)}/end", {"on": today.isoformat(), "reason": "x"}),
        ("post", f"{P(todays)}/review", {"note": "x"}),
        ("post", f"{P(todays)}/dispensings", {"site": site}),
        ("get", f"{P(todays)}/dispensings", None),
        ("post", f"{P(todays)}/take-home", {"site": site, "days": [(today + days(1)).isoformat()]}),
        ("get", f"{S(open_desk)}/desk", None),
        ("get", f"{S(open_desk)}/stock", None),
        (
            "post",
            f"{S(open_desk)}/stock",
            {"medicine": "methadone-oral-solution", "kind": "received", "quantity": "1"},
        ),
        ("get", f"{S(open_desk)}/stock/reconciliation?start=2026-11-01&end=2026-11-30", None),
    ]
    for method, path, body in requests:
        response = api.get(path) if method == "get" else api.post(path, body)
        refusal(response, 404, "not_found")
    assert counts() == before
    assert not AccessEvent.objects.filter(actor=outsider).exists()
    todays.refresh_from_db()
    assert todays.status == PrescriptionStatus.ACTIVE


def test_our_nurse_gets_404_for_the_outsiders_site(nurse, org_no):
    site = org_no.sites.first()
    refusal(Api(nurse).get(f"{S(site)}/desk"), 404, "not_found")
    refusal(Api(nurse).get(f"{S(site)}/stock"), 404, "not_found")


def test_a_nul_character_is_never_a_500(doctor, nurse, todays, open_desk, desk_site, today):
    """A value the database cannot store (PostgreSQL refuses NUL in text) is a 422 or is
    stored, never a crash."""
    observed = Api(nurse).post(
        f"{P(todays)}/dispensings", {"site": str(open_desk.uuid), "side_effects": "a\x00b"}
    )
    assert observed.status_code in (201, 422)
    moved = Api(nurse).post(
        f"{S(desk_site)}/stock",
        {
            "medicine": "methadone-oral-solution",
            "kind": "received",
            "quantity": "1",
            "note": "\x00",
        },
    )
    assert moved.status_code in (201, 422)
    ended = Api(doctor).post(f"{P(todays)}/end", {"on": today.isoformat(), "reason": "a\x00"})
    assert ended.status_code in (200, 422)
