"""Events that packages contribute to a staff member's calendar feed (SCH-4, APT-1).

The iCalendar feed lives in the catalogue (its sessions, its secret address). Packages on the
catalogue's own layer may not import it nor it them, so another package's events reach the
feed through this small interface: a package registers a *source* when Django starts
(``AppConfig.ready``), and the feed asks every registered source for the staff member's events
in its window. An event carries only what a calendar program may see: never a client's name
or code, because the feed leaves the record system.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FeedEvent:
    uid: str  # stable across changes, so that a calendar program updates a moved event
    stamp: datetime.datetime  # when it last changed (aware)
    on: datetime.date
    starts_at: datetime.datetime | None  # aware; None: an all-day event
    ends_at: datetime.datetime | None
    summary: str  # what it is, never who
    location: str
    cancelled: bool
    path: str = ""  # a page in Bedring about it (made absolute by the feed), or ""


# source(user_id, organisation_ids, start, end, limit): the events of that staff member in
# those organisations from ``start`` up to (not including) ``end``, at most ``limit``.
FeedSource = Callable[[int, Sequence[int], datetime.date, datetime.date, int], list[FeedEvent]]

_SOURCES: dict[str, FeedSource] = {}


def register_feed_source(name: str, source: FeedSource) -> None:
    """Add (or replace) the source called ``name``."""
    _SOURCES[name] = source


def feed_sources() -> list[FeedSource]:
    return [_SOURCES[name] for name in sorted(_SOURCES)]


def contributed_events(
    *,
    user_id: int,
    organisation_ids: Sequence[int],
    start: datetime.date,
    end: datetime.date,
    limit: int,
) -> list[FeedEvent]:
    """Every registered source's events for the staff member, in time order."""
    events: list[FeedEvent] = []
    for source in feed_sources():
        events.extend(source(user_id, list(organisation_ids), start, end, limit))
    return sorted(events, key=lambda e: (e.on, e.starts_at is not None, e.starts_at or e.stamp))
