"""`make bench`: latency and queries per page on a synthetic data set of national size.

Runs against its own database (``var/bench.sqlite3``, or ``BENCH_DATABASE_URL``), never the
demo's. Creates the data once (deterministic), then times the pages staff use most. Prints
median, p95 and SQL queries per request. It never fails: it measures.

``--national`` (``--quick`` for a small run) builds the synthetic world of
``bedring.synthetic`` instead (``var/bench-national.sqlite3`` by default) and times the
outcome figures against hand-written SQL, the TDI export, the client page and the desk.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bedring.core import clock

ROOT = Path(__file__).resolve().parents[2]


def configure(database_url: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
    (ROOT / "var").mkdir(exist_ok=True)
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)

    django.setup()


def ensure_data(n_clients: int, seed: int) -> None:
    import datetime

    from auditlog.context import disable_auditlog
    from django.core.management import call_command

    from bedring.clients.models import Client
    from bedring.rules.loader import available_packs, load_pack
    from bedring.synthetic.people import synthetic_person

    call_command("migrate", verbosity=0)
    organisations = [load_pack(name) for name in available_packs()]
    have = Client.objects.count()
    if have >= n_clients:
        print(f"data: {have:,} clients already present")
        return
    rng = random.Random(seed + have)
    today = datetime.date(2026, 11, 23)
    started = time.perf_counter()
    batch: list[Client] = []
    seen: set[tuple[int, str]] = set(Client.objects.values_list("organisation_id", "national_id"))
    with disable_auditlog():
        for i in range(have, n_clients):
            org = organisations[i % len(organisations)]
            person = synthetic_person(org.jurisdiction, rng, today=today)
            if (org.pk, person.national_id) in seen:
                continue
            seen.add((org.pk, person.national_id))
            batch.append(
                Client(
                    organisation=org,
                    code="B" + uuid.uuid4().hex[:12].upper(),
                    identifier_kind={"DK": "dk_cpr", "NO": "no_fnr", "BE": "be_nn"}[
                        org.jurisdiction
                    ],
                    national_id=person.national_id,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    birth_date=person.birth_date,
                    sex=person.sex,
                    phone=person.phone,
                    address=person.address,
                    postal_code=person.postal_code,
                    city=person.city,
                )
            )
            if len(batch) >= 5000:
                Client.objects.bulk_create(batch)
                batch.clear()
                print(f"  {i + 1:,} / {n_clients:,} clients", end="\r", flush=True)
        Client.objects.bulk_create(batch)
    print(f"data: created {n_clients - have:,} clients in {time.perf_counter() - started:.1f} s")
    from django.db import connection

    with connection.cursor() as cursor:  # planner statistics, as a live database has them
        cursor.execute("ANALYZE")


BENCH_EPISODES = 3000


def ensure_episodes(organisation: Any, user: Any, seed: int) -> list[str]:
    """Episodes through the real services for one organisation: every inquiry opens deadlines,
    half reach a decision and a plan. Returns the uuids of those with a plan."""
    import datetime
    from zoneinfo import ZoneInfo

    from auditlog.context import disable_auditlog

    from bedring.accounts.models import User
    from bedring.clients.models import Client
    from bedring.pathway.models import Episode
    from bedring.pathway.services import decision as decisions
    from bedring.pathway.services import episode as episodes
    from bedring.pathway.services import plan as plans

    have = Episode.objects.filter(organisation=organisation).count()
    if have < BENCH_EPISODES:
        rng = random.Random(seed)
        authority = User.objects.get(username="bench.counsellor")
        site = organisation.sites.get(slug="kongevej")
        zone = ZoneInfo(organisation.time_zone)
        today = datetime.date(2026, 11, 20)
        free = Client.objects.filter(organisation=organisation, episodes__isnull=True)[
            : BENCH_EPISODES - have
        ]
        started = time.perf_counter()
        with disable_auditlog():
            for n, client in enumerate(free):
                received = today - datetime.timedelta(days=rng.randint(0, 700))
                inquiry = episodes.inquiry_register(
                    organisation=organisation,
                    site=site,
                    actor=user,
                    channel="phone",
                    referrer="self",
                    received_at=datetime.datetime.combine(received, datetime.time(10), tzinfo=zone),
                    client=client,
                    assign_to=user,
                )
                episode = inquiry.episode
                if episode is not None and n % 2 == 0:
                    episodes.episode_begin_assessment(episode=episode, actor=user)
                    decisions.decision_make(
                        episode=episode,
                        actor=authority,
                        kind="treatment",
                        outcome="granted",
                        justification="Bench.",
                        decided_on=received,
                    )
                    plans.plan_save(
                        episode=episode,
                        actor=user,
                        agreed_on=received,
                        aims=["reduce"],
                        client_words="Bench.",
                        today=today,
                        goals=[
                            plans.GoalInput(
                                text="Goal",
                                measure="Days",
                                target="2",
                                due_on=received + datetime.timedelta(days=60),
                            )
                        ],
                    )
                if n % 500 == 0:
                    print(f"  {n:,} episodes", end="\r", flush=True)
        took = time.perf_counter() - started
        print(f"data: created {BENCH_EPISODES - have:,} episodes in {took:.1f} s")
    return [
        str(u)
        for u in Episode.objects.filter(organisation=organisation, plans__isnull=False)
        .values_list("uuid", flat=True)
        .distinct()[:500]
    ]


def measure(name: str, runs: int, call: Callable[[int], int]) -> tuple[str, float, float, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings: list[float] = []
    queries: list[int] = []
    for i in range(runs):
        connection.queries_log.clear()  # the log holds 9,000 queries; count each run afresh
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            status = call(i)
            timings.append((time.perf_counter() - started) * 1000)
        queries.append(len(ctx.captured_queries))
        if status >= 400:
            print(f"  {name}: HTTP {status}", file=sys.stderr)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return name, statistics.median(timings), p95, statistics.mean(queries)


def staff_session(username: str, organisation: Any, roles: list[str]) -> tuple[Any, Any, str]:
    """A bench staff member with a verified session and an API token."""
    from django.test import Client as HttpClient
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bedring.accounts import services as account_services
    from bedring.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        user = account_services.staff_create(
            username=username,
            password=None,
            first_name="Bench",
            last_name=username.split(".")[-1].title(),
            organisation=organisation,
            roles=roles,
        )
        TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    device = TOTPDevice.objects.get(user=user)
    http = HttpClient()
    http.force_login(user)
    session = http.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    _token, raw = account_services.api_token_create(user=user, name="bench")
    return user, http, raw


def medication_rows(
    organisation: Any, runs: int, seed: int, clients: int, years: int, active: int
) -> list[tuple[str, float, float, float]]:
    """MED-2: recording a dispensing with every rule check, and today's desk list of a site
    with ``active`` clients on substitution, on ``years`` years of daily doses for
    ``clients`` clients."""
    import datetime

    from bedring.accounts.services import site_set_hours
    from bedring.core.errors import DomainError
    from bedring.core.hours import Interval
    from bedring.core.roles import Role
    from bedring.medication.models import Dispensing, Prescription, StockMovement
    from bedring.medication.services import dispensing as medication
    from bedring.synthetic.dispensing import dispensing_history

    doctor, _http, _raw = staff_session("bench.doctor", organisation, [Role.DOCTOR])
    nurse, nurse_http, nurse_token = staff_session("bench.nurse", organisation, [Role.NURSE])
    site = organisation.sites.get(slug="kongevej")
    # The bench's desk gives medication all day, so that it can be measured at any hour.
    site_set_hours(
        site=site,
        kind="medication",
        week={d: [Interval(datetime.time(0), datetime.time(23, 59, 59))] for d in range(7)},
    )
    site.open_on_public_holidays = True
    site.save()
    today = clock.today(organisation)
    built = dispensing_history(
        organisation=organisation,
        site=site,
        clients=clients,
        years=years,
        active=active,
        doctor=doctor,
        nurse=nurse,
        seed=seed,
        today=today,
    )
    print(
        f"data: {built['prescriptions']:,} prescriptions ({built['active']:,} active at "
        f"{site.name}), {built['doses']:,} doses; wrote {built['doses_written']:,} in "
        f"{built['seconds']:.1f} s"
    )
    active_ones = list(
        Prescription.objects.filter(organisation=organisation, status="active")
        .select_related("client__organisation", "medicine", "organisation")
        .order_by("pk")[:active]
    )
    # Today's doses of an earlier run are taken back, so each run records afresh.
    todays = Dispensing.objects.filter(prescription__in=active_ones, day=today)
    StockMovement.objects.filter(dispensing__in=todays).delete()
    todays.delete()
    third = max(1, len(active_ones) // 3)

    def record(i: int) -> int:
        try:
            medication.dispense(prescription=by_service[i], actor=nurse, site=site, at=clock.now())
        except DomainError as exc:
            return exc.status
        return 201

    by_service, by_api, by_desk = (
        active_ones[:third],
        active_ones[third : 2 * third],
        active_ones[2 * third :],
    )
    rows = [
        measure(
            "record a dispensing (service, all rules)",
            min(runs, len(by_service)),
            record,
        ),
        measure(
            "record a dispensing (API POST)",
            min(runs, len(by_api)),
            lambda i: (
                nurse_http.post(
                    f"/api/v1/prescriptions/{by_api[i].uuid}/dispensings",
                    {"site": str(site.uuid)},
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {nurse_token}",
                ).status_code
            ),
        ),
        measure(
            "record a dispensing (desk tap, htmx row)",
            min(runs, len(by_desk)),
            lambda i: (
                nurse_http.post(
                    f"/medication/desk/{site.uuid}/{by_desk[i].uuid}/dispense/",
                    {},
                    HTTP_HX_REQUEST="true",
                ).status_code
            ),
        ),
        measure(
            f"dispensing desk, {len(active_ones)} clients",
            max(10, runs // 5),
            lambda i: nurse_http.get(f"/medication/desk/{site.uuid}/").status_code,
        ),
    ]
    return rows


def run(
    n_clients: int,
    runs: int,
    seed: int,
    dispensing_clients: int = 5000,
    dispensing_years: int = 5,
    desk_clients: int = 300,
) -> None:
    from django.conf import settings
    from django.test import Client as HttpClient
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bedring.accounts import services as account_services
    from bedring.accounts.models import Organisation, User
    from bedring.clients import services as client_services
    from bedring.clients.models import Client
    from bedring.core.roles import Role

    ensure_data(n_clients, seed)
    settings.ALLOWED_HOSTS.append("testserver")
    org = Organisation.objects.get(slug="sonderborg")
    user = User.objects.filter(username="bench.counsellor").first()
    if user is None:
        user = account_services.staff_create(
            username="bench.counsellor",
            password=None,
            first_name="Bench",
            last_name="Mark",
            organisation=org,
            roles=[Role.COUNSELLOR, Role.MANAGER, Role.AUTHORITY],
        )
        TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    account_services.membership_add(
        user=user, organisation=org, roles=[Role.COUNSELLOR, Role.MANAGER, Role.AUTHORITY]
    )
    device = TOTPDevice.objects.get(user=user)
    http = HttpClient()
    http.force_login(user)
    session = http.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    _token, raw = account_services.api_token_create(user=user, name="bench")
    ids = list(Client.objects.filter(organisation=org).values_list("uuid", flat=True)[:2000])
    sample = random.Random(seed).sample(ids, min(len(ids), runs))
    heavy = Client.objects.get(uuid=sample[0])
    if not heavy.relatives.exists():
        import datetime

        for i in range(25):
            client_services.relative_save(client=heavy, name=f"Relative {i}", relation="friend")
            client_services.consent_add(
                client=heavy,
                party="gp",
                scope="Medication",
                valid_from=datetime.date(2025, 1, 1),
                given_by="client",
            )
    names = list(
        Client.objects.filter(organisation=org).values_list("last_name", "national_id")[:runs]
    )
    total = Client.objects.count()
    episodes = ensure_episodes(org, user, seed)
    rows = [
        measure(
            "client page",
            runs,
            lambda i: http.get(f"/clients/{sample[i % len(sample)]}/").status_code,
        ),
        measure(
            "client page, 25 relatives + 25 consents",
            runs,
            lambda i: http.get(f"/clients/{heavy.uuid}/").status_code,
        ),
        measure(
            "client search by last name",
            runs,
            lambda i: http.get("/clients/", {"q": names[i % len(names)][0]}).status_code,
        ),
        measure(
            "client search by identifier",
            runs,
            lambda i: http.get("/clients/", {"q": names[i % len(names)][1]}).status_code,
        ),
        measure(
            "access log page (manager)",
            max(10, runs // 5),
            lambda i: http.get(f"/audit/clients/{heavy.uuid}/").status_code,
        ),
        measure(
            "API GET /clients/{id}",
            runs,
            lambda i: (
                http.get(
                    f"/api/v1/clients/{sample[i % len(sample)]}", HTTP_AUTHORIZATION=f"Bearer {raw}"
                ).status_code
            ),
        ),
        measure(
            "episode page (assessment, decision, plan)",
            runs,
            lambda i: http.get(f"/pathway/episodes/{episodes[i % len(episodes)]}/").status_code,
        ),
        measure(
            "worklist, everyone's open deadlines",
            max(10, runs // 5),
            lambda i: http.get("/pathway/deadlines/", {"scope": "all"}).status_code,
        ),
        measure("dashboard with deadline counts", runs, lambda i: http.get("/").status_code),
    ]
    rows += medication_rows(
        org, runs, seed, dispensing_clients, dispensing_years, min(desk_clients, dispensing_clients)
    )
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print()
    print(f"Bedring benchmark: {total:,} clients in 5 organisations, database {engine}")
    print(f"{runs} runs of each request")
    print(f"{'request':<44} {'median ms':>10} {'p95 ms':>10} {'queries':>8}")
    for name, median, p95, queries in rows:
        print(f"{name:<44} {median:>10.1f} {p95:>10.1f} {queries:>8.1f}")


NATIONAL_TARGETS = {"one": 1000.0, "all": 5000.0, "ratio": 2.0}


def timed(name: str, runs: int, call: Callable[[], object]) -> tuple[str, float, float, float]:
    """Median and p95 of a function call (not a request), with its SQL queries."""

    def once(_i: int) -> int:
        call()
        return 200

    return measure(name, runs, once)


def national(n_clients: int, years: int, runs: int, seed: int, share: float, until: Any) -> None:
    """``--national``: the synthetic world of ``bedring.synthetic`` at national scale, then the
    outcome figures (ours and hand-written SQL), the TDI export, and the pages on it."""
    import datetime

    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import Count

    from bedring.accounts.models import Organisation
    from bedring.accounts.services import site_set_hours
    from bedring.clients.models import Client
    from bedring.core.hours import Interval
    from bedring.core.roles import Role
    from bedring.medication.models import Dispensing, PrescriptionVersion
    from bedring.pathway.models import Deadline, Episode
    from bedring.synthetic.load import generate

    call_command("migrate", verbosity=0)
    have = Client.objects.filter(code__startswith="SYN").count()
    load_avg = os.getloadavg()
    if have < n_clients:
        result = generate(
            clients=n_clients - have,
            years=years,
            seed=seed,
            until=until,
            dispensing_share=share,
            quiet=False,
        )
        rows = result["rows"]
        print(
            f"data: generated {rows.get('Client', 0):,} clients in {result['seconds']:.0f} s "
            f"({sum(rows.values()):,} rows; load average before {load_avg[0]:.1f}, "
            f"after {os.getloadavg()[0]:.1f})"
        )
        for name, n in rows.items():
            print(f"  {name:<22} {n:>12,}")
    else:
        print(f"data: {have:,} synthetic clients already present")
    settings.ALLOWED_HOSTS.append("testserver")
    year = until.year - 1  # the last full year
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    biggest = (
        Episode.objects.filter(opened_on__range=(start, end))
        .values("organisation")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if biggest is None:
        print("no episodes in the last full year: nothing to measure", file=sys.stderr)
        return
    org = Organisation.objects.get(pk=biggest["organisation"])
    print(
        f"world: {Client.objects.count():,} clients, {Episode.objects.count():,} episodes, "
        f"{Deadline.objects.count():,} deadlines, {Dispensing.objects.count():,} doses; "
        f"largest organisation-year {org.slug} {year}: {biggest['n']:,} episodes opened"
    )
    rows_out: list[tuple[str, float, float, float]] = []
    ratios: list[tuple[str, float, float]] = []
    kpi_runs = max(5, runs // 10)
    try:
        from bedring.outcomes.selectors import kpi_report
        from bedring.outcomes.sql import kpi_report_sql
    except ImportError as exc:
        print(f"outcome figures not measured: {exc}", file=sys.stderr)
    else:
        for label, ids in (
            (f"{org.slug} {year}", [org.pk]),
            (f"all organisations {year}", None),
        ):
            args = {
                "organisation_ids": ids,
                "site_id": None,
                "start": start,
                "end": end,
                "today": until,
            }
            ours = timed(
                f"KPIs, {label}",
                kpi_runs,
                lambda args=args: kpi_report(**args, with_series=False),  # type: ignore[misc]
            )
            series = timed(
                f"KPIs + monthly series, {label}",
                kpi_runs,
                lambda args=args: kpi_report(**args),  # type: ignore[misc]
            )
            baseline = timed(
                f"hand-written SQL, {label}",
                kpi_runs,
                lambda args=args: kpi_report_sql(**args),  # type: ignore[misc]
            )
            rows_out += [ours, series, baseline]
            ratios.append((label, ours[1], ours[1] / baseline[1] if baseline[1] else 0.0))
    try:
        from bedring.registers.tdi_export import build_tdi_export
    except ImportError as exc:
        print(f"TDI export not measured: {exc}", file=sys.stderr)
    else:
        rows_out.append(
            timed(
                f"TDI export, {org.slug} {year}",
                max(3, runs // 20),
                lambda: build_tdi_export(organisation=org, year=year),
            )
        )
    # The pages, as a counsellor and a nurse of the largest organisation.
    _user, http, _raw = staff_session(
        f"bench.{org.slug}.counsellor", org, [Role.COUNSELLOR, Role.MANAGER]
    )
    rng = random.Random(seed)
    uuids = list(Client.objects.filter(organisation=org).values_list("uuid", flat=True)[:5000])
    sample = rng.sample(uuids, min(len(uuids), runs))
    longest = (
        Client.objects.filter(organisation=org)
        .annotate(n=Count("episodes"))
        .order_by("-n", "pk")
        .values_list("uuid", "n")
        .first()
    )
    assert longest is not None  # noqa: S101 - the organisation has episodes
    episodes = list(
        Episode.objects.filter(organisation=org, state="discharged")
        .order_by("pk")
        .values_list("uuid", flat=True)[:runs]
    )
    rows_out += [
        measure(
            "client page",
            runs,
            lambda i: http.get(f"/clients/{sample[i % len(sample)]}/").status_code,
        ),
        measure(
            f"client page, {longest[1]} episodes",
            runs,
            lambda i: http.get(f"/clients/{longest[0]}/").status_code,
        ),
        measure(
            "episode page (discharged, whole history)",
            runs,
            lambda i: http.get(f"/pathway/episodes/{episodes[i % len(episodes)]}/").status_code,
        ),
    ]
    desk = (
        PrescriptionVersion.objects.filter(
            is_current=True,
            prescription__status__in=["active", "on_hold"],
            prescription__organisation=org,
        )
        .values("site")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if desk is not None:
        site = org.sites.get(pk=desk["site"])
        # The bench's desk gives medication all day, so that it can be measured at any hour.
        site_set_hours(
            site=site,
            kind="medication",
            week={d: [Interval(datetime.time(0), datetime.time(23, 59, 59))] for d in range(7)},
        )
        site.open_on_public_holidays = True
        site.save()
        _nurse, nurse_http, _token = staff_session(f"bench.{org.slug}.nurse", org, [Role.NURSE])
        label = f"dispensing desk, {desk['n']} clients"
        if until < clock.today() - datetime.timedelta(days=1):
            # A history that ends before yesterday: the first visit puts every client who
            # missed the days since on hold (the first morning after a long closure). Timed
            # on its own; the everyday page is then the list with the holds shown.
            rows_out.append(
                measure(
                    f"{label}, first visit (writes the holds)",
                    1,
                    lambda i: nurse_http.get(f"/medication/desk/{site.uuid}/").status_code,
                )
            )
            label += " (holds shown)"
        rows_out.append(
            measure(
                label,
                max(10, runs // 5),
                lambda i: nurse_http.get(f"/medication/desk/{site.uuid}/").status_code,
            )
        )
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print()
    print(
        f"Bedring national benchmark: {Client.objects.count():,} clients, {years} years to "
        f"{until}, database {engine}, load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores"
    )
    print(f"{'measure':<52} {'median ms':>10} {'p95 ms':>10} {'queries':>8}")
    for name, median, p95, queries in rows_out:
        print(f"{name:<52} {median:>10.1f} {p95:>10.1f} {queries:>8.1f}")
    for label, median, ratio in ratios:
        target = NATIONAL_TARGETS["one" if label.startswith(org.slug) else "all"]
        verdict = "met" if median < target and ratio <= NATIONAL_TARGETS["ratio"] else "not met"
        print(
            f"KPIs {label}: {median:.0f} ms, {ratio:.2f}x the hand-written SQL "
            f"(target < {target / 1000:.0f} s and <= 2x: {verdict})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--dispensing-clients", type=int, default=5000, help="clients with a dispensing history"
    )
    parser.add_argument("--dispensing-years", type=int, default=5, help="years of daily doses")
    parser.add_argument(
        "--desk-clients", type=int, default=300, help="clients on the desk's list today"
    )
    parser.add_argument(
        "--national",
        action="store_true",
        help="the synthetic world (bedring.synthetic): histories, outcome figures, TDI export",
    )
    parser.add_argument("--years", type=int, default=10, help="--national: years of history")
    parser.add_argument(
        "--dispensing-share",
        type=float,
        default=0.15,
        help="--national: share of clients on substitution, with a dose every day",
    )
    parser.add_argument(
        "--until", default=None, help="--national: last day of the history (default today)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="--national at small scale: 2,000 clients, 3 years, 20 runs",
    )
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL")
    # The benchmark rewrites a site's hours and takes back the day's doses it recorded: it
    # must never run on a database that holds real work.
    if url and "bench" not in url.rsplit("/", 1)[-1]:
        print(
            "BENCH_DATABASE_URL must name a benchmark database (its name contains 'bench'), "
            "e.g. postgres://postgres@127.0.0.1:5432/bedring_bench",
            file=sys.stderr,
        )
        return
    if args.national or args.quick:
        import datetime

        if args.quick:
            args.clients, args.years, args.runs = min(args.clients, 2000), 3, min(args.runs, 20)
        until = datetime.date.fromisoformat(args.until) if args.until else clock.today()
        # Its own database by default: the plain benchmark's clients have no history.
        configure(url or f"sqlite:///{ROOT / 'var' / 'bench-national.sqlite3'}")
        try:
            national(args.clients, args.years, args.runs, args.seed, args.dispensing_share, until)
        except Exception as exc:  # a benchmark reports; it does not fail a build
            print(f"benchmark stopped: {exc!r}", file=sys.stderr)
        return
    configure(url)
    try:
        run(
            args.clients,
            args.runs,
            args.seed,
            args.dispensing_clients,
            args.dispensing_years,
            args.desk_clients,
        )
    except Exception as exc:  # a benchmark reports; it does not fail a build
        print(f"benchmark stopped: {exc!r}", file=sys.stderr)


if __name__ == "__main__":
    main()
