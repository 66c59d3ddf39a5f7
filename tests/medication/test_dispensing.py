"""The dispensing desk's safety rules (MED-2, MED-3, MED-6): each enforced in one place, each
with its own refusal, and nothing written when a dose is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bedring.accounts.models import ClosedDay
from bedring.core import clock
from bedring.core.errors import Conflict, Forbidden, ValidationFailed
from bedring.core.roles import Role
from bedring.medication.models import (
    Dispensing,
    DispensingKind,
    MovementKind,
    PrescriptionStatus,
    StockMovement,
)
from bedring.medication.services import dispensing, holds, prescribing
from bedring.pathway.models import Deadline, EpisodeEvent
from bedring.pathway.models.episode import DeadlineKind, DeadlineStatus
from bedring.pathway.services.episode import inquiry_register
from tests.medication.conftest import MONDAY, at, christmas_on, days, open_all_day

TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = (MONDAY + days(n) for n in range(1, 5))
SATURDAY, SUNDAY = MONDAY + days(5), MONDAY + days(6)


def test_a_nurse_records_todays_supervised_dose_with_an_observation(
    dk_client, prescribe, nurse, desk_site
):
    """MED-2: one dose for today, the nurse's observation optional, stock goes down by it."""
    prescription = prescribe(dk_client)
    dose = dispensing.dispense(
        prescription=prescription,
        actor=nurse,
        site=desk_site,
        observation=dispensing.Observation(effect="adequate", side_effects="Sweating"),
        at=at(MONDAY, 9),
    )
    assert (dose.day, dose.kind, dose.quantity) == (MONDAY, "supervised", Decimal("60"))
    assert dose.effect == "adequate"
    assert dose.side_effects == "Sweating"
    movement = StockMovement.objects.get(dispensing=dose)
    assert (movement.kind, movement.quantity) == (MovementKind.DISPENSED, Decimal("60"))


def test_a_second_dose_on_the_same_day_is_refused_and_nothing_is_written(
    dk_client, prescribe, nurse, second_nurse, desk_site
):
    """MED-2: at most one dispensing per prescription and day."""
    prescription = prescribe(dk_client)
    dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY, 9))
    with pytest.raises(Conflict) as refused:
        dispensing.dispense(
            prescription=prescription, actor=second_nurse, site=desk_site, at=at(MONDAY, 10)
        )
    assert refused.value.code == "already_dispensed"
    assert "exception" in str(refused.value.message)
    assert Dispensing.objects.count() == 1
    assert StockMovement.objects.count() == 1


def test_the_database_refuses_a_second_regular_dose_whatever_the_code_does(
    dk_client, prescribe, nurse, desk_site
):
    """MED-2: one dose per prescription and day is a database constraint: a second row
    written past the service's check is refused by the database and answered as a conflict."""
    prescription = prescribe(dk_client)
    first = dispensing.dispense(
        prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY, 9)
    )
    copy = Dispensing(
        client_id=first.client_id,
        prescription=prescription,
        version=first.version,
        organisation_id=first.organisation_id,
        site=desk_site,
        day=MONDAY,
        kind=DispensingKind.TAKE_HOME,
        quantity=Decimal("60"),
        handed_out_at=at(MONDAY, 10),
        handed_out_by=nurse,
    )
    with pytest.raises(Conflict) as refused:
        dispensing._insert_dose(copy)
    assert refused.value.code == "already_dispensed"
    assert Dispensing.objects.count() == 1


def test_a_second_dose_as_an_exception_with_a_reason(dk_client, prescribe, nurse, desk_site):
    """MED-2: a replacement for a vomited dose is an explicit exception with a reason."""
    prescription = prescribe(dk_client)
    dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY, 9))
    extra = dispensing.dispense_exception(
        prescription=prescription,
        actor=nurse,
        site=desk_site,
        exception_reason="vomited",
        reason="Vomited ten minutes after intake, seen by the nurse.",
        at=at(MONDAY, 9, 30),
    )
    assert extra.kind == DispensingKind.EXCEPTION
    assert extra.quantity == Decimal("60")
    assert Dispensing.objects.filter(day=MONDAY).count() == 2


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"exception_reason": "vomited", "reason": "  "}, "reason_required"),
        ({"exception_reason": "forgot", "reason": "x"}, "bad_exception"),
        (
            {"exception_reason": "extra", "reason": "x", "quantity": Decimal("61")},
            "exception_quantity",
        ),
        (
            {"exception_reason": "extra", "reason": "x", "quantity": Decimal("0")},
            "exception_quantity",
        ),
    ],
)
def test_an_exception_outside_the_rules_is_refused(
    dk_client, prescribe, nurse, desk_site, kwargs, code
):
    prescription = prescribe(dk_client)
    dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY, 9))
    with pytest.raises(ValidationFailed) as refused:
        dispensing.dispense_exception(
            prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY, 10), **kwargs
        )
    assert refused.value.code == code
    assert Dispensing.objects.count() == 1


def test_an_exception_before_the_days_dose_is_refused(dk_client, prescribe, nurse, desk_site):
    """MED-2: without today's dose, a "second" dose is just the day's dose."""
    prescription = prescribe(dk_client)
    with pytest.raises(ValidationFailed) as refused:
        dispensing.dispense_exception(
            prescription=prescription,
            actor=nurse,
            site=desk_site,
            exception_reason="lost",
            reason="Lost on the bus",
            at=at(MONDAY, 9),
        )
    assert refused.value.code == "no_regular_dose"
    assert not Dispensing.objects.exists()


@pytest.mark.parametrize(
    "moment",
    [at(MONDAY, 8, 29), at(MONDAY, 11, 0), at(MONDAY, 15), at(SATURDAY, 10)],
    ids=["before-opening", "at-closing", "afternoon", "saturday"],
)
def test_dispensing_is_refused_outside_medication_hours(
    dk_client, prescribe, nurse, desk_site, moment
):
    """MED-6: Sønderborg hands out medication Mon-Fri 08:30-11:00 only."""
    prescription = prescribe(dk_client, starts_on=moment.date())
    with pytest.raises(ValidationFailed) as refused:
        dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=moment)
    assert refused.value.code == "outside_medication_hours"
    assert str(refused.value.message) == "It is outside the site's medication hours."
    assert not Dispensing.objects.exists()
    assert not StockMovement.objects.exists()


def test_dispensing_is_refused_on_a_public_holiday(dk_client, prescribe, nurse, desk_site):
    """MED-6: Christmas Day on a Friday (as in 2026) is a public holiday in Denmark."""
    christmas = christmas_on(4)
    prescription = prescribe(dk_client, starts_on=christmas)
    with pytest.raises(ValidationFailed) as refused:
        dispensing.dispense(
            prescription=prescription, actor=nurse, site=desk_site, at=at(christmas, 9)
        )
    assert refused.value.code == "closed_day"
    assert not Dispensing.objects.exists()


def test_dispensing_is_refused_on_a_closed_day_of_the_site(
    org_dk, dk_client, prescribe, nurse, desk_site
):
    """MED-6: a staff day the organisation closed the site."""
    ClosedDay.objects.create(
        organisation=org_dk, site=desk_site, date=WEDNESDAY, reason="Staff day"
    )
    prescription = prescribe(dk_client, starts_on=WEDNESDAY)
    with pytest.raises(ValidationFailed) as refused:
        dispensing.dispense(
            prescription=prescription, actor=nurse, site=desk_site, at=at(WEDNESDAY, 9)
        )
    assert refused.value.code == "closed_day"


def test_a_site_open_on_public_holidays_dispenses_on_christmas(
    dk_client, prescribe, nurse, desk_site
):
    """MED-6: a dispensing site marked open on public holidays keeps its hours."""
    desk_site.open_on_public_holidays = True
    desk_site.save()
    christmas = christmas_on(4)
    prescription = prescribe(dk_client, starts_on=christmas)
    dose = dispensing.dispense(
        prescription=prescription, actor=nurse, site=desk_site, at=at(christmas, 9)
    )
    assert dose.day == christmas


def test_dispensing_is_refused_before_the_start_and_after_the_end(
    dk_client, prescribe, nurse, desk_site
):
    """MED-2: no dispensing on a not yet started or an expired prescription."""
    prescription = prescribe(dk_client, starts_on=WEDNESDAY, ends_on=THURSDAY)
    with pytest.raises(ValidationFailed) as early:
        dispensing.dispense(
            prescription=prescription, actor=nurse, site=desk_site, at=at(TUESDAY, 9)
        )
    assert early.value.code == "not_started"
    with pytest.raises(ValidationFailed) as late:
        dispensing.dispense(
            prescription=prescription, actor=nurse, site=desk_site, at=at(FRIDAY, 9)
        )
    assert late.value.code == "expired"
    assert not Dispensing.objects.exists()


def test_an_ended_prescription_is_not_dispensed(dk_client, prescribe, doctor, nurse, desk_site):
    prescription = prescribe(dk_client)
    prescribing.prescription_end(prescription=prescription, actor=doctor, on=MONDAY, reason="Stop")
    with pytest.raises(Conflict) as refused:
        dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY))
    assert refused.value.code == "prescription_ended"


def test_only_the_prescriptions_site_dispenses_it(org_dk, dk_client, prescribe, nurse):
    """MED-2: a dose is handed out where it is prescribed."""
    prescription = prescribe(dk_client)
    other_site = org_dk.sites.exclude(slug="kongevej").first()
    with pytest.raises(ValidationFailed) as refused:
        dispensing.dispense(prescription=prescription, actor=nurse, site=other_site, at=at(MONDAY))
    assert refused.value.code == "wrong_site"


def test_a_counsellor_does_not_hand_out_doses(org_dk, make_staff, dk_client, prescribe, desk_site):
    prescription = prescribe(dk_client)
    with pytest.raises(Forbidden) as refused:
        dispensing.dispense(
            prescription=prescription,
            actor=make_staff(org_dk, Role.COUNSELLOR),
            site=desk_site,
            at=at(MONDAY),
        )
    assert refused.value.code == "not_a_dispenser"


# --- take-home (MED-2, MED-3) --------------------------------------------------------------


def test_take_home_doses_for_the_weekend_on_friday(dk_client, prescribe, nurse, desk_site):
    """MED-2: Friday's visit hands out Saturday's and Sunday's doses, one row per day."""
    prescription = prescribe(dk_client, starts_on=FRIDAY)
    made = dispensing.take_home_handover(
        prescription=prescription,
        actor=nurse,
        site=desk_site,
        days=[SATURDAY, SUNDAY],
        at=at(FRIDAY, 9),
    )
    assert [(d.day, d.kind) for d in made] == [(SATURDAY, "take_home"), (SUNDAY, "take_home")]
    assert len({d.handover for d in made}) == 1
    assert StockMovement.objects.filter(kind="dispensed").count() == 2


def test_take_home_is_refused_over_a_day_already_covered(dk_client, prescribe, nurse, desk_site):
    """MED-2: never overlapping a day already covered."""
    prescription = prescribe(dk_client, starts_on=FRIDAY)
    dispensing.take_home_handover(
        prescription=prescription, actor=nurse, site=desk_site, days=[SATURDAY], at=at(FRIDAY, 9)
    )
    with pytest.raises(ValidationFailed) as refused:
        dispensing.take_home_handover(
            prescription=prescription,
            actor=nurse,
            site=desk_site,
            days=[SATURDAY, SUNDAY],
            at=at(FRIDAY, 10),
        )
    assert refused.value.code == "take_home_overlap"
    assert Dispensing.objects.count() == 1


@pytest.mark.parametrize(
    ("moment", "wanted"),
    [
        (at(FRIDAY, 9), [MONDAY + days(7)]),  # a supervised day, not a take-home day
        (at(MONDAY, 9), [SATURDAY]),  # out of reach: 3 days ahead only
        (at(FRIDAY, 9), []),
    ],
    ids=["supervised-day", "too-far-ahead", "no-days"],
)
def test_take_home_only_as_prescribed(dk_client, prescribe, nurse, desk_site, moment, wanted):
    """MED-2: take-home doses only on prescribed take-home days within the pick-up reach."""
    prescription = prescribe(dk_client, starts_on=moment.date())
    with pytest.raises(ValidationFailed) as refused:
        dispensing.take_home_handover(
            prescription=prescription, actor=nurse, site=desk_site, days=wanted, at=moment
        )
    assert refused.value.code in {"take_home_not_prescribed", "no_take_home_days"}
    assert not Dispensing.objects.exists()


def test_delivery_to_home_nursing_is_recorded_as_such(dk_client, prescribe, nurse, desk_site):
    """MED-3: the doses of a client whose medicine goes to home nursing."""
    prescription = prescribe(
        dk_client, starts_on=FRIDAY, delivery="home_nursing", delivery_to="Hjemmeplejen Nord"
    )
    made = dispensing.take_home_handover(
        prescription=prescription, actor=nurse, site=desk_site, days=[SATURDAY], at=at(FRIDAY, 9)
    )
    assert made[0].recipient == "home_nursing"


# --- missed doses and the hold (MED-2) -----------------------------------------------------


def open_episode(org_dk, client, counsellor):
    return inquiry_register(
        organisation=org_dk,
        site=org_dk.sites.first(),
        actor=counsellor,
        channel="phone",
        referrer="self",
        received_at=at(MONDAY - days(6), 10),
        client=client,
    ).episode


def test_three_missed_days_put_the_prescription_on_hold_until_a_doctor_reviews(
    org_dk, dk_client, prescribe, nurse, doctor, counsellor, desk_site
):
    """MED-2: after 3 missed days in a row (rule pack) the next dose is refused, the hold is
    kept with its reason, and a review task is on the worklist."""
    open_episode(org_dk, dk_client, counsellor)
    prescription = prescribe(dk_client)
    dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY))
    # Tuesday, Wednesday, Thursday: nobody came.
    with pytest.raises(Conflict) as refused:
        dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(FRIDAY))
    assert refused.value.code == "prescription_on_hold"
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.ON_HOLD
    assert prescription.held_since == FRIDAY
    assert "3 doses missed in a row" in prescription.hold_reason
    review = Deadline.objects.get(kind=DeadlineKind.PRESCRIPTION_REVIEW)
    assert review.status == DeadlineStatus.OPEN
    assert review.basis["req"] == "MED-2"
    assert EpisodeEvent.objects.filter(kind="prescription_hold").count() == 1
    assert Dispensing.objects.count() == 1

    # The doctor reviews: the hold is lifted, the task closed, doses count from today.
    prescribing.prescription_review(
        prescription=prescription, actor=doctor, note="Seen, restart at 40 mg.", today=FRIDAY
    )
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.ACTIVE
    review.refresh_from_db()
    assert review.status == DeadlineStatus.MET
    dose = dispensing.dispense(
        prescription=prescription, actor=nurse, site=desk_site, at=at(FRIDAY)
    )
    assert dose.day == FRIDAY


def test_two_missed_days_are_not_a_hold(dk_client, prescribe, nurse, desk_site):
    prescription = prescribe(dk_client)
    dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY))
    dose = dispensing.dispense(
        prescription=prescription, actor=nurse, site=desk_site, at=at(THURSDAY)
    )
    assert dose.day == THURSDAY


def test_a_public_holiday_neither_counts_nor_breaks_the_run(dk_client, prescribe, nurse, desk_site):
    """MED-2: a weekday prescription (no weekend doses), in a year when Christmas Day is a
    Friday (2026). Doses on Monday 21 and Tuesday 22 December; Wednesday 23 and Thursday 24
    missed; Friday 25 is Christmas Day, when the site gives no medication: not the client's
    miss. Two missed days: Monday 28's dose is handed out. Had Christmas counted, it would
    be three and a hold."""
    christmas = christmas_on(4)
    monday_21 = christmas - days(4)
    prescription = prescribe(
        dk_client,
        starts_on=monday_21,
        take_home_weekdays=(),
        pickup_interval_days=1,
    )
    for day in (monday_21, monday_21 + days(1)):
        dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(day))
    dose = dispensing.dispense(
        prescription=prescription,
        actor=nurse,
        site=desk_site,
        at=at(christmas + days(3), 9),
    )
    assert dose.day == christmas + days(3)


def test_take_home_days_nobody_handed_out_count_as_missed(dk_client, prescribe, nurse, desk_site):
    """MED-2: Friday's dose taken but no weekend doses handed out, Monday missed: Saturday,
    Sunday and Monday are three days without a dose. Tuesday's dose is refused."""
    prescription = prescribe(dk_client, starts_on=FRIDAY)
    dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(FRIDAY))
    with pytest.raises(Conflict) as refused:
        dispensing.dispense(
            prescription=prescription, actor=nurse, site=desk_site, at=at(TUESDAY + days(7))
        )
    assert refused.value.code == "prescription_on_hold"


def test_the_hold_is_applied_once(dk_client, prescribe, nurse, desk_site):
    prescription = prescribe(dk_client)
    dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY))
    for _ in range(2):
        with pytest.raises(Conflict):
            dispensing.dispense(
                prescription=prescription, actor=nurse, site=desk_site, at=at(FRIDAY)
            )
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.ON_HOLD


def test_a_review_of_a_prescription_not_on_hold_is_refused(dk_client, prescribe, doctor):
    prescription = prescribe(dk_client)
    with pytest.raises(Conflict) as refused:
        prescribing.prescription_review(prescription=prescription, actor=doctor, note="ok")
    assert refused.value.code == "not_on_hold"


# --- from a review: holes closed -----------------------------------------------------------


def test_exception_doses_of_a_day_add_up_to_at_most_the_daily_dose(
    dk_client, prescribe, nurse, desk_site
):
    """MED-2: replacements and extra doses are exceptions, not a way around the dose."""
    prescription = prescribe(dk_client)
    dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY, 9))
    dispensing.dispense_exception(
        prescription=prescription,
        actor=nurse,
        site=desk_site,
        exception_reason="vomited",
        reason="Vomited",
        quantity=Decimal("40"),
        at=at(MONDAY, 9, 30),
    )
    with pytest.raises(Conflict) as refused:
        dispensing.dispense_exception(
            prescription=prescription,
            actor=nurse,
            site=desk_site,
            exception_reason="extra",
            reason="Asked for more",
            quantity=Decimal("30"),
            at=at(MONDAY, 10),
        )
    assert refused.value.code == "exception_limit"
    assert Dispensing.objects.filter(kind=DispensingKind.EXCEPTION).count() == 1


def test_a_second_substitution_prescription_does_not_give_a_second_dose_that_day(
    dk_client, prescribe, doctor, nurse, desk_site
):
    """MED-2: ending methadone after today's dose and starting buprenorphine the same day
    does not hand out a second substitution dose for that day."""
    methadone = prescribe(dk_client)
    dispensing.dispense(prescription=methadone, actor=nurse, site=desk_site, at=at(MONDAY, 9))
    prescribing.prescription_end(prescription=methadone, actor=doctor, on=MONDAY, reason="Switch")
    buprenorphine = prescribe(
        dk_client, medicine_key="buprenorphine-sublingual", daily_dose=Decimal("16")
    )
    with pytest.raises(Conflict) as refused:
        dispensing.dispense(
            prescription=buprenorphine, actor=nurse, site=desk_site, at=at(MONDAY, 10)
        )
    assert refused.value.code == "substitution_already_dispensed"
    dose = dispensing.dispense(
        prescription=buprenorphine, actor=nurse, site=desk_site, at=at(TUESDAY, 9)
    )
    assert dose.day == TUESDAY


def test_missed_days_are_counted_on_the_prescriptions_own_site(
    org_dk, dk_client, prescribe, nurse, desk_site
):
    """MED-2: a dose asked for at another site is refused as wrong_site, and the other
    site's calendar (open on a day Kongevej was closed) does not put the client on hold."""
    ClosedDay.objects.create(organisation=org_dk, site=desk_site, date=FRIDAY, reason="Staff day")
    other = org_dk.sites.exclude(pk=desk_site.pk).first()
    open_all_day(other)
    prescription = prescribe(dk_client, take_home_weekdays=(), pickup_interval_days=1)
    dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(TUESDAY))
    # Wednesday and Thursday missed; Friday Kongevej was closed: two missed days, no hold.
    next_monday = MONDAY + days(7)
    with pytest.raises(ValidationFailed) as refused:
        dispensing.dispense(prescription=prescription, actor=nurse, site=other, at=at(next_monday))
    assert refused.value.code == "wrong_site"
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.ACTIVE
    dose = dispensing.dispense(
        prescription=prescription, actor=nurse, site=desk_site, at=at(next_monday)
    )
    assert dose.day == next_monday


def test_a_hold_counted_before_a_review_is_not_put_back(
    dk_client, prescribe, doctor, nurse, desk_site
):
    """MED-2: a desk page loaded before the doctor's review cannot put the hold back."""
    prescription = prescribe(dk_client)
    dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY))
    with pytest.raises(Conflict):
        dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(FRIDAY))
    prescribing.prescription_review(
        prescription=prescription, actor=doctor, note="Seen", today=FRIDAY
    )
    put_back = holds.hold_for_missed_doses(
        prescription=prescription, missed=3, since=TUESDAY, today=FRIDAY
    )
    assert put_back is False
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.ACTIVE


def test_a_doctor_ends_a_prescription_at_once_with_take_home_doses_out(
    org_dk, dk_client, prescribe, doctor, nurse, desk_site
):
    """MED-1: take-home doses handed out for the coming days do not block ending today."""

    open_all_day(desk_site)
    today = clock.today(org_dk)
    others = tuple(d for d in range(7) if d != today.weekday())
    prescription = prescribe(
        dk_client,
        starts_on=today,
        supervised_weekdays=(today.weekday(),),
        take_home_weekdays=others,
        pickup_interval_days=6,
    )
    dispensing.take_home_handover(
        prescription=prescription,
        actor=nurse,
        site=desk_site,
        days=[today + days(1), today + days(2)],
        at=at(today, 9),
    )
    prescribing.prescription_end(
        prescription=prescription, actor=doctor, on=today, reason="Overdose"
    )
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.ENDED
    assert Dispensing.objects.filter(prescription=prescription).count() == 2
