"""Pure appointment rules (APT-1, APT-2): lengths, who may hold which kind, the offer
deadline a request opens, and whether an appointment lies within a site's opening hours.
No ORM: the services read the data and store what these return."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from bedring.core.hours import WeeklyHours, closing_time, is_open_at
from bedring.core.roles import CLINICAL, Role
from bedring.pathway.deadlines import DeadlineSpec
from bedring.rules.packs import RulePack

# An appointment lasts at least this long and at most a working day (a responsibility group
# meeting or a home visit with travel included); anything else is a typing error.
MIN_MINUTES = 5
MAX_MINUTES = 8 * 60
# A start this far in the past is still "now" (a walk-in conversation booked as it begins);
# an earlier one is refused as in the past.
PAST_GRACE = datetime.timedelta(minutes=5)
# Nothing is booked further ahead than this (a year typed as 2062 is a typing error).
MAX_AHEAD = datetime.timedelta(days=2 * 366)

# Kinds that need a staff member of a profession; the other kinds take any clinical role.
KIND_ROLES: dict[str, frozenset[str]] = {
    "doctor": frozenset({Role.DOCTOR}),
    "psychologist": frozenset({Role.PSYCHOLOGIST}),
    "nurse": frozenset({Role.NURSE, Role.STREET_NURSE}),
}


def is_clinical(roles: list[str] | tuple[str, ...]) -> bool:
    return bool(set(roles) & CLINICAL)


def may_hold(kind: str, roles: list[str] | tuple[str, ...]) -> bool:
    """A staff member with ``roles`` may hold an appointment of ``kind``: a clinical role, and
    for a doctor, psychologist or nurse appointment that profession."""
    needed = KIND_ROLES.get(kind)
    return is_clinical(roles) and (needed is None or bool(set(roles) & needed))


def offer_deadline(rules: RulePack, kind: str, requested_on: datetime.date) -> DeadlineSpec | None:
    """APT-2: the APPOINTMENT_OFFER deadline a request of ``kind`` opens under the
    organisation's pack (Sandnes: a psychologist within 7 calendar days), or None."""
    rule = rules.appointment_offer.get(kind)  # type: ignore[call-overload]
    if rule is None:
        return None
    return DeadlineSpec(
        "appointment_offer",
        requested_on + datetime.timedelta(days=rule.days),
        {"rule": "appointment_offer", "value": rule.days, "kind": kind, "req": "APT-2"},
    )


def within_opening_hours(
    hours: WeeklyHours,
    start: datetime.datetime,
    end: datetime.datetime,
    is_closed_day: Callable[[datetime.date], bool],
) -> bool:
    """The site is open at the (naive, local) ``start`` and stays open until ``end``:
    touching intervals count as one opening (``closing_time``)."""
    if not is_open_at(hours, start, is_closed_day):
        return False
    closes = closing_time(hours, start, is_closed_day)
    return closes is not None and end <= closes
