"""The journal's rules are pack data (JRN-1, JRN-2): each jurisdiction sets its templates and
who reads restricted notes, each with a source; an organisation overrides single templates;
a typo in a role, a contact type or a missing source is an error naming it."""

from __future__ import annotations

import pytest

from bedring.rules.packs import RulePackError, jurisdiction_pack, merged_pack


@pytest.mark.parametrize("code", ["DK", "NO", "BE"])
def test_every_jurisdiction_names_who_reads_restricted_notes(code):
    pack = jurisdiction_pack(code)
    assert set(pack.journal_restricted) == {"psychologist", "doctor"}
    assert all(rule.source for rule in pack.journal_restricted.values())
    assert pack.restricted_readable_by(frozenset({"doctor"})) == {"doctor", "psychologist"}
    assert pack.restricted_readable_by(frozenset({"counsellor"})) == {"counsellor"}
    assert pack.restricted_readable_by(frozenset({"nurse"})) == {"nurse", "doctor"}


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"journal_restricted": {"wizard": {"readers": [], "source": "x"}}}, "wizard"),
        ({"journal_restricted": {"doctor": {"readers": ["oracle"], "source": "x"}}}, "oracle"),
        ({"journal_restricted": {"doctor": {"readers": []}}}, "source"),
        ({"journal_templates": {"telepathy": {"text": "x", "source": "y"}}}, "telepathy"),
        ({"journal_templates": {"phone": {"text": "x"}}}, "source"),
    ],
)
def test_a_typo_in_an_override_is_an_error_naming_it(overrides, named):
    with pytest.raises(RulePackError, match=named):
        merged_pack("DK", overrides)


def test_an_override_replaces_the_templates_it_names_only():
    pack = merged_pack("NO", {"journal_templates": {"phone": {"text": "Call.", "source": "s"}}})
    assert pack.journal_templates["phone"].text == "Call."
    assert (
        pack.journal_templates["home_visit"]
        == jurisdiction_pack("NO").journal_templates["home_visit"]
    )
