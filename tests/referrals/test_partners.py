"""REF-1: the partner registry is pack data: every organisation's partners with their reply
deadline and its source; rights assessments only where the jurisdiction has the rule."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest
import yaml

from bedring.clients.models import ConsentParty
from bedring.referrals.models import Partner, PartnerKind
from bedring.rules.loader import PackError, available_packs, load_pack, pack_path, read_pack
from bedring.rules.packs import ConsentPartyKey, jurisdiction_pack
from bedring.rules.packs import PartnerKind as PackPartnerKind


def test_the_pack_schema_knows_the_same_consent_parties_and_kinds_as_the_models():
    assert set(typing.get_args(ConsentPartyKey)) == set(ConsentParty.values)
    assert set(typing.get_args(PackPartnerKind)) == set(PartnerKind.values)


@pytest.mark.parametrize("name", available_packs())
def test_every_pack_has_a_gp_and_says_where_each_number_comes_from(name):
    pack = read_pack(pack_path(name))
    assert any(p.kind == "gp" for p in pack.partners), name
    for partner in pack.partners:
        assert partner.reply_source.strip() and partner.source.strip(), partner.key


def test_sandnes_refers_to_tsb_at_helse_stavanger_with_a_rights_assessment(org_no):
    tsb = Partner.objects.get(organisation=org_no, key="tsb-helse-stavanger")
    assert tsb.kind == "specialist"
    assert "Helse Stavanger" in tsb.name
    assert tsb.rights_assessment
    assert tsb.consent_party == "specialist"
    kinds = set(Partner.objects.filter(organisation=org_no).values_list("kind", flat=True))
    assert {"gp", "specialist", "psychiatry", "residential", "municipality"} <= kinds


def test_assens_lists_the_partner_municipalities_of_anonymous_treatment(db):
    from tests.conftest import shipped_organisation

    assens = shipped_organisation("assens")
    names = Partner.objects.filter(organisation=assens, kind="municipality").values_list(
        "name", flat=True
    )
    assert {n.split()[0] for n in names} == {"Odense", "Kolding", "Esbjerg"}


def test_the_norwegian_pack_has_the_rights_assessment_in_working_days_with_its_law():
    rules = jurisdiction_pack("NO")
    assert rules.rights_assessment_working_days == 10
    assert "§ 2-2" in rules.rights_assessment_law
    assert jurisdiction_pack("DK").rights_assessment_working_days is None
    assert jurisdiction_pack("BE").rights_assessment_working_days is None


def _pack_with(tmp_path: Path, name: str, change) -> Path:
    data = yaml.safe_load(pack_path(name).read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_danish_pack_cannot_promise_a_rights_assessment(tmp_path):
    def assess(data):
        data["partners"][0]["rights_assessment"] = True

    with pytest.raises(PackError, match="rights_assessment"):
        read_pack(_pack_with(tmp_path, "sonderborg", assess))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["partners"].append(dict(d["partners"][0])), "partner keys used twice"),
        (lambda d: d["partners"][0].pop("reply_source"), "reply_source"),
        (lambda d: d["partners"][0].update(reply_days=0), "reply_days"),
        (lambda d: d["partners"][0].update(consent_party="neighbour"), "consent_party"),
    ],
    ids=["twice", "no-source", "zero-days", "unknown-party"],
)
def test_a_wrong_partner_is_refused_naming_the_field(tmp_path, change, message):
    with pytest.raises(PackError, match=message):
        read_pack(_pack_with(tmp_path, "sonderborg", change))


def test_a_partner_taken_out_of_the_pack_is_retired_and_loading_again_changes_nothing(
    org_dk, tmp_path
):
    count = Partner.objects.filter(organisation=org_dk).count()
    load_pack("sonderborg")
    assert Partner.objects.filter(organisation=org_dk).count() == count
    path = _pack_with(tmp_path, "sonderborg", lambda d: d["partners"].pop())
    load_pack(str(path))
    retired = Partner.objects.filter(organisation=org_dk, is_active=False)
    assert retired.count() == 1
    assert Partner.objects.filter(organisation=org_dk).count() == count
