"""The pathway as staff meet it in real headless Chromium.

A Danish client calls; the counsellor records the inquiry and sees the 14-day treatment
guarantee; the authority grants outpatient treatment and the decision letter is downloaded as
a PDF whose text is checked; the counsellor makes the plan with the client and starts the
treatment (INT-1, INT-5, DEC-1, DEC-2, PLN-1)."""

from __future__ import annotations

import datetime
import io
import time

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from bedring.core import clock
from bedring.core.roles import Role
from bedring.pathway.models import Deadline, Episode
from tests.browser import chrome

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, url, user) -> None:
    device = TOTPDevice.objects.get(user=user)
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "a-long-test-password-1")
    page.click("button[type=submit]")
    page.wait_for_selector("#id_otp_token")
    # A code is accepted once: logging in again within the same 30 seconds takes the next one.
    drift = 1 if device.last_t >= int(time.time()) // device.step else 0
    page.fill("#id_otp_token", f"{totp(device.bin_key, drift=drift):06d}")
    page.click("button[type=submit]")
    # Attached, not visible: at a phone's width the name is in the folded menu.
    page.wait_for_selector(".topbar .user", state="attached")
    page.wait_for_load_state("load")


def log_out(page) -> None:
    chrome.log_out(page)


def test_danish_client_from_phone_inquiry_to_active_treatment_with_a_plan(
    page, live_server, org_dk, make_staff, make_client
):
    url = live_server.url
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    authority = make_staff(org_dk, Role.AUTHORITY)
    for user in (counsellor, authority):
        user.language = "en"
        user.save()
    person = make_client(
        org_dk,
        first_name="Mette",
        last_name="Browsersen",
        address="Rådhustorvet 1",
        postal_code="6400",
        city="Sønderborg",
    )
    today = clock.today(org_dk)
    received = today - datetime.timedelta(days=1)

    # Given the counsellor, when she records yesterday's phone call from the client's pathway tab
    log_in(page, url, counsellor)
    page.goto(f"{url}/clients/{person.uuid}/")
    page.click("ul.tabs >> text=Pathway")
    page.click("text=Record an inquiry")
    page.select_option("#id_channel", "phone")
    page.select_option("#id_referrer", "gp")
    page.fill("#id_received_at", f"{received.isoformat()}T10:30")
    page.select_option("#id_assign_to", str(counsellor.pk))
    page.click("form.card button[type=submit]")

    # Then the episode shows the treatment guarantee: 14 days after the call
    row = page.wait_for_selector("[data-testid=deadline-treatment_start]")
    due = received + datetime.timedelta(days=14)
    assert f'datetime="{due.isoformat()}"' in row.inner_html()
    assert "treatment guarantee" in row.inner_text()
    episode = Episode.objects.get(client=person)

    # When she begins the assessment (a secondary step: the primary one starts the form)
    page.click("[data-testid=step-begin_assessment]")
    page.wait_for_selector("[data-testid=episode-state]:has-text('Assessment')")
    log_out(page)

    # And the authority grants outpatient treatment with a justification
    log_in(page, url, authority)
    page.goto(f"{url}/pathway/episodes/{episode.uuid}/")
    page.click("[data-testid=decision-new]")
    page.select_option("#id_kind", "treatment")
    page.check("input[name=outcome][value=granted]")
    page.fill(
        "#id_justification",
        "Daily cannabis use; motivated to stop; outpatient treatment is enough.",
    )
    page.click("[data-testid=decide]")
    # a decision cannot be undone: she confirms what will be recorded
    page.wait_for_selector("[data-testid=confirm-page]")
    page.click("[data-testid=confirm]")
    page.wait_for_selector("[data-testid=episode-state]:has-text('Decided')")
    assert "Decision recorded." in page.inner_text(".messages")

    # Then the decision letter downloads as a PDF, in the client's language (Danish), with the
    # justification and the complaint guidance: 4 weeks, then Ankestyrelsen
    with page.expect_download() as download_info:
        page.click("[data-testid=letter-download]")
    pdf = download_info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    assert "outpatient treatment is enough" in text
    assert "Ankestyrelsen" in text
    assert "Styrelsen for Patientklager" in text
    assert "4 uger" in text
    assert "Med venlig hilsen" in text
    log_out(page)

    # When the counsellor makes the plan with the client and starts the treatment
    log_in(page, url, counsellor)
    page.goto(f"{url}/pathway/episodes/{episode.uuid}/")
    page.click("text=Make the plan with the client")
    page.fill("#id_agreed_on", today.isoformat())
    page.check("input[name=aims][value=stop]")
    page.fill("#id_client_words", "I want to be there for my daughter.")
    page.fill("#id_goals-0-text", "No cannabis on weekdays")
    page.fill("#id_goals-0-measure", "Days of use a week, from the diary")
    page.fill("#id_goals-0-target", "0 weekdays")
    page.fill("#id_goals-0-due_on", (today + datetime.timedelta(days=60)).isoformat())
    page.click("[data-testid=save-plan]")
    page.wait_for_selector("text=No cannabis on weekdays")
    page.fill("#id_start_on", today.isoformat())
    page.click("[data-testid=step-start_treatment]")

    # Then the episode is active, the guarantee met, and the plan's evaluation is due
    page.wait_for_selector("[data-testid=episode-state]:has-text('Active treatment')")
    assert Deadline.objects.get(episode=episode, kind="treatment_start").status == "met"
    assert Deadline.objects.get(episode=episode, kind="plan_evaluation").status == "open"
    assert "I want to be there for my daughter." in page.content()
