"""The foundation as a counsellor meets it, at phone width, in real headless Chromium:
log in with a password and a TOTP code (enrolling the authenticator on first login), register
a client with a valid CPR, be refused a second registration of the same CPR with a link to the
existing client, and switch the language to Danish."""

from __future__ import annotations

import base64
import datetime
import random

import pytest
from django.utils import translation
from django_otp.oath import totp

from bedring.accounts import services as account_services
from bedring.clients.models import Client
from bedring.core.roles import Role
from bedring.synthetic.people import dk_cpr
from tests.browser.chrome import open_more

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def current_code(secret: str) -> str:
    key = base64.b32decode(secret.replace(" ", ""))
    return f"{totp(key):06d}"


def test_counsellor_logs_in_with_totp_registers_a_client_meets_the_duplicate_and_switches_to_danish(
    page, live_server, org_dk
):
    # Given a counsellor at Sønderborg who has never logged in
    # (who has chosen English as her language; the organisation's own is Danish)
    user = account_services.staff_create(
        username="sofie",
        password="a-long-test-password-1",
        first_name="Sofie",
        last_name="Holm",
        organisation=org_dk,
        roles=[Role.COUNSELLOR],
    )
    user.language = "en"
    user.save()
    url = live_server.url

    # When she logs in with her password
    page.goto(f"{url}/")
    page.fill("#id_username", "sofie")
    page.fill("#id_password", "a-long-test-password-1")
    page.click("button[type=submit]")

    # Then she is asked to enrol an authenticator with a QR code, and does
    page.wait_for_selector("[data-testid=totp-secret]")
    assert page.locator(".qr svg").count() == 1
    secret = page.inner_text("[data-testid=totp-secret]")
    page.fill("#id_otp_token", current_code(secret))
    page.click("button[type=submit]")
    # (the organisation's name is in the header's menu, folded at a phone's width)
    page.wait_for_selector(".org:has-text('Sønderborg Misbrugscenter')", state="attached")

    # When she registers a client with a valid CPR number
    cpr = dk_cpr(datetime.date(1988, 4, 12), "female", random.Random(1))
    page.goto(f"{url}/clients/new/")
    page.fill("#id_national_id", cpr)
    page.fill("#id_first_name", "Maja")
    page.fill("#id_last_name", "Testesen")
    page.click("button[type=submit]")

    # Then the client page shows her, with the birth date taken from the CPR number
    page.wait_for_selector("h1:has-text('Maja Testesen')")
    assert "April 12, 1988" in page.content()
    client = Client.objects.get(national_id=cpr)

    # When she registers the same CPR number again
    page.goto(f"{url}/clients/new/")
    page.fill("#id_national_id", cpr[:6] + "-" + cpr[6:])
    page.fill("#id_first_name", "Maja")
    page.fill("#id_last_name", "Again")
    page.click("button[type=submit]")

    # Then she is refused, with a link to the existing client, and nothing was written
    link = page.wait_for_selector("[data-testid=duplicate-link]")
    assert "already registered" in page.content()
    assert link.get_attribute("href") == f"/clients/{client.uuid}/"
    assert Client.objects.filter(national_id=cpr).count() == 1

    # When she switches the language to Danish (once the page's script, which submits the
    # choice, has loaded: the selector above can match before it has)
    page.wait_for_load_state("load")
    open_more(page)  # the language is under "More", in the folded menu at this width
    page.select_option("#lang-switch", "da")
    page.wait_for_selector("html[lang=da]")

    # Then the page is in Danish
    with translation.override("da"):
        danish_register = translation.gettext("Register a client")
    assert danish_register != "Register a client"
    assert danish_register in page.content()
