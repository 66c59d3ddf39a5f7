"""What the medication services share: the messages of the dose-rule refusals, the
prescription lock, the permission check and the timeline event on the open episode."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import User
from bedring.clients.models import Client
from bedring.core.errors import ValidationFailed
from bedring.pathway.selectors import open_episode
from bedring.pathway.timeline import record_event

from .. import rules
from ..models import Prescription

# The message of each dose-rule refusal; the field it concerns on the prescription form.
RULE_MESSAGES: dict[str, tuple[Any, str | None]] = {
    "bad_weekday": (_("A weekday must be Monday to Sunday."), "supervised_weekdays"),
    "weekday_twice": (
        _("A day cannot be both a supervised day and a take-home day."),
        "take_home_weekdays",
    ),
    "no_dose_days": (_("Choose the days the dose is taken."), "supervised_weekdays"),
    "take_home_without_visit": (
        _("Take-home doses are handed out at a visit: choose at least one supervised day."),
        "supervised_weekdays",
    ),
    "pickup_interval_range": (
        _("Take-home doses can be handed out at most %(maximum)s days ahead."),
        "pickup_interval_days",
    ),
    "pickup_interval_too_short": (
        _(
            "The last take-home day is %(needed)s days after the visit before it: take-home "
            "doses must be handed out at least %(needed)s days ahead."
        ),
        "pickup_interval_days",
    ),
    "dose_not_positive": (_("The daily dose must be more than 0."), "daily_dose"),
    "dose_precision": (_("The daily dose has at most two decimals."), "daily_dose"),
    "dose_above_maximum": (
        _("The daily dose is above this medicine's maximum of %(maximum)s."),
        "daily_dose",
    ),
    "end_before_start": (_("The end date is before the start date."), "ends_on"),
    "substitution_age_unknown": (
        _(
            "Substitution treatment needs the client's birth date: it is only for clients "
            "aged %(minimum)s or over."
        ),
        None,
    ),
    "substitution_under_age": (
        _(
            "Substitution treatment is only for clients aged %(minimum)s or over; "
            "the client is %(age)s on the start date."
        ),
        None,
    ),
    "not_started": (_("The prescription starts on %(starts_on)s."), None),
    "expired": (_("The prescription ended on %(ends_on)s."), None),
    "no_take_home_days": (_("Choose the take-home days to hand out."), "days"),
    "take_home_not_prescribed": (
        _("%(day)s is not a prescribed take-home day within reach of this handover."),
        "days",
    ),
    "take_home_overlap": (_("%(day)s is already covered by a dose."), "days"),
}


def _show(value: object) -> object:
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(value.normalize())
    return value


def rule_error(exc: rules.DoseRuleError) -> ValidationFailed:
    message, field = RULE_MESSAGES[exc.code]
    params = {k: _show(v) for k, v in exc.params.items()}
    return ValidationFailed(
        exc.code, message % params if params else message, field=field, details=exc.params
    )


def _event(client: Client, actor: User | None, kind: str, summary: str, **data: Any) -> None:
    episode = open_episode(client)
    if episode is not None:
        record_event(episode=episode, actor=actor, kind=kind, summary=summary, data=data)


def prescription_for_update(prescription: Prescription) -> Prescription:
    """Lock the prescription: a change, a hold and a dispensing of one prescription queue."""
    return (
        Prescription.objects.select_for_update(of=("self",))
        .select_related("client__organisation", "medicine", "organisation")
        .get(pk=prescription.pk)
    )
