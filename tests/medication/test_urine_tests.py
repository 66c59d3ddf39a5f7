"""Urine drug tests (MED-4): a result per substance group, refused dates and codes, the
table and the trend on the client's page, the full list, the API."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from bedring.accounts.access import load_staff
from bedring.audit.models import AccessEvent
from bedring.core.errors import ValidationFailed
from bedring.core.roles import Role
from bedring.medication.models import SubstanceGroup, UrineTest
from bedring.medication.selectors import (
    MonthShare,
    positive_share_by_month,
    records_context,
    trend_months,
    trend_svg,
)
from bedring.medication.services.records import urine_test_record
from bedring.pathway.models import EpisodeEvent
from tests.conftest import api_headers
from tests.medication.records_fixtures import open_episode, today_of

NEGATIVE = {"opiates": "negative", "cocaine": "negative"}


@pytest.fixture
def nurse(org_dk, make_staff):
    return make_staff(org_dk, Role.NURSE)


def record(client, actor, days_ago=0, **kwargs):
    return urine_test_record(
        client=client,
        actor=actor,
        sampled_on=today_of(client) - datetime.timedelta(days=days_ago),
        results=kwargs.pop("results", NEGATIVE),
        **kwargs,
    )


def refused(code, client, actor, **kwargs):
    with pytest.raises(ValidationFailed) as caught:
        record(client, actor, **kwargs)
    assert caught.value.code == code
    assert not UrineTest.objects.filter(client=client).exists()
    return caught.value


# --- the service ---------------------------------------------------------------------------


def test_a_urine_test_keeps_a_result_for_every_substance_group(dk_client, nurse):
    """MED-4: the groups left out are stored as not tested; the test is on the timeline."""
    # Given a client with an open episode
    episode = open_episode(dk_client, actor=nurse)
    # When a supervised test with a positive cocaine result is recorded
    test = record(
        dk_client,
        nurse,
        days_ago=1,
        supervised=True,
        results={"opiates": "negative", "cocaine": "positive"},
        note="  Sample taken at the desk. ",
    )
    # Then every group has a result, the note is trimmed, and the timeline has it
    assert test.results == {
        **{group: "not_tested" for group in SubstanceGroup.values},
        "opiates": "negative",
        "cocaine": "positive",
    }
    assert test.supervised is True
    assert test.note == "Sample taken at the desk."
    assert test.organisation_id == dk_client.organisation_id
    event = EpisodeEvent.objects.get(episode=episode, kind="urine_test")
    assert event.data["positive"] == ["cocaine"]


def test_the_timeline_shows_the_sample_date_in_the_staff_members_date_format(dk_client, nurse):
    """MED-4: the timeline's summary is a date as the staff member writes it, not the ISO
    form 2026-03-12."""
    # Given a client with an open episode and a nurse working in Dutch
    episode = open_episode(dk_client, actor=nurse)
    day = today_of(dk_client) - datetime.timedelta(days=3)
    # When a test sampled three days ago is recorded
    with translation.override("nl"):
        record(dk_client, nurse, days_ago=3)
    # Then the summary is the Dutch short date (day-month-year)
    summary = EpisodeEvent.objects.get(episode=episode, kind="urine_test").summary
    assert summary == f"{day.day}-{day.month}-{day.year}"
    assert day.isoformat() not in summary


def test_a_sample_date_in_the_future_is_refused(dk_client, nurse):
    """MED-4: a test cannot be recorded for tomorrow."""
    error = refused("sample_in_future", dk_client, nurse, days_ago=-1)
    assert error.field == "sampled_on"


def test_a_sample_date_before_the_birth_date_is_refused(org_dk, make_client, nurse):
    """MED-4: nor for a day before the client was born."""
    client = make_client(org_dk, national_id="", birth_date=datetime.date(2000, 5, 5))
    days = (today_of(client) - datetime.date(2000, 5, 4)).days
    error = refused("sample_before_birth", client, nurse, days_ago=days)
    assert error.field == "sampled_on"


def test_an_unknown_substance_group_is_refused(dk_client, nurse):
    """MED-4: only the groups of the list."""
    error = refused(
        "unknown_substance_group", dk_client, nurse, results={"opiates": "negative", "lsd": "x"}
    )
    assert error.details == {"groups": ["lsd"]}


def test_an_unknown_result_is_refused(dk_client, nurse):
    """MED-4: a result is negative, positive or not tested."""
    error = refused("unknown_test_result", dk_client, nurse, results={"opiates": "weak"})
    assert error.details == {"results": ["weak"]}


def test_a_test_without_any_tested_group_is_refused(dk_client, nurse):
    """MED-4: at least one group has a result."""
    refused("nothing_tested", dk_client, nurse, results={"opiates": "not_tested"})
    refused("nothing_tested", dk_client, nurse, results={})


def test_a_note_over_500_characters_is_refused(dk_client, nurse):
    refused("note_too_long", dk_client, nurse, note="x" * 501)


# --- the trend -----------------------------------------------------------------------------


def test_the_trend_covers_twelve_calendar_months_across_the_year_end():
    """MED-4: the last twelve months, oldest first, this month last."""
    months = trend_months(datetime.date(2027, 1, 15))
    assert months[0] == datetime.date(2026, 2, 1)
    assert months[-1] == datetime.date(2027, 1, 1)
    assert len(months) == 12


def test_the_share_of_positive_tests_is_counted_per_month():
    """MED-4: a test is positive when any group is; tests outside the months are ignored."""
    months = [datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)]
    shares = positive_share_by_month(
        [
            (datetime.date(2026, 10, 3), {"opiates": "positive", "cocaine": "negative"}),
            (datetime.date(2026, 10, 9), {"opiates": "negative"}),
            (datetime.date(2026, 11, 2), {"opiates": "not_tested", "cannabis": "negative"}),
            (datetime.date(2026, 9, 30), {"opiates": "positive"}),
        ],
        months,
    )
    assert [(s.tests, s.positive) for s in shares] == [(2, 1), (1, 0)]
    assert shares[0].share == 0.5


def test_the_trend_is_an_accessible_svg_without_script_or_style():
    """MED-4: drawn on the server, with a title and a description for screen readers."""
    svg = str(
        trend_svg(
            [
                MonthShare(datetime.date(2026, 10, 1), tests=4, positive=1),
                MonthShare(datetime.date(2026, 11, 1), tests=0, positive=0),
            ]
        )
    )
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert "<title id=" in svg
    assert "<desc id=" in svg
    assert "1 of 4 tests were positive" in svg
    assert "1 of 4 tests positive" in svg  # the bar's own title
    assert "no tests" in svg
    assert "style" not in svg
    assert "<script" not in svg


# --- pages ---------------------------------------------------------------------------------


def test_a_nurse_records_a_test_with_the_form(dk_client, nurse, as_user):
    """MED-4: the form's result per group becomes the stored results."""
    http = as_user(nurse)
    url = reverse("medication:urine_test_new", args=[dk_client.uuid])
    assert http.get(url).status_code == 200
    response = http.post(
        url,
        {
            "sampled_on": today_of(dk_client).isoformat(),
            "supervised": "on",
            **{f"result_{group}": "not_tested" for group in SubstanceGroup.values},
            "result_amphetamines": "positive",
            "note": "",
        },
    )
    assert response.status_code == 302
    test = UrineTest.objects.get(client=dk_client)
    assert test.results["amphetamines"] == "positive"
    assert test.supervised is True


def test_the_form_shows_a_refusal_next_to_the_field_and_writes_nothing(dk_client, nurse, as_user):
    """MED-4: a future sample date is answered with 422 and the reason."""
    http = as_user(nurse)
    tomorrow = today_of(dk_client) + datetime.timedelta(days=1)
    response = http.post(
        reverse("medication:urine_test_new", args=[dk_client.uuid]),
        {"sampled_on": tomorrow.isoformat(), "result_opiates": "negative"},
    )
    assert response.status_code == 422
    assert "The sample date cannot be in the future." in response.content.decode()
    assert not UrineTest.objects.filter(client=dk_client).exists()


def test_the_client_page_section_shows_the_newest_24_and_highlights_positives(dk_client, nurse):
    """MED-4: newest first, at most 24 rows with a link to all, positives highlighted, the
    trend with its title."""
    for days_ago in range(30):
        record(
            dk_client,
            nurse,
            days_ago=days_ago,
            results={"opiates": "positive" if days_ago == 0 else "negative"},
        )
    context = records_context(dk_client, load_staff(nurse, None))
    html = render_to_string(
        "medication/partials/_urine_tests.html",
        {**context, "client": dk_client, "can_write": True, "can_prescribe": False},
    )
    assert html.count('data-testid="urine-row"') == 24
    assert html.count('data-positive="true"') == 1
    assert '<span class="badge err">Positive</span>' in html
    assert "All 30 tests" in html
    assert "Share of positive urine tests per month" in html
    # Only the groups that were tested are columns.
    assert "Opiates" in html
    assert "Cocaine" not in html


def test_the_medication_page_shows_the_tests_and_the_trend(dk_client, nurse, as_user):
    """MED-4: the client's medication page includes the section."""
    record(dk_client, nurse, results={"cocaine": "positive"})
    page = as_user(nurse).get(reverse("medication:client", args=[dk_client.uuid]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="urine-tests"' in html
    assert 'data-testid="urine-trend"' in html
    assert 'data-positive="true"' in html


def test_the_client_page_section_has_a_bounded_query_count(dk_client, nurse):
    """MED-4, MED-5, MED-9: the records on the client's page cost the same with 5 or 300
    tests."""
    staff = load_staff(nurse, None)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            context = records_context(dk_client, staff)
            render_to_string(
                "medication/partials/_urine_tests.html",
                {**context, "client": dk_client, "can_write": True, "can_prescribe": True},
            )
        return len(ctx.captured_queries)

    for days_ago in range(30):
        record(dk_client, nurse, days_ago=days_ago)
    few = count()
    for days_ago in range(30, 330):
        record(dk_client, nurse, days_ago=days_ago)
    assert count() == few


def test_the_list_page_shows_all_tests_a_page_at_a_time_with_a_bounded_query_count(
    dk_client, nurse, as_user
):
    """MED-4: the full list, 50 a page, newest first; its queries do not grow."""
    http = as_user(nurse)
    url = reverse("medication:urine_tests", args=[dk_client.uuid])

    def count(page: int = 1) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(f"{url}?page={page}").status_code == 200
        return len(ctx.captured_queries)

    for days_ago in range(60):
        record(dk_client, nurse, days_ago=days_ago)
    few = count()
    for days_ago in range(60, 400):
        record(dk_client, nurse, days_ago=days_ago)
    assert count() == few
    page = http.get(f"{url}?page=8").content.decode()
    assert "Page 8 of 8" in page
    assert page.count('data-testid="urine-row"') == 400 - 7 * 50
    assert AccessEvent.objects.filter(client=dk_client, view="urine_tests").exists()


def test_outsiders_get_404_on_the_pages(dk_client, outsider, as_user):
    """PRV-1: another organisation's staff see nothing."""
    http = as_user(outsider)
    for name in ("medication:urine_tests", "medication:urine_test_new"):
        assert http.get(reverse(name, args=[dk_client.uuid])).status_code == 404


def test_a_role_without_client_write_may_not_record(dk_client, org_dk, make_staff, as_user):
    """A drop-in worker opens no records."""
    http = as_user(make_staff(org_dk, Role.DROPIN_WORKER))
    url = reverse("medication:urine_test_new", args=[dk_client.uuid])
    assert http.get(url).status_code == 403
    assert http.post(url, {"result_opiates": "negative"}).status_code == 403
    assert not UrineTest.objects.exists()


# --- the API -------------------------------------------------------------------------------


def test_the_api_records_and_lists_tests(dk_client, nurse, client):
    """MED-4: the same service through /api/v1/."""
    headers = api_headers(nurse)
    url = f"/api/v1/clients/{dk_client.uuid}/urine-tests"
    response = client.post(
        url,
        {
            "sampled_on": today_of(dk_client).isoformat(),
            "results": {"cannabis": "positive", "opiates": "negative"},
            "supervised": True,
        },
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 201, response.content
    assert response.json()["positive"] is True
    listed = client.get(url, **headers).json()
    assert listed["count"] == 1
    assert listed["results"][0]["results"]["cannabis"] == "positive"
    assert AccessEvent.objects.filter(
        client=dk_client, view="api_urine_tests", channel="api"
    ).exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"results": {"heroin": "positive"}}, "unknown_substance_group"),
        ({"results": {"opiates": "maybe"}}, "unknown_test_result"),
        ({"results": {}}, "nothing_tested"),
        ({"days_ago": -3, "results": {"opiates": "negative"}}, "sample_in_future"),
    ],
)
def test_the_api_refuses_with_the_same_codes_and_writes_nothing(
    dk_client, nurse, client, body, code
):
    """MED-4: the API's refusals carry the service's codes."""
    day = today_of(dk_client) - datetime.timedelta(days=body.pop("days_ago", 0))
    response = client.post(
        f"/api/v1/clients/{dk_client.uuid}/urine-tests",
        {"sampled_on": day.isoformat(), **body},
        content_type="application/json",
        **api_headers(nurse),
    )
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert not UrineTest.objects.exists()


def test_the_api_answers_outsiders_404_and_roles_without_permission_403(
    dk_client, outsider, org_dk, make_staff, client
):
    url = f"/api/v1/clients/{dk_client.uuid}/urine-tests"
    body = {"sampled_on": today_of(dk_client).isoformat(), "results": {"opiates": "negative"}}
    for method in ("get", "post"):
        response = getattr(client, method)(
            url, body, content_type="application/json", **api_headers(outsider)
        )
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    peer = api_headers(make_staff(org_dk, Role.PEER_WORKER))
    assert client.get(url, **peer).status_code == 403
    assert client.post(url, body, content_type="application/json", **peer).status_code == 403
    assert not UrineTest.objects.exists()
