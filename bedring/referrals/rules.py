"""Pure rules of a referral out (REF-1): the status table, which consent covers a partner,
and the dates of the reply and rights-assessment deadlines. No queries."""

from __future__ import annotations

import datetime
from typing import Protocol

from django.utils.translation import gettext_lazy as _

from bedring.core.calendar import add_working_days
from bedring.core.errors import Conflict
from bedring.pathway.deadlines import DeadlineSpec
from bedring.rules.packs import RulePack

from .models import ReferralStatus

DRAFT, SENT, RECEIVED = "draft", "sent", "received"
ACCEPTED, REFUSED, APPOINTMENT, WITHDRAWN = "accepted", "refused", "appointment", "withdrawn"

# Where a referral may go from each status. A reply (accepted, refused, appointment given)
# may come before any receipt was confirmed; an accepted referral gets its appointment later.
# Refused and withdrawn are final; after an appointment the client may still withdraw.
TRANSITIONS: dict[str, frozenset[str]] = {
    DRAFT: frozenset({SENT, WITHDRAWN}),
    SENT: frozenset({RECEIVED, ACCEPTED, REFUSED, APPOINTMENT, WITHDRAWN}),
    RECEIVED: frozenset({ACCEPTED, REFUSED, APPOINTMENT, WITHDRAWN}),
    ACCEPTED: frozenset({APPOINTMENT, WITHDRAWN}),
    APPOINTMENT: frozenset({WITHDRAWN}),
    REFUSED: frozenset(),
    WITHDRAWN: frozenset(),
}
# The statuses that are the partner's reply: they close the reply deadline.
REPLIES = frozenset({ACCEPTED, REFUSED, APPOINTMENT})
# Statuses after the partner has the referral in hand (the rights assessment can be recorded).
RECEIVED_OR_LATER = frozenset({RECEIVED, ACCEPTED, REFUSED, APPOINTMENT})


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def check_move(from_status: str, to_status: str) -> None:
    if not can_move(from_status, to_status):
        raise Conflict(
            "referral_transition",
            _("A referral cannot go from “%(from)s” to “%(to)s”.")
            % {"from": ReferralStatus(from_status).label, "to": ReferralStatus(to_status).label},
            details={"from": from_status, "to": to_status},
        )


class ConsentLike(Protocol):
    party: str
    party_name: str

    def is_active_on(self, day: datetime.date) -> bool: ...


class PartnerLike(Protocol):
    consent_party: str
    name: str


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def consent_covers(consent: ConsentLike, partner: PartnerLike, on: datetime.date) -> bool:
    """PRV-2, PLN-6: a consent covers a referral to ``partner`` on ``on`` when it is valid
    that day (not withdrawn, within its period) and is for the partner's party. A consent
    that names its recipient covers only that recipient; one for "other" must name it (an
    unnamed "other" says nothing about who)."""
    if not consent.is_active_on(on) or consent.party != partner.consent_party:
        return False
    if consent.party_name.strip():
        return _same_name(consent.party_name, partner.name)
    return consent.party != "other"


def reply_due(*, partner_key: str, reply_days: int, sent_on: datetime.date) -> DeadlineSpec:
    """REF-1: the partner's reply is expected ``reply_days`` calendar days after sending (the
    partner's number in the service pack)."""
    return DeadlineSpec(
        "referral_reply",
        sent_on + datetime.timedelta(days=reply_days),
        {"rule": "partner_reply_days", "value": reply_days, "partner": partner_key, "req": "REF-1"},
    )


def rights_assessment_due(rules: RulePack, received_on: datetime.date) -> DeadlineSpec | None:
    """REF-1 (NO): the specialist health service assesses the patient's rights within
    ``rights_assessment_working_days`` working days after it received the referral
    (pasient- og brukerrettighetsloven § 2-2). The specialist's working days: the
    jurisdiction's public holidays count, the organisation's own closed days do not.
    None where the jurisdiction has no such rule."""
    days = rules.rights_assessment_working_days
    if not days:
        return None
    return DeadlineSpec(
        "rights_assessment",
        add_working_days(received_on, days, rules.jurisdiction),
        {
            "rule": "rights_assessment_working_days",
            "value": days,
            "law": rules.rights_assessment_law,
            "req": "REF-1",
        },
    )
