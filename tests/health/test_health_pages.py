"""The client's health page and its forms (HLT-1..4): who may see and use them, what a POST
saves, that a refused form shows the reason (422) and writes nothing, and a bounded query
count with a long history."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bedring.audit.models import AccessEvent
from bedring.core.roles import Role
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
    """40 records of each kind cost no more queries than one; 120 cost at most the two
    counts of the lists cut at 50 more."""
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
    # Far beyond the 50 shown: one query more for each list cut short (its count).
    longer = make_client(org_dk, national_id="", sex="female")
    open_episode(longer)
    _long_history(longer, nurse, 120)
    assert HealthContact.objects.filter(client=longer).count() == 120
    assert count(longer) <= few + 2


def test_a_date_in_year_one_is_422_on_the_page_not_500(as_user, nurse, female):
    """A "known since" date at the calendar's edge: the reason next to the field, nothing
    written (it used to overflow the due-date check)."""
    assert female.birth_date is None
    response = as_user(nurse).post(
        reverse("health:pregnancy_add", args=[female.uuid]),
        {"pregnancy-noted_on": "0001-01-01", "pregnancy-estimated_due_on": "0001-01-15"},
    )
    assert response.status_code == 422
    assert "The date cannot be before 1 January 1900." in response.content.decode()
    assert not Pregnancy.objects.exists()


# --- long histories: the latest 50 on the page, the full lists a page at a time -------------


def _long_history(client, actor, n):
    """n screenings, n weekly-NADA-like health contacts and a pregnancy with n follow-up
    entries, one of each a day over the last n days (entry i + 1 noted "Session i + 1")."""
    org = client.organisation
    for i in range(n):
        day = days_ago(org, n - i)
        screening_record(client=client, actor=actor, kind="hiv", offered_on=day, declined=True)
        health_contact_record(
            client=client, actor=actor, kind="nada", on=day, note=f"Session {i + 1}"
        )
    pregnancy = pregnancy_record(
        client=client,
        actor=actor,
        noted_on=days_ago(org, n),
        estimated_due_on=days_ago(org, -100),
    )
    for i in range(n):
        pregnancy_follow_up_record(
            pregnancy=pregnancy,
            actor=actor,
            kind="urine_test",
            on=days_ago(org, n - i),
            note=f"Session {i + 1}",
        )
    return pregnancy


def test_the_health_page_shows_the_latest_50_of_each_list_and_links_to_all(as_user, nurse, female):
    """Weekly NADA for years: the page shows the latest 50 screenings, contacts and
    follow-up entries, says how many there are and links to the full lists."""
    pregnancy = _long_history(female, nurse, 55)
    page = as_user(nurse).get(page_url(female)).content.decode()
    assert page.count('data-testid="screening-hiv"') == 50
    assert page.count('data-testid="contact-nada"') == 50
    assert page.count('data-testid="follow-up-urine_test"') == 50
    assert page.count("The latest 50 of 55 are shown.") == 3
    for testid in ("screenings-more", "contacts-more", "follow-ups-more"):
        assert f'data-testid="{testid}"' in page
    assert reverse("health:screening_history", args=[female.uuid]) in page
    assert reverse("health:contact_history", args=[female.uuid]) in page
    assert reverse("health:follow_up_history", args=[pregnancy.uuid]) in page
    # The latest: sessions 6 to 55, each once among the contacts and once among follow-ups.
    assert page.count("<td>Session 55</td>") == 2
    assert page.count("<td>Session 6</td>") == 2
    assert "<td>Session 5</td>" not in page


def test_a_short_history_has_no_show_all_link(as_user, nurse, female):
    _long_history(female, nurse, 3)
    page = as_user(nurse).get(page_url(female)).content.decode()
    assert page.count('data-testid="contact-nada"') == 3
    assert "are shown." not in page
    assert reverse("health:contact_history", args=[female.uuid]) not in page


def _history_urls(client, pregnancy):
    return {
        "screening_history": reverse("health:screening_history", args=[client.uuid]),
        "contact_history": reverse("health:contact_history", args=[client.uuid]),
        "follow_up_history": reverse("health:follow_up_history", args=[pregnancy.uuid]),
    }


ROW = {
    "screening_history": 'data-testid="screening-hiv"',
    "contact_history": 'data-testid="contact-nada"',
    "follow_up_history": 'data-testid="follow-up-urine_test"',
}
VIEW = {
    "screening_history": "health_screenings",
    "contact_history": "health_contacts",
    "follow_up_history": "health_follow_ups",
}


def test_the_full_lists_are_pages_of_50_latest_first(as_user, nurse, female):
    """The older entries are a page further; every read is in the access log."""
    pregnancy = _long_history(female, nurse, 55)
    http = as_user(nurse)
    for name, url in _history_urls(female, pregnancy).items():
        response = http.get(url)
        assert response.status_code == 200, name
        first = response.content.decode()
        assert first.count(ROW[name]) == 50, name
        assert "55 entries, latest first" in first
        assert "Page 1 of 2" in first
        assert 'href="?page=2"' in first
        second = http.get(f"{url}?page=2").content.decode()
        assert second.count(ROW[name]) == 5, name
        assert 'href="?page=1"' in second
        if name != "screening_history":
            assert "<td>Session 55</td>" in first
            assert "<td>Session 1</td>" not in first
            assert "<td>Session 1</td>" in second
        assert AccessEvent.objects.filter(client=female, view=VIEW[name], channel="html").exists()


def test_the_full_lists_are_404_for_an_outsider_and_403_without_client_access(
    as_user, outsider, nurse, female, org_dk, make_staff
):
    """PRV-1."""
    pregnancy = _long_history(female, nurse, 1)
    admin = make_staff(org_dk, Role.ADMINISTRATOR)
    for name, url in _history_urls(female, pregnancy).items():
        assert as_user(outsider).get(url).status_code == 404, name
        assert as_user(admin).get(url).status_code == 403, name
    assert not AccessEvent.objects.filter(view__in=VIEW.values()).exists()


def test_the_full_lists_cost_the_same_queries_for_5_or_55_entries(
    as_user, nurse, female, org_dk, make_client
):
    http = as_user(nurse)
    short = make_client(org_dk, national_id="", sex="female")
    few_urls = _history_urls(short, _long_history(short, nurse, 5))
    many_urls = _history_urls(female, _long_history(female, nurse, 55))

    def count(url) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(url).status_code == 200
        return len(ctx.captured_queries)

    for name in ROW:
        assert count(many_urls[name]) == count(few_urls[name]), name
        assert count(f"{many_urls[name]}?page=2") == count(few_urls[name]), name


def test_an_old_pending_result_can_be_recorded_from_the_full_list(as_user, nurse, female):
    """A sample from before the latest 50 screenings: its result form is on the full list."""
    day = days_ago(female.organisation, 100)
    old = screening_record(
        client=female, actor=nurse, kind="hepatitis_c", offered_on=day, tested_on=day
    )
    _long_history(female, nurse, 55)
    http = as_user(nurse)
    action = reverse("health:screening_result", args=[old.uuid])
    assert action not in http.get(page_url(female)).content.decode()
    url = reverse("health:screening_history", args=[female.uuid])
    assert action in http.get(f"{url}?page=2").content.decode()
