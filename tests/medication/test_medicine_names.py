"""The medicine list's names in the user's language (Danish, Norwegian Bokmål, Dutch), kept as
data in ``bedring/rules/medicines.yaml`` with the English name as the fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from bedring.medication.medicines import MedicinesError, medicines_load, read_medicines
from bedring.medication.models import Medicine

LANGUAGES = ("da", "nb", "nl")


def test_every_shipped_medicine_has_a_name_in_every_language():
    for medicine in read_medicines():
        assert set(medicine.names) == set(LANGUAGES), medicine.key


@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("nl", "Methadon drank 1 mg/ml"),
        ("da", "Metadon oral opløsning 1 mg/ml"),
        ("nb", "Metadon mikstur 1 mg/ml"),
        ("en", "Methadone oral solution 1 mg/ml"),
        ("nl-be", "Methadon drank 1 mg/ml"),
    ],
)
def test_the_display_name_follows_the_active_language(db, language, name):
    medicine = Medicine.objects.get(key="methadone-oral-solution")
    with translation.override(language):
        assert medicine.display_name == name
        assert str(medicine) == f"{name} (N07BC02)"


def test_a_language_the_list_does_not_name_falls_back_to_english(db):
    medicine = Medicine.objects.get(key="methadone-oral-solution")
    medicine.names = {"nl": "Methadon drank 1 mg/ml"}
    with translation.override("da"):
        assert medicine.display_name == "Methadone oral solution 1 mg/ml"


def write(tmp_path: Path, names: str) -> Path:
    path = tmp_path / "medicines.yaml"
    path.write_text(
        "medicines:\n"
        "  - key: test-medicine\n"
        "    name: Test tablet 5 mg\n"
        f"{names}"
        "    inn: test\n"
        "    atc_code: N07BC02\n"
        "    form: tablet\n"
        "    max_daily_dose: 10\n"
        "    dose_step: 5\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "names",
    [
        "    names:\n      de: Testtablette 5 mg\n",
        "    names:\n      nl: ''\n",
    ],
    ids=["unknown-language", "empty-name"],
)
def test_names_in_an_unknown_language_or_empty_are_refused(tmp_path, names):
    with pytest.raises(MedicinesError, match="names"):
        read_medicines(write(tmp_path, names))


def test_the_names_are_loaded_and_updated(db, tmp_path):
    medicines_load(write(tmp_path, "    names:\n      nl: Testtablet 5 mg\n"))
    assert Medicine.objects.get(key="test-medicine").names == {"nl": "Testtablet 5 mg"}
    medicines_load(write(tmp_path, "    names:\n      nl: Testtablet van 5 mg\n"))
    assert Medicine.objects.get(key="test-medicine").names == {"nl": "Testtablet van 5 mg"}
