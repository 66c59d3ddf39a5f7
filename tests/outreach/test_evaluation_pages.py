"""HRM-10: the evaluation's pages: the report with its definitions, the PDF and the CSV, the
fidelity checklist's form; who may see them (a manager; another role 403; an outsider 404 on
anything that names the organisation's objects), refusals with their codes and no partial
write, the menu entry, and a bounded number of queries."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bedring.accounts.models import Site
from bedring.core.roles import Role
from bedring.outreach import evaluation as ev
from bedring.outreach.models import FidelityCheck
from bedring.outreach.services.fidelity import FidelityTick, fidelity_save
from tests.conftest import TODAY

from .evaluation_helpers import ago, inquire, record

pytestmark = pytest.mark.django_db

QUARTER = ev.quarter_start(TODAY)
REPORT = reverse("outreach:evaluation")
CSV = reverse("outreach:evaluation_csv")
PDF = reverse("outreach:evaluation_pdf")


def fidelity_url(site: Site, quarter: datetime.date | str = QUARTER) -> str:
    value = quarter if isinstance(quarter, str) else quarter.isoformat()
    return f"{reverse('outreach:evaluation_fidelity', args=[site.uuid])}?quarter={value}"


def period(start: datetime.date, end: datetime.date) -> str:
    return f"?from={start.isoformat()}&to={end.isoformat()}"


@pytest.fixture
def contacts(org_outreach, odense, street_worker, make_client, make_staff):
    """Two contacts at Odense 10 days ago, one with a client who inquired the day after."""
    client = make_client(org_outreach)
    record(org_outreach, odense, street_worker, ago(10), client=client, minutes=30)
    record(org_outreach, odense, street_worker, ago(10), minutes=10, hour=15)
    inquire(client, odense, make_staff(org_outreach, Role.COUNSELLOR), ago(9))
    return client


def test_the_report_shows_the_figures_the_definitions_and_the_windows_source(
    as_user, manager_outreach, contacts
):
    page = as_user(manager_outreach).get(REPORT + period(ago(20), ago(0)))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="line-contacts"' in html
    assert 'data-testid="line-treatment_starts"' in html
    assert "Odense Misbrugscenter, udgående team" in html and "All sites" in html
    # Definitions: what each figure counts, the window and where it comes from.
    assert "day 30 counts, day 31 does not" in html
    assert "From the organisation&#x27;s pack: assumption (seed 001 asks whether" in html
    assert 'data-testid="evaluation-fidelity"' in html
    assert 'data-testid="evaluation-csv"' in html and 'data-testid="evaluation-pdf"' in html


def test_the_default_period_is_the_current_quarter(as_user, manager_outreach):
    html = as_user(manager_outreach).get(REPORT).content.decode()
    assert f'value="{QUARTER.isoformat()}"' in html
    assert f'value="{ev.quarter_end(QUARTER).isoformat()}"' in html
    assert 'aria-current="page"' in html.split('data-testid="evaluation-quarters"')[1]


def test_another_role_is_refused_and_an_outsider_finds_nothing(
    as_user, org_outreach, odense, make_staff, outsider
):
    worker = as_user(make_staff(org_outreach, Role.STREET_NURSE))
    for url in (REPORT, CSV, PDF, fidelity_url(odense)):
        assert worker.get(url).status_code == 403, url
    stranger = as_user(outsider)
    assert stranger.get(fidelity_url(odense)).status_code == 404
    assert stranger.post(fidelity_url(odense), {}).status_code == 404
    assert stranger.get(f"{REPORT}?organisation={org_outreach.uuid}").status_code == 404
    # None of the outsider's organisations runs outreach: the page says so, downloads lead back.
    page = stranger.get(REPORT)
    assert page.status_code == 200 and 'data-testid="evaluation-none"' in page.content.decode()
    assert stranger.get(CSV)["Location"] == REPORT
    assert not FidelityCheck.objects.exists()


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("?from=2026-01-01", "period_incomplete"),
        ("?from=2026-02-30&to=2026-03-01", "invalid_date"),
        ("?from=2026-03-01&to=2026-02-01", "period_reversed"),
        ("?from=2000-01-01&to=2010-01-01", "period_too_long"),
    ],
)
def test_a_bad_period_is_422_with_its_code(as_user, manager_outreach, query, code):
    page = as_user(manager_outreach).get(REPORT + query)
    assert page.status_code == 422
    assert f'data-code="{code}"' in page.content.decode()
    assert as_user(manager_outreach).get(CSV + query).status_code == 422


def test_a_site_of_another_organisation_is_422(as_user, manager_outreach, org_dk):
    other = Site.objects.filter(organisation=org_dk).first()
    page = as_user(manager_outreach).get(f"{REPORT}?site={other.uuid}")
    assert page.status_code == 422
    assert 'data-code="unknown_site"' in page.content.decode()


def test_the_pdf_is_a_pdf(as_user, manager_outreach, contacts):
    response = as_user(manager_outreach).get(PDF + period(ago(20), ago(0)))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_the_csv_has_one_row_per_site_and_figure_then_the_checklists(
    as_user, manager_outreach, contacts, org_outreach, odense
):
    fidelity_save(
        organisation=org_outreach,
        site=odense,
        quarter=QUARTER,
        ticks=[
            FidelityTick("documented", True, "All recorded."),
            FidelityTick("flexible-frame", False),
        ],
        actor=manager_outreach,
        today=TODAY,
    )
    start = max(ago(20), QUARTER)
    response = as_user(manager_outreach).get(CSV + period(start, TODAY))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Site", "Site key", "From", "To", "Figure", "Key", "Value", "Note"]
    by_key = {(r[1], r[5]): r for r in rows[1:]}
    contacts_row = by_key[("odense", "contacts")]
    expected = "2" if start <= ago(10) else "0"
    assert contacts_row[2:5] == [start.isoformat(), TODAY.isoformat(), "Contacts"]
    assert contacts_row[6] == expected
    assert by_key[("all", "contacts")][6] == expected
    assert by_key[("odense", "fidelity:documented")][6:] == ["1", "All recorded."]
    assert by_key[("odense", "fidelity:flexible-frame")][6] == "0"
    assert by_key[("odense", "fidelity:two-outreach-workers")][6] == ""
    assert by_key[("odense", "fidelity:documented")][2] == QUARTER.isoformat()


def _post_all(held: dict[str, str] | None = None) -> dict[str, str]:
    keys = [
        "outreach-where-they-are",
        "flexible-frame",
        "two-outreach-workers",
        "present-with-partners",
        "street-cooperation",
        "documented",
    ]
    data = {f"held-{k}": "held" for k in keys}
    data.update(held or {})
    data["note-documented"] = "Every contact is in Bedring."
    return data


def test_the_checklist_form_saves_every_element_and_goes_back_to_the_report(
    as_user, manager_outreach, odense
):
    http = as_user(manager_outreach)
    page = http.get(fidelity_url(odense))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="main-form"' in html and html.count("<legend>") >= 6
    response = http.post(fidelity_url(odense), _post_all({"held-flexible-frame": "not_held"}))
    assert response.status_code == 302 and response["Location"].startswith(REPORT)
    rows = {c.element: c for c in FidelityCheck.objects.filter(site=odense, quarter=QUARTER)}
    assert len(rows) == 6 and not rows["flexible-frame"].met
    assert rows["documented"].note == "Every contact is in Bedring."
    assert rows["documented"].checked_by == manager_outreach
    # Opened again, the form shows what was saved.
    again = http.get(fidelity_url(odense)).content.decode()
    assert re.search(r'name="held-flexible-frame" value="not_held"[^>]*checked', again)
    assert re.search(r'name="held-documented" value="held"[^>]*checked', again)


def test_the_checklist_form_refuses_a_missing_element_and_writes_nothing(
    as_user, manager_outreach, odense
):
    data = _post_all()
    del data["held-documented"]
    response = as_user(manager_outreach).post(fidelity_url(odense), data)
    assert response.status_code == 422
    assert "Choose held or not held." in response.content.decode()
    assert not FidelityCheck.objects.exists()


def test_a_quarter_that_is_not_a_quarter_start_or_is_closed(as_user, manager_outreach, odense):
    http = as_user(manager_outreach)
    page = http.get(fidelity_url(odense, QUARTER + datetime.timedelta(days=1)))
    assert page.status_code == 422 and 'data-code="quarter_invalid"' in page.content.decode()
    closed = ev.quarter_start(
        ev.quarter_start(QUARTER - datetime.timedelta(days=1)) - datetime.timedelta(days=1)
    )
    page = http.get(fidelity_url(odense, closed))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="fidelity-read-only"' in html and 'id="main-form"' not in html
    response = http.post(fidelity_url(odense, closed), _post_all())
    assert response.status_code == 422
    assert 'data-code="quarter_closed"' in response.content.decode()
    assert not FidelityCheck.objects.exists()


def test_an_organisation_without_the_models_evaluation(as_user, org_dk, manager):
    http = as_user(manager)
    html = http.get(REPORT).content.decode()
    assert 'data-testid="evaluation-no-window"' in html
    assert 'data-testid="evaluation-fidelity"' not in html
    assert "line-treatment_starts" not in html
    site = Site.objects.filter(organisation=org_dk).first()
    page = http.get(fidelity_url(site))
    assert page.status_code == 200 and 'data-testid="fidelity-no-elements"' in page.content.decode()
    assert http.post(fidelity_url(site), {}).status_code == 422


def test_the_menu_has_the_entry_for_managers_where_the_organisation_runs_outreach(
    as_user, manager_outreach, org_no, org_outreach, make_staff
):
    link = f'href="{REPORT}"'
    home = reverse("web:dashboard")
    assert link in as_user(manager_outreach).get(home).content.decode()
    assert link not in as_user(make_staff(org_no, Role.MANAGER)).get(home).content.decode()
    assert link not in as_user(make_staff(org_outreach, Role.COUNSELLOR)).get(home).content.decode()
    page = as_user(manager_outreach).get(REPORT).content.decode()
    assert (
        f'{link} aria-current="page"' in page or 'aria-current="page"' in page.split(link)[1][:40]
    )


def test_the_page_needs_the_same_queries_for_four_times_the_contacts(
    as_user, manager_outreach, org_outreach, odense, street_worker, make_client
):
    http = as_user(manager_outreach)
    url = REPORT + period(ago(30), ago(0))

    def add(n: int) -> None:
        for i in range(n):
            client = make_client(org_outreach)
            record(org_outreach, odense, street_worker, ago(1 + i % 20), client=client)
            record(org_outreach, odense, street_worker, ago(1 + i % 20), code=f"P{i}", hour=14)
            record(org_outreach, odense, street_worker, ago(1 + i % 20), hour=15)

    add(2)
    http.get(url)
    with CaptureQueriesContext(connection) as few:
        assert http.get(url).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as many:
        assert http.get(url).status_code == 200
    assert len(many) == len(few)
