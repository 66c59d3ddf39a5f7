"""What a nurse sees at the dispensing desk (MED-2, MED-6): outside medication hours the desk
says when they start again and its dose buttons are disabled with that reason beside them;
a recorded dose is confirmed on its row ("Given 60 mg at 10:00 by …") and, with htmx, in the
page's live region, with the counters at the top updated out of band; all in a number of
queries that does not grow with the clients at the desk."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

from bedring.accounts.services import site_set_hours
from bedring.core.hours import Interval
from bedring.medication.models import Dispensing
from bedring.medication.services import dispensing
from tests.conftest import login
from tests.medication.conftest import days

HOURS = [Interval(datetime.time(8, 30), datetime.time(11, 0))]


def desk_url(site) -> str:
    return reverse("medication:desk", args=[site.uuid])


def dispense_url(site, prescription) -> str:
    return reverse(
        "medication:desk_dispense",
        kwargs={"site_uuid": site.uuid, "prescription_uuid": prescription.uuid},
    )


def row_html(content: str, prescription) -> str:
    found = re.search(rf'<tr id="row-{prescription.uuid}".*?</tr>', content, re.S)
    assert found is not None, "no row"
    return found.group(0)


def counts_html(content: str) -> str:
    found = re.search(r'<ul class="facts desk-counts" id="desk-counts".*?</ul>', content, re.S)
    assert found is not None, "no counters"
    return found.group(0)


def count_of(counters: str, name: str) -> int:
    found = re.search(rf'data-count="{name}">(\d+)<', counters)
    assert found is not None, name
    return int(found.group(1))


# --- outside medication hours --------------------------------------------------------------


def test_outside_medication_hours_the_desk_says_when_they_start_and_disables_the_buttons(
    as_user, nurse, todays_prescription, open_desk, today
):
    """MED-6: medication hours tomorrow only: the notice says so, and each dose button is
    disabled, described by the reason beside it."""
    tomorrow = (today + days(1)).weekday()
    site_set_hours(site=open_desk, kind="medication", week={tomorrow: HOURS})
    page = as_user(nurse).get(desk_url(open_desk))
    content = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="desk-closed-notice"' in content
    assert "Medication hours start again tomorrow at 08:30." in content
    row = row_html(content, todays_prescription)
    button = re.search(r'<button type="submit" data-testid="dispense"[^>]*>', row)
    assert button is not None
    assert " disabled" in button.group(0)
    reason_id = f"closed-{todays_prescription.uuid}"
    assert f'aria-describedby="{reason_id}"' in button.group(0)
    reason = re.search(rf'<p class="disabled-reason" id="{reason_id}"[^>]*>(.*?)</p>', row, re.S)
    assert reason is not None
    assert "Outside medication hours" in reason.group(1)
    assert "tomorrow at 08:30" in reason.group(1)
    take_home = re.search(
        r'<button type="submit" class="secondary" data-testid="take-home"[^>]*>', row
    )
    assert take_home is not None and " disabled" in take_home.group(0)


def test_a_later_opening_is_named_by_its_weekday_and_date(
    as_user, nurse, todays_prescription, open_desk, today
):
    later = today + days(3)
    site_set_hours(site=open_desk, kind="medication", week={later.weekday(): HOURS})
    content = as_user(nurse).get(desk_url(open_desk)).content.decode()
    weekday = later.strftime("%A")
    assert f"Medication hours start again on {weekday} " in content
    assert "at 08:30." in content


def test_within_medication_hours_the_buttons_are_active(
    as_user, nurse, todays_prescription, open_desk
):
    content = as_user(nurse).get(desk_url(open_desk)).content.decode()
    assert 'data-testid="desk-closed-notice"' not in content
    row = row_html(content, todays_prescription)
    assert re.search(r'data-testid="dispense">', row)
    assert "disabled" not in row


def test_the_server_still_refuses_a_dose_from_a_page_opened_in_hours(
    as_user, nurse, todays_prescription, open_desk, today
):
    """MED-6: the disabled button is a courtesy; the service refuses all the same."""
    http = as_user(nurse)
    assert "disabled" not in row_html(
        http.get(desk_url(open_desk)).content.decode(), todays_prescription
    )
    site_set_hours(site=open_desk, kind="medication", week={(today + days(1)).weekday(): HOURS})
    refused = http.post(dispense_url(open_desk, todays_prescription), HTTP_HX_REQUEST="true")
    assert "It is outside the site&#x27;s medication hours." in refused.content.decode()
    assert not Dispensing.objects.exists()


# --- a recorded dose -----------------------------------------------------------------------

GIVEN = re.compile(r"Given 60 mg at \d\d:\d\d by Test sonderborg-nurse-\d+")


def test_a_collected_row_says_who_gave_what_when(as_user, nurse, todays_prescription, open_desk):
    """MED-2: "Given 60 mg at 10:00 by Test Nurse", on the row, on every later look."""
    dispensing.dispense(prescription=todays_prescription, actor=nurse, site=open_desk)
    content = as_user(nurse).get(desk_url(open_desk)).content.decode()
    row = row_html(content, todays_prescription)
    given = re.search(r'<p class="given" data-testid="given">(.*?)</p>', row)
    assert given is not None and GIVEN.fullmatch(given.group(1))


def test_a_tap_without_htmx_comes_back_with_the_confirmation(
    as_user, nurse, todays_prescription, open_desk
):
    http = as_user(nurse)
    response = http.post(dispense_url(open_desk, todays_prescription), follow=True)
    assert response.status_code == 200
    messages = re.search(r'<ul class="messages">(.*?)</ul>', response.content.decode(), re.S)
    assert messages is not None
    assert todays_prescription.client.display_name in messages.group(1)
    assert GIVEN.search(messages.group(1))


def test_an_htmx_tap_updates_the_counters_and_the_live_region_out_of_band(
    as_user, nurse, todays_prescription, open_desk
):
    """MED-2: the answer is the row, then (in a template element, so the row still parses)
    the counters and the live region's line, both marked for an out-of-band swap."""
    http = as_user(nurse)
    page = http.get(desk_url(open_desk)).content.decode()
    assert 'aria-live="polite"' in page and 'id="desk-announcer"' in page
    before = counts_html(page)
    assert (count_of(before, "due"), count_of(before, "collected")) == (1, 0)

    answer = http.post(dispense_url(open_desk, todays_prescription), HTTP_HX_REQUEST="true")
    body = answer.content.decode()
    assert body.startswith("<tr")
    template = re.search(r"<template>(.*)</template>", body, re.S)
    assert template is not None
    counters = counts_html(template.group(1))
    assert 'hx-swap-oob="true"' in counters
    assert (count_of(counters, "due"), count_of(counters, "collected")) == (0, 1)
    announced = re.search(
        r'<div id="desk-announcer" hx-swap-oob="innerHTML">(.*?)</div>', template.group(1)
    )
    assert announced is not None
    assert announced.group(1).startswith(f"{todays_prescription.client.display_name}: ")
    assert GIVEN.search(announced.group(1))


def test_an_htmx_take_home_updates_the_take_home_counter(
    as_user, nurse, todays_prescription, open_desk, today
):
    http = as_user(nurse)
    assert (
        count_of(counts_html(http.get(desk_url(open_desk)).content.decode()), "take_home_due") == 1
    )
    answer = http.post(
        reverse(
            "medication:desk_take_home",
            kwargs={"site_uuid": open_desk.uuid, "prescription_uuid": todays_prescription.uuid},
        ),
        {"days": [(today + days(n)).isoformat() for n in range(1, 7)]},
        HTTP_HX_REQUEST="true",
    )
    body = answer.content.decode()
    assert count_of(counts_html(body), "take_home_due") == 0
    assert "6 take-home doses handed out for" in body


def test_a_refused_tap_announces_nothing_twice(as_user, nurse, todays_prescription, open_desk):
    """The refusal is the row's alert; the live region stays quiet."""
    http = as_user(nurse)
    http.post(dispense_url(open_desk, todays_prescription), HTTP_HX_REQUEST="true")
    again = http.post(dispense_url(open_desk, todays_prescription), HTTP_HX_REQUEST="true")
    body = again.content.decode()
    assert 'role="alert"' in body
    assert '<div id="desk-announcer" hx-swap-oob="innerHTML"></div>' in body


def test_the_htmx_answer_stays_in_bounded_queries_whatever_the_clients(
    org_dk, make_client, prescribe, nurse, desk_site, today, django_assert_max_num_queries
):
    """MED-2: the answer reads the whole list for its counters: the same number of queries
    with 3 clients at the desk as with 30."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.medication.conftest import open_all_day

    open_all_day(desk_site)
    http = login(HttpClient(), nurse)

    def tap(clients: int) -> int:
        prescriptions = [
            prescribe(
                make_client(org_dk),
                starts_on=today,
                supervised_weekdays=tuple(range(7)),
                take_home_weekdays=(),
            )
            for _ in range(clients)
        ]
        with CaptureQueriesContext(connection) as captured:
            answer = http.post(dispense_url(desk_site, prescriptions[0]), HTTP_HX_REQUEST="true")
        assert 'data-status="collected"' in answer.content.decode()
        return len(captured.captured_queries)

    few = tap(3)
    many = tap(27)
    assert few == many
    assert many <= 40


# --- the user's language -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "name"),
    [("nl", "Methadon drank 1 mg/ml"), ("da", "Metadon oral opløsning 1 mg/ml")],
)
def test_the_desk_shows_the_medicine_in_the_users_language(
    as_user, nurse, todays_prescription, open_desk, language, name
):
    http = as_user(nurse)
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    row = row_html(http.get(desk_url(open_desk)).content.decode(), todays_prescription)
    assert name in row
    assert "Methadone oral solution" not in row


def test_the_api_desk_says_when_medication_hours_start_again(
    nurse, todays_prescription, open_desk, today
):
    """MED-6: the desk through the API: not open now, and the moment hours start again in
    the site's time zone."""
    from tests.conftest import api_headers

    tomorrow = today + days(1)
    site_set_hours(site=open_desk, kind="medication", week={tomorrow.weekday(): HOURS})
    body = HttpClient().get(f"/api/v1/sites/{open_desk.uuid}/desk", **api_headers(nurse)).json()
    assert body["open_now"] is False
    opens = datetime.datetime.fromisoformat(body["opens_at"])
    assert (opens.date(), opens.time()) == (tomorrow, datetime.time(8, 30))
    assert opens.utcoffset() is not None
