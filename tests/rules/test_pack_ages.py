"""CAT-6: every age in the service packs cites its seed line (file and quoted words) or says
"assumption"; Assens' contraception counselling is for 18+ like its whole standard (seed 002
line 39: "borgere i Assens Kommune over 18 år")."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bedring.catalogue.eligibility import Candidate, check_eligibility
from bedring.rules.loader import PACK_DIR, available_packs, pack_path, read_pack


@pytest.mark.parametrize("name", available_packs())
def test_every_age_in_a_pack_cites_its_source(name):
    lines = (PACK_DIR / f"{name}.yaml").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^\s+ages:\s*$", line):
            comment: list[str] = []
            above = number - 1
            while above >= 0 and lines[above].strip().startswith("#"):
                comment.insert(0, lines[above].strip())
                above -= 1
            text = " ".join(comment)
            assert text.startswith("# ages:"), f"{name}.yaml line {number + 1}: no citation"
            assert ("seed 00" in text and '"' in text) or "assumption" in text, (
                f"{name}.yaml line {number + 1}: {text}"
            )


def test_assens_contraception_is_for_adults():
    offers = {o.key: o for o in read_pack(pack_path("assens")).catalogue}
    terms = offers["contraception"]
    assert (terms.ages.min, terms.ages.max) == (18, 25)
    start = date(2026, 11, 23)
    seventeen = Candidate(birth_date=date(2009, 1, 1), anonymous=False, has_granted_episode=True)
    eighteen = Candidate(birth_date=date(2008, 1, 1), anonymous=False, has_granted_episode=True)
    assert [r.code for r in check_eligibility(terms, seventeen, start=start)] == ["too_young"]
    assert check_eligibility(terms, eighteen, start=start) == []
