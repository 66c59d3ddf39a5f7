"""The outreach model's fidelity checklists for the demo installation (HRM-10, seed 001):
for each site of an organisation whose pack lists the model's elements (outreach-dk: Odense
and Aarhus), the previous quarter ticked in full and the current one begun, through the
service, so the evaluation page has a checklist to show and one to finish. Synthetic only: the
notes are made up, in the organisation's language (Danish)."""

from __future__ import annotations

import datetime

from bedring.accounts.models import Organisation, User
from bedring.core.roles import Role
from bedring.outreach import evaluation as ev
from bedring.outreach.models import FidelityCheck
from bedring.outreach.services.fidelity import FidelityTick, fidelity_elements, fidelity_save

# (element, held, note) per site slug; an element not named is held without a note.
NOT_HELD: dict[str, dict[str, str]] = {
    "aarhus": {
        "two-outreach-workers": "Den ene stilling var ubesat i seks uger; dækket af centrets "
        "behandlere to dage om ugen.",
    },
    "odense": {
        "street-cooperation": "Samarbejdsmødet med gadeplansteamet blev aflyst to gange.",
    },
}
NOTES = {
    "documented": "Alle kontakter registreret samme dag.",
    "flexible-frame": "Aftaler flyttes uden at sagen lukkes.",
}
# The current quarter is begun: these two are ticked.
BEGUN = ("outreach-where-they-are", "documented")


def demo_evaluation(organisation: Organisation, *, today: datetime.date) -> None:
    """Nothing when the pack lists no elements or the organisation has checklists already, so
    a second load adds nothing."""
    elements = fidelity_elements(organisation)
    if not elements or FidelityCheck.objects.filter(organisation=organisation).exists():
        return
    manager = User.objects.filter(username=f"{organisation.slug}.{Role.MANAGER}").first()
    if manager is None:
        return
    current = ev.quarter_start(today)
    previous = ev.quarter_start(current - datetime.timedelta(days=1))
    for site in organisation.sites.filter(is_active=True).order_by("slug"):
        missing = NOT_HELD.get(site.slug, {})
        fidelity_save(
            organisation=organisation,
            site=site,
            quarter=previous,
            ticks=[
                FidelityTick(key, key not in missing, missing.get(key) or NOTES.get(key, ""))
                for key in elements
            ],
            actor=manager,
            today=today,
        )
        fidelity_save(
            organisation=organisation,
            site=site,
            quarter=current,
            ticks=[FidelityTick(key, True, NOTES.get(key, "")) for key in BEGUN if key in elements],
            actor=manager,
            today=today,
        )
