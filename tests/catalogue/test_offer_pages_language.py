"""Offer pages speak the organisation's language (CAT-1, issue 13). The packs keep a note on
each offer for maintainers, in English: where each number comes from (the seed line or the
law) and what is an assumption. Staff never see it: a Danish offer page shows the offer's
Danish name, purpose and activities and no English developer note, and the same holds for
the Norwegian and Dutch packs."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from bedring.catalogue.models import Offer
from bedring.core.roles import Role
from bedring.rules.loader import pack_path, read_pack
from tests.conftest import shipped_organisation

# Words only a developer note uses; none of them is Danish, Norwegian or Dutch.
DEVELOPER_WORDS = re.compile(r"\b(assumptions?|seed|the seed|modelled|capacity of)\b", re.I)
REQUIREMENT_CODE = re.compile(r"\b(INT|ASM|DEC|PLN|CAT|SCH|MED|HLT|HRM|REL|HOU)-\d+\b")


def main_text(html: str) -> str:
    """The page's main content as text (the menu and footer are the product's own)."""
    main = html[html.index('<main id="main">') : html.index("</main>")]
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", main)))


@pytest.mark.parametrize(
    ("pack", "language"),
    [("sonderborg", "da"), ("assens", "da"), ("sandnes", "nb"), ("msoc-oostende", "nl")],
)
def test_offer_pages_show_no_english_developer_note(pack, language, make_staff, as_user):
    organisation = shipped_organisation(pack)
    manager = make_staff(organisation, Role.MANAGER)
    manager.language = language
    manager.save()
    http = as_user(manager)
    offers = list(Offer.objects.filter(organisation=organisation, is_current=True))
    noted = [o for o in offers if o.parsed.notes]
    assert noted, "the pack's offers carry their notes for maintainers"
    for offer in offers:
        terms = offer.parsed
        page = http.get(f"/catalogue/offers/{offer.uuid}/")
        assert page.status_code == 200
        text = main_text(page.content.decode())
        assert terms.purpose.split(",")[0] in text  # the staff-facing text, in the language
        if terms.notes:
            first_words = " ".join(terms.notes.split()[:6])
            assert first_words not in text, (offer.key, first_words)
        assert not DEVELOPER_WORDS.search(text), (offer.key, DEVELOPER_WORDS.search(text))
        assert not REQUIREMENT_CODE.search(text), (offer.key, REQUIREMENT_CODE.search(text))
    catalogue = main_text(http.get("/catalogue/").content.decode())
    assert not DEVELOPER_WORDS.search(catalogue)


@pytest.mark.parametrize(
    "pack", ["sonderborg", "assens", "outreach-dk", "sandnes", "msoc-oostende"]
)
def test_every_offer_keeps_its_note_for_maintainers_in_the_pack(pack):
    """The notes stay in the packs, only off the pages: they say where each number comes
    from, as the project asks of every rule."""
    catalogue = read_pack(pack_path(pack)).catalogue
    assert catalogue
    assert all(terms.notes for terms in catalogue), [t.key for t in catalogue if not t.notes]
