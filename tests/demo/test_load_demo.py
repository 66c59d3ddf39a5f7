"""The demo installation (bedring.demo.demo_data.load_demo): every service pack, a login for
every role in every organisation, synthetic clients with valid identifiers, and loading twice
changes nothing."""

from __future__ import annotations

import datetime

import pytest

from bedring.accounts.models import Membership, Organisation, Site, Team, User
from bedring.accounts.selectors import site_calendar
from bedring.clients.identifiers import JURISDICTION_KIND, parse_identifier
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.roles import Role
from bedring.demo.demo_data import DEMO_PASSWORD, demo_is_loaded, load_demo
from bedring.rules.loader import available_packs, pack_path, read_pack
from tests.conftest import TODAY

CLIENTS_PER_ORGANISATION = 3
PACK_SLUGS = {read_pack(pack_path(name)).organisation.slug for name in available_packs()}


@pytest.fixture
def demo(db) -> None:
    load_demo(clients_per_organisation=CLIENTS_PER_ORGANISATION)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Organisation, Site, Team, User, Membership, Client)
    }


def test_the_demo_is_not_loaded_in_an_empty_installation(db):
    assert not demo_is_loaded()


def test_the_demo_has_one_organisation_per_service_pack(demo):
    # Given the demo is loaded
    # Then there are five organisations, one for each shipped pack
    assert len(PACK_SLUGS) == 5
    assert set(Organisation.objects.values_list("slug", flat=True)) == PACK_SLUGS
    assert demo_is_loaded()


def test_every_organisation_has_sites_and_a_team(demo):
    for organisation in Organisation.objects.all():
        assert organisation.sites.exists(), organisation.slug
        assert Team.objects.filter(organisation=organisation, name="Team 1").exists()


def test_every_role_has_a_login_in_every_organisation(demo):
    """One login per role and organisation: <organisation slug>.<role>."""
    # Given the demo is loaded
    for organisation in Organisation.objects.all():
        for role in Role.values:
            # Then '<slug>.<role>' exists, with that role in that organisation only
            user = User.objects.get(username=f"{organisation.slug}.{role}")
            membership = Membership.objects.get(user=user)
            assert membership.organisation == organisation
            assert membership.roles == [role]
            assert membership.is_active
            assert user.check_password(DEMO_PASSWORD)


def test_the_demo_manager_is_manager_in_every_organisation(demo):
    # Given the demo is loaded
    manager = User.objects.get(username="demo.manager")

    # Then demo.manager is a manager (and counsellor) in every organisation
    memberships = Membership.objects.filter(user=manager)
    assert {m.organisation.slug for m in memberships} == PACK_SLUGS
    for membership in memberships:
        assert Role.MANAGER in membership.roles
        assert Role.COUNSELLOR in membership.roles
    assert manager.check_password(DEMO_PASSWORD)


def test_every_demo_client_has_a_valid_identifier_of_its_jurisdiction(demo):
    """PRV-1: synthetic clients pass the same validation as real registrations."""
    # Given the demo is loaded with three clients per organisation
    for organisation in Organisation.objects.all():
        today = clock.today(organisation)
        clients = list(organisation.clients.all())
        assert len(clients) == CLIENTS_PER_ORGANISATION
        for client in clients:
            # Then each identifier validates for the organisation's jurisdiction
            parsed = parse_identifier(client.national_id, organisation.jurisdiction, today)
            assert parsed.kind == JURISDICTION_KIND[organisation.jurisdiction]
            assert client.identifier_kind == parsed.kind
            # And the stored birth date and sex are those of the identifier, of an adult
            assert client.birth_date == parsed.birth_date
            assert client.sex == parsed.sex
            age = client.age_on(today)
            assert age is not None
            assert age >= 18
            assert client.first_name
            assert client.last_name


def test_loading_the_demo_twice_creates_no_duplicates(demo):
    # Given the demo is loaded
    before = counts()
    usernames = set(User.objects.values_list("username", flat=True))
    client_ids = set(Client.objects.values_list("national_id", flat=True))

    # When it is loaded again
    load_demo(clients_per_organisation=CLIENTS_PER_ORGANISATION)

    # Then nothing is added
    assert counts() == before
    assert set(User.objects.values_list("username", flat=True)) == usernames
    assert set(Client.objects.values_list("national_id", flat=True)) == client_ids
    assert before["Organisation"] == 5
    assert before["User"] == 5 * len(Role.values) + 1
    assert before["Client"] == 5 * CLIENTS_PER_ORGANISATION


def test_a_second_load_with_more_clients_tops_up_without_duplicates(db):
    """The demo can grow: asking for more clients adds only the missing ones."""
    from bedring.clients.models import Client
    from bedring.demo.demo_data import load_demo

    load_demo(clients_per_organisation=3)
    load_demo(clients_per_organisation=5)
    per_org = Client.objects.values_list("organisation_id", flat=True)
    assert sorted({list(per_org).count(o) for o in set(per_org)}) == [5]


def test_the_demo_has_clients_at_every_stage_of_the_pathway(db):
    """The demo's worklists are not empty: episodes from inquiry to active treatment."""
    from bedring.demo.demo_data import load_demo
    from bedring.pathway.models import Deadline, Episode

    load_demo(clients_per_organisation=4)
    states = set(Episode.objects.values_list("state", flat=True))
    assert states == {"inquiry", "assessment", "decided", "active"}
    assert Deadline.objects.filter(status="open").exists()
    # REF-2: each authority's home page has a decision to make, with a recommendation
    from bedring.accounts.models import Organisation
    from bedring.web.home import decisions_to_make

    for organisation in Organisation.objects.all():
        rows = decisions_to_make(organisation).rows
        assert rows and rows[0].recommendation, organisation.slug
    load_demo(clients_per_organisation=4)
    assert Episode.objects.count() == 5 * 4


def test_the_demo_has_a_dispensing_desk_with_doses_and_a_hold(db):
    """MED-2: every organisation with medication hours has clients on substitution with
    three weeks of doses, and the one who stopped coming shows on hold at the desk; more
    clients start in the months after the load."""
    from bedring.medication.models import Dispensing, Prescription, StockMovement
    from bedring.medication.selectors import desk

    load_demo(clients_per_organisation=30)
    with_desk = {"assens", "msoc-oostende", "sandnes", "sonderborg"}
    for organisation in Organisation.objects.all():
        prescriptions = Prescription.objects.filter(organisation=organisation)
        if organisation.slug not in with_desk:
            assert not prescriptions.exists(), organisation.slug
            continue
        # Eight clients on substitution today (starters, if any, begin after the load)
        on = clock.today(organisation)
        assert prescriptions.filter(doses_counted_from__lte=on).count() == 8, organisation.slug
        assert Dispensing.objects.filter(organisation_id=organisation.pk).count() > 8 * 5
        site = prescriptions.first().versions.get().site
        today = desk(site, now=clock.now())
        assert [row.status for row in today.rows].count("on_hold") == 1, organisation.slug
    assert StockMovement.objects.filter(kind="received").count() == 2 * len(with_desk)
    before = Prescription.objects.count()
    load_demo(clients_per_organisation=30)
    assert Prescription.objects.count() == before


def test_the_demo_stays_alive_three_months_after_loading(db, frozen_clock):
    """A demo loaded today and opened in three months still has work on it: clients due at
    the dispensing desk (new starters over the months after the load, as those who stopped
    coming are on hold), open deadlines that are not all overdue, and follow-ups due."""
    from bedring.medication.models import Prescription
    from bedring.medication.selectors import desk
    from bedring.pathway.models import Deadline
    from bedring.pathway.models.episode import DeadlineKind
    from bedring.pathway.selectors import open_deadlines

    # Given the demo loaded on the declared day
    load_demo()
    # When it is opened three months later, on the first day the desk is open
    later = TODAY + datetime.timedelta(days=91)
    for slug in ("sonderborg", "sandnes", "msoc-oostende"):
        organisation = Organisation.objects.get(slug=slug)
        site = Prescription.objects.filter(organisation=organisation).first().versions.get().site
        calendar = site_calendar(site)
        day = later
        while not calendar.hours.get("medication", {}).get(day.weekday()) or (
            calendar.is_closed_day(day)
        ):
            day += datetime.timedelta(days=1)
        opens = calendar.hours["medication"][day.weekday()][0].start
        moment = datetime.datetime.combine(day, opens, tzinfo=calendar.time_zone) + (
            datetime.timedelta(minutes=5)
        )
        frozen_clock.move_to(moment)
        assert clock.today(organisation) == day

        # Then the desk has a client due (and the regulars who stopped coming are on hold)
        statuses = [row.status for row in desk(site, now=clock.now()).rows]
        assert "due" in statuses, (slug, day, statuses)
        assert "on_hold" in statuses, slug

        # And the worklist has open deadlines, not all of them overdue
        counsellor = User.objects.get(username=f"{slug}.counsellor")
        worklist = open_deadlines(organisation_id=organisation.pk, responsible_ids=[counsellor.pk])
        assert worklist.filter(due_on__gte=day).exists(), slug
        assert worklist.filter(due_on__lt=day).exists(), slug

        # And follow-ups after a discharge fall due within a month either side of the day
        follow_ups = Deadline.objects.filter(
            organisation=organisation,
            kind=DeadlineKind.DISCHARGE_FOLLOW_UP,
            status="open",
            due_on__gte=day - datetime.timedelta(days=31),
            due_on__lte=day + datetime.timedelta(days=31),
        )
        assert follow_ups.filter(responsible=counsellor).exists(), slug


def test_the_demo_has_appointments_this_week_some_attended_and_one_no_show(db):
    """APT-1: the demo staff's appointments from a week ago to the end of this week, in every
    organisation: the past ones attended but one no-show; APT-2: Sandnes' psychologist
    request waits on the worklist."""
    from bedring.appointments.models import Appointment, AppointmentRequest

    load_demo(clients_per_organisation=6)
    for organisation in Organisation.objects.all():
        rows = Appointment.objects.filter(organisation=organisation)
        today = clock.today(organisation)
        monday = today - datetime.timedelta(days=today.weekday())
        assert rows.filter(on__gte=monday, on__lte=monday + datetime.timedelta(days=6)).exists()
        assert rows.filter(status="attended").exists(), organisation.slug
        assert rows.filter(status="no_show").count() == 1, organisation.slug
        # Every appointment that has begun has its outcome; the later ones are booked.
        assert not rows.filter(status="booked", starts_at__lt=clock.now()).exists()
        staff = set(rows.values_list("staff__username", flat=True))
        assert f"{organisation.slug}.counsellor" in staff
    request = AppointmentRequest.objects.get()
    assert request.organisation.slug == "sandnes"
    assert request.offer_due_on is not None
    before = Appointment.objects.count()
    load_demo(clients_per_organisation=6)
    assert Appointment.objects.count() == before
    assert AppointmentRequest.objects.count() == 1
