"""SCH-2 for appointments: repeated no-shows flag the client (the rule pack's
``no_show_flag_after``) and appointment no-shows count in the outcome figure "no-show rate"
as a row of their own, the same in the ORM report and the hand-written SQL."""

from __future__ import annotations

import datetime

from django.urls import reverse

from bedring.appointments import services
from bedring.appointments.models import Appointment
from bedring.appointments.selectors import NO_SHOW_ROW, repeated_no_shows
from bedring.core import clock
from bedring.outcomes import selectors as outcome_selectors
from bedring.outcomes.sql import kpi_report_sql
from bedring.pathway.models import EpisodeEvent

from .conftest import main_site


def past(book, client, days_ago: int, hour: int = 10, **kw) -> Appointment:
    """An appointment ``days_ago`` days ago, booked a week before it."""
    organisation = client.organisation
    day = clock.today(organisation) - datetime.timedelta(days=days_ago)
    start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=clock.zone(organisation))
    return book(
        client,
        start,
        confirm_outside_hours=True,
        at=start - datetime.timedelta(days=7),
        **kw,
    )


def outcome(appointment: Appointment, actor, value: str) -> None:
    services.appointment_record_outcome(appointment=appointment, actor=actor, outcome=value)


def test_three_no_shows_in_a_row_flag_the_client_and_attending_clears_it(
    book, dk_client, counsellor, episode_for
):
    episode = episode_for(dk_client, days=30)
    first, second, third, fourth = (past(book, dk_client, d) for d in (10, 8, 6, 4))
    outcome(first, counsellor, "no_show")
    outcome(second, counsellor, "no_show")
    assert not repeated_no_shows(dk_client, 3)
    # A cancellation neither counts nor breaks the run.
    between = past(book, dk_client, 7, hour=14)
    between.refresh_from_db()
    Appointment.objects.filter(pk=between.pk).update(
        status="cancelled",
        cancelled_at=clock.now(),
        cancelled_by="client",
        with_notice=True,
        cancel_reason="Ill.",
    )
    outcome(third, counsellor, "no_show")
    assert repeated_no_shows(dk_client, 3)
    flag = EpisodeEvent.objects.get(episode=episode, kind="appointment_no_show_flag")
    assert flag.data["threshold"] == 3
    outcome(fourth, counsellor, "attended")
    assert not repeated_no_shows(dk_client, 3)
    assert EpisodeEvent.objects.filter(episode=episode, kind="appointment_no_show_cleared").exists()
    # Correcting the attended one back raises it again.
    outcome(fourth, counsellor, "no_show")
    assert repeated_no_shows(dk_client, 3)
    assert (
        EpisodeEvent.objects.filter(episode=episode, kind="appointment_no_show_flag").count() == 2
    )


def test_the_flag_follows_the_organisations_threshold(book, dk_client, counsellor, org_dk):
    org_dk.rule_overrides = {**org_dk.rule_overrides, "no_show_flag_after": 1}
    org_dk.save()
    outcome(past(book, dk_client, 3), counsellor, "no_show")
    assert repeated_no_shows(dk_client, 1)


def test_the_flag_is_on_the_client_overview_and_the_appointments_tab(
    book, dk_client, counsellor, as_user
):
    for days in (6, 4, 2):
        outcome(past(book, dk_client, days), counsellor, "no_show")
    http = as_user(counsellor)
    for url in (
        reverse("web:client_detail", args=[dk_client.uuid]),
        reverse("appointments:client", args=[dk_client.uuid]),
    ):
        page = http.get(url).content.decode()
        assert 'data-testid="appointment-no-show-flag"' in page, url
        assert "Repeated no-shows: the last 3 appointments were missed" in page


def _report(org_ids, site_id=None, with_episodes=False):
    today = clock.today()
    start, end = today - datetime.timedelta(days=60), today
    report = outcome_selectors.kpi_report(
        organisation_ids=org_ids,
        site_id=site_id,
        start=start,
        end=end,
        today=today,
        with_series=False,
        attendance_episodes=with_episodes,
    )
    sql = kpi_report_sql(
        organisation_ids=org_ids, site_id=site_id, start=start, end=end, today=today
    )
    return report, sql


def test_appointment_no_shows_are_a_row_of_the_no_show_figure(
    book, dk_client, make_client, counsellor, org_dk, org_no, episode_for
):
    """Denominator: attended + no-show; numerator: no-shows; cancellations left out."""
    episode = episode_for(dk_client, days=40)
    other = make_client(org_dk)
    outcome(past(book, dk_client, 20), counsellor, "no_show")
    outcome(past(book, dk_client, 18), counsellor, "attended")
    outcome(past(book, other, 16), counsellor, "attended")
    cancelled = past(book, other, 1, hour=20)
    cancelled.refresh_from_db()
    services.appointment_cancel(
        appointment=cancelled,
        actor=counsellor,
        cancelled_by="client",
        with_notice=False,
        reason="Forgot.",
        at=cancelled.starts_at - datetime.timedelta(hours=1),
    )
    past(book, other, 14)  # no outcome recorded yet: not counted
    report, sql = _report([org_dk.pk])
    row = str(NO_SHOW_ROW)
    figure = report.no_show[row]
    assert (figure.numerator, figure.denominator) == (1, 3)
    assert sql["no_show"][row] == (1, 3)
    assert {o: (f.numerator, f.denominator) for o, f in report.no_show.items()} == sql["no_show"]
    # The drill-down: the episode behind the no-show (the other client has none).
    drilled, _sql = _report([org_dk.pk], with_episodes=True)
    assert drilled.no_show[row].numerator_ids == (episode.pk,)
    # By site, and another organisation's figures are its own.
    by_site, site_sql = _report([org_dk.pk], site_id=main_site(org_dk).pk)
    assert (by_site.no_show[row].numerator, by_site.no_show[row].denominator) == (1, 3)
    assert site_sql["no_show"][row] == (1, 3)
    other_site = org_dk.sites.exclude(pk=main_site(org_dk).pk).first()
    assert row not in _report([org_dk.pk], site_id=other_site.pk)[0].no_show
    norway, norway_sql = _report([org_no.pk])
    assert row not in norway.no_show
    assert row not in norway_sql["no_show"]


def test_the_outcomes_page_shows_the_appointments_row(
    book, dk_client, counsellor, manager, as_user
):
    outcome(past(book, dk_client, 5), counsellor, "no_show")
    today = clock.today()
    page = as_user(manager).get(
        reverse("outcomes:dashboard"),
        {"from": (today - datetime.timedelta(days=30)).isoformat(), "to": today.isoformat()},
    )
    assert page.status_code == 200
    assert "Individual appointments" in page.content.decode()
