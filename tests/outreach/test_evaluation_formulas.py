"""HRM-10: the outreach model's evaluation as pure formulas, on hand-made rows with answers
worked out by hand (no database)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bedring.outreach import evaluation as ev

ZONE = ZoneInfo("Europe/Copenhagen")
DAY = datetime.date(2026, 3, 2)  # any day: the formulas read no clock


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZONE)


def contact(
    pk: int,
    *,
    site: int = 1,
    day: datetime.date = DAY,
    hour: int = 10,
    client: int | None = None,
    code: int | None = None,
    minutes: int = 10,
    staff: int = 1,
    referral: bool = False,
) -> ev.ContactRow:
    return ev.ContactRow(
        id=pk,
        site_id=site,
        at=at(day, hour),
        day=day,
        client_id=client,
        pseudonym_id=code,
        minutes=minutes,
        staff=staff,
        referral=referral,
    )


def inquiry(client: int, day: datetime.date, hour: int = 12, minute: int = 0) -> ev.InquiryRow:
    return ev.InquiryRow(client, at(day, hour, minute), day)


def referral(pk: int, client: int, day: datetime.date, status: str) -> ev.ReferralRow:
    return ev.ReferralRow(pk, client, at(day, 12), day, status)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


# --- persons, time, staff ------------------------------------------------------------------


def test_contacts_persons_and_time_on_a_small_hand_made_week():
    """Six contacts: client 7 twice, code 3 twice, nobody twice. Minutes 5, 10, 15, 20, 30, 40
    (mean 20, median 17.5); two staff on the 40-minute one: staff time 160 minutes."""
    rows = [
        contact(1, client=7, minutes=5),
        contact(2, client=7, minutes=10),
        contact(3, code=3, minutes=15),
        contact(4, code=3, minutes=20),
        contact(5, minutes=30),
        contact(6, minutes=40, staff=2),
    ]
    f = ev.figures(rows, window_days=None, today=DAY)
    assert (f.contacts, f.contacts_anonymous) == (6, 2)
    assert (f.persons, f.persons_clients, f.persons_codes) == (2, 1, 1)
    assert f.minutes_total == 120
    assert f.minutes_mean == 20
    assert f.minutes_median == 17.5
    assert f.staff_minutes == 5 + 10 + 15 + 20 + 30 + 80
    assert f.staff_hours == pytest.approx(160 / 60)
    # Without the pack's window nothing that needs one is counted.
    assert f.treatment_starts is None and f.referrals is None and f.window_open is None
    assert f.referral_contacts == 0


def test_no_contacts_have_no_mean_or_median():
    f = ev.figures([], window_days=30, today=DAY)
    assert (f.contacts, f.persons, f.minutes_mean, f.minutes_median) == (0, 0, None, None)
    assert f.treatment_start_share is None


def test_a_contact_recorded_without_staff_counts_its_recorder():
    assert (
        ev.figures([contact(1, minutes=12, staff=0)], window_days=None, today=DAY).staff_minutes
        == 12
    )


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], None), ([4], 4.0), ([9, 1, 5], 5.0), ([1, 2, 3, 10], 2.5), ([7, 7], 7.0)],
)
def test_median_is_the_middle_value_or_the_mean_of_the_two_middle_ones(values, expected):
    assert ev.median(values) == expected


@given(st.lists(st.integers(min_value=1, max_value=600), min_size=1, max_size=50))
def test_the_median_lies_between_the_smallest_and_the_largest(values):
    assert min(values) <= (ev.median(values) or 0) <= max(values)


def test_a_code_that_became_a_client_is_one_person():
    """Code 3 became client 7 (and code 4 was merged into code 3): contacts under the codes and
    under the name are the same person."""
    codes = {
        3: ev.PseudonymRow(3, client_id=7, merged_into_id=None),
        4: ev.PseudonymRow(4, client_id=None, merged_into_id=3),
        5: ev.PseudonymRow(5, client_id=None, merged_into_id=None),
    }
    assert ev.resolve_person(None, 3, codes) == (7, None)
    assert ev.resolve_person(None, 4, codes) == (7, None)
    assert ev.resolve_person(7, None, codes) == (7, None)
    assert ev.resolve_person(None, 5, codes) == (None, 5)
    assert ev.resolve_person(None, None, codes) == (None, None)
    rows = [
        contact(1, client=7),
        contact(2, client=7, code=None),
        contact(3, code=5),
    ]
    resolved = [
        contact(10 + i, client=c, code=p)
        for i, (c, p) in enumerate(ev.resolve_person(None, k, codes) for k in (3, 4))
    ]
    f = ev.figures([*rows, *resolved], window_days=None, today=DAY)
    assert (f.persons, f.persons_clients, f.persons_codes) == (2, 1, 1)


def test_a_loop_of_merges_stops_at_its_first_repeat():
    codes = {
        1: ev.PseudonymRow(1, None, 2),
        2: ev.PseudonymRow(2, None, 1),
    }
    assert ev.resolve_person(None, 1, codes) == (None, 2)


# --- treatment start: the window -----------------------------------------------------------


def test_day_n_counts_and_day_n_plus_one_does_not():
    """N = 30: a contact on DAY at 10:00; client 1's inquiry on day 30 at 23:59 counts, client
    2's on day 31 at 00:00 does not; client 3's on the contact's day but before it does not;
    client 4's on the same day after it does."""
    rows = [contact(i, client=i) for i in (1, 2, 3, 4)]
    inquiries = [
        inquiry(1, DAY + days(30), 23, 59),
        inquiry(2, DAY + days(31), 0, 0),
        inquiry(3, DAY, 9, 0),
        inquiry(4, DAY, 10, 30),
    ]
    f = ev.figures(rows, inquiries=inquiries, window_days=30, today=DAY + days(100))
    assert f.contacts_known == 4
    assert f.treatment_starts == 2
    assert f.treatment_start_persons == 2
    assert f.treatment_start_share == 0.5
    assert f.window_open == 0


def test_each_contact_counts_once_and_each_contact_before_an_inquiry_counts():
    """Client 1 met three times (days 0, 10 and 40), inquiries on days 20 and 25: the contacts of
    days 0 and 10 led to one (each counted once); the one of day 40 did not. One person."""
    rows = [contact(1, client=1), contact(2, client=1, day=DAY + days(10))]
    rows.append(contact(3, client=1, day=DAY + days(40)))
    inquiries = [inquiry(1, DAY + days(20)), inquiry(1, DAY + days(25))]
    f = ev.figures(rows, inquiries=inquiries, window_days=30, today=DAY + days(100))
    assert (f.treatment_starts, f.treatment_start_persons) == (2, 1)


def test_contacts_without_a_known_person_never_lead_to_a_start():
    rows = [contact(1, code=9), contact(2)]
    f = ev.figures(rows, inquiries=[inquiry(9, DAY + days(1))], window_days=30, today=DAY)
    assert (f.contacts_known, f.treatment_starts) == (0, 0)
    assert f.treatment_start_share is None


def test_a_window_still_open_is_said_not_counted_as_failed():
    """Today is day 20: a contact without an inquiry yet may still count (day 30 is ahead);
    one 31 days old may not; one that already led is not 'still open'."""
    rows = [
        contact(1, client=1, day=DAY),
        contact(2, client=2, day=DAY - days(11)),
        contact(3, client=3, day=DAY),
    ]
    f = ev.figures(
        rows, inquiries=[inquiry(3, DAY + days(2))], window_days=30, today=DAY + days(20)
    )
    assert f.treatment_starts == 1
    assert f.window_open == 1


# --- referrals and their outcome -----------------------------------------------------------


def test_referral_outcomes_by_status_each_referral_once():
    """Two referral contacts with client 1 (days 0 and 5) and one referral of theirs on day 8,
    accepted: one referral, counted once, both contacts followed. Client 2's referral contact
    had a referral refused on day 3 and another before the contact (not counted). A referral
    contact with nobody identified has no outcome; a contact without a referral activity is
    not a referral contact."""
    rows = [
        contact(1, client=1, referral=True),
        contact(2, client=1, day=DAY + days(5), referral=True),
        contact(3, client=2, referral=True),
        contact(4, referral=True),
        contact(5, client=3),
    ]
    referrals = [
        referral(10, 1, DAY + days(8), "accepted"),
        referral(11, 2, DAY + days(3), "refused"),
        referral(12, 2, DAY - days(1), "sent"),
        referral(13, 3, DAY + days(1), "sent"),
        referral(14, 1, DAY + days(36), "sent"),  # day 31 after the second contact: out
    ]
    f = ev.figures(rows, referrals=referrals, window_days=30, today=DAY + days(60))
    assert f.referral_contacts == 4
    assert f.referral_contacts_known == 3
    assert f.referral_contacts_followed == 3
    assert f.referrals == {"accepted": 1, "refused": 1}
    assert f.referral_rows == [("accepted", 1), ("refused", 1)]


# --- quarters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (datetime.date(2026, 1, 1), datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)),
        (datetime.date(2026, 5, 17), datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)),
        (datetime.date(2026, 9, 30), datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)),
        (datetime.date(2026, 12, 31), datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)),
    ],
)
def test_quarters(day, start, end):
    assert ev.quarter_start(day) == start
    assert ev.quarter_end(start) == end
    assert ev.is_quarter_start(start) and (day == start or not ev.is_quarter_start(day))


def test_the_quarters_of_a_period_and_the_checklist_window():
    q4 = datetime.date(2026, 10, 1)
    assert ev.quarters(datetime.date(2026, 8, 15), datetime.date(2027, 1, 2)) == [
        datetime.date(2026, 7, 1),
        q4,
        datetime.date(2027, 1, 1),
    ]
    # Q4 2026 is open from 1 October 2026 to 31 March 2027.
    assert ev.fidelity_editable_until(q4) == datetime.date(2027, 3, 31)
    assert not ev.fidelity_editable(q4, datetime.date(2026, 9, 30))
    assert ev.fidelity_editable(q4, q4)
    assert ev.fidelity_editable(q4, datetime.date(2027, 3, 31))
    assert not ev.fidelity_editable(q4, datetime.date(2027, 4, 1))


def test_the_definitions_name_the_window_and_its_source():
    text = dict(
        ev.definitions(
            window_days=30, window_source="seed 001 line 21", referral_activities=["Referral"]
        )
    )
    joined = " ".join(text.values())
    assert "day 30 counts, day 31 does not" in joined
    assert "seed 001 line 21" in joined
    assert "Referral" in joined
    without = " ".join(
        t for _k, t in ev.definitions(window_days=None, window_source="", referral_activities=[])
    )
    assert "no evaluation of the national outreach model" in without
