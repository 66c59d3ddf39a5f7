"""The shipped list of medicines (``bedring/rules/medicines.yaml``), validated and loaded.

Loaded with every service pack (``load_pack``), idempotently: an unchanged list writes
nothing, a medicine taken out of the list is deactivated, never deleted (prescriptions
point to it).

Each medicine has its English ``name`` and its ``names`` in the other languages of the
interface (``da``, ``nb``, ``nl``): the list stays data that a translator edits, and a
language the list does not name falls back to English (``Medicine.display_name``).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .models import Medicine, MedicineForm

MEDICINES_FILE = Path(__file__).resolve().parent.parent / "rules" / "medicines.yaml"
ATC_RE = re.compile(r"^[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}$")


class MedicinesError(ValueError):
    pass


class MedicineIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z0-9-]+$", max_length=60)
    name: str = Field(min_length=1, max_length=120)
    names: dict[str, str] = Field(default_factory=dict)
    inn: str = Field(min_length=1, max_length=120)
    atc_code: str
    form: str
    strength: str = ""
    unit: str = Field(default="mg", max_length=10)
    is_substitution: bool = False
    max_daily_dose: Decimal = Field(gt=0, le=100_000, decimal_places=2)
    dose_step: Decimal = Field(gt=0, le=100_000, decimal_places=2)

    @field_validator("atc_code")
    @classmethod
    def _atc(cls, value: str) -> str:
        if not ATC_RE.match(value):
            raise ValueError(f"{value!r} is not a 7-character ATC code such as N07BC02")
        return value

    @field_validator("names")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        languages = {code for code, _label in settings.LANGUAGES if code != "en"}
        unknown = sorted(set(value) - languages)
        if unknown:
            raise ValueError(
                f"names are per language ({', '.join(sorted(languages))}), not {unknown}"
            )
        for language, name in value.items():
            if not name.strip() or len(name) > 120:
                raise ValueError(f"the {language} name is empty or longer than 120 characters")
        return value

    @field_validator("form")
    @classmethod
    def _form(cls, value: str) -> str:
        if value not in MedicineForm.values:
            raise ValueError(f"form must be one of {', '.join(MedicineForm.values)}")
        return value


class MedicineList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    medicines: list[MedicineIn]


def read_medicines(path: Path = MEDICINES_FILE) -> list[MedicineIn]:
    try:
        parsed = MedicineList.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise MedicinesError(f"{path.name}: {detail}") from exc
    keys = [m.key for m in parsed.medicines]
    if len(keys) != len(set(keys)):
        raise MedicinesError(f"{path.name}: a key is listed twice")
    return parsed.medicines


def medicines_load(path: Path = MEDICINES_FILE) -> list[Medicine]:
    """Create or update every medicine of the list; deactivate those no longer listed."""
    loaded = []
    for item in read_medicines(path):
        fields = item.model_dump(exclude={"key"})
        medicine = Medicine.objects.filter(key=item.key).first()
        if medicine is None:
            medicine = Medicine.objects.create(key=item.key, **fields)
        else:
            changed = [k for k, v in fields.items() if getattr(medicine, k) != v]
            if changed or not medicine.is_active:
                for name in changed:
                    setattr(medicine, name, fields[name])
                medicine.is_active = True
                medicine.save()
        loaded.append(medicine)
    Medicine.objects.exclude(key__in=[m.key for m in loaded]).update(is_active=False)
    return loaded
