"""The home page per role (REF-2): each staff member lands on their own work.

One function per panel, each a fixed number of queries whatever the caseload (tested with a
growing one in tests/web/test_home.py), each scoped to the active organisation. A panel that
lists clients returns them, so the page logs each one shown (PRV-1), as the worklist does.

Which panels a staff member sees: the panels of each of their roles in the active
organisation, in the order the roles are named on the membership (a manager who also
counsels sees the manager's section first), each panel once, and only where the
permissions (with the organisation's role grants) allow it.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import Staff
from bedring.accounts.models import HoursKind, Membership, Organisation, Site, User
from bedring.accounts.selectors import rules_for
from bedring.catalogue.calendar_feed import CalendarEntry, staff_calendar
from bedring.clients.models import Client
from bedring.core.roles import Perm, Role
from bedring.medication.models import Prescription, PrescriptionStatus, PrescriptionVersion
from bedring.medication.selectors import Desk, desk
from bedring.outcomes import kpis
from bedring.outcomes.exports import LABELS
from bedring.outcomes.selectors import kpi_report
from bedring.outreach import selectors as outreach_selectors
from bedring.outreach.models import OutreachContact
from bedring.pathway.handover import holder
from bedring.pathway.models import Assessment, Complaint, Deadline, Episode, Plan
from bedring.pathway.models.episode import DeadlineKind, DeadlineStatus
from bedring.pathway.offers import offer_choices
from bedring.pathway.selectors import (
    DUE_SOON_DAYS,
    EpisodeNext,
    deadline_counts,
    episodes_next,
    open_deadlines,
)
from bedring.pathway.states import OPEN_STATES, STEPS, EpisodeState

LIST_MAX = 50  # rows a panel lists; the count says how many there are in all
CASELOAD_MAX = 100
ENDING_DAYS = 14  # prescriptions ending within two weeks

# Panels, in the order a role shows them.
TODAY = "today_work"
APPOINTMENTS = "appointments"
CASELOAD = "caseload"
MY_DEADLINES = "my_deadlines"
DECISIONS = "decisions"
COMPLAINTS = "complaints"
DESKS = "desks"
HOLDS = "holds"
ENDING = "ending"
DOCTOR_ASSESSMENTS = "doctor_assessments"
SEARCH = "search"
OUTREACH = "outreach"
OFF_TARGET = "off_target"
OVERDUE_BY_TEAM = "overdue_by_team"

ROLE_PANELS: dict[str, tuple[str, ...]] = {
    Role.COUNSELLOR: (TODAY, CASELOAD, MY_DEADLINES),
    Role.AUTHORITY: (DECISIONS, COMPLAINTS, MY_DEADLINES),
    Role.NURSE: (DESKS, HOLDS, TODAY, MY_DEADLINES),
    Role.DOCTOR: (HOLDS, ENDING, DOCTOR_ASSESSMENTS, TODAY, MY_DEADLINES),
    # Phone-first (HRM-3, HRM-8): record a street contact, find a person, today's work, my
    # deadlines.
    Role.STREET_NURSE: (OUTREACH, SEARCH, TODAY, MY_DEADLINES),
    Role.MANAGER: (OFF_TARGET, OVERDUE_BY_TEAM),
    # Clinical roles without a home of their own work like counsellors.
    Role.PSYCHOLOGIST: (TODAY, CASELOAD, MY_DEADLINES),
    Role.OCCUPATIONAL_THERAPIST: (TODAY, CASELOAD, MY_DEADLINES),
    Role.MUSIC_THERAPIST: (TODAY, CASELOAD, MY_DEADLINES),
    Role.CHILD_EXPERT: (TODAY, CASELOAD, MY_DEADLINES),
}
PANEL_PERMS: dict[str, Perm | None] = {
    TODAY: None,
    CASELOAD: Perm.CLIENT_READ,
    MY_DEADLINES: Perm.CLIENT_READ,
    DECISIONS: Perm.DECIDE,
    COMPLAINTS: Perm.DECIDE,
    DESKS: Perm.DISPENSE,
    HOLDS: Perm.CLIENT_READ,
    ENDING: Perm.PRESCRIBE,
    DOCTOR_ASSESSMENTS: Perm.CLIENT_READ,
    SEARCH: Perm.CLIENT_READ,
    OUTREACH: Perm.HARM_REDUCTION,
    OFF_TARGET: Perm.OUTCOMES,
    OVERDUE_BY_TEAM: Perm.CLIENT_READ,
}


def _allowed(membership: Membership, panel: str) -> bool:
    perm = PANEL_PERMS[panel]
    return perm is None or membership.has(perm)


@dataclass(frozen=True)
class Section:
    role: str
    label: Promise | str
    panels: tuple[str, ...]


def sections(staff: Staff) -> list[Section]:
    """The sections of the active membership's roles, each panel once, where allowed."""
    membership = staff.active
    if membership is None:
        return []
    labels = dict(Role.choices)
    shown: set[str] = set()
    result = []
    for role in membership.roles:
        panels = tuple(
            p for p in ROLE_PANELS.get(role, ()) if p not in shown and _allowed(membership, p)
        )
        shown.update(panels)
        if panels:
            result.append(Section(role, labels.get(role, role), panels))
    return result


# --- counsellor ----------------------------------------------------------------------------


def todays_sessions(staff: Staff, today: datetime.date) -> list[CalendarEntry]:
    """SCH-4: today's sessions the staff member runs (one query); client codes, no names."""
    organisation = staff.organisation
    return staff_calendar(
        user=staff.user,
        organisation_ids=[organisation.pk],
        start=today,
        end=today + datetime.timedelta(days=1),
        client_codes_in=[organisation.pk] if staff.can(Perm.CLIENT_READ) else [],
    )


@dataclass(frozen=True)
class CaseRow:
    """An episode of my caseload: its next step, or who has it when it is not mine."""

    episode: Episode
    step: str  # the primary step's key, "" when none is due
    label: str
    holder: str  # who takes the step when it is not the responsible counsellor's
    due_on: datetime.date | None


@dataclass(frozen=True)
class Caseload:
    rows: list[CaseRow]
    total: int


def case_row(upcoming: EpisodeNext) -> CaseRow:
    step = upcoming.steps.primary
    if step is None:
        return CaseRow(upcoming.episode, "", "", "", None)
    spec = STEPS[step]
    elsewhere = spec.perm != Perm.CLIENT_WRITE
    return CaseRow(
        episode=upcoming.episode,
        step=step.value,
        label=str(spec.label),
        holder=holder(upcoming.episode, step) if elsewhere else "",
        due_on=upcoming.due_on,
    )


def caseload(staff: Staff) -> Caseload:
    """My open episodes (I am responsible, or the coordinator of the individual plan), each
    with its next step (pathway.states.next_steps), the most urgent first: the earliest open
    deadline, then the oldest. Six queries."""
    # PLN-4 (NO): the coordinator of an individual plan carries the case too.
    coordinated = Plan.objects.filter(
        episode=OuterRef("pk"), is_current=True, coordinator=staff.user
    )
    mine = Episode.objects.filter(
        Q(responsible=staff.user) | Exists(coordinated),
        organisation=staff.organisation,
        state__in=OPEN_STATES,
    )
    earliest = (
        Deadline.objects.filter(episode=OuterRef("pk"), status=DeadlineStatus.OPEN)
        .order_by("due_on")
        .values("due_on")[:1]
    )
    episodes = list(
        mine.annotate(next_due=Subquery(earliest))
        .select_related("client", "organisation", "responsible")
        .order_by("next_due", "opened_on", "id")[:CASELOAD_MAX]
    )
    total = len(episodes) if len(episodes) < CASELOAD_MAX else mine.count()
    return Caseload([case_row(u) for u in episodes_next(episodes)], total)


@dataclass(frozen=True)
class DeadlineList:
    rows: list[Deadline]
    overdue: int
    due_soon: int


def my_deadlines(staff: Staff, today: datetime.date) -> DeadlineList:
    """My open deadlines that are overdue or due within DUE_SOON_DAYS, overdue first."""
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    mine = open_deadlines(organisation_id=staff.organisation.pk, responsible_ids=[staff.user.pk])
    rows = list(mine.filter(due_on__lte=soon)[:LIST_MAX])
    counts = deadline_counts(mine, today)
    return DeadlineList(rows, counts["overdue"], counts["due_soon"])


# --- authority -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionToMake:
    episode: Episode
    completed_at: datetime.datetime
    counsellor: User | None
    recommendation: str
    recommended_offer: str  # the offer's name
    due_on: datetime.date | None  # the legal deadline from the pack (DK: start guarantee)


@dataclass(frozen=True)
class Decisions:
    rows: list[DecisionToMake]
    total: int


def decisions_to_make(organisation: Organisation) -> Decisions:
    """REF-2: episodes whose assessment is complete, with the counsellor's recommendation,
    waiting for the authority's decision, the longest waiting first, with the deadline the
    rule pack sets (DK: treatment within 14 days of the inquiry, INT-5). Four queries."""
    completed = Assessment.objects.filter(episode=OuterRef("pk"), completed_at__isnull=False)
    latest = completed.order_by("-completed_at", "-id")
    guarantee = Deadline.objects.filter(
        episode=OuterRef("pk"), kind=DeadlineKind.TREATMENT_START, status=DeadlineStatus.OPEN
    ).order_by("due_on")
    waiting = (
        Episode.objects.filter(organisation=organisation, state=EpisodeState.ASSESSMENT)
        .annotate(
            first_completed=Subquery(completed.order_by("completed_at").values("completed_at")[:1])
        )
        .filter(first_completed__isnull=False)
    )
    episodes = list(
        waiting.annotate(
            recommendation=Subquery(latest.values("recommendation")[:1]),
            recommended_offer=Subquery(latest.values("recommended_offer")[:1]),
            assessed_by=Subquery(latest.values("counsellor_id")[:1]),
            due_on=Subquery(guarantee.values("due_on")[:1]),
        )
        .select_related("client", "responsible")
        .order_by("first_completed", "id")[:LIST_MAX]
    )
    total = len(episodes) if len(episodes) < LIST_MAX else waiting.count()
    names = dict(offer_choices(organisation.pk)) if episodes else {}
    people = User.objects.in_bulk({e.assessed_by for e in episodes})
    rows = [
        DecisionToMake(
            episode=e,
            completed_at=e.first_completed,
            counsellor=people.get(e.assessed_by),
            recommendation=e.recommendation or "",
            recommended_offer=names.get(e.recommended_offer, e.recommended_offer or ""),
            due_on=e.due_on,
        )
        for e in episodes
    ]
    return Decisions(rows, total)


@dataclass(frozen=True)
class ComplaintToReevaluate:
    deadline: Deadline
    complaint: Complaint | None


def complaints_to_reevaluate(organisation: Organisation) -> list[ComplaintToReevaluate]:
    """DEC-2: complaints waiting for the deciding unit's re-evaluation, by their deadline
    (COMPLAINT_REEVALUATION). Two queries."""
    deadlines = list(
        Deadline.objects.filter(
            organisation=organisation,
            kind=DeadlineKind.COMPLAINT_REEVALUATION,
            status=DeadlineStatus.OPEN,
        )
        .select_related("client", "episode")
        .order_by("due_on", "id")[:LIST_MAX]
    )
    complaints = Complaint.objects.in_bulk(
        [d.subject_id for d in deadlines if d.subject_id is not None]
    )
    return [
        ComplaintToReevaluate(d, complaints.get(d.subject_id) if d.subject_id else None)
        for d in deadlines
    ]


# --- nurse and doctor ----------------------------------------------------------------------


def medication_sites(organisation: Organisation) -> list[Site]:
    return list(
        Site.objects.filter(
            organisation=organisation, is_active=True, hours__kind=HoursKind.MEDICATION
        )
        .select_related("organisation")
        .distinct()
        .order_by("kind", "name")
    )


def desks(organisation: Organisation, now: datetime.datetime) -> list[Desk]:
    """MED-2: today's desk at each dispensing site, read only (the desk page applies the
    holds). A fixed number of queries per site, whatever the number of clients."""
    return [desk(site, now=now, apply_holds=False) for site in medication_sites(organisation)]


@dataclass(frozen=True)
class Hold:
    prescription: Prescription
    due_on: datetime.date | None  # the review deadline (PRESCRIPTION_REVIEW)


def holds(organisation: Organisation) -> tuple[list[Hold], int]:
    """MED-2: prescriptions on hold after missed doses, waiting for a doctor's review, the
    oldest first, with their review deadline. Three queries."""
    held = Prescription.objects.filter(organisation=organisation, status=PrescriptionStatus.ON_HOLD)
    rows = list(held.select_related("client", "medicine").order_by("held_since", "id")[:LIST_MAX])
    due = dict(
        Deadline.objects.filter(
            organisation=organisation,
            kind=DeadlineKind.PRESCRIPTION_REVIEW,
            status=DeadlineStatus.OPEN,
            subject_id__in=[p.pk for p in rows],
        )
        .values("subject_id")
        .annotate(due=Min("due_on"))
        .values_list("subject_id", "due")
    )
    total = len(rows) if len(rows) < LIST_MAX else held.count()
    return [Hold(p, due.get(p.pk)) for p in rows], total


def prescriptions_ending(
    organisation: Organisation, today: datetime.date
) -> list[PrescriptionVersion]:
    """MED-1: prescriptions whose version in force ends within ENDING_DAYS: renew or stop."""
    return list(
        PrescriptionVersion.objects.filter(
            prescription__organisation=organisation,
            is_current=True,
            prescription__status__in=[PrescriptionStatus.ACTIVE, PrescriptionStatus.ON_HOLD],
            ends_on__gte=today,
            ends_on__lte=today + datetime.timedelta(days=ENDING_DAYS),
        )
        .select_related("prescription__medicine", "client", "site")
        .order_by("ends_on", "id")[:LIST_MAX]
    )


def assessments_needing_a_doctor(organisation: Organisation) -> list[Assessment]:
    """ASM-1 (BE, ``intake_requires_doctor``): an intake is with a counsellor and a doctor;
    ASM-2 (DK): a doctor's conversation was offered. Assessments in progress with no doctor
    recorded yet. One query."""
    needs = Q(doctor_conversation_offered=True)
    if rules_for(organisation).intake_requires_doctor:
        needs = Q()
    return list(
        Assessment.objects.filter(
            needs,
            episode__organisation=organisation,
            episode__state__in=OPEN_STATES,
            completed_at__isnull=True,
            doctor__isnull=True,
        )
        .select_related("episode__client", "counsellor", "question_set")
        .order_by("conducted_on", "id")[:LIST_MAX]
    )


# --- manager -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OffTarget:
    key: str
    label: str
    figure: kpis.Figure

    @property
    def target_percent(self) -> int:
        return round(100 * (self.figure.target or 0))


def figures_off_target(organisation: Organisation, today: datetime.date) -> list[OffTarget]:
    """DIS-3, DIS-4, INT-5, INT-6, PLN-2, DIS-2: this year's figures that miss their target
    (the organisation's outcome_targets; the rights at 100 %), as the outcome pages count
    them (bedring.outcomes, seven queries)."""
    report = kpi_report(
        organisation_ids=[organisation.pk],
        site_id=None,
        start=datetime.date(today.year, 1, 1),
        end=datetime.date(today.year, 12, 31),
        today=today,
        with_series=False,
    )
    return [
        OffTarget(key, str(label), report.figures[key])
        for key, label in LABELS.items()
        if report.figures[key].meets_target is False
    ]


@dataclass
class TeamLoad:
    name: str
    overdue: int = 0
    due_soon: int = 0
    people: Counter[str] = field(default_factory=Counter)

    @property
    def most_overdue(self) -> list[tuple[str, int]]:
        """The three people with the most overdue deadlines (a template cannot ask a
        Counter: its lookup of a missing key answers 0)."""
        return self.people.most_common(3)


def overdue_by_team(organisation: Organisation, today: datetime.date) -> list[TeamLoad]:
    """Open deadlines overdue or due soon, by the team of the person responsible (accounts
    Team), unassigned ones apart, the most overdue team first. Two queries."""
    teams: dict[int, tuple[str, str]] = {
        user_id: (team or "", name)
        for user_id, team, name in Membership.objects.filter(organisation=organisation).values_list(
            "user_id", "team__name", "user__username"
        )
    }
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    loads: dict[str, TeamLoad] = {}
    no_team, unassigned = str(_("No team")), str(_("Nobody responsible"))
    # One row per person responsible, counted by the database.
    per_person = (
        Deadline.objects.filter(
            organisation=organisation, status=DeadlineStatus.OPEN, due_on__lte=soon
        )
        .order_by()
        .values("responsible_id")
        .annotate(
            overdue=Count("id", filter=Q(due_on__lt=today)),
            due_soon=Count("id", filter=Q(due_on__gte=today)),
        )
        .values_list("responsible_id", "overdue", "due_soon")
    )
    for responsible_id, overdue, due_soon in per_person:
        team, person = teams.get(responsible_id, ("", "")) if responsible_id else ("", "")
        name = (team or no_team) if responsible_id else unassigned
        load = loads.setdefault(name, TeamLoad(name))
        load.overdue += overdue
        load.due_soon += due_soon
        if person and overdue:
            load.people[person] += overdue
    return sorted(loads.values(), key=lambda t: (-t.overdue, -t.due_soon, t.name))


# --- street nurse ------------------------------------------------------------------------


@dataclass(frozen=True)
class OutreachToday:
    """HRM-8: the street nurse's way to record a contact, with my contacts today and the
    organisation's contacts to check (three queries)."""

    contacts_today: int
    to_check: int


def outreach_today(staff: Staff) -> OutreachToday | None:
    """None where the organisation records no street work (no ``outreach:`` in its pack)."""
    organisation = staff.organisation
    if not outreach_selectors.has_outreach(organisation.pk):
        return None
    start, end = outreach_selectors.day_bounds(organisation)
    mine = OutreachContact.objects.filter(
        organisation=organisation, staff=staff.user, at__gte=start, at__lt=end
    )
    to_check = OutreachContact.objects.filter(organisation=organisation).exclude(conflict="")
    return OutreachToday(contacts_today=mine.count(), to_check=to_check.count())


# --- the page ------------------------------------------------------------------------------


def clients_shown(context: dict[str, Any]) -> list[Client]:
    """Every client a panel lists by name, once, to log as seen (PRV-1)."""
    seen: dict[int, Client] = {}

    def add(clients: Iterable[Client]) -> None:
        for client in clients:
            seen.setdefault(client.pk, client)

    if APPOINTMENTS in context:
        add(a.client for a in context[APPOINTMENTS])
    if CASELOAD in context:
        add(row.episode.client for row in context[CASELOAD].rows)
    if MY_DEADLINES in context:
        add(d.client for d in context[MY_DEADLINES].rows)
    if DECISIONS in context:
        add(row.episode.client for row in context[DECISIONS].rows)
    if COMPLAINTS in context:
        add(row.deadline.client for row in context[COMPLAINTS])
    if HOLDS in context:
        add(h.prescription.client for h in context[HOLDS][0])
    if ENDING in context:
        add(v.client for v in context[ENDING])
    if DOCTOR_ASSESSMENTS in context:
        add(a.episode.client for a in context[DOCTOR_ASSESSMENTS])
    if DESKS in context:
        add(row.client for d in context[DESKS] for row in d.rows if take_home_row(row))
    return list(seen.values())


def take_home_row(row: Any) -> bool:
    """A desk row with take-home doses to hand out (not on hold)."""
    return bool(row.take_home_due) and row.status != "on_hold"
