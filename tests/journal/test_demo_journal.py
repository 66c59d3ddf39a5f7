"""The demo's journal (JRN-1, JRN-2): signed notes for a few clients with an episode, one
corrected with its reason, a draft and a restricted psychologist's note; loaded once."""

from __future__ import annotations

import random

import pytest

from bedring.core import clock
from bedring.core.roles import Role
from bedring.demo.journal import demo_journal
from bedring.journal.models import Note
from tests.medication.records_fixtures import open_episode

pytestmark = pytest.mark.django_db


def test_the_demo_writes_a_few_notes_once(org_dk, make_staff, make_client):
    counsellor = make_staff(org_dk, Role.COUNSELLOR, username="sonderborg.counsellor")
    make_staff(org_dk, Role.PSYCHOLOGIST, username="sonderborg.psychologist")
    for _ in range(4):
        open_episode(make_client(org_dk), actor=counsellor)
    today = clock.today(org_dk)
    demo_journal(org_dk, random.Random(1), today=today)
    notes = Note.objects.filter(client__organisation=org_dk)
    assert notes.filter(signed_at__isnull=False, version=1).count() == 4 * 4 + 1
    correction = notes.get(version=2)
    assert correction.correction_reason.startswith("Demo:")
    assert notes.filter(signed_at__isnull=True).count() == 1
    restricted = notes.get(restricted=True)
    assert restricted.author_role == "psychologist" and restricted.signed_at is not None
    assert all(n.text.startswith("Demo:") for n in notes)
    count = notes.count()
    demo_journal(org_dk, random.Random(1), today=today)
    assert notes.count() == count
