"""The needle exchange on a phone, in headless Chromium at 390 px (HRM-9): a drop-in worker at
MSOC's counter taps + for the syringes and needles handed out and the used syringes taken
back, ticks advice, and saves once; the exchange is stored as tapped, the form comes back
empty for the next person, and the − and + buttons are targets a thumb can hit."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bedring.core.roles import Role
from bedring.outreach.models import ExchangePoint, ExchangeTransaction
from tests.browser.test_courses_in_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tap(page, field: str, step: str, times: int) -> None:
    for _n in range(times):
        page.click(f'.stepper button[data-step="{step}"][aria-controls="id_{field}"]')


def test_an_exchange_is_recorded_with_the_thumb_and_one_save(
    page, live_server, org_be, make_staff
) -> None:
    worker = make_staff(org_be, Role.DROPIN_WORKER)
    worker.language = "en"
    worker.save()
    counter = ExchangePoint.objects.get(organisation=org_be, key="msoc-oostende")
    log_in(page, live_server.url, worker)
    page.goto(live_server.url + reverse("outreach:exchange_new", args=[counter.uuid]))
    plus = page.locator('.stepper button[data-step="1"][aria-controls="id_out_syringe-1ml"]')
    box = plus.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44
    tap(page, "out_syringe-1ml", "1", 4)
    tap(page, "out_syringe-1ml", "-1", 1)
    tap(page, "out_needle", "1", 3)
    tap(page, "back_syringe-1ml", "1", 2)
    tap(page, "back_needle", "-1", 2)  # never below zero
    assert page.input_value("#id_back_needle") == "0"
    page.check("#id_advice")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".msg.success")
    assert page.input_value("#id_out_syringe-1ml") == "0"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    stored = ExchangeTransaction.objects.get(point=counter)
    assert stored.items_out == {"syringe-1ml": 3, "needle": 3}
    assert stored.items_back == {"syringe-1ml": 2} and stored.advice
    assert stored.participant_code == ""
