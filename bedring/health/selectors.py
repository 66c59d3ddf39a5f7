"""Health reads (HLT-1..4): the client's health page in a fixed number of queries, whatever
the length of the history."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from bedring.clients.models import Client
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
    follow_ups: list[PregnancyFollowUp]
    # HLT-4: after a birth, the follow-up is due on this day until one is recorded.
    after_birth_due_on: datetime.date | None = None


@dataclass
class HealthRecord:
    screenings: list[Screening]
    series: list[VaccinationSeries]
    contacts: list[HealthContact]
    pregnancies: list[PregnancyRow]
    deadlines: list[Deadline] = field(default_factory=list)

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
    return (
        Pregnancy.objects.filter(client=client)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch(
                "follow_ups",
                queryset=PregnancyFollowUp.objects.select_related("recorded_by").order_by(
                    "on", "id"
                ),
            )
        )
    )


def pregnancy_follow_ups(pregnancy: Pregnancy) -> QuerySet[PregnancyFollowUp]:
    return pregnancy.follow_ups.select_related("recorded_by").order_by("on", "id")


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


def _pregnancy_row(pregnancy: Pregnancy) -> PregnancyRow:
    follow_ups = list(pregnancy.follow_ups.all())
    due = None
    if (
        pregnancy.status == PregnancyStatus.BIRTH
        and pregnancy.ended_on is not None
        and not any(f.kind == FollowUpKind.AFTER_BIRTH for f in follow_ups)
    ):
        due = postnatal_follow_up_deadline(pregnancy.ended_on).due_on
    return PregnancyRow(pregnancy=pregnancy, follow_ups=follow_ups, after_birth_due_on=due)


def health_record(client: Client) -> HealthRecord:
    """Everything on the health page: six queries, whatever the history."""
    deadlines = list(
        Deadline.objects.filter(
            client=client, kind__in=HEALTH_DEADLINES, status=DeadlineStatus.OPEN
        )
        .select_related("episode")
        .order_by("due_on", "id")
    )
    return HealthRecord(
        screenings=list(client_screenings(client)),
        series=vaccination_series(list(client_vaccinations(client)), deadlines),
        contacts=list(client_health_contacts(client)),
        pregnancies=[_pregnancy_row(p) for p in client_pregnancies(client)],
        deadlines=deadlines,
    )
