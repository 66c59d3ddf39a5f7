"""Rule packs per jurisdiction and service data packs per organisation ("rules are data").

A pack is validated before anything is written; an error names the file and the field.
"""

from __future__ import annotations

import textwrap
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command

from bedring.accounts.models import ClosedDay, Organisation, Site, SiteHours
from bedring.core.hours import parse_intervals
from bedring.rules.loader import PACK_DIR, PackError, available_packs, load_pack, read_pack
from bedring.rules.packs import PACK_DIR as RULE_PACK_DIR
from bedring.rules.packs import RulePackError, jurisdiction_pack, merged_pack

SHIPPED_PACKS = sorted(p.stem for p in PACK_DIR.glob("*.yaml"))
JURISDICTION_FILES = sorted(p.stem for p in RULE_PACK_DIR.glob("*.yaml"))

VALID_PACK = """\
organisation:
  slug: testsenteret
  name: Testsenteret
  jurisdiction: "NO"
  language: nb
sites:
  - slug: hoved
    name: Hovedkontoret
    kind: main
    hours:
      opening: {mon: "09:00-15:00", tue: "09:00-15:00"}
      medication: {mon: "09:00-11:00"}
"""


def counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "sites": Site.objects.count(),
        "hours": SiteHours.objects.count(),
        "closed_days": ClosedDay.objects.count(),
        "log": LogEntry.objects.count(),
    }


def expected_from_yaml(name: str) -> dict[str, Any]:
    """What the pack file says, read independently of the loader."""
    data = yaml.safe_load((PACK_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    intervals = 0
    for site in data["sites"]:
        for week in site.get("hours", {}).values():
            for text in week.values():
                intervals += len(parse_intervals(text))
    return {
        "slug": data["organisation"]["slug"],
        "sites": sorted(s["slug"] for s in data["sites"]),
        "intervals": intervals,
        "jurisdiction": data["organisation"]["jurisdiction"],
    }


def write_pack(tmp_path: Path, text: str, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- Shipped packs -------------------------------------------------------------------------


def test_every_service_pack_is_found():
    """RUL-1: the loader offers exactly the pack files that are shipped."""
    # given the service_packs folder
    # when the loader lists the packs
    # then every file is offered, and the five seeded services are among them
    assert available_packs() == SHIPPED_PACKS
    assert {"assens", "msoc-oostende", "outreach-dk", "sandnes", "sonderborg"} <= set(SHIPPED_PACKS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", SHIPPED_PACKS)
def test_every_shipped_pack_loads_with_its_sites_and_hours(name):
    """RUL-1, INT-8: each shipped pack creates its organisation, sites and hours."""
    # given a shipped pack and what its file says
    expected = expected_from_yaml(name)

    # when it is loaded
    organisation = load_pack(name)

    # then the organisation has exactly the pack's sites and every interval of the file
    assert organisation.slug == expected["slug"]
    assert organisation.jurisdiction == expected["jurisdiction"]
    assert sorted(organisation.sites.values_list("slug", flat=True)) == expected["sites"]
    assert (
        SiteHours.objects.filter(site__organisation=organisation).count() == (expected["intervals"])
    )
    # and its rules are valid for its jurisdiction
    assert merged_pack(organisation.jurisdiction, organisation.rule_overrides).jurisdiction == (
        organisation.jurisdiction
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", SHIPPED_PACKS)
def test_loading_a_pack_twice_changes_nothing(name):
    """RUL-1: loading is idempotent: no duplicates and no noise in the change log."""
    # given a pack loaded once
    first = load_pack(name)
    after_first = counts()
    hours_first = list(
        SiteHours.objects.filter(site__organisation=first)
        .order_by("pk")
        .values_list("pk", "site_id", "kind", "weekday", "start", "end")
    )

    # when it is loaded again
    second = load_pack(name)

    # then the same organisation, sites and hours rows remain and nothing new is logged
    assert second.pk == first.pk
    assert counts() == after_first
    assert (
        list(
            SiteHours.objects.filter(site__organisation=second)
            .order_by("pk")
            .values_list("pk", "site_id", "kind", "weekday", "start", "end")
        )
        == hours_first
    )


@pytest.mark.django_db
def test_loading_every_pack_gives_one_organisation_per_pack():
    """RUL-1: packs do not overwrite each other."""
    # given no organisations
    # when every shipped pack is loaded
    for name in SHIPPED_PACKS:
        load_pack(name)

    # then there is one organisation per pack, each with its own slug
    slugs = sorted(Organisation.objects.values_list("slug", flat=True))
    assert slugs == sorted(expected_from_yaml(n)["slug"] for n in SHIPPED_PACKS)


@pytest.mark.django_db
def test_reloading_a_pack_restores_hours_changed_in_the_database():
    """RUL-1: the pack is the source: loading it again sets the hours back."""
    # given MSOC loaded and its Saturday medication hour removed by hand
    organisation = load_pack("msoc-oostende")
    main = organisation.sites.get(slug="oostende")
    SiteHours.objects.filter(site=main, kind="medication", weekday=5).delete()

    # when the pack is loaded again
    load_pack("msoc-oostende")

    # then Saturday 10:00-12:00 is back
    saturday = SiteHours.objects.get(site=main, kind="medication", weekday=5)
    assert (saturday.start.isoformat(), saturday.end.isoformat()) == ("10:00:00", "12:00:00")


@pytest.mark.django_db
def test_sandnes_is_norwegian_not_false():
    """RUL-1: YAML 1.1 reads a bare NO as false; the pack quotes it and it arrives as NO."""
    # given the Sandnes pack
    # when it is loaded
    organisation = load_pack("sandnes")

    # then its jurisdiction is Norway with the Norwegian rules
    organisation.refresh_from_db()
    assert organisation.jurisdiction == "NO"
    assert organisation.time_zone == "Europe/Oslo"
    assert merged_pack("NO", organisation.rule_overrides).parental_consent_under_age == 16


@pytest.mark.django_db
def test_a_bare_no_in_a_pack_is_refused_not_read_as_false(tmp_path):
    """RUL-1: an unquoted NO is caught and named, not stored as a wrong jurisdiction."""
    # given a pack with an unquoted NO
    path = write_pack(tmp_path, VALID_PACK.replace('jurisdiction: "NO"', "jurisdiction: NO"))
    before = counts()

    # when it is loaded
    with pytest.raises(PackError) as caught:
        load_pack(str(path))

    # then the error names the file and the field, and nothing is written
    assert "broken.yaml" in str(caught.value)
    assert "organisation.jurisdiction" in str(caught.value)
    assert counts() == before


@pytest.mark.parametrize("code", ["DK", "NO", "BE"])
def test_every_jurisdiction_pack_is_valid_and_is_what_its_file_name_says(code):
    """RUL-2: each jurisdiction's rule pack validates and names its own jurisdiction."""
    # given the jurisdiction rule pack files
    assert code in JURISDICTION_FILES

    # when a pack is read
    pack = jurisdiction_pack(code)

    # then it is for that jurisdiction
    assert pack.jurisdiction == code


# --- Broken service packs ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('{mon: "09:00-15:00", tue', '{monday: "09:00-15:00", tue', "hours.opening.monday"),
        ('{mon: "09:00-11:00"}', '{mon: "9-25"}', "hours.medication.mon"),
        ("  language: nb\n", "  language: nb\n  colour: blue\n", "organisation.colour"),
        ("    kind: main\n", "    kind: main\n    capacity: 12\n", "sites.0.capacity"),
        ('jurisdiction: "NO"', "jurisdiction: XX", "organisation.jurisdiction"),
        ("    kind: main", "    kind: castle", "sites.0.kind"),
        ('{mon: "09:00-11:00"}', '{mon: "09:00-12:00, 11:00-13:00"}', "hours.medication.mon"),
    ],
)
def test_a_broken_pack_names_file_and_field_and_writes_nothing(tmp_path, old, new, field):
    """RUL-1: a typo in a pack fails with the file and field instead of half a load."""
    # given a pack file with one mistake
    assert old in VALID_PACK
    path = write_pack(tmp_path, VALID_PACK.replace(old, new))
    before = counts()

    # when it is loaded
    with pytest.raises(PackError) as caught:
        load_pack(str(path))

    # then the message names the file and the field and the database is untouched
    message = str(caught.value)
    assert "broken.yaml" in message
    assert field in message
    assert counts() == before


@pytest.mark.django_db
def test_the_valid_test_pack_itself_loads(tmp_path):
    """RUL-1: the broken packs above differ from a loadable pack by one mistake only."""
    # given the valid pack the broken ones are made from
    path = write_pack(tmp_path, VALID_PACK, name="testsenteret.yaml")

    # when it is loaded
    organisation = load_pack(str(path))

    # then it is there with its site and three intervals
    assert organisation.jurisdiction == "NO"
    assert organisation.time_zone == "Europe/Oslo"
    assert SiteHours.objects.filter(site__organisation=organisation).count() == 3


def test_a_pack_that_is_not_yaml_names_the_file(tmp_path):
    """RUL-1: a syntax error is reported with the file name."""
    # given a file that is not valid YAML
    path = write_pack(tmp_path, "organisation: {slug: [unclosed\n")

    # when it is read
    # then the error names the file
    with pytest.raises(PackError, match=r"broken\.yaml"):
        read_pack(path)


@pytest.mark.django_db
def test_a_pack_with_a_bad_rule_override_names_the_field(tmp_path):
    """RUL-2: an organisation's rule overrides are validated when its pack is loaded."""
    # given a pack overriding the plan evaluation interval with 0 months
    text = VALID_PACK.replace(
        "  language: nb\n", "  language: nb\n  rule_overrides: {plan_evaluation_months: 0}\n"
    )
    path = write_pack(tmp_path, text)
    before = counts()

    # when it is loaded
    with pytest.raises(PackError) as caught:
        load_pack(str(path))

    # then the error names the file and the rule, and nothing is written
    assert "broken.yaml" in str(caught.value)
    assert "plan_evaluation_months" in str(caught.value)
    assert counts() == before


@pytest.mark.django_db
def test_a_pack_with_an_unknown_time_zone_names_the_field(tmp_path):
    """RUL-1: a misspelt time zone is refused at load time, not when a page is shown."""
    # given a pack with a time zone that does not exist
    text = VALID_PACK.replace("  language: nb\n", "  language: nb\n  time_zone: Europe/Sandnes\n")
    path = write_pack(tmp_path, text)
    before = counts()

    # when it is loaded
    with pytest.raises(PackError) as caught:
        load_pack(str(path))

    # then the error names the file and the field, and nothing is written
    assert "broken.yaml" in str(caught.value)
    assert "time_zone" in str(caught.value)
    assert counts() == before


@pytest.mark.django_db
def test_a_pack_with_two_sites_of_the_same_slug_is_refused(tmp_path):
    """RUL-1: two sites with one slug would silently merge into one; the pack is refused."""
    # given a pack listing the slug "hoved" twice
    text = VALID_PACK + "  - slug: hoved\n    name: Another site\n    kind: outreach\n"
    assert [site["slug"] for site in yaml.safe_load(text)["sites"]] == ["hoved", "hoved"]
    path = write_pack(tmp_path, text)
    before = counts()

    # when it is loaded
    with pytest.raises(PackError) as caught:
        load_pack(str(path))

    # then the error names the file, the sites and the slug, and nothing is written
    message = str(caught.value)
    assert "broken.yaml" in message
    assert "sites" in message
    assert "hoved" in message
    assert counts() == before


# --- Rule overrides ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"plan_evaluation_months": 0}, "plan_evaluation_months"),
        ({"plan_evaluation_month": 6}, "plan_evaluation_month"),
        ({"parental_consent_under_age": 19}, "parental_consent_under_age"),
        ({"follow_up_months": "often"}, "follow_up_months"),
        ({"jurisdiction": "BE"}, "jurisdiction"),
        ({"identifier": "be_nn"}, "identifier"),
        ({"time_zone": "Europe/Sonderborg"}, "time_zone"),
    ],
)
def test_a_bad_rule_override_is_refused_with_the_fields_name(overrides, field):
    """RUL-2: an organisation cannot set an impossible rule or change its jurisdiction."""
    # given the Danish rule pack
    # when an organisation's overrides are merged into it
    with pytest.raises(RulePackError) as caught:
        merged_pack("DK", overrides)

    # then the error names the field
    assert field in str(caught.value)


def test_a_valid_override_changes_only_that_organisations_rules():
    """RUL-2: an override applies to the organisation and leaves the jurisdiction alone."""
    # given the Danish rule pack
    base = jurisdiction_pack("DK")

    # when an organisation evaluates plans every 2 months
    merged = merged_pack("DK", {"plan_evaluation_months": 2})

    # then its rules say 2 months, and the Danish pack still says 3
    assert merged.plan_evaluation_months == 2
    assert merged.start_guarantee_days == base.start_guarantee_days
    assert base.plan_evaluation_months == 3
    assert merged_pack("DK", {}).plan_evaluation_months == 3


def test_an_unknown_jurisdiction_has_no_rule_pack():
    """RUL-2: only DK, NO and BE have rules."""
    # given no pack for Sweden
    # when its rules are asked for
    # then the error names the jurisdiction
    with pytest.raises(RulePackError, match="SE"):
        merged_pack("SE", None)


# --- The management command ----------------------------------------------------------------


@pytest.mark.django_db
def test_load_pack_command_with_an_unknown_name_lists_the_known_packs():
    """RUL-1: a mistyped pack name is answered with the names that exist."""
    # given no pack called "nosuch"
    # when the command is run with it
    with pytest.raises(CommandError) as caught:
        call_command("load_pack", "nosuch", stdout=StringIO())

    # then the error names it and lists every shipped pack, and nothing is written
    message = str(caught.value)
    assert "nosuch" in message
    for name in SHIPPED_PACKS:
        assert name in message
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_load_pack_command_without_a_name_lists_the_known_packs():
    """RUL-1: the command says what it can load."""
    # given no arguments
    # when the command is run
    # then it fails listing the packs
    with pytest.raises(CommandError, match="sandnes"):
        call_command("load_pack", stdout=StringIO())


@pytest.mark.django_db
def test_load_pack_command_loads_a_named_pack():
    """RUL-1: `manage.py load_pack sandnes` creates Sandnes."""
    # given an empty database
    out = StringIO()

    # when the command loads Sandnes
    call_command("load_pack", "sandnes", stdout=out)

    # then Sandnes exists with its three sites and the command said so
    organisation = Organisation.objects.get(slug="sandnes")
    assert organisation.sites.count() == 3
    assert "sandnes" in out.getvalue()


@pytest.mark.django_db
def test_load_pack_command_all_loads_every_pack():
    """RUL-1: `manage.py load_pack --all` loads every shipped pack."""
    # given an empty database
    # when every pack is loaded by the command
    call_command("load_pack", "--all", stdout=StringIO())

    # then there is one organisation per pack
    assert Organisation.objects.count() == len(SHIPPED_PACKS)


@pytest.mark.django_db
def test_load_pack_command_reports_a_broken_file(tmp_path):
    """RUL-1: the command passes on the file and field of a broken pack."""
    # given a pack file with an unknown weekday
    path = write_pack(tmp_path, VALID_PACK.replace('{mon: "09:00-11:00"}', '{mo: "09:00"}'))

    # when the command loads it
    # then it fails naming the file and the field, and nothing is written
    with pytest.raises(CommandError, match=r"broken\.yaml.*medication\.mo"):
        call_command("load_pack", str(path), stdout=StringIO())
    assert not Organisation.objects.exists()
