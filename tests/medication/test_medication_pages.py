"""The medication pages (MED-1, MED-2, MED-3, MED-6, MED-8): the client's medication tab,
prescribing, changing, ending and reviewing a prescription, and the dispensing desk, through
the Django test client. Who may see each page, what one POST writes, and that a refused POST
writes nothing and answers 422 with the message, never a 500.

The desk pages hand out doses at the real clock's moment. Tests that POST to the desk make
the site give medication all day every day (public holidays included) and prescribe from
today, so they pass at any hour."""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from bedring.accounts.services import site_set_hours
from bedring.audit.models import AccessEvent
from bedring.core import clock
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
from bedring.medication.services import dispensing, prescribing
from tests.medication.conftest import MONDAY, at, days, medicine, open_all_day

FRIDAY = MONDAY + days(4)
ALL_DAY = Interval(datetime.time(0, 0), datetime.time(23, 59, 59, 999999))


def error_next_to(response, field: str, message: str) -> bool:
    """The form shows ``message`` in the error list of ``field``."""
    content = response.content.decode()
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', content, re.S)
    return found is not None and html.escape(message, quote=True) in found.group(1)


def shown(response, text: str) -> bool:
    return html.escape(text, quote=True) in response.content.decode()


def url(name: str, **kwargs) -> str:
    return reverse(f"medication:{name}", kwargs=kwargs)


def summary_of(response) -> str:
    """The fingerprint of the terms a summary page shows (its confirm button posts it)."""
    found = re.search(r'name="summary" value="([0-9a-f]+)"', response.content.decode())
    assert found is not None, "no summary to confirm"
    return found.group(1)


def check_and_save(http, address: str, data: dict[str, Any]):
    """The doctor's two steps: the form is checked (its summary shown, nothing written),
    then the summary confirmed."""
    checked = http.post(address, data)
    assert checked.status_code == 200, checked.content.decode()
    assert 'data-testid="prescription-summary"' in checked.content.decode()
    return http.post(address, {**data, "confirm": "1", "summary": summary_of(checked)})


def prescription_form(today: datetime.date, **overrides: Any) -> dict[str, Any]:
    data = {
        "medicine": "methadone-oral-solution",
        "daily_dose": "60",
        "starts_on": today.isoformat(),
        "ends_on": "",
        "supervised_weekdays": ["0", "1", "2", "3", "4"],
        "take_home_weekdays": ["5", "6"],
        "pickup_interval_days": "3",
        "site": "kongevej",
        "delivery": "clinic",
        "delivery_to": "",
        "instructions": "",
    }
    data.update(overrides)
    return data


# --- the client's medication tab -----------------------------------------------------------


def test_the_medication_tab_lists_prescriptions_and_logs_the_read(
    as_user, counsellor, dk_client, prescribe, nurse, desk_site
):
    """MED-1, MED-2: any clinical role reads the tab; the read is in the access log."""
    prescription = prescribe(dk_client)
    dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY))
    page = as_user(counsellor).get(url("client", client_uuid=dk_client.uuid))
    assert page.status_code == 200
    assert url("prescription", prescription_uuid=prescription.uuid).encode() in page.content
    assert b'data-testid="recent-doses"' in page.content
    assert AccessEvent.objects.filter(
        actor=counsellor, client=dk_client, view="client_medication", channel="html"
    ).exists()
    # A counsellor does not prescribe: no button.
    assert url("prescribe", client_uuid=dk_client.uuid).encode() not in page.content


def test_a_doctor_sees_the_prescribe_button(as_user, doctor, dk_client):
    page = as_user(doctor).get(url("client", client_uuid=dk_client.uuid))
    assert url("prescribe", client_uuid=dk_client.uuid).encode() in page.content


def test_the_outsider_gets_404_on_the_tab_and_nothing_is_logged(as_user, outsider, dk_client):
    page = as_user(outsider).get(url("client", client_uuid=dk_client.uuid))
    assert page.status_code == 404
    assert not AccessEvent.objects.filter(actor=outsider).exists()


def test_roles_without_client_records_get_403(as_user, org_dk, make_staff, dk_client):
    for role in (Role.DROPIN_WORKER, Role.PEER_WORKER, Role.ADMINISTRATOR):
        page = as_user(make_staff(org_dk, role)).get(url("client", client_uuid=dk_client.uuid))
        assert page.status_code == 403, role


# --- prescribing ---------------------------------------------------------------------------


def test_a_doctor_prescribes_through_the_form(as_user, doctor, dk_client, today):
    """MED-1, MED-3: the form's prescription is saved; the doctor lands on its page."""
    http = as_user(doctor)
    assert http.get(url("prescribe", client_uuid=dk_client.uuid)).status_code == 200
    response = check_and_save(
        http,
        url("prescribe", client_uuid=dk_client.uuid),
        prescription_form(today, instructions="Take with water"),
    )
    prescription = Prescription.objects.get(client=dk_client)
    assert response.status_code == 302
    assert response["Location"] == url("prescription", prescription_uuid=prescription.uuid)
    version = selectors.current_version(prescription)
    assert (version.daily_dose, version.starts_on) == (Decimal("60"), today)
    assert version.supervised_weekdays == [0, 1, 2, 3, 4]
    assert version.take_home_weekdays == [5, 6]
    assert version.instructions == "Take with water"
    assert version.prescriber == doctor


def test_delivery_to_home_nursing_needs_an_address(as_user, doctor, dk_client, today):
    """MED-3: delivered elsewhere only with where to."""
    http = as_user(doctor)
    form = prescription_form(today, delivery="home_nursing")
    response = http.post(url("prescribe", client_uuid=dk_client.uuid), form)
    assert response.status_code == 422
    assert error_next_to(response, "delivery_to", "Name where the doses are delivered.")
    assert not Prescription.objects.exists()
    form["delivery_to"] = "Hjemmeplejen Nord"
    assert (
        check_and_save(http, url("prescribe", client_uuid=dk_client.uuid), form).status_code == 302
    )


@pytest.mark.parametrize("role", [Role.NURSE, Role.COUNSELLOR, Role.MANAGER])
def test_only_a_doctor_opens_the_prescribe_page(
    as_user, org_dk, make_staff, dk_client, today, role
):
    """MED-1: a nurse may not prescribe: 403 on the page and on a POST, nothing written."""
    http = as_user(make_staff(org_dk, role))
    assert http.get(url("prescribe", client_uuid=dk_client.uuid)).status_code == 403
    response = http.post(url("prescribe", client_uuid=dk_client.uuid), prescription_form(today))
    assert response.status_code == 403
    assert not Prescription.objects.exists()


def test_the_outsider_cannot_prescribe_for_our_client(as_user, outsider, dk_client, today):
    http = as_user(outsider)
    assert http.get(url("prescribe", client_uuid=dk_client.uuid)).status_code == 404
    response = http.post(url("prescribe", client_uuid=dk_client.uuid), prescription_form(today))
    assert response.status_code == 404
    assert not Prescription.objects.exists()


def test_a_dose_above_the_maximum_is_shown_at_the_dose(as_user, doctor, dk_client, today):
    """MED-1: 422, the rule's message next to the daily dose, nothing written."""
    response = as_user(doctor).post(
        url("prescribe", client_uuid=dk_client.uuid), prescription_form(today, daily_dose="300")
    )
    assert response.status_code == 422
    assert error_next_to(
        response, "daily_dose", "The daily dose is above this medicine's maximum of 250."
    )
    assert not Prescription.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"daily_dose": "abc"}, "daily_dose"),
        ({"daily_dose": "NaN"}, "daily_dose"),
        ({"daily_dose": "0"}, "daily_dose"),
        ({"supervised_weekdays": ["9"]}, "supervised_weekdays"),
        ({"pickup_interval_days": "1"}, "pickup_interval_days"),
        ({"pickup_interval_days": "29"}, "pickup_interval_days"),
        ({"medicine": "aspirin"}, "medicine"),
        ({"site": "nowhere"}, "site"),
        ({"starts_on": "2026-02-30"}, "starts_on"),
    ],
)
def test_bad_prescription_input_is_422_at_the_field(
    as_user, doctor, dk_client, today, overrides, field
):
    response = as_user(doctor).post(
        url("prescribe", client_uuid=dk_client.uuid), prescription_form(today, **overrides)
    )
    assert response.status_code == 422
    assert f'id="id_{field}_error"'.encode() in response.content
    assert not Prescription.objects.exists()


def test_substitution_under_18_is_refused_naming_med_8(as_user, doctor, org_dk, make_client, today):
    """MED-8: 422 and the message says why and names the rule."""
    young = make_client(
        org_dk, national_id="", birth_date=today - datetime.timedelta(days=17 * 365)
    )
    response = as_user(doctor).post(
        url("prescribe", client_uuid=young.uuid), prescription_form(today)
    )
    assert response.status_code == 422
    assert b'data-testid="form-errors"' in response.content
    assert shown(response, "Substitution treatment is only for clients aged 18 or over")
    assert b"MED-8" not in response.content  # requirement codes are not for users
    assert not Prescription.objects.exists()


# --- a prescription: detail, change, end, review -------------------------------------------


def change_form(version: PrescriptionVersion, **overrides: Any) -> dict[str, Any]:
    data = {
        "daily_dose": str(version.daily_dose),
        "starts_on": version.starts_on.isoformat(),
        "ends_on": "",
        "supervised_weekdays": [str(d) for d in version.supervised_weekdays],
        "take_home_weekdays": [str(d) for d in version.take_home_weekdays],
        "pickup_interval_days": str(version.pickup_interval_days),
        "site": version.site.slug,
        "delivery": version.delivery,
        "delivery_to": version.delivery_to,
        "instructions": version.instructions,
        "reason": "",
    }
    data.update(overrides)
    return data


def test_the_prescription_page_shows_every_version(
    as_user, counsellor, dk_client, prescribe, doctor
):
    """MED-1: the old versions stay visible with the reason of each change."""
    prescription = prescribe(dk_client)
    version = selectors.current_version(prescription)
    prescribing.prescription_change(
        prescription=prescription,
        actor=doctor,
        terms=prescribing.PrescriptionTerms(
            site=version.site,
            daily_dose=Decimal("90"),
            starts_on=version.starts_on,
            ends_on=None,
            supervised_weekdays=(0, 1, 2, 3, 4),
            take_home_weekdays=(5, 6),
            pickup_interval_days=3,
        ),
        reason="Withdrawal signs every afternoon",
    )
    page = as_user(counsellor).get(url("prescription", prescription_uuid=prescription.uuid))
    assert page.status_code == 200
    versions = re.search(r'data-testid="versions">(.*?)</table>', page.content.decode(), re.S)
    assert versions is not None
    assert "Withdrawal signs every afternoon" in versions.group(1)
    assert versions.group(1).count("<tr>") == 3  # the header and two versions
    assert b'data-testid="daily-dose">90 mg<' in page.content
    assert AccessEvent.objects.filter(view="prescription", client=dk_client).exists()
    # A counsellor sees no doctor's buttons.
    assert (
        url("prescription_change", prescription_uuid=prescription.uuid).encode() not in page.content
    )


def test_the_outsider_gets_404_on_every_prescription_page(as_user, outsider, dk_client, prescribe):
    prescription = prescribe(dk_client)
    http = as_user(outsider)
    for name in ("prescription", "prescription_change", "prescription_end", "prescription_review"):
        assert http.get(url(name, prescription_uuid=prescription.uuid)).status_code == 404, name
        assert http.post(url(name, prescription_uuid=prescription.uuid), {}).status_code == 404
    assert PrescriptionVersion.objects.count() == 1
    assert not AccessEvent.objects.filter(actor=outsider).exists()


def test_a_nurse_may_not_change_end_or_review(as_user, nurse, dk_client, prescribe):
    """MED-1: the doctor's actions are 403 for a nurse, who still reads the prescription."""
    prescription = prescribe(dk_client)
    http = as_user(nurse)
    assert http.get(url("prescription", prescription_uuid=prescription.uuid)).status_code == 200
    for name in ("prescription_change", "prescription_end", "prescription_review"):
        assert http.get(url(name, prescription_uuid=prescription.uuid)).status_code == 403, name
        response = http.post(url(name, prescription_uuid=prescription.uuid), {"reason": "x"})
        assert response.status_code == 403, name
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.ACTIVE
    assert PrescriptionVersion.objects.count() == 1


def test_a_large_dose_change_needs_a_reason_then_is_saved(as_user, doctor, dk_client, prescribe):
    """MED-1: 60 -> 80 mg is more than methadone's step of 10: without a reason 422 with the
    message at the reason; with one, a new version and the old one kept."""
    prescription = prescribe(dk_client)
    current = selectors.current_version(prescription)
    http = as_user(doctor)
    change = url("prescription_change", prescription_uuid=prescription.uuid)
    assert http.get(change).status_code == 200
    refused = http.post(change, change_form(current, daily_dose="80"))
    assert refused.status_code == 422
    assert error_next_to(refused, "reason", "A dose change of more than 10 mg needs a reason.")
    assert PrescriptionVersion.objects.count() == 1

    saved = check_and_save(
        http, change, change_form(current, daily_dose="80", reason="Cravings at night")
    )
    assert saved.status_code == 302
    assert saved["Location"] == url("prescription", prescription_uuid=prescription.uuid)
    versions = list(
        PrescriptionVersion.objects.filter(prescription=prescription).order_by("number")
    )
    assert [(v.number, v.daily_dose, v.is_current) for v in versions] == [
        (1, Decimal("60"), False),
        (2, Decimal("80"), True),
    ]
    assert versions[1].reason == "Cravings at night"


def test_a_small_change_needs_no_reason(as_user, doctor, dk_client, prescribe):
    prescription = prescribe(dk_client)
    current = selectors.current_version(prescription)
    response = check_and_save(
        as_user(doctor),
        url("prescription_change", prescription_uuid=prescription.uuid),
        change_form(current, daily_dose="70"),
    )
    assert response.status_code == 302
    assert selectors.current_version(prescription).daily_dose == Decimal("70")


def test_the_start_of_a_started_prescription_cannot_move(as_user, doctor, dk_client, prescribe):
    prescription = prescribe(dk_client)
    current = selectors.current_version(prescription)
    response = as_user(doctor).post(
        url("prescription_change", prescription_uuid=prescription.uuid),
        change_form(current, starts_on=(MONDAY + days(1)).isoformat()),
    )
    assert response.status_code == 422
    assert error_next_to(
        response, "starts_on", "The prescription has started: its start date cannot change."
    )
    assert PrescriptionVersion.objects.count() == 1


def test_a_doctor_ends_a_prescription(as_user, doctor, dk_client, prescribe, today):
    """MED-1: ended with a date and a reason; a second end is refused with 422."""
    prescription = prescribe(dk_client)
    http = as_user(doctor)
    end = url("prescription_end", prescription_uuid=prescription.uuid)
    assert http.get(end).status_code == 200
    missing = http.post(end, {"on": today.isoformat(), "reason": ""})
    assert missing.status_code == 422
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.ACTIVE

    ending = {"on": today.isoformat(), "reason": "Moved to Aabenraa"}
    asked = http.post(end, ending)  # REF-2: ending cannot be undone: asked first
    assert asked.status_code == 200 and 'data-testid="confirm-page"' in asked.content.decode()
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.ACTIVE
    response = http.post(end, {**ending, "confirm": "1"})
    assert response.status_code == 302
    prescription.refresh_from_db()
    assert (prescription.status, prescription.ended_on, prescription.end_reason) == (
        PrescriptionStatus.ENDED,
        today,
        "Moved to Aabenraa",
    )
    again = http.post(end, {"on": today.isoformat(), "reason": "Again", "confirm": "1"})
    assert again.status_code == 422
    assert shown(again, "The prescription has ended.")
    prescription.refresh_from_db()
    assert prescription.end_reason == "Moved to Aabenraa"


@pytest.fixture
def held(dk_client, prescribe, nurse, desk_site):
    """A prescription on hold: Monday's dose taken, Tuesday to Thursday missed, Friday's
    dose refused."""
    prescription = prescribe(dk_client)
    dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY))
    with pytest.raises(Conflict):
        dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(FRIDAY))
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.ON_HOLD
    return prescription


def test_a_doctor_reviews_a_prescription_on_hold(as_user, doctor, held, today):
    """MED-2: the hold and its reason are shown; the review lifts it and doses count from
    today."""
    http = as_user(doctor)
    page = http.get(url("prescription", prescription_uuid=held.uuid))
    assert b'data-testid="hold-reason"' in page.content
    assert b"3 doses missed in a row" in page.content
    review = url("prescription_review", prescription_uuid=held.uuid)
    assert http.get(review).status_code == 200
    empty = http.post(review, {"note": ""})
    assert empty.status_code == 422
    held.refresh_from_db()
    assert held.status == PrescriptionStatus.ON_HOLD

    response = http.post(review, {"note": "Seen today; continue at 60 mg."})
    assert response.status_code == 302
    held.refresh_from_db()
    assert (held.status, held.hold_reason, held.doses_counted_from) == (
        PrescriptionStatus.ACTIVE,
        "",
        today,
    )


def test_a_review_of_an_active_prescription_is_422(as_user, doctor, dk_client, prescribe):
    prescription = prescribe(dk_client)
    response = as_user(doctor).post(
        url("prescription_review", prescription_uuid=prescription.uuid), {"note": "Fine"}
    )
    assert response.status_code == 422
    assert shown(response, "The prescription is not on hold.")


# --- the dispensing desk -------------------------------------------------------------------


def test_the_desk_index_goes_straight_to_the_only_desk(as_user, nurse, desk_site):
    """MED-2: Sønderborg has one site with medication hours (Kongevej)."""
    response = as_user(nurse).get(url("desk_index"))
    assert response.status_code == 302
    assert response["Location"] == url("desk", site_uuid=desk_site.uuid)


def test_the_desk_index_lists_every_dispensing_site(as_user, org_dk, nurse, desk_site):
    other = org_dk.sites.get(slug="lykken")
    open_all_day(other)
    page = as_user(nurse).get(url("desk_index"))
    assert page.status_code == 200
    assert url("desk", site_uuid=desk_site.uuid).encode() in page.content
    assert url("desk", site_uuid=other.uuid).encode() in page.content


def test_the_desk_is_for_nurses_and_doctors(as_user, counsellor, manager, doctor, nurse, desk_site):
    """MED-2: 200 for who dispenses; 403 for a counsellor and a manager."""
    desk = url("desk", site_uuid=desk_site.uuid)
    assert as_user(nurse).get(desk).status_code == 200
    assert as_user(doctor).get(desk).status_code == 200
    assert as_user(counsellor).get(desk).status_code == 403
    assert as_user(manager).get(desk).status_code == 403
    assert as_user(counsellor).get(url("desk_index")).status_code == 403


def test_the_outsider_gets_404_for_our_desk(as_user, outsider, desk_site, org_no):
    assert as_user(outsider).get(url("desk", site_uuid=desk_site.uuid)).status_code == 404
    # Their own organisation's desks are theirs to see.
    assert as_user(outsider).get(url("desk_index")).status_code in (200, 302)


def test_the_desk_lists_todays_clients_and_logs_them(
    as_user, nurse, todays_prescription, open_desk
):
    """MED-2: the client due today is listed and the listing is in the access log."""
    page = as_user(nurse).get(url("desk", site_uuid=open_desk.uuid))
    assert page.status_code == 200
    assert f'id="row-{todays_prescription.uuid}"'.encode() in page.content
    assert b'data-status="due"' in page.content
    assert AccessEvent.objects.filter(
        view="dispensing_desk", client_id=todays_prescription.client_id
    ).exists()


def test_one_tap_dispenses_and_a_second_tap_is_refused(
    as_user, nurse, second_nurse, todays_prescription, open_desk, today
):
    """MED-2: the dose is recorded with the observation, then the desk shows the client as
    collected; a second POST (another nurse, the same day) is 422 with the reason on the
    desk and writes nothing."""
    dispense = url(
        "desk_dispense", site_uuid=open_desk.uuid, prescription_uuid=todays_prescription.uuid
    )
    response = as_user(nurse).post(dispense, {"effect": "adequate", "side_effects": "Sweating"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#row-{todays_prescription.uuid}")
    dose = Dispensing.objects.get()
    assert (dose.day, dose.kind, dose.effect, dose.side_effects) == (
        today,
        DispensingKind.SUPERVISED,
        "adequate",
        "Sweating",
    )
    assert StockMovement.objects.get().dispensing == dose

    again = as_user(second_nurse).post(dispense, {})
    assert again.status_code == 422
    assert b'data-testid="desk-error"' in again.content
    assert shown(again, "has already been handed out")
    assert Dispensing.objects.count() == 1
    assert StockMovement.objects.count() == 1
    assert b'data-status="collected"' in again.content


@pytest.mark.parametrize("case", ["ended", "wrong_site", "not_started"])
def test_a_refusal_for_a_prescription_not_on_todays_list_is_still_shown(
    as_user, org_dk, doctor, nurse, todays_prescription, open_desk, today, case
):
    """MED-2: an ended prescription, one dispensed at another site, or one not yet started
    is not on this desk's list; its refusal is shown above the list, not lost."""
    site, prescription = open_desk, todays_prescription
    if case == "ended":
        prescribing.prescription_end(
            prescription=prescription, actor=doctor, on=today, reason="Stop"
        )
        message = "The prescription has ended."
    elif case == "wrong_site":
        site = org_dk.sites.get(slug="lykken")
        open_all_day(site)
        message = f"This prescription is dispensed at {open_desk.name}."
    else:
        prescribing.prescription_end(prescription=prescription, actor=doctor, on=today, reason="x")
        prescription = prescribing.prescription_create(
            client=prescription.client,
            actor=doctor,
            medicine=medicine(),
            terms=prescribing.PrescriptionTerms(
                site=open_desk,
                daily_dose=Decimal("60"),
                starts_on=today + days(3),
                ends_on=None,
                supervised_weekdays=tuple(range(7)),
            ),
            today=today,
        )
        message = "The prescription starts on"
    response = as_user(nurse).post(
        url("desk_dispense", site_uuid=site.uuid, prescription_uuid=prescription.uuid)
    )
    assert response.status_code == 422
    assert b'data-testid="desk-error"' in response.content
    assert shown(response, message)
    assert not Dispensing.objects.exists()


def test_a_bad_effect_is_refused_at_the_desk(as_user, nurse, todays_prescription, open_desk):
    response = as_user(nurse).post(
        url("desk_dispense", site_uuid=open_desk.uuid, prescription_uuid=todays_prescription.uuid),
        {"effect": "euphoric"},
    )
    assert response.status_code == 422
    assert shown(response, "Choose an effect from the list.")
    assert not Dispensing.objects.exists()


def test_dispensing_outside_medication_hours_is_refused_at_the_desk(
    as_user, nurse, todays_prescription, open_desk, today
):
    """MED-6: the site gives medication only on another weekday: refused now."""
    tomorrow = (today.weekday() + 1) % 7
    site_set_hours(site=open_desk, kind="medication", week={tomorrow: [ALL_DAY]})
    response = as_user(nurse).post(
        url("desk_dispense", site_uuid=open_desk.uuid, prescription_uuid=todays_prescription.uuid)
    )
    assert response.status_code == 422
    assert shown(response, "It is outside the site's medication hours.")
    assert not Dispensing.objects.exists()


def test_a_get_of_a_desk_action_goes_back_to_the_row(
    as_user, nurse, todays_prescription, open_desk
):
    for name in ("desk_dispense", "desk_take_home"):
        response = as_user(nurse).get(
            url(name, site_uuid=open_desk.uuid, prescription_uuid=todays_prescription.uuid)
        )
        assert response.status_code == 302
    assert not Dispensing.objects.exists()


def test_take_home_doses_are_handed_out_from_the_desk(
    as_user, nurse, todays_prescription, open_desk, today
):
    """MED-2: the chosen take-home days, one row each, one handover."""
    wanted = [today + days(1), today + days(2)]
    response = as_user(nurse).post(
        url("desk_take_home", site_uuid=open_desk.uuid, prescription_uuid=todays_prescription.uuid),
        {"days": [d.isoformat() for d in wanted]},
    )
    assert response.status_code == 302
    made = list(Dispensing.objects.order_by("day"))
    assert [(d.day, d.kind) for d in made] == [(d, DispensingKind.TAKE_HOME) for d in wanted]
    assert len({d.handover for d in made}) == 1


@pytest.mark.parametrize(
    ("days_posted", "message"),
    [
        (["not-a-date"], "Choose the take-home days to hand out."),
        ([], "Choose the take-home days to hand out."),
        (["today"], "is not a prescribed take-home day within reach of this handover."),
        (["far"], "is not a prescribed take-home day within reach of this handover."),
    ],
)
def test_take_home_outside_the_rules_is_refused_at_the_desk(
    as_user, nurse, todays_prescription, open_desk, today, days_posted, message
):
    """MED-2: only prescribed take-home days within reach; today is a desk day."""
    named = {"today": today.isoformat(), "far": (today + days(8)).isoformat()}
    response = as_user(nurse).post(
        url("desk_take_home", site_uuid=open_desk.uuid, prescription_uuid=todays_prescription.uuid),
        {"days": [named.get(d, d) for d in days_posted]},
    )
    assert response.status_code == 422
    assert shown(response, message)
    assert not Dispensing.objects.exists()


def test_take_home_over_a_covered_day_is_refused_at_the_desk(
    as_user, nurse, todays_prescription, open_desk, today
):
    take_home = url(
        "desk_take_home", site_uuid=open_desk.uuid, prescription_uuid=todays_prescription.uuid
    )
    http = as_user(nurse)
    assert http.post(take_home, {"days": [(today + days(1)).isoformat()]}).status_code == 302
    response = http.post(take_home, {"days": [(today + days(1)).isoformat()]})
    assert response.status_code == 422
    assert shown(response, "is already covered by a dose.")
    assert Dispensing.objects.count() == 1


def test_an_exception_dose_from_the_desk(as_user, nurse, todays_prescription, open_desk):
    """MED-2: after today's dose, a replacement for a vomited dose with a reason."""
    http = as_user(nurse)
    http.post(
        url("desk_dispense", site_uuid=open_desk.uuid, prescription_uuid=todays_prescription.uuid)
    )
    exception = url(
        "desk_exception", site_uuid=open_desk.uuid, prescription_uuid=todays_prescription.uuid
    )
    assert http.get(exception).status_code == 200
    response = http.post(
        exception,
        {"exception_reason": "vomited", "reason": "Vomited after 10 minutes", "quantity": ""},
    )
    assert response.status_code == 302
    extra = Dispensing.objects.get(kind=DispensingKind.EXCEPTION)
    assert (extra.exception_reason, extra.reason, extra.quantity) == (
        "vomited",
        "Vomited after 10 minutes",
        Decimal("60"),
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"exception_reason": "vomited", "reason": ""}, "reason", None),
        ({"exception_reason": "forgot", "reason": "x"}, "exception_reason", None),
        (
            {"exception_reason": "extra", "reason": "x", "quantity": "61"},
            "quantity",
            "An exception dose is more than 0 and at most the daily dose of 60.",
        ),
    ],
)
def test_an_exception_outside_the_rules_is_422_at_the_field(
    as_user, nurse, todays_prescription, open_desk, data, field, message
):
    http = as_user(nurse)
    http.post(
        url("desk_dispense", site_uuid=open_desk.uuid, prescription_uuid=todays_prescription.uuid)
    )
    response = http.post(
        url("desk_exception", site_uuid=open_desk.uuid, prescription_uuid=todays_prescription.uuid),
        data,
    )
    assert response.status_code == 422
    assert f'id="id_{field}_error"'.encode() in response.content
    if message:
        assert error_next_to(response, field, message)
    assert Dispensing.objects.count() == 1


def test_an_exception_before_the_days_dose_is_422(as_user, nurse, todays_prescription, open_desk):
    response = as_user(nurse).post(
        url("desk_exception", site_uuid=open_desk.uuid, prescription_uuid=todays_prescription.uuid),
        {"exception_reason": "lost", "reason": "Lost on the bus"},
    )
    assert response.status_code == 422
    assert shown(response, "Today's regular dose has not been handed out")
    assert not Dispensing.objects.exists()


@pytest.mark.parametrize("name", ["desk_dispense", "desk_take_home", "desk_exception"])
def test_desk_actions_refuse_counsellors_and_outsiders(
    as_user, counsellor, outsider, todays_prescription, open_desk, today, name
):
    """MED-2: 403 for a counsellor, 404 for the outsider; nothing written."""
    action = url(name, site_uuid=open_desk.uuid, prescription_uuid=todays_prescription.uuid)
    data = {
        "days": [(today + days(1)).isoformat()],
        "exception_reason": "extra",
        "reason": "x",
    }
    assert as_user(counsellor).post(action, data).status_code == 403
    assert as_user(outsider).post(action, data).status_code == 404
    assert not Dispensing.objects.exists()


def test_a_prescription_of_another_organisation_is_404_at_our_desk(
    as_user, org_no, make_staff, make_client, nurse, open_desk
):
    """A Sandnes prescription named in a Sønderborg desk URL is not found."""
    foreign_doctor = make_staff(org_no, Role.DOCTOR)
    foreign_site = org_no.sites.first()
    open_all_day(foreign_site)
    foreign_today = clock.today(org_no)
    foreign = prescribing.prescription_create(
        client=make_client(org_no),
        actor=foreign_doctor,
        medicine=medicine("naltrexone"),
        terms=prescribing.PrescriptionTerms(
            site=foreign_site,
            daily_dose=Decimal("50"),
            starts_on=foreign_today,
            ends_on=None,
            supervised_weekdays=tuple(range(7)),
        ),
        today=foreign_today,
    )
    response = as_user(nurse).post(
        url("desk_dispense", site_uuid=open_desk.uuid, prescription_uuid=foreign.uuid)
    )
    assert response.status_code == 404
    assert not Dispensing.objects.exists()


# --- query counts with a long history ------------------------------------------------------


@pytest.fixture
def long_history(dk_client, prescribe, doctor, nurse, desk_site):
    """Two years of doses (300 rows) and 30 versions, written with bulk_create for speed."""
    prescription = prescribe(dk_client)
    first = selectors.current_version(prescription)
    PrescriptionVersion.objects.filter(pk=first.pk).update(is_current=False)
    PrescriptionVersion.objects.bulk_create(
        PrescriptionVersion(
            prescription=prescription,
            client=dk_client,
            number=n,
            is_current=n == 30,
            prescriber=doctor,
            site=desk_site,
            daily_dose=Decimal(60 + n),
            starts_on=MONDAY,
            supervised_weekdays=[0, 1, 2, 3, 4],
            take_home_weekdays=[5, 6],
            pickup_interval_days=3,
            reason=f"Change {n}",
        )
        for n in range(2, 31)
    )
    Dispensing.objects.bulk_create(
        Dispensing(
            client=dk_client,
            prescription=prescription,
            version=first,
            organisation_id=prescription.organisation_id,
            site=desk_site,
            day=MONDAY - days(n),
            kind=DispensingKind.SUPERVISED,
            quantity=Decimal("60"),
            handed_out_at=at(MONDAY - days(n)),
            handed_out_by=nurse,
        )
        for n in range(300)
    )
    return prescription


def test_the_medication_tab_queries_are_bounded(
    as_user, counsellor, dk_client, long_history, django_assert_max_num_queries
):
    http = as_user(counsellor)
    with django_assert_max_num_queries(18):
        page = http.get(url("client", client_uuid=dk_client.uuid))
    assert page.status_code == 200
    recent = re.search(r'data-testid="recent-doses">(.*?)</table>', page.content.decode(), re.S)
    assert recent is not None
    assert recent.group(1).count("<tr>") == 31  # the header and the last 30 doses


def test_the_prescription_page_queries_are_bounded(
    as_user, counsellor, long_history, django_assert_max_num_queries
):
    http = as_user(counsellor)
    with django_assert_max_num_queries(13):
        page = http.get(url("prescription", prescription_uuid=long_history.uuid))
    assert page.status_code == 200
    content = page.content.decode()
    versions = re.search(r'data-testid="versions">(.*?)</table>', content, re.S)
    doses = re.search(r'data-testid="doses">(.*?)</table>', content, re.S)
    assert versions is not None and doses is not None
    assert versions.group(1).count("<tr>") == 31
    assert doses.group(1).count("<tr>") == 61  # the header and the latest 60
