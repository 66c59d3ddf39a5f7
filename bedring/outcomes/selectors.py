"""Reads for the outcome figures: a handful of lean queries (only the columns the formulas
need, filtered by organisation, site and date range on indexed columns), then the pure
functions of :mod:`bedring.outcomes.kpis`. The number of queries does not depend on the
amount of history: eight for a whole report, whatever the period or the organisations.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, DateTimeField, F, Q, QuerySet, When
from django.db.models.functions import Coalesce

from bedring.accounts.models import Organisation
from bedring.accounts.selectors import rules_for
from bedring.appointments.selectors import NO_SHOW_ROW, no_show_counts
from bedring.catalogue.models import Attendance, Enrolment
from bedring.pathway.models import Deadline, Discharge, Episode
from bedring.pathway.models.episode import DeadlineKind
from bedring.pathway.states import EpisodeState
from bedring.rules.packs import RulePack

from . import kpis
from .kpis import Figure, Spread

KPI_KEYS = (
    "goal_attainment_all",
    "goal_attainment_completed",
    "readmission",
    "treatment_guarantee",
    "first_contact",
    "plan_evaluation",
    "follow_up",
)
DRILL_KEYS = (*KPI_KEYS, "waiting_time")
# A figure that counts the deadlines of a rule only some rule packs set belongs to the
# organisations whose pack sets it: the treatment guarantee to Denmark's (INT-5, seed 002), the
# first contact to Norway's (INT-6, seed 004). Elsewhere it is not shown, rather than shown as
# "no data"; the other figures belong to every organisation.
FIGURE_RULES: Mapping[str, str] = {
    "treatment_guarantee": "start_guarantee_days",
    "first_contact": "first_contact_working_days",
}
ON_TIME_KINDS = {
    DeadlineKind.PLAN_EVALUATION.value: "plan_evaluation",
    DeadlineKind.DISCHARGE_FOLLOW_UP.value: "follow_up",
}


@dataclass(frozen=True)
class Rows:
    discharges: list[kpis.DischargeRow]
    openings: Mapping[int, Sequence[datetime.date]]  # opening days per client
    starts: list[kpis.StartRow]
    guarantees: list[kpis.GuaranteeRow]
    first_contacts: list[kpis.FirstContactRow]
    on_time: dict[str, list[kpis.DeadlineRow]]
    attendance: list[kpis.AttendanceRow]
    enrolments: list[kpis.EnrolmentRow]
    # DIS-3, DIS-4: the targets the organisations in scope share (none when they differ).
    targets: Mapping[str, float] = field(default_factory=dict)
    # The figures that belong to at least one organisation in scope (FIGURE_RULES).
    shown: tuple[str, ...] = KPI_KEYS


@dataclass(frozen=True)
class KpiReport:
    organisation_ids: tuple[int, ...] | None
    site_id: int | None
    start: datetime.date
    end: datetime.date
    today: datetime.date
    figures: dict[str, Figure]
    waiting: Spread
    no_show: dict[str, Figure]
    clients: list[kpis.ClientCount]
    series: dict[str, list[tuple[datetime.date, Figure]]] = field(default_factory=dict)
    # The figures that belong to the organisations in scope, in KPI_KEYS order (FIGURE_RULES).
    shown: tuple[str, ...] = KPI_KEYS

    @property
    def readmission_cohort_end(self) -> datetime.date:
        return kpis.readmission_cohort_end(self.today)


def figure_applies(key: str, pack: RulePack) -> bool:
    """The figure ``key`` belongs to an organisation with this rule pack (FIGURE_RULES)."""
    rule = FIGURE_RULES.get(key)
    return rule is None or getattr(pack, rule) is not None


def figures_shown(packs: Sequence[RulePack]) -> tuple[str, ...]:
    """The figures that belong to at least one of the organisations with these packs."""
    return tuple(key for key in KPI_KEYS if any(figure_applies(key, p) for p in packs))


def _organisations(organisation_ids: Sequence[int] | None) -> list[Organisation]:
    qs = Organisation.objects.only("id", "jurisdiction", "rule_overrides", "time_zone")
    if organisation_ids is not None:
        qs = qs.filter(pk__in=list(organisation_ids))
    return list(qs)


def _scoped(qs: QuerySet, org_ids: list[int], site_id: int | None, site_field: str) -> QuerySet:  # type: ignore[type-arg]
    qs = qs.filter(organisation_id__in=org_ids)
    if site_id is not None:
        qs = qs.filter(**{site_field: site_id})
    return qs


def fetch_rows(
    *,
    organisation_ids: Sequence[int] | None,
    site_id: int | None,
    start: datetime.date,
    end: datetime.date,
    attendance_episodes: bool = False,
) -> Rows:
    organisations = _organisations(organisation_ids)
    org_ids = [o.pk for o in organisations]
    packs = {o.pk: rules_for(o) for o in organisations}
    zones = {o.pk: ZoneInfo(o.time_zone) for o in organisations}
    year = datetime.timedelta(days=kpis.READMISSION_DAYS)

    discharge_qs = _scoped(
        Discharge.objects.filter(discharged_on__gte=start, discharged_on__lte=end),
        org_ids,
        site_id,
        "site_id",
    )
    discharges = [
        kpis.DischargeRow(*row)
        for row in discharge_qs.values_list(
            "episode_id", "client_id", "discharged_on", "status", "overall_result", "intensity"
        )
    ]
    # Readmissions: any later episode of the clients discharged as completed, at any site,
    # except one withdrawn before treatment (an inquiry that came to nothing).
    completed_clients = discharge_qs.filter(status=kpis.COMPLETED).values("client_id")
    openings = kpis.openings_by_client(
        kpis.OpeningRow(*row)
        for row in Episode.objects.filter(
            organisation_id__in=org_ids,
            client_id__in=completed_clients,
            opened_on__gt=start,
            opened_on__lte=end + year,
        )
        .exclude(state=EpisodeState.WITHDRAWN)
        .values_list("id", "client_id", "opened_on")
    )
    starts = [
        kpis.StartRow(*row)
        for row in _scoped(
            Episode.objects.filter(started_on__gte=start, started_on__lte=end),
            org_ids,
            site_id,
            "site_id",
        ).values_list("id", "opened_on", "started_on")
    ]
    guarantees: list[kpis.GuaranteeRow] = []
    first_contacts: list[kpis.FirstContactRow] = []
    on_time: dict[str, list[kpis.DeadlineRow]] = {key: [] for key in ON_TIME_KINDS.values()}
    deadline_qs = _scoped(
        Deadline.objects.filter(
            kind__in=[DeadlineKind.FIRST_CONTACT, DeadlineKind.TREATMENT_START, *ON_TIME_KINDS],
            due_on__gte=start,
            due_on__lte=end,
        ),
        org_ids,
        site_id,
        "site_id",
    )
    # The first contact's time only on first-contact rows: Django parses every timestamp it
    # reads in Python, and at national scale that was a quarter of a second of deadlines that
    # never use it (docs/performance.md).
    deadline_qs = deadline_qs.annotate(
        contact_at=Case(
            When(kind=DeadlineKind.FIRST_CONTACT, then=F("episode__first_contact_at")),
            default=None,
            output_field=DateTimeField(),
        )
    )
    for episode_id, org_id, kind, due_on, status, closed_on, contact_at in deadline_qs.values_list(
        "episode_id",
        "organisation_id",
        "kind",
        "due_on",
        "status",
        "closed_on",
        "contact_at",
    ):
        if kind == DeadlineKind.TREATMENT_START:
            if figure_applies("treatment_guarantee", packs[org_id]):
                guarantees.append(kpis.GuaranteeRow(episode_id, due_on, status, closed_on))
        elif kind == DeadlineKind.FIRST_CONTACT:
            if figure_applies("first_contact", packs[org_id]):
                first_contacts.append(
                    kpis.FirstContactRow(
                        episode_id,
                        due_on,
                        status,
                        None if contact_at is None else contact_at.astimezone(zones[org_id]).date(),
                    )
                )
        else:
            on_time[ON_TIME_KINDS[kind]].append(
                kpis.DeadlineRow(episode_id, due_on, status, closed_on)
            )

    attendance_qs = Attendance.objects.filter(
        session__organisation_id__in=org_ids, session__on__gte=start, session__on__lte=end
    )
    if site_id is not None:
        attendance_qs = attendance_qs.annotate(
            at_site=Coalesce(F("session__course__site_id"), F("enrolment__episode__site_id"))
        ).filter(at_site=site_id)
    # Attendance is the longest table: counted in the database, per episode only when a
    # drill-down needs the episodes behind a no-show rate.
    columns = ["enrolment__offer__name", "enrolment__episode_id", "status"]
    if not attendance_episodes:
        columns.remove("enrolment__episode_id")
    attendance = [
        kpis.AttendanceRow(*row)
        if attendance_episodes
        else kpis.AttendanceRow(row[0], None, *row[1:])
        for row in attendance_qs.filter(status__in=["attended", "absent"])
        .values_list(*columns)
        .annotate(n=Count("id"))
        .order_by()
    ]
    # APT-1: individual appointments are one more row of the no-show figure (a no-show is an
    # absence without notice; cancellations are left out, as cancellations with notice are).
    appointments_row = str(NO_SHOW_ROW)
    attendance += [
        kpis.AttendanceRow(
            appointments_row, episode_id, "absent" if status == "no_show" else "attended", n
        )
        for episode_id, status, n in no_show_counts(
            organisation_ids=org_ids,
            site_id=site_id,
            start=start,
            end=end,
            with_episodes=attendance_episodes,
        )
    ]
    enrolment_qs = Enrolment.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start),
        organisation_id__in=org_ids,
        starts_on__lte=end,
    )
    if site_id is not None:
        enrolment_qs = enrolment_qs.annotate(
            at_site=Coalesce(F("course__site_id"), F("episode__site_id"))
        ).filter(at_site=site_id)
    enrolments = [
        kpis.EnrolmentRow(*row)
        for row in enrolment_qs.values_list(
            "offer__name", "client_id", "episode_id", "client__birth_date"
        )
    ]
    return Rows(
        discharges,
        openings,
        starts,
        guarantees,
        first_contacts,
        on_time,
        attendance,
        enrolments,
        shared_targets([packs[o] for o in org_ids]),
        figures_shown([packs[o] for o in org_ids]),
    )


def shared_targets(packs: Sequence[RulePack]) -> dict[str, float]:
    """The outcome targets of the organisations in scope: a figure has a target only when every
    organisation has the same one (a target is an organisation's, seed 002 §2); one without a
    target, or two with different ones, show the figure without."""
    if not packs:
        return {}
    result: dict[str, float] = {}
    for key, target in packs[0].outcome_targets.items():
        if all(p.outcome_targets.get(key) == target for p in packs[1:]):
            result[key] = target.share
    return result


def figures_for(
    rows: Rows, *, start: datetime.date, end: datetime.date, today: datetime.date
) -> dict[str, Figure]:
    figures = {
        "goal_attainment_all": kpis.goal_attainment(
            rows.discharges, start=start, end=end, target=rows.targets.get("goal_attainment")
        ),
        "goal_attainment_completed": kpis.goal_attainment(
            rows.discharges,
            start=start,
            end=end,
            completed_only=True,
            target=rows.targets.get("goal_attainment"),
        ),
        "readmission": kpis.readmission(
            rows.discharges,
            rows.openings,
            start=start,
            end=end,
            today=today,
            target=rows.targets.get("readmission"),
        ),
        "treatment_guarantee": kpis.treatment_guarantee(
            rows.guarantees, start=start, end=end, today=today
        ),
        "first_contact": kpis.first_contact(rows.first_contacts, start=start, end=end, today=today),
    }
    for key, deadline_rows in rows.on_time.items():
        figures[key] = kpis.deadlines_on_time(key, deadline_rows, start=start, end=end, today=today)
    return figures


def by_month(rows: Rows, start: datetime.date, end: datetime.date) -> list[Rows]:
    """The rows split by the calendar month of the day each figure counts them by (discharge,
    start, due day), so that the monthly series read every row once, not once a month."""
    index = {(m.year, m.month): i for i, (m, _end) in enumerate(kpis.months(start, end))}
    n = len(index)
    discharges: list[list[kpis.DischargeRow]] = [[] for _ in range(n)]
    starts: list[list[kpis.StartRow]] = [[] for _ in range(n)]
    guarantees: list[list[kpis.GuaranteeRow]] = [[] for _ in range(n)]
    contacts: list[list[kpis.FirstContactRow]] = [[] for _ in range(n)]
    on_time: list[dict[str, list[kpis.DeadlineRow]]] = [
        {key: [] for key in rows.on_time} for _ in range(n)
    ]
    for d in rows.discharges:
        discharges[index[(d.discharged_on.year, d.discharged_on.month)]].append(d)
    for s in rows.starts:
        starts[index[(s.started_on.year, s.started_on.month)]].append(s)
    for g in rows.guarantees:
        guarantees[index[(g.due_on.year, g.due_on.month)]].append(g)
    for c in rows.first_contacts:
        contacts[index[(c.due_on.year, c.due_on.month)]].append(c)
    for key, deadline_rows in rows.on_time.items():
        for r in deadline_rows:
            on_time[index[(r.due_on.year, r.due_on.month)]][key].append(r)
    return [
        Rows(
            discharges[i],
            rows.openings,
            starts[i],
            guarantees[i],
            contacts[i],
            on_time[i],
            [],
            [],
            rows.targets,
            rows.shown,
        )
        for i in range(n)
    ]


def kpi_report(
    *,
    organisation_ids: Sequence[int] | None,
    site_id: int | None,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    with_series: bool = True,
    attendance_episodes: bool = False,
) -> KpiReport:
    """Every outcome figure for the organisations (None: all of them), a site (None: every
    site) and the period ``start``..``end``, as known on ``today``; with the monthly series
    for the charts (the same definitions, each month of the period its own period)."""
    rows = fetch_rows(
        organisation_ids=organisation_ids,
        site_id=site_id,
        start=start,
        end=end,
        attendance_episodes=attendance_episodes,
    )
    series: dict[str, list[tuple[datetime.date, Figure]]] = {}
    if with_series:
        monthly = [
            (month_start, figures_for(bucket, start=month_start, end=month_end, today=today))
            for (month_start, month_end), bucket in zip(
                kpis.months(start, end), by_month(rows, start, end), strict=True
            )
        ]
        series = {key: [(m, figs[key]) for m, figs in monthly] for key in KPI_KEYS}
    return KpiReport(
        organisation_ids=None if organisation_ids is None else tuple(organisation_ids),
        site_id=site_id,
        start=start,
        end=end,
        today=today,
        figures=figures_for(rows, start=start, end=end, today=today),
        waiting=kpis.waiting_time(rows.starts, start=start, end=end),
        no_show=kpis.no_show_by_offer(rows.attendance),
        clients=kpis.clients_by_offer_and_age(rows.enrolments, end=end),
        series=series,
        shown=rows.shown,
    )


def drill_ids(report: KpiReport, key: str, part: str) -> list[int] | None:
    """The episode ids behind one number of the report; None for an unknown key.

    ``key`` is a figure key, ``waiting_time``, ``no_show:<offer>`` or
    ``clients:<offer>:<band>``; ``part`` is ``numerator`` or ``denominator``."""
    if key == "waiting_time":
        return list(report.waiting.episode_ids)
    if key.startswith("clients:"):
        _prefix, _sep, rest = key.partition(":")
        offer, _sep, band = rest.rpartition(":")
        for cell in report.clients:
            if cell.offer == offer and cell.band == band:
                return list(cell.episode_ids)
        return []
    figure: Figure | None
    if key.startswith("no_show:"):
        figure = report.no_show.get(key.partition(":")[2])
        if figure is None:
            return []
    else:
        figure = report.figures.get(key)
    if figure is None or part not in ("numerator", "denominator"):
        return None
    return list(figure.numerator_ids if part == "numerator" else figure.denominator_ids)


def kpi_episodes(
    *,
    organisation_ids: Sequence[int] | None,
    site_id: int | None,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    key: str,
    part: str = "denominator",
) -> list[int] | None:
    """The ids of the episodes behind one number (in id order); page them, then read one
    page with :func:`episodes_page`."""
    report = kpi_report(
        organisation_ids=organisation_ids,
        site_id=site_id,
        start=start,
        end=end,
        today=today,
        with_series=False,
        attendance_episodes=key.startswith("no_show:"),
    )
    return drill_ids(report, key, part)


def episodes_page(ids: Sequence[int]) -> list[Episode]:
    """One page of a drill-down: the episodes with their client and site, one query."""
    by_id = {
        e.pk: e
        for e in Episode.objects.filter(pk__in=list(ids)).select_related(
            "client", "site", "organisation"
        )
    }
    return [by_id[pk] for pk in ids if pk in by_id]
