"""The one clock: the organisation's day, the suite's frozen day, and services that take the
moment they act at instead of reading it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bedring.accounts import services as account_services
from bedring.clients import services as client_services
from bedring.core import clock
from tests.conftest import NOW, TODAY


@dataclass
class Place:
    time_zone: str


def test_the_suite_runs_on_its_declared_day():
    assert clock.today() == TODAY
    assert abs(clock.now() - NOW) < datetime.timedelta(minutes=30)


def test_today_is_the_day_where_the_organisation_is(frozen_clock):
    # 23:30 UTC is already tomorrow in Oslo and still today in New York.
    frozen_clock.move_to(datetime.datetime(2027, 3, 1, 23, 30, tzinfo=datetime.UTC))
    assert clock.today(Place("Europe/Oslo")) == datetime.date(2027, 3, 2)
    assert clock.today(Place("America/New_York")) == datetime.date(2027, 3, 1)
    assert clock.local_now(Place("Europe/Oslo")).tzinfo == ZoneInfo("Europe/Oslo")


def test_without_an_organisation_the_installation_zone_counts(frozen_clock, settings):
    settings.TIME_ZONE = "Europe/Copenhagen"
    frozen_clock.move_to(datetime.datetime(2027, 6, 30, 22, 30, tzinfo=datetime.UTC))
    assert clock.today() == datetime.date(2027, 7, 1)


def test_a_withdrawal_and_a_revocation_keep_the_moment_they_are_given(dk_client, counsellor):
    moment = datetime.datetime(2027, 1, 4, 8, 15, tzinfo=datetime.UTC)
    consent = client_services.consent_add(
        client=dk_client,
        party="gp",
        scope="All",
        valid_from=TODAY,
        given_by="client",
    )
    withdrawn = client_services.consent_withdraw(consent=consent, reason="Asked", at=moment)
    assert withdrawn.withdrawn_at == moment
    token, _raw = account_services.api_token_create(user=counsellor, name="phone")
    revoked = account_services.api_token_revoke(user=counsellor, token_id=token.pk, at=moment)
    assert revoked.revoked_at == moment
