"""The demo's health data (HLT-1..4): a little of each kind, through the services, once."""

from __future__ import annotations

import random

from bedring.demo.health import demo_health
from bedring.health.models import HealthContact, Pregnancy, Screening, Vaccination
from bedring.pathway.models import Deadline

from .conftest import days_ago


def test_the_demo_records_a_little_health_data_once(org_dk, make_staff, make_client, open_episode):
    make_staff(org_dk, "nurse", username="sonderborg.nurse")
    for _ in range(4):
        open_episode(make_client(org_dk))
    make_client(org_dk, national_id="", sex="female")
    today = days_ago(org_dk, 0)
    demo_health(org_dk, random.Random(1), today=today)
    counts = [m.objects.count() for m in (Screening, Vaccination, HealthContact, Pregnancy)]
    assert counts == [4, 2, 4, 1]
    assert Deadline.objects.filter(kind="vaccination", status="open").count() == 2
    demo_health(org_dk, random.Random(1), today=today)
    assert [m.objects.count() for m in (Screening, Vaccination, HealthContact, Pregnancy)] == counts
