"""The reads behind a client's FHIR export: everything in one fixed number of queries, however
long the client's history, and only rows of the client's own organisation.

Doses are the one part of a record that grows every day (a client in substitution treatment
has a dose a day for years), so only the doses handed out in the last
``DOSE_WINDOW_DAYS`` days are read; the prescriptions themselves are all exported.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Prefetch

from bedring.clients.models import Client, Consent
from bedring.core import clock
from bedring.health.models import Vaccination
from bedring.journal.models import Note
from bedring.journal.selectors import Reader, signed_notes_for_export
from bedring.medication.models import Dispensing, Prescription, PrescriptionVersion, UrineTest
from bedring.pathway.models import Episode, Goal, GoalResult, Plan

# The doses handed out (supervised intakes and take-home handovers) in this many days up to
# today are exported; older doses stay in Bedring.
DOSE_WINDOW_DAYS = 90


@dataclass(frozen=True)
class ClientRecord:
    """A client's record as the FHIR export reads it (the client's organisation only)."""

    client: Client
    today: datetime.date
    doses_since: datetime.date
    episodes: Sequence[Episode]
    plans: Sequence[Plan]
    prescriptions: Sequence[Prescription]
    dispensings: Sequence[Dispensing]
    urine_tests: Sequence[UrineTest]
    vaccinations: Sequence[Vaccination]
    consents: Sequence[Consent]
    # JRN-1: the signed versions of the journal notes the requester may read (none without a
    # reader).
    notes: Sequence[Note] = ()


def client_record(
    client: Client, *, today: datetime.date | None = None, reader: Reader | None = None
) -> ClientRecord:
    """Eleven queries whatever the history: episodes (with their discharge), current plans,
    their goals, the goals' results at discharge, prescriptions, their current versions,
    the doses of the window, urine tests, vaccinations, consents and the signed journal
    notes ``reader`` may read (one query each)."""
    organisation = client.organisation
    today = today or clock.today(organisation)
    doses_since = today - datetime.timedelta(days=DOSE_WINDOW_DAYS)
    window_start = datetime.datetime.combine(
        doses_since, datetime.time.min, tzinfo=ZoneInfo(organisation.time_zone)
    )
    episodes = list(
        Episode.objects.filter(client=client, organisation=organisation)
        .select_related("responsible", "discharge")
        .order_by("opened_on", "id")
    )
    plans = list(
        Plan.objects.filter(
            episode__client=client, episode__organisation=organisation, is_current=True
        )
        .select_related("made_by")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=Goal.objects.order_by("position", "id").prefetch_related(
                    Prefetch("results", queryset=GoalResult.objects.order_by("id"))
                ),
            )
        )
        .order_by("agreed_on", "id")
    )
    prescriptions = list(
        Prescription.objects.filter(client=client, organisation=organisation)
        .select_related("medicine")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=PrescriptionVersion.objects.filter(is_current=True).select_related(
                    "prescriber", "site"
                ),
                to_attr="current_versions",
            )
        )
        .order_by("created_at", "id")
    )
    dispensings = list(
        Dispensing.objects.filter(
            client=client,
            organisation=organisation,
            prescription__client=client,
            prescription__organisation=organisation,
            handed_out_at__gte=window_start,
        )
        .select_related("handed_out_by", "site")
        .order_by("handed_out_at", "day", "id")
    )
    urine_tests = list(
        UrineTest.objects.filter(client=client, organisation=organisation).order_by(
            "sampled_on", "id"
        )
    )
    vaccinations = list(
        Vaccination.objects.filter(client=client).order_by("schedule", "dose", "id")
    )
    consents = list(Consent.objects.filter(client=client).order_by("valid_from", "id"))
    return ClientRecord(
        client=client,
        today=today,
        doses_since=doses_since,
        episodes=episodes,
        plans=plans,
        prescriptions=prescriptions,
        dispensings=dispensings,
        urine_tests=urine_tests,
        vaccinations=vaccinations,
        consents=consents,
        notes=signed_notes_for_export(client, reader) if reader is not None else [],
    )
