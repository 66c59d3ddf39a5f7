"""'Goal reached' and 'met on time' are defined once; the Python and SQL spellings agree."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from bedring.outcomes.definitions import (
    goal_reached,
    goal_reached_sql,
    met_on_time,
    met_on_time_sql,
    owed_by,
    owed_by_sql,
)

D = datetime.date
DUE = D(2026, 3, 10)
# A date parameter in a derived table: PostgreSQL types an untyped NULL there as text, which
# does not compare with a date; SQLite keeps dates as ISO text.
DAY = "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "closed_on", "expected"),
    [
        ("met", DUE, True),
        ("missed", DUE + datetime.timedelta(days=1), False),
        ("missed", DUE, True),  # closed by its due day: on time, whatever the status says
        ("missed", None, False),
        ("open", None, False),
        ("waived", DUE, False),
    ],
)
def test_met_on_time_in_python_and_sql(status, closed_on, expected):
    assert met_on_time(status, DUE, closed_on) is expected
    sql = met_on_time_sql("t")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT CASE WHEN {sql} THEN 1 ELSE 0 END FROM "  # noqa: S608
            f"(SELECT %s AS status, {DAY} AS closed_on, {DAY} AS due_on) AS t",
            [status, closed_on, DUE],
        )
        assert bool(cursor.fetchone()[0]) is expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "due_on", "expected"),
    [
        ("met", DUE, True),
        ("missed", DUE, True),
        ("open", DUE - datetime.timedelta(days=1), True),  # overdue
        ("open", DUE, False),  # due today: not late yet
        ("waived", DUE - datetime.timedelta(days=1), False),
        ("cancelled", DUE - datetime.timedelta(days=1), False),
    ],
)
def test_owed_by_in_python_and_sql(status, due_on, expected):
    assert owed_by(status, due_on, DUE) is expected
    sql = owed_by_sql("t").replace("%s", DAY)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT CASE WHEN {sql} THEN 1 ELSE 0 END FROM "  # noqa: S608
            f"(SELECT %s AS status, {DAY} AS due_on) AS t",
            [DUE, status, due_on],  # the fragment's today comes first
        )
        assert bool(cursor.fetchone()[0]) is expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("result", "expected"),
    [("drug_free", True), ("reduced", True), ("stabilised", False), ("not_reached", False)],
)
def test_goal_reached_in_python_and_sql(result, expected):
    assert goal_reached(result) is expected
    sql = goal_reached_sql("t")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT CASE WHEN {sql} THEN 1 ELSE 0 END FROM "  # noqa: S608
            "(SELECT %s AS overall_result) AS t",
            [result],
        )
        assert bool(cursor.fetchone()[0]) is expected
