"""Today's list at the dispensing desk (MED-2, MED-6): who is due, who has collected, who is
missing, the take-home doses due and the holds, in a number of queries that does not grow
with the number of clients or the length of their history."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from bedring.audit.models import AccessEvent
from bedring.core import clock
from bedring.medication import selectors
from bedring.medication.models import (
    Dispensing,
    DispensingKind,
    Prescription,
    PrescriptionStatus,
    PrescriptionVersion,
)
from bedring.medication.services import dispensing, prescribing
from bedring.pathway.models import Deadline, EpisodeEvent
from bedring.pathway.models.episode import DeadlineKind
from bedring.pathway.services.episode import inquiry_register
from tests.conftest import login
from tests.medication.conftest import MONDAY, at, days, open_all_day

FRIDAY = MONDAY + days(4)


@pytest.fixture(autouse=True)
def on_friday(on_monday, frozen_clock):
    """Friday morning at Sønderborg: the pages read the clock, and a prescription can end
    today at the latest."""
    frozen_clock.move_to(at(FRIDAY, 9))


def row_of(desk, client):
    return next(row for row in desk.rows if row.client == client)


def test_the_desk_shows_due_collected_take_home_and_hold(
    org_dk, make_client, prescribe, nurse, desk_site
):
    """MED-2: Friday morning at Sønderborg."""
    collected, due, away = make_client(org_dk), make_client(org_dk), make_client(org_dk)
    for client in (collected, due):
        prescribe(client, starts_on=FRIDAY)
    dispensing.dispense(
        prescription=prescribe(away),  # from Monday: Monday collected, then three days missed
        actor=nurse,
        site=desk_site,
        at=at(MONDAY),
    )
    dispensing.dispense(
        prescription=Prescription.objects.get(client=collected),
        actor=nurse,
        site=desk_site,
        at=at(FRIDAY, 8, 45),
    )

    desk = selectors.desk(desk_site, now=at(FRIDAY, 9))

    assert desk.today == FRIDAY
    assert desk.open_now
    assert row_of(desk, collected).status == "collected"
    assert row_of(desk, due).status == "due"
    assert row_of(desk, due).take_home_due == [FRIDAY + days(1), FRIDAY + days(2)]
    hold = row_of(desk, away)
    assert hold.status == "on_hold"
    assert "3 doses missed in a row" in hold.prescription.hold_reason
    assert hold.prescription.status == PrescriptionStatus.ON_HOLD
    assert desk.counts == {"collected": 1, "due": 1, "on_hold": 1, "take_home_due": 2}


def test_after_medication_hours_an_uncollected_dose_is_missing(
    org_dk, make_client, prescribe, desk_site
):
    client = make_client(org_dk)
    prescribe(client, starts_on=FRIDAY)
    assert row_of(selectors.desk(desk_site, now=at(FRIDAY, 10, 59)), client).status == "due"
    assert row_of(selectors.desk(desk_site, now=at(FRIDAY, 11)), client).status == "missing"


def test_take_home_handed_out_is_shown_and_no_longer_due(
    org_dk, make_client, prescribe, nurse, desk_site
):
    client = make_client(org_dk)
    prescription = prescribe(client, starts_on=FRIDAY)
    dispensing.take_home_handover(
        prescription=prescription,
        actor=nurse,
        site=desk_site,
        days=[FRIDAY + days(1)],
        at=at(FRIDAY, 9),
    )
    row = row_of(selectors.desk(desk_site, now=at(FRIDAY, 9, 5)), client)
    assert row.take_home_given == [FRIDAY + days(1)]
    assert row.take_home_due == [FRIDAY + days(2)]


def test_ended_and_other_site_prescriptions_are_not_on_the_list(
    org_dk, make_client, prescribe, doctor, desk_site
):
    ended, elsewhere = make_client(org_dk), make_client(org_dk)
    prescribing.prescription_end(
        prescription=prescribe(ended, starts_on=FRIDAY), actor=doctor, on=FRIDAY, reason="Stop"
    )
    other_site = org_dk.sites.exclude(pk=desk_site.pk).first()
    open_all_day(other_site)
    prescribe(elsewhere, starts_on=FRIDAY, site=other_site)
    assert selectors.desk(desk_site, now=at(FRIDAY, 9)).rows == []


def build_history(org_dk, make_client, prescribe, nurse, *, clients: int, history_days: int):
    """``clients`` clients on methadone since ``history_days`` ago with a dose every day
    until yesterday (written in bulk: the desk's rules are not under test here)."""
    start = FRIDAY - days(history_days)
    rows: list[Dispensing] = []
    for _ in range(clients):
        # Prescribed on Friday, then dated back: the history is what is measured here.
        prescription = prescribe(make_client(org_dk), starts_on=FRIDAY)
        version = selectors.current_version(prescription)
        PrescriptionVersion.objects.filter(pk=version.pk).update(starts_on=start)
        Prescription.objects.filter(pk=prescription.pk).update(doses_counted_from=start)
        rows.extend(
            Dispensing(
                client_id=prescription.client_id,
                prescription=prescription,
                version=version,
                organisation_id=org_dk.pk,
                site_id=version.site_id,
                day=start + days(n),
                kind=DispensingKind.SUPERVISED,
                quantity=Decimal("60"),
                handed_out_at=at(start + days(n)),
                handed_out_by=nurse,
                handover=uuid.uuid4(),
            )
            for n in range(history_days)
        )
    Dispensing.objects.bulk_create(rows)


def desk_queries(site) -> int:
    with CaptureQueriesContext(connection) as captured:
        selectors.desk(site, now=at(FRIDAY, 9))
    return len(captured.captured_queries)


def test_the_desk_query_count_does_not_grow_with_clients_or_history(
    org_dk, make_client, prescribe, nurse, desk_site
):
    """MED-2: 3 clients with 5 days of doses, then 40 clients with 120 days: same count."""
    build_history(org_dk, make_client, prescribe, nurse, clients=3, history_days=5)
    few = desk_queries(desk_site)
    build_history(org_dk, make_client, prescribe, nurse, clients=37, history_days=120)
    many = desk_queries(desk_site)
    assert len(selectors.desk(desk_site, now=at(FRIDAY, 9)).rows) == 40
    assert few == many
    assert many <= 8


def test_the_desk_page_logs_every_client_shown_in_bounded_queries(
    org_dk, make_client, prescribe, nurse, desk_site, django_assert_max_num_queries
):
    """PRV-1: the desk shows who is in treatment: each client listed is logged as seen."""
    open_all_day(desk_site)
    build_history(org_dk, make_client, prescribe, nurse, clients=30, history_days=30)
    http = login(HttpClient(), nurse)
    before = AccessEvent.objects.filter(view="dispensing_desk").count()
    with django_assert_max_num_queries(25):
        response = http.get(f"/medication/desk/{desk_site.uuid}/")
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="desk-row"') == 30
    assert AccessEvent.objects.filter(view="dispensing_desk").count() - before == 30


def test_the_holds_of_a_first_visit_after_days_away_are_written_in_bounded_queries(
    org_dk, make_client, prescribe, nurse, counsellor, desk_site
):
    """MED-2: the desk visit that finds 3 clients, then 30, away for days puts each on hold
    with its review task, timeline event and change log entries, in the same number of
    queries whatever the number held."""
    tuesday = FRIDAY + days(4)  # no dose since Thursday: Friday to Monday missed

    def away_since_thursday(clients: int) -> list[Prescription]:
        start = len(Prescription.objects.all())
        build_history(org_dk, make_client, prescribe, nurse, clients=clients, history_days=5)
        found = list(Prescription.objects.order_by("pk")[start:])
        for prescription in found:
            inquiry_register(
                organisation=org_dk,
                site=desk_site,
                actor=counsellor,
                channel="phone",
                referrer="self",
                received_at=at(MONDAY, 8),
                client=prescription.client,
            )
        return found

    def visit() -> int:
        with CaptureQueriesContext(connection) as captured:
            desk = selectors.desk(desk_site, now=at(tuesday, 9))
        assert {row.status for row in desk.rows} == {"on_hold"}
        return len(captured.captured_queries)

    first = away_since_thursday(3)
    few = visit()
    second = away_since_thursday(27)
    many = visit()
    assert few == many
    held = Prescription.objects.filter(status=PrescriptionStatus.ON_HOLD)
    assert held.count() == 30
    assert set(held.values_list("held_since", flat=True)) == {tuesday}
    assert all("doses missed in a row" in p.hold_reason for p in held)
    reviews = Deadline.objects.filter(kind=DeadlineKind.PRESCRIPTION_REVIEW, due_on=tuesday)
    assert set(reviews.values_list("subject_id", flat=True)) == {p.pk for p in first + second}
    assert reviews.count() == 30
    assert EpisodeEvent.objects.filter(kind="prescription_hold").count() == 30
    logged = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Prescription),
        action=LogEntry.Action.UPDATE,
    )
    assert logged.count() == 30
    assert all(entry.changes["status"] == ["active", "on_hold"] for entry in logged)
    assert (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Deadline),
            action=LogEntry.Action.CREATE,
            object_id__in=reviews.values_list("pk", flat=True),
        ).count()
        == 30
    )
    # A second visit the same morning finds them held: nothing more is written.
    visit()
    assert Deadline.objects.filter(kind=DeadlineKind.PRESCRIPTION_REVIEW).count() == 30


def test_the_desk_page_that_puts_clients_on_hold_stays_in_bounded_queries(
    org_dk, make_client, prescribe, nurse, desk_site, frozen_clock, django_assert_max_num_queries
):
    """MED-2, PRV-1: the first visit after days away holds every client on the list in the
    page's own bound of queries."""
    open_all_day(desk_site)
    build_history(org_dk, make_client, prescribe, nurse, clients=30, history_days=30)
    frozen_clock.move_to(at(FRIDAY + days(4), 9))
    http = login(HttpClient(), nurse)
    with django_assert_max_num_queries(25):
        response = http.get(f"/medication/desk/{desk_site.uuid}/")
    assert response.status_code == 200
    assert response.content.decode().count('data-status="on_hold"') == 30
    assert Prescription.objects.filter(status=PrescriptionStatus.ON_HOLD).count() == 30
    # PRV-1: the change log names the nurse whose visit put the holds.
    logged = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Prescription),
        action=LogEntry.Action.UPDATE,
    )
    assert logged.count() == 30
    assert set(logged.values_list("actor_id", flat=True)) == {nurse.pk}


def test_holds_written_outside_a_request_name_nobody_not_the_last_requests_user(
    org_dk, make_client, prescribe, nurse, counsellor, desk_site
):
    """PRV-1: auditlog's request context outlives the request; holds written later (a task,
    a shell) must not be put down to whoever made the last request."""
    open_all_day(desk_site)
    build_history(org_dk, make_client, prescribe, nurse, clients=2, history_days=30)
    assert login(HttpClient(), counsellor).get("/").status_code == 200
    desk = selectors.desk(desk_site, now=at(FRIDAY + days(4), 9))
    assert {row.status for row in desk.rows} == {"on_hold"}
    logged = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Prescription),
        action=LogEntry.Action.UPDATE,
    )
    assert logged.count() == 2
    assert set(logged.values_list("actor_id", flat=True)) == {None}


def test_the_outsider_does_not_reach_the_desk(outsider, desk_site):
    http = login(HttpClient(), outsider)
    assert http.get(f"/medication/desk/{desk_site.uuid}/").status_code == 404


def test_a_dose_from_the_desk_swaps_its_row_and_logs_only_that_client(
    org_dk, make_client, prescribe, nurse, desk_site
):
    """MED-2, PRV-1: with htmx the desk posts a dose and gets its row back; the access log
    gains the one client's read, not the whole list again."""

    open_all_day(desk_site)
    today = clock.today(org_dk)
    every_day = (0, 1, 2, 3, 4, 5, 6)
    prescriptions = [
        prescribe(
            make_client(org_dk),
            starts_on=today,
            supervised_weekdays=every_day,
            take_home_weekdays=(),
        )
        for _ in range(5)
    ]
    http = login(HttpClient(), nurse)
    url = f"/medication/desk/{desk_site.uuid}/{prescriptions[0].uuid}/dispense/"
    before = AccessEvent.objects.count()

    response = http.post(url, {}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith("<tr") and 'data-status="collected"' in body
    assert body.count('data-testid="desk-row"') == 1
    assert AccessEvent.objects.count() - before == 1
    # A second tap from a stale page: the refusal is shown in the row, nothing is written.
    again = http.post(url, {}, HTTP_HX_REQUEST="true")
    assert again.status_code == 200
    assert 'data-testid="desk-error"' in again.content.decode()
    assert "already been handed out" in again.content.decode()
    assert Dispensing.objects.filter(prescription=prescriptions[0]).count() == 1
