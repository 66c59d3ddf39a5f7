"""kpi_report on worlds built through the models, and its agreement with the hand-written SQL
baseline (bedring.outcomes.sql) on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bedring.outcomes import selectors
from bedring.outcomes.sql import kpi_report_sql

from .conftest import attend, deadline, discharge, episode, offer

D = datetime.date
YEAR = (D(2025, 1, 1), D(2025, 12, 31))
# The report's day is an argument of the selector, not the clock: a literal day.
REPORT_DAY = D(2026, 11, 23)


def report(org_ids: list[int] | None, site_id: int | None = None, **kw: Any):
    start, end = kw.pop("period", YEAR)
    return selectors.kpi_report(
        organisation_ids=org_ids, site_id=site_id, start=start, end=end, today=REPORT_DAY, **kw
    )


def test_small_world_figures_and_drill_down(org_dk, org_no, make_client, make_staff):
    """DIS-3, DIS-4, INT-5: a hand-counted world in Sønderborg (14-day guarantee)."""
    by = make_staff(org_dk, "manager")
    ann, bo, cy = make_client(org_dk), make_client(org_dk), make_client(org_dk)
    # Ann: completed on the last day of 2025, drug-free; back 365 days later (day 365: in).
    a1 = episode(ann, opened_on=D(2025, 1, 2), started_on=D(2025, 1, 16))  # day 14: on time
    discharge(a1, by, on=D(2025, 12, 31))
    # Not in the cohort: 31 Dec 2025 + 365 = 31 Dec 2026 is after REPORT_DAY.
    # Bo: completed 1 Jan 2025 (first day), reduced; back on day 366: not readmitted.
    b1 = episode(bo, opened_on=D(2024, 11, 1), started_on=D(2024, 11, 20))
    discharge(b1, by, on=D(2025, 1, 1), result="reduced")
    b2 = episode(bo, opened_on=D(2026, 1, 2), started_on=D(2026, 1, 20), state="active")
    # Cy: own wish, not reached, 31 Dec 2024 (the day before: out); started day 15 (late).
    c1 = episode(cy, opened_on=D(2025, 3, 1), started_on=D(2025, 3, 16))
    discharge(c1, by, on=D(2025, 6, 1), status="own_wish", result="not_reached")
    c0 = episode(cy, opened_on=D(2024, 1, 1), started_on=D(2024, 1, 5))
    discharge(c0, by, on=D(2024, 12, 31))
    # The guarantee by TREATMENT_START deadlines (inquiry + 14 days): Ann kept, Cy late,
    # Dan still waiting past his (counts against it), Eve chose another provider (left out).
    dan, eve = make_client(org_dk), make_client(org_dk)
    deadline(a1, "treatment_start", D(2025, 1, 16), "met", D(2025, 1, 16))
    deadline(c1, "treatment_start", D(2025, 3, 15), "missed", D(2025, 3, 16))
    d1 = episode(dan, opened_on=D(2025, 11, 1), state="decided")
    deadline(d1, "treatment_start", D(2025, 11, 15), "open")
    e1 = episode(eve, opened_on=D(2025, 5, 1), state="withdrawn", free_choice_on=D(2025, 5, 3))
    deadline(e1, "treatment_start", D(2025, 5, 15), "waived", D(2025, 5, 3))
    deadline(a1, "plan_evaluation", D(2025, 4, 2), "met")
    deadline(c1, "plan_evaluation", D(2025, 6, 1), "missed")
    deadline(c1, "plan_evaluation", D(2025, 9, 1), "waived")
    move = offer(org_dk, "MOVE")
    from bedring.catalogue.models import Enrolment

    enrolment = Enrolment.objects.create(
        client=ann,
        episode=a1,
        offer=move,
        organisation=org_dk,
        starts_on=D(2025, 1, 16),
        enrolled_by=by,
    )
    attend(enrolment, D(2025, 2, 1), "attended", by)
    attend(enrolment, D(2025, 2, 8), "absent", by)
    attend(enrolment, D(2025, 2, 15), "cancelled", by)

    r = report([org_dk.pk])
    goal = r.figures["goal_attainment_all"]
    assert (goal.numerator, goal.denominator) == (2, 3)
    assert goal.denominator_ids == tuple(sorted([a1.pk, b1.pk, c1.pk]))
    completed = r.figures["goal_attainment_completed"]
    assert (completed.numerator, completed.denominator) == (2, 2)
    readmitted = r.figures["readmission"]
    assert readmitted.denominator_ids == (b1.pk,)  # Ann's cohort has not had its 12 months
    assert readmitted.numerator == 0  # day 366
    guarantee = r.figures["treatment_guarantee"]
    assert guarantee.numerator_ids == (a1.pk,)
    assert guarantee.denominator_ids == tuple(sorted([a1.pk, c1.pk, d1.pk]))
    assert selectors.drill_ids(r, "treatment_guarantee", "denominator") == sorted(
        [a1.pk, c1.pk, d1.pk]
    )
    sql = kpi_report_sql(
        organisation_ids=[org_dk.pk], site_id=None, start=YEAR[0], end=YEAR[1], today=REPORT_DAY
    )
    assert sql["treatment_guarantee"] == (1, 3)
    plan = r.figures["plan_evaluation"]
    assert (plan.numerator, plan.denominator) == (1, 2)
    assert (r.waiting.count, r.waiting.median, r.waiting.p90) == (2, 14, 15)
    assert (r.no_show["MOVE"].numerator, r.no_show["MOVE"].denominator) == (1, 2)
    assert sum(c.clients for c in r.clients) == 1
    assert r.figures["first_contact"].denominator == 0  # DK has no first-contact rule
    assert b2.pk not in goal.denominator_ids
    assert selectors.drill_ids(r, "goal_attainment_all", "numerator") == sorted([a1.pk, b1.pk])
    assert selectors.drill_ids(r, "no_show:MOVE", "numerator") == []  # counted in the database
    assert selectors.kpi_episodes(
        organisation_ids=[org_dk.pk],
        site_id=None,
        start=YEAR[0],
        end=YEAR[1],
        today=REPORT_DAY,
        key="no_show:MOVE",
        part="numerator",
    ) == [a1.pk]
    assert selectors.drill_ids(r, "nonsense", "numerator") is None
    # Monthly series: the same definitions per month; December holds Ann's discharge.
    december = dict(r.series["goal_attainment_all"])[D(2025, 12, 1)]
    assert december.numerator_ids == (a1.pk,)
    # Day 365 is in: with a later today Ann's cohort counts and her return on day 365 does.
    a2 = episode(ann, opened_on=D(2026, 12, 31), state="inquiry")
    later = selectors.kpi_report(
        organisation_ids=[org_dk.pk],
        site_id=None,
        start=YEAR[0],
        end=YEAR[1],
        today=D(2027, 1, 1),
    )
    assert later.figures["readmission"].numerator_ids == (a1.pk,)
    assert a2.pk not in later.figures["readmission"].denominator_ids
    # Another organisation's figures are empty.
    assert report([org_no.pk]).figures["goal_attainment_all"].denominator == 0


def test_first_contact_uses_the_local_day_in_norway(org_no, make_client, make_staff):
    """INT-6: a contact at 23:30 UTC on the due day is the next day in Sandnes: late."""
    client, other = make_client(org_no), make_client(org_no)
    due = D(2025, 5, 7)
    late = episode(
        client,
        opened_on=D(2025, 5, 2),
        first_contact_at=datetime.datetime(2025, 5, 7, 23, 30, tzinfo=datetime.UTC),
    )
    on_time = episode(
        other,
        opened_on=D(2025, 5, 2),
        first_contact_at=datetime.datetime(2025, 5, 7, 21, 30, tzinfo=datetime.UTC),
    )
    deadline(late, "first_contact", due, "missed")
    deadline(on_time, "first_contact", due, "met")
    r = report([org_no.pk])
    assert r.figures["first_contact"].numerator_ids == (on_time.pk,)
    assert r.figures["first_contact"].denominator == 2
    assert r.figures["treatment_guarantee"].denominator == 0  # NO has no start guarantee
    sql = kpi_report_sql(
        organisation_ids=[org_no.pk], site_id=None, start=YEAR[0], end=YEAR[1], today=REPORT_DAY
    )
    assert sql["first_contact"] == (1, 2)


def test_readmission_leaves_out_a_new_inquiry_withdrawn_before_treatment(
    org_dk, make_client, make_staff
):
    """DIS-4: a client who asks again and withdraws before treatment has not come back."""
    by = make_staff(org_dk, "manager")
    withdrew, returned = make_client(org_dk), make_client(org_dk)
    w1 = episode(withdrew, opened_on=D(2024, 10, 1), started_on=D(2024, 10, 10))
    discharge(w1, by, on=D(2025, 2, 1))
    episode(withdrew, opened_on=D(2025, 4, 1), state="withdrawn")
    r1 = episode(returned, opened_on=D(2024, 10, 1), started_on=D(2024, 10, 10))
    discharge(r1, by, on=D(2025, 2, 1))
    episode(returned, opened_on=D(2025, 4, 1), started_on=D(2025, 4, 5), state="active")
    figure = report([org_dk.pk]).figures["readmission"]
    assert figure.denominator_ids == tuple(sorted([w1.pk, r1.pk]))
    assert figure.numerator_ids == (r1.pk,)
    sql = kpi_report_sql(
        organisation_ids=[org_dk.pk], site_id=None, start=YEAR[0], end=YEAR[1], today=REPORT_DAY
    )
    assert sql["readmission"] == (1, 2)


def _orm_as_sql(r: selectors.KpiReport) -> dict[str, Any]:
    result: dict[str, Any] = {k: (f.numerator, f.denominator) for k, f in r.figures.items()}
    result["waiting_time"] = (r.waiting.count, r.waiting.median, r.waiting.p90)
    result["no_show"] = {o: (f.numerator, f.denominator) for o, f in r.no_show.items()}
    result["clients"] = {(c.offer, c.band): c.clients for c in r.clients}
    return result


@pytest.mark.parametrize(
    "period",
    [YEAR, (D(2024, 1, 1), D(2024, 12, 31)), (D(2024, 3, 15), D(2026, 11, 30))],
)
def test_orm_and_hand_written_sql_agree(random_world, period):
    dk, no = random_world["dk"], random_world["no"]
    site = dk.sites.order_by("pk").first()
    scopes: list[dict[str, Any]] = [
        {"organisation_ids": [dk.pk], "site_id": None},
        {"organisation_ids": [no.pk], "site_id": None},
        {"organisation_ids": None, "site_id": None},
        {"organisation_ids": [dk.pk], "site_id": site.pk},
    ]
    for scope in scopes:
        args = {**scope, "start": period[0], "end": period[1], "today": REPORT_DAY}
        orm = _orm_as_sql(selectors.kpi_report(**args, with_series=False))
        assert orm == kpi_report_sql(**args), scope
    # The world is not trivial: every figure has a denominator somewhere.
    everything = selectors.kpi_report(
        organisation_ids=None,
        site_id=None,
        start=D(2024, 1, 1),
        end=D(2026, 12, 31),
        today=REPORT_DAY,
    )
    assert all(f.denominator > 0 for f in everything.figures.values()), everything.figures
    assert everything.figures["readmission"].numerator > 0


def test_report_query_count_does_not_grow_with_history(org_dk, make_client, make_staff):
    from .conftest import build_random_world

    by = make_staff(org_dk, "manager")
    build_random_world(org_dk, make_client, by, clients=2, seed=3)
    with CaptureQueriesContext(connection) as small:
        report([org_dk.pk], period=(D(2024, 1, 1), D(2026, 12, 31)))
    build_random_world(org_dk, make_client, by, clients=20, seed=4)
    with CaptureQueriesContext(connection) as large:
        report([org_dk.pk], period=(D(2024, 1, 1), D(2026, 12, 31)))
    assert len(small) == len(large) <= 8
