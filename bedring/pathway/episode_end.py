"""What ends with an episode, in the domains above the pathway (DIS-1, SCH-2).

A discharge ends the client's treatment: the group courses and individual offers the client
is enrolled in through the episode end with it, and their planned sessions after it are
cancelled. Those are the catalogue's records, and the catalogue is a layer above the pathway
(it enrols clients into episodes), so the pathway may not import it. Like
:mod:`pathway.offers`, the pathway declares a port here: a domain registers a handler when
the apps are ready (``CatalogueConfig.ready``), and the discharge service calls every handler
inside its own transaction, after the episode has moved. A handler that fails rolls the
discharge back with it: the discharge and what ends with it are one write.

A handler returns what it ended, as sentences for the confirmation page ("The client's 2
active enrolments end …"), so the page says what the discharge will do before it is done.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from bedring.accounts.models import User

from .models import Episode


@dataclass(frozen=True)
class EpisodeEnded:
    """An episode that has just been discharged: by whom, on which day, and why (the
    discharge status, in words, as the reason each ended record keeps)."""

    episode: Episode
    actor: User
    on: datetime.date
    reason: str


# The sentences a handler returns say what it ended; none when it ended nothing.
EpisodeEndHandler = Callable[[EpisodeEnded], list[str]]
_handlers: dict[str, EpisodeEndHandler] = {}


def register_episode_end_handler(name: str, handler: EpisodeEndHandler) -> None:
    """Called from an ``AppConfig.ready``; registering a name again replaces its handler."""
    _handlers[name] = handler


def episode_ended(ended: EpisodeEnded) -> list[str]:
    """Run every handler (in the caller's transaction) and return what they ended."""
    consequences: list[str] = []
    for handler in list(_handlers.values()):
        consequences += handler(ended)
    return consequences
