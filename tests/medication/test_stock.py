"""Stock per site and its reconciliation (MED-2): received, wasted with a witness, returned
and counted stock; the book against the doses handed out and the last count; the stock and
reconciliation pages."""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from bedring.core.errors import Forbidden, ValidationFailed
from bedring.core.roles import Role
from bedring.medication import selectors
from bedring.medication.models import Dispensing, DispensingKind, MovementKind, StockMovement
from bedring.medication.services import dispensing, stock
from tests.medication.conftest import MONDAY, at, days, medicine

TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = (MONDAY + days(n) for n in range(1, 5))
PERIOD_START, PERIOD_END = at(MONDAY, 0), at(MONDAY + days(7), 0)


def record(site, actor, kind, quantity, *, key="methadone-oral-solution", **extra):
    return stock.stock_record(
        site=site,
        medicine=medicine(key),
        actor=actor,
        kind=kind,
        quantity=Decimal(quantity),
        **extra,
    )


def error_next_to(response, field: str, message: str) -> bool:
    """The form shows ``message`` in the error list of ``field``."""
    content = response.content.decode()
    found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', content, re.S)
    return found is not None and html.escape(message, quote=True) in found.group(1)


# --- stock_record --------------------------------------------------------------------------


def test_stock_received_returned_and_counted(desk_site, nurse):
    """MED-2: each movement is written with its kind, quantity, who and when."""
    received = record(desk_site, nurse, "received", "1000", batch="  B-17 ", at=at(MONDAY, 8))
    returned = record(desk_site, nurse, "returned", "20.5", note="Expired", at=at(MONDAY, 9))
    counted = record(desk_site, nurse, "counted", "979.5", at=at(MONDAY, 10))
    empty_shelf = record(desk_site, nurse, "counted", "0", at=at(MONDAY, 11))
    assert (received.kind, received.quantity, received.batch) == (
        "received",
        Decimal(1000),
        "B-17",
    )
    assert (returned.kind, returned.quantity, returned.note) == (
        "returned",
        Decimal("20.5"),
        "Expired",
    )
    assert (counted.kind, counted.quantity) == ("counted", Decimal("979.5"))
    assert empty_shelf.quantity == 0
    for movement in (received, returned, counted):
        assert movement.actor == nurse
        assert movement.witness is None
        assert movement.organisation_id == desk_site.organisation_id
    assert received.at == at(MONDAY, 8)


def test_wasted_medicine_names_its_witness(desk_site, nurse, second_nurse):
    """MED-2: a wasted dose is witnessed by another staff member who keeps the stock."""
    wasted = record(desk_site, nurse, "wasted", "60", witness=second_nurse, note="Spilt")
    assert (wasted.kind, wasted.witness) == ("wasted", second_nurse)


def test_a_manager_or_doctor_may_witness(org_dk, make_staff, desk_site, nurse):
    for role in (Role.MANAGER, Role.DOCTOR):
        witness = make_staff(org_dk, role)
        assert record(desk_site, nurse, "wasted", "1", witness=witness).witness == witness


def test_a_witness_is_kept_only_for_wasted_stock(desk_site, nurse, second_nurse):
    received = record(desk_site, nurse, "received", "100", witness=second_nurse)
    assert received.witness is None


@pytest.mark.parametrize(
    ("witness", "code"),
    [
        (None, "witness_required"),
        ("actor", "witness_is_actor"),
        ("counsellor", "witness_not_staff"),
        ("outsider", "witness_not_staff"),
    ],
)
def test_wasted_medicine_without_a_proper_witness_is_refused(
    desk_site, nurse, counsellor, outsider, witness, code
):
    """MED-2: the witness is someone else, a nurse, doctor or manager of the organisation; a
    counsellor or a staff member of another organisation does not count."""
    people = {None: None, "actor": nurse, "counsellor": counsellor, "outsider": outsider}
    with pytest.raises(ValidationFailed) as refused:
        record(desk_site, nurse, "wasted", "60", witness=people[witness])
    assert (refused.value.code, refused.value.field) == (code, "witness")
    assert not StockMovement.objects.exists()


@pytest.mark.parametrize("kind", ["dispensed", "corrected", "stolen", ""])
def test_dispensed_stock_is_not_recorded_by_hand(desk_site, nurse, kind):
    """MED-2: dispensed stock is written by the dispensing itself."""
    with pytest.raises(ValidationFailed) as refused:
        record(desk_site, nurse, kind, "60")
    assert (refused.value.code, refused.value.field) == ("bad_movement", "kind")
    assert "dispensed at the desk" in str(refused.value.message)
    assert not StockMovement.objects.exists()


@pytest.mark.parametrize(
    ("kind", "quantity", "code"),
    [
        ("received", "0", "quantity_not_positive"),
        ("wasted", "0", "quantity_not_positive"),
        ("received", "-1", "quantity_not_positive"),
        ("counted", "-0.01", "quantity_not_positive"),
        ("received", "NaN", "quantity_not_positive"),
        ("received", "sNaN", "quantity_not_positive"),
        ("received", "Infinity", "quantity_not_positive"),
        ("received", "1.005", "quantity_precision"),
        ("counted", "0.001", "quantity_precision"),
        ("received", "10000000000", "quantity_precision"),
        ("received", "1E+30", "quantity_precision"),
    ],
)
def test_a_quantity_outside_the_rules_is_refused(
    desk_site, nurse, second_nurse, kind, quantity, code
):
    """MED-2: more than 0 (a count may be 0), two decimals, ten digits."""
    witness = second_nurse if kind == "wasted" else None
    with pytest.raises(ValidationFailed) as refused:
        record(desk_site, nurse, kind, quantity, witness=witness)
    assert (refused.value.code, refused.value.field) == (code, "quantity")
    assert not StockMovement.objects.exists()


@pytest.mark.parametrize("role", [Role.COUNSELLOR, Role.PSYCHOLOGIST, Role.ADMINISTRATOR])
def test_only_stock_staff_record_stock(org_dk, make_staff, desk_site, role):
    """MED-2: nurses, doctors and managers keep the stock; a counsellor does not."""
    with pytest.raises(Forbidden) as refused:
        record(desk_site, make_staff(org_dk, role), "received", "100")
    assert refused.value.code == "not_stock_staff"
    assert not StockMovement.objects.exists()


def test_an_outsider_does_not_record_stock_at_our_site(desk_site, outsider):
    with pytest.raises(Forbidden) as refused:
        record(desk_site, outsider, "received", "100")
    assert refused.value.code == "not_stock_staff"
    assert not StockMovement.objects.exists()


# --- the reconciliation --------------------------------------------------------------------


@pytest.fixture
def book(dk_client, prescribe, desk_site, nurse, second_nurse):
    """Before the week: 1000 received, 10 wasted, 40 returned (opening 950). In the week:
    500 received, doses on Monday and Tuesday (60 each), 5 wasted, 20 returned."""
    record(desk_site, nurse, "received", "1000", at=at(MONDAY - days(10)))
    record(desk_site, nurse, "wasted", "10", witness=second_nurse, at=at(MONDAY - days(5)))
    record(desk_site, nurse, "returned", "40", at=at(MONDAY - days(4)))
    prescription = prescribe(dk_client)
    for day in (MONDAY, TUESDAY):
        dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(day, 9))
    record(desk_site, nurse, "received", "500", at=at(TUESDAY, 12))
    record(desk_site, nurse, "wasted", "5", witness=second_nurse, at=at(WEDNESDAY, 12))
    record(desk_site, nurse, "returned", "20", at=at(WEDNESDAY, 13))
    return prescription


def line_of(site, key="methadone-oral-solution", start=PERIOD_START, end=PERIOD_END):
    lines = {
        line.medicine.key: line for line in selectors.reconciliation(site, start=start, end=end)
    }
    return lines[key]


def test_the_book_of_a_week(desk_site, book):
    """MED-2: opening balance from before the period; received, dispensed, wasted and
    returned in it; the closing balance; no difference when every dose has its movement."""
    line = line_of(desk_site)
    assert line.opening == Decimal("950")
    assert line.received == Decimal("500")
    assert line.dispensed_movements == Decimal("120")
    assert line.dispensed_doses == Decimal("120")
    assert line.wasted == Decimal("5")
    assert line.returned == Decimal("20")
    assert line.closing == Decimal("1305")
    assert line.dispensing_difference == 0
    assert line.counted is None
    assert line.count_difference is None
    assert not line.has_difference


def test_a_dose_without_its_stock_movement_shows_as_a_difference(desk_site, book, nurse):
    """MED-2: a dose handed out that the stock does not account for (say, imported from an
    old system) shows as the dispensing difference."""
    version = selectors.current_version(book)
    Dispensing.objects.create(
        client_id=book.client_id,
        prescription=book,
        version=version,
        organisation_id=book.organisation_id,
        site=desk_site,
        day=WEDNESDAY,
        kind=DispensingKind.SUPERVISED,
        quantity=Decimal("60"),
        handed_out_at=at(WEDNESDAY, 9),
        handed_out_by=nurse,
    )
    line = line_of(desk_site)
    assert line.dispensed_doses == Decimal("180")
    assert line.dispensed_movements == Decimal("120")
    assert line.dispensing_difference == Decimal("60")
    assert line.has_difference


def test_a_count_that_does_not_match_the_book(desk_site, book, nurse):
    """MED-2: the last count of the period against the book at the moment of the count:
    1305 in the book on Thursday, 1300 on the shelf."""
    record(desk_site, nurse, "counted", "1400", at=at(THURSDAY, 8))
    record(desk_site, nurse, "counted", "1300", at=at(THURSDAY, 15))
    line = line_of(desk_site)
    assert line.counted == Decimal("1300")
    assert line.counted_at == at(THURSDAY, 15)
    assert line.count_difference == Decimal("-5")
    assert line.has_difference
    # A count is not a movement: the book is unchanged.
    assert line.closing == Decimal("1305")


def test_a_count_that_matches_the_book_is_no_difference(desk_site, book, nurse):
    record(desk_site, nurse, "counted", "1305", at=at(THURSDAY, 15))
    line = line_of(desk_site)
    assert line.count_difference == 0
    assert not line.has_difference


def test_the_count_is_compared_with_the_book_at_its_moment(desk_site, book, nurse):
    """A count on Monday evening (after Monday's dose, before Tuesday's): 950 - 60 = 890."""
    record(desk_site, nurse, "counted", "890", at=at(MONDAY, 18))
    line = line_of(desk_site)
    assert line.count_difference == 0


def test_a_count_outside_the_period_is_not_the_periods_count(desk_site, book, nurse):
    record(desk_site, nurse, "counted", "950", at=at(MONDAY - days(1)))
    assert line_of(desk_site).counted is None


def test_the_period_includes_its_start_and_excludes_its_end(desk_site, nurse):
    record(desk_site, nurse, "received", "7", at=PERIOD_START)
    record(desk_site, nurse, "received", "11", at=PERIOD_END)
    line = line_of(desk_site)
    assert (line.opening, line.received) == (0, Decimal("7"))


def test_each_medicine_and_site_has_its_own_book(org_dk, desk_site, nurse, book):
    """MED-2: buprenorphine has its own line; another site's stock is not in this one."""
    record(desk_site, nurse, "received", "28", key="buprenorphine-sublingual", at=at(TUESDAY))
    other_site = org_dk.sites.exclude(pk=desk_site.pk).first()
    record(other_site, nurse, "received", "999", at=at(TUESDAY))
    lines = selectors.reconciliation(desk_site, start=PERIOD_START, end=PERIOD_END)
    assert [line.medicine.key for line in lines] == [
        "buprenorphine-sublingual",
        "methadone-oral-solution",
    ]
    assert lines[0].received == Decimal("28")
    assert lines[1].received == Decimal("500")
    assert (
        selectors.reconciliation(other_site, start=PERIOD_START, end=PERIOD_END)[0].received == 999
    )


def test_stock_first_received_after_the_period_is_not_listed(desk_site, nurse):
    record(desk_site, nurse, "received", "100", at=PERIOD_END + days(1))
    assert selectors.reconciliation(desk_site, start=PERIOD_START, end=PERIOD_END) == []


# --- the stock page ------------------------------------------------------------------------


def stock_url(site):
    return reverse("medication:stock", kwargs={"site_uuid": site.uuid})


def reconciliation_url(site):
    return reverse("medication:reconciliation", kwargs={"site_uuid": site.uuid})


def test_a_nurse_sees_the_stock_and_records_a_delivery(as_user, nurse, desk_site):
    """MED-2: the page lists the latest movements; a POST records one and redirects."""
    record(desk_site, nurse, "received", "250", batch="OLD-1")
    http = as_user(nurse)
    page = http.get(stock_url(desk_site))
    assert page.status_code == 200
    assert b"OLD-1" in page.content
    response = http.post(
        stock_url(desk_site),
        {
            "medicine": "methadone-oral-solution",
            "kind": "received",
            "quantity": "1000",
            "batch": "B-2",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == stock_url(desk_site)
    movement = StockMovement.objects.get(batch="B-2")
    assert (movement.kind, movement.quantity, movement.actor) == ("received", Decimal(1000), nurse)


def test_the_stock_form_records_wasted_medicine_with_a_witness(
    as_user, nurse, second_nurse, desk_site
):
    response = as_user(nurse).post(
        stock_url(desk_site),
        {
            "medicine": "methadone-oral-solution",
            "kind": "wasted",
            "quantity": "60",
            "witness": second_nurse.username,
        },
    )
    assert response.status_code == 302
    assert StockMovement.objects.get(kind=MovementKind.WASTED).witness == second_nurse


def test_the_stock_form_shows_the_refusal_next_to_the_field(as_user, nurse, desk_site):
    """MED-2: wasted without a witness: 422, the service's message at the witness field,
    nothing written."""
    response = as_user(nurse).post(
        stock_url(desk_site),
        {"medicine": "methadone-oral-solution", "kind": "wasted", "quantity": "60"},
    )
    assert response.status_code == 422
    assert error_next_to(response, "witness", "Wasted medicine needs a witness.")
    assert not StockMovement.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "dispensed", "quantity": "60"}, "kind"),
        ({"kind": "received", "quantity": "abc"}, "quantity"),
        ({"kind": "received", "quantity": "NaN"}, "quantity"),
        ({"kind": "received", "quantity": "0"}, "quantity"),
        ({"kind": "received", "quantity": "1.005"}, "quantity"),
        ({"kind": "received", "quantity": "-3"}, "quantity"),
        ({"kind": "wasted", "quantity": "6", "witness": "nobody"}, "witness"),
        ({"kind": "received", "quantity": "6", "medicine": "aspirin"}, "medicine"),
    ],
)
def test_bad_stock_input_is_422_and_writes_nothing(as_user, nurse, desk_site, data, field):
    response = as_user(nurse).post(
        stock_url(desk_site), {"medicine": "methadone-oral-solution", **data}
    )
    assert response.status_code == 422
    assert f'id="id_{field}_error"'.encode() in response.content
    assert not StockMovement.objects.exists()


def test_the_actor_is_not_their_own_witness_on_the_form(as_user, nurse, desk_site):
    response = as_user(nurse).post(
        stock_url(desk_site),
        {
            "medicine": "methadone-oral-solution",
            "kind": "wasted",
            "quantity": "6",
            "witness": nurse.username,
        },
    )
    assert response.status_code == 422
    assert error_next_to(response, "witness", "The witness must be someone else.")
    assert not StockMovement.objects.exists()


def test_a_counsellor_may_not_witness_through_the_form(as_user, nurse, counsellor, desk_site):
    """The witness list holds only staff who keep the stock."""
    response = as_user(nurse).post(
        stock_url(desk_site),
        {
            "medicine": "methadone-oral-solution",
            "kind": "wasted",
            "quantity": "6",
            "witness": counsellor.username,
        },
    )
    assert response.status_code == 422
    assert not StockMovement.objects.exists()


@pytest.mark.parametrize("url_of", [stock_url, reconciliation_url])
def test_stock_pages_are_for_stock_staff_of_the_organisation(
    as_user, org_dk, org_no, make_staff, manager, counsellor, outsider, desk_site, url_of
):
    """MED-2: nurses, doctors and managers 200; a counsellor 403; the outsider 404 for our
    site, and our nurse 404 for theirs."""
    nurse = make_staff(org_dk, Role.NURSE)
    assert as_user(nurse).get(url_of(desk_site)).status_code == 200
    assert as_user(manager).get(url_of(desk_site)).status_code == 200
    assert as_user(counsellor).get(url_of(desk_site)).status_code == 403
    assert as_user(outsider).get(url_of(desk_site)).status_code == 404
    assert as_user(nurse).get(url_of(org_no.sites.first())).status_code == 404


def test_the_outsider_cannot_post_stock_at_our_site(as_user, outsider, desk_site):
    response = as_user(outsider).post(
        stock_url(desk_site),
        {"medicine": "methadone-oral-solution", "kind": "received", "quantity": "10"},
    )
    assert response.status_code == 404
    assert not StockMovement.objects.exists()


def test_a_counsellor_cannot_post_stock(as_user, counsellor, desk_site):
    response = as_user(counsellor).post(
        stock_url(desk_site),
        {"medicine": "methadone-oral-solution", "kind": "received", "quantity": "10"},
    )
    assert response.status_code == 403
    assert not StockMovement.objects.exists()


# --- the reconciliation page ---------------------------------------------------------------


def test_the_reconciliation_page_shows_the_differences(as_user, nurse, desk_site, book):
    """MED-2: a dose without its movement and a count off the book are marked."""
    Dispensing.objects.create(
        client_id=book.client_id,
        prescription=book,
        version=selectors.current_version(book),
        organisation_id=book.organisation_id,
        site=desk_site,
        day=WEDNESDAY,
        kind=DispensingKind.SUPERVISED,
        quantity=Decimal("60"),
        handed_out_at=at(WEDNESDAY, 9),
        handed_out_by=nurse,
    )
    record(desk_site, nurse, "counted", "1300", at=at(THURSDAY, 15))
    page = as_user(nurse).get(
        reconciliation_url(desk_site),
        {"start": MONDAY.isoformat(), "end": (MONDAY + days(6)).isoformat()},
    )
    assert page.status_code == 200
    assert b'data-medicine="methadone-oral-solution"' in page.content
    assert b'data-testid="dispensing-difference">60<' in page.content
    assert b'data-testid="count-difference">-5<' in page.content


def test_the_reconciliation_page_defaults_to_this_month(as_user, nurse, desk_site):
    page = as_user(nurse).get(reconciliation_url(desk_site))
    assert page.status_code == 200
    assert b"No stock recorded." in page.content


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-11-30", "end": "2026-11-01"}, "end"),
        ({"start": "abc", "end": "2026-11-01"}, "start"),
        ({"start": "2026-11-01"}, "end"),
    ],
)
def test_a_bad_period_is_422_with_the_message_at_the_field(
    as_user, nurse, desk_site, params, field
):
    page = as_user(nurse).get(reconciliation_url(desk_site), params)
    assert page.status_code == 422
    assert f'id="id_{field}_error"'.encode() in page.content


@pytest.mark.parametrize(
    "params",
    [
        {"start": "9999-12-31", "end": "9999-12-31"},
        {"start": "0001-01-01", "end": "0001-01-02"},
    ],
)
def test_a_period_at_the_calendars_edge_is_refused_not_a_crash(as_user, nurse, desk_site, params):
    """No 500: the day after 31 December 9999 does not exist."""
    page = as_user(nurse).get(reconciliation_url(desk_site), params)
    assert page.status_code == 422
    assert error_next_to(page, "start", "Choose a date from 1900 to 2999.")


def test_the_reconciliation_page_queries_do_not_grow_with_the_movements(
    as_user, nurse, second_nurse, desk_site, django_assert_max_num_queries
):
    """MED-2: a year of movements of three medicines, each counted: a bounded number of
    queries (one book query per medicine counted, plus the page's own)."""
    keys = ["methadone-oral-solution", "buprenorphine-sublingual", "naltrexone"]
    start = datetime.datetime(2026, 1, 1, 9, tzinfo=datetime.UTC)
    movements = []
    for n in range(600):
        kind = ["received", "wasted", "returned", "counted"][n % 4]
        movements.append(
            StockMovement(
                organisation_id=desk_site.organisation_id,
                site=desk_site,
                medicine=medicine(keys[n % 3]),
                kind=kind,
                quantity=Decimal("10"),
                at=start + datetime.timedelta(hours=12 * n),
                actor=nurse,
                witness=second_nurse if kind == "wasted" else None,
            )
        )
    StockMovement.objects.bulk_create(movements)
    http = as_user(nurse)
    with django_assert_max_num_queries(18):
        page = http.get(reconciliation_url(desk_site), {"start": "2026-01-01", "end": "2026-12-31"})
    assert page.status_code == 200
    assert page.content.count(b'data-testid="line"') == 3
