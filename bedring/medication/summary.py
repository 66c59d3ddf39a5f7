"""A prescription in words, before it is saved (MED-1, MED-3, MED-6): the sentence a doctor
confirms ("Methadone oral solution 1 mg/ml, 80 mg = 80 ml daily, supervised Mon–Sat at MSOC
Oostende, take-home Sun") and the warnings that do not stop a prescription but should make
the doctor look again (supervised days on which the site gives no medication).

Weekday names come from Django's own date formats in the active language ("ma–za" in
Dutch), numbers from its number formats. One read: the site's medication hours.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bedring.accounts.selectors import site_calendar

from . import rules
from .models import Delivery, Medicine
from .services.prescribing import PrescriptionTerms

# A Monday: weekday n is this day plus n days, named by Django's date formats.
A_MONDAY = datetime.date(2024, 1, 1)


def weekday_name(weekday: int, *, short: bool = False) -> str:
    """The weekday (0 = Monday) in the active language: "Sunday", or "Sun" when short."""
    return date_format(A_MONDAY + datetime.timedelta(days=weekday), "D" if short else "l")


def weekdays_text(days: list[int] | tuple[int, ...], *, short: bool = True) -> str:
    """Weekdays as a reader says them: "Mon–Sat", "Mon, Wed, Fri", "Sat, Sun"."""
    parts = []
    for first, last in rules.weekday_runs(days):
        if last - first >= 2:
            parts.append(f"{weekday_name(first, short=short)}–{weekday_name(last, short=short)}")
        else:
            parts.extend(weekday_name(d, short=short) for d in range(first, last + 1))
    return ", ".join(parts)


def _number(value: Decimal) -> str:
    return str(formats.number_format(value.normalize()))


def dose_text(medicine: Medicine, dose: Decimal) -> str:
    """ "80 mg = 80 ml daily" for a solution, "16 mg daily" otherwise."""
    volume = rules.dose_volume_ml(dose, strength=medicine.strength, unit=medicine.unit)
    values = {"dose": _number(dose), "unit": medicine.unit}
    if volume is None:
        return _("%(dose)s %(unit)s daily") % values
    return _("%(dose)s %(unit)s = %(volume)s ml daily") % {**values, "volume": _number(volume)}


@dataclass(frozen=True)
class PrescriptionSummary:
    text: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def days_without_medication(terms: PrescriptionTerms) -> list[int]:
    """MED-6: the supervised weekdays on which the chosen site gives no medication."""
    if terms.delivery != Delivery.CLINIC:
        return []
    hours = site_calendar(terms.site).hours.get("medication", {})
    open_days = [day for day, intervals in hours.items() if intervals]
    return rules.supervised_days_without_medication(terms.supervised_weekdays, open_days)


def closed_days_warning(site_name: str, days: list[int]) -> str:
    """ "MSOC Oostende gives no medication on Sunday: choose take-home for Sunday or another
    site." """
    names = weekdays_text(days, short=False)
    return ngettext(
        "%(site)s gives no medication on %(days)s: choose take-home for %(days)s or another site.",
        "%(site)s gives no medication on %(days)s: choose take-home for these days or "
        "another site.",
        len(days),
    ) % {"site": site_name, "days": names}


def prescription_summary(*, medicine: Medicine, terms: PrescriptionTerms) -> PrescriptionSummary:
    """What the doctor is about to save, in one sentence, with the facts behind it and the
    warnings."""
    parts = [medicine.display_name, dose_text(medicine, terms.daily_dose)]
    if terms.supervised_weekdays:
        parts.append(
            _("supervised %(days)s at %(site)s")
            % {"days": weekdays_text(terms.supervised_weekdays), "site": terms.site.name}
        )
    if terms.take_home_weekdays:
        parts.append(_("take-home %(days)s") % {"days": weekdays_text(terms.take_home_weekdays)})
    start = formats.date_format(terms.starts_on, "SHORT_DATE_FORMAT")
    if terms.ends_on is None:
        period = _("From %(start)s until further notice") % {"start": start}
    else:
        end = formats.date_format(terms.ends_on, "SHORT_DATE_FORMAT")
        period = _("From %(start)s to %(end)s") % {"start": start, "end": end}
    facts = [
        (_("Period"), period),
        (_("Maximum daily dose"), f"{_number(medicine.max_daily_dose)} {medicine.unit}"),
    ]
    if terms.take_home_weekdays:
        facts.append(
            (
                _("Take-home doses handed out up to this many days ahead"),
                str(terms.pickup_interval_days),
            )
        )
    delivery = str(Delivery(terms.delivery).label)
    facts.append(
        (_("Delivery"), f"{delivery}: {terms.delivery_to}" if terms.delivery_to else delivery)
    )
    if terms.instructions:
        facts.append((_("Instructions"), terms.instructions))
    warnings = []
    closed = days_without_medication(terms)
    if closed:
        warnings.append(closed_days_warning(terms.site.name, closed))
    return PrescriptionSummary(text=", ".join(parts), facts=facts, warnings=warnings)
