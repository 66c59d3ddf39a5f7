"""The decision letter (DEC-1, DEC-2, DEC-6): the decision, its justification and the
jurisdiction's complaint guidance, as a PDF in the client's language.

The letter is rendered from ``templates/pathway/letters/decision.html`` inside
``translation.override`` so that its words, its dates and the labels of the choices are all in
the language the client reads, whatever the language of the staff member who prints it.
The PDF is made by ``bedring.core.pdf.render_pdf``, which may fetch nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from bedring.accounts.selectors import rules_for
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.pdf import render_pdf

from .deadlines import complaint_window_end
from .models import Decision
from .services.decision import DECIDER, letter_language

TEMPLATE = "pathway/letters/decision.html"


@dataclass(frozen=True)
class Letter:
    html: str
    language: str
    letter_date: datetime.date
    filename: str


def has_postal_address(client: Client) -> bool:
    """DEC-6: a letter sent by post needs a street address and a postal code or town."""
    return bool(client.address.strip() and (client.postal_code.strip() or client.city.strip()))


def letter_filename(decision: Decision) -> str:
    """No name or national identifier in the file name: the client code and the date."""
    client = decision.episode.client
    return f"decision-{client.code}-{decision.decided_on.isoformat()}.pdf"


def letter_context(decision: Decision, letter_date: datetime.date) -> dict[str, Any]:
    episode = decision.episode
    rules = rules_for(episode.organisation)
    _perm, role = DECIDER[decision.kind]
    return {
        "decision": decision,
        "episode": episode,
        "client": episode.client,
        "organisation": episode.organisation,
        "site": episode.site,
        "rules": rules,
        "letter_date": letter_date,
        "decided_by": decision.decided_by,
        "decider_role": role.label,
        "complaint_weeks": rules.complaint_window_weeks,
        "complaint_last_day": complaint_window_end(rules, letter_date),
        "replaces": decision.supersedes,
    }


def decision_letter(decision: Decision, *, letter_date: datetime.date | None = None) -> Letter:
    """The letter's HTML in the client's language. Its date is the day it was sent, or today
    for a letter about to be sent."""
    language = letter_language(decision)
    letter_date = (
        letter_date or decision.letter_sent_on or clock.today(decision.episode.organisation)
    )
    with translation.override(language):
        html = render_to_string(TEMPLATE, letter_context(decision, letter_date))
    return Letter(
        html=html,
        language=language,
        letter_date=letter_date,
        filename=letter_filename(decision),
    )


def decision_letter_pdf(
    decision: Decision, *, letter_date: datetime.date | None = None
) -> tuple[bytes, Letter]:
    letter = decision_letter(decision, letter_date=letter_date)
    return render_pdf(letter.html), letter
