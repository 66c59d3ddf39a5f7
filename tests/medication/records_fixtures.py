"""Helpers for the urine test, travel certificate and co-payment tests (MED-4, MED-5, MED-9).

Prescriptions and doses are written with the ORM here, not through the prescribing and
dispensing services: these tests are about the records that read them, and build only the
rows those records need. The medicines exist once an organisation's pack is loaded.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from pypdf import PdfReader

from bedring.accounts.models import User
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
from bedring.pathway.models import Episode
from bedring.pathway.services.episode import inquiry_register


def today_of(client: Client) -> datetime.date:
    return clock.today(client.organisation)


def open_episode(client: Client, *, actor: User) -> Episode:
    """An episode opened by an inquiry a week ago, for the timeline."""
    inquiry = inquiry_register(
        organisation=client.organisation,
        site=client.organisation.sites.order_by("kind", "name").first(),
        actor=actor,
        channel="phone",
        referrer="self",
        received_at=clock.now() - datetime.timedelta(days=7),
        client=client,
    )
    assert inquiry.episode is not None
    return inquiry.episode


def make_prescription(
    client: Client,
    *,
    prescriber: User,
    medicine: str = "methadone-oral-solution",
    daily_dose: Decimal | str = "60",
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    status: str = PrescriptionStatus.ACTIVE,
    instructions: str = "Take once daily in the morning.",
) -> Prescription:
    """An active prescription with one current version (started 30 days ago by default)."""
    starts_on = starts_on or today_of(client) - datetime.timedelta(days=30)
    prescription = Prescription.objects.create(
        client=client,
        organisation=client.organisation,
        medicine=Medicine.objects.get(key=medicine),
        status=status,
        doses_counted_from=starts_on,
        ended_on=today_of(client) if status == PrescriptionStatus.ENDED else None,
    )
    site = client.organisation.sites.order_by("kind", "name").first()
    assert site is not None
    PrescriptionVersion.objects.create(
        prescription=prescription,
        client=client,
        number=1,
        is_current=True,
        prescriber=prescriber,
        site=site,
        daily_dose=Decimal(daily_dose),
        starts_on=starts_on,
        ends_on=ends_on,
        supervised_weekdays=[0, 1, 2, 3, 4, 5, 6],
        instructions=instructions,
    )
    return prescription


def change_dose(prescription: Prescription, daily_dose: Decimal | str) -> PrescriptionVersion:
    """A new current version with another dose (the old one is kept)."""
    old = prescription.versions.get(is_current=True)
    PrescriptionVersion.objects.filter(pk=old.pk).update(is_current=False)
    return PrescriptionVersion.objects.create(
        prescription=prescription,
        client=prescription.client,
        number=old.number + 1,
        is_current=True,
        prescriber=old.prescriber,
        site=old.site,
        daily_dose=Decimal(daily_dose),
        starts_on=old.starts_on,
        ends_on=old.ends_on,
        supervised_weekdays=old.supervised_weekdays,
        instructions=old.instructions,
        reason="Dose change",
    )


def dispense(
    prescription: Prescription,
    day: datetime.date,
    *,
    actor: User,
    kind: str = DispensingKind.SUPERVISED,
) -> Dispensing:
    version = prescription.versions.get(is_current=True)
    exception = kind == DispensingKind.EXCEPTION
    return Dispensing.objects.create(
        client=prescription.client,
        prescription=prescription,
        version=version,
        organisation=prescription.organisation,
        site=version.site,
        day=day,
        kind=kind,
        quantity=version.daily_dose,
        handed_out_at=clock.now(),
        handed_out_by=actor,
        exception_reason="lost" if exception else "",
        reason="Dose lost on the way home." if exception else "",
    )


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())
