"""The dispensing desk as staff use it, in real headless Chromium (MED-1, MED-2, MED-6): a
doctor prescribes methadone with take-home on Saturdays; a nurse dispenses today's dose, is
refused a second one from a page opened before, hands out a take-home dose; the client
then misses three days and the desk shows the hold and why."""

from __future__ import annotations

import datetime

import pytest

from bedring.core import clock
from bedring.core.roles import Role
from bedring.medication.models import Dispensing, Prescription, PrescriptionStatus
from tests.browser.test_courses_in_browser import log_in
from tests.medication.conftest import open_all_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SATURDAY = 5


def test_doctor_prescribes_nurse_dispenses_and_the_desk_shows_the_hold(
    browser, page, live_server, org_dk, make_staff, make_client
):
    url = live_server.url
    # The desk follows the real clock: this site gives medication all day, every day.
    site = open_all_day(org_dk.sites.get(slug="kongevej"))
    doctor, nurse = make_staff(org_dk, Role.DOCTOR), make_staff(org_dk, Role.NURSE)
    for user in (doctor, nurse):
        user.language = "en"
        user.save()
    client = make_client(org_dk, last_name="Methadone")
    today = clock.today(org_dk)

    # Given the doctor, when she prescribes methadone: supervised every day but Saturday,
    # take-home on Saturdays, handed out up to 7 days ahead
    log_in(page, url, doctor)
    page.goto(f"{url}/medication/clients/{client.uuid}/")
    page.click("text=Prescribe")
    page.select_option("#id_medicine", "methadone-oral-solution")
    page.fill("#id_daily_dose", "60")
    for day in range(7):
        page.set_checked(f"#id_supervised_weekdays_{day}", day != SATURDAY)
        page.set_checked(f"#id_take_home_weekdays_{day}", day == SATURDAY)
    page.fill("#id_pickup_interval_days", "7")
    page.select_option("#id_site", "kongevej")
    # then she checks the summary before it is saved, and saves it
    page.click("[data-testid=check]")
    page.wait_for_selector("[data-testid=prescription-summary]")
    page.click("[data-testid=confirm]")
    # then the prescription shows with its dose and its take-home day
    page.wait_for_selector("[data-testid=daily-dose]")
    assert page.inner_text("[data-testid=daily-dose]") == "60 mg"
    prescription = Prescription.objects.get(client=client)
    assert prescription.status == PrescriptionStatus.ACTIVE

    # Given a nurse at the desk, with the desk also open in a second tab
    nurse_context = browser.new_context(locale="en-GB", viewport={"width": 800, "height": 1000})
    desk = nurse_context.new_page()
    desk.set_default_timeout(15_000)
    log_in(desk, url, nurse)
    desk.goto(f"{url}/medication/desk/{site.uuid}/")
    stale = nurse_context.new_page()
    stale.goto(f"{url}/medication/desk/{site.uuid}/")
    row = f"#row-{prescription.uuid}"

    # when she dispenses today's dose with one tap
    desk.click(f"{row} [data-testid=dispense]")
    desk.wait_for_selector(f"{row}[data-status=collected]")
    assert Dispensing.objects.filter(prescription=prescription, day=today).count() == 1

    # and taps "dispense" again on the tab opened before, she is refused and nothing is written
    stale.click(f"{row} [data-testid=dispense]")
    stale.wait_for_selector("[data-testid=desk-error]")
    assert "already been handed out" in stale.inner_text("[data-testid=desk-error]")
    assert Dispensing.objects.filter(prescription=prescription, day=today).count() == 1

    # when she hands out the take-home dose for the coming Saturday
    desk.click(f"{row} [data-testid=take-home]")
    desk.wait_for_selector(f"{row} >> text=Handed out for")
    take_home = Dispensing.objects.get(prescription=prescription, kind="take_home")
    assert take_home.day.weekday() == SATURDAY
    assert 0 < (take_home.day - today).days <= 7

    # Given the client then stays away: the same records, dated back eleven days, leave the
    # three days before today without a dose (the Saturday handed out is a week before).
    back = datetime.timedelta(days=11)
    for dose in Dispensing.objects.filter(prescription=prescription):
        dose.day -= back
        dose.save(update_fields=["day"])
    version = prescription.versions.get()
    version.starts_on -= back
    version.save(update_fields=["starts_on"])
    prescription.doses_counted_from -= back
    prescription.save(update_fields=["doses_counted_from"])

    # when the nurse opens the desk, then the prescription is on hold and the desk says why
    desk.goto(f"{url}/medication/desk/{site.uuid}/")
    desk.wait_for_selector(f"{row}[data-status=on_hold]")
    assert "3 doses missed in a row" in desk.inner_text(f"{row} [data-testid=hold-reason]")
    assert desk.locator(f"{row} [data-testid=dispense]").count() == 0
    prescription.refresh_from_db()
    assert prescription.status == PrescriptionStatus.ON_HOLD
    nurse_context.close()
