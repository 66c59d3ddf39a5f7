"""The EUDA Treatment Demand Indicator (TDI 3.0) export of one organisation and year: one record
per treatment entrant, the aggregated tables, and the records that cannot be exported.

Read-only and set-based: two queries whatever the number of episodes (the entrants with
their client, and the assessments of those entrants with their TDI items), then pure Python.
The mapping, the selection rules and the pseudonym are documented in docs/tdi-export.md.

Where the codes come from: the code lists of the intake items are those of
:mod:`bedring.pathway.tdi`, written from knowledge of the protocol and not yet checked against
its annex; the derived items (centre type, sex, age) here carry the same caveat.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import hmac
import io
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bedring.accounts.models import Organisation
from bedring.catalogue.models import Attendance, AttendanceStatus, Enrolment
from bedring.clients.models import Sex
from bedring.core.ages import age_on
from bedring.core.errors import ValidationFailed
from bedring.pathway import tdi
from bedring.pathway.models import Assessment, Episode, Inquiry
from bedring.pathway.models.episode import Channel

REGISTER = "tdi"
MIN_YEAR = 2000
# An offer the catalogue marks as needing no authorisation (drop-in, outreach contact, needle
# exchange, open counselling, cafés) is low-threshold or harm reduction, not treatment: an
# attended session there is not the face-to-face treatment contact the TDI counts.
HARM_REDUCTION_INTENSITY = "no_authorisation"
RESIDENTIAL_INTENSITY = "residential"
MAX_SECONDARY = tdi.MAX_SECONDARY


class CentreType:
    """TDI item "type of treatment centre" (the two Bedring can tell apart)."""

    OUTPATIENT = 1
    INPATIENT = 2


SEX_CODES = {Sex.MALE: 1, Sex.FEMALE: 2, Sex.OTHER: tdi.NOT_KNOWN, Sex.UNKNOWN: tdi.NOT_KNOWN}
YEAR_OF_BIRTH_NOT_KNOWN = 9999
INJECTED = (
    tdi.Injecting.NOT_LAST_12_MONTHS,
    tdi.Injecting.LAST_12_MONTHS,
    tdi.Injecting.LAST_30_DAYS,
)


@dataclass(frozen=True)
class TdiItem:
    name: str
    label: Promise
    mandatory: bool


# The record's columns in TDI order. ``client_key`` is not a TDI item but the pseudonym.
ITEMS: tuple[TdiItem, ...] = (
    TdiItem("client_key", gettext_lazy("Client key (pseudonym)"), True),
    TdiItem("centre_type", gettext_lazy("Type of treatment centre"), True),
    TdiItem("treatment_year", gettext_lazy("Year of treatment"), True),
    TdiItem("previously_treated", gettext_lazy("Ever previously treated"), True),
    TdiItem("referral_source", gettext_lazy("Source of referral"), True),
    TdiItem("sex", gettext_lazy("Sex"), True),
    TdiItem("age", gettext_lazy("Age at treatment start"), True),
    TdiItem("year_of_birth", gettext_lazy("Year of birth"), True),
    TdiItem("living_with", gettext_lazy("Living status (with whom)"), True),
    TdiItem("living_where", gettext_lazy("Living status (where)"), True),
    TdiItem("children", gettext_lazy("Living with children"), True),
    TdiItem("nationality", gettext_lazy("Nationality"), False),
    TdiItem("labour_status", gettext_lazy("Labour status"), True),
    TdiItem("education", gettext_lazy("Highest level of education completed"), True),
    TdiItem("primary_substance", gettext_lazy("Primary drug"), True),
    TdiItem("primary_route", gettext_lazy("Usual route of administration"), True),
    TdiItem("primary_frequency", gettext_lazy("Frequency of use (last 30 days)"), True),
    TdiItem("primary_age_first_use", gettext_lazy("Age at first use of the primary drug"), True),
    *(
        TdiItem(f"secondary_substance_{n}", gettext_lazy("Secondary drug"), False)
        for n in range(1, MAX_SECONDARY + 1)
    ),
    TdiItem("ever_injected", gettext_lazy("Ever injected"), True),
    # Mandatory when the client has injected (see _missing_items).
    TdiItem("age_first_injection", gettext_lazy("Age at first injection"), False),
    TdiItem("injected_last_30_days", gettext_lazy("Injected in the last 30 days"), True),
    TdiItem("ever_shared_equipment", gettext_lazy("Ever shared injecting equipment"), False),
    TdiItem("opioid_substitution_ever", gettext_lazy("Ever opioid substitution treatment"), False),
    TdiItem(
        "opioid_substitution_age_first",
        gettext_lazy("Age at first opioid substitution treatment"),
        False,
    ),
)
ITEM_NAMES = tuple(item.name for item in ITEMS)
ITEM_LABELS = {
    **{item.name: item.label for item in ITEMS},
    # A problem with the whole intake (no completed assessment with TDI items), not one item.
    REGISTER: _("TDI items"),
}
# The TdiIntake fields copied as they are (the rest is derived or unpacked).
INTAKE_ITEMS = (
    "previously_treated",
    "referral_source",
    "living_with",
    "living_where",
    "children",
    "nationality",
    "labour_status",
    "education",
    "primary_substance",
    "primary_route",
    "primary_frequency",
    "primary_age_first_use",
    "ever_injected",
    "age_first_injection",
    "injected_last_30_days",
    "ever_shared_equipment",
    "opioid_substitution_ever",
    "opioid_substitution_age_first",
)
MANDATORY = tuple(item.name for item in ITEMS if item.mandatory)

# The aggregated tables' age bands (completed years at treatment start).
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0-14", 0, 14),
    ("15-19", 15, 19),
    ("20-24", 20, 24),
    ("25-29", 25, 29),
    ("30-34", 30, 34),
    ("35-39", 35, 39),
    ("40-44", 40, 44),
    ("45-49", 45, 49),
    ("50-54", 50, 54),
    ("55-59", 55, 59),
    ("60-64", 60, 64),
    ("65+", 65, 200),
)
AGE_BAND_NOT_KNOWN = "not_known"
TABLES = ("primary_drug", "sex", "age_band")


@dataclass(frozen=True)
class TdiProblemRow:
    """A treatment entrant whose record is not exported, and why: one row per missing item."""

    episode: uuid.UUID
    assessment: uuid.UUID | None  # where to fix it; None when there is no assessment
    client_key: str
    item: str
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "episode": str(self.episode),
            "assessment": str(self.assessment) if self.assessment else None,
            "client_key": self.client_key,
            "item": self.item,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True)
class TableRow:
    code: str
    label: str
    count: int


@dataclass
class TdiExport:
    organisation: Organisation
    year: int
    records: list[dict[str, Any]] = field(default_factory=list)
    problems: list[TdiProblemRow] = field(default_factory=list)
    tables: dict[str, list[TableRow]] = field(default_factory=dict)
    entrants: int = 0  # treatment entrants selected (exported or not)

    @property
    def problem_episodes(self) -> int:
        return len({p.episode for p in self.problems})

    def to_csv(self) -> str:
        return records_csv(self)

    def tables_csv(self) -> str:
        return tables_csv(self)

    def summary(self) -> dict[str, Any]:
        """What the page and the API show: counts, tables and the validation list."""
        return {
            "organisation": self.organisation.slug,
            "year": self.year,
            "entrants": self.entrants,
            "records": len(self.records),
            "problem_episodes": self.problem_episodes,
            "problems": [p.as_dict() for p in self.problems],
            "tables": {
                name: [{"code": r.code, "label": r.label, "count": r.count} for r in rows]
                for name, rows in self.tables.items()
            },
        }

    def to_json(self) -> dict[str, Any]:
        return {**self.summary(), "items": list(ITEM_NAMES), "records": self.records}


def check_year(year: int, *, today: datetime.date) -> None:
    """A TDI year is a whole year from MIN_YEAR to this year (the current year is exported
    as far as it has gone)."""
    if not MIN_YEAR <= year <= today.year:
        raise ValidationFailed(
            "invalid_year",
            _("Choose a year from %(min)s to %(max)s.") % {"min": MIN_YEAR, "max": today.year},
            field="year",
        )


# --- pseudonym -------------------------------------------------------------------------------


def pseudonym(*, identifier_kind: str, national_id: str, client_uuid: uuid.UUID) -> str:
    """The client's pseudonymous key: HMAC-SHA256 with ``settings.PSEUDONYM_KEY`` of the
    national identifier (with its kind, so that numbers of two countries never collide), or of
    the client's internal UUID when there is none. The same person keeps the same key in every
    export (and in every organisation, when identified); the identifier cannot be recovered
    without the key."""
    subject = f"{identifier_kind}:{national_id}" if national_id else f"bedring:{client_uuid}"
    key = settings.PSEUDONYM_KEY.encode()
    return hmac.new(key, subject.encode(), hashlib.sha256).hexdigest()


# --- selection -------------------------------------------------------------------------------


def face_to_face_contact() -> Q:
    """An episode had a face-to-face contact when its inquiry was made in person (or as a
    walk-in), or the client attended a session of a treatment offer of the episode (any
    offer that is not low-threshold / harm reduction). An assessment alone does not count:
    Bedring does not record whether it was held in person."""
    in_person_inquiry = Inquiry.objects.filter(episode=OuterRef("pk")).filter(
        Q(channel=Channel.IN_PERSON) | Q(walk_in=True)
    )
    attended_treatment = Attendance.objects.filter(
        enrolment__episode=OuterRef("pk"), status=AttendanceStatus.ATTENDED
    ).exclude(enrolment__offer__intensity=HARM_REDUCTION_INTENSITY)
    return Q(Exists(in_person_inquiry)) | Q(Exists(attended_treatment))


def entrants(organisation: Organisation, year: int) -> QuerySet[Episode]:
    """The treatment entrants of the year: episodes of the organisation whose treatment
    started in the year, with a face-to-face contact."""
    return Episode.objects.filter(
        organisation=organisation,
        started_on__gte=datetime.date(year, 1, 1),
        started_on__lt=datetime.date(year + 1, 1, 1),
    ).filter(face_to_face_contact())


# --- building --------------------------------------------------------------------------------


def _centre_type(residential: bool) -> int:
    return CentreType.INPATIENT if residential else CentreType.OUTPATIENT


def _age_band(age: int | None) -> str:
    if age is None or age == tdi.AGE_NOT_KNOWN:
        return AGE_BAND_NOT_KNOWN
    return next((name for name, low, high in AGE_BANDS if low <= age <= high), AGE_BAND_NOT_KNOWN)


def _missing_items(record: dict[str, Any]) -> list[str]:
    missing = [name for name in MANDATORY if record.get(name) in (None, "")]
    if record.get("ever_injected") in INJECTED and record.get("age_first_injection") is None:
        missing.append("age_first_injection")
    return missing


def _choose_assessment(rows: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, str]:
    """The assessment whose TDI items are exported: the latest completed one with TDI items.
    Otherwise the latest assessment (to link to) and the reason."""
    if not rows:
        return None, "no_assessment"
    with_tdi = [r for r in rows if r["tdi__id"] is not None]
    completed = [r for r in with_tdi if r["completed_at"] is not None]
    if completed:
        return completed[-1], ""
    if with_tdi:
        return with_tdi[-1], "assessment_not_completed"
    return rows[-1], "no_tdi"


REASONS: dict[str, Promise] = {
    "no_assessment": gettext_lazy(
        "No assessment is recorded: the TDI items are captured at the assessment."
    ),
    "assessment_not_completed": gettext_lazy("The assessment with the TDI items is not completed."),
    "no_tdi": gettext_lazy("No TDI items are recorded at the assessment."),
}


def build_tdi_export(*, organisation: Organisation, year: int) -> TdiExport:
    """The TDI export of the organisation's treatment entrants of ``year``: records with every
    mandatory item, the problems of the others (each missing item of each episode), and the
    aggregated tables of the exported records. Two queries."""
    selected = entrants(organisation, year)
    residential = Enrolment.objects.filter(
        episode=OuterRef("pk"), offer__intensity=RESIDENTIAL_INTENSITY
    )
    episodes = cast(
        "list[dict[str, Any]]",
        list(
            selected.annotate(residential=Exists(residential))
            .order_by("started_on", "pk")
            .values(
                "pk",
                "uuid",
                "started_on",
                "residential",
                "client__uuid",
                "client__identifier_kind",
                "client__national_id",
                "client__birth_date",
                "client__sex",
            )
        ),
    )
    selected_pks = {episode["pk"] for episode in episodes}
    assessments: dict[int, list[dict[str, Any]]] = {}
    for row in (
        # The year's started episodes of the organisation (a superset of the entrants, without
        # re-evaluating the contact subqueries); the others are skipped below.
        Assessment.objects.filter(
            episode__organisation=organisation,
            episode__started_on__gte=datetime.date(year, 1, 1),
            episode__started_on__lt=datetime.date(year + 1, 1, 1),
        )
        .order_by("conducted_on", "pk")
        .values(
            "episode_id",
            "uuid",
            "completed_at",
            "tdi__id",
            "tdi__secondary_substances",
            *(f"tdi__{name}" for name in INTAKE_ITEMS),
        )
    ):
        if row["episode_id"] in selected_pks:
            assessments.setdefault(row["episode_id"], []).append(row)

    export = TdiExport(organisation=organisation, year=year, entrants=len(episodes))
    for episode in episodes:
        client_key = pseudonym(
            identifier_kind=episode["client__identifier_kind"],
            national_id=episode["client__national_id"],
            client_uuid=episode["client__uuid"],
        )
        chosen, reason = _choose_assessment(assessments.get(episode["pk"], []))
        assessment_uuid = chosen["uuid"] if chosen else None
        if reason or chosen is None:
            export.problems.append(
                TdiProblemRow(
                    episode=episode["uuid"],
                    assessment=assessment_uuid,
                    client_key=client_key,
                    item="tdi",
                    code=reason or "no_assessment",
                    message=str(REASONS[reason or "no_assessment"]),
                )
            )
            continue
        record = _record(episode, chosen, client_key, year)
        missing = _missing_items(record)
        if missing:
            export.problems.extend(
                TdiProblemRow(
                    episode=episode["uuid"],
                    assessment=assessment_uuid,
                    client_key=client_key,
                    item=name,
                    code="missing_item",
                    message=_("Mandatory TDI item missing: %(item)s.")
                    % {"item": ITEM_LABELS[name]},
                )
                for name in missing
            )
            continue
        export.records.append(record)
    export.tables = aggregate(export.records)
    return export


def _record(
    episode: dict[str, Any], assessment: dict[str, Any], client_key: str, year: int
) -> dict[str, Any]:
    birth_date: datetime.date | None = episode["client__birth_date"]
    started_on: datetime.date = episode["started_on"]
    age = age_on(birth_date, started_on) if birth_date is not None else tdi.AGE_NOT_KNOWN
    intake = {name: assessment[f"tdi__{name}"] for name in INTAKE_ITEMS}
    if intake["injected_last_30_days"] is None:
        intake.update(tdi.derived_fields(intake))
    secondaries = [
        item.get("substance")
        for item in (assessment["tdi__secondary_substances"] or [])
        if isinstance(item, dict)
    ]
    values: dict[str, Any] = {
        "client_key": client_key,
        "centre_type": _centre_type(episode["residential"]),
        "treatment_year": year,
        "sex": SEX_CODES.get(episode["client__sex"], tdi.NOT_KNOWN),
        "age": age,
        "year_of_birth": birth_date.year if birth_date is not None else YEAR_OF_BIRTH_NOT_KNOWN,
        **intake,
        "nationality": intake["nationality"] or None,
        **{
            f"secondary_substance_{n}": secondaries[n - 1] if n <= len(secondaries) else None
            for n in range(1, MAX_SECONDARY + 1)
        },
    }
    return {name: values[name] for name in ITEM_NAMES}


# --- tables ----------------------------------------------------------------------------------


def aggregate(records: list[dict[str, Any]]) -> dict[str, list[TableRow]]:
    """Counts of the exported records by primary drug, sex and age band; every code of each
    list is shown (zero too), in list order, so that two years' tables line up."""
    drugs = Counter(r["primary_substance"] for r in records)
    sexes = Counter(r["sex"] for r in records)
    bands = Counter(_age_band(r["age"]) for r in records)
    drug_rows = [
        TableRow(str(code), str(label), drugs.get(code, 0))
        for code, label in tdi.Substance.choices
        if code != tdi.Substance.ALCOHOL
    ]
    sex_rows = [
        TableRow("1", _("Male"), sexes.get(1, 0)),
        TableRow("2", _("Female"), sexes.get(2, 0)),
        TableRow(str(tdi.NOT_KNOWN), _("Not known"), sexes.get(tdi.NOT_KNOWN, 0)),
    ]
    band_rows = [TableRow(name, name, bands.get(name, 0)) for name, _low, _high in AGE_BANDS]
    band_rows.append(TableRow(AGE_BAND_NOT_KNOWN, _("Not known"), bands.get(AGE_BAND_NOT_KNOWN, 0)))
    return {"primary_drug": drug_rows, "sex": sex_rows, "age_band": band_rows}


def table_titles() -> dict[str, str]:
    return {
        "primary_drug": _("By primary drug"),
        "sex": _("By sex"),
        "age_band": _("By age band at treatment start"),
    }


# --- files -----------------------------------------------------------------------------------


def records_csv(export: TdiExport) -> str:
    """One row per exported record, the TDI item names as the header; an item not asked
    (optional items only) is empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ITEM_NAMES)
    for record in export.records:
        writer.writerow(["" if record[name] is None else record[name] for name in ITEM_NAMES])
    return out.getvalue()


def tables_csv(export: TdiExport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "code", "label", "count"])
    for name, rows in export.tables.items():
        for row in rows:
            writer.writerow([name, row.code, row.label, row.count])
    return out.getvalue()


def problems_text(export: TdiExport) -> list[str]:
    return [f"{p.episode} {p.client_key[:12]} {p.item}: {p.message}" for p in export.problems]
