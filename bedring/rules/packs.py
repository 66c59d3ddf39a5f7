"""Rule packs: every jurisdiction difference is data (ARCHITECTURE.md, "Rules are data").

A pack per jurisdiction lives in ``jurisdictions/<CODE>.yaml``; an organisation may override
single rules in ``Organisation.rule_overrides``. Both are validated by :class:`RulePack`, so a
typo in a pack or an override fails with the field's name instead of silently using a default.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bedring.core.hours import HoursError, Interval, parse_intervals
from bedring.core.roles import ROLE_PERMS, Perm, Role

PACK_DIR = Path(__file__).resolve().parent / "jurisdictions"


ScreeningKey = Literal["hiv", "hepatitis_b", "hepatitis_c", "tuberculosis"]
NoShowThreshold = Annotated[int, Field(ge=1, strict=True)]


WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class WeekIn(BaseModel):
    """Hours per weekday as a pack writes them (``mon: 08:00-16:00``; blank: closed), each day
    readable by :func:`bedring.core.hours.parse_intervals`: a site's opening, phone and
    medication hours, an exchange point's hours."""

    model_config = ConfigDict(extra="forbid")
    mon: str = ""
    tue: str = ""
    wed: str = ""
    thu: str = ""
    fri: str = ""
    sat: str = ""
    sun: str = ""

    @field_validator("*")
    @classmethod
    def _readable(cls, value: str) -> str:
        try:
            parse_intervals(value)
        except HoursError as exc:
            raise ValueError(exc.message) from exc
        return value

    def as_dict(self) -> dict[str, str]:
        return {day: getattr(self, day) for day in WEEKDAY_KEYS}

    def intervals(self) -> dict[int, tuple[Interval, ...]]:
        return {i: parse_intervals(getattr(self, key)) for i, key in enumerate(WEEKDAY_KEYS)}


class RulePackError(ValueError):
    pass


def check_time_zone(value: str) -> str:
    """A time zone name the zoneinfo database knows, e.g. "Europe/Oslo"."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


class OutcomeTarget(BaseModel):
    """DIS-3, DIS-4: an organisation's target for an outcome figure, with where it comes from.
    ``min``: at least this share; ``max``: at most."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    share: float = Field(ge=0, le=1)
    kind: Literal["min", "max"]
    source: str = Field(min_length=1)


OutcomeKey = Literal["goal_attainment", "readmission"]

# APT-1: the kinds of individual appointment (bedring.appointments.models.AppointmentKind,
# which a test keeps equal to this list).
AppointmentKindKey = Literal[
    "conversation",
    "doctor",
    "psychologist",
    "nurse",
    "home_visit",
    "phone",
    "responsibility_group",
]


class AppointmentOfferRule(BaseModel):
    """APT-2: an appointment of a kind is offered within ``days`` calendar days of the request
    (Sandnes: a psychologist within a week, seed 004), with where the promise comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    days: int = Field(ge=0, le=365)
    source: str = Field(min_length=1)


# JRN-1: the kinds of contact a journal note documents (bedring.journal.models.ContactType
# has the same keys, with their labels).
ContactTypeKey = Literal[
    "conversation",
    "phone",
    "home_visit",
    "group_session",
    "dose_observation",
    "outreach",
    "network_meeting",
    "medical",
    "other",
]
# REF-1: the kinds of partner service a referral goes to, and the consent party
# (bedring.clients.models.ConsentParty, which this low module cannot import; a test keeps the
# two lists equal) whose consent covers a referral to the partner.
PartnerKind = Literal["gp", "psychiatry", "specialist", "residential", "municipality", "other"]
ConsentPartyKey = Literal[
    "gp",
    "job_centre",
    "school",
    "psychiatry",
    "hospital",
    "specialist",
    "probation",
    "employer",
    "ngo",
    "children_services",
    "relative",
    "other",
]


class NoteTemplate(BaseModel):
    """JRN-1: the text a new journal note of one contact type starts from, in the
    organisation's working language, with where its headings come from."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str = Field(min_length=1, max_length=4000)
    source: str = Field(min_length=1)


class RestrictedReaders(BaseModel):
    """JRN-2: a role whose members may mark their notes restricted, and the other roles that
    may read those notes (besides the author's own role)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    readers: tuple[str, ...] = ()
    source: str = Field(min_length=1)

    @field_validator("readers")
    @classmethod
    def _known_roles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [r for r in value if r not in Role.values]
        if unknown:
            raise ValueError(f"unknown role {', '.join(repr(r) for r in unknown)}")
        return value


class PartnerIn(BaseModel):
    """REF-1: a partner service an organisation refers to, from its service pack.

    ``reply_days``: the calendar days after sending by which a reply is expected (a worklist
    deadline), with ``reply_source`` saying where the number comes from (a seed line, a law, or
    "assumption"); ``source`` says where the partner itself comes from. ``rights_assessment``:
    the partner is the specialist health service and assesses the patient's rights on receipt
    (NO: pasient- og brukerrettighetsloven § 2-2), which needs the jurisdiction's
    ``rights_assessment_working_days``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: str = Field(pattern=r"^[a-z0-9-]+$", max_length=40)
    kind: PartnerKind
    name: str = Field(min_length=1, max_length=200)
    contact: str = Field(default="", max_length=500)
    consent_party: ConsentPartyKey
    reply_days: int = Field(ge=1, le=365)
    reply_source: str = Field(min_length=1, max_length=300)
    source: str = Field(min_length=1, max_length=300)
    rights_assessment: bool = False


class RulePack(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    jurisdiction: Literal["DK", "NO", "BE"]
    time_zone: str
    language: Literal["da", "nb", "nl", "en"]
    identifier: Literal["dk_cpr", "no_fnr", "be_nn"]
    start_guarantee_days: int | None = Field(default=None, ge=1)
    first_contact_working_days: int | None = Field(default=None, ge=1)
    callback_next_working_day: bool = False
    mapping_period_months: int | None = Field(default=None, ge=1)
    complaint_window_weeks: int | None = Field(default=None, ge=1)
    appeals_body: str = ""
    health_complaints_body: str = ""
    # DEC-2, DEC-6: who else the decision letter's complaint guidance names, for letters.
    health_complaints_web: str = ""
    ombudsman_body: str = ""
    ombudsman_web: str = ""
    complaint_help_body: str = ""
    # The law that gives the complaint right and its window, named in the letter (NO:
    # pasient- og brukerrettighetsloven §§ 7-2, 7-5).
    complaint_law: str = ""
    # DEC-2: the unit that makes decisions and re-evaluates complaints about them, when it is
    # not the organisation itself (Assens: Myndighed Social, seed 002 §12). Empty: the
    # organisation decides. The letter names it as the place to complain.
    decision_unit_name: str = Field(default="", max_length=200)
    decision_unit_address: str = Field(default="", max_length=200)
    decision_unit_phone: str = Field(default="", max_length=50)
    assessment_days: int | None = Field(default=None, ge=1)
    decision_letter_working_days: int = Field(default=5, ge=0)
    complaint_reevaluation_weeks: int = Field(default=4, ge=1)
    child_notification_days: int = Field(default=0, ge=0)
    intake_requires_doctor: bool = False
    plan_evaluation_months: int = Field(default=3, ge=1)
    follow_up_months: tuple[int, ...] = (1, 6)
    missed_dose_hold_days: int = Field(default=3, ge=1)
    no_show_flag_after: int = Field(default=3, ge=1)
    # SCH-2, APT-1 for outreach clients (``bedring.clients.no_show``): the outreach model's
    # flexible frame (seed 001 line 5, "fleksible rammer"). A number: outreach clients are
    # flagged after that many no-shows in a row instead of ``no_show_flag_after``; "never":
    # they are not flagged. None (not set): they are flagged as every other client.
    outreach_no_show_flag_after: NoShowThreshold | Literal["never"] | None = None
    parental_consent_under_age: int = Field(default=15, ge=0, le=18)
    adult_age: int = Field(default=18, ge=15, le=21)
    substitution_min_age: int = Field(default=18, ge=15, le=21)
    charges_co_payment: bool = False
    # MED-9 (BE): the client's share of the rehabilitation week price and of the medicine,
    # in euro. Only read where charges_co_payment is true.
    co_payment_week_share: Decimal = Field(default=Decimal("0"), ge=0, le=10_000)
    co_payment_medicine_share_per_dose: Decimal = Field(default=Decimal("0"), ge=0, le=1_000)
    # MED-5: a Schengen certificate covers at most 30 days of travel.
    travel_certificate_max_days: int = Field(default=30, ge=1, le=30)
    # HLT-1: screenings every new episode must have (Assens: HIV and hepatitis), due this
    # many days after the inquiry; a worklist item until done or declined.
    mandatory_screenings: tuple[ScreeningKey, ...] = ()
    mandatory_screening_days: int = Field(default=14, ge=0, le=365)
    # REF-1 (NO): a referral to the specialist health service has the patient's rights
    # assessed within this many working days of its receipt (pasient- og
    # brukerrettighetsloven § 2-2), the law named in ``rights_assessment_law``. None: no such
    # rule in the jurisdiction.
    rights_assessment_working_days: int | None = Field(default=None, ge=1, le=60)
    rights_assessment_law: str = Field(default="", max_length=200)
    # PRV-1: permissions an organisation adds to (``role_grants``) or takes from
    # (``role_revokes``) a role of the shared table in bedring.core.roles, e.g. Sandnes'
    # counsellors hand out LAR medication (seed 004): {counsellor: [dispense]}. Least
    # privilege stays the default: nothing is granted unless a pack says so.
    role_grants: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    role_revokes: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    # DIS-3, DIS-4: the organisation's own targets (Assens: seed 002 §2). An organisation
    # without one shows the figure without a target.
    outcome_targets: dict[OutcomeKey, OutcomeTarget] = Field(default_factory=dict)
    # APT-2: the organisation's promises to offer an appointment of a kind within a time of
    # the request (Sandnes: a psychologist within 7 days, seed 004). A request of such a kind
    # opens an APPOINTMENT_OFFER deadline; other kinds and organisations have none.
    appointment_offer: dict[AppointmentKindKey, AppointmentOfferRule] = Field(default_factory=dict)
    # JRN-1: the text a new note of each contact type starts from. An organisation's
    # ``rule_overrides`` replaces single contact types and keeps the others (merged_pack).
    journal_templates: dict[ContactTypeKey, NoteTemplate] = Field(default_factory=dict)
    # JRN-2, PRV-1: the roles that may mark a note restricted (the keys), and who else reads
    # such a note. Everyone else sees that a restricted note exists, not its text.
    journal_restricted: dict[str, RestrictedReaders] = Field(default_factory=dict)

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        return check_time_zone(value)

    @field_validator("journal_restricted")
    @classmethod
    def _known_restricting_roles(
        cls, value: dict[str, RestrictedReaders]
    ) -> dict[str, RestrictedReaders]:
        unknown = [r for r in value if r not in Role.values]
        if unknown:
            raise ValueError(f"unknown role {', '.join(repr(r) for r in unknown)}")
        return value

    def restricted_readable_by(self, roles: frozenset[str] | set[str]) -> frozenset[str]:
        """JRN-2: the author roles whose restricted notes a member of ``roles`` may read:
        their own roles, and every role whose restricted notes name one of them as a
        reader."""
        readable = set(roles)
        for author_role, rule in self.journal_restricted.items():
            if set(rule.readers) & set(roles):
                readable.add(author_role)
        return frozenset(readable)

    @field_validator("role_grants", "role_revokes")
    @classmethod
    def _known_roles_and_perms(
        cls, value: dict[str, tuple[str, ...]]
    ) -> dict[str, tuple[str, ...]]:
        roles = set(Role.values)
        perms = {p.value for p in Perm}
        for role, granted in value.items():
            if role not in roles:
                raise ValueError(f"unknown role {role!r}; known: {', '.join(sorted(roles))}")
            unknown = [p for p in granted if p not in perms]
            if unknown:
                raise ValueError(
                    f"unknown permission {', '.join(repr(p) for p in unknown)} for role "
                    f"{role!r}; known: {', '.join(sorted(perms))}"
                )
        return value

    def role_perms(self, roles: list[str] | tuple[str, ...]) -> frozenset[Perm]:
        """The permissions of ``roles`` here: the shared table, with this pack's grants and
        revokes applied per role."""
        granted: set[Perm] = set()
        for role in roles:
            perms = set(ROLE_PERMS.get(role, frozenset()))
            perms |= {Perm(p) for p in self.role_grants.get(role, ())}
            perms -= {Perm(p) for p in self.role_revokes.get(role, ())}
            granted |= perms
        return frozenset(granted)


# Rules only an organisation sets (in rule_overrides), never a jurisdiction.
ORGANISATION_ONLY = frozenset(
    {
        "decision_unit_name",
        "decision_unit_address",
        "decision_unit_phone",
        "role_grants",
        "role_revokes",
        "outcome_targets",
        "appointment_offer",
        "outreach_no_show_flag_after",
    }
)


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
    )


@lru_cache(maxsize=8)
def jurisdiction_pack(code: str) -> RulePack:
    path = PACK_DIR / f"{code}.yaml"
    if not path.exists():
        raise RulePackError(f"No rule pack for jurisdiction {code!r} ({path})")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # Self-contained: a jurisdiction pack sets every rule itself, with its source, so that no
    # jurisdiction silently takes a default written with another one in mind.
    missing = sorted(set(RulePack.model_fields) - ORGANISATION_ONLY - set(data or {}))
    if missing:
        raise RulePackError(
            f"{path.name}: rules not set (each needs a value and its source): {', '.join(missing)}"
        )
    try:
        return RulePack.model_validate(data)
    except ValidationError as exc:
        raise RulePackError(f"{path.name}: {_describe(exc)}") from exc


def merged_pack(code: str, overrides: dict[str, Any] | None) -> RulePack:
    """The jurisdiction's pack with an organisation's overrides applied and validated. The
    result is cached per (jurisdiction, overrides): permission checks read it on every request."""
    if not overrides:
        return jurisdiction_pack(code)
    return _merged(code, json.dumps(overrides, sort_keys=True, default=str))


@lru_cache(maxsize=64)
def _merged(code: str, overrides_json: str) -> RulePack:
    overrides: dict[str, Any] = json.loads(overrides_json)
    base = jurisdiction_pack(code)
    forbidden = {"jurisdiction", "identifier"} & set(overrides)
    if forbidden:
        raise RulePackError(f"rule_overrides may not change: {', '.join(sorted(forbidden))}")
    data = {**base.model_dump(), **overrides}
    if isinstance(overrides.get("journal_templates"), dict):
        # An organisation replaces the templates of the contact types it names, not all.
        data["journal_templates"] = {
            **base.model_dump()["journal_templates"],
            **overrides["journal_templates"],
        }
    try:
        return RulePack.model_validate(data)
    except ValidationError as exc:
        raise RulePackError(f"rule_overrides: {_describe(exc)}") from exc
