"""The catalogue ships in the service packs (CAT-1): loaded as versioned offers, validated
before anything is written, with errors that name the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bedring.catalogue.models import Offer
from bedring.rules.loader import PackError, load_pack

PACK = """\
organisation:
  slug: test-centre
  name: Test centre
  jurisdiction: DK
  language: da
sites:
  - slug: main
    name: Main
    kind: main
catalogue:
  - key: pre-course-day
    name: Før-forløb
    intensity: outpatient
    format: group
    session_minutes: 120
    cadence: {kind: weekdays, weekdays: [tue, thu]}
    count: {kind: open, weeks_max: 8}
  - key: day-treatment-main
    name: Dagbehandling
    intensity: day
    ages: {min: 18}
    prerequisites: [pre-course-day]
    session_minutes: 240
    cadence: {kind: weekdays, weekdays: [mon, tue, wed, thu]}
    count: {kind: open, weeks_min: 10, weeks_max: 10}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "test-centre.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_pack_catalogue_is_loaded_as_current_offers(empty_installation, tmp_path):
    """CAT-1: every offer of the pack becomes a current offer of the organisation."""
    organisation = load_pack(str(write(tmp_path, PACK)))
    offers = {o.key: o for o in Offer.objects.filter(organisation=organisation, is_current=True)}
    assert set(offers) == {"pre-course-day", "day-treatment-main"}
    main = offers["day-treatment-main"].parsed
    assert main.ages.min == 18
    assert main.prerequisites == ("pre-course-day",)
    assert main.cadence.weekdays == ("mon", "tue", "wed", "thu")


def test_reloading_an_unchanged_catalogue_writes_nothing(empty_installation, tmp_path):
    path = write(tmp_path, PACK)
    load_pack(str(path))
    before = list(Offer.objects.values_list("pk", "version", "updated_at"))
    load_pack(str(path))
    assert list(Offer.objects.values_list("pk", "version", "updated_at")) == before


def test_a_changed_offer_is_a_new_version_and_the_old_one_is_kept(empty_installation, tmp_path):
    """CAT-1: changes are versioned and never change the terms already given."""
    load_pack(str(write(tmp_path, PACK)))
    first = Offer.objects.get(key="day-treatment-main", is_current=True)
    load_pack(str(write(tmp_path, PACK.replace("session_minutes: 240", "session_minutes: 210"))))
    versions = list(Offer.objects.filter(key="day-treatment-main").order_by("version"))
    assert [(o.version, o.is_current) for o in versions] == [(1, False), (2, True)]
    first.refresh_from_db()
    assert first.parsed.session_minutes == 240
    assert versions[1].parsed.session_minutes == 210


def test_an_offer_taken_out_of_the_pack_is_retired_not_deleted(empty_installation, tmp_path):
    load_pack(str(write(tmp_path, PACK)))
    without = PACK[: PACK.index("  - key: day-treatment-main")]
    without = without.replace("catalogue:\n", "catalogue:\n")
    load_pack(str(write(tmp_path, without)))
    retired = Offer.objects.get(key="day-treatment-main")
    assert not retired.is_current


def test_a_wrong_offer_is_reported_with_file_line_and_field_and_nothing_is_written(
    empty_installation, tmp_path
):
    """Issue 4: a clear error naming the file, line and field when a pack is wrong."""
    broken = PACK.replace(
        "cadence: {kind: weekdays, weekdays: [mon, tue, wed, thu]}", "cadence: {kind: fortnightly}"
    )
    with pytest.raises(PackError) as error:
        load_pack(str(write(tmp_path, broken)))
    message = str(error.value)
    assert message.startswith("test-centre.yaml: ")
    line = broken.splitlines().index("    cadence: {kind: fortnightly}") + 1
    assert f"line {line}: catalogue.1.cadence.kind" in message
    assert not Offer.objects.exists()


def test_an_unknown_prerequisite_and_a_repeated_key_are_refused(empty_installation, tmp_path):
    unknown = PACK.replace("prerequisites: [pre-course-day]", "prerequisites: [pre-course]")
    with pytest.raises(PackError, match="needs unknown offers: pre-course"):
        load_pack(str(write(tmp_path, unknown)))
    twice = PACK.replace("key: day-treatment-main", "key: pre-course-day")
    twice = twice.replace("prerequisites: [pre-course-day]", "prerequisites: []")
    with pytest.raises(PackError, match="offer keys used twice: pre-course-day"):
        load_pack(str(write(tmp_path, twice)))
    assert not Offer.objects.exists()


def test_anonymous_treatment_with_substitution_is_refused_in_the_pack(empty_installation, tmp_path):
    """DEC-5, MED-8: anonymous treatment never includes substitution medication."""
    bad = PACK + (
        "  - key: anonymous\n    name: Anonym\n    intensity: outpatient\n"
        "    anonymous_treatment: true\n    substitution: true\n"
    )
    with pytest.raises(PackError, match="anonymous treatment never includes substitution"):
        load_pack(str(write(tmp_path, bad)))


def test_a_missing_field_is_reported_on_the_offer_that_lacks_it(empty_installation, tmp_path):
    bad = PACK.replace("    intensity: day\n", "")
    with pytest.raises(PackError) as error:
        load_pack(str(write(tmp_path, bad)))
    line = bad.splitlines().index("  - key: day-treatment-main") + 1
    assert f"line {line}: catalogue.1.intensity: Field required" in str(error.value)


def test_staff_read_the_catalogue_with_its_terms_and_see_only_their_own(
    db, tmp_path, make_staff, org_no
):
    """CAT-1: the catalogue page shows each offer's intensity, scope, ages and conditions."""
    from django.test import Client as HttpClient

    from bedring.core.roles import Role
    from tests.conftest import login

    organisation = load_pack(str(write(tmp_path, PACK)))
    http = login(HttpClient(), make_staff(organisation, Role.PEER_WORKER))
    page = http.get("/catalogue/").content.decode()
    assert "Dagbehandling" in page
    assert "4 days a week" in page
    assert "18+" in page
    assert "First: Før-forløb" in page
    outsider = login(HttpClient(), make_staff(org_no, Role.COUNSELLOR))
    assert "Dagbehandling" not in outsider.get("/catalogue/").content.decode()
