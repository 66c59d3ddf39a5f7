"""Lykken (Sønderborg, seed 003 "Øvrige ydelser" 4): individual SMART goals (line 541) for
named clients with a plan, and anonymous counts of other visitors; its 23+ limit (line 55:
"Værestedet Lykken er for borgere over 23 år") holds for both."""

from __future__ import annotations

import datetime

import pytest

from bedring.catalogue.eligibility import Candidate, check_eligibility
from bedring.catalogue.models import Tally
from bedring.catalogue.selectors import enrollable_offers
from bedring.catalogue.services.tallies import tally_offers, tally_record
from bedring.catalogue.terms import OfferTerms
from bedring.core.errors import ValidationFailed
from bedring.core.roles import Role
from bedring.rules.loader import pack_path, read_pack

from .test_attendance_world import offer

DAY = datetime.date(2026, 11, 2)


def lykken() -> OfferTerms:
    return {o.key: o for o in read_pack(pack_path("sonderborg")).catalogue}["lykken"]


def test_lykken_enrols_named_and_anonymous_clients_from_23():
    terms = lykken()
    assert terms.tallied and not terms.tally_only and terms.anonymous_allowed
    assert terms.ages.min == 23
    start = datetime.date(2026, 11, 23)
    for anonymous in (False, True):
        aged_22 = Candidate(birth_date=datetime.date(2004, 1, 1), anonymous=anonymous)
        aged_23 = Candidate(birth_date=datetime.date(2003, 1, 1), anonymous=anonymous)
        assert [r.code for r in check_eligibility(terms, aged_22, start=start)] == ["too_young"]
        assert check_eligibility(terms, aged_23, start=start) == []


def test_lykken_takes_tallies_and_enrolments(org_dk):
    assert "lykken" in {o.key for o in enrollable_offers(org_dk)}
    assert "lykken" in {o.key for o in tally_offers(org_dk)}


@pytest.mark.parametrize(
    ("band", "refused"),
    [("0-14", True), ("15-17", True), ("18-23", False), ("24-29", False), ("unknown", False)],
)
def test_a_lykken_tally_refuses_the_bands_under_23(org_dk, make_staff, band, refused):
    """The bands 0-14 and 15-17 are all under 23; 18-23 holds 23-year-olds and is kept."""
    data = {
        "organisation": org_dk,
        "site": org_dk.sites.get(slug="lykken"),
        "offer": offer(org_dk, "lykken"),
        "on": DAY,
        "count": 2,
        "age_band": band,
        "actor": make_staff(org_dk, Role.DROPIN_WORKER),
    }
    if refused:
        with pytest.raises(ValidationFailed) as exc:
            tally_record(**data)
        assert (exc.value.code, exc.value.field) == ("age_band_under_offer", "age_band")
        assert not Tally.objects.exists()
    else:
        assert tally_record(**data).age_band == band


def test_tally_only_and_tallied_together_is_an_error():
    with pytest.raises(ValueError, match="tally_only already takes tallies"):
        OfferTerms(
            key="x",
            name="X",
            intensity="no_authorisation",
            needs_authorisation=False,
            tally_only=True,
            tallied=True,
        )
