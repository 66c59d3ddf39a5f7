"""The outreach section of a service pack (HRM-1..5, HRM-8..10), validated before anything is
loaded (``outreach:`` in ``bedring/rules/service_packs/*.yaml``)::

    outreach:
      activities:                       # what was done in a contact (HRM-8)
        - key: wound-care
          name: {en: Wound care, da: Sårpleje, nb: Sårstell, nl: Wondzorg}
          health_kind: wound_care       # a known client's contact also goes to Health (HLT)
          source: seed 003 line 533 "Klinisk vurdering af borgerens almene tilstand"
        - key: screening-offered
          name: {en: Screening offered, ...}
          screenings: [hiv, hepatitis_c] # the answers become screenings (HLT-1)
          source: ...
      items:                            # what is handed out and taken back (HRM-2, HRM-9)
        - key: syringe-1ml
          name: {en: Syringe 1 ml, ...}
          syringe: true                 # counts towards syringe coverage
          returnable: true              # may come back as used equipment
          source: ...
      places:                           # the organisation's list of places (never GPS)
        - key: banegaarden
          name: Banegårdspladsen
          location_type: street
      exchange_points: [...]            # the needle-exchange network (HRM-1, HRM-9)
      evaluation: {...}                 # the national model's evaluation (HRM-10)

Every name is given in English and may be given in Danish, Norwegian Bokmål and Dutch; the
page shows the user's language, else English. Every entry carries ``source:`` (a seed line,
a law, or "assumption").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bedring.rules.packs import WeekIn

LANGUAGES = ("en", "da", "nb", "nl")
KEY = r"^[a-z0-9-]+$"

# Where a contact happened (HRM-8). Fixed: the evaluation and the figures compare them
# across organisations; an organisation's own places are data (``places``).
LocationTypeKey = Literal["street", "shelter", "shack", "partner_venue", "home", "pharmacy"]
# The kinds of needle-exchange point of seed 000 §8 ("apotheken, centra van ambulante
# drughulpverlening, straathoekwerkers, stedelijke diensten en afzonderlijk opgerichte
# spuitenruilpunten") and machines.
PointKindKey = Literal[
    "own_site", "pharmacy", "partner_venue", "street_work", "city_service", "dedicated", "machine"
]
# HLT-3: the health contact a clinical outreach activity writes for a known client: the
# street nurse's wound care and clinical assessment (seed 003 line 533), a health
# conversation, and "Sundhed fx tandpleje og prævention" (seed 003 line 521): a referral to
# dental care and contraception counselling. NADA is given at the centre, not on the street.
HealthKindKey = Literal[
    "wound_care", "clinical_assessment", "health_conversation", "dental_referral", "contraception"
]
# HLT-1: the screenings an outreach activity may offer (the values of ScreeningKind).
ScreeningKindKey = Literal["hiv", "hepatitis_b", "hepatitis_c", "tuberculosis"]


def label(names: Mapping[str, str], language: str | None) -> str:
    """The name in ``language`` (``da``, ``nb``, ``nl``; ``nb-no`` reads ``nb``), else English."""
    if language:
        text = names.get(language) or names.get(language.split("-")[0])
        if text:
            return text
    return names["en"]


class Names(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    en: str = Field(min_length=1, max_length=120)
    da: str = Field(default="", max_length=120)
    nb: str = Field(default="", max_length=120)
    nl: str = Field(default="", max_length=120)

    def as_dict(self) -> dict[str, str]:
        return {lang: getattr(self, lang) for lang in LANGUAGES if getattr(self, lang)}


class ActivityIn(BaseModel):
    """HRM-8: one thing done in a contact (conversation, first aid, wound care, supplies,
    naloxone, escort, referral, appointment booked)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=KEY, max_length=40)
    name: Names
    # HLT-3: for a known client, the contact also becomes a health contact of this kind.
    health_kind: HealthKindKey | None = None
    # HLT-1: the screenings this activity offers. For a known client, each answer recorded
    # with the contact (declined, or a sample taken) becomes a screening on the Health tab.
    screenings: tuple[ScreeningKindKey, ...] = ()
    # HRM-10: a referral or an escort to treatment, counted in the model's evaluation.
    referral: bool = False
    source: str = Field(min_length=1)

    @field_validator("screenings")
    @classmethod
    def _screenings_once(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a screening is named twice")
        return value


class ItemIn(BaseModel):
    """HRM-2, HRM-9: an item handed out (and, if returnable, taken back used)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=KEY, max_length=40)
    name: Names
    # Counts towards syringe coverage (syringes distributed per injection).
    syringe: bool = False
    # Used equipment may come back (syringes, needles); foil or condoms do not.
    returnable: bool = False
    source: str = Field(min_length=1)


class PlaceIn(BaseModel):
    """A place on the organisation's own list; a contact may name one. Never coordinates."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=KEY, max_length=50)
    name: str = Field(min_length=1, max_length=120)
    location_type: LocationTypeKey
    # The team (site) that works there, for the evaluation per site.
    site: str | None = Field(default=None, pattern=KEY)
    source: str = Field(min_length=1)


class ExchangePointIn(BaseModel):
    """HRM-1, HRM-9: a point of the needle-exchange network."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=KEY, max_length=50)
    name: str = Field(min_length=1, max_length=120)
    kind: PointKindKey
    # One of the organisation's own sites, where the point is one.
    site: str | None = Field(default=None, pattern=KEY)
    address: str = Field(default="", max_length=200)
    hours: WeekIn = Field(default_factory=WeekIn)
    # The item keys the point stocks and hands out.
    items: tuple[str, ...] = Field(min_length=1)
    source: str = Field(min_length=1)


class CoverageIn(BaseModel):
    """HRM-9: syringe coverage = syringes distributed / injections in the period, where the
    injections are estimated as participants x injections per participant per day x days
    (the WHO, UNODC and UNAIDS technical guide's individual coverage, estimated per point)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    injections_per_day: float = Field(gt=0, le=20)
    source: str = Field(min_length=1)


class FidelityElementIn(BaseModel):
    """HRM-10: one element of the outreach model, ticked per site and quarter."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=KEY, max_length=40)
    name: Names
    source: str = Field(min_length=1)


class EvaluationIn(BaseModel):
    """HRM-10: what the national outreach model's evaluation counts (seed 001)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    # A contact "leads to a treatment start" when an inquiry follows within this many days.
    treatment_start_days: int = Field(ge=1, le=365)
    treatment_start_source: str = Field(min_length=1)
    fidelity: tuple[FidelityElementIn, ...] = ()


class OutreachIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    activities: tuple[ActivityIn, ...] = Field(min_length=1)
    items: tuple[ItemIn, ...] = ()
    places: tuple[PlaceIn, ...] = ()
    exchange_points: tuple[ExchangePointIn, ...] = ()
    coverage: CoverageIn | None = None
    evaluation: EvaluationIn | None = None

    @model_validator(mode="after")
    def _consistent(self) -> OutreachIn:
        for what, keys in (
            ("activity", [a.key for a in self.activities]),
            ("item", [i.key for i in self.items]),
            ("place", [p.key for p in self.places]),
            ("exchange point", [p.key for p in self.exchange_points]),
            (
                "fidelity element",
                [f.key for f in self.evaluation.fidelity] if self.evaluation else [],
            ),
        ):
            repeated = sorted({k for k in keys if keys.count(k) > 1})
            if repeated:
                raise ValueError(f"{what} keys used twice: {', '.join(repeated)}")
        items = {i.key for i in self.items}
        for point in self.exchange_points:
            unknown = [k for k in point.items if k not in items]
            if unknown:
                raise ValueError(
                    f"exchange point {point.key!r} stocks unknown items: {', '.join(unknown)}"
                )
        if self.exchange_points and self.coverage is None:
            raise ValueError("exchange points need coverage: (injections_per_day and source)")
        return self
