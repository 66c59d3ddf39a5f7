"""APT-3: each shipped organisation's reminder rules come from its pack, each with its
source; a pack whose rules are wrong is refused with the file, the line and the field."""

from __future__ import annotations

import datetime

import pytest

from bedring.messaging.models import ReminderSettings
from bedring.rules.loader import PackError, available_packs, pack_path, read_pack

from .conftest import forbidden_in


def test_every_shipped_organisation_has_reminder_rules_with_sources(db, org_dk):
    assert ReminderSettings.objects.count() == len(available_packs())
    rules = ReminderSettings.objects.get(organisation=org_dk)
    assert (rules.days_before, rules.send_at) == (1, datetime.time(16, 0))
    assert rules.neutral_label == "Sønderborg Kommune"
    for stored in ReminderSettings.objects.all():
        assert stored.timing_source and stored.labels_source


@pytest.mark.parametrize("name", available_packs())
def test_no_neutral_name_reveals_a_service(name):
    pack = read_pack(pack_path(name))
    assert pack.reminders is not None
    assert forbidden_in(pack.reminders.labels.neutral) == []


@pytest.mark.parametrize(
    ("replace", "by", "field"),
    [
        ('at: "16:00"', "at: 16:00", "reminders.timing.at"),
        ("days_before: 1", "days_before: 30", "reminders.timing.days_before"),
        ("neutral: Sønderborg Kommune", "neutral: Sønderborg Misbrugscenter", "reminders.labels"),
        ("    source: assumption (no seed", "    sauce: assumption (no seed", "reminders.timing"),
    ],
)
def test_a_pack_with_wrong_reminder_rules_is_refused(tmp_path, replace, by, field):
    text = pack_path("sonderborg").read_text(encoding="utf-8")
    assert replace in text
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace(replace, by, 1), encoding="utf-8")
    with pytest.raises(PackError) as refused:
        read_pack(broken)
    assert "broken.yaml" in str(refused.value)
    assert field in str(refused.value)
    assert "line " in str(refused.value)
