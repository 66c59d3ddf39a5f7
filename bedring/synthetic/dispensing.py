"""A synthetic dispensing history of realistic size, for the benchmark (MED-2).

``dispensing_history`` gives ``clients`` clients of an organisation a methadone or
buprenorphine prescription and a dose for every day of ``years`` years, ending yesterday:
``active`` of them are still on it at the desk site today, the others ended along the way.
Rows are written in bulk, straight into the tables (COPY on PostgreSQL, executemany on
SQLite): five years of daily doses for 5,000 clients is 9 million rows, which the services,
one dose at a time, would take hours to write. The prescriptions themselves are made with the
ORM as the services would make them. Deterministic for a seed; a second call adds only what
is missing (new days up to yesterday for the active prescriptions).
"""

from __future__ import annotations

import datetime
import random
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Max

from bedring.accounts.models import Organisation, Site, User
from bedring.clients.models import Client
from bedring.core import clock
from bedring.medication.models import (
    Dispensing,
    DispensingKind,
    Medicine,
    Prescription,
    PrescriptionStatus,
    PrescriptionVersion,
)

COLUMNS = (
    "uuid",
    "created_at",
    "updated_at",
    "client_id",
    "prescription_id",
    "version_id",
    "organisation_id",
    "site_id",
    "day",
    "kind",
    "quantity",
    "handed_out_at",
    "handed_out_by_id",
    "recipient",
    "exception_reason",
    "reason",
    "effect",
    "side_effects",
    "intoxication_signs",
)
BATCH = 50_000


def _rows(
    plan: list[tuple[Prescription, PrescriptionVersion, datetime.date, datetime.date]],
    nurse_id: int,
    zone: datetime.tzinfo,
) -> Iterator[tuple[Any, ...]]:
    now = clock.now()
    for prescription, version, first, last in plan:
        day = first
        while day <= last:
            handed = datetime.datetime.combine(day, datetime.time(9, 15), tzinfo=zone)
            yield (
                uuid.uuid4(),
                now,
                now,
                prescription.client_id,
                prescription.pk,
                version.pk,
                prescription.organisation_id,
                version.site_id,
                day,
                DispensingKind.SUPERVISED.value,
                version.daily_dose,
                handed,
                nurse_id,
                "clinic",
                "",
                "",
                "",
                "",
                "",
            )
            day += datetime.timedelta(days=1)


def _sqlite_value(value: Any) -> Any:
    """What Django itself stores on SQLite: hex UUIDs, decimal text, naive UTC datetimes."""
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _write(rows: Iterator[tuple[Any, ...]]) -> int:
    table = Dispensing._meta.db_table
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3: COPY is ten times faster than INSERT
            with raw.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
                    if written % BATCH == 0:
                        print(f"  {written:,} doses", end="\r", flush=True)
        else:
            sql = (
                f"INSERT INTO {table} ({', '.join(COLUMNS)}) "  # noqa: S608 - constant names
                f"VALUES ({', '.join(['%s'] * len(COLUMNS))})"
            )
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(tuple(_sqlite_value(v) for v in row))
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    written += len(batch)
                    batch.clear()
                    print(f"  {written:,} doses", end="\r", flush=True)
            if batch:
                cursor.executemany(sql, batch)
                written += len(batch)
    return written


def dispensing_history(
    *,
    organisation: Organisation,
    site: Site,
    clients: int,
    years: int,
    active: int,
    doctor: User,
    nurse: User,
    seed: int,
    today: datetime.date,
) -> dict[str, Any]:
    """Create (or top up) the history; answers what it did and how long it took."""
    zone = ZoneInfo(organisation.time_zone)
    rng = random.Random(seed)
    started = time.perf_counter()
    medicines = [
        Medicine.objects.get(key="methadone-oral-solution"),
        Medicine.objects.get(key="buprenorphine-sublingual"),
    ]
    yesterday = today - datetime.timedelta(days=1)
    history_start = today - datetime.timedelta(days=365 * years)
    plan: list[tuple[Prescription, PrescriptionVersion, datetime.date, datetime.date]] = []
    existing = list(
        PrescriptionVersion.objects.filter(
            prescription__organisation=organisation, is_current=True
        ).select_related("prescription")
    )
    with transaction.atomic():
        if len(existing) < clients:
            taken = {v.client_id for v in existing}
            candidates = (
                Client.objects.filter(organisation=organisation, anonymous=False)
                .exclude(pk__in=taken)
                .order_by("pk")
                .values_list("pk", flat=True)[: clients - len(existing)]
            )
            for n, client_id in enumerate(candidates, start=len(existing)):
                medicine = medicines[n % 2]
                still_active = n < active
                starts_on = history_start + datetime.timedelta(days=rng.randint(0, 60))
                # Clients who stopped did so in the last two months: every client has
                # (nearly) the whole history of daily doses, the size the issue asks for.
                ends_on = (
                    None
                    if still_active
                    else yesterday - datetime.timedelta(days=rng.randint(1, 60))
                )
                dose = Decimal(rng.choice([40, 60, 80, 100])) if n % 2 == 0 else Decimal(16)
                prescription = Prescription.objects.create(
                    client_id=client_id,
                    organisation=organisation,
                    medicine=medicine,
                    status=PrescriptionStatus.ACTIVE if still_active else PrescriptionStatus.ENDED,
                    ended_on=ends_on,
                    doses_counted_from=starts_on,
                )
                version = PrescriptionVersion.objects.create(
                    prescription=prescription,
                    client_id=client_id,
                    prescriber=doctor,
                    site=site,
                    daily_dose=dose,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    supervised_weekdays=[0, 1, 2, 3, 4, 5, 6],
                    take_home_weekdays=[],
                    pickup_interval_days=1,
                )
                plan.append((prescription, version, starts_on, ends_on or yesterday))
        # Top up the active ones to yesterday (the data set outlives the day it was made on).
        last_days = dict(
            Dispensing.objects.filter(
                prescription__organisation=organisation,
                prescription__status=PrescriptionStatus.ACTIVE,
            )
            .values("prescription_id")
            .annotate(last=Max("day"))
            .values_list("prescription_id", "last")
        )
        for version in existing:
            prescription = version.prescription
            if prescription.status != PrescriptionStatus.ACTIVE:
                continue
            last = last_days.get(prescription.pk)
            if last is not None and last < yesterday:
                plan.append((prescription, version, last + datetime.timedelta(days=1), yesterday))
        written = _write(_rows(plan, nurse.pk, zone))
    if connection.vendor == "postgresql" or written > 100_000:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "prescriptions": Prescription.objects.filter(organisation=organisation).count(),
        "active": Prescription.objects.filter(
            organisation=organisation, status=PrescriptionStatus.ACTIVE
        ).count(),
        "doses_written": written,
        "doses": Dispensing.objects.filter(organisation_id=organisation.pk).count(),
        "seconds": time.perf_counter() - started,
    }
