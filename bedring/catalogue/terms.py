"""The terms of an offer (CAT-1), as a validated value: what a service pack says about an
offer and what an enrolment keeps. Pure pydantic, no ORM: the loader, the eligibility rules
and the schedule generator all read the same shape.
"""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError


def _finding(code: str, message: str) -> PydanticCustomError:
    """A rule of the terms refusing: ``message`` is for the pack's author (the loader shows
    it with the file and line); ``code`` is stable, and the offer edit form shows its own
    wording for it, translated (``forms.TERMS_FINDINGS``)."""
    return PydanticCustomError(code, message)


Intensity = Literal["no_authorisation", "outpatient", "day", "residential"]
Format = Literal["individual", "group", "individual_or_group"]
CadenceKind = Literal["weekly", "biweekly", "weekdays", "per_month", "open"]
CountKind = Literal["fixed", "up_to", "open"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Role = Literal[
    "counsellor",
    "nurse",
    "doctor",
    "psychologist",
    "street_nurse",
    "occupational_therapist",
    "music_therapist",
    "child_expert",
    "dropin_worker",
    "peer_worker",
    "authority",
    "manager",
]


class Cadence(BaseModel):
    """How often sessions come: ``weekly`` (on ``weekdays``, default the start day),
    ``biweekly``, ``weekdays`` (several days a week), ``per_month`` (``times_per_month`` for
    individual offers), or ``open`` (no schedule: drop-in, outreach). ``iso_weeks`` even/odd
    restricts to ISO week parity (Sønderborg's relatives course: Thursdays in even weeks)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: CadenceKind
    weekdays: tuple[Weekday, ...] = ()
    iso_weeks: Literal["any", "even", "odd"] = "any"
    times_per_month: tuple[int, int] | None = None
    start_time: time | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Cadence:
        if self.kind == "per_month" and self.times_per_month is None:
            raise _finding(
                "times_per_month_required", "per_month needs times_per_month: [min, max]"
            )
        if self.times_per_month is not None:
            low, high = self.times_per_month
            if not 1 <= low <= high <= 31:
                raise _finding(
                    "times_per_month_range", "times_per_month must be 1 <= min <= max <= 31"
                )
        if self.kind == "weekdays" and not self.weekdays:
            raise _finding("weekdays_required", "weekdays needs at least one weekday")
        return self


class Count(BaseModel):
    """How many sessions: ``fixed`` n, ``up_to`` n (Assens: motivation up to 5), or ``open``;
    ``extra`` sessions after the course (treatment group: +2 for the stop plan); a duration in
    weeks where the source gives one (pre-course up to 8 weeks, day treatment 10 weeks)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: CountKind = "open"
    sessions: int | None = Field(default=None, ge=1, le=500)
    extra: int = Field(default=0, ge=0, le=50)
    weeks_min: int | None = Field(default=None, ge=1, le=104)
    weeks_max: int | None = Field(default=None, ge=1, le=104)

    @model_validator(mode="after")
    def _consistent(self) -> Count:
        if self.kind in ("fixed", "up_to") and self.sessions is None:
            raise _finding("sessions_required", f"{self.kind} needs sessions")
        if self.weeks_min and self.weeks_max and self.weeks_min > self.weeks_max:
            raise _finding("weeks_order", "weeks_min is after weeks_max")
        return self


class AgeRange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min: int | None = Field(default=None, ge=0, le=120)
    max: int | None = Field(default=None, ge=0, le=120)

    @model_validator(mode="after")
    def _order(self) -> AgeRange:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise _finding("ages_order", "min age is above max age")
        return self


class GiftCard(BaseModel):
    """CAT-3 MOVE: a gift card at every ``every``-th attended conversation, within ``ages``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    every: int = Field(ge=1, le=20)
    amount: int = Field(ge=1)
    currency: Literal["DKK", "NOK", "EUR"]
    ages: AgeRange = Field(default_factory=AgeRange)


class OfferTerms(BaseModel):
    """CAT-1: everything an offer promises and requires."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z0-9-]+$", max_length=50)
    name: str = Field(min_length=1, max_length=200)
    section: str = Field(
        default="", max_length=20, description="Number in the source catalogue, e.g. 3.2"
    )
    purpose: str = ""
    activities: tuple[str, ...] = ()
    intensity: Intensity
    format: Format = "individual"
    session_minutes: int | None = Field(default=None, ge=5, le=24 * 60)
    cadence: Cadence = Field(default_factory=lambda: Cadence(kind="open"))
    count: Count = Field(default_factory=Count)
    staff_roles: tuple[Role, ...] = ()
    ages: AgeRange = Field(default_factory=AgeRange)
    needs_authorisation: bool = True
    anonymous_allowed: bool = False
    anonymous_treatment: bool = False  # DEC-5: the partner municipalities' anonymous course
    substitution: bool = False  # may include substitution medication (MED-8)
    prerequisites: tuple[str, ...] = ()  # keys of offers to complete first (CAT-7)
    residential_criteria: bool = False  # CAT-7 checklist recorded before referral
    tally_only: bool = False  # INT-3, INT-4, HRM-5: counted anonymously, no case opened
    # Takes anonymous tallies as well as named clients with a plan (Lykken: individual SMART
    # goals, seed 003). Staff tally only visitors who have no enrolment in the offer.
    tallied: bool = False
    # Named clients set individual SMART goals in the offer itself, on their enrolment,
    # without a treatment plan: Lykken ("Udarbejdelse af individuelle SMARTE mål", seed 003
    # line 541) is open to former users too (line 545), who have no episode to plan in.
    individual_goals: bool = False
    gift_card: GiftCard | None = None
    open_to_non_clients: bool = False  # CAT-5: KIDO, needle exchange
    capacity: int | None = Field(default=None, ge=1, le=500)
    # The pack author's note for maintainers, in English: the seed line or law each number
    # comes from, and what is an assumption. It is never shown to staff (issue 13): what
    # staff read is the name, purpose and activities, written in the organisation's language.
    notes: str = ""

    @property
    def takes_tallies(self) -> bool:
        return self.tally_only or self.tallied

    @property
    def plans_courses(self) -> bool:
        """Whether courses of the offer can be planned (SCH-1): a group offer with a cadence
        to plan sessions from; not an anonymous tally (``courses.course_create`` refuses the
        others)."""
        return (
            self.format != "individual"
            and not self.tally_only
            and self.cadence.kind not in ("per_month", "open")
        )

    @model_validator(mode="after")
    def _consistent(self) -> OfferTerms:
        if self.intensity == "no_authorisation" and self.needs_authorisation:
            raise _finding(
                "authorisation_contradiction",
                "an offer without authorisation cannot need authorisation",
            )
        if self.anonymous_treatment and self.substitution:
            # DEC-5, MED-8
            raise _finding(
                "anonymous_substitution", "anonymous treatment never includes substitution"
            )
        if self.takes_tallies and self.needs_authorisation:
            raise _finding("tally_authorisation", "an anonymous tally needs no authorisation")
        if self.tally_only and self.tallied:
            raise _finding(
                "tally_twice",
                "tally_only already takes tallies; tallied is for offers that also enrol",
            )
        if self.individual_goals and self.tally_only:
            raise _finding(
                "goals_tally_only", "individual goals need named clients; tally_only enrols none"
            )
        if self.key in self.prerequisites:
            raise _finding("own_prerequisite", "an offer cannot be its own prerequisite")
        return self
