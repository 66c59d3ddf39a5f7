"""A dose recorded by mistake is corrected (MED-2): by the nurse who recorded it, on the day
it was recorded, with the reason. The dose stays on record with its amount; a correction row
says who, when and why; the stock gets the quantity back; the desk, the missed-dose count,
the reconciliation and the co-payment count it as not given, so the day's dose can be given
again; the change log has all of it. Every refusal has its code and writes nothing, on the
service, the desk's page and the API."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client as HttpClient
from django.urls import reverse

from bedring.audit.models import AccessEvent
from bedring.core.errors import Conflict, Forbidden, ValidationFailed
from bedring.core.roles import Role
from bedring.medication import selectors
from bedring.medication.models import (
    Dispensing,
    DispensingCorrection,
    DispensingKind,
    MovementKind,
    StockMovement,
)
from bedring.medication.services import corrections, dispensing
from bedring.pathway.models import EpisodeEvent
from bedring.pathway.services.episode import inquiry_register
from tests.conftest import api_headers, login
from tests.medication.conftest import MONDAY, at, days

TUESDAY = MONDAY + days(1)
SUNDAY = MONDAY + days(6)


def writes() -> dict[str, int]:
    return {
        "dispensings": Dispensing.objects.count(),
        "corrected": Dispensing.objects.filter(corrected=True).count(),
        "corrections": DispensingCorrection.objects.count(),
        "stock": StockMovement.objects.count(),
        "log": LogEntry.objects.count(),
    }


@pytest.fixture
def dose(dk_client, prescribe, nurse, desk_site):
    """Monday 09:00: the nurse records Monday's supervised 60 mg of methadone."""
    return dispensing.dispense(
        prescription=prescribe(dk_client), actor=nurse, site=desk_site, at=at(MONDAY, 9)
    )


# --- the service ---------------------------------------------------------------------------


def test_a_correction_keeps_the_dose_and_gives_the_stock_back(dose, nurse):
    """MED-2: the dose stays, amount unchanged, marked corrected; a correction row names who,
    when and why; a compensating stock movement of the same quantity."""
    correction = corrections.dispensing_correct(
        dispensing=dose, actor=nurse, reason="Recorded for the wrong client", at=at(MONDAY, 9, 5)
    )
    dose.refresh_from_db()
    assert (dose.quantity, dose.corrected, dose.day) == (Decimal("60"), True, MONDAY)
    assert (correction.dispensing, correction.corrected_by, correction.corrected_at) == (
        dose,
        nurse,
        at(MONDAY, 9, 5),
    )
    assert correction.reason == "Recorded for the wrong client"
    back = StockMovement.objects.get(correction=correction)
    assert (back.kind, back.quantity, back.site_id, back.actor) == (
        MovementKind.CORRECTED,
        Decimal("60"),
        dose.site_id,
        nurse,
    )
    # The dose's own movement is still there: nothing is deleted.
    assert StockMovement.objects.get(dispensing=dose).kind == MovementKind.DISPENSED


def test_the_correction_is_in_the_change_log_with_the_client(dose, nurse):
    """MED-2, PRV-1: the correction row and the stock movement are created and the dose's
    flag changes in the change log, the correction under the client's id."""
    correction = corrections.dispensing_correct(
        dispensing=dose, actor=nurse, reason="Tapped twice", at=at(MONDAY, 9, 5)
    )
    created = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(DispensingCorrection),
        object_id=correction.pk,
        action=LogEntry.Action.CREATE,
    )
    assert created.additional_data == {"client_id": str(dose.client_id)}
    flagged = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Dispensing),
        object_id=dose.pk,
        action=LogEntry.Action.UPDATE,
    )
    assert flagged.changes["corrected"] == [False, True]
    assert "quantity" not in flagged.changes
    assert LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(StockMovement),
        object_id=StockMovement.objects.get(correction=correction).pk,
        action=LogEntry.Action.CREATE,
    ).exists()


def test_the_correction_is_on_the_timeline(dk_client, prescribe, nurse, counsellor, desk_site):
    inquiry_register(
        organisation=dk_client.organisation,
        site=desk_site,
        actor=counsellor,
        channel="phone",
        referrer="self",
        received_at=at(MONDAY, 8),
        client=dk_client,
    )
    dose = dispensing.dispense(
        prescription=prescribe(dk_client), actor=nurse, site=desk_site, at=at(MONDAY, 9)
    )
    corrections.dispensing_correct(
        dispensing=dose, actor=nurse, reason="Wrong client", at=at(MONDAY, 9, 5)
    )
    event = EpisodeEvent.objects.get(kind="dispensing_corrected")
    assert "Wrong client" in event.summary
    assert event.data["dispensing"] == str(dose.uuid)


def test_after_a_correction_the_day_is_not_given_and_the_dose_can_be_given_again(
    dose, nurse, desk_site
):
    """MED-2: the desk shows the client due again, and the day's dose is recorded anew."""
    corrections.dispensing_correct(
        dispensing=dose, actor=nurse, reason="Wrong client", at=at(MONDAY, 9, 5)
    )
    desk = selectors.desk(desk_site, now=at(MONDAY, 9, 6))
    (row,) = desk.rows
    assert (row.status, row.collected, row.given) == ("due", False, None)
    assert desk.counts.get("collected", 0) == 0 and desk.counts["due"] == 1
    again = dispensing.dispense(
        prescription=dose.prescription, actor=nurse, site=desk_site, at=at(MONDAY, 9, 30)
    )
    assert (again.day, again.corrected) == (MONDAY, False)
    assert Dispensing.objects.filter(day=MONDAY).count() == 2
    row = selectors.desk(desk_site, now=at(MONDAY, 9, 31)).rows[0]
    assert row.status == "collected"
    assert row.given is not None and row.given.uuid == again.uuid


def test_the_reconciliation_leaves_a_corrected_dose_out_on_both_sides(dose, nurse, desk_site):
    """MED-2: not a dose handed out, and not dispensed stock: no difference, and the closing
    balance has the quantity back."""
    corrections.dispensing_correct(
        dispensing=dose, actor=nurse, reason="Wrong client", at=at(MONDAY, 9, 5)
    )
    (line,) = selectors.reconciliation(desk_site, start=at(MONDAY, 0), end=at(TUESDAY, 0))
    assert line.dispensed_doses == 0
    assert line.dispensed_movements == 0
    assert line.dispensing_difference == 0
    assert not line.has_difference
    # The next day's opening balance: the 60 mg went out and came back.
    (later,) = selectors.reconciliation(desk_site, start=at(TUESDAY, 0), end=at(TUESDAY, 23))
    assert later.opening == 0


def test_a_corrected_dose_is_not_charged_nor_covers_a_day(dose, nurse):
    """MED-9, MED-2: the co-payment counts given doses only; a corrected day is not covered
    (it counts towards missed doses)."""
    from bedring.medication.services.holds import covered_days

    assert selectors.doses_in_week(dose.client, MONDAY, SUNDAY) == 1
    corrections.dispensing_correct(
        dispensing=dose, actor=nurse, reason="Wrong client", at=at(MONDAY, 9, 5)
    )
    assert selectors.doses_in_week(dose.client, MONDAY, SUNDAY) == 0
    assert covered_days(dose.prescription, MONDAY) == set()


def test_another_nurse_may_not_correct_the_dose(dose, second_nurse):
    before = writes()
    with pytest.raises(Conflict) as refused:
        corrections.dispensing_correct(
            dispensing=dose, actor=second_nurse, reason="Wrong client", at=at(MONDAY, 9, 5)
        )
    assert refused.value.code == "correction_by_another_nurse"
    assert "who recorded this dose" in str(refused.value.message)
    assert writes() == before


def test_a_dose_is_corrected_on_its_day_only(dose, nurse):
    before = writes()
    with pytest.raises(Conflict) as refused:
        corrections.dispensing_correct(
            dispensing=dose, actor=nurse, reason="Wrong client", at=at(TUESDAY, 8)
        )
    assert refused.value.code == "correction_too_late"
    assert refused.value.details == {"recorded_on": MONDAY.isoformat()}
    assert writes() == before


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_correction_needs_a_reason(dose, nurse, reason):
    before = writes()
    with pytest.raises(ValidationFailed) as refused:
        corrections.dispensing_correct(
            dispensing=dose, actor=nurse, reason=reason, at=at(MONDAY, 9, 5)
        )
    assert (refused.value.code, refused.value.field) == ("reason_required", "reason")
    assert writes() == before


def test_a_dose_is_corrected_once(dose, nurse):
    corrections.dispensing_correct(
        dispensing=dose, actor=nurse, reason="Wrong client", at=at(MONDAY, 9, 5)
    )
    before = writes()
    with pytest.raises(Conflict) as refused:
        corrections.dispensing_correct(
            dispensing=Dispensing.objects.get(pk=dose.pk),
            actor=nurse,
            reason="Again",
            at=at(MONDAY, 9, 6),
        )
    assert refused.value.code == "already_corrected"
    assert writes() == before


def test_a_counsellor_does_not_correct_doses(org_dk, make_staff, dose):
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    before = writes()
    with pytest.raises(Forbidden) as refused:
        corrections.dispensing_correct(
            dispensing=dose,
            actor=counsellor,
            reason="x",
            at=at(MONDAY, 9, 5),
        )
    assert refused.value.code == "not_a_dispenser"
    assert writes() == before


def test_the_days_dose_is_not_corrected_under_its_exception_doses(dose, nurse, desk_site):
    """MED-2: an exception is a second dose after the day's own; correct it first."""
    extra = dispensing.dispense_exception(
        prescription=dose.prescription,
        actor=nurse,
        site=desk_site,
        exception_reason="vomited",
        reason="Vomited",
        at=at(MONDAY, 9, 30),
    )
    before = writes()
    with pytest.raises(Conflict) as refused:
        corrections.dispensing_correct(
            dispensing=dose, actor=nurse, reason="x", at=at(MONDAY, 9, 40)
        )
    assert refused.value.code == "exceptions_first"
    assert writes() == before
    corrections.dispensing_correct(dispensing=extra, actor=nurse, reason="x", at=at(MONDAY, 9, 41))
    corrections.dispensing_correct(dispensing=dose, actor=nurse, reason="x", at=at(MONDAY, 9, 42))
    assert Dispensing.objects.filter(corrected=True).count() == 2


def test_the_database_still_allows_one_given_dose_a_day_only(dose, nurse, desk_site):
    """MED-2: the constraint lets a corrected dose be given again, once."""
    corrections.dispensing_correct(dispensing=dose, actor=nurse, reason="x", at=at(MONDAY, 9, 5))
    dispensing.dispense(
        prescription=dose.prescription, actor=nurse, site=desk_site, at=at(MONDAY, 9, 10)
    )
    third = Dispensing(
        client_id=dose.client_id,
        prescription=dose.prescription,
        version=dose.version,
        organisation_id=dose.organisation_id,
        site=desk_site,
        day=MONDAY,
        kind=DispensingKind.SUPERVISED,
        quantity=Decimal("60"),
        handed_out_at=at(MONDAY, 9, 20),
        handed_out_by=nurse,
    )
    with pytest.raises(Conflict) as refused:
        dispensing._insert_dose(third)
    assert refused.value.code == "already_dispensed"


# --- the desk's page -----------------------------------------------------------------------


@pytest.fixture
def given_today(todays_prescription, nurse, open_desk):
    """Today's dose of the desk's prescription, recorded by the nurse now (the real clock)."""
    return dispensing.dispense(prescription=todays_prescription, actor=nurse, site=open_desk)


def correct_url(site, dose) -> str:
    return reverse(
        "medication:desk_correct", kwargs={"site_uuid": site.uuid, "dispensing_uuid": dose.uuid}
    )


def test_the_nurse_corrects_her_dose_from_the_desk(as_user, nurse, given_today, open_desk):
    """MED-2: the desk's row offers the correction to the nurse who recorded the dose; the
    page shows the dose; the correction sends her back to the row, now due again."""
    http = as_user(nurse)
    desk = http.get(reverse("medication:desk", args=[open_desk.uuid])).content.decode()
    assert correct_url(open_desk, given_today) in desk
    page = http.get(correct_url(open_desk, given_today))
    assert page.status_code == 200
    assert 'data-testid="correction-form"' in page.content.decode()
    assert AccessEvent.objects.filter(
        actor=nurse, client_id=given_today.client_id, view="dispensing_correction"
    ).exists()
    response = http.post(correct_url(open_desk, given_today), {"reason": "Wrong client"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#row-{given_today.prescription.uuid}")
    given_today.refresh_from_db()
    assert given_today.corrected
    after = http.get(reverse("medication:desk", args=[open_desk.uuid])).content.decode()
    assert 'data-status="due"' in after


def test_another_nurse_sees_no_correction_and_is_refused_on_the_form(
    as_user, second_nurse, given_today, open_desk
):
    http = as_user(second_nurse)
    desk = http.get(reverse("medication:desk", args=[open_desk.uuid])).content.decode()
    assert 'data-testid="given"' in desk
    assert correct_url(open_desk, given_today) not in desk
    before = writes()
    response = http.post(correct_url(open_desk, given_today), {"reason": "Wrong client"})
    assert response.status_code == 422
    assert "who recorded this dose, can correct it." in response.content.decode()
    assert writes()["corrections"] == before["corrections"] == 0
    given_today.refresh_from_db()
    assert not given_today.corrected


def test_the_correction_form_needs_a_reason(as_user, nurse, given_today, open_desk):
    response = as_user(nurse).post(correct_url(open_desk, given_today), {"reason": ""})
    assert response.status_code == 422
    assert 'id="id_reason_error"' in response.content.decode()
    assert not DispensingCorrection.objects.exists()


def test_a_second_correction_on_the_form_is_refused(as_user, nurse, given_today, open_desk):
    http = as_user(nurse)
    assert http.post(correct_url(open_desk, given_today), {"reason": "x"}).status_code == 302
    again = http.post(correct_url(open_desk, given_today), {"reason": "again"})
    assert again.status_code == 422
    assert "This dose has already been corrected." in again.content.decode()
    assert DispensingCorrection.objects.count() == 1


def test_yesterdays_dose_is_refused_on_the_form(
    as_user, nurse, given_today, open_desk, frozen_clock
):
    frozen_clock.shift(datetime.timedelta(days=1))
    response = as_user(nurse).post(correct_url(open_desk, given_today), {"reason": "x"})
    assert response.status_code == 422
    assert "can only be corrected on the day it was recorded" in response.content.decode()
    assert not DispensingCorrection.objects.exists()


def test_the_correction_page_is_not_for_counsellors_or_outsiders(
    as_user, counsellor, outsider, given_today, open_desk
):
    """403 for a role that does not dispense; 404 for another organisation's staff, who
    learn nothing and leave nothing in the access log."""
    assert as_user(counsellor).get(correct_url(open_desk, given_today)).status_code == 403
    assert (
        as_user(counsellor).post(correct_url(open_desk, given_today), {"reason": "x"}).status_code
        == 403
    )
    assert as_user(outsider).get(correct_url(open_desk, given_today)).status_code == 404
    assert (
        as_user(outsider).post(correct_url(open_desk, given_today), {"reason": "x"}).status_code
        == 404
    )
    assert not DispensingCorrection.objects.exists()
    assert not AccessEvent.objects.filter(actor=outsider).exists()


def test_correcting_and_the_desk_after_it_stay_in_bounded_queries(
    org_dk, make_client, prescribe, nurse, desk_site, today, django_assert_max_num_queries
):
    """MED-2: the correction's page, its post and the desk it returns to issue a bounded
    number of queries, with 3 clients at the desk as with 30."""
    from tests.medication.conftest import open_all_day

    open_all_day(desk_site)
    http = login(HttpClient(), nurse)

    def correct_one(clients: int) -> None:
        doses = [
            dispensing.dispense(
                prescription=prescribe(
                    make_client(org_dk),
                    starts_on=today,
                    supervised_weekdays=tuple(range(7)),
                    take_home_weekdays=(),
                ),
                actor=nurse,
                site=desk_site,
            )
            for _ in range(clients)
        ]
        address = correct_url(desk_site, doses[0])
        with django_assert_max_num_queries(20):
            assert http.get(address).status_code == 200
        with django_assert_max_num_queries(30):
            assert http.post(address, {"reason": "Wrong client"}).status_code == 302
        with django_assert_max_num_queries(25):
            page = http.get(reverse("medication:desk", args=[desk_site.uuid]))
        corrected = DispensingCorrection.objects.count()
        assert page.content.decode().count('data-status="due"') == corrected

    correct_one(3)
    correct_one(27)


# --- the API -------------------------------------------------------------------------------


def api_correct(user, dose, body, headers=None):
    return HttpClient().post(
        f"/api/v1/dispensings/{dose.uuid}/correction",
        body,
        content_type="application/json",
        **(headers or api_headers(user)),
    )


def test_the_nurse_corrects_her_dose_through_the_api(nurse, given_today):
    response = api_correct(nurse, given_today, {"reason": "Wrong client"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["dispensing"] == str(given_today.uuid)
    assert (body["reason"], body["corrected_by"]) == ("Wrong client", nurse.username)
    assert Decimal(body["quantity"]) == 60
    listed = HttpClient().get(
        f"/api/v1/prescriptions/{given_today.prescription.uuid}/dispensings",
        **api_headers(nurse),
    )
    assert [d["corrected"] for d in listed.json()] == [True]


@pytest.mark.parametrize(
    ("who", "body", "status", "code"),
    [
        ("second_nurse", {"reason": "x"}, 409, "correction_by_another_nurse"),
        ("nurse", {"reason": ""}, 422, "reason_required"),
        ("nurse", {}, 422, "invalid_input"),
        ("outsider", {"reason": "x"}, 404, "not_found"),
        ("counsellor", {"reason": "x"}, 403, "forbidden"),
    ],
)
def test_corrections_outside_the_rules_are_refused_through_the_api(
    request, given_today, who, body, status, code
):
    user = request.getfixturevalue(who)
    headers = api_headers(user)
    before = writes()
    response = api_correct(user, given_today, body, headers)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert writes() == before


def test_a_second_correction_and_a_late_one_are_409_through_the_api(
    nurse, given_today, frozen_clock
):
    assert api_correct(nurse, given_today, {"reason": "x"}).status_code == 201
    again = api_correct(nurse, given_today, {"reason": "y"})
    assert (again.status_code, again.json()["code"]) == (409, "already_corrected")
    frozen_clock.shift(datetime.timedelta(days=1))
    late = api_correct(nurse, given_today, {"reason": "y"})
    # Already corrected is the first thing said about it; a fresh dose from yesterday is late.
    assert late.status_code == 409


def test_yesterdays_dose_is_409_too_late_through_the_api(nurse, given_today, frozen_clock):
    frozen_clock.shift(datetime.timedelta(days=1))
    headers = api_headers(nurse)
    before = writes()
    late = api_correct(nurse, given_today, {"reason": "y"}, headers)
    assert (late.status_code, late.json()["code"]) == (409, "correction_too_late")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", late.json()["details"]["recorded_on"])
    assert writes() == before


def test_the_prescription_page_shows_the_corrected_dose_with_its_reason(
    as_user, nurse, given_today, open_desk
):
    """MED-2: corrections keep history: the dose is listed, marked, with who and why."""
    http = as_user(nurse)
    http.post(correct_url(open_desk, given_today), {"reason": "Recorded for the wrong client"})
    page = http.get(reverse("medication:prescription", args=[given_today.prescription.uuid]))
    doses = re.search(r'data-testid="doses">(.*?)</table>', page.content.decode(), re.S)
    assert doses is not None
    assert 'data-testid="corrected"' in doses.group(1)
    assert "Recorded for the wrong client" in doses.group(1)
