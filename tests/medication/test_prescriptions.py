"""Prescriptions (MED-1, MED-3, MED-8): only a doctor prescribes, dose rules, versions that
are never overwritten, substitution refused under 18 and in anonymous treatment."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta

from bedring.core import clock
from bedring.core.errors import Conflict, Forbidden, ValidationFailed
from bedring.core.roles import Role
from bedring.medication import selectors
from bedring.medication.models import Prescription, PrescriptionStatus, PrescriptionVersion
from bedring.medication.services import dispensing, prescribing
from bedring.pathway.models import EpisodeEvent
from bedring.pathway.services.episode import inquiry_register
from tests.medication.conftest import MONDAY, at, days, medicine


def terms(site, **overrides):
    values = {
        "site": site,
        "daily_dose": Decimal("60"),
        "starts_on": MONDAY,
        "ends_on": None,
        "supervised_weekdays": (0, 1, 2, 3, 4),
        "take_home_weekdays": (5, 6),
        "pickup_interval_days": 3,
    }
    values.update(overrides)
    return prescribing.PrescriptionTerms(**values)


def test_a_doctor_prescribes_methadone_with_take_home_weekends(dk_client, prescribe):
    """MED-1: medicine with ATC code and form, daily dose, period, supervised and take-home
    days, pick-up reach, dispensing site; version 1 is current."""
    prescription = prescribe(dk_client)
    version = selectors.current_version(prescription)
    assert prescription.status == PrescriptionStatus.ACTIVE
    assert prescription.medicine.atc_code == "N07BC02"
    assert prescription.medicine.get_form_display() == "Oral solution"
    assert version.number == 1
    assert version.daily_dose == Decimal("60")
    assert version.supervised_weekdays == [0, 1, 2, 3, 4]
    assert version.take_home_weekdays == [5, 6]
    assert version.prescriber.memberships.first().roles == [Role.DOCTOR]


@pytest.mark.parametrize("role", [Role.NURSE, Role.COUNSELLOR, Role.MANAGER])
def test_only_a_doctor_prescribes(org_dk, make_staff, dk_client, desk_site, role):
    """MED-1: the service refuses anyone but a doctor, whatever the view allowed."""
    other = make_staff(org_dk, role)
    with pytest.raises(Forbidden) as refused:
        prescribing.prescription_create(
            client=dk_client,
            actor=other,
            medicine=medicine(),
            terms=terms(desk_site),
            today=MONDAY,
        )
    assert refused.value.code == "not_a_doctor"
    assert not Prescription.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"daily_dose": Decimal("0")}, "dose_not_positive", "daily_dose"),
        ({"daily_dose": Decimal("-5")}, "dose_not_positive", "daily_dose"),
        ({"daily_dose": Decimal("260")}, "dose_above_maximum", "daily_dose"),
        ({"daily_dose": Decimal("60.005")}, "dose_precision", "daily_dose"),
        ({"ends_on": MONDAY - days(1)}, "end_before_start", "ends_on"),
        ({"supervised_weekdays": (), "take_home_weekdays": ()}, "no_dose_days", None),
        ({"supervised_weekdays": (0, 5), "take_home_weekdays": (5,)}, "weekday_twice", None),
        ({"supervised_weekdays": (), "take_home_weekdays": (5,)}, "take_home_without_visit", None),
        ({"pickup_interval_days": 1}, "pickup_interval_too_short", "pickup_interval_days"),
        (
            {"supervised_weekdays": (5, 6), "take_home_weekdays": ()},
            "site_closed_on_supervised_days",
            None,
        ),
        ({"delivery": "home_nursing"}, "delivery_to_required", "delivery_to"),
        ({"starts_on": MONDAY - days(1)}, "start_in_past", "starts_on"),
    ],
)
def test_a_prescription_outside_the_rules_is_refused_and_nothing_is_written(
    dk_client, doctor, desk_site, overrides, code, field
):
    """MED-1: each refusal names its rule; nothing is written."""
    with pytest.raises(ValidationFailed) as refused:
        prescribing.prescription_create(
            client=dk_client,
            actor=doctor,
            medicine=medicine(),
            terms=terms(desk_site, **overrides),
            today=MONDAY,
        )
    assert refused.value.code == code
    if field:
        assert refused.value.field == field
    assert not Prescription.objects.exists()
    assert not PrescriptionVersion.objects.exists()


def test_the_dose_maximum_is_the_medicines(dk_client, doctor, desk_site):
    """MED-1: buprenorphine's maximum (32 mg) is not methadone's (250 mg)."""
    with pytest.raises(ValidationFailed) as refused:
        prescribing.prescription_create(
            client=dk_client,
            actor=doctor,
            medicine=medicine("buprenorphine-sublingual"),
            terms=terms(desk_site, daily_dose=Decimal("40")),
            today=MONDAY,
        )
    assert refused.value.code == "dose_above_maximum"
    assert "32" in str(refused.value.message)


def test_substitution_is_refused_under_18_naming_the_rule(org_dk, make_client, doctor, desk_site):
    """MED-8: substitution only from 18 on the start date."""
    young = make_client(
        org_dk, national_id="", birth_date=MONDAY - datetime.timedelta(days=17 * 365)
    )
    with pytest.raises(ValidationFailed) as refused:
        prescribing.prescription_create(
            client=young, actor=doctor, medicine=medicine(), terms=terms(desk_site), today=MONDAY
        )
    assert refused.value.code == "substitution_under_age"
    assert "only for clients aged 18 or over" in str(refused.value.message)
    assert not Prescription.objects.exists()


def test_a_non_substitution_medicine_is_allowed_under_18(org_dk, make_client, doctor, desk_site):
    """MED-8 is about substitution only: disulfiram for a 17-year-old is the doctor's call."""
    young = make_client(
        org_dk, national_id="", birth_date=MONDAY - datetime.timedelta(days=17 * 365)
    )
    prescription = prescribing.prescription_create(
        client=young,
        actor=doctor,
        medicine=medicine("disulfiram"),
        terms=terms(
            desk_site, daily_dose=Decimal("400"), take_home_weekdays=(), pickup_interval_days=1
        ),
        today=MONDAY,
    )
    assert prescription.status == PrescriptionStatus.ACTIVE


def test_substitution_is_refused_in_anonymous_treatment(org_dk, doctor, desk_site):
    """MED-8: never substitution for an anonymous client."""
    from bedring.clients.services import client_register

    anonymous = client_register(organisation=org_dk, anonymous=True)
    with pytest.raises(ValidationFailed) as refused:
        prescribing.prescription_create(
            client=anonymous,
            actor=doctor,
            medicine=medicine(),
            terms=terms(desk_site),
            today=MONDAY,
        )
    assert refused.value.code == "substitution_anonymous"
    assert "never given in anonymous treatment" in str(refused.value.message)
    assert not Prescription.objects.exists()


def test_one_substitution_prescription_at_a_time(dk_client, prescribe, doctor, desk_site):
    """MED-1: methadone and buprenorphine at once is refused; change or end the first."""
    prescribe(dk_client)
    with pytest.raises(Conflict) as refused:
        prescribing.prescription_create(
            client=dk_client,
            actor=doctor,
            medicine=medicine("buprenorphine-sublingual"),
            terms=terms(desk_site, daily_dose=Decimal("16")),
            today=MONDAY,
        )
    assert refused.value.code == "substitution_already_prescribed"
    assert Prescription.objects.count() == 1


def test_a_site_of_another_organisation_is_refused(dk_client, doctor, org_no):
    """MED-1: the dispensing site is one of the organisation's."""
    with pytest.raises(ValidationFailed) as refused:
        prescribing.prescription_create(
            client=dk_client,
            actor=doctor,
            medicine=medicine(),
            terms=terms(org_no.sites.first()),
            today=MONDAY,
        )
    assert refused.value.code == "site_not_found"


def test_a_small_dose_change_is_a_new_version_and_the_old_one_is_kept(
    dk_client, prescribe, doctor, desk_site
):
    """MED-1: every change keeps the old prescription: a new version, never overwritten."""
    prescription = prescribe(dk_client)
    version = prescribing.prescription_change(
        prescription=prescription, actor=doctor, terms=terms(desk_site, daily_dose=Decimal("70"))
    )
    assert version.number == 2
    versions = list(
        PrescriptionVersion.objects.filter(prescription=prescription).order_by("number")
    )
    assert [(v.number, v.daily_dose, v.is_current) for v in versions] == [
        (1, Decimal("60.00"), False),
        (2, Decimal("70.00"), True),
    ]
    assert EpisodeEvent.objects.filter(kind="prescription_changed").count() == 0  # no episode


def test_a_dose_change_beyond_the_step_needs_a_reason(dk_client, prescribe, doctor, desk_site):
    """MED-1: methadone's step is 10 mg: 60 to 80 mg needs a reason; nothing is written
    without one, and with one the reason is kept on the version."""
    prescription = prescribe(dk_client)
    with pytest.raises(ValidationFailed) as refused:
        prescribing.prescription_change(
            prescription=prescription,
            actor=doctor,
            terms=terms(desk_site, daily_dose=Decimal("80")),
        )
    assert refused.value.code == "reason_required"
    assert refused.value.field == "reason"
    assert PrescriptionVersion.objects.filter(prescription=prescription).count() == 1
    version = prescribing.prescription_change(
        prescription=prescription,
        actor=doctor,
        terms=terms(desk_site, daily_dose=Decimal("80")),
        reason="Withdrawal signs every afternoon.",
    )
    assert version.reason == "Withdrawal signs every afternoon."


def test_a_change_is_in_the_change_log_with_old_and_new_values(
    dk_client, prescribe, doctor, desk_site
):
    """PRV-1: the change log keeps the old version's is_current moving from true to false."""
    prescription = prescribe(dk_client)
    old = selectors.current_version(prescription)
    prescribing.prescription_change(
        prescription=prescription, actor=doctor, terms=terms(desk_site, daily_dose=Decimal("65"))
    )
    entry = LogEntry.objects.get_for_object(old).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.changes_dict["is_current"] == [True, False]
    assert LogEntry.objects.filter(additional_data__client_id=str(dk_client.pk)).exists()


def test_the_timeline_shows_the_prescription_of_a_client_in_treatment(
    org_dk, dk_client, prescribe, counsellor
):
    """MED-1: a prescription is on the open episode's timeline."""
    inquiry_register(
        organisation=org_dk,
        site=org_dk.sites.first(),
        actor=counsellor,
        channel="phone",
        referrer="self",
        received_at=at(MONDAY - days(6), 10),
        client=dk_client,
    )
    prescribe(dk_client)
    event = EpisodeEvent.objects.get(kind="prescription")
    assert "Methadone" in event.summary


def test_ending_keeps_versions_and_refuses_a_second_end(dk_client, prescribe, doctor):
    prescription = prescribe(dk_client)
    prescribing.prescription_end(
        prescription=prescription, actor=doctor, on=MONDAY, reason="Tapered off."
    )
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.ENDED
    assert PrescriptionVersion.objects.filter(prescription=prescription).count() == 1
    with pytest.raises(Conflict) as refused:
        prescribing.prescription_end(
            prescription=prescription, actor=doctor, on=MONDAY, reason="Again"
        )
    assert refused.value.code == "prescription_ended"


def test_a_change_cannot_move_the_start_of_a_started_prescription(
    dk_client, prescribe, doctor, desk_site
):
    prescription = prescribe(dk_client, starts_on=MONDAY - days(14))
    with pytest.raises(ValidationFailed) as refused:
        prescribing.prescription_change(
            prescription=prescription,
            actor=doctor,
            terms=terms(desk_site, starts_on=MONDAY - days(7)),
        )
    assert refused.value.code == "start_fixed"


@pytest.mark.parametrize(
    ("days_from_today", "code"),
    [(1, "end_in_future"), (-400, "end_before_start")],
)
def test_an_end_date_outside_the_prescription_is_refused(
    dk_client, prescribe, doctor, days_from_today, code
):
    """MED-1: a prescription ends today or on a past day within its period; nothing changes."""

    today = clock.today(dk_client.organisation)
    prescription = prescribe(dk_client, starts_on=today - days(10))
    with pytest.raises(ValidationFailed) as refused:
        prescribing.prescription_end(
            prescription=prescription,
            actor=doctor,
            on=today + days(days_from_today),
            reason="Stop",
        )
    assert refused.value.code == code
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.ACTIVE


def test_a_prescription_cannot_end_before_a_dose_handed_out(
    dk_client, prescribe, doctor, nurse, desk_site, frozen_clock
):
    prescription = prescribe(dk_client)
    dispensing.dispense(
        prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY + days(1))
    )
    frozen_clock.move_to(at(MONDAY + days(1), 12))  # Tuesday, after the dose
    with pytest.raises(ValidationFailed) as refused:
        prescribing.prescription_end(
            prescription=prescription, actor=doctor, on=MONDAY, reason="Stop"
        )
    assert refused.value.code == "end_before_last_dose"
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.ACTIVE


def test_moving_the_start_of_a_prescription_not_yet_started_keeps_the_rules(
    org_dk, make_client, doctor, desk_site
):
    """MED-8: a client who turns 18 in 10 days may be prescribed from that day; moving the
    start earlier is refused, and so is a start in the past."""

    today = clock.today(org_dk)
    birthday = today + days(10)
    client = make_client(org_dk, national_id="", birth_date=birthday - relativedelta(years=18))
    prescription = prescribing.prescription_create(
        client=client,
        actor=doctor,
        medicine=medicine(),
        terms=terms(desk_site, starts_on=birthday),
        today=today,
    )
    for start, code in (
        (today + days(5), "substitution_under_age"),
        (today - days(400), "start_in_past"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            prescribing.prescription_change(
                prescription=prescription, actor=doctor, terms=terms(desk_site, starts_on=start)
            )
        assert refused.value.code == code
    assert selectors.current_version(prescription).starts_on == birthday


def test_a_change_cannot_put_the_end_in_the_past(
    dk_client, prescribe, doctor, desk_site, frozen_clock
):
    """MED-1: to stop now, a doctor ends the prescription; a past end date would leave it
    running but off the desk."""
    prescription = prescribe(dk_client)
    frozen_clock.move_to(at(MONDAY + days(2), 10))  # Wednesday: Tuesday has passed
    with pytest.raises(ValidationFailed) as refused:
        prescribing.prescription_change(
            prescription=prescription,
            actor=doctor,
            terms=terms(desk_site, ends_on=MONDAY + days(1)),
        )
    assert refused.value.code == "end_in_past"
