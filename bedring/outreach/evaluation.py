"""The national outreach model's evaluation (HRM-10, seed 001): what each figure counts, as
pure functions over small frozen rows, and the definitions the page, the PDF and the CSV
print. No ORM here (``evaluation_selectors`` fetches the rows; the tests build them by hand),
and nothing of Bedring is imported (an import-linter contract says so).

Seed 001 line 25 asks for "en effekt- og implementeringsevaluering samt en økonomisk
evaluering": the figures are per site (the two pilot teams, Odense and Aarhus, line 29) and
period, and for all sites together.

Decisions where the seed and the issue are silent, as the national evaluator would want them:

* **A period** is two days, both included, read in the organisation's time zone; the default
  is the current quarter (the fidelity checklist's unit).
* **A person** is a client (a contact that names one, or whose code later became one, counts
  for that client: a code that became a client is one person, not two) or a code followed
  through its merges. A contact with nobody identified is counted as a contact, never as a
  person: it may be someone met before. The total over all sites counts a person met at two
  sites once, so it is not the sum of the sites.
* **Time.** The mean and the median of the minutes per contact (the median of an even count
  is the mean of the two middle values, as statistics packages give it); the total time, and
  the staff time, the economic evaluation's input: minutes x staff present (at least the one
  who recorded the contact).
* **Treatment start.** A contact with a known person (a client, or a code that later became
  one) counts when an inquiry of that client follows it within N days, N being the pack's
  ``evaluation.treatment_start_days``: received at or after the contact's moment and on or
  before day N after the contact's day (day N counts, day N+1 does not). Each contact counts
  once however many inquiries follow; an inquiry counts whatever became of it afterwards.
  A contact whose N days have not all passed yet may still count: the report says how many.
* **Referrals** are contacts with an activity the pack marks ``referral: true``. Their
  outcome, for a known person, is the status today of the referrals registered for that
  client in Bedring from the contact's moment to day N after it (each referral counted once,
  even when two referral contacts precede it). A referral contact without a registered
  referral (an escort in person, or nobody identified) has no recorded outcome.
* **Fidelity** is ticked per site and quarter (the first day of the quarter names it); it
  may be ticked and changed from the quarter's first day to the last day of the following
  quarter, so a team can look back on a quarter once it is over, and then it is closed.
"""

from __future__ import annotations

import bisect
import datetime
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The referral statuses of ``bedring.referrals.models.ReferralStatus``, spelled as stored, in
# the order the report lists them: taken on first, then refused, waiting, not sent, withdrawn.
REFERRAL_STATUSES = (
    "accepted",
    "appointment",
    "refused",
    "received",
    "sent",
    "draft",
    "withdrawn",
)


# --- rows ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PseudonymRow:
    id: int
    client_id: int | None
    merged_into_id: int | None


@dataclass(frozen=True)
class ContactRow:
    """One contact: ``client_id`` is the known client (named, or the code became them);
    ``pseudonym_id`` the code (after merges) when there is no client; neither: nobody
    identified. ``day`` is the local day of ``at``."""

    id: int
    site_id: int
    at: datetime.datetime
    day: datetime.date
    client_id: int | None
    pseudonym_id: int | None
    minutes: int
    staff: int
    referral: bool

    @property
    def person(self) -> str | None:
        if self.client_id is not None:
            return f"client:{self.client_id}"
        if self.pseudonym_id is not None:
            return f"code:{self.pseudonym_id}"
        return None


@dataclass(frozen=True)
class InquiryRow:
    client_id: int
    at: datetime.datetime
    day: datetime.date


@dataclass(frozen=True)
class ReferralRow:
    id: int
    client_id: int
    at: datetime.datetime
    day: datetime.date
    status: str


def resolve_person(
    client_id: int | None,
    pseudonym_id: int | None,
    pseudonyms: Mapping[int, PseudonymRow],
) -> tuple[int | None, int | None]:
    """``(client id, code id)`` of a contact: the client it names; else its code followed
    through the merges, and the client that code became, if any; ``(None, None)`` for nobody
    identified. A loop of merges (a data error) stops at its first repeat."""
    if client_id is not None:
        return client_id, None
    if pseudonym_id is None:
        return None, None
    seen: set[int] = set()
    current = pseudonyms.get(pseudonym_id)
    if current is None:
        return None, pseudonym_id
    while True:
        seen.add(current.id)
        if current.client_id is not None:
            return current.client_id, None
        following = (
            pseudonyms.get(current.merged_into_id) if current.merged_into_id is not None else None
        )
        if following is None or following.id in seen:
            return None, current.id
        current = following


# --- arithmetic ---------------------------------------------------------------------------


def mean(values: Sequence[int]) -> float | None:
    return None if not values else sum(values) / len(values)


def median(values: Sequence[int]) -> float | None:
    """The middle value; of an even count, the mean of the two middle values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def is_quarter_start(day: datetime.date) -> bool:
    return day == quarter_start(day)


def next_quarter(quarter: datetime.date) -> datetime.date:
    start = quarter_start(quarter)
    if start.month == 10:
        return datetime.date(start.year + 1, 1, 1)
    return datetime.date(start.year, start.month + 3, 1)


def quarter_end(quarter: datetime.date) -> datetime.date:
    return next_quarter(quarter) - datetime.timedelta(days=1)


def quarters(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The first days of the quarters that overlap ``start`` .. ``end``."""
    found: list[datetime.date] = []
    current = quarter_start(start)
    while current <= end:
        found.append(current)
        current = next_quarter(current)
    return found


def fidelity_editable_until(quarter: datetime.date) -> datetime.date:
    """The last day a quarter's checklist may be ticked: the end of the following quarter."""
    return quarter_end(next_quarter(quarter))


def fidelity_editable(quarter: datetime.date, today: datetime.date) -> bool:
    return quarter <= today <= fidelity_editable_until(quarter)


def window_last_day(day: datetime.date, days: int) -> datetime.date:
    """The last day of a contact's window: day N after the contact's day."""
    return day + datetime.timedelta(days=days)


def _in_window(contact: ContactRow, at: datetime.datetime, day: datetime.date, days: int) -> bool:
    """At or after the contact's moment, on or before day ``days`` after its day."""
    return at >= contact.at and day <= window_last_day(contact.day, days)


Dated = TypeVar("Dated", InquiryRow, ReferralRow)
# Per client: the moments (sorted) and the rows in the same order.
Timeline = tuple[list[datetime.datetime], list[Dated]]


def _by_client(rows: Iterable[Dated]) -> dict[int, Timeline[Dated]]:
    grouped: dict[int, Timeline[Dated]] = {}
    for row in sorted(rows, key=lambda r: r.at):
        ats, listed = grouped.setdefault(row.client_id, ([], []))
        ats.append(row.at)
        listed.append(row)
    return grouped


def _following(
    timelines: Mapping[int, Timeline[Dated]], contact: ContactRow, days: int
) -> list[Dated]:
    """The rows of the contact's client in the contact's window."""
    if contact.client_id is None or contact.client_id not in timelines:
        return []
    ats, rows = timelines[contact.client_id]
    found: list[Dated] = []
    for row in rows[bisect.bisect_left(ats, contact.at) :]:
        if row.day > window_last_day(contact.day, days):
            break
        if _in_window(contact, row.at, row.day, days):
            found.append(row)
    return found


# --- the figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The evaluation's figures for one site (or all) and one period. The figures that need
    the pack's window (treatment start, referral outcomes) are None without one."""

    contacts: int
    contacts_anonymous: int
    persons: int
    persons_clients: int
    persons_codes: int
    minutes_total: int
    minutes_mean: float | None
    minutes_median: float | None
    staff_minutes: int
    contacts_known: int
    treatment_starts: int | None
    treatment_start_persons: int | None
    window_open: int | None
    referral_contacts: int
    referral_contacts_known: int | None
    referral_contacts_followed: int | None
    referrals: dict[str, int] | None

    @property
    def contact_hours(self) -> float:
        return self.minutes_total / 60

    @property
    def staff_hours(self) -> float:
        return self.staff_minutes / 60

    @property
    def treatment_start_share(self) -> float | None:
        """Contacts leading to a treatment start, over contacts with a known person."""
        if self.treatment_starts is None or self.contacts_known == 0:
            return None
        return self.treatment_starts / self.contacts_known

    @property
    def referral_rows(self) -> list[tuple[str, int]]:
        """(status, referrals) in the report's order, statuses without referrals left out."""
        if self.referrals is None:
            return []
        return [(s, self.referrals[s]) for s in REFERRAL_STATUSES if self.referrals.get(s)]


def figures(
    contacts: Sequence[ContactRow],
    *,
    inquiries: Iterable[InquiryRow] = (),
    referrals: Iterable[ReferralRow] = (),
    window_days: int | None,
    today: datetime.date,
) -> Figures:
    """The figures of ``contacts`` (already limited to the site and the period). ``inquiries``
    and ``referrals`` may hold more than the contacts' clients: only those in a window count.
    ``window_days`` None: the pack has no evaluation window (no treatment start, no referral
    outcome)."""
    persons = {c.person for c in contacts if c.person is not None}
    minutes = [c.minutes for c in contacts]
    known = [c for c in contacts if c.client_id is not None]
    referral_contacts = [c for c in contacts if c.referral]

    starts: int | None = None
    start_persons: int | None = None
    window_open: int | None = None
    referral_known: int | None = None
    referral_followed: int | None = None
    referral_statuses: dict[str, int] | None = None
    if window_days is not None:
        inquiries_of = _by_client(inquiries)
        led = [c for c in known if _following(inquiries_of, c, window_days)]
        starts = len(led)
        start_persons = len({c.client_id for c in led})
        led_ids = {c.id for c in led}
        window_open = sum(
            1 for c in known if c.id not in led_ids and window_last_day(c.day, window_days) >= today
        )
        referrals_of = _by_client(referrals)
        followed = 0
        seen: dict[int, str] = {}
        known_referral_contacts = [c for c in referral_contacts if c.client_id is not None]
        for contact in known_referral_contacts:
            found = _following(referrals_of, contact, window_days)
            if found:
                followed += 1
            for row in found:
                seen[row.id] = row.status
        referral_known = len(known_referral_contacts)
        referral_followed = followed
        referral_statuses = dict(Counter(seen.values()))

    return Figures(
        contacts=len(contacts),
        contacts_anonymous=sum(1 for c in contacts if c.person is None),
        persons=len(persons),
        persons_clients=sum(1 for p in persons if p.startswith("client:")),
        persons_codes=sum(1 for p in persons if p.startswith("code:")),
        minutes_total=sum(minutes),
        minutes_mean=mean(minutes),
        minutes_median=median(minutes),
        staff_minutes=sum(c.minutes * max(1, c.staff) for c in contacts),
        contacts_known=len(known),
        treatment_starts=starts,
        treatment_start_persons=start_persons,
        window_open=window_open,
        referral_contacts=len(referral_contacts),
        referral_contacts_known=referral_known,
        referral_contacts_followed=referral_followed,
        referrals=referral_statuses,
    )


# --- words --------------------------------------------------------------------------------

LABELS: dict[str, Promise] = {
    "contacts": _("Contacts"),
    "contacts_anonymous": _("Contacts with nobody identified"),
    "persons": _("Unique persons reached"),
    "persons_clients": _("of whom clients"),
    "persons_codes": _("of whom known by a code"),
    "minutes_mean": _("Time per contact, mean (minutes)"),
    "minutes_median": _("Time per contact, median (minutes)"),
    "contact_hours": _("Contact time in all (hours)"),
    "staff_hours": _("Staff time in all (hours)"),
    "contacts_known": _("Contacts with a known person"),
    "treatment_starts": _("Contacts leading to a treatment start"),
    "treatment_start_persons": _("Persons who started treatment after a contact"),
    "window_open": _("Contacts whose window is still open"),
    "referral_contacts": _("Contacts with a referral"),
    "referral_contacts_known": _("Referral contacts with a known person"),
    "referral_contacts_followed": _("Referral contacts with a registered referral"),
}


def definitions(
    *, window_days: int | None, window_source: str, referral_activities: Sequence[str]
) -> list[tuple[str, str]]:
    """(term, what it counts) for the page, the PDF and the CSV's readers, in the reader's
    language, with the pack's window and where it comes from."""
    activities = ", ".join(referral_activities) or "—"
    found: list[tuple[str, str]] = [
        (
            str(_("Period and site")),
            str(
                _(
                    "Contacts whose day (in the organisation's time zone) falls in the period, "
                    "both days included, counted for the site the contact was recorded for. "
                    "All sites together is not the sum of the sites where persons are "
                    "concerned: a person met at two sites is one person."
                )
            ),
        ),
        (str(LABELS["contacts"]), str(_("Every contact recorded, whoever it was with."))),
        (
            str(LABELS["persons"]),
            str(
                _(
                    "Distinct persons among the contacts: each client once, and each code a "
                    "person agreed to once (followed through merges). A code that later became "
                    "a client counts as that client, once. Contacts with nobody identified are "
                    "counted separately and never as persons: they may be someone met before."
                )
            ),
        ),
        (
            str(_("Time per contact")),
            str(
                _(
                    "The minutes recorded for a contact: their mean, and their median (the "
                    "middle value; with an even count the mean of the two middle values)."
                )
            ),
        ),
        (
            str(LABELS["staff_hours"]),
            str(
                _(
                    "For the economic evaluation: each contact's minutes times the staff "
                    "present (at least the one who recorded it), added up, in hours. Contact "
                    "time in all counts each contact's minutes once."
                )
            ),
        ),
        (
            str(LABELS["referral_contacts"]),
            str(
                _("Contacts where one of these was done: %(activities)s.")
                % {"activities": activities}
            ),
        ),
    ]
    if window_days is None:
        found.append(
            (
                str(_("Treatment start and referral outcomes")),
                str(
                    _(
                        "Not counted: the organisation's pack has no evaluation of the national "
                        "outreach model (no window in days), and no fidelity checklist."
                    )
                ),
            )
        )
        return found
    values = {"days": window_days, "next": window_days + 1, "source": window_source}
    found += [
        (
            str(LABELS["treatment_starts"]),
            str(
                _(
                    "Contacts with a known person (a client, or a code that later became a "
                    "client) followed by an inquiry of that client within %(days)s days: "
                    "received at or after the contact and on or before day %(days)s after the "
                    "contact's day (day %(days)s counts, day %(next)s does not). Each contact "
                    "counts once, however many inquiries follow, and an inquiry counts whatever "
                    "became of it. The share is over the contacts with a known person. "
                    "Contacts whose %(days)s days have not all passed may still count."
                )
                % values
            ),
        ),
        (
            str(_("The window of %(days)s days") % values),
            str(_("From the organisation's pack: %(source)s") % values),
        ),
        (
            str(_("Referral outcome")),
            str(
                _(
                    "For referral contacts with a known person: the referrals registered for "
                    "that client from the contact to day %(days)s after it, each counted "
                    "once, by their status today (accepted or appointment given: the partner "
                    "took the person on; refused; received or sent: waiting for the partner; "
                    "draft: not sent yet; withdrawn). A referral contact without a "
                    "registered referral (an escort in person, or a person without a record) "
                    "has no recorded outcome."
                )
                % values
            ),
        ),
        (
            str(_("Fidelity")),
            str(
                _(
                    "Each element of the model in the organisation's pack, ticked per site and "
                    "quarter as held or not held, with a note. A quarter's checklist can be "
                    "ticked from its first day to the end of the following quarter."
                )
            ),
        ),
    ]
    return found
