"""The journal as a counsellor keeps it, in real headless Chromium at 390 px (JRN-1): she
writes a note from the template, signs it after confirming that signing is irreversible,
corrects it with a reason, and the original stays visible in the note's versions."""

from __future__ import annotations

import pytest

from bedring.core.roles import Role
from bedring.journal.models import Note
from tests.browser.test_courses_in_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_counsellor_writes_signs_and_corrects_a_note(
    page, live_server, org_dk, make_staff, make_client
):
    url = live_server.url
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    counsellor.language = "en"
    counsellor.save()
    client = make_client(org_dk, last_name="Journalled")

    # Given the counsellor on the client's Journal tab
    log_in(page, url, counsellor)
    page.goto(f"{url}/clients/{client.uuid}/")
    page.click('.tabs a:text-is("Journal")')
    page.wait_for_selector("[data-testid=journal]")
    # when she writes a phone note, the text starts from the pack's template
    page.select_option("#new-note-type", "phone")
    page.click("[data-testid=write-note]")
    page.wait_for_selector("[data-testid=note-form]")
    assert "Hvem ringede" in page.input_value("#id_text")
    page.fill("#id_text", "Called about Tuesday. Will come at 10.")
    page.click("[data-testid=save-note]")
    # then the draft is saved and can be signed
    page.wait_for_selector("[data-testid=note]")
    assert "The draft is saved." in page.inner_text(".messages")
    assert page.inner_text("[data-testid=note-status]") == "Draft, not signed"

    # When she signs it, she is asked to confirm first
    page.click("[data-testid=sign]")
    assert "Signing is irreversible" in page.inner_text("[data-testid=sign-details]")
    page.click("[data-testid=confirm-sign]")
    page.wait_for_selector("[data-testid=correct]")
    assert "The note is signed" in page.inner_text(".messages")
    assert page.inner_text("[data-testid=note-status]").startswith("Signed")
    assert page.locator("[data-testid=edit]").count() == 0

    # When she corrects it with a reason
    page.click("[data-testid=correct]")
    page.wait_for_selector("[data-testid=note-form]")
    page.fill("#id_text", "Called about Tuesday. Will come at 11.")
    page.fill("#id_reason", "The time was wrong: 11, not 10.")
    page.check("#id_confirm")
    page.click("[data-testid=save-note]")
    page.wait_for_selector("[data-testid=correction-reason]")
    assert "version 2" in page.inner_text(".messages")
    assert "11, not 10" in page.inner_text("[data-testid=correction-reason]")

    # then the versions show the correction and the original
    page.click("[data-testid=versions]")
    page.wait_for_selector("[data-testid=version-1]")
    assert "Will come at 10." in page.inner_text("[data-testid=version-1]")
    assert "Will come at 11." in page.inner_text("[data-testid=version-2]")
    assert "The time was wrong" in page.inner_text("[data-testid=version-2]")
    # and the page fits a phone: nothing wider than the 390 px screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first, second = Note.objects.filter(client=client).order_by("version")
    assert first.signed_at is not None and second.supersedes == first
