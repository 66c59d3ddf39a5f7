"""The needle-exchange pages (HRM-1, HRM-9): the network's points with their hours today and
their stock, a point's page, the phone-first transaction form, the stock form, and the
figures per point and month with their chart and CSV. Thin: parse, check access, call one
service, render. The network's pages need harm_reduction; the figures need outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format, number_format, time_format
from django.utils.translation import get_language, gettext_lazy, ngettext, pgettext
from django.utils.translation import gettext as _

from bedring.accounts.access import staff_for_request, staff_view
from bedring.core import clock
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error
from bedring.core.hours import format_intervals
from bedring.core.roles import Perm

from .. import selectors_exchange as selectors
from ..exchange_report import DEFINITIONS, csv_bytes, exchange_report, label_items, period_from
from ..forms_exchange import StockForm, TransactionForm
from ..models import ExchangeMovementKind, ExchangePoint, ExchangeTransaction
from ..selectors import outreach_spec
from ..services import exchange as services

RECENT = 20


def state_text(state: selectors.OpenState) -> str:
    """The state in words: "Open until 15:00", "Closed, opens at 13:00", "Closed, opens
    Tuesday at 09:00"."""
    if state.is_open and state.closes_at is not None:
        return _("Open until %(time)s") % {"time": time_format(state.closes_at, "H:i")}
    if state.opens_at is None:
        return pgettext("opening hours", "Closed")
    if state.opens_at.date() == state.now.date():
        return _("Closed, opens at %(time)s") % {"time": time_format(state.opens_at, "H:i")}
    return _("Closed, opens %(day)s at %(time)s") % {
        "day": date_format(state.opens_at, "l"),
        "time": time_format(state.opens_at, "H:i"),
    }


def today_text(state: selectors.OpenState) -> str:
    if state.closed_today or not state.today:
        return _("Closed today")
    return format_intervals(state.today)


@dataclass(frozen=True)
class TransactionLine:
    at: str  # on the organisation's wall clock
    out: str
    back: str
    estimated: bool
    advice: bool
    referral: str
    coded: bool
    by: str


def _lines(
    records: list[ExchangeTransaction], names: dict[str, str], zone: Any
) -> list[TransactionLine]:
    return [
        TransactionLine(
            at=date_format(t.at.astimezone(zone), "SHORT_DATETIME_FORMAT"),
            out=label_items(t.items_out, names),
            back=label_items(t.items_back, names),
            estimated=t.returned_estimated,
            advice=t.advice,
            referral=t.referral,
            coded=bool(t.participant_code),
            by=t.recorded_by.get_full_name() or t.recorded_by.username,
        )
        for t in records
    ]


def _point(request: HttpRequest, point_uuid: Any) -> ExchangePoint:
    staff = staff_for_request(request)
    return selectors.point_for(staff, point_uuid, organisation_ids=[staff.organisation.pk])


def _card_context(point: ExchangePoint, names: dict[str, str]) -> dict[str, Any]:
    card = selectors.point_card(point, names=names)
    return {
        "point": point,
        "card": card,
        "state": state_text(card.state),
        "today_hours": today_text(card.state),
    }


@staff_view(Perm.HARM_REDUCTION)
def network(request: HttpRequest) -> HttpResponse:
    """HRM-1: the network's points, open or closed now, today's hours and their stock."""
    organisation = staff_for_request(request).organisation
    spec = outreach_spec(organisation)
    names = selectors.item_names(spec, get_language())
    points = list(selectors.active_points(organisation))
    cards = selectors.point_cards(points, organisation, names=names)
    return render(
        request,
        "outreach/exchange/network.html",
        {
            "cards": [
                {"card": c, "state": state_text(c.state), "today_hours": today_text(c.state)}
                for c in cards
            ],
            "runs_exchange": bool(points),
        },
    )


@staff_view(Perm.HARM_REDUCTION)
def point_detail(request: HttpRequest, point_uuid: Any) -> HttpResponse:
    """HRM-9: one point: its week, whether it is open now, its stock and latest exchanges."""
    point = _point(request, point_uuid)
    names = selectors.item_names(outreach_spec(point.organisation), get_language())
    zone = clock.zone(point.organisation)
    records = list(selectors.transactions_of(point).select_related("recorded_by")[:RECENT])
    today = clock.today(point.organisation).weekday()
    week = [
        {"day": WEEKDAYS[day], "hours": format_intervals(intervals), "today": day == today}
        for day, intervals in selectors.point_week(point)
    ]
    return render(
        request,
        "outreach/exchange/point.html",
        {
            **_card_context(point, names),
            "week": week,
            "transactions": _lines(records, names, zone),
            "recent": RECENT,
        },
    )


def _short_message(short: list[services.Short], names: dict[str, str]) -> str:
    return " ".join(
        _(
            "%(item)s: %(count)s handed out, but the book had %(level)s on the shelf. Record "
            "the delivery or count the shelf."
        )
        % {
            "item": names.get(s.item, s.item),
            "count": number_format(s.handed_out),
            "level": number_format(s.on_shelf),
        }
        for s in short
    )


@staff_view(Perm.HARM_REDUCTION)
def transaction_new(request: HttpRequest, point_uuid: Any) -> HttpResponse:
    """HRM-9: the phone-first form: items with − and +, one Save. After a save the form is
    empty again for the next person."""
    staff = staff_for_request(request)
    point = _point(request, point_uuid)
    spec = outreach_spec(point.organisation)
    names = selectors.item_names(spec, get_language())
    form = TransactionForm(
        request.POST if request.method == "POST" else None,
        point=point,
        items=selectors.items_of(spec),
        names=names,
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.exchange_record(
                organisation=point.organisation,
                point=point,
                actor=staff.user,
                at=form.cleaned_data["at"] or clock.now(),
                **form.service_data(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            at = result.transaction.at.astimezone(clock.zone(point.organisation))
            messages.success(
                request,
                _("Exchange recorded at %(time)s.") % {"time": time_format(at, "H:i")},
            )
            if result.short:
                messages.warning(request, _short_message(result.short, names))
            return redirect("outreach:exchange_new", point_uuid=point.uuid)
    return render(
        request,
        "outreach/exchange/transaction_form.html",
        {**_card_context(point, names), "form": form},
        status=422 if form.errors else 200,
    )


def _stock_message(result: services.StockResult, names: dict[str, str]) -> str:
    movement = result.movement
    name = names.get(movement.item, movement.item)
    if movement.kind == ExchangeMovementKind.COUNTED:
        difference = result.difference
        if difference is None:
            return _("%(item)s counted: %(count)s on the shelf.") % {
                "item": name,
                "count": number_format(movement.quantity),
            }
        if difference == 0:
            return _("%(item)s counted: %(count)s, as the book said.") % {
                "item": name,
                "count": number_format(movement.quantity),
            }
        return ngettext(
            "%(item)s counted: %(count)s; the book said %(expected)s (%(difference)s item apart).",
            "%(item)s counted: %(count)s; the book said %(expected)s (%(difference)s items apart).",
            abs(difference),
        ) % {
            "item": name,
            "count": number_format(movement.quantity),
            "expected": number_format(result.expected or 0),
            "difference": number_format(abs(difference)),
        }
    return _("%(movement)s: %(count)s %(item)s.") % {
        "movement": movement.get_kind_display(),
        "count": number_format(movement.quantity),
        "item": name,
    }


@staff_view(Perm.HARM_REDUCTION)
def stock(request: HttpRequest, point_uuid: Any) -> HttpResponse:
    """HRM-9, as MED-2: the point's stock per item and a form for deliveries, waste, counts."""
    staff = staff_for_request(request)
    point = _point(request, point_uuid)
    names = selectors.item_names(outreach_spec(point.organisation), get_language())
    form = StockForm(request.POST if request.method == "POST" else None, point=point, names=names)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.exchange_stock_record(
                organisation=point.organisation,
                point=point,
                actor=staff.user,
                item=data["item"],
                kind=data["kind"],
                quantity=data["quantity"],
                at=data["at"],
                note=data["note"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _stock_message(result, names))
            return redirect("outreach:exchange_stock", point_uuid=point.uuid)
    zone = clock.zone(point.organisation)
    movements = [
        {
            "at": date_format(m.at.astimezone(zone), "SHORT_DATETIME_FORMAT"),
            "item": names.get(m.item, m.item),
            "kind": m.get_kind_display(),
            "quantity": m.quantity,
            "note": m.note,
            "by": m.actor.get_full_name() or m.actor.username,
        }
        for m in selectors.stock_movements(point)
    ]
    return render(
        request,
        "outreach/exchange/stock.html",
        {**_card_context(point, names), "form": form, "movements": movements},
        status=422 if form.errors else 200,
    )


# --- figures (outcomes) ----------------------------------------------------------------------


class FiguresForm(forms.Form):
    """The filters of the figures page; the period's rules are ``period_from``'s."""

    start = forms.CharField(
        label=gettext_lazy("From month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"}),
    )
    end = forms.CharField(
        label=gettext_lazy("To month"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-12"}),
    )
    point = forms.ChoiceField(label=gettext_lazy("Point"), required=False)

    def __init__(self, *args: Any, points: list[ExchangePoint], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point"].choices = [("", _("Whole network"))] + [  # type: ignore[attr-defined]
            (str(p.uuid), p.name) for p in points
        ]


def _report(request: HttpRequest) -> tuple[FiguresForm, Any]:
    organisation = staff_for_request(request).organisation
    points = list(ExchangePoint.objects.filter(organisation=organisation).order_by("name"))
    form = FiguresForm(request.GET or None, points=points)
    today = clock.today(organisation)
    wanted = request.GET.get("point", "")
    point = next((p for p in points if str(p.uuid) == wanted), None)
    if wanted and point is None:
        raise Http404
    period = period_from(
        request.GET.get("start"), request.GET.get("end"), today=today, fields=("start", "end")
    )
    if not request.GET:
        form = FiguresForm(
            initial={
                "start": period.first.strftime("%Y-%m"),
                "end": period.last.strftime("%Y-%m"),
            },
            points=points,
        )
    report = exchange_report(
        organisation, period=period, today=today, language=get_language(), point=point
    )
    return form, report


@staff_view(Perm.OUTCOMES)
def figures(request: HttpRequest) -> HttpResponse:
    """HRM-9: per point and month: transactions, items out and back, return rate, estimated
    participants and syringe coverage, with their definitions, a chart and the CSV."""
    try:
        form, report = _report(request)
    except DomainError as error:
        organisation = staff_for_request(request).organisation
        points = list(ExchangePoint.objects.filter(organisation=organisation).order_by("name"))
        form = FiguresForm(request.GET, points=points)
        add_domain_error(form, error)
        return render(
            request,
            "outreach/exchange/figures.html",
            {"form": form, "report": None, "definitions": DEFINITIONS},
            status=error.status,
        )
    shown = report.shown
    return render(
        request,
        "outreach/exchange/figures.html",
        {
            "form": form,
            "report": report,
            "definitions": DEFINITIONS,
            "coverage_chart": report.chart("coverage"),
            "return_chart": report.chart("return_rate"),
            "shown": shown,
            "per_point": [] if report.point else [(p, report.cells_of(p)) for p in report.points],
            "query": request.GET.urlencode(),
        },
    )


@staff_view(Perm.OUTCOMES)
def figures_csv(request: HttpRequest) -> HttpResponse:
    try:
        _form, report = _report(request)
    except DomainError as error:
        return HttpResponse(str(error.message), status=error.status, content_type="text/plain")
    response = HttpResponse(csv_bytes(report), content_type="text/csv; charset=utf-8")
    scope = report.point.key if report.point else report.organisation.slug
    name = f"exchange-{scope}-{report.period.first:%Y-%m}-{report.period.last:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns = [
    path("exchange/", network, name="exchange"),
    path("exchange/figures/", figures, name="exchange_figures"),
    path("exchange/figures.csv", figures_csv, name="exchange_figures_csv"),
    path("exchange/<uuid:point_uuid>/", point_detail, name="exchange_point"),
    path("exchange/<uuid:point_uuid>/new/", transaction_new, name="exchange_new"),
    path("exchange/<uuid:point_uuid>/stock/", stock, name="exchange_stock"),
]
