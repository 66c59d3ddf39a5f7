"""Missed doses and the hold (MED-2): after the rule pack's number of missed days in a row
an active prescription is put on hold, with a review task for a doctor on the worklist."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bedring.accounts.selectors import SiteCalendar, rules_for
from bedring.pathway.deadlines import DeadlineSpec
from bedring.pathway.models.episode import DeadlineKind
from bedring.pathway.selectors import open_episode
from bedring.pathway.services.episode import deadline_open, record_event

from .. import rules
from ..models import (
    Dispensing,
    DispensingKind,
    Prescription,
    PrescriptionStatus,
    PrescriptionVersion,
)
from .common import _show, prescription_for_update

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
    with transaction.atomic():
        locked = prescription_for_update(prescription)
        # A review since the run was counted (a desk page loaded before it) has the last word.
        if locked.status != PrescriptionStatus.ACTIVE or since < locked.doses_counted_from:
            return False
        locked.status = PrescriptionStatus.ON_HOLD
        locked.held_since = today
        locked.hold_reason = str(HOLD_REASON % {"count": missed, "since": _show(since)})[:300]
        locked.save(update_fields=["status", "held_since", "hold_reason", "updated_at"])
        episode = open_episode(locked.client)
        if episode is not None:
            deadline_open(
                episode=episode,
                spec=DeadlineSpec(
                    kind=DeadlineKind.PRESCRIPTION_REVIEW,
                    due_on=today,
                    basis={"rule": "missed_dose_hold_days", "value": missed, "req": "MED-2"},
                ),
                subject_id=locked.pk,
            )
            record_event(
                episode=episode,
                actor=None,
                kind="prescription_hold",
                summary=locked.hold_reason,
                data={"prescription": str(locked.uuid), "missed": missed},
            )
    prescription.status = PrescriptionStatus.ON_HOLD
    prescription.held_since = today
    prescription.hold_reason = locked.hold_reason
    return True


def covered_days(prescription: Prescription, since: datetime.date) -> set[datetime.date]:
    return set(
        Dispensing.objects.filter(prescription=prescription, day__gte=since)
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
