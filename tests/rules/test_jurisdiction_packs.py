"""Rules are data: each jurisdiction pack is self-contained. Every rule is set in the file with
its source comment (seed line, law section, or "assumption"); nothing is inherited from
another jurisdiction or a code default, and a pack that leaves a rule out is an error naming
it. The Danish child notification cites the law in force (barnets lov § 133)."""

from __future__ import annotations

import re

import pytest
import yaml

from bedring.rules import packs
from bedring.rules.packs import ORGANISATION_ONLY, RulePack, RulePackError

CODES = ("DK", "NO", "BE")
SOURCE = re.compile(
    r"seed|§|assumption|MED-|PRV-|INT-|ASM-|DEC-|PLN-|DIS-|HLT-|no |names no|gives no"
)


@pytest.mark.parametrize("code", CODES)
def test_every_rule_is_set_in_the_file_with_a_source(code):
    text = (packs.PACK_DIR / f"{code}.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert set(data) == set(RulePack.model_fields) - ORGANISATION_ONLY
    lines = text.splitlines()
    for number, line in enumerate(lines):
        match = re.match(r"^([a-z_]+):", line)
        if match is None or match.group(1) in {
            "jurisdiction",
            "time_zone",
            "language",
            "identifier",
        }:
            continue
        comment = line.partition("#")[2]
        above = number - 1
        while above >= 0 and lines[above].startswith("#"):  # the comment block above the rule
            comment = lines[above] + " " + comment
            above -= 1
        assert comment and SOURCE.search(comment), f"{code}.yaml line {number + 1}: {line}"


def test_the_danish_child_notification_cites_barnets_lov():
    text = (packs.PACK_DIR / "DK.yaml").read_text(encoding="utf-8")
    assert "barnets lov § 133" in text
    assert "serviceloven § 153" not in text.replace("replacing serviceloven § 153", "")


def test_no_jurisdiction_names_another_ones_law():
    no = (packs.PACK_DIR / "NO.yaml").read_text(encoding="utf-8")
    be = (packs.PACK_DIR / "BE.yaml").read_text(encoding="utf-8")
    for danish in ("serviceloven", "retssikkerhedsloven", "barnets lov", "Ankestyrelsen"):
        assert danish not in no and danish not in be


def test_a_pack_that_leaves_a_rule_out_is_an_error_naming_it(tmp_path, monkeypatch):
    data = yaml.safe_load((packs.PACK_DIR / "NO.yaml").read_text(encoding="utf-8"))
    del data["complaint_window_weeks"], data["adult_age"]
    (tmp_path / "NO.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    monkeypatch.setattr(packs, "PACK_DIR", tmp_path)
    with pytest.raises(RulePackError) as exc:
        packs.jurisdiction_pack.__wrapped__("NO")
    assert "adult_age, complaint_window_weeks" in str(exc.value)
