"""Prescriptions, the dispensing desk and the stock in /api/v1/ (MED-1, MED-2, MED-3, MED-6,
MED-8): the same services, rules and error codes as the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from bedring.accounts.access import Staff
from bedring.accounts.models import Site, User
from bedring.audit.services import access_search_results
from bedring.clients.access import client_for
from bedring.core import clock
from bedring.core.errors import ValidationFailed
from bedring.core.roles import Perm

from .. import selectors
from ..access import prescription_for, site_for
from ..models import Dispensing, Medicine, Prescription, PrescriptionVersion, StockMovement
from ..services import dispensing as dosing
from ..services import prescribing, stock

router = Router(tags=["medication"])

Weekday = Literal[0, 1, 2, 3, 4, 5, 6]
DeliveryIn = Literal["clinic", "home_nursing", "residential_home", "pharmacy", "other"]
EffectIn = Literal["", "adequate", "too_weak", "too_strong"]
ExceptionIn = Literal["lost", "vomited", "extra"]
MovementKindIn = Literal["received", "wasted", "returned", "counted"]
MAX_DOSES = 500


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


class MedicineOut(Schema):
    key: str
    name: str
    names: dict[str, str] = Field(description="The name in Danish, Norwegian Bokmål, Dutch.")
    inn: str
    atc_code: str
    form: str
    strength: str
    unit: str
    is_substitution: bool
    max_daily_dose: Decimal
    dose_step: Decimal


@router.get("/medicines", response=list[MedicineOut])
def medicine_list(request: HttpRequest) -> list[Medicine]:
    """MED-1: the medicines that can be prescribed (the shipped list ``medicines.yaml``)."""
    return list(Medicine.objects.filter(is_active=True).order_by("name"))


class TermsIn(Schema):
    site: UUID
    daily_dose: Decimal = Field(gt=0, max_digits=8, decimal_places=2)
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    supervised_weekdays: list[Weekday] = Field(max_length=7)
    take_home_weekdays: list[Weekday] = Field(default_factory=list, max_length=7)
    pickup_interval_days: int = Field(1, ge=1, le=28)
    delivery: DeliveryIn = "clinic"
    delivery_to: str = Field("", max_length=200)
    instructions: str = Field("", max_length=500)


class PrescriptionIn(TermsIn):
    medicine: str = Field(description="The medicine's key, from GET /medicines.", max_length=60)


class ChangeIn(TermsIn):
    reason: str = Field("", max_length=500)


class VersionOut(Schema):
    number: int
    is_current: bool
    prescriber: str
    site: UUID
    daily_dose: Decimal
    starts_on: datetime.date
    ends_on: datetime.date | None
    supervised_weekdays: list[int]
    take_home_weekdays: list[int]
    pickup_interval_days: int
    delivery: str
    delivery_to: str
    instructions: str
    reason: str
    created_at: datetime.datetime


class PrescriptionOut(Schema):
    id: UUID
    client: UUID
    medicine: str
    atc_code: str
    status: str
    hold_reason: str
    held_since: datetime.date | None
    ended_on: datetime.date | None
    current: VersionOut
    versions: list[VersionOut] | None = None


def _version_out(version: PrescriptionVersion) -> VersionOut:
    return VersionOut(
        number=version.number,
        is_current=version.is_current,
        prescriber=version.prescriber.username,
        site=version.site.uuid,
        daily_dose=version.daily_dose,
        starts_on=version.starts_on,
        ends_on=version.ends_on,
        supervised_weekdays=version.supervised_weekdays,
        take_home_weekdays=version.take_home_weekdays,
        pickup_interval_days=version.pickup_interval_days,
        delivery=version.delivery,
        delivery_to=version.delivery_to,
        instructions=version.instructions,
        reason=version.reason,
        created_at=version.created_at,
    )


def _prescription_out(
    prescription: Prescription,
    current: PrescriptionVersion,
    versions: list[PrescriptionVersion] | None = None,
) -> PrescriptionOut:
    return PrescriptionOut(
        id=prescription.uuid,
        client=prescription.client.uuid,
        medicine=prescription.medicine.key,
        atc_code=prescription.medicine.atc_code,
        status=prescription.status,
        hold_reason=prescription.hold_reason,
        held_since=prescription.held_since,
        ended_on=prescription.ended_on,
        current=_version_out(current),
        versions=[_version_out(v) for v in versions] if versions is not None else None,
    )


def _site_of(site_id: UUID, organisation_id: int) -> Site:
    try:
        return Site.objects.get(uuid=site_id, organisation_id=organisation_id, is_active=True)
    except Site.DoesNotExist as exc:
        raise ValidationFailed(
            "site_not_found", _("Choose one of the organisation's sites."), field="site"
        ) from exc


def _terms(staff: Staff, payload: TermsIn, organisation_id: int) -> prescribing.PrescriptionTerms:
    return prescribing.PrescriptionTerms(
        site=_site_of(payload.site, organisation_id),
        daily_dose=payload.daily_dose,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        supervised_weekdays=tuple(payload.supervised_weekdays),
        take_home_weekdays=tuple(payload.take_home_weekdays),
        pickup_interval_days=payload.pickup_interval_days,
        delivery=payload.delivery,
        delivery_to=payload.delivery_to.strip(),
        instructions=payload.instructions.strip(),
    )


@router.get("/clients/{client_id}/prescriptions", response=list[PrescriptionOut])
def prescription_list(request: HttpRequest, client_id: UUID) -> list[PrescriptionOut]:
    """MED-1: the client's prescriptions with their current version."""
    client = client_for(
        request, _staff(request), client_id, view="api_prescriptions", channel="api"
    )
    medication = selectors.client_medication(client)
    return [_prescription_out(p, v) for p, v in medication.prescriptions]


@router.post("/clients/{client_id}/prescriptions", response={201: PrescriptionOut})
def prescription_create(
    request: HttpRequest, client_id: UUID, payload: PrescriptionIn
) -> Status[PrescriptionOut]:
    """MED-1, MED-3, MED-8: a doctor prescribes. Substitution is refused under 18
    (``substitution_under_age``) and in anonymous treatment (``substitution_anonymous``)."""
    staff = _staff(request)
    client = client_for(
        request, staff, client_id, view="api_prescribe", perm=Perm.PRESCRIBE, channel="api"
    )
    medicine = Medicine.objects.filter(key=payload.medicine).first()
    if medicine is None:
        raise ValidationFailed(
            "medicine_not_found", _("No medicine has this key."), field="medicine"
        )
    prescription = prescribing.prescription_create(
        client=client,
        actor=staff.user,
        medicine=medicine,
        terms=_terms(staff, payload, client.organisation_id),
    )
    return Status(201, _prescription_out(prescription, selectors.current_version(prescription)))


@router.get("/prescriptions/{prescription_id}", response=PrescriptionOut)
def prescription_detail(request: HttpRequest, prescription_id: UUID) -> PrescriptionOut:
    """MED-1: a prescription with every version, newest first."""
    prescription = prescription_for(
        request, _staff(request), prescription_id, view="api_prescription", channel="api"
    )
    page = selectors.prescription_page(prescription)
    return _prescription_out(prescription, page.current, page.versions)


@router.post("/prescriptions/{prescription_id}/versions", response={201: PrescriptionOut})
def prescription_change(
    request: HttpRequest, prescription_id: UUID, payload: ChangeIn
) -> Status[PrescriptionOut]:
    """MED-1: change a prescription: a new version; a dose change larger than the medicine's
    step needs a ``reason`` (``reason_required``)."""
    staff = _staff(request)
    prescription = prescription_for(
        request,
        staff,
        prescription_id,
        view="api_prescription_change",
        perm=Perm.PRESCRIBE,
        channel="api",
    )
    version = prescribing.prescription_change(
        prescription=prescription,
        actor=staff.user,
        terms=_terms(staff, payload, prescription.organisation_id),
        reason=payload.reason,
        today=clock.today(prescription.organisation),
    )
    prescription.refresh_from_db()
    return Status(201, _prescription_out(prescription, version))


class EndIn(Schema):
    on: datetime.date
    reason: str = Field(max_length=300)


@router.post("/prescriptions/{prescription_id}/end", response=PrescriptionOut)
def prescription_end(
    request: HttpRequest, prescription_id: UUID, payload: EndIn
) -> PrescriptionOut:
    """MED-1: a doctor ends a prescription."""
    staff = _staff(request)
    prescription = prescription_for(
        request,
        staff,
        prescription_id,
        view="api_prescription_end",
        perm=Perm.PRESCRIBE,
        channel="api",
    )
    ended = prescribing.prescription_end(
        prescription=prescription,
        actor=staff.user,
        on=payload.on,
        reason=payload.reason,
        today=clock.today(prescription.organisation),
    )
    return _prescription_out(ended, selectors.current_version(ended))


class ReviewIn(Schema):
    note: str = Field(max_length=300)


@router.post("/prescriptions/{prescription_id}/review", response=PrescriptionOut)
def prescription_review(
    request: HttpRequest, prescription_id: UUID, payload: ReviewIn
) -> PrescriptionOut:
    """MED-2: a doctor reviews a prescription on hold and lifts the hold (``not_on_hold``
    when it is not)."""
    staff = _staff(request)
    prescription = prescription_for(
        request,
        staff,
        prescription_id,
        view="api_prescription_review",
        perm=Perm.PRESCRIBE,
        channel="api",
    )
    reviewed = prescribing.prescription_review(
        prescription=prescription, actor=staff.user, note=payload.note
    )
    return _prescription_out(reviewed, selectors.current_version(reviewed))


# --- dispensing ----------------------------------------------------------------------------


class DispensingOut(Schema):
    id: UUID
    prescription: UUID
    client: UUID
    day: datetime.date
    kind: str
    quantity: Decimal
    handed_out_at: datetime.datetime
    handed_out_by: str
    recipient: str
    exception_reason: str
    reason: str
    effect: str
    side_effects: str
    intoxication_signs: str
    corrected: bool = Field(description="Recorded by mistake and corrected: not given.")


def _dispensing_out(d: Dispensing, prescription: Prescription) -> DispensingOut:
    return DispensingOut(
        id=d.uuid,
        prescription=prescription.uuid,
        client=prescription.client.uuid,
        day=d.day,
        kind=d.kind,
        quantity=d.quantity,
        handed_out_at=d.handed_out_at,
        handed_out_by=d.handed_out_by.username,
        recipient=d.recipient,
        exception_reason=d.exception_reason,
        reason=d.reason,
        effect=d.effect,
        side_effects=d.side_effects,
        intoxication_signs=d.intoxication_signs,
        corrected=d.corrected,
    )


class DispenseIn(Schema):
    site: UUID
    kind: Literal["supervised", "exception"] = "supervised"
    effect: EffectIn = ""
    side_effects: str = Field("", max_length=500)
    intoxication_signs: str = Field("", max_length=500)
    exception_reason: ExceptionIn | None = None
    reason: str = Field("", max_length=500)
    quantity: Decimal | None = Field(None, gt=0, max_digits=8, decimal_places=2)


def _desk_site(staff: Staff, site_id: UUID) -> Site:
    return site_for(staff, site_id, perm=Perm.DISPENSE, organisation_ids=staff.memberships)


@router.post("/prescriptions/{prescription_id}/dispensings", response={201: DispensingOut})
def dispensing_create(
    request: HttpRequest, prescription_id: UUID, payload: DispenseIn
) -> Status[DispensingOut]:
    """MED-2, MED-6: record today's dose (``supervised``) or a second dose as an
    ``exception`` with ``exception_reason`` and ``reason``. Refusals: ``already_dispensed``
    (409), ``outside_medication_hours``, ``closed_day``, ``expired``, ``not_started`` (422),
    ``prescription_on_hold`` (409), ``wrong_site`` (422)."""
    staff = _staff(request)
    prescription = prescription_for(
        request, staff, prescription_id, view="api_dispensing", perm=Perm.DISPENSE, channel="api"
    )
    site = _desk_site(staff, payload.site)
    if site.organisation_id != prescription.organisation_id:
        raise Http404
    if payload.kind == "exception":
        dispensing = dosing.dispense_exception(
            prescription=prescription,
            actor=staff.user,
            site=site,
            exception_reason=payload.exception_reason or "",
            reason=payload.reason,
            quantity=payload.quantity,
        )
    else:
        dispensing = dosing.dispense(
            prescription=prescription,
            actor=staff.user,
            site=site,
            observation=dosing.Observation(
                effect=payload.effect,
                side_effects=payload.side_effects,
                intoxication_signs=payload.intoxication_signs,
            ),
        )
    return Status(201, _dispensing_out(dispensing, prescription))


class TakeHomeIn(Schema):
    site: UUID
    days: list[datetime.date] = Field(min_length=1, max_length=28)


@router.post("/prescriptions/{prescription_id}/take-home", response={201: list[DispensingOut]})
def take_home_create(
    request: HttpRequest, prescription_id: UUID, payload: TakeHomeIn
) -> Status[list[DispensingOut]]:
    """MED-2, MED-3: hand out take-home doses for prescribed take-home days
    (``take_home_not_prescribed``, ``take_home_overlap`` otherwise)."""
    staff = _staff(request)
    prescription = prescription_for(
        request, staff, prescription_id, view="api_take_home", perm=Perm.DISPENSE, channel="api"
    )
    site = _desk_site(staff, payload.site)
    if site.organisation_id != prescription.organisation_id:
        raise Http404
    made = dosing.take_home_handover(
        prescription=prescription, actor=staff.user, site=site, days=payload.days
    )
    return Status(201, [_dispensing_out(d, prescription) for d in made])


@router.get("/prescriptions/{prescription_id}/dispensings", response=list[DispensingOut])
def dispensing_list(
    request: HttpRequest, prescription_id: UUID, offset: int = 0, limit: int = 100
) -> list[DispensingOut]:
    """MED-2: the doses of a prescription, newest first, a page at a time."""
    prescription = prescription_for(
        request, _staff(request), prescription_id, view="api_dispensings", channel="api"
    )
    offset, limit = max(0, min(offset, 10_000_000)), max(1, min(limit, MAX_DOSES))
    doses = (
        Dispensing.objects.filter(prescription=prescription)
        .select_related("handed_out_by")
        .order_by("-day", "-handed_out_at")[offset : offset + limit]
    )
    return [_dispensing_out(d, prescription) for d in doses]


class DeskRowOut(Schema):
    prescription: UUID
    client: UUID
    client_name: str
    medicine: str
    daily_dose: Decimal
    status: str
    today_kind: str
    collected: bool
    missed: int
    hold_reason: str
    take_home_due: list[datetime.date]
    take_home_given: list[datetime.date]


class DeskOut(Schema):
    site: UUID
    day: datetime.date
    open_now: bool
    opens_at: datetime.datetime | None = Field(
        None, description="When medication hours start again, if they are not on now."
    )
    counts: dict[str, int]
    rows: list[DeskRowOut]


@router.get("/sites/{site_id}/desk", response=DeskOut)
def desk(request: HttpRequest, site_id: UUID) -> DeskOut:
    """MED-2, MED-6: today's dispensing list of a site."""
    staff = _staff(request)
    site = _desk_site(staff, site_id)
    today = selectors.desk(site, now=clock.now())
    access_search_results(
        actor=staff.user, clients=today.clients, view="api_desk", channel="api", request=request
    )
    return DeskOut(
        site=site.uuid,
        day=today.today,
        open_now=today.open_now,
        opens_at=(
            today.opens_at.replace(tzinfo=ZoneInfo(site.organisation.time_zone))
            if today.opens_at is not None
            else None
        ),
        counts=today.counts,
        rows=[
            DeskRowOut(
                prescription=row.prescription.uuid,
                client=row.client.uuid,
                client_name=row.client.display_name,
                medicine=row.medicine.key,
                daily_dose=row.version.daily_dose,
                status=row.status,
                today_kind=row.today_kind,
                collected=row.collected,
                missed=row.missed,
                hold_reason=row.prescription.hold_reason,
                take_home_due=row.take_home_due,
                take_home_given=row.take_home_given,
            )
            for row in today.rows
        ],
    )


# --- stock ---------------------------------------------------------------------------------


class MovementIn(Schema):
    medicine: str = Field(max_length=60)
    kind: MovementKindIn
    quantity: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    witness: str | None = Field(None, description="Username of the witness (wasted only).")
    batch: str = Field("", max_length=60)
    note: str = Field("", max_length=300)


class MovementOut(Schema):
    id: UUID
    medicine: str
    kind: str
    quantity: Decimal
    at: datetime.datetime
    actor: str
    witness: str | None
    batch: str
    note: str


def _movement_out(m: StockMovement) -> MovementOut:
    return MovementOut(
        id=m.uuid,
        medicine=m.medicine.key,
        kind=m.kind,
        quantity=m.quantity,
        at=m.at,
        actor=m.actor.username,
        witness=m.witness.username if m.witness else None,
        batch=m.batch,
        note=m.note,
    )


def _stock_site(staff: Staff, site_id: UUID) -> Site:
    return site_for(staff, site_id, perm=Perm.STOCK, organisation_ids=staff.memberships)


@router.get("/sites/{site_id}/stock", response=list[MovementOut])
def stock_list(request: HttpRequest, site_id: UUID) -> list[MovementOut]:
    """MED-2: the latest 100 stock movements of a site."""
    site = _stock_site(_staff(request), site_id)
    return [_movement_out(m) for m in selectors.stock_movements(site)]


@router.post("/sites/{site_id}/stock", response={201: MovementOut})
def stock_create(request: HttpRequest, site_id: UUID, payload: MovementIn) -> Status[MovementOut]:
    """MED-2: stock received, wasted (``witness_required``), returned or counted."""
    staff = _staff(request)
    site = _stock_site(staff, site_id)
    medicine = Medicine.objects.filter(key=payload.medicine).first()
    if medicine is None:
        raise ValidationFailed(
            "medicine_not_found", _("No medicine has this key."), field="medicine"
        )
    witness = None
    if payload.witness:
        witness = User.objects.filter(username=payload.witness).first()
        if witness is None:
            raise ValidationFailed(
                "witness_not_staff",
                _("The witness must be a nurse, doctor or manager of the organisation."),
                field="witness",
            )
    movement = stock.stock_record(
        site=site,
        medicine=medicine,
        actor=staff.user,
        kind=payload.kind,
        quantity=payload.quantity,
        witness=witness,
        batch=payload.batch,
        note=payload.note,
    )
    return Status(201, _movement_out(movement))


class LineOut(Schema):
    medicine: str
    opening: Decimal
    received: Decimal
    dispensed: Decimal
    doses_handed_out: Decimal
    wasted: Decimal
    returned: Decimal
    closing: Decimal
    dispensing_difference: Decimal
    counted: Decimal | None
    counted_at: datetime.datetime | None
    count_difference: Decimal | None


@router.get("/sites/{site_id}/stock/reconciliation", response=list[LineOut])
def reconciliation(
    request: HttpRequest, site_id: UUID, start: datetime.date, end: datetime.date
) -> list[LineOut]:
    """MED-2: per medicine, the book against the doses handed out and the last count, for
    the days from ``start`` to ``end`` inclusive."""
    site = _stock_site(_staff(request), site_id)
    for name, value in (("start", start), ("end", end)):
        if not selectors.PERIOD_EARLIEST <= value <= selectors.PERIOD_LATEST:
            raise ValidationFailed(
                "date_out_of_range", _("Choose a date from 1900 to 2999."), field=name
            )
    if end < start:
        raise ValidationFailed(
            "end_before_start", _("The end date is before the start date."), field="end"
        )
    if (end - start).days > 366 * 5:
        raise ValidationFailed(
            "period_too_long", _("Choose a period of at most five years."), field="end"
        )
    tz = ZoneInfo(site.organisation.time_zone)
    lines = selectors.reconciliation(
        site,
        start=datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        end=datetime.datetime.combine(
            end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        ),
    )
    return [
        LineOut(
            medicine=line.medicine.key,
            opening=line.opening,
            received=line.received,
            dispensed=line.dispensed_movements,
            doses_handed_out=line.dispensed_doses,
            wasted=line.wasted,
            returned=line.returned,
            closing=line.closing,
            dispensing_difference=line.dispensing_difference,
            counted=line.counted,
            counted_at=line.counted_at,
            count_difference=line.count_difference,
        )
        for line in lines
    ]
