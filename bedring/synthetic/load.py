"""Writing the synthetic world (``bedring.synthetic.world``) into the database, fast.

The organisations of the service packs are loaded first (as the demo does), with a few
synthetic staff per organisation. Then the clients are generated in batches; each batch is one
transaction, written table by table in an order where references come first: COPY on
PostgreSQL, ``executemany`` on SQLite. Primary keys are chosen by the generator (from the
highest one in each table) and the sequences are set past them at the end. No constraint is
disabled: the database checks every row as it would a service's.

The writes bypass the services and the change log on purpose: this is bulk set-up of synthetic
data, like ``bedring.synthetic.dispensing``, and nothing here must ever run on a database with
real work in it (:func:`refusal`).
"""

from __future__ import annotations

import datetime
import enum
import sys
import time
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max

from bedring.accounts import services as account_services
from bedring.accounts.models import Organisation, User
from bedring.accounts.selectors import rules_for
from bedring.catalogue.models import Offer
from bedring.clients.models import Client
from bedring.core.roles import Role
from bedring.medication.models import Dispensing, Medicine
from bedring.pathway.models import QuestionSet
from bedring.rules.loader import available_packs, load_pack

from .world import (
    DOSE_COLUMNS,
    DOSE_CONSTANTS,
    MODELS,
    ORGANISATION_WEIGHTS,
    History,
    Ids,
    OrgWorld,
    WorldSpec,
    client_history,
)

SYNTHETIC_DATABASE_WORDS = ("bench", "synthetic")
COUNSELLORS_PER_ORGANISATION = 6
BATCH_CLIENTS = 500


def database_name() -> str:
    return Path(str(connection.settings_dict["NAME"])).name


def refusal(*, append: bool) -> str | None:
    """Why the generator must not write into this database, or None when it may.

    It may write into a database whose name contains "bench" or "synthetic" (with
    ``append`` when it already holds clients), or into an empty demo installation
    (``BEDRING_DEMO=true`` and no client at all). Anything else may hold real people.
    """
    name = database_name()
    clients = Client.objects.count()
    if any(word in name.lower() for word in SYNTHETIC_DATABASE_WORDS):
        if clients and not append:
            return (
                f"The database {name} already holds {clients:,} clients. Pass --append to add "
                "more synthetic clients to it."
            )
        return None
    if not getattr(settings, "DEMO", False):
        return (
            f"Refusing to write synthetic data into the database {name}: its name does not "
            "contain 'bench' or 'synthetic' and this is not a demo installation "
            "(BEDRING_DEMO=true)."
        )
    if clients:
        return (
            f"Refusing to write synthetic data into the database {name}: it already holds "
            f"{clients:,} clients. Use an empty demo database, or one whose name contains "
            "'bench' or 'synthetic'."
        )
    return None


def _staff(organisation: Organisation, username: str, role: str, last_name: str) -> int:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = account_services.staff_create(
            username=username,
            password=None,
            first_name="Synthetic",
            last_name=last_name,
            organisation=organisation,
            roles=[role],
        )
    return user.pk


def prepare(
    *, seed: int, until: datetime.date, years: int, dispensing_share: float
) -> tuple[WorldSpec, list[OrgWorld]]:
    """Load the service packs' organisations (idempotent) and the synthetic staff, and read
    what the generator needs of them."""
    orgs: list[OrgWorld] = []
    for name in available_packs():
        organisation = load_pack(name)
        slug = organisation.slug
        counsellors = tuple(
            _staff(organisation, f"synthetic.{slug}.counsellor{i}", Role.COUNSELLOR, f"C{i}")
            for i in range(1, COUNSELLORS_PER_ORGANISATION + 1)
        )
        question_set = (
            QuestionSet.objects.filter(organisation=organisation, is_current=True)
            .order_by("key")
            .first()
        )
        offers = [
            o.pk
            for o in Offer.objects.filter(organisation=organisation, is_current=True).order_by(
                "key"
            )
            if o.terms.get("format", "individual") == "individual"
            and not o.terms.get("tally_only")
            and not o.terms.get("anonymous_allowed")
        ] or list(
            Offer.objects.filter(organisation=organisation, is_current=True)
            .order_by("key")
            .values_list("pk", flat=True)
        )
        sites = tuple(
            organisation.sites.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
        )
        if question_set is None or not offers or not sites:
            continue  # a pack without assessments, offers or sites has no treatment to show
        rules = rules_for(organisation)
        orgs.append(
            OrgWorld(
                organisation_id=organisation.pk,
                slug=slug,
                jurisdiction=organisation.jurisdiction,
                identifier=rules.identifier,
                language=organisation.language,
                zone=ZoneInfo(organisation.time_zone),
                rules=rules,
                site_ids=sites,
                counsellor_ids=counsellors,
                authority_id=_staff(
                    organisation, f"synthetic.{slug}.authority", Role.AUTHORITY, "Authority"
                ),
                doctor_id=_staff(organisation, f"synthetic.{slug}.doctor", Role.DOCTOR, "Doctor"),
                nurse_id=_staff(organisation, f"synthetic.{slug}.nurse", Role.NURSE, "Nurse"),
                question_set_id=question_set.pk,
                offer_ids=tuple(offers),
                weight=ORGANISATION_WEIGHTS.get(slug, 10),
            )
        )
    medicines = (
        Medicine.objects.get(key="methadone-oral-solution").pk,
        Medicine.objects.get(key="buprenorphine-sublingual").pk,
    )
    spec = WorldSpec(
        seed=seed,
        until=until,
        years=years,
        dispensing_share=dispensing_share,
        medicine_ids=medicines,
    )
    return spec, orgs


# -- writing -------------------------------------------------------------------------------


def _pg_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    return value


class Writer:
    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.written: dict[str, int] = {}

    def _copy(self, table: str, columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> int:
        n = 0
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3
            names = ", ".join(connection.ops.quote_name(c) for c in columns)
            with raw.copy(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        return n

    def _insert(self, table: str, columns: list[str], rows: list[list[Any]]) -> int:
        sql = (
            f"INSERT INTO {connection.ops.quote_name(table)} "  # noqa: S608 - model names
            f"({', '.join(connection.ops.quote_name(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        return len(rows)

    def write(self, model: type[models.Model], objs: list[models.Model]) -> None:
        if not objs:
            return
        fields = list(model._meta.concrete_fields)
        columns = [str(f.column) for f in fields]
        table = model._meta.db_table
        if self.postgres:
            from psycopg.types.json import Jsonb

            json = [isinstance(f, models.JSONField) for f in fields]
            attnames = [f.attname for f in fields]

            def rows() -> Iterable[list[Any]]:
                for obj in objs:
                    values = obj.__dict__
                    yield [
                        Jsonb(values[a]) if j else _pg_value(values[a])
                        for a, j in zip(attnames, json, strict=True)
                    ]

            n = self._copy(table, columns, rows())
        else:
            n = self._insert(
                table,
                columns,
                [
                    [
                        f.get_db_prep_save(_pg_value(getattr(obj, f.attname)), connection)
                        for f in fields
                    ]
                    for obj in objs
                ],
            )
        self.written[model.__name__] = self.written.get(model.__name__, 0) + n

    def write_doses(self, doses: list[tuple[Any, ...]]) -> None:
        if not doses:
            return
        table = Dispensing._meta.db_table
        columns = [*DOSE_COLUMNS, "updated_at", *DOSE_CONSTANTS]
        constants = tuple(DOSE_CONSTANTS.values())
        if self.postgres:
            n = self._copy(table, columns, ((*row, row[2], *constants) for row in doses))
        else:
            n = self._insert(
                table,
                columns,
                [[_sqlite(v) for v in (*row, row[2], *constants)] for row in doses],
            )
        self.written["Dispensing"] = self.written.get("Dispensing", 0) + n


def _sqlite(value: Any) -> Any:
    """What Django itself stores on SQLite: hex UUIDs, decimal text, naive UTC datetimes."""
    from bedring.synthetic.dispensing import _sqlite_value

    if isinstance(value, Decimal):
        return str(value)
    return _sqlite_value(value)


def _start_ids() -> Ids:
    start: dict[type[models.Model], int] = {}
    every: tuple[type[models.Model], ...] = (*MODELS, Dispensing)
    for model in every:
        start[model] = model._default_manager.aggregate(m=Max("pk"))["m"] or 0
    return Ids(start)


def reset_sequences() -> None:
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [*MODELS, Dispensing]):
            cursor.execute(sql)


def generate(
    *,
    clients: int,
    years: int,
    seed: int,
    until: datetime.date,
    dispensing_share: float = 0.1,
    quiet: bool = True,
    batch_clients: int = BATCH_CLIENTS,
) -> dict[str, Any]:
    """Generate ``clients`` more synthetic clients with ``years`` years of history up to
    ``until``. Answers the rows written per table and the seconds it took. The caller checks
    :func:`refusal` first."""
    from tqdm import tqdm

    started = time.perf_counter()
    spec, orgs = prepare(seed=seed, until=until, years=years, dispensing_share=dispensing_share)
    ids = _start_ids()
    first = Client.objects.filter(code__startswith="SYN").count()
    taken: dict[int, set[str]] = {}
    for org_id, national_id in Client.objects.values_list("organisation_id", "national_id"):
        taken.setdefault(org_id, set()).add(national_id)
    writer = Writer()
    with tqdm(
        total=clients,
        unit="client",
        file=sys.stderr,
        disable=quiet,
        desc="synthetic world",
        smoothing=0.05,
    ) as bar:
        for batch_start in range(first, first + clients, batch_clients):
            batch_end = min(batch_start + batch_clients, first + clients)
            history = History()
            for number in range(batch_start, batch_end):
                client_history(number, spec, orgs, ids, history, taken)
            with transaction.atomic():
                for model in MODELS:
                    writer.write(model, history.rows.get(model, []))
                writer.write_doses(history.doses)
            bar.update(batch_end - batch_start)
            bar.set_postfix(
                episodes=f"{writer.written.get('Episode', 0):,}",
                doses=f"{writer.written.get('Dispensing', 0):,}",
                refresh=False,
            )
    reset_sequences()
    with connection.cursor() as cursor:  # planner statistics, as a live database has them
        cursor.execute("ANALYZE")
    return {"rows": writer.written, "seconds": time.perf_counter() - started}
