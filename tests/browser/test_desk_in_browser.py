"""The dispensing desk and the prescribe form as staff see them, in real headless Chromium at
390 px (MED-1, MED-2, MED-6):

* outside medication hours the desk says when they start again, and the dose button is
  disabled with that reason beside it;
* a tap records the dose, the row confirms it ("Given 60 mg at 10:00 by …"), the live region
  announces it and the counters at the top change, without a reload; the observation toggle
  is a target of at least 44 by 44 CSS pixels;
* the nurse corrects the dose she recorded by mistake, and the client is due again;
* a Dutch doctor prescribing at MSOC Oostende sees the dose's unit, the medicine in Dutch,
  and, before saving, a summary that warns that Oostende gives no medication on Sunday.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from bedring.accounts.services import site_set_hours
from bedring.core import clock
from bedring.core.hours import Interval
from bedring.core.roles import Role
from bedring.medication.models import (
    Dispensing,
    MovementKind,
    Prescription,
    StockMovement,
)
from bedring.medication.services import prescribing
from tests.browser.test_courses_in_browser import log_in
from tests.medication.conftest import medicine, open_all_day

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GIVEN = re.compile(r"Given 60 mg at \d\d:\d\d by Test \S+")
EVERY_DAY = tuple(range(7))


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def staff(org, make_staff, role, language="en"):
    user = make_staff(org, role)
    user.language = language
    user.save()
    return user


def every_day_prescription(org, doctor, site, client) -> Prescription:
    today = clock.today(org)
    return prescribing.prescription_create(
        client=client,
        actor=doctor,
        medicine=medicine(),
        terms=prescribing.PrescriptionTerms(
            site=site,
            daily_dose=Decimal("60"),
            starts_on=today,
            ends_on=None,
            supervised_weekdays=EVERY_DAY,
        ),
        today=today,
    )


def count(page, name: str) -> str:
    return page.inner_text(f"#desk-counts [data-count={name}]")


def test_outside_medication_hours_the_dose_button_is_disabled_with_the_reason(
    page, live_server, org_dk, make_staff, make_client
):
    url = live_server.url
    site = open_all_day(org_dk.sites.get(slug="kongevej"))
    doctor, nurse = staff(org_dk, make_staff, Role.DOCTOR), staff(org_dk, make_staff, Role.NURSE)
    prescription = every_day_prescription(org_dk, doctor, site, make_client(org_dk))
    # Given medication hours only tomorrow, 08:30 to 11:00
    tomorrow = (clock.today(org_dk) + datetime.timedelta(days=1)).weekday()
    hours = [Interval(datetime.time(8, 30), datetime.time(11, 0))]
    site_set_hours(site=site, kind="medication", week={tomorrow: hours})

    # When the nurse opens the desk
    log_in(page, url, nurse)
    page.goto(f"{url}/medication/desk/{site.uuid}/")
    page.wait_for_load_state("load")

    # Then the desk says so at the top, and when the hours start again
    notice = page.locator("[data-testid=desk-closed-notice]")
    assert notice.is_visible()
    assert "Medication hours start again tomorrow at 08:30." in notice.inner_text()
    # and the dose button is disabled, described by the reason shown beside it
    row = page.locator(f"#row-{prescription.uuid}")
    button = row.locator("[data-testid=dispense]")
    assert button.is_disabled()
    reason = page.locator(f"#{button.get_attribute('aria-describedby')}")
    assert reason.is_visible()
    assert "Outside medication hours" in reason.inner_text()
    assert "tomorrow at 08:30" in reason.inner_text()
    button_box, reason_box = button.bounding_box(), reason.bounding_box()
    assert button_box is not None and reason_box is not None
    assert 0 <= reason_box["y"] - (button_box["y"] + button_box["height"]) < 60
    # and a tap does nothing
    button.click(force=True)
    page.wait_for_timeout(300)
    assert not Dispensing.objects.exists()
    assert no_horizontal_scroll(page)


def test_a_dose_is_confirmed_announced_and_counted_then_corrected(
    page, live_server, org_dk, make_staff, make_client
):
    url = live_server.url
    site = open_all_day(org_dk.sites.get(slug="kongevej"))
    doctor, nurse = staff(org_dk, make_staff, Role.DOCTOR), staff(org_dk, make_staff, Role.NURSE)
    client = make_client(org_dk, last_name="Desk")
    prescription = every_day_prescription(org_dk, doctor, site, client)
    log_in(page, url, nurse)
    page.goto(f"{url}/medication/desk/{site.uuid}/")
    page.wait_for_load_state("load")
    row = f"#row-{prescription.uuid}"
    page.evaluate("window.notReloaded = true")
    assert (count(page, "due"), count(page, "collected")) == ("1", "0")
    announcer = page.locator("#desk-announcer")
    assert announcer.get_attribute("aria-live") == "polite"

    # The observation toggle is a target of at least 44 by 44 CSS pixels (WCAG 2.2 asks 24)
    toggle = page.locator(f"{row} [data-testid=observation-toggle]")
    box = toggle.bounding_box()
    assert box is not None
    assert box["width"] >= 44 and box["height"] >= 44, box

    # When the nurse notes the effect and taps the dose
    toggle.click()
    page.select_option(f"#obs-{prescription.uuid}-effect", "adequate")
    page.click(f"{row} [data-testid=dispense]")

    # Then the row confirms it, the live region says it, the counters change: no reload
    page.wait_for_selector(f"{row}[data-status=collected]")
    given = page.inner_text(f"{row} [data-testid=given]")
    assert GIVEN.fullmatch(given), given
    page.wait_for_function(
        "document.querySelector('#desk-announcer').textContent.includes('Given 60 mg')"
    )
    assert announcer.inner_text().startswith(client.display_name)
    assert (count(page, "due"), count(page, "collected")) == ("0", "1")
    assert page.evaluate("window.notReloaded") is True
    dose = Dispensing.objects.get(prescription=prescription)
    assert dose.effect == "adequate"
    assert no_horizontal_scroll(page)

    # When she corrects it: recorded for the wrong client
    page.click(f"{row} [data-testid=correct]")
    page.wait_for_selector("[data-testid=correction-form]")
    assert no_horizontal_scroll(page)
    page.fill("#id_reason", "Recorded for the wrong client")
    page.click("[data-testid=correct-confirm]")

    # Then the client is due again, the dose stays on record marked corrected, stock is back
    page.wait_for_selector(f"{row}[data-status=due]")
    assert "no longer counts as given" in page.inner_text(".messages")
    assert (count(page, "due"), count(page, "collected")) == ("1", "0")
    dose.refresh_from_db()
    assert dose.corrected and dose.quantity == Decimal("60")
    assert StockMovement.objects.filter(kind=MovementKind.CORRECTED, quantity=60).count() == 1

    # and the right dose can be given
    page.click(f"{row} [data-testid=dispense]")
    page.wait_for_selector(f"{row}[data-status=collected]")
    assert Dispensing.objects.filter(prescription=prescription, corrected=False).count() == 1


def test_a_dutch_doctor_sees_the_unit_the_dutch_name_and_the_sunday_warning(
    page, live_server, org_be, make_staff, make_client
):
    url = live_server.url
    doctor = staff(org_be, make_staff, Role.DOCTOR, language="nl")
    client = make_client(org_be, last_name="Oostende")
    log_in(page, url, doctor)
    page.goto(f"{url}/medication/clients/{client.uuid}/prescribe/")
    page.wait_for_load_state("load")

    # The daily dose has its unit beside it, and the medicines are named in Dutch
    unit = page.locator("[data-field=daily_dose] .unit")
    assert unit.inner_text() == "mg"
    dose_box, unit_box = page.locator("#id_daily_dose").bounding_box(), unit.bounding_box()
    assert dose_box is not None and unit_box is not None
    assert abs(unit_box["y"] - dose_box["y"]) < dose_box["height"]  # beside, not below
    options = page.locator("#id_medicine option").all_inner_texts()
    assert any(o.startswith("Methadon drank 1 mg/ml") for o in options), options
    assert not any("Methadone oral solution" in o for o in options)

    # When she prescribes 80 mg supervised every day at MSOC Oostende and checks it
    page.select_option("#id_medicine", "methadone-oral-solution")
    page.fill("#id_daily_dose", "80")
    for day in range(7):
        page.set_checked(f"#id_supervised_weekdays_{day}", True)
        page.set_checked(f"#id_take_home_weekdays_{day}", False)
    page.select_option("#id_site", "oostende")
    page.click("[data-testid=check]")

    # Then nothing is saved yet: the summary, in Dutch words where it has them, warns
    # that Oostende gives no medication on Sunday; the form is still filled in
    page.wait_for_selector("[data-testid=prescription-summary]")
    assert not Prescription.objects.filter(client=client).exists()
    summary = page.inner_text("[data-testid=summary-text]")
    assert summary.startswith("Methadon drank 1 mg/ml, 80 mg = 80 ml"), summary
    assert "ma–zo" in summary
    warning = page.inner_text("[data-testid=summary-warning]")
    assert "MSOC Oostende" in warning and "zondag" in warning, warning
    assert page.input_value("#id_daily_dose") == "80"
    assert page.is_checked("#id_supervised_weekdays_6")
    assert "250 mg" in page.inner_text("[data-field=daily_dose] .helptext")
    assert no_horizontal_scroll(page)

    # When she chooses take-home for Sunday and checks again, the warning is gone
    page.set_checked("#id_supervised_weekdays_6", False)
    page.set_checked("#id_take_home_weekdays_6", True)
    page.fill("#id_pickup_interval_days", "1")
    with page.expect_navigation():
        page.click("[data-testid=check]")
    page.wait_for_selector("[data-testid=prescription-summary]")
    assert "ma–za" in page.inner_text("[data-testid=summary-text]")
    assert page.locator("[data-testid=summary-warning]").count() == 0

    # and saves it
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=daily-dose]")
    prescription = Prescription.objects.get(client=client)
    assert prescription.versions.get().take_home_weekdays == [6]
