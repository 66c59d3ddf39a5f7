"""HRM-10: the evaluation's report from the database: figures per site and for all sites on a
small world with answers worked out by hand, the treatment-start window at its boundary with
real inquiries, an organisation without the model's evaluation, and a bounded number of
queries whatever the number of contacts."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bedring.accounts.models import Organisation, Site, User
from bedring.clients.models import Client
from bedring.core.roles import Role
from bedring.outreach.evaluation_exports import figure_lines
from bedring.outreach.evaluation_selectors import evaluation_report
from bedring.outreach.models import Pseudonym

from .evaluation_helpers import ago, inquire, record, refer, scope_of

pytestmark = pytest.mark.django_db

D0 = 45  # the first contact, days before the suite's day


@pytest.fixture
def aarhus(org_outreach: Organisation) -> Site:
    return Site.objects.get(organisation=org_outreach, slug="aarhus")


@pytest.fixture
def counsellor(org_outreach: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(org_outreach, Role.COUNSELLOR)


def day(offset: int) -> datetime.date:
    """Day ``offset`` after the first contact's day."""
    return ago(D0 - offset)


def test_figures_per_site_and_for_all_sites(
    org_outreach, odense, aarhus, street_worker, counsellor, make_client
):
    """Odense: A (day 0, two staff, 20 min), A again with a referral (day 5, 10 min), code K1
    (day 1, 30 min; K1 later became client C, who inquired on day 11), code K2 (day 2, 5 min),
    nobody (day 2, 15 min). Aarhus: A (day 3, 25 min), B with an escort (day 4, 40 min).
    A inquired on day 30 (in every A contact's window); B on day 35 (day 31 after B's contact:
    out); B's referral on day 6 was accepted."""
    a, b, c = (make_client(org_outreach) for _i in range(3))
    other = counsellor.username
    record(org_outreach, odense, street_worker, day(0), client=a, minutes=20, staff=(other,))
    record(
        org_outreach,
        odense,
        street_worker,
        day(5),
        client=a,
        minutes=10,
        activities=("conversation", "referral"),
    )
    record(org_outreach, odense, street_worker, day(1), code="K1", minutes=30)
    record(org_outreach, odense, street_worker, day(2), code="K2", minutes=5)
    record(org_outreach, odense, street_worker, day(2), minutes=15, hour=14)
    record(org_outreach, aarhus, street_worker, day(3), client=a, minutes=25)
    record(
        org_outreach,
        aarhus,
        street_worker,
        day(4),
        client=b,
        minutes=40,
        activities=("escort",),
    )
    Pseudonym.objects.filter(organisation=org_outreach, code="K1").update(client=c)
    inquire(a, odense, counsellor, day(30), hour=23)
    inquire(b, aarhus, counsellor, day(35))
    inquire(c, odense, counsellor, day(11))
    refer(b, counsellor, day(6), "accepted")

    report = evaluation_report(scope_of(org_outreach, day(0), day(10)))
    by_site = {column.key: column.figures for column in report.columns}
    assert list(by_site) == ["aarhus", "odense", "all"]

    odense_f = by_site["odense"]
    assert (odense_f.contacts, odense_f.contacts_anonymous) == (5, 1)
    assert (odense_f.persons, odense_f.persons_clients, odense_f.persons_codes) == (3, 2, 1)
    assert odense_f.minutes_total == 80
    assert odense_f.minutes_mean == 16
    assert odense_f.minutes_median == 15
    assert odense_f.staff_minutes == 40 + 10 + 30 + 5 + 15
    # A's two contacts and K1's (C inquired 10 days after it) led to an inquiry.
    assert (odense_f.contacts_known, odense_f.treatment_starts) == (3, 3)
    assert odense_f.treatment_start_persons == 2
    assert (odense_f.referral_contacts, odense_f.referral_contacts_followed) == (1, 0)
    assert odense_f.referrals == {}

    aarhus_f = by_site["aarhus"]
    assert (aarhus_f.contacts, aarhus_f.persons, aarhus_f.minutes_total) == (2, 2, 65)
    assert (aarhus_f.treatment_starts, aarhus_f.treatment_start_persons) == (1, 1)
    assert aarhus_f.referral_contacts == 1
    assert aarhus_f.referral_contacts_followed == 1
    assert aarhus_f.referrals == {"accepted": 1}

    total = report.total
    assert by_site["all"] == total
    # A met at both sites is one person: 4 persons (A, B, C, K2), not 3 + 2.
    assert (total.contacts, total.persons, total.contacts_anonymous) == (7, 4, 1)
    assert (total.treatment_starts, total.treatment_start_persons) == (4, 2)
    assert total.window_open == 0

    # The site filter keeps one column.
    only = evaluation_report(scope_of(org_outreach, day(0), day(10), site=aarhus))
    assert [c.key for c in only.columns] == ["aarhus"]
    assert only.total.contacts == 2

    # The fidelity part: the period's quarters for each site, nothing ticked yet.
    assert report.fidelity is not None
    assert {s.site.slug for s in report.fidelity} == {"odense", "aarhus"}
    assert all(s.not_ticked == 6 for s in report.fidelity)


def test_the_window_at_its_boundary_with_real_inquiries(
    org_outreach, odense, street_worker, counsellor, make_client
):
    """N = 30 (outreach-dk's pack): D met on day 0 at 10:00 and inquired on day 30 at 23:30
    (counts); E met the same moment and inquired on day 31 at 00:30 (does not)."""
    d, e = make_client(org_outreach), make_client(org_outreach)
    record(org_outreach, odense, street_worker, day(0), client=d)
    record(org_outreach, odense, street_worker, day(0), client=e)
    inquire(d, odense, counsellor, day(30), hour=23, minute=30)
    inquire(e, odense, counsellor, day(31), hour=0, minute=30)
    report = evaluation_report(scope_of(org_outreach, day(0), day(0)))
    assert report.window_days == 30
    assert (report.total.contacts_known, report.total.treatment_starts) == (2, 1)


def test_a_window_still_open_is_reported(org_outreach, odense, street_worker, make_client):
    record(org_outreach, odense, street_worker, ago(3), client=make_client(org_outreach))
    report = evaluation_report(scope_of(org_outreach, ago(3), ago(0)))
    assert (report.total.treatment_starts, report.total.window_open) == (0, 1)


def test_an_organisation_without_the_models_evaluation_has_no_window_and_no_checklist(
    org_dk, make_staff, dk_client
):
    """Sønderborg runs outreach without an evaluation: section: contacts, persons, time and
    referral contacts, nothing that needs the window, no fidelity."""
    nurse = make_staff(org_dk, Role.STREET_NURSE)
    site = org_dk.sites.get(slug="skurvogne")
    record(org_dk, site, nurse, ago(2), client=dk_client, activities=("escort",), minutes=30)
    record(org_dk, site, nurse, ago(1), activities=("supplies",), minutes=10)
    report = evaluation_report(scope_of(org_dk, ago(5), ago(0)))
    assert report.window_days is None
    assert report.fidelity is None
    assert (report.total.contacts, report.total.persons, report.total.referral_contacts) == (
        2,
        1,
        1,
    )
    assert report.total.treatment_starts is None and report.total.referrals is None
    keys = {line.key for line in figure_lines(report)}
    assert "referral_contacts" in keys
    assert "treatment_starts" not in keys and "window_open" not in keys


def _world(
    org: Organisation,
    sites: list[Site],
    worker: User,
    counsellor: User,
    make_client: Callable[..., Client],
    n: int,
) -> None:
    """``n`` rounds of: a client met twice with a referral and an inquiry after, a code, and a
    contact with nobody identified, across the sites."""
    for i in range(n):
        site = sites[i % len(sites)]
        client = make_client(org)
        record(org, site, worker, day(i % 5), client=client, activities=("referral",))
        record(org, site, worker, day(i % 5 + 1), client=client, hour=15)
        record(org, site, worker, day(i % 5), code=f"Q{i}")
        record(org, site, worker, day(i % 5), hour=16)
        inquire(client, site, counsellor, day(i % 5 + 3))
        refer(client, counsellor, day(i % 5 + 2), "accepted")


def _queries(scope) -> int:
    with CaptureQueriesContext(connection) as captured:
        evaluation_report(scope)
    return len(captured)


def test_the_report_needs_the_same_queries_for_four_times_the_contacts(
    org_outreach, odense, aarhus, street_worker, counsellor, make_client
):
    _world(org_outreach, [odense, aarhus], street_worker, counsellor, make_client, 2)
    scope = scope_of(org_outreach, day(0), day(10))
    few = _queries(scope)
    _world(org_outreach, [odense, aarhus], street_worker, counsellor, make_client, 6)
    many = _queries(scope)
    assert evaluation_report(scope).total.contacts == 8 * 4
    assert many == few
    assert few <= 7
