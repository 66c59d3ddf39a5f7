"""Anonymous tallies (INT-3, INT-4, HRM-5, PRV-4): where the sources say that no case is
opened and nothing personal is recorded, staff record only how many people came, on which
day, at which site, to which offer and in which age band. A tally names no person, so there
is nothing here that could: no client, no name, no free text.

Decided where the sources are silent:

* **Only offers marked ``tally_only``** take tallies. ``anonymous_allowed`` with no
  authorisation is not enough: such offers (open counselling, the street nurse, alcohol
  treatment under the health act) may open a record, anonymous or not, and counting them as
  tallies too would count the same people twice in the figures. A pack that wants an offer
  counted says so with ``tally_only``.
* **Only offers marked ``tally_only`` or ``tallied``** take tallies; ``tallied`` offers
  (Lykken) also enrol named clients with a plan, and staff tally only the other visitors.
* **An age band wholly under the offer's minimum age is refused** (Lykken is 23+, seed 003
  line 55: the bands 0-14 and 15-17 are refused; 18-23 holds 23-year-olds and is accepted).
  A band over the maximum is accepted: youth counselling also counsels the young people's
  parents, and counts them under the same offer (INT-3).
* A count is 1 to 500 (a day's visitors at a busy drop-in stay far below it; a typo such as
  2000 does not), on a day up to today in the organisation's time zone.
* Any staff member of the organisation may record and read tallies: they are anonymous, and
  drop-in and peer workers, who open no records, are the ones who count (roles.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation, Site, User
from bedring.core import clock
from bedring.core.errors import NotFound, ValidationFailed

from ..models import AgeBand, Offer, Tally

MAX_COUNT = 500
MONTH_ENTRIES_SHOWN = 500


@transaction.atomic
def tally_record(
    *,
    organisation: Organisation,
    site: Site,
    offer: Offer,
    on: datetime.date,
    count: int,
    age_band: str,
    actor: User,
    today: datetime.date | None = None,
) -> Tally:
    """INT-3, INT-4, HRM-5: record an anonymous count for a ``tally_only`` offer. Refusals:
    ``offer_not_tallied``, ``bad_count``, ``tally_in_future``, ``bad_age_band``,
    ``age_band_under_offer`` (422), and
    ``not_found`` for a site or offer of another organisation."""
    if offer.organisation_id != organisation.pk or site.organisation_id != organisation.pk:
        raise NotFound("not_found", _("The site or the offer is not of this organisation."))
    if not site.is_active:
        raise ValidationFailed("site_inactive", _("The site is no longer in use."), field="site")
    if not offer.parsed.takes_tallies:
        raise ValidationFailed(
            "offer_not_tallied",
            _(
                "%(offer)s is not counted anonymously; record its clients in their own "
                "records instead."
            )
            % {"offer": offer.name},
            field="offer",
        )
    if not 1 <= count <= MAX_COUNT:
        raise ValidationFailed(
            "bad_count",
            _("The count must be between 1 and %(max)d.") % {"max": MAX_COUNT},
            field="count",
        )
    if on > (today or clock.today(organisation)):
        raise ValidationFailed("tally_in_future", _("The day cannot be in the future."), field="on")
    if age_band not in AgeBand.values:
        raise ValidationFailed("bad_age_band", _("Choose an age band."), field="age_band")
    minimum = offer.parsed.ages.min
    top = AgeBand(age_band).top
    if minimum is not None and top is not None and top < minimum:
        raise ValidationFailed(
            "age_band_under_offer",
            _("%(offer)s is for ages %(min)d and over; this age band is younger.")
            % {"offer": offer.name, "min": minimum},
            field="age_band",
        )
    return Tally.objects.create(
        organisation=organisation,
        site=site,
        offer=offer,
        on=on,
        count=count,
        age_band=age_band,
        recorded_by=actor,
    )


def tally_offers(organisation: Organisation) -> list[Offer]:
    """The current offers that take tallies, by name."""
    return [
        offer
        for offer in Offer.objects.filter(organisation=organisation, is_current=True).order_by(
            "name"
        )
        if offer.parsed.takes_tallies
    ]


@dataclass
class TallyRow:
    offer_key: str
    offer_name: str
    by_band: list[int]  # in the order of AgeBand
    total: int


@dataclass
class TallyMonth:
    first: datetime.date
    bands: list[tuple[str, str]]
    rows: list[TallyRow]
    totals: list[int]
    total: int
    entries: list[Tally]

    @property
    def previous(self) -> datetime.date:
        return (self.first - datetime.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> datetime.date:
        return (self.first + datetime.timedelta(days=32)).replace(day=1)


def month_bounds(first: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = first.replace(day=1)
    return first, (first + datetime.timedelta(days=32)).replace(day=1)


def tally_month(organisation: Organisation, first: datetime.date) -> TallyMonth:
    """The month's tallies summed by offer (all versions of an offer together) and age band,
    and the month's entries (newest first, at most ``MONTH_ENTRIES_SHOWN``). Two queries."""
    start, end = month_bounds(first)
    month = Tally.objects.filter(organisation=organisation, on__gte=start, on__lt=end)
    bands = [(str(value), str(label)) for value, label in AgeBand.choices]
    band_index = {value: i for i, (value, _label) in enumerate(bands)}
    sums: dict[str, list[int]] = defaultdict(lambda: [0] * len(bands))
    names: dict[str, str] = {}
    for row in month.values("offer__key", "offer__name", "age_band").annotate(total=Sum("count")):
        key = row["offer__key"]
        names.setdefault(key, row["offer__name"])
        sums[key][band_index[row["age_band"]]] += row["total"]
    rows = sorted(
        (TallyRow(key, names[key], counts, sum(counts)) for key, counts in sums.items()),
        key=lambda r: r.offer_name,
    )
    totals = [sum(r.by_band[i] for r in rows) for i in range(len(bands))]
    entries = list(
        month.select_related("site", "offer", "recorded_by").order_by("-on", "-id")[
            :MONTH_ENTRIES_SHOWN
        ]
    )
    return TallyMonth(
        first=start,
        bands=bands,
        rows=rows,
        totals=totals,
        total=sum(totals),
        entries=entries,
    )
