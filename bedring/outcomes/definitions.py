"""What a figure counts, defined once for the two ways of computing it: the Python rows of
``kpis`` and the SQL of ``sql``. Pure: no ORM, no Django; each definition is a predicate on
plain values plus the same predicate as an SQL fragment over a table alias.

The status values are those of ``pathway.models.episode.DeadlineStatus`` and
``pathway.models.discharge.OverallResult``, spelled as the stored strings so that this module
stays importable without the models.
"""

from __future__ import annotations

import datetime

# DIS-3: the overall results at discharge that count as "reached their goal".
GOAL_REACHED = ("drug_free", "reduced")

# Deadline statuses (DeadlineStatus): "missed" is "met late".
MET = "met"
MET_LATE = "missed"
OPEN = "open"


def goal_reached(overall_result: str) -> bool:
    """DIS-3: the discharge's overall result is drug-free or reduced use."""
    return overall_result in GOAL_REACHED


def goal_reached_sql(alias: str) -> str:
    values = ", ".join(f"'{value}'" for value in GOAL_REACHED)
    return f"{alias}.overall_result IN ({values})"


def met_on_time(status: str, due_on: datetime.date, closed_on: datetime.date | None) -> bool:
    """A deadline met on time: closed as met, or closed on or before its due day."""
    return status == MET or (status == MET_LATE and closed_on is not None and closed_on <= due_on)


def met_on_time_sql(alias: str) -> str:
    return (
        f"({alias}.status = '{MET}' OR ({alias}.status = '{MET_LATE}' "
        f"AND {alias}.closed_on <= {alias}.due_on))"
    )


def owed_by(status: str, due_on: datetime.date, today: datetime.date) -> bool:
    """A deadline that counts for "on time": met, met late, or still open and overdue (one due
    today is not late yet). Waived and cancelled deadlines count nowhere."""
    return status in (MET, MET_LATE) or (status == OPEN and due_on < today)


def owed_by_sql(alias: str) -> str:
    """The same, with one ``%s`` parameter for today."""
    return (
        f"({alias}.status IN ('{MET}', '{MET_LATE}') "
        f"OR ({alias}.status = '{OPEN}' AND {alias}.due_on < %s))"
    )
