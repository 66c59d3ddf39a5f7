"""Missed doses and the hold (MED-2): after the rule pack's number of missed days in a row
an active prescription is put on hold, with a review task for a doctor on the worklist."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bedring.accounts.selectors import SiteCalendar, rules_for
from bedring.audit.bulk import change_log_in_bulk
from bedring.core import clock
from bedring.pathway.models import Deadline, Episode, EpisodeEvent
from bedring.pathway.models.episode import DeadlineKind
from bedring.pathway.states import OPEN_STATES

from .. import rules
from ..models import (
    Dispensing,
    DispensingKind,
    Prescription,
    PrescriptionStatus,
    PrescriptionVersion,
)
from .common import _show

HOLD_REASON = _(
    "%(count)s doses missed in a row since %(since)s: a doctor reviews before the next dose."
)


def missed_doses(
    *,
    prescription: Prescription,
    version: PrescriptionVersion,
    covered: Iterable[datetime.date],
    calendar: SiteCalendar,
    today: datetime.date,
    limit: int,
) -> tuple[int, datetime.date | None]:
    week = rules.DoseWeek(
        frozenset(version.supervised_weekdays), frozenset(version.take_home_weekdays)
    )
    return rules.missed_in_a_row(
        today=today,
        counted_from=max(prescription.doses_counted_from, version.starts_on),
        week=week,
        ends_on=version.ends_on,
        covered=frozenset(covered),
        desk_open=rules.desk_open_on(calendar),
        limit=limit,
    )


def hold_for_missed_doses(
    *, prescription: Prescription, missed: int, since: datetime.date, today: datetime.date
) -> bool:
    """MED-2: put an active prescription on hold after the rule pack's number of missed
    days in a row (``missed_dose_hold_days``, default 3), with a review task for a doctor on
    the worklist. Idempotent; its own transaction, so a refusal that follows keeps the hold.
    Answers whether the hold was put now."""
    run = MissedRun(prescription=prescription, missed=missed, since=since)
    return bool(holds_for_missed_doses(runs=[run], today=today))


@dataclass(frozen=True)
class MissedRun:
    """A prescription's run of missed days, as counted by the caller."""

    prescription: Prescription
    missed: int
    since: datetime.date


def holds_for_missed_doses(*, runs: Iterable[MissedRun], today: datetime.date) -> set[int]:
    """MED-2: :func:`hold_for_missed_doses` for many prescriptions at once (the desk's first
    visit after a long weekend may hold dozens), in a number of queries that does not grow
    with their number. The change log gets what a save of each row would have written. The
    ``prescription`` objects of the runs held are updated in place. Answers the ids held."""
    runs = list(runs)
    if not runs:
        return set()
    with transaction.atomic():
        locked = {
            row.pk: row
            for row in Prescription.objects.select_for_update(of=("self",))
            .select_related("medicine")
            .filter(pk__in=[run.prescription.pk for run in runs])
        }
        held: list[tuple[Prescription, Prescription, MissedRun]] = []
        for run in runs:
            row = locked.get(run.prescription.pk)
            # A review since the run was counted (a desk page loaded before it) has the last
            # word.
            if row is None or row.status != PrescriptionStatus.ACTIVE:
                continue
            if run.since < row.doses_counted_from:
                continue
            before = copy.copy(row)
            row.status = PrescriptionStatus.ON_HOLD
            row.held_since = today
            row.hold_reason = str(HOLD_REASON % {"count": run.missed, "since": _show(run.since)})[
                :300
            ]
            row.updated_at = clock.now()
            held.append((before, row, run))
        if not held:
            return set()
        Prescription.objects.bulk_update(
            [row for _, row, _ in held], ["status", "held_since", "hold_reason", "updated_at"]
        )
        episodes = {
            episode.client_id: episode
            for episode in Episode.objects.filter(
                client_id__in={row.client_id for _, row, _ in held}, state__in=OPEN_STATES
            )
        }
        deadlines: list[Deadline] = []
        events: list[EpisodeEvent] = []
        for _before, row, run in held:
            episode = episodes.get(row.client_id)
            if episode is None:
                continue
            deadlines.append(
                Deadline(
                    episode=episode,
                    client_id=episode.client_id,
                    organisation_id=episode.organisation_id,
                    site_id=episode.site_id,
                    responsible_id=episode.responsible_id,
                    kind=DeadlineKind.PRESCRIPTION_REVIEW,
                    due_on=today,
                    basis={"rule": "missed_dose_hold_days", "value": run.missed, "req": "MED-2"},
                    subject_id=row.pk,
                )
            )
            events.append(
                EpisodeEvent(
                    episode=episode,
                    client_id=episode.client_id,
                    actor=None,
                    kind="prescription_hold",
                    summary=row.hold_reason[:300],
                    data={"prescription": str(row.uuid), "missed": run.missed},
                )
            )
        Deadline.objects.bulk_create(deadlines)
        EpisodeEvent.objects.bulk_create(events)
        change_log_in_bulk(
            [(before, row) for before, row, _ in held] + [(None, d) for d in deadlines]
        )
    for _before, row, run in held:
        run.prescription.status = row.status
        run.prescription.held_since = row.held_since
        run.prescription.hold_reason = row.hold_reason
    return {row.pk for _, row, _ in held}


def covered_days(prescription: Prescription, since: datetime.date) -> set[datetime.date]:
    return set(
        Dispensing.objects.given()
        .filter(prescription=prescription, day__gte=since)
        .exclude(kind=DispensingKind.EXCEPTION)
        .values_list("day", flat=True)
    )


def apply_hold_if_due(
    *,
    prescription: Prescription,
    version: PrescriptionVersion,
    calendar: SiteCalendar,
    today: datetime.date,
    covered: Iterable[datetime.date] | None = None,
) -> bool:
    """Count the prescription's missed days and hold it if the rule pack's limit is reached."""
    if prescription.status != PrescriptionStatus.ACTIVE:
        return False
    limit = rules_for(prescription.organisation).missed_dose_hold_days
    if covered is None:
        since = today - datetime.timedelta(days=rules.lookback_days(limit))
        covered = covered_days(prescription, since)
    missed, since_day = missed_doses(
        prescription=prescription,
        version=version,
        covered=covered,
        calendar=calendar,
        today=today,
        limit=limit,
    )
    if missed >= limit and since_day is not None:
        return hold_for_missed_doses(
            prescription=prescription, missed=missed, since=since_day, today=today
        )
    return False


# --- dispensing (MED-2, MED-6) -------------------------------------------------------------
