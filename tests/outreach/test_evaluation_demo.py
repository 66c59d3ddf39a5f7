"""HRM-10: the demo has the outreach model's fidelity checklists for outreach-dk's two sites
(the previous quarter in full, the current one begun), none for the others, and a second load
adds none."""

from __future__ import annotations

import datetime

from bedring.demo.demo_data import load_demo
from bedring.outreach import evaluation as ev
from bedring.outreach.models import FidelityCheck
from tests.conftest import TODAY


def test_the_demo_has_fidelity_checklists_for_the_outreach_models_sites(empty_installation):
    load_demo(clients_per_organisation=2)
    checks = FidelityCheck.objects.select_related("site", "organisation")
    assert {c.organisation.slug for c in checks} == {"udgaaende-behandling"}
    assert {c.site.slug for c in checks} == {"odense", "aarhus"}
    current = ev.quarter_start(TODAY)
    previous = ev.quarter_start(current - datetime.timedelta(days=1))
    assert checks.filter(quarter=previous).count() == 2 * 6
    assert checks.filter(quarter=current).count() == 2 * 2
    assert checks.filter(quarter=previous, met=False).count() == 2
    load_demo(clients_per_organisation=2)
    assert FidelityCheck.objects.count() == 2 * 6 + 2 * 2
