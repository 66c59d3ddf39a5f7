"""Booking an appointment as a counsellor does it, in real headless Chromium at 390 px
(APT-1): from the client's page she books a conversation with herself, and finds it on her
day view; when the client has come, she writes the conversation's note from the appointment.
"""

from __future__ import annotations

import pytest

from bedring.appointments.models import Appointment
from bedring.core.roles import Role
from bedring.journal.models import Note
from tests.appointments.conftest import local, main_site, open_day
from tests.browser.test_courses_in_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_counsellor_books_from_the_client_page_sees_it_on_her_day_and_writes_the_note(
    page, live_server, org_dk, make_staff, make_client, frozen_clock
):
    url = live_server.url
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    counsellor.language = "en"
    counsellor.save()
    client = make_client(org_dk, last_name="Booked")
    day = open_day(main_site(org_dk))

    # Given the counsellor on the client's page
    log_in(page, url, counsellor)
    page.goto(f"{url}/clients/{client.uuid}/")
    assert "No appointments booked." in page.inner_text("[data-testid=appointments-panel]")
    # when she books a conversation with herself at 10:00 on the next open day
    page.click("[data-testid=appointments-panel] [data-testid=book-appointment]")
    page.wait_for_selector("[data-testid=book-form]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.select_option("#id_kind", "conversation")
    page.select_option("#id_staff", counsellor.username)
    page.fill("#id_on", day.isoformat())
    page.fill("#id_start", "10:00")
    page.fill("#id_minutes", "45")
    page.click("[data-testid=save-appointment]")
    # then she is back on the client's appointments, told it is booked
    page.wait_for_selector(".msg.success")
    assert "The appointment is booked for" in page.inner_text(".messages")
    appointment = Appointment.objects.get(client=client)
    assert (appointment.staff, appointment.starts_at, appointment.minutes) == (
        counsellor,
        local(org_dk, day, 10),
        45,
    )
    assert page.locator(f"[data-testid=upcoming-{appointment.uuid}]").count() == 1

    # When she opens her day view for that day
    page.goto(f"{url}/appointments/day/?on={day.isoformat()}")
    # then the appointment is on it, with the client and the time
    entry = page.locator(f"[data-testid=entry-{appointment.uuid}]")
    assert entry.count() == 1
    text = entry.inner_text()
    assert "10:00–10:45" in text
    assert client.display_name in text
    # and the page fits a phone's width, as do the appointment and her week
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    entry.locator("a").first.click()
    page.wait_for_selector(f"[data-testid=appointment-{appointment.uuid}]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"{url}/appointments/week/?week={day:%G-W%V}")
    assert page.locator(f"[data-testid=entry-{appointment.uuid}]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # When the day has come and the conversation is under way (the clock moves on to it)
    # (her session of the day before has timed out: she logs in again)
    frozen_clock.move_to(local(org_dk, day, 10, 50))
    log_in(page, url, counsellor)
    page.goto(f"{url}/appointments/{appointment.uuid}/")
    # she records that the client came
    page.click("[data-testid=attended]")
    page.wait_for_selector(".msg.success")
    # and the next step is the note: it starts as a conversation at the appointment's time
    page.click("[data-testid=write-note][data-primary='1']")
    page.wait_for_selector("[data-testid=note-form]")
    assert page.input_value("#id_contact_type") == "conversation"
    assert page.input_value("#id_contact_at") == f"{day.isoformat()}T10:00"
    page.fill("#id_text", "Talked about the first weeks. Next conversation in two weeks.")
    page.click("[data-testid=save-note]")
    page.wait_for_selector("[data-testid=note]")
    assert "The draft is saved." in page.inner_text(".messages")
    note = Note.objects.get(client=client)
    assert (note.author, note.contact_type, note.contact_at) == (
        counsellor,
        "conversation",
        local(org_dk, day, 10),
    )
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
