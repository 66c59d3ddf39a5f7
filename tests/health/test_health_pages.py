"""The client's health page and its forms (HLT-1..4): who may see and use them, what a POST
saves, that a refused form shows the reason (422) and writes nothing, and a bounded query
count with a long history."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bedring.accounts.roles import Role
from bedring.audit.models import AccessEvent
from bedring.health.models import (
    HealthContact,
    Pregnancy,
    PregnancyFollowUp,
    Screening,
    Vaccination,
)
from bedring.health.services import (
    health_contact_record,
    pregnancy_end,
    pregnancy_follow_up_record,
    pregnancy_record,
    screening_record,
    vaccination_record,
)

from .conftest import days_ago


def page_url(client):
    return reverse("health:client", args=[client.uuid])


def iso(day: datetime.date) -> str:
    return day.isoformat()


def test_the_health_page_shows_every_section_and_logs_the_read(as_user, nurse, female):
    """HLT-1..4: screenings, vaccinations, health contacts and pregnancy on one page."""
    response = as_user(nurse).get(page_url(female))
    assert response.status_code == 200
    page = response.content.decode()
    for heading in ("Screenings", "Vaccinations", "Health contacts", "Pregnancy"):
        assert f"<h2>{heading}</h2>" in page
    assert 'aria-current="page">Health</a>' in page
    assert AccessEvent.objects.filter(client=female, view="health", channel="html").exists()


def test_a_male_client_has_no_pregnancy_section(as_user, nurse, org_dk, make_client):
    """HLT-4: only a client recorded as female or of unknown sex."""
    male = make_client(org_dk, national_id="", sex="male")
    page = as_user(nurse).get(page_url(male)).content.decode()
    assert "<h2>Pregnancy</h2>" not in page


def test_an_outsider_gets_404_and_a_role_without_client_access_403(
    as_user, outsider, female, org_dk, make_staff
):
    """PRV-1: another organisation's client does not exist; the administrator sees no
    clinical data."""
    assert as_user(outsider).get(page_url(female)).status_code == 404
    admin = make_staff(org_dk, Role.ADMINISTRATOR)
    assert as_user(admin).get(page_url(female)).status_code == 403
    url = reverse("health:contact_add", args=[female.uuid])
    data = {"contact-kind": "nada", "contact-on": iso(days_ago(org_dk, 0))}
    assert as_user(outsider).post(url, data).status_code == 404
    assert as_user(admin).post(url, data).status_code == 403
    assert not HealthContact.objects.exists()


def test_a_screening_is_recorded_from_the_page(as_user, nurse, female):
    today = iso(days_ago(female.organisation, 0))
    response = as_user(nurse).post(
        reverse("health:screening_add", args=[female.uuid]),
        {
            "screening-kind": "hepatitis_c",
            "screening-offered_on": today,
            "screening-tested_on": today,
            "screening-result": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == page_url(female)
    screening = Screening.objects.get(client=female)
    assert (screening.kind, screening.result, screening.recorded_by) == (
        "hepatitis_c",
        "pending",
        nurse,
    )


def test_a_refused_screening_shows_the_reason_next_to_the_field(as_user, nurse, female):
    """A rule refuses: the page again, 422, the message, the form open, nothing written."""
    tomorrow = iso(days_ago(female.organisation, -1))
    response = as_user(nurse).post(
        reverse("health:screening_add", args=[female.uuid]),
        {"screening-kind": "hiv", "screening-offered_on": tomorrow, "screening-declined": "on"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "The date cannot be in the future." in page
    assert '<details class="card" open>' in page
    assert not Screening.objects.exists()


def test_a_pending_result_is_recorded_from_the_page(as_user, nurse, female):
    today = days_ago(female.organisation, 0)
    screening = screening_record(
        client=female, actor=nurse, kind="hiv", offered_on=today, tested_on=today
    )
    http = as_user(nurse)
    page = http.get(page_url(female)).content.decode()
    assert reverse("health:screening_result", args=[screening.uuid]) in page
    response = http.post(
        reverse("health:screening_result", args=[screening.uuid]), {"result-result": "negative"}
    )
    assert response.status_code == 302
    screening.refresh_from_db()
    assert screening.result == "negative"
    refused = http.post(
        reverse("health:screening_result", args=[screening.uuid]), {"result-result": "positive"}
    )
    assert refused.status_code == 422
    assert "The result is already recorded." in refused.content.decode()
    screening.refresh_from_db()
    assert screening.result == "negative"


def test_a_dose_out_of_order_is_refused_on_the_page(as_user, nurse, female):
    response = as_user(nurse).post(
        reverse("health:vaccination_add", args=[female.uuid]),
        {
            "vaccination-schedule": "hepatitis_b",
            "vaccination-dose": "2",
            "vaccination-given_on": iso(days_ago(female.organisation, 0)),
        },
    )
    assert response.status_code == 422
    assert "Record the earlier doses of this schedule first." in response.content.decode()
    assert not Vaccination.objects.exists()


def test_a_dose_and_a_health_contact_are_recorded_from_the_page(as_user, nurse, female):
    http = as_user(nurse)
    today = iso(days_ago(female.organisation, 0))
    assert (
        http.post(
            reverse("health:vaccination_add", args=[female.uuid]),
            {
                "vaccination-schedule": "hepatitis_b",
                "vaccination-dose": "1",
                "vaccination-given_on": today,
                "vaccination-batch": "AB123",
            },
        ).status_code
        == 302
    )
    assert (
        http.post(
            reverse("health:contact_add", args=[female.uuid]),
            {"contact-kind": "contraception", "contact-on": today, "contact-note": "Pill"},
        ).status_code
        == 302
    )
    page = http.get(page_url(female)).content.decode()
    assert 'data-testid="dose-hepatitis_b-1"' in page
    assert 'data-testid="next-dose-hepatitis_b"' in page
    assert 'data-testid="contact-contraception"' in page


def test_a_pregnancy_is_recorded_followed_up_and_ended_from_the_page(as_user, nurse, female):
    """HLT-4: record, follow up with a partner, record the birth, follow up after birth."""
    http = as_user(nurse)
    org = female.organisation
    response = http.post(
        reverse("health:pregnancy_add", args=[female.uuid]),
        {
            "pregnancy-noted_on": iso(days_ago(org, 20)),
            "pregnancy-estimated_due_on": iso(days_ago(org, 2)),
        },
    )
    assert response.status_code == 302
    pregnancy = Pregnancy.objects.get(client=female)
    follow_up_url = reverse("health:follow_up_add", args=[pregnancy.uuid])
    assert (
        http.post(
            follow_up_url,
            {
                "followup-kind": "cooperation",
                "followup-partner": "child_welfare",
                "followup-on": iso(days_ago(org, 10)),
            },
        ).status_code
        == 302
    )
    assert (
        http.post(
            reverse("health:pregnancy_end", args=[pregnancy.uuid]),
            {"end-outcome": "birth", "end-on": iso(days_ago(org, 1))},
        ).status_code
        == 302
    )
    page = http.get(page_url(female)).content.decode()
    assert 'data-testid="pregnancy-birth"' in page
    assert 'data-testid="after-birth-due"' in page
    assert "Child welfare services" in page
    assert (
        http.post(
            follow_up_url, {"followup-kind": "after_birth", "followup-on": iso(days_ago(org, 0))}
        ).status_code
        == 302
    )
    assert PregnancyFollowUp.objects.filter(pregnancy=pregnancy).count() == 2
    assert 'data-testid="after-birth-due"' not in http.get(page_url(female)).content.decode()


def test_a_pregnancy_for_a_male_client_is_refused_on_the_page(as_user, nurse, org_dk, make_client):
    male = make_client(org_dk, national_id="", sex="male")
    response = as_user(nurse).post(
        reverse("health:pregnancy_add", args=[male.uuid]),
        {
            "pregnancy-noted_on": iso(days_ago(org_dk, 0)),
            "pregnancy-estimated_due_on": iso(days_ago(org_dk, -100)),
        },
    )
    assert response.status_code == 422
    assert "recorded as female or unknown" in response.content.decode()
    assert not Pregnancy.objects.exists()


def test_an_incomplete_form_is_422_not_500(as_user, nurse, female):
    for name in ("screening_add", "vaccination_add", "contact_add", "pregnancy_add"):
        response = as_user(nurse).post(reverse(f"health:{name}", args=[female.uuid]), {})
        assert response.status_code == 422, name


def test_the_forms_are_not_shown_to_a_get(as_user, nurse, female):
    """The write URLs take POST only."""
    url = reverse("health:contact_add", args=[female.uuid])
    assert as_user(nurse).get(url).status_code == 405


def _history(client, actor, n):
    """n records of each kind, over the last n * 3 days."""
    org = client.organisation
    for i in range(n):
        day = days_ago(org, 3 * n - 3 * i)
        screening_record(
            client=client,
            actor=actor,
            kind="hiv",
            offered_on=day,
            tested_on=day,
            result="pending" if i % 2 else "negative",
        )
        health_contact_record(client=client, actor=actor, kind="nada", on=day)
    for schedule in ("hepatitis_a", "hepatitis_b", "hepatitis_ab"):
        vaccination_record(
            client=client, actor=actor, schedule=schedule, dose=1, given_on=days_ago(org, 5)
        )
    for i in range(n // 4):
        start = 3 * n - 12 * i
        pregnancy = pregnancy_record(
            client=client,
            actor=actor,
            noted_on=days_ago(org, start),
            estimated_due_on=days_ago(org, start - 100),
        )
        for j in range(4):
            pregnancy_follow_up_record(
                pregnancy=pregnancy, actor=actor, kind="home_visit", on=days_ago(org, start - j)
            )
        pregnancy_end(
            pregnancy=pregnancy, actor=actor, outcome="birth", on=days_ago(org, start - 5)
        )


@pytest.mark.django_db
def test_the_health_page_query_count_is_bounded_with_a_long_history(
    as_user, nurse, female, org_dk, make_client, open_episode, django_assert_max_num_queries
):
    """40 records of each kind cost no more queries than one."""
    http = as_user(nurse)
    short = make_client(org_dk, national_id="", sex="female")
    open_episode(short)
    open_episode(female)
    _history(short, nurse, 4)
    _history(female, nurse, 40)
    assert Screening.objects.filter(client=female).count() == 40
    assert PregnancyFollowUp.objects.filter(client=female).count() == 40

    def count(client) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(page_url(client)).status_code == 200
        return len(ctx.captured_queries)

    few = count(short)
    assert count(female) == few
    with django_assert_max_num_queries(25):
        http.get(page_url(female))
