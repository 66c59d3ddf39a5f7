"""The episode's states and the only moves between them (STYLE.md: Oscar's status pipeline).

Pure: no ORM. A move not in the table is refused with a domain error that the view shows as a
message and the API answers with 409 ``bad_transition``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from bedring.core.errors import Conflict


class EpisodeState(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry received")
    ASSESSMENT = "assessment", _("Assessment")
    DECIDED = "decided", _("Decided")
    ACTIVE = "active", _("Active treatment")
    DISCHARGED = "discharged", _("Discharged")
    WITHDRAWN = "withdrawn", _("Ended before treatment")


OPEN_STATES = (
    EpisodeState.INQUIRY,
    EpisodeState.ASSESSMENT,
    EpisodeState.DECIDED,
    EpisodeState.ACTIVE,
)

# from-state -> the states it may move to. "decided" may be decided again: a complaint's
# re-evaluation can change the decision. Immediate authorisation at the assessment (ASM-2)
# is assessment -> decided -> active in one sitting.
TRANSITIONS: dict[str, frozenset[str]] = {
    EpisodeState.INQUIRY: frozenset({EpisodeState.ASSESSMENT, EpisodeState.WITHDRAWN}),
    EpisodeState.ASSESSMENT: frozenset({EpisodeState.DECIDED, EpisodeState.WITHDRAWN}),
    EpisodeState.DECIDED: frozenset(
        {EpisodeState.DECIDED, EpisodeState.ACTIVE, EpisodeState.WITHDRAWN}
    ),
    EpisodeState.ACTIVE: frozenset({EpisodeState.DISCHARGED}),
    EpisodeState.DISCHARGED: frozenset(),
    EpisodeState.WITHDRAWN: frozenset(),
}


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def check_move(current: str, target: str) -> None:
    if not can_move(current, target):
        labels = dict(EpisodeState.choices)
        raise Conflict(
            "bad_transition",
            _("An episode in state “%(current)s” cannot move to “%(target)s”.")
            % {"current": labels.get(current, current), "target": labels.get(target, target)},
            details={"from": current, "to": target},
        )
