"""Health reads (HLT-1..4): the client's health page in a fixed number of queries, whatever
the length of the history, and the full lists a page at a time.

The health page shows the latest :data:`RECENT` screenings, health contacts and follow-up
entries of each pregnancy (weekly NADA acupuncture makes hundreds of contacts), with their
count; the older ones are on the list pages (:data:`PAGE_SIZE` a page)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.paginator import Page
from django.db.models import Count, F, Model, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from bedring.clients.models import Client
from bedring.core.paging import Paginator
from bedring.pathway.models import Deadline
from bedring.pathway.models.episode import DeadlineKind, DeadlineStatus

from .models import (
    FollowUpKind,
    HealthContact,
    Pregnancy,
    PregnancyFollowUp,
    PregnancyStatus,
    Screening,
    Vaccination,
)
from .schedules import postnatal_follow_up_deadline, vaccination_schedules

M = TypeVar("M", bound=Model)

# The latest this many of each list on the health page; the full lists this many a page.
RECENT = 50
PAGE_SIZE = 50

HEALTH_DEADLINES = (
    DeadlineKind.SCREENING,
    DeadlineKind.VACCINATION,
    DeadlineKind.PREGNANCY_FOLLOW_UP,
)


@dataclass
class VaccinationSeries:
    """The doses of one schedule given to the client, and the next one due."""

    schedule: str
    label: str
    doses: list[Vaccination]
    total: int
    # The worklist item of the next dose; None when the client had no open episode.
    deadline: Deadline | None = None

    @property
    def last(self) -> Vaccination:
        return self.doses[-1]

    @property
    def complete(self) -> bool:
        return len(self.doses) >= self.total

    @property
    def next_dose(self) -> int | None:
        return None if self.complete else len(self.doses) + 1

    @property
    def next_due_on(self) -> datetime.date | None:
        return self.last.next_due_on


@dataclass
class PregnancyRow:
    pregnancy: Pregnancy
    # The latest RECENT entries, in date order; ``follow_ups_total`` counts them all.
    follow_ups: list[PregnancyFollowUp]
    # HLT-4: after a birth, the follow-up is due on this day until one is recorded.
    after_birth_due_on: datetime.date | None = None
    follow_ups_total: int = 0

    @property
    def follow_ups_more(self) -> bool:
        return self.follow_ups_total > len(self.follow_ups)


@dataclass
class HealthRecord:
    # The latest RECENT screenings and contacts, newest first, and how many there are.
    screenings: list[Screening]
    series: list[VaccinationSeries]
    contacts: list[HealthContact]
    pregnancies: list[PregnancyRow]
    deadlines: list[Deadline] = field(default_factory=list)
    screenings_total: int = 0
    contacts_total: int = 0

    @property
    def screenings_more(self) -> bool:
        return self.screenings_total > len(self.screenings)

    @property
    def contacts_more(self) -> bool:
        return self.contacts_total > len(self.contacts)

    @property
    def mandatory_open(self) -> list[Deadline]:
        return [d for d in self.deadlines if d.kind == DeadlineKind.SCREENING]

    @property
    def ongoing(self) -> Pregnancy | None:
        return next(
            (
                row.pregnancy
                for row in self.pregnancies
                if row.pregnancy.status == PregnancyStatus.ONGOING
            ),
            None,
        )

    @property
    def current_pregnancy(self) -> Pregnancy | None:
        """The pregnancy new follow-up entries go to: the ongoing one, else the latest."""
        return self.ongoing or (self.pregnancies[0].pregnancy if self.pregnancies else None)


def client_screenings(client: Client) -> QuerySet[Screening]:
    return Screening.objects.filter(client=client).select_related("recorded_by")


def client_vaccinations(client: Client) -> QuerySet[Vaccination]:
    return (
        Vaccination.objects.filter(client=client)
        .select_related("recorded_by")
        .order_by("schedule", "dose")
    )


def client_health_contacts(client: Client) -> QuerySet[HealthContact]:
    return HealthContact.objects.filter(client=client).select_related("staff")


def client_pregnancies(client: Client) -> QuerySet[Pregnancy]:
    return Pregnancy.objects.filter(client=client).select_related("recorded_by")


def pregnancy_follow_ups(pregnancy: Pregnancy) -> QuerySet[PregnancyFollowUp]:
    return pregnancy.follow_ups.select_related("recorded_by").order_by("on", "id")


def _page(rows: QuerySet[Any], page_number: Any) -> Page[Any]:
    return Paginator(rows, PAGE_SIZE).get_page(page_number)


def screening_page(client: Client, page_number: Any) -> Page[Screening]:
    """All the client's screenings, latest offer first, a page at a time."""
    return _page(client_screenings(client), page_number)


def health_contact_page(client: Client, page_number: Any) -> Page[HealthContact]:
    """All the client's health contacts, latest first, a page at a time."""
    return _page(client_health_contacts(client), page_number)


def follow_up_page(pregnancy: Pregnancy, page_number: Any) -> Page[PregnancyFollowUp]:
    """All the follow-up entries of a pregnancy, latest first, a page at a time."""
    return _page(pregnancy_follow_ups(pregnancy).order_by("-on", "-id"), page_number)


def _latest(rows: QuerySet[M]) -> tuple[list[M], int]:
    """The first RECENT rows and how many there are (one query more only when there are
    more)."""
    latest = list(rows[:RECENT])
    return latest, len(latest) if len(latest) < RECENT else rows.count()


def vaccination_series(
    doses: list[Vaccination], deadlines: Sequence[Deadline] = ()
) -> list[VaccinationSeries]:
    schedules = vaccination_schedules()
    by_schedule: dict[str, list[Vaccination]] = {}
    for dose in doses:
        by_schedule.setdefault(dose.schedule, []).append(dose)
    next_dose = {d.subject_id: d for d in deadlines if d.kind == DeadlineKind.VACCINATION}
    return [
        VaccinationSeries(
            schedule=key,
            label=str(given[0].get_schedule_display()),
            doses=given,
            total=len(schedules[key].doses),
            deadline=next_dose.get(given[-1].pk),
        )
        for key, given in by_schedule.items()
    ]


def _pregnancy_rows(client: Client) -> list[PregnancyRow]:
    """The client's pregnancies, latest first, each with its latest RECENT follow-up
    entries, their count and the follow-up after birth still due: three queries."""
    recent: dict[int, list[PregnancyFollowUp]] = {}
    for follow_up in (
        PregnancyFollowUp.objects.filter(client=client)
        .select_related("recorded_by")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("pregnancy_id")],
                order_by=[F("on").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=RECENT)
        .order_by("on", "id")
    ):
        recent.setdefault(follow_up.pregnancy_id, []).append(follow_up)
    counts = {
        row["pregnancy_id"]: row
        for row in PregnancyFollowUp.objects.filter(client=client)
        .order_by()
        .values("pregnancy_id")
        .annotate(n=Count("id"), after_birth=Count("id", filter=Q(kind=FollowUpKind.AFTER_BIRTH)))
    }
    rows = []
    for pregnancy in client_pregnancies(client):
        count = counts.get(pregnancy.pk, {"n": 0, "after_birth": 0})
        due = None
        if (
            pregnancy.status == PregnancyStatus.BIRTH
            and pregnancy.ended_on is not None
            and not count["after_birth"]
        ):
            due = postnatal_follow_up_deadline(pregnancy.ended_on).due_on
        rows.append(
            PregnancyRow(
                pregnancy=pregnancy,
                follow_ups=recent.get(pregnancy.pk, []),
                after_birth_due_on=due,
                follow_ups_total=count["n"],
            )
        )
    return rows


def health_record(client: Client) -> HealthRecord:
    """Everything on the health page in at most nine queries, whatever the history: the
    latest RECENT of each list (counted when there are more)."""
    deadlines = list(
        Deadline.objects.filter(
            client=client, kind__in=HEALTH_DEADLINES, status=DeadlineStatus.OPEN
        )
        .select_related("episode")
        .order_by("due_on", "id")
    )
    screenings, screenings_total = _latest(client_screenings(client))
    contacts, contacts_total = _latest(client_health_contacts(client))
    return HealthRecord(
        screenings=screenings,
        screenings_total=screenings_total,
        # At most a few doses per schedule: all of them.
        series=vaccination_series(list(client_vaccinations(client)), deadlines),
        contacts=contacts,
        contacts_total=contacts_total,
        pregnancies=_pregnancy_rows(client),
        deadlines=deadlines,
    )
