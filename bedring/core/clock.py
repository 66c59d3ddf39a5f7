"""The one module that reads the machine's clock.

Services, selectors and views never call ``timezone.now()`` or ``date.today()`` themselves:
a service that acts at a moment takes it as a keyword (``at=`` / ``on=``) and its caller asks
this module. Tests freeze this clock (``tests/conftest.py``) at a declared day, so the suite
passes on any date the machine thinks it is.
"""

from __future__ import annotations

import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


class HasTimeZone(Protocol):
    time_zone: str


def now() -> datetime.datetime:
    """The present moment, aware, in UTC."""
    return timezone.now()


def zone(organisation: HasTimeZone | None = None) -> ZoneInfo:
    """The organisation's time zone; the installation's when there is none."""
    return ZoneInfo(organisation.time_zone if organisation else settings.TIME_ZONE)


def local_now(organisation: HasTimeZone | None = None) -> datetime.datetime:
    """The present moment on the organisation's wall clock."""
    return now().astimezone(zone(organisation))


def today(organisation: HasTimeZone | None = None) -> datetime.date:
    """Today's date where the organisation is (a Norwegian night is not a Danish day)."""
    return local_now(organisation).date()
