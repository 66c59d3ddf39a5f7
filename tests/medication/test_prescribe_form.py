"""The prescribe form as a doctor meets it (MED-1, MED-3, MED-6): the daily dose in the
medicine's unit with its highest daily dose, a summary in one sentence to confirm before
anything is saved (the form still filled in), a warning naming the weekdays on which the
site gives no medication, and the medicine and the weekdays in the doctor's language."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from bedring.core import clock
from bedring.core.roles import Role
from bedring.medication import selectors
from bedring.medication.models import Prescription, PrescriptionVersion
from tests.medication.test_medication_pages import check_and_save, error_next_to, summary_of

OOSTENDE_WARNING = (
    "MSOC Oostende gives no medication on Sunday: choose take-home for Sunday or another site."
)


@pytest.fixture
def be_doctor(org_be, make_staff):
    return make_staff(org_be, Role.DOCTOR)


@pytest.fixture
def be_client(org_be, make_client):
    return make_client(org_be)


def oostende_form(org_be, **overrides: Any) -> dict[str, Any]:
    """80 mg of methadone at MSOC Oostende: supervised Monday to Saturday, take-home Sunday."""
    data: dict[str, Any] = {
        "medicine": "methadone-oral-solution",
        "daily_dose": "80",
        "starts_on": clock.today(org_be).isoformat(),
        "ends_on": "",
        "supervised_weekdays": ["0", "1", "2", "3", "4", "5"],
        "take_home_weekdays": ["6"],
        "pickup_interval_days": "2",
        "site": "oostende",
        "delivery": "clinic",
        "delivery_to": "",
        "instructions": "",
    }
    data.update(overrides)
    return data


def prescribe_url(client) -> str:
    return reverse("medication:prescribe", args=[client.uuid])


def field_html(content: str, name: str) -> str:
    found = re.search(rf'<div class="field[^"]*" data-field="{name}">(.*?)\n</div>', content, re.S)
    assert found is not None, name
    return found.group(1)


def summary_text(content: str) -> str:
    found = re.search(r'<p class="summary-text" data-testid="summary-text">(.*?)</p>', content)
    assert found is not None, "no summary"
    return html.unescape(found.group(1))


def warnings(content: str) -> list[str]:
    return [
        html.unescape(w)
        for w in re.findall(r'data-testid="summary-warning">(.*?)</div>', content, re.S)
    ]


def test_the_daily_dose_shows_its_unit_and_the_medicines_show_their_maximum(
    as_user, be_doctor, be_client
):
    """MED-1: "mg" beside the daily dose; each medicine of the list with its highest daily
    dose, so the maximum is seen before anything is sent."""
    content = as_user(be_doctor).get(prescribe_url(be_client)).content.decode()
    dose = field_html(content, "daily_dose")
    assert '<span class="unit">mg</span>' in dose
    assert "The highest daily dose of each medicine is shown in the list of medicines." in dose
    assert "Methadone oral solution 1 mg/ml (at most 250 mg a day)" in content
    assert "Buprenorphine sublingual tablet 8 mg (at most 32 mg a day)" in content
    # The one form pattern: fieldsets with legends, actions together.
    assert '<fieldset class="group"><legend>Medicine and dose</legend>' in content
    assert '<div class="form-actions">' in content


def test_a_post_without_confirmation_writes_nothing_and_shows_the_summary_filled_in(
    as_user, be_doctor, be_client, org_be
):
    """MED-1: the first post is a check: nothing written, the prescription in one sentence,
    the form still filled in, the dose's maximum for the medicine chosen."""
    response = as_user(be_doctor).post(prescribe_url(be_client), oostende_form(org_be))
    content = response.content.decode()
    assert response.status_code == 200
    assert not Prescription.objects.filter(client=be_client).exists()
    assert summary_text(content) == (
        "Methadone oral solution 1 mg/ml, 80 mg = 80 ml daily, supervised Mon–Sat at MSOC "
        "Oostende, take-home Sun"
    )
    assert warnings(content) == []
    dose = field_html(content, "daily_dose")
    assert 'value="80"' in dose
    assert '<span class="unit">mg</span>' in dose
    assert "At most 250 mg a day for Methadone oral solution 1 mg/ml." in dose
    assert re.search(
        r'<input type="checkbox" name="take_home_weekdays" value="6"[^>]*checked', content
    )
    assert 'data-testid="confirm"' in content


def test_supervised_days_without_medication_are_named_in_a_warning(
    as_user, be_doctor, be_client, org_be
):
    """MED-6: Oostende gives no medication on Sunday: supervised every day is warned about,
    and saved if the doctor confirms (a warning, not a refusal)."""
    http = as_user(be_doctor)
    form = oostende_form(org_be, supervised_weekdays=[str(d) for d in range(7)])
    form["take_home_weekdays"] = []
    checked = http.post(prescribe_url(be_client), form)
    assert warnings(checked.content.decode()) == [OOSTENDE_WARNING]
    assert not Prescription.objects.filter(client=be_client).exists()
    saved = http.post(
        prescribe_url(be_client), {**form, "confirm": "1", "summary": summary_of(checked)}
    )
    assert saved.status_code == 302
    version = selectors.current_version(Prescription.objects.get(client=be_client))
    assert version.supervised_weekdays == list(range(7))


def test_two_days_without_medication_are_named_together(
    as_user, be_doctor, be_client, org_be, make_staff
):
    form = oostende_form(org_be, supervised_weekdays=[str(d) for d in range(7)])
    form["take_home_weekdays"] = []
    form["site"] = "roeselare"  # medication on Tuesday and Thursday only
    content = as_user(be_doctor).post(prescribe_url(be_client), form).content.decode()
    assert warnings(content) == [
        "Antenne Roeselare gives no medication on Monday, Wednesday, Friday–Sunday: choose "
        "take-home for these days or another site."
    ]


def test_the_summary_is_in_the_doctors_language(as_user, be_doctor, be_client, org_be):
    """The medicine's name and the weekdays in Dutch for a Dutch-speaking doctor."""
    http = as_user(be_doctor)
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    form = oostende_form(org_be, supervised_weekdays=[str(d) for d in range(7)])
    form["take_home_weekdays"] = []
    content = http.post(prescribe_url(be_client), form).content.decode()
    text = summary_text(content)
    assert text.startswith("Methadon drank 1 mg/ml, 80 mg = 80 ml")
    assert "ma–zo" in text
    (warning,) = warnings(content)
    assert "zondag" in warning
    assert "Sunday" not in warning
    assert "Methadon drank 1 mg/ml" in content
    assert "Methadone oral solution" not in content


def test_a_confirmation_of_other_terms_than_summarised_is_summarised_again(
    as_user, be_doctor, be_client, org_be
):
    """The confirm button saves the terms the doctor saw: a dose changed after the summary
    is shown again for checking, and nothing is written."""
    http = as_user(be_doctor)
    checked = http.post(prescribe_url(be_client), oostende_form(org_be))
    changed = http.post(
        prescribe_url(be_client),
        {**oostende_form(org_be, daily_dose="120"), "confirm": "1", "summary": summary_of(checked)},
    )
    content = changed.content.decode()
    assert changed.status_code == 200
    assert 'data-testid="summary-changed"' in content
    assert "120 mg = 120 ml daily" in summary_text(content)
    assert not Prescription.objects.filter(client=be_client).exists()
    # Without any summary seen, a confirmation is only a check too.
    blind = http.post(prescribe_url(be_client), {**oostende_form(org_be), "confirm": "1"})
    assert blind.status_code == 200
    assert not Prescription.objects.filter(client=be_client).exists()
    saved = http.post(
        prescribe_url(be_client),
        {**oostende_form(org_be, daily_dose="120"), "confirm": "1", "summary": summary_of(changed)},
    )
    assert saved.status_code == 302
    assert Prescription.objects.filter(client=be_client).count() == 1


def test_a_dose_above_the_maximum_is_refused_before_any_summary(
    as_user, be_doctor, be_client, org_be
):
    """MED-1: the refusal, specific, next to the dose; no summary to confirm."""
    response = as_user(be_doctor).post(
        prescribe_url(be_client), oostende_form(org_be, daily_dose="260")
    )
    content = response.content.decode()
    assert response.status_code == 422
    assert error_next_to(
        response, "daily_dose", "The daily dose is above this medicine's maximum of 250."
    )
    assert "At most 250 mg a day for Methadone oral solution 1 mg/ml." in content
    assert 'data-testid="prescription-summary"' not in content
    assert not Prescription.objects.filter(client=be_client).exists()


def test_the_change_form_shows_the_unit_and_maximum_and_summarises_too(
    as_user, doctor, dk_client, prescribe
):
    prescription = prescribe(dk_client)
    http = as_user(doctor)
    address = reverse("medication:prescription_change", args=[prescription.uuid])
    dose = field_html(http.get(address).content.decode(), "daily_dose")
    assert '<span class="unit">mg</span>' in dose
    assert "At most 250 mg a day for Methadone oral solution 1 mg/ml." in dose
    version = selectors.current_version(prescription)
    data = {
        "daily_dose": "65",
        "starts_on": version.starts_on.isoformat(),
        "ends_on": "",
        "supervised_weekdays": ["0", "1", "2", "3", "4"],
        "take_home_weekdays": ["5", "6"],
        "pickup_interval_days": "3",
        "site": version.site.slug,
        "delivery": "clinic",
        "delivery_to": "",
        "instructions": "",
        "reason": "",
    }
    checked = http.post(address, data)
    assert checked.status_code == 200
    assert summary_text(checked.content.decode()).startswith(
        "Methadone oral solution 1 mg/ml, 65 mg = 65 ml daily, supervised Mon–Fri at "
    )
    assert PrescriptionVersion.objects.filter(prescription=prescription).count() == 1
    assert check_and_save(http, address, data).status_code == 302
    assert PrescriptionVersion.objects.filter(prescription=prescription).count() == 2
