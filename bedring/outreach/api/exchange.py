"""The needle exchange in /api/v1/outreach/exchange/ (HRM-1, HRM-9): the points with their
hours and stock, transactions (idempotent by ``offline_id``: sent twice, the second answers
200 with the stored transaction and writes nothing), stock movements, and the figures per
point and month. The same services, selectors and error codes as the pages. A point of
another organisation is 404; the points and transactions need harm_reduction, the figures
outcomes."""

from __future__ import annotations

import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema, Status

from bedring.accounts.access import Staff, organisation_for_write, organisations_where
from bedring.accounts.models import Organisation
from bedring.core import clock
from bedring.core.hours import format_intervals
from bedring.core.paging import api_page
from bedring.core.roles import Perm

from .. import selectors_exchange as selectors
from ..exchange_figures import Cell
from ..exchange_report import DEFINITIONS, exchange_report, period_from
from ..models import ExchangePoint, ExchangeStockMovement, ExchangeTransaction
from ..selectors import outreach_spec
from ..services import exchange as services

router = Router(tags=["outreach"])
BASE = "/outreach/exchange"
StockKind = Literal["delivered", "wasted", "counted"]


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


def _point(request: HttpRequest, point_id: UUID) -> ExchangePoint:
    staff = _staff(request)
    return selectors.point_for(staff, point_id, organisation_ids=staff.memberships)


# --- points ----------------------------------------------------------------------------------


class ItemOut(Schema):
    key: str
    name: str


class StockOut(Schema):
    item: str
    level: int | None = Field(description="None: the item's stock is not kept at the point.")
    counted: int | None
    counted_at: datetime.datetime | None
    delivered_since: int
    handed_out_since: int
    wasted_since: int


class PointOut(Schema):
    id: UUID
    organisation: UUID
    key: str
    name: str
    kind: str
    site: str | None
    address: str
    hours: dict[str, str]
    items: list[ItemOut]
    is_active: bool
    open_now: bool
    today: str = Field(description="Today's hours, empty when closed today.")
    closes_at: datetime.datetime | None
    opens_at: datetime.datetime | None
    stock: list[StockOut]


def _stock_out(line: selectors.StockLine) -> StockOut:
    level = line.level
    return StockOut(
        item=line.key,
        level=level.level,
        counted=level.counted,
        counted_at=level.counted_at,
        delivered_since=level.delivered,
        handed_out_since=level.handed_out,
        wasted_since=level.wasted,
    )


def _point_out(card: selectors.PointCard, names: dict[str, str]) -> PointOut:
    point, state = card.point, card.state
    zone = clock.zone(point.organisation)
    return PointOut(
        id=point.uuid,
        organisation=point.organisation.uuid,
        key=point.key,
        name=point.name,
        kind=point.kind,
        site=point.site.slug if point.site else None,
        address=point.address,
        hours=dict(point.hours),
        items=[ItemOut(key=k, name=names.get(k, k)) for k in point.items],
        is_active=point.is_active,
        open_now=state.is_open,
        today=format_intervals(state.today),
        closes_at=state.closes_at.replace(tzinfo=zone) if state.closes_at else None,
        opens_at=state.opens_at.replace(tzinfo=zone) if state.opens_at else None,
        stock=[_stock_out(line) for line in card.stock],
    )


def _organisations(staff: Staff, wanted: UUID | None, perm: Perm) -> list[Organisation]:
    allowed = organisations_where(staff, perm)
    if not allowed:
        raise PermissionDenied
    if wanted is None:
        return allowed
    found = [o for o in allowed if o.uuid == wanted]
    if not found:
        if any(m.organisation.uuid == wanted for m in staff.memberships.values()):
            raise PermissionDenied
        raise Http404
    return found


@router.get(f"{BASE}/points", response=list[PointOut], summary="The exchange points")
def point_list(request: HttpRequest, organisation: UUID | None = None) -> list[PointOut]:
    """HRM-1: the active points of the caller's organisations (or of ``organisation``), with
    their hours, whether they are open now, and their stock."""
    answer: list[PointOut] = []
    for org in _organisations(_staff(request), organisation, Perm.HARM_REDUCTION):
        names = selectors.item_names(outreach_spec(org), get_language())
        points = list(selectors.active_points(org))
        answer += [_point_out(c, names) for c in selectors.point_cards(points, org, names=names)]
    return answer


@router.get(f"{BASE}/points/{{point_id}}", response=PointOut, summary="One exchange point")
def point_detail(request: HttpRequest, point_id: UUID) -> PointOut:
    point = _point(request, point_id)
    names = selectors.item_names(outreach_spec(point.organisation), get_language())
    return _point_out(selectors.point_card(point, names=names), names)


# --- transactions ----------------------------------------------------------------------------


class TransactionIn(Schema):
    at: datetime.datetime | None = Field(None, description="Default: now.")
    participant_code: str = Field("", max_length=32, description="Optional; never a name.")
    items_out: dict[str, int] = Field(default_factory=dict)
    items_back: dict[str, int] = Field(default_factory=dict)
    returned_estimated: bool = False
    advice: bool = False
    referral: str = Field("", max_length=200, description="Where to: a service, not a person.")
    offline_id: UUID | None = None


class ShortOut(Schema):
    code: str = "stock_short"
    item: str
    on_shelf: int
    handed_out: int


class TransactionOut(Schema):
    id: UUID
    offline_id: UUID | None
    point: UUID
    at: datetime.datetime
    participant_code: str
    items_out: dict[str, int]
    items_back: dict[str, int]
    returned_estimated: bool
    advice: bool
    referral: str
    recorded_by: str
    warnings: list[ShortOut] = Field(
        default_factory=list,
        description="Items handed out beyond the book's level: recorded, not refused.",
    )


def _transaction_out(
    record: ExchangeTransaction, point: ExchangePoint, short: list[services.Short] | None = None
) -> TransactionOut:
    return TransactionOut(
        id=record.uuid,
        offline_id=record.offline_id,
        point=point.uuid,
        at=record.at,
        participant_code=record.participant_code,
        items_out=dict(record.items_out),
        items_back=dict(record.items_back),
        returned_estimated=record.returned_estimated,
        advice=record.advice,
        referral=record.referral,
        recorded_by=record.recorded_by.username,
        warnings=[
            ShortOut(item=s.item, on_shelf=s.on_shelf, handed_out=s.handed_out) for s in short or []
        ],
    )


@router.post(
    f"{BASE}/points/{{point_id}}/transactions",
    response={201: TransactionOut, 200: TransactionOut},
    summary="Record an exchange (idempotent by offline_id)",
)
def transaction_create(
    request: HttpRequest, point_id: UUID, payload: TransactionIn
) -> Status[TransactionOut]:
    point = _point(request, point_id)
    result = services.exchange_record(
        organisation=point.organisation,
        point=point,
        actor=_staff(request).user,
        at=payload.at or clock.now(),
        items_out=payload.items_out,
        items_back=payload.items_back,
        returned_estimated=payload.returned_estimated,
        participant_code=payload.participant_code,
        advice=payload.advice,
        referral=payload.referral,
        offline_id=payload.offline_id,
    )
    return Status(
        201 if result.created else 200,
        _transaction_out(result.transaction, point, result.short),
    )


class TransactionPage(Schema):
    count: int
    results: list[TransactionOut]


@router.get(
    f"{BASE}/points/{{point_id}}/transactions",
    response=TransactionPage,
    summary="A point's exchanges, newest first",
)
def transaction_list(
    request: HttpRequest, point_id: UUID, offset: int = 0, limit: int = 50
) -> TransactionPage:
    point = _point(request, point_id)
    count, rows = api_page(
        selectors.transactions_of(point).select_related("recorded_by"), offset, limit
    )
    return TransactionPage(count=count, results=[_transaction_out(r, point) for r in rows])


# --- stock -----------------------------------------------------------------------------------


class MovementIn(Schema):
    item: str = Field(..., max_length=40)
    kind: StockKind
    quantity: int
    at: datetime.datetime | None = Field(None, description="Default: now.")
    note: str = Field("", max_length=300, description="Required for waste: why.")


class MovementOut(Schema):
    id: UUID
    item: str
    kind: str
    quantity: int
    at: datetime.datetime
    actor: str
    note: str
    expected: int | None = Field(
        None, description="For a count: the book's level at its moment (None: not kept)."
    )
    difference: int | None = Field(None, description="For a count: counted minus expected.")


def _movement_out(
    movement: ExchangeStockMovement, result: services.StockResult | None = None
) -> MovementOut:
    return MovementOut(
        id=movement.uuid,
        item=movement.item,
        kind=movement.kind,
        quantity=movement.quantity,
        at=movement.at,
        actor=movement.actor.username,
        note=movement.note,
        expected=result.expected if result else None,
        difference=result.difference if result else None,
    )


class StockPage(Schema):
    levels: list[StockOut]
    movements: list[MovementOut]


@router.get(f"{BASE}/points/{{point_id}}/stock", response=StockPage, summary="A point's stock")
def stock_detail(request: HttpRequest, point_id: UUID) -> StockPage:
    """HRM-9: per item the level (last count plus movements since) and the latest 20
    deliveries, counts and waste."""
    point = _point(request, point_id)
    levels = selectors.stock_levels([point.pk]).get(point.pk, {})
    lines = selectors.stock_lines(point, levels, {})
    return StockPage(
        levels=[_stock_out(line) for line in lines],
        movements=[_movement_out(m) for m in selectors.stock_movements(point)],
    )


@router.post(
    f"{BASE}/points/{{point_id}}/stock",
    response={201: MovementOut},
    summary="Record a delivery, waste or a count",
)
def stock_create(request: HttpRequest, point_id: UUID, payload: MovementIn) -> Status[MovementOut]:
    point = _point(request, point_id)
    result = services.exchange_stock_record(
        organisation=point.organisation,
        point=point,
        actor=_staff(request).user,
        item=payload.item,
        kind=payload.kind,
        quantity=payload.quantity,
        at=payload.at,
        note=payload.note,
    )
    return Status(201, _movement_out(result.movement, result))


# --- figures ---------------------------------------------------------------------------------


class CellOut(Schema):
    month: str = Field(description="YYYY-MM")
    days: int
    transactions: int
    items_out: dict[str, int]
    items_back: dict[str, int]
    returnable_out: int
    returnable_back: int
    return_rate: float | None
    returns_estimated: bool
    participant_codes: int
    transactions_without_code: int
    visits_per_person: float
    estimated_participants: int
    syringes_out: int
    coverage: float | None
    advice: int
    referrals: int


class PointFiguresOut(Schema):
    point: UUID
    key: str
    name: str
    months: list[CellOut]


class FiguresOut(Schema):
    organisation: UUID
    first_month: str
    last_month: str
    injections_per_day: float | None
    coverage_source: str
    definitions: dict[str, str]
    points: list[PointFiguresOut]
    network: list[CellOut] = Field(description="Empty when one point was asked for.")


def _cell_out(cell: Cell) -> CellOut:
    return CellOut(
        month=cell.month.strftime("%Y-%m"),
        days=cell.days,
        transactions=cell.transactions,
        items_out=dict(cell.out),
        items_back=dict(cell.back),
        returnable_out=cell.returnable_out,
        returnable_back=cell.returnable_back,
        return_rate=cell.return_rate,
        returns_estimated=cell.returns_estimated,
        participant_codes=len(cell.codes),
        transactions_without_code=cell.anonymous_transactions,
        visits_per_person=cell.visits_per_person,
        estimated_participants=cell.estimated_participants,
        syringes_out=cell.syringes_out,
        coverage=cell.coverage,
        advice=cell.advice,
        referrals=cell.referrals,
    )


class FiguresQuery(Schema):
    organisation: UUID | None = None
    point: UUID | None = None
    first: str | None = Field(None, alias="from", description="YYYY-MM; default 11 months ago.")
    last: str | None = Field(None, alias="to", description="YYYY-MM; default this month.")


@router.get(f"{BASE}/figures", response=FiguresOut, summary="Figures per point and month")
def figures(request: HttpRequest, query: Query[FiguresQuery]) -> FiguresOut:
    """HRM-9: per point and month, and for the whole network: transactions, items out and
    back, return rate, estimated participants and syringe coverage (``definitions``)."""
    staff = _staff(request)
    organisation = organisation_for_write(staff, query.organisation, Perm.OUTCOMES)
    point = None
    if query.point is not None:
        point = selectors.point_for(
            staff, query.point, organisation_ids=[organisation.pk], perm=Perm.OUTCOMES
        )
    today = clock.today(organisation)
    period = period_from(query.first, query.last, today=today)
    report = exchange_report(
        organisation, period=period, today=today, language=get_language(), point=point
    )
    return FiguresOut(
        organisation=organisation.uuid,
        first_month=period.first.strftime("%Y-%m"),
        last_month=period.last.strftime("%Y-%m"),
        injections_per_day=report.injections_per_day,
        coverage_source=report.coverage_source,
        definitions={key: str(text) for key, text in DEFINITIONS.items()},
        points=[
            PointFiguresOut(
                point=p.uuid,
                key=p.key,
                name=p.name,
                months=[_cell_out(c) for c in report.cells_of(p)],
            )
            for p in report.points
        ],
        network=[] if point is not None else [_cell_out(c) for c in report.network],
    )
