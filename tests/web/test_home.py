"""REF-2: each role lands on its own work. A hand-built world relative to TODAY in Sønderborg,
and the same kinds of work at Sandnes (the outsider organisation), which must not appear;
each panel filled, linked to the work, and a bounded number of queries whatever the
caseload."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bedring.accounts.models import Membership, Organisation, Team, User
from bedring.audit.models import AccessEvent
from bedring.clients.models import Client
from bedring.core.roles import Role
from bedring.medication.models import (
    Medicine,
    Prescription,
    PrescriptionStatus,
    PrescriptionVersion,
)
from bedring.pathway.models import Deadline, Episode
from bedring.pathway.services import assessment as assessments
from bedring.pathway.services.decision import complaint_register, decision_make
from bedring.pathway.services.episode import (
    episode_begin_assessment,
    episode_start_treatment,
    inquiry_register,
)
from bedring.pathway.services.plan import GoalInput, plan_save
from tests.conftest import TODAY, login
from tests.pathway.conftest import days_ago
from tests.walk_world import valid_answers


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


class World:
    """Staff of every role at ``org`` and their work; ``n`` of each kind of case."""

    def __init__(
        self,
        org: Organisation,
        make_staff: Callable[..., User],
        make_client: Callable[..., Client],
        n: int = 1,
        tag: str = "",
    ) -> None:
        self.org = org
        self.tag = tag
        self.make_client = make_client
        team = Team.objects.create(organisation=org, name=f"Team {tag or org.slug}")
        self.staff = {role: make_staff(org, role) for role in Role.values}
        Membership.objects.filter(organisation=org, user__in=self.staff.values()).update(team=team)
        self.counsellor = self.staff[Role.COUNSELLOR]
        self.authority = self.staff[Role.AUTHORITY]
        self.doctor = self.staff[Role.DOCTOR]
        self.names: list[str] = []
        self.inquiries = [self.episode(days_ago_=20) for _ in range(n)]  # guarantee overdue
        self.assessing = [self.assessed(complete=False) for _ in range(n)]
        self.waiting = [self.assessed(complete=True) for _ in range(n)]
        self.complained = [self.complaint() for _ in range(n)]
        self.active = [self.in_treatment() for _ in range(n)]
        self.held = [self.prescription(hold=True) for _ in range(n)]
        self.ending = [self.prescription(ends_in=10) for _ in range(n)]

    def client(self) -> Client:
        client = self.make_client(self.org, last_name=f"Home{self.tag}{len(self.names)}")
        self.names.append(client.last_name)
        return client

    def episode(self, days_ago_: int = 3) -> Episode:
        org = self.org
        inquiry = inquiry_register(
            organisation=org,
            site=org.sites.get(kind="main"),
            actor=self.counsellor,
            channel="phone",
            referrer="self",
            received_at=days_ago(org, days_ago_),
            client=self.client(),
            assign_to=self.counsellor,
        )
        assert inquiry.episode is not None
        return inquiry.episode

    def assessed(self, *, complete: bool) -> Episode:
        episode = self.episode()
        assessment = assessments.assessment_start(episode=episode, actor=self.counsellor)
        assessments.assessment_save(
            assessment=assessment,
            actor=self.counsellor,
            answers=valid_answers(assessment.question_set),
            veteran=None,
            doctor_conversation_offered=True,
            action_plan_offered=False,
            consents_discussed=True,
            recommendation=f"Recommended for {episode.client.last_name}.",
            recommended_offer="individual" if self.org.jurisdiction == "DK" else "",
        )
        if complete:
            assessments.assessment_complete(assessment=assessment, actor=self.counsellor)
        return episode

    def complaint(self) -> Episode:
        episode = self.episode()
        episode_begin_assessment(episode=episode, actor=self.counsellor)
        refusal = decision_make(
            episode=episode,
            actor=self.authority,
            kind="treatment",
            outcome="refused",
            justification="Not now.",
        )
        complaint_register(
            decision=refusal, actor=self.counsellor, kind="decision", text="I disagree."
        )
        return episode

    def in_treatment(self) -> Episode:
        episode = self.episode()
        episode_begin_assessment(episode=episode, actor=self.counsellor)
        decision_make(
            episode=episode,
            actor=self.authority,
            kind="treatment",
            outcome="granted",
            justification="Fits.",
        )
        plan_save(
            episode=episode,
            actor=self.counsellor,
            agreed_on=TODAY,
            aims=["reduce"],
            client_words="I want my days back.",
            goals=[GoalInput(text="Less", measure="Days", target="2", due_on=TODAY + days(60))],
            today=TODAY,
        )
        episode_start_treatment(episode=episode, actor=self.counsellor, on=TODAY)
        return episode

    def prescription(self, *, hold: bool = False, ends_in: int | None = None) -> Prescription:
        client = self.client()
        weekday = TODAY.weekday()
        prescription = Prescription.objects.create(
            client=client,
            organisation=self.org,
            medicine=Medicine.objects.get(key="methadone-oral-solution"),
            status=PrescriptionStatus.ON_HOLD if hold else PrescriptionStatus.ACTIVE,
            held_since=TODAY if hold else None,
            doses_counted_from=TODAY - days(30),
        )
        PrescriptionVersion.objects.create(
            prescription=prescription,
            client=client,
            prescriber=self.doctor,
            site=self.org.sites.get(kind="main"),
            daily_dose=Decimal("60"),
            starts_on=TODAY - days(30),
            ends_on=TODAY + days(ends_in) if ends_in is not None else None,
            supervised_weekdays=[weekday],
            take_home_weekdays=[d for d in range(7) if d != weekday],
            pickup_interval_days=6,
        )
        return prescription


@pytest.fixture
def dk(org_dk, make_staff, make_client) -> World:
    return World(org_dk, make_staff, make_client)


@pytest.fixture
def theirs(org_no, make_staff, make_client) -> World:
    """Sandnes with the same kinds of work: none of it may show at Sønderborg."""
    return World(org_no, make_staff, make_client, tag="Theirs")


def home(user: User) -> str:
    http = login(HttpClient(), user)
    http.cookies["django_language"] = "en"
    response = http.get(reverse("web:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def nothing_of(html: str, world: World) -> None:
    for name in world.names:
        assert name not in html, name


def test_the_counsellor_lands_on_her_caseload_with_each_next_step(dk, theirs):
    html = home(dk.counsellor)
    assert 'data-testid="panel-caseload"' in html
    assert 'data-testid="panel-today-work"' in html
    assert 'data-testid="panel-my-deadlines"' in html
    assert 'data-testid="panel-decisions"' not in html
    # each open episode with its next step, linked to the episode
    for episode, step in [
        (dk.inquiries[0], "start_assessment"),
        (dk.assessing[0], "complete_assessment"),
        (dk.waiting[0], "decide"),
        (dk.active[0], "evaluate_plan"),
    ]:
        row = html.split(f'data-testid="case-{episode.uuid}"')[1].split("</li>")[0]
        assert f'data-step="{step}"' in row, (step, row)
        assert reverse("pathway:episode", args=[episode.uuid]) in html
    assert "With the authority caseworkers: Decide on treatment" in html
    # the 14-day guarantee of the inquiry 20 days ago is overdue, hers
    assert 'data-testid="my-deadline-treatment_start"' in html
    assert 'data-testid="dash-my-overdue">1 overdue' in html
    nothing_of(html, theirs)


def test_the_authority_lands_on_the_decisions_to_make_and_the_complaints(dk, theirs):
    html = home(dk.authority)
    waiting = dk.waiting[0]
    assert 'data-testid="panel-decisions"' in html
    assert reverse("pathway:decision_new", args=[waiting.uuid]) in html
    assert f"Recommended for {waiting.client.last_name}." in html
    assert "Individuel" in html  # the recommended offer, by its catalogue name
    assert "start by" in html  # the treatment guarantee (INT-5)
    # an assessment still in progress is not a decision to make
    assert str(dk.assessing[0].uuid) not in html
    complained = dk.complained[0]
    complaint = complained.complaints.get()
    assert reverse("pathway:complaint_reevaluate", args=[complained.uuid, complaint.uuid]) in html
    nothing_of(html, theirs)


def test_decisions_to_make_are_the_oldest_first(org_dk, make_staff, make_client):
    world = World(org_dk, make_staff, make_client, n=2)
    html = home(world.authority)
    first, second = world.waiting
    assert html.index(str(first.uuid)) < html.index(str(second.uuid))


def test_the_nurse_lands_on_the_desk_and_the_holds(dk, theirs):
    html = home(dk.staff[Role.NURSE])
    main = dk.org.sites.get(kind="main")
    assert 'data-testid="panel-desks"' in html
    assert reverse("medication:desk", args=[main.uuid]) in html
    assert 'data-testid="panel-holds"' in html
    held = dk.held[0]
    assert held.client.last_name in html
    assert reverse("medication:prescription", args=[held.uuid]) in html
    # take-home doses due: the active prescriptions, not the one on hold
    take_home = html.split('data-testid="take-home-due"')[1].split("</ul>")[0]
    assert dk.ending[0].client.last_name in take_home
    assert held.client.last_name not in take_home
    nothing_of(html, theirs)


def test_the_doctor_lands_on_reviews_endings_and_assessments_that_need_a_doctor(dk, theirs):
    html = home(dk.doctor)
    held, ending = dk.held[0], dk.ending[0]
    assert reverse("medication:prescription_review", args=[held.uuid]) in html
    assert 'data-testid="panel-ending"' in html
    assert f'data-testid="ending-{ending.uuid}"' in html
    # the doctor's conversation was offered (ASM-2) and no doctor is recorded yet
    assessment = dk.assessing[0].assessments.get()
    assert f'data-testid="needs-doctor-{assessment.uuid}"' in html
    completed = dk.waiting[0].assessments.get()
    assert f'data-testid="needs-doctor-{completed.uuid}"' not in html
    nothing_of(html, theirs)


def test_a_belgian_intake_needs_a_doctor_whatever_was_offered(org_be, make_staff, make_client):
    """ASM-1 (BE): the intake is with a counsellor and a doctor (intake_requires_doctor)."""
    counsellor = make_staff(org_be, Role.COUNSELLOR)
    doctor = make_staff(org_be, Role.DOCTOR)
    episode = inquiry_register(
        organisation=org_be,
        site=org_be.sites.get(kind="main"),
        actor=counsellor,
        channel="in_person",
        referrer="self",
        received_at=days_ago(org_be, 1),
        client=make_client(org_be),
    ).episode
    assert episode is not None
    assessment = assessments.assessment_start(episode=episode, actor=counsellor)
    assert f'data-testid="needs-doctor-{assessment.uuid}"' in home(doctor)


def test_the_street_nurse_has_a_phone_first_page(dk, theirs):
    html = home(dk.staff[Role.STREET_NURSE])
    assert 'data-testid="panel-search"' in html
    assert f'action="{reverse("clients:list")}"' in html
    assert 'data-testid="panel-today-work"' in html
    assert 'data-testid="panel-my-deadlines"' in html
    assert 'data-testid="panel-caseload"' not in html


def test_the_manager_sees_figures_off_target_and_overdue_work_by_team(dk, theirs):
    html = home(dk.staff[Role.MANAGER])
    # the treatment guarantee of the inquiry 20 days ago was missed: below 100 %
    assert 'data-testid="off-target-treatment_guarantee"' in html
    assert reverse("outcomes:dashboard") in html
    assert 'data-testid="panel-overdue-by-team"' in html
    team = html.split('data-testid="team-load"')[1].split("</tr>")[0]
    assert f"Team {dk.org.slug}" in team and dk.counsellor.username in team
    assert "Team sandnes" not in html
    nothing_of(html, theirs)


def test_a_staff_member_with_several_roles_gets_a_section_for_each(dk, make_staff):
    both = make_staff(dk.org, Role.MANAGER, Role.COUNSELLOR)
    html = home(both)
    assert html.index('data-testid="home-manager"') < html.index('data-testid="home-counsellor"')
    assert "As Manager" in html and "As Counsellor" in html
    # a panel two roles share is shown once
    nurse_doctor = make_staff(dk.org, Role.NURSE, Role.DOCTOR)
    assert home(nurse_doctor).count('data-testid="panel-holds"') == 1


def test_roles_without_client_work_see_no_client(dk):
    for role in (Role.DROPIN_WORKER, Role.PEER_WORKER, Role.ADMINISTRATOR):
        html = home(dk.staff[role])
        nothing_of(html, dk)
        assert 'data-testid="panel-' not in html


def test_every_client_listed_is_logged_as_seen(dk):
    """PRV-1: like the worklist, the home page logs the clients it shows."""
    home(dk.counsellor)
    seen = set(
        AccessEvent.objects.filter(actor=dk.counsellor, view="home").values_list(
            "client_id", flat=True
        )
    )
    assert {e.client_id for e in dk.inquiries + dk.waiting + dk.active} <= seen


def queries(user: User) -> int:
    http = login(HttpClient(), user)
    with CaptureQueriesContext(connection) as captured:
        assert http.get(reverse("web:dashboard")).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "role",
    [Role.COUNSELLOR, Role.AUTHORITY, Role.NURSE, Role.DOCTOR, Role.STREET_NURSE, Role.MANAGER],
)
def test_each_home_page_issues_the_same_queries_for_a_growing_caseload(
    org_dk, make_staff, make_client, role
):
    small = World(org_dk, make_staff, make_client, n=1, tag="S")
    few = queries(small.staff[role])
    large = World(org_dk, make_staff, make_client, n=4, tag="L")
    # the large world's staff see their own caseload, four times the size
    assert queries(large.staff[role]) == few, role


def test_an_episode_elsewhere_does_not_reach_my_caseload(dk, theirs):
    """Another counsellor's episodes are hers, not mine; another organisation's nobody's."""
    other = dk.staff[Role.PSYCHOLOGIST]
    html = home(other)
    assert 'data-testid="panel-caseload"' in html
    assert str(dk.inquiries[0].uuid) not in html


def test_the_coordinator_of_an_individual_plan_has_the_case_on_her_home_page(
    org_no, make_staff, make_client
):
    """PLN-4 (NO): an individual plan with a coordinator, a staff member of the organisation,
    who is not the responsible counsellor."""
    world = World(org_no, make_staff, make_client, tag="Coord")
    coordinator = make_staff(org_no, Role.COUNSELLOR)
    episode = world.active[0]
    plan_save(
        episode=episode,
        actor=world.counsellor,
        agreed_on=TODAY,
        aims=["stabilise"],
        client_words="One plan for everyone who helps me.",
        individual_plan=True,
        coordinator=coordinator,
        responsibility_group="GP, NAV, the counsellor; every six weeks.",
        goals=[
            GoalInput(text="Housing", measure="Lease", target="Signed", due_on=TODAY + days(90))
        ],
        today=TODAY,
    )
    assert f'data-testid="case-{episode.uuid}"' in home(coordinator)
    page = login(HttpClient(), coordinator).get(reverse("pathway:episode", args=[episode.uuid]))
    assert coordinator.last_name in page.content.decode()  # shown with the plan


def book_today(world: World, staff: User, hour: int) -> Client:
    from bedring.appointments.services import appointment_book
    from tests.pathway.conftest import at

    client = world.client()
    appointment_book(
        client=client,
        actor=staff,
        staff=staff,
        site=world.org.sites.get(kind="main"),
        kind="conversation",
        starts_at=at(world.org, TODAY.year, TODAY.month, TODAY.day, hour, 0),
        minutes=45,
        confirm_outside_hours=True,
    )
    return client


def test_the_counsellor_sees_her_appointments_today_and_nobody_elses(dk, theirs, make_staff):
    """APT-1, REF-2: today's appointments on her home page, linked and logged as seen; a
    colleague's and another organisation's are not hers."""
    mine = [book_today(dk, dk.counsellor, hour) for hour in (13, 15)]
    colleague = make_staff(dk.org, Role.COUNSELLOR)
    other = book_today(dk, colleague, 14)
    book_today(theirs, theirs.counsellor, 14)
    html = home(dk.counsellor)
    panel = html.split('data-testid="today-appointments"')[1].split("</ul>")[0]
    assert all(c.display_name in panel for c in mine)
    assert panel.index(mine[0].display_name) < panel.index(mine[1].display_name)
    assert other.display_name not in html
    nothing_of(html, theirs)
    seen = set(
        AccessEvent.objects.filter(actor=dk.counsellor, view="home").values_list(
            "client_id", flat=True
        )
    )
    assert {c.pk for c in mine} <= seen
    assert other.pk not in seen


def test_the_appointments_panel_costs_the_same_queries_for_more_appointments(dk):
    book_today(dk, dk.counsellor, 13)
    one = queries(dk.counsellor)
    for hour in (14, 15, 16, 17):
        book_today(dk, dk.counsellor, hour)
    assert queries(dk.counsellor) == one


def test_my_deadlines_count_what_is_due_soon_and_leave_out_what_is_later(dk):
    """A deadline due within DUE_SOON_DAYS is due soon and listed; one due later is neither."""
    from bedring.pathway.models.episode import DeadlineKind
    from bedring.pathway.selectors import DUE_SOON_DAYS

    episode = dk.active[0]
    before = home(dk.counsellor)
    due_soon = int(before.split('data-testid="dash-my-due-soon">')[1].split(" ")[0])
    for days_ahead in (2, DUE_SOON_DAYS + 30):
        Deadline.objects.create(
            episode=episode,
            client=episode.client,
            organisation=dk.org,
            responsible=dk.counsellor,
            kind=DeadlineKind.SCREENING,
            due_on=TODAY + days(days_ahead),
        )
    html = home(dk.counsellor)
    assert f'data-testid="dash-my-due-soon">{due_soon + 1} due soon' in html
    panel = html.split('data-testid="panel-my-deadlines"')[1].split("</section>")[0]
    assert panel.count('data-testid="my-deadline-screening"') == 1
