"""The benchmark baseline: one hand-written SQL query per outcome figure, with the same
definitions as :mod:`bedring.outcomes.kpis` (a test asserts that both agree on SQLite and
PostgreSQL). Only numbers come back, no ids: this is what the figures cost at the least.

The rule pack values (which organisations have a start guarantee or a first-contact rule) come
from the packs in Python, as in the selectors; only the date arithmetic differs per dialect.
"""

# ruff: noqa: S608 - the SQL text is built from constants and %s placeholders only; every
# value (ids, dates, rule pack days) is a query parameter.
from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import connection

from bedring.accounts.models import Organisation
from bedring.accounts.selectors import rules_for
from bedring.appointments.selectors import NO_SHOW_ROW

from . import kpis
from .definitions import goal_reached_sql, met_on_time_sql, owed_by_sql


def _in(column: str, values: Sequence[int]) -> tuple[str, list[Any]]:
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _days(later: str, earlier: str) -> str:
    """Whole days from ``earlier`` to ``later`` (two date columns)."""
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _local_date(column: str, zone_column: str) -> str:
    """The local day of a timestamp in the organisation's time zone."""
    if connection.vendor == "postgresql":
        return f"(({column}) AT TIME ZONE {zone_column})::date"
    # Django registers this function on every SQLite connection (it backs TruncDate).
    return f"django_datetime_cast_date({column}, {zone_column}, 'UTC')"


def _age(birth_column: str) -> tuple[str, list[Any]]:
    """Age on a day given as two parameters (year, 'MM-DD')."""
    if connection.vendor == "postgresql":
        year, month_day = f"EXTRACT(YEAR FROM {birth_column})", f"to_char({birth_column}, 'MM-DD')"
    else:
        year = f"CAST(strftime('%%Y', {birth_column}) AS INTEGER)"
        month_day = f"strftime('%%m-%%d', {birth_column})"
    return f"(%s - {year} - CASE WHEN %s < {month_day} THEN 1 ELSE 0 END)", []


def _one(sql: str, params: Sequence[Any]) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        row = cursor.fetchone()
    return tuple(row) if row else ()


def _all(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return [tuple(r) for r in cursor.fetchall()]


def _pair(row: tuple[Any, ...]) -> tuple[int, int]:
    return int(row[0] or 0), int(row[1] or 0)


def kpi_report_sql(
    *,
    organisation_ids: Sequence[int] | None,
    site_id: int | None,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
) -> dict[str, Any]:
    """``{figure key: (numerator, denominator)}``, ``waiting_time: (count, median, p90)``,
    ``no_show: {offer: (absent, booked)}``, ``clients: {(offer, band): clients}``."""
    qs = Organisation.objects.only("id", "jurisdiction", "rule_overrides")
    if organisation_ids is not None:
        qs = qs.filter(pk__in=list(organisation_ids))
    packs = {o.pk: rules_for(o) for o in qs}
    org_ids = sorted(packs)
    site_sql, site_params = ("", []) if site_id is None else (" AND {t}.site_id = %s", [site_id])
    result: dict[str, Any] = {}

    # Goal attainment (both variants): outpatient discharges in the period.
    orgs, org_params = _in("d.organisation_id", org_ids)
    for key, status_sql in (
        ("goal_attainment_all", ""),
        ("goal_attainment_completed", " AND d.status = 'completed'"),
    ):
        result[key] = _pair(
            _one(
                f"SELECT SUM(CASE WHEN {goal_reached_sql('d')} THEN 1 "
                "ELSE 0 END), COUNT(*) FROM pathway_discharge d "
                f"WHERE {orgs} AND d.intensity = 'outpatient' "
                f"AND d.discharged_on BETWEEN %s AND %s{status_sql}" + site_sql.format(t="d"),
                [*org_params, start, end, *site_params],
            )
        )

    # Readmission within 365 days (not a withdrawn inquiry), cohorts whose 365 days have passed.
    e_orgs, e_params = _in("e.organisation_id", org_ids)
    result["readmission"] = _pair(
        _one(
            "SELECT SUM(CASE WHEN EXISTS (SELECT 1 FROM pathway_episode e "
            f"WHERE e.client_id = d.client_id AND {e_orgs} AND e.state <> 'withdrawn' "
            f"AND e.opened_on > d.discharged_on AND {_days('e.opened_on', 'd.discharged_on')} "
            "<= %s) THEN 1 ELSE 0 END), COUNT(*) FROM pathway_discharge d "
            f"WHERE {orgs} AND d.status = 'completed' AND d.discharged_on BETWEEN %s AND %s "
            "AND d.discharged_on < %s" + site_sql.format(t="d"),
            [
                *e_params,
                kpis.READMISSION_DAYS,
                *org_params,
                start,
                end,
                today - datetime.timedelta(days=kpis.READMISSION_DAYS),
                *site_params,
            ],
        )
    )

    # Treatment guarantee (DK): TREATMENT_START deadlines due in the period, met or overdue.
    guaranteed = sorted(pk for pk, p in packs.items() if p.start_guarantee_days)
    g_orgs, g_params = _in("dl.organisation_id", guaranteed)
    result["treatment_guarantee"] = _pair(
        _one(
            f"SELECT SUM(CASE WHEN {met_on_time_sql('dl')} THEN 1 ELSE 0 END), COUNT(*) "
            f"FROM pathway_deadline dl WHERE {g_orgs} AND dl.kind = 'treatment_start' "
            f"AND dl.due_on BETWEEN %s AND %s AND {owed_by_sql('dl')}" + site_sql.format(t="dl"),
            [*g_params, start, end, today, *site_params],
        )
    )

    # First contact (NO): FIRST_CONTACT deadlines due in the period, contacted or overdue.
    contact_orgs = sorted(pk for pk, p in packs.items() if p.first_contact_working_days)
    c_orgs, c_params = _in("dl.organisation_id", contact_orgs)
    local = _local_date("e.first_contact_at", "o.time_zone")
    result["first_contact"] = _pair(
        _one(
            f"SELECT SUM(CASE WHEN e.first_contact_at IS NOT NULL AND {local} <= dl.due_on "
            "THEN 1 ELSE 0 END), COUNT(*) FROM pathway_deadline dl "
            "JOIN pathway_episode e ON e.id = dl.episode_id "
            "JOIN accounts_organisation o ON o.id = dl.organisation_id "
            f"WHERE {c_orgs} AND dl.kind = 'first_contact' AND dl.due_on BETWEEN %s AND %s "
            "AND dl.status NOT IN ('waived', 'cancelled') "
            "AND (e.first_contact_at IS NOT NULL OR dl.due_on < %s)" + site_sql.format(t="dl"),
            [*c_params, start, end, today, *site_params],
        )
    )

    # Plan evaluations and follow-ups on time.
    dl_orgs, dl_params = _in("dl.organisation_id", org_ids)
    for key, kind in (("plan_evaluation", "plan_evaluation"), ("follow_up", "discharge_follow_up")):
        result[key] = _pair(
            _one(
                f"SELECT SUM(CASE WHEN {met_on_time_sql('dl')} THEN 1 ELSE 0 END), COUNT(*) "
                f"FROM pathway_deadline dl WHERE {dl_orgs} AND dl.kind = %s "
                f"AND dl.due_on BETWEEN %s AND %s AND {owed_by_sql('dl')}"
                + site_sql.format(t="dl"),
                [*dl_params, kind, start, end, today, *site_params],
            )
        )

    # Waiting time: nearest-rank median and 90th percentile by window functions.
    all_orgs, all_params = _in("e.organisation_id", org_ids)
    row = _one(
        "SELECT MAX(n), MIN(CASE WHEN rn >= (n * 50 + 99) / 100 THEN w END), "
        "MIN(CASE WHEN rn >= (n * 90 + 99) / 100 THEN w END) FROM ("
        "SELECT w, ROW_NUMBER() OVER (ORDER BY w) AS rn, COUNT(*) OVER () AS n FROM ("
        f"SELECT {_days('e.started_on', 'e.opened_on')} AS w FROM pathway_episode e "
        f"WHERE {all_orgs} AND e.started_on BETWEEN %s AND %s"
        + site_sql.format(t="e")
        + ") waits) ranked",
        [*all_params, start, end, *site_params],
    )
    result["waiting_time"] = (
        int(row[0] or 0),
        None if row[1] is None else int(row[1]),
        None if row[2] is None else int(row[2]),
    )

    # No-show per offer: sessions in the period, absent over attended + absent.
    s_orgs, s_params = _in("s.organisation_id", org_ids)
    at_site = "" if site_id is None else " AND COALESCE(c.site_id, ep.site_id) = %s"
    result["no_show"] = {
        offer: (int(absent or 0), int(booked))
        for offer, absent, booked in _all(
            "SELECT o.name, SUM(CASE WHEN a.status = 'absent' THEN 1 ELSE 0 END), COUNT(*) "
            "FROM catalogue_attendance a JOIN catalogue_session s ON s.id = a.session_id "
            "JOIN catalogue_enrolment en ON en.id = a.enrolment_id "
            "JOIN catalogue_offer o ON o.id = en.offer_id "
            "LEFT JOIN catalogue_course c ON c.id = s.course_id "
            "LEFT JOIN pathway_episode ep ON ep.id = en.episode_id "
            f'WHERE {s_orgs} AND s."on" BETWEEN %s AND %s '
            f"AND a.status IN ('attended', 'absent'){at_site} GROUP BY o.name",
            [*s_params, start, end, *site_params],
        )
    }
    # APT-1: individual appointments, one more row (a no-show over attended + no-show).
    ap_orgs, ap_params = _in("ap.organisation_id", org_ids)
    absent, booked = _pair(
        _one(
            "SELECT SUM(CASE WHEN ap.status = 'no_show' THEN 1 ELSE 0 END), COUNT(*) "
            f'FROM appointments_appointment ap WHERE {ap_orgs} AND ap."on" BETWEEN %s AND %s '
            "AND ap.status IN ('attended', 'no_show')" + site_sql.format(t="ap"),
            [*ap_params, start, end, *site_params],
        )
    )
    if booked:
        result["no_show"][str(NO_SHOW_ROW)] = (absent, booked)

    # Clients by offer and age band (age on the last day of the period).
    age_sql, _unused = _age("cl.birth_date")
    bands = " ".join(
        f"WHEN {age_sql} BETWEEN {low} AND {high if high is not None else 1000} THEN '{band}'"
        for band, low, high in kpis.AGE_BANDS
    )
    band_params = [v for _ in kpis.AGE_BANDS for v in (end.year, end.strftime("%m-%d"))]
    en_orgs, en_params = _in("en.organisation_id", org_ids)
    at_site = "" if site_id is None else " AND COALESCE(c.site_id, ep.site_id) = %s"
    result["clients"] = {
        (offer, band): int(count)
        for offer, band, count in _all(
            "SELECT offer, band, COUNT(DISTINCT client_id) FROM ("
            "SELECT o.name AS offer, en.client_id AS client_id, "
            f"CASE WHEN cl.birth_date IS NULL THEN 'unknown' {bands} ELSE 'unknown' END AS band "
            "FROM catalogue_enrolment en JOIN catalogue_offer o ON o.id = en.offer_id "
            "JOIN clients_client cl ON cl.id = en.client_id "
            "LEFT JOIN catalogue_course c ON c.id = en.course_id "
            "LEFT JOIN pathway_episode ep ON ep.id = en.episode_id "
            f"WHERE {en_orgs} AND en.starts_on <= %s "
            f"AND (en.ended_on IS NULL OR en.ended_on >= %s){at_site}"
            ") cells GROUP BY offer, band",
            [*band_params, *en_params, end, start, *site_params],
        )
    }
    return result
