"""MOVE gift cards (CAT-3): 200 kr at every second attended conversation for ages 15-25, as
Assens' service pack configures it; one card per conversation, never twice."""

from __future__ import annotations

import datetime

import pytest

from bedring.catalogue.models import GiftCard
from bedring.catalogue.services.attendance import (
    attendance_record,
    gift_card_hand_out,
    gift_card_positions,
    gift_cards_due,
)
from bedring.catalogue.terms import AgeRange
from bedring.catalogue.terms import GiftCard as GiftCardTerms
from bedring.core.errors import Conflict, ValidationFailed
from bedring.core.roles import Role
from tests.conftest import shipped_organisation

from .test_attendance_world import days_ahead, enrol, individual_sessions, weekly

A, X, C = "attended", "absent", "cancelled"
START = datetime.date(2026, 3, 3)  # a Tuesday


@pytest.fixture
def assens(db):
    return shipped_organisation("assens")


@pytest.fixture
def counsellor_assens(assens, make_staff):
    return make_staff(assens, Role.COUNSELLOR)


@pytest.fixture
def move_client(assens, counsellor_assens, make_client):
    """move_client(birth_date, statuses, dates=None): a MOVE enrolment with one individual
    conversation per status, recorded as given."""

    def make(birth_date, statuses, dates=None):
        client = make_client(
            assens, national_id="", first_name="Young", last_name="Person", birth_date=birth_date
        )
        enrolment = enrol(client, actor=counsellor_assens, offer_key="move", starts_on=START)
        sessions = individual_sessions(enrolment, dates or weekly(START, len(statuses)))
        for session, status in zip(sessions, statuses, strict=True):
            attendance_record(
                session=session, enrolment=enrolment, status=status, actor=counsellor_assens
            )
        return enrolment, sessions

    return make


def years_before(day, years):
    return day.replace(year=day.year - years)


def test_the_pack_configures_move_as_the_source_says(assens):
    """CAT-3: 200 kr, every second conversation, ages 15-25."""
    from bedring.catalogue.models import Offer

    card = Offer.objects.get(organisation=assens, key="move", is_current=True).parsed.gift_card
    assert card == GiftCardTerms(every=2, amount=200, currency="DKK", ages=AgeRange(min=15, max=25))


def test_a_16_year_old_gets_a_card_at_the_second_and_fourth_attended_conversation(move_client):
    """CAT-3: absences and cancellations are not conversations; attended ones are counted."""
    enrolment, s = move_client(years_before(START, 16), [A, X, A, A, C, A])
    # Attended: s0 (1st), s2 (2nd), s3 (3rd), s5 (4th).
    assert gift_cards_due(enrolment) == [s[2], s[5]]


def test_a_26_year_old_gets_none(move_client):
    enrolment, _sessions = move_client(years_before(START, 26), [A, A, A, A])
    assert gift_cards_due(enrolment) == []


def test_no_birth_date_no_card(move_client):
    enrolment, _sessions = move_client(None, [A, A])
    assert gift_cards_due(enrolment) == []


def test_the_card_starts_on_the_15th_birthday(move_client):
    """CAT-3, CAT-6: the age on the day of the due conversation counts; 15 from the birthday."""
    second = START + datetime.timedelta(weeks=1)
    day_before, _s = move_client(years_before(second + datetime.timedelta(days=1), 15), [A, A])
    on_birthday, s = move_client(years_before(second, 15), [A, A])
    assert gift_cards_due(day_before) == []
    assert gift_cards_due(on_birthday) == [s[1]]


def test_the_card_ends_on_the_26th_birthday(move_client):
    """CAT-3: "15-25" includes the whole 25th year: the day before the 26th birthday still
    gets the card, the birthday does not."""
    second = START + datetime.timedelta(weeks=1)
    still_25, s = move_client(years_before(second + datetime.timedelta(days=1), 26), [A, A])
    turned_26, _s = move_client(years_before(second, 26), [A, A])
    assert gift_cards_due(still_25) == [s[1]]
    assert gift_cards_due(turned_26) == []


def test_handing_out_writes_the_ledger_once(move_client, counsellor_assens):
    enrolment, s = move_client(years_before(START, 17), [A, A, A, A])
    assert gift_cards_due(enrolment) == [s[1], s[3]]

    card = gift_card_hand_out(
        enrolment=enrolment, session=s[1], actor=counsellor_assens, on=s[1].on
    )

    assert (card.amount, card.currency, card.handed_out_on) == (200, "DKK", s[1].on)
    assert card.handed_out_by == counsellor_assens
    assert gift_cards_due(enrolment) == [s[3]]
    with pytest.raises(Conflict) as twice:
        gift_card_hand_out(enrolment=enrolment, session=s[1], actor=counsellor_assens)
    assert twice.value.code == "gift_card_already_given"
    assert GiftCard.objects.filter(enrolment=enrolment).count() == 1


def test_a_card_that_is_not_due_is_refused(move_client, counsellor_assens):
    enrolment, s = move_client(years_before(START, 17), [A, A, A])
    for session in (s[0], s[2]):
        with pytest.raises(ValidationFailed) as refused:
            gift_card_hand_out(enrolment=enrolment, session=session, actor=counsellor_assens)
        assert refused.value.code == "gift_card_not_due"
    assert not GiftCard.objects.exists()


def test_the_day_handed_out_is_between_the_conversation_and_today(
    move_client, counsellor_assens, assens
):
    enrolment, s = move_client(years_before(START, 17), [A, A])
    for on, code in (
        (days_ahead(assens, 1), "hand_out_in_future"),
        (s[1].on - datetime.timedelta(days=1), "hand_out_before_session"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            gift_card_hand_out(enrolment=enrolment, session=s[1], actor=counsellor_assens, on=on)
        assert refused.value.code == code
    assert not GiftCard.objects.exists()
    card = gift_card_hand_out(enrolment=enrolment, session=s[1], actor=counsellor_assens)
    assert card.handed_out_on == days_ahead(assens, 0)


def test_an_offer_without_gift_cards_has_none_due(org_dk, counsellor, make_client):
    client = make_client(org_dk)
    enrolment = enrol(client, actor=counsellor, offer_key="individual", starts_on=START)
    sessions = individual_sessions(enrolment, weekly(START, 2))
    for session in sessions:
        attendance_record(session=session, enrolment=enrolment, status=A, actor=counsellor)
    assert gift_cards_due(enrolment) == []
    with pytest.raises(ValidationFailed) as refused:
        gift_card_hand_out(enrolment=enrolment, session=sessions[1], actor=counsellor)
    assert refused.value.code == "gift_card_not_due"


@pytest.mark.parametrize(
    ("every", "attended", "due"),
    [(2, 1, []), (2, 2, [1]), (2, 5, [1, 3]), (3, 7, [2, 5]), (1, 3, [0, 1, 2])],
)
def test_gift_card_positions_every_nth(every, attended, due):
    card = GiftCardTerms(every=every, amount=1, currency="DKK")
    days = weekly(START, attended)
    assert gift_card_positions(days, birth_date=datetime.date(2005, 1, 1), card=card) == due
