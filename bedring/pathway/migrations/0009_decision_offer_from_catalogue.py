"""A decision's offer was free text; it is now an offer of the organisation's catalogue
(``offer_key``), with the name kept for the letter. Decisions recorded before get the key of
the offer their text names: the key itself, or the name of one of the organisation's offers
(any version, current first), compared without case and surrounding spaces. Text that names
no offer keeps its text and no key: the page and the letter show it as it was written."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def link_offers(apps: Any, schema_editor: Any) -> None:
    Decision = apps.get_model("pathway", "Decision")
    Offer = apps.get_model("catalogue", "Offer")
    catalogue: dict[int, dict[str, tuple[str, str]]] = {}
    for org_id, key, name, is_current in Offer.objects.order_by(
        "is_current", "version"
    ).values_list("organisation_id", "key", "name", "is_current"):
        # Later rows win: the current version's name over an older one's.
        names = catalogue.setdefault(org_id, {})
        names[_norm(key)] = (key, name)
        names[_norm(name)] = (key, name)
    changed = []
    for decision in (
        Decision.objects.exclude(offer="").filter(offer_key="").select_related("episode")
    ):
        found = catalogue.get(decision.episode.organisation_id, {}).get(_norm(decision.offer))
        if found is not None:
            decision.offer_key, decision.offer = found
            changed.append(decision)
    Decision.objects.bulk_update(changed, ["offer_key", "offer"], batch_size=500)


def unlink_offers(apps: Any, schema_editor: Any) -> None:
    """Backwards: the names stay; the keys go with the column in 0008's reversal."""


class Migration(migrations.Migration):
    dependencies = [
        ("pathway", "0008_decision_offer_key_assessment_recommendation"),
        ("catalogue", "0002_attendance_session_cover"),
    ]

    operations = [migrations.RunPython(link_offers, unlink_offers)]
