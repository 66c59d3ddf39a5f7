"""Sites and their opening, phone and medication hours (INT-8, INT-9).

The example is MSOC Oostende (org_be): the main centre with its split days and Saturday
medication, and the two antennas in Roeselare and Kortrijk.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client as HttpClient

from bedring.accounts.models import ClosedDay, Organisation, Site, SiteHours, User
from bedring.accounts.selectors import site_calendar
from bedring.core.roles import Role
from tests.conftest import api_headers, login

BRUSSELS = ZoneInfo("Europe/Brussels")
OSLO = ZoneInfo("Europe/Oslo")
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
KINDS = ["opening", "phone", "medication"]


def at_brussels(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=BRUSSELS)


class _PageParser(HTMLParser):
    """Collects the hours tables per site (h2 text -> weekday -> cells) and form inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, list[str]]] = {}
        self.inputs: dict[str, str] = {}
        self.checked: set[str] = set()
        self._h2: str | None = None
        self._in_h2 = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "h2":
            self._in_h2, self._h2 = True, ""
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []
        elif tag == "input" and attr.get("name"):
            name = str(attr["name"])
            if attr.get("type") == "checkbox":
                if "checked" in attr:
                    self.checked.add(name)
            else:
                self.inputs[name] = attr.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_h2 = False
        elif tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._h2 and len(self._row) == 4 and self._row[0] in WEEKDAYS:
                self.tables.setdefault(self._h2.strip(), {})[self._row[0]] = self._row[1:]
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._in_h2 and self._h2 is not None:
            self._h2 += data
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    return parser


def hours_table(html: str, site_name: str) -> dict[str, list[str]]:
    """Weekday -> [opening, phone, medication] as shown for the site (first h2 word match)."""
    tables = parse(html).tables
    matches = [t for heading, t in tables.items() if heading.startswith(site_name)]
    assert len(matches) == 1, f"{site_name!r} not found once in {list(tables)}"
    return matches[0]


def snapshot(organisation: Organisation) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored interval of the organisation's sites, and each site's holiday flag."""
    rows = SiteHours.objects.filter(site__organisation=organisation).order_by(
        "site_id", "kind", "weekday", "start"
    )
    sites = Site.objects.filter(organisation=organisation).order_by("pk")
    return {
        "hours": list(rows.values_list("pk", "site_id", "kind", "weekday", "start", "end")),
        "holidays": list(sites.values_list("pk", "open_on_public_holidays")),
    }


def other_sites_hours(organisation: Organisation, site: Site) -> list[tuple[Any, ...]]:
    return [row for row in snapshot(organisation)["hours"] if row[1] != site.pk]


def form_data_as_shown(http: Any, url: str) -> dict[str, str]:
    """What a browser would post back unchanged: every hours field and the checkbox."""
    page = parse(http.get(url).content.decode())
    data = {
        name: value
        for name, value in page.inputs.items()
        if name.split("_")[0] in KINDS and name != "csrfmiddlewaretoken"
    }
    assert len(data) == 21
    if "open_on_public_holidays" in page.checked:
        data["open_on_public_holidays"] = "on"
    return data


@pytest.fixture
def main_site(org_be: Organisation) -> Site:
    return org_be.sites.get(slug="oostende")


@pytest.fixture
def be_manager(org_be: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(org_be, Role.MANAGER)


def hours_url(site: Site) -> str:
    return f"/accounts/sites/{site.uuid}/hours/"


def closed_days_url(site: Site) -> str:
    return f"/accounts/sites/{site.uuid}/closed-days/"


# --- Seeing the hours ----------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.DROPIN_WORKER, Role.PEER_WORKER])
def test_any_staff_member_sees_the_msoc_hours_and_its_antennas(client, org_be, make_staff, role):
    """INT-8, INT-9: every staff member can look up when each site is open."""
    # given a staff member of MSOC Oostende, whatever their role
    login(client, make_staff(org_be, role))

    # when they open the organisation page
    response = client.get("/accounts/organisation/")

    # then the main centre's hours are shown per weekday and kind, and both antennas
    assert response.status_code == 200
    html = response.content.decode()
    main = hours_table(html, "MSOC Oostende")
    assert main["Monday"] == [
        "09:00-12:00, 13:00-19:00",
        "09:00-12:00, 13:00-19:00",
        "09:00-12:00, 13:00-18:45",
    ]
    assert main["Tuesday"][2] == "09:00-12:00, 15:00-18:45"
    assert main["Saturday"] == ["—", "—", "10:00-12:00"]
    assert main["Sunday"] == ["—", "—", "—"]
    assert hours_table(html, "Antenne Roeselare")["Tuesday"][2] == "09:00-12:00, 13:00-15:45"
    assert hours_table(html, "Antenne Kortrijk")["Monday"][0] == "09:00-12:00, 13:00-16:00"
    assert hours_table(html, "Antenne Kortrijk")["Tuesday"] == ["—", "—", "—"]


def test_only_staff_who_may_edit_see_the_edit_links(client, org_be, make_staff, be_manager):
    """INT-8: the edit link is offered to those allowed to use it."""
    # given a counsellor and a manager of the same organisation
    counsellor = make_staff(org_be, Role.COUNSELLOR)

    # when each opens the organisation page
    as_counsellor = login(client, counsellor).get("/accounts/organisation/").content.decode()
    client.logout()
    as_manager = login(client, be_manager).get("/accounts/organisation/").content.decode()

    # then only the manager sees a link to each site's hours form
    for site in Site.objects.filter(organisation=org_be):
        assert hours_url(site) not in as_counsellor
        assert hours_url(site) in as_manager


def test_the_organisation_page_shows_only_ones_own_organisation(client, org_be, outsider):
    """INT-8: staff of another organisation see their own sites, not MSOC's."""
    # given a staff member of Sandnes
    login(client, outsider)

    # when they open the organisation page
    html = client.get("/accounts/organisation/").content.decode()

    # then MSOC's sites are not there and their own are
    assert "MSOC Oostende" not in html
    assert "Antenne Roeselare" not in html
    assert "MO-senteret" in html


def test_the_organisation_page_needs_a_login(client, org_be):
    """INT-8: the hours page is for staff."""
    # given an anonymous visitor
    # when they open the organisation page
    response = client.get("/accounts/organisation/")

    # then they are sent to the login page
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_api_gives_the_same_hours_per_site(org_be, make_staff):
    """INT-8, INT-9: a program reads the sites and hours of its organisation."""
    # given a token of an MSOC counsellor
    headers = {
        "Authorization": api_headers(make_staff(org_be, Role.COUNSELLOR))["HTTP_AUTHORIZATION"]
    }

    # when it fetches its organisation
    response = HttpClient().get(f"/api/v1/organisations/{org_be.uuid}", headers=headers)

    # then the sites carry the hours per kind and weekday, as on the page
    assert response.status_code == 200
    sites = {site["slug"]: site for site in response.json()["sites"]}
    assert set(sites) == {"oostende", "roeselare", "kortrijk"}
    main = sites["oostende"]["hours"]
    assert main["medication"]["0"] == "09:00-12:00, 13:00-18:45"
    assert main["medication"]["5"] == "10:00-12:00"
    assert "5" not in main["opening"]
    assert response.json()["jurisdiction"] == "BE"


def test_the_api_does_not_show_another_organisations_sites(org_be, outsider):
    """INT-8: another organisation's sites are not found through the API either."""
    # given a token of a Sandnes staff member
    headers = {"Authorization": api_headers(outsider)["HTTP_AUTHORIZATION"]}

    # when it fetches MSOC Oostende
    response = HttpClient().get(f"/api/v1/organisations/{org_be.uuid}", headers=headers)

    # then it is 404 not_found
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- Editing the hours ---------------------------------------------------------------------


def test_the_edit_form_shows_the_current_hours(client, be_manager, main_site):
    """INT-8: the form starts from what is stored."""
    # given a manager of MSOC
    login(client, be_manager)

    # when they open the main centre's hours form
    data = form_data_as_shown(client, hours_url(main_site))

    # then each field holds the stored intervals, empty for closed
    assert data["opening_0"] == "09:00-12:00, 13:00-19:00"
    assert data["medication_0"] == "09:00-12:00, 13:00-18:45"
    assert data["medication_5"] == "10:00-12:00"
    assert data["opening_5"] == ""
    assert data["phone_6"] == ""
    assert "open_on_public_holidays" not in data


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMINISTRATOR])
def test_a_manager_or_administrator_changes_the_hours(client, org_be, make_staff, main_site, role):
    """INT-8: the organisation keeps its hours up to date itself."""
    # given a manager or administrator on the main centre's form
    editor = make_staff(org_be, role)
    login(client, editor)
    data = form_data_as_shown(client, hours_url(main_site))
    antennas_before = other_sites_hours(org_be, main_site)

    # when they change Monday's medication hours and open Sunday mornings
    data["medication_0"] = "08:30-12:00; 13:00-18:30"
    data["opening_6"] = "10:00-12:00"
    response = client.post(hours_url(main_site), data)

    # then the new intervals are stored, the rest is as before
    assert response.status_code == 302
    assert response.url == "/accounts/organisation/"
    monday = SiteHours.objects.filter(site=main_site, kind="medication", weekday=0)
    assert [(r.start, r.end) for r in monday.order_by("start")] == [
        (datetime.time(8, 30), datetime.time(12, 0)),
        (datetime.time(13, 0), datetime.time(18, 30)),
    ]
    sunday = SiteHours.objects.filter(site=main_site, kind="opening", weekday=6)
    assert [(r.start, r.end) for r in sunday] == [(datetime.time(10), datetime.time(12))]
    tuesday = SiteHours.objects.filter(site=main_site, kind="medication", weekday=1)
    assert [(r.start, r.end) for r in tuesday.order_by("start")] == [
        (datetime.time(9), datetime.time(12)),
        (datetime.time(15), datetime.time(18, 45)),
    ]
    assert other_sites_hours(org_be, main_site) == antennas_before
    # and the organisation page shows the new hours
    page = client.get("/accounts/organisation/").content.decode()
    assert hours_table(page, "MSOC Oostende")["Monday"][2] == "08:30-12:00, 13:00-18:30"


def test_a_change_of_hours_is_in_the_change_log_with_the_editor(client, be_manager, main_site):
    """INT-8: who changed the hours, and from what to what, is kept."""
    # given a manager on the main centre's form
    login(client, be_manager)
    data = form_data_as_shown(client, hours_url(main_site))
    hours_type = ContentType.objects.get_for_model(SiteHours)
    before = LogEntry.objects.filter(content_type=hours_type).count()

    # when they change Saturday's medication hours
    data["medication_5"] = "10:00-11:30"
    client.post(hours_url(main_site), data)

    # then the change log has entries for the hours, attributed to the manager
    entries = LogEntry.objects.filter(content_type=hours_type).order_by("pk")[before:]
    assert entries
    assert {e.actor_id for e in entries} == {be_manager.pk}
    assert any(
        e.action == LogEntry.Action.CREATE and "11:30" in str(e.changes_dict.get("end"))
        for e in entries
    )


def test_saving_the_form_unchanged_writes_nothing(client, be_manager, main_site, org_be):
    """INT-8: an unchanged save leaves the hours and the change log alone."""
    # given a manager on the main centre's form
    login(client, be_manager)
    data = form_data_as_shown(client, hours_url(main_site))
    rows_before = list(SiteHours.objects.filter(site=main_site).values_list("pk", flat=True))
    log_before = LogEntry.objects.count()

    # when they save without changing anything
    response = client.post(hours_url(main_site), data)

    # then the same rows remain and nothing is logged
    assert response.status_code == 302
    assert list(SiteHours.objects.filter(site=main_site).values_list("pk", flat=True)) == (
        rows_before
    )
    assert LogEntry.objects.count() == log_before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "opening_0",
            "25:00-26:00",
            "Write hours like 09:00-12:00, 13:00-19:00 (could not read 25:00-26:00).",
        ),
        ("phone_2", "12:00-09:00", "An interval must end after it starts (12:00-09:00)."),
        (
            "medication_4",
            "09:00-12:00, 11:00-13:00",
            "Intervals overlap (09:00-12:00, 11:00-13:00).",
        ),
        (
            "medication_5",
            "ten to twelve",
            "Write hours like 09:00-12:00, 13:00-19:00 (could not read ten to twelve).",
        ),
    ],
)
def test_bad_hours_are_a_form_error_and_change_nothing(
    client, be_manager, main_site, org_be, field, value, message
):
    """INT-8: unreadable hours are refused with the reason, and nothing is saved, not even
    the other, valid changes in the same form."""
    # given a manager who also makes valid changes in the same submission
    login(client, be_manager)
    data = form_data_as_shown(client, hours_url(main_site))
    data["opening_6"] = "10:00-12:00"
    data["open_on_public_holidays"] = "on"
    before = snapshot(org_be)
    log_before = LogEntry.objects.count()

    # when one field holds bad hours
    data[field] = value
    response = client.post(hours_url(main_site), data)

    # then the form is shown again with that field's specific error and nothing changed
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert snapshot(org_be) == before
    assert LogEntry.objects.count() == log_before


def test_a_counsellor_may_not_edit_hours(client, org_be, make_staff, main_site):
    """INT-8: only managers and administrators change hours."""
    # given a counsellor of MSOC
    login(client, make_staff(org_be, Role.COUNSELLOR))
    before = snapshot(org_be)

    # when they open or post the hours form
    shown = client.get(hours_url(main_site))
    posted = client.post(hours_url(main_site), {"opening_0": "00:00-23:00"})

    # then both are forbidden and nothing changed
    assert shown.status_code == 403
    assert posted.status_code == 403
    assert snapshot(org_be) == before


def test_a_manager_of_another_organisation_gets_404_for_the_site(
    client, org_be, org_no, make_staff, main_site
):
    """INT-8: another organisation's sites do not exist for this staff member."""
    # given a manager of Sandnes
    login(client, make_staff(org_no, Role.MANAGER))
    before = snapshot(org_be)

    # when they open or post MSOC's hours form, or add a closed day there
    shown = client.get(hours_url(main_site))
    posted = client.post(hours_url(main_site), {"opening_0": "00:00-23:00"})
    closed = client.post(closed_days_url(main_site), {"date": "2026-12-24"})

    # then all are 404 and nothing changed
    assert (shown.status_code, posted.status_code, closed.status_code) == (404, 404, 404)
    assert snapshot(org_be) == before
    assert not ClosedDay.objects.exists()


def test_an_unknown_site_is_404(client, be_manager):
    """INT-8: a made-up site address is not found."""
    # given a manager
    login(client, be_manager)

    # when they open the hours form of a site that does not exist
    response = client.get("/accounts/sites/00000000-0000-0000-0000-000000000000/hours/")

    # then it is 404
    assert response.status_code == 404


# --- Closed days ---------------------------------------------------------------------------


def test_a_manager_adds_a_closed_day(client, be_manager, main_site, org_be):
    """INT-9: a day the site is closed beyond public holidays (a staff day)."""
    # given a manager of MSOC
    login(client, be_manager)

    # when they add Thursday 24 December 2026 as a closed day for the main centre
    response = client.post(
        closed_days_url(main_site), {"date": "2026-12-24", "reason": "Staff day"}
    )

    # then it is stored for that site and listed on the organisation page
    assert response.status_code == 302
    assert response.url == hours_url(main_site)
    day = ClosedDay.objects.get()
    assert (day.organisation_id, day.site_id, day.date, day.reason) == (
        org_be.pk,
        main_site.pk,
        datetime.date(2026, 12, 24),
        "Staff day",
    )
    assert "Staff day" in client.get("/accounts/organisation/").content.decode()

    # and the site is closed that day although Thursday morning is a medication time
    assert not site_calendar(main_site).is_open("medication", at_brussels(2026, 12, 24, 10))
    assert site_calendar(main_site).is_open("medication", at_brussels(2026, 12, 17, 10))


def test_adding_the_same_closed_day_twice_keeps_one(client, be_manager, main_site):
    """INT-9: a closed day is one row per site and date; the reason can be corrected."""
    # given a closed day
    login(client, be_manager)
    client.post(closed_days_url(main_site), {"date": "2026-12-24", "reason": "Staf day"})

    # when the same day is added again with another reason
    client.post(closed_days_url(main_site), {"date": "2026-12-24", "reason": "Staff day"})

    # then there is still one, with the new reason
    assert list(ClosedDay.objects.values_list("reason", flat=True)) == ["Staff day"]


def test_a_closed_day_without_a_valid_date_is_refused(client, be_manager, main_site):
    """INT-9: the date is required."""
    # given a manager
    login(client, be_manager)

    # when they add a closed day with an impossible date
    response = client.post(closed_days_url(main_site), {"date": "2026-02-30", "reason": "x"})

    # then nothing is stored
    assert response.status_code == 302
    assert not ClosedDay.objects.exists()


def test_a_counsellor_may_not_add_closed_days(client, org_be, make_staff, main_site):
    """INT-9: closed days are an organisation setting."""
    # given a counsellor
    login(client, make_staff(org_be, Role.COUNSELLOR))

    # when they try to add a closed day
    response = client.post(closed_days_url(main_site), {"date": "2026-12-24"})

    # then it is forbidden and nothing is stored
    assert response.status_code == 403
    assert not ClosedDay.objects.exists()


def test_adding_a_closed_day_is_post_only(client, be_manager, main_site):
    """INT-9: closed days are added by a form."""
    # given a manager
    login(client, be_manager)

    # when the closed-day address is fetched with GET
    response = client.get(closed_days_url(main_site) + "?date=2026-12-24")

    # then it is refused and nothing stored
    assert response.status_code == 405
    assert not ClosedDay.objects.exists()


# --- The site calendar ---------------------------------------------------------------------


def test_msoc_medication_is_open_on_saturday_morning(main_site):
    """INT-9: Saturday 10:00-12:00 is medication only."""
    # given the MSOC main centre's calendar
    calendar = site_calendar(main_site)

    # when asked about Saturday 28 November 2026 at 11:00 in Oostende
    at = at_brussels(2026, 11, 28, 11)

    # then medication is handed out but the centre is otherwise closed
    assert calendar.is_open("medication", at)
    assert not calendar.is_open("opening", at)


def test_msoc_medication_is_closed_on_saturday_after_noon(main_site):
    """INT-9: the Saturday medication hour ends at 12:00."""
    # given the MSOC main centre's calendar
    calendar = site_calendar(main_site)

    # when asked about Saturday 28 November 2026 at 12:30 and at exactly 12:00
    # then medication is closed
    assert not calendar.is_open("medication", at_brussels(2026, 11, 28, 12, 30))
    assert not calendar.is_open("medication", at_brussels(2026, 11, 28, 12, 0))


def test_msoc_medication_closes_at_18_45_while_the_centre_stays_open(main_site):
    """INT-9: on weekdays medication ends at 18:45, the centre at 19:00."""
    # given the MSOC main centre's calendar
    calendar = site_calendar(main_site)

    # when asked about Monday 23 November 2026 at 18:50
    at = at_brussels(2026, 11, 23, 18, 50)

    # then medication is closed but the centre is open
    assert not calendar.is_open("medication", at)
    assert calendar.is_open("opening", at)
    assert calendar.is_open("medication", at_brussels(2026, 11, 23, 18, 44))


def test_msoc_is_closed_on_easter_monday(main_site):
    """INT-9: the site is closed on Belgian public holidays."""
    # given the MSOC main centre's calendar
    calendar = site_calendar(main_site)

    # when asked about Easter Monday 29 March 2027 at 10:00, and a week before
    easter_monday = at_brussels(2027, 3, 29, 10)
    ordinary_monday = at_brussels(2027, 3, 22, 10)

    # then it is closed on Easter Monday and open on an ordinary Monday
    assert not calendar.is_open("medication", easter_monday)
    assert not calendar.is_open("opening", easter_monday)
    assert calendar.is_open("medication", ordinary_monday)


def test_next_medication_after_friday_evening_is_saturday_at_ten(main_site):
    """INT-9: a client asking on Friday evening is told Saturday 10:00."""
    # given the MSOC main centre's calendar
    calendar = site_calendar(main_site)

    # when asked for the next medication time after Friday 27 November 2026 at 19:00
    found = calendar.next_opening("medication", at_brussels(2026, 11, 27, 19))

    # then it is Saturday 28 November at 10:00 in Oostende
    assert found == at_brussels(2026, 11, 28, 10)
    assert found is not None
    assert found.utcoffset() == datetime.timedelta(hours=1)


def test_next_medication_skips_sunday_and_easter_monday(main_site):
    """INT-9: after Easter Saturday the next medication is Tuesday morning."""
    # given the MSOC main centre's calendar
    calendar = site_calendar(main_site)

    # when asked after Saturday 27 March 2027 at 12:00
    found = calendar.next_opening("medication", at_brussels(2027, 3, 27, 12))

    # then Sunday and Easter Monday are skipped
    assert found == at_brussels(2027, 3, 30, 9)


def test_the_calendar_reads_times_in_the_sites_time_zone(main_site):
    """INT-9: a UTC moment is judged by the clock in Oostende."""
    # given the MSOC main centre's calendar
    calendar = site_calendar(main_site)

    # when asked with UTC times on Saturday 28 November 2026 (UTC+1 in Oostende)
    utc = datetime.UTC
    # then 09:30 UTC is 10:30 in Oostende (open), 11:15 UTC is 12:15 (closed)
    assert calendar.is_open("medication", datetime.datetime(2026, 11, 28, 9, 30, tzinfo=utc))
    assert not calendar.is_open("medication", datetime.datetime(2026, 11, 28, 11, 15, tzinfo=utc))


def test_an_organisation_wide_closed_day_closes_every_site(org_be, main_site):
    """INT-9: a closed day without a site closes the whole organisation."""
    # given a closed day for all of MSOC on Monday 7 December 2026
    ClosedDay.objects.create(organisation=org_be, date=datetime.date(2026, 12, 7), reason="Move")
    kortrijk = org_be.sites.get(slug="kortrijk")

    # when the main centre and the Kortrijk antenna are asked about that morning
    at = at_brussels(2026, 12, 7, 10)

    # then both are closed, and the next medication at the main centre is Tuesday
    assert not site_calendar(main_site).is_open("medication", at)
    assert not site_calendar(kortrijk).is_open("medication", at)
    assert site_calendar(main_site).next_opening("medication", at) == at_brussels(2026, 12, 8, 9)


def test_a_closed_day_of_one_site_leaves_the_others_open(org_be, main_site):
    """INT-9: a site's closed day is that site's only."""
    # given a closed day for the Kortrijk antenna on Monday 7 December 2026
    kortrijk = org_be.sites.get(slug="kortrijk")
    ClosedDay.objects.create(organisation=org_be, site=kortrijk, date=datetime.date(2026, 12, 7))

    # when both sites are asked about that morning
    at = at_brussels(2026, 12, 7, 10)

    # then Kortrijk is closed and the main centre open
    assert not site_calendar(kortrijk).is_open("medication", at)
    assert site_calendar(main_site).is_open("medication", at)


def test_a_site_open_on_public_holidays_is_open_on_easter_monday(org_no):
    """INT-9: a shelter stays open on public holidays; the day centre does not."""
    # given Sandnes' shelter (open on holidays) and day centre
    akutten = org_no.sites.get(slug="akutten")
    mo_senteret = org_no.sites.get(slug="mo-senteret")

    # when asked about Easter Monday 29 March 2027 at 10:00 in Sandnes
    at = datetime.datetime(2027, 3, 29, 10, tzinfo=OSLO)

    # then the shelter is open and the day centre closed
    assert site_calendar(akutten).is_open("opening", at)
    assert not site_calendar(mo_senteret).is_open("opening", at)
