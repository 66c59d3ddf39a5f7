"""The words of a reminder (APT-3): in the client's language (else the organisation's), signed
with the name the client agreed to, with the day, the time and the place, and nothing about
health or treatment: no service, offer, staff role or reason for the appointment.

The place is what the caller gives (a street address). When the client chose the neutral
name, a place that names the organisation, the service or one of its sites would give the
service away: it is left out of the text rather than sent.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import formats, translation
from django.utils.translation import gettext as _

MIN_NAME_LENGTH = 4  # shorter site names ("Lyk") would match ordinary words


@dataclass(frozen=True)
class ReminderText:
    subject: str
    text: str


def revealing_names(names: Iterable[str]) -> list[str]:
    return [n.strip() for n in names if len(n.strip()) >= MIN_NAME_LENGTH]


def safe_place(place: str, *, neutral: bool, revealing: Iterable[str]) -> str:
    """``place`` as the text may show it: without a name that reveals the service when the
    client chose the neutral name."""
    place = " ".join(place.split())
    if neutral and any(name.casefold() in place.casefold() for name in revealing):
        return ""
    return place


def reminder_text(
    *,
    sender: str,
    starts_at: datetime.datetime,
    zone: datetime.tzinfo,
    place: str,
    language: str,
    email: bool,
) -> ReminderText:
    """The subject (e-mail only) and the text of a reminder, in ``language``, with the day and
    time on the organisation's clock in that language's formats."""
    local = starts_at.astimezone(zone)
    with translation.override(language):
        values = {
            "sender": sender,
            "weekday": formats.date_format(local, "l"),
            "date": formats.date_format(local, "DATE_FORMAT"),
            "time": formats.time_format(local, "TIME_FORMAT"),
            "place": place,
        }
        if place:
            text = (
                _(
                    "%(sender)s: a reminder of your appointment on %(weekday)s %(date)s at "
                    "%(time)s, %(place)s."
                )
                % values
            )
        else:
            text = (
                _("%(sender)s: a reminder of your appointment on %(weekday)s %(date)s at %(time)s.")
                % values
            )
        subject = ""
        if email:
            subject = _("Reminder of your appointment on %(date)s") % values
            text = "\n\n".join(
                [text, _("This message was sent automatically. Please do not reply to it.")]
            )
    return ReminderText(subject=subject, text=text)
