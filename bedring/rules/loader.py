"""Service data packs: an organisation, its sites with their hours and rooms as a YAML file.

Every service described in the seeds runs from such a pack (``service_packs/*.yaml``), loaded
by ``manage.py load_pack NAME``; nothing about a particular service is in the code. A pack is
validated before anything is written, and an error names the file and the field.

A pack lists its question sets (``question_sets: [assessment-dk]``), each a file of
``question_sets/`` (ASM-2, ASM-4), validated by
:class:`bedring.pathway.questionnaires.QuestionSetIn` and stored per organisation as a new
version only when it changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bedring.accounts import services as account_services
from bedring.accounts.models import Organisation, Site
from bedring.appointments import services as appointment_services
from bedring.catalogue.services import offers as catalogue_services
from bedring.catalogue.terms import OfferTerms
from bedring.medication.medicines import medicines_load
from bedring.messaging import services as messaging_services
from bedring.messaging.rules import ReminderRulesIn
from bedring.outreach.packs import OutreachIn
from bedring.outreach.services import setup as outreach_setup
from bedring.pathway.questionnaires import QuestionSetIn, label_for
from bedring.pathway.services import assessment as assessment_services
from bedring.referrals import services as referral_services

from .packs import PartnerIn, RulePackError, WeekIn, check_time_zone, merged_pack

PACK_DIR = Path(__file__).resolve().parent / "service_packs"
QUESTION_SET_DIR = Path(__file__).resolve().parent / "question_sets"


class PackError(ValueError):
    pass


class HoursIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    opening: WeekIn = Field(default_factory=WeekIn)
    phone: WeekIn = Field(default_factory=WeekIn)
    medication: WeekIn = Field(default_factory=WeekIn)


class RoomIn(BaseModel):
    """APT-1: a room of the site where individual appointments take place."""

    model_config = ConfigDict(extra="forbid")
    slug: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1, max_length=120)


class SiteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    kind: Literal["main", "antenna", "outreach", "shelter"]
    address: str = ""
    phone: str = ""
    open_on_public_holidays: bool = False
    hours: HoursIn = Field(default_factory=HoursIn)
    rooms: list[RoomIn] = Field(default_factory=list)

    @field_validator("rooms")
    @classmethod
    def _unique_rooms(cls, rooms: list[RoomIn]) -> list[RoomIn]:
        slugs = [room.slug for room in rooms]
        repeated = sorted({slug for slug in slugs if slugs.count(slug) > 1})
        if repeated:
            raise ValueError(f"room slugs must be unique; repeated: {', '.join(repeated)}")
        return rooms


class OrganisationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    slug: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    jurisdiction: Literal["DK", "NO", "BE"]
    language: Literal["da", "nb", "nl", "en"]
    time_zone: str | None = None
    address: str = ""
    phone: str = ""
    email: str = ""
    rule_overrides: dict[str, object] = Field(default_factory=dict)

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str | None) -> str | None:
        return None if value is None else check_time_zone(value)


class ServicePack(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organisation: OrganisationIn
    sites: list[SiteIn] = Field(min_length=1)
    question_sets: list[str] = Field(default_factory=list)
    # CAT-1: the organisation's catalogue of offers (bedring.catalogue.terms.OfferTerms).
    catalogue: list[OfferTerms] = Field(default_factory=list)
    # APT-3: when appointment reminders go and the names they are signed with
    # (bedring.messaging.rules.ReminderRulesIn). Without it the organisation sends none.
    reminders: ReminderRulesIn | None = None
    # REF-1: the partner services the organisation refers to (bedring.rules.packs.PartnerIn).
    partners: list[PartnerIn] = Field(default_factory=list)
    # HRM-1..5, HRM-8..10: street contacts, the needle-exchange network and the outreach
    # model's evaluation (bedring.outreach.packs.OutreachIn). Without it: no outreach.
    outreach: OutreachIn | None = None

    @field_validator("partners")
    @classmethod
    def _unique_partner_keys(cls, partners: list[PartnerIn]) -> list[PartnerIn]:
        keys = [p.key for p in partners]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"partner keys used twice: {', '.join(repeated)}")
        return partners

    @field_validator("catalogue")
    @classmethod
    def _catalogue_consistent(cls, offers: list[OfferTerms]) -> list[OfferTerms]:
        keys = [o.key for o in offers]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"offer keys used twice: {', '.join(repeated)}")
        for offer in offers:
            unknown = [p for p in offer.prerequisites if p not in keys]
            if unknown:
                raise ValueError(f"offer {offer.key!r} needs unknown offers: {', '.join(unknown)}")
        return offers

    @field_validator("question_sets")
    @classmethod
    def _known_question_sets(cls, names: list[str]) -> list[str]:
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"question sets listed twice: {', '.join(repeated)}")
        missing = [name for name in names if not (QUESTION_SET_DIR / f"{name}.yaml").exists()]
        if missing:
            raise ValueError(
                f"no question set file {', '.join(missing)}; known: "
                f"{', '.join(available_question_sets())}"
            )
        return names

    @field_validator("sites")
    @classmethod
    def _unique_slugs(cls, sites: list[SiteIn]) -> list[SiteIn]:
        # Sites are matched by slug when loading: a repeated slug would overwrite a site.
        slugs = [site.slug for site in sites]
        repeated = sorted({slug for slug in slugs if slugs.count(slug) > 1})
        if repeated:
            raise ValueError(f"site slugs must be unique; repeated: {', '.join(repeated)}")
        return sites


def available_packs() -> list[str]:
    return sorted(p.stem for p in PACK_DIR.glob("*.yaml"))


def available_question_sets() -> list[str]:
    return sorted(p.stem for p in QUESTION_SET_DIR.glob("*.yaml"))


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '(file)'}: {err['msg']}" for err in exc.errors()
    )


def read_question_set(path: Path) -> QuestionSetIn:
    """A question set file, validated; an error names the file and the field
    (``questions.3.choices``)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PackError(f"{path.name}: not valid YAML: {exc}") from exc
    try:
        question_set = QuestionSetIn.model_validate(data)
    except ValidationError as exc:
        raise PackError(f"{path.name}: {_problems(exc)}") from exc
    if question_set.key != path.stem:
        raise PackError(f"{path.name}: key: {question_set.key!r} is not the file's name")
    return question_set


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The line (1-based) in the YAML source of the field at ``loc``, or of its nearest parent
    that exists (a missing field is reported on the mapping that lacks it)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == str(part)), None)
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            child = node.value[part]
        else:
            child = None
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def _located_problems(exc: ValidationError, root: yaml.Node | None) -> str:
    parts = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if isinstance(p, int | str))
        where = ".".join(str(p) for p in loc) or "(file)"
        line = _line_of(root, loc)
        parts.append(f"line {line}: {where}: {err['msg']}" if line else f"{where}: {err['msg']}")
    return "; ".join(parts)


def read_pack(path: Path) -> ServicePack:
    """A service pack, validated; an error names the file, the line and the field."""
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise PackError(f"{path.name}: not valid YAML: {exc}") from exc
    try:
        pack = ServicePack.model_validate(data)
    except ValidationError as exc:
        raise PackError(f"{path.name}: {_located_problems(exc, root)}") from exc
    try:
        rules = merged_pack(pack.organisation.jurisdiction, dict(pack.organisation.rule_overrides))
    except RulePackError as exc:
        raise PackError(f"{path.name}: {exc}") from exc
    assessing = [p.key for p in pack.partners if p.rights_assessment]
    if assessing and not rules.rights_assessment_working_days:
        raise PackError(
            f"{path.name}: partners {', '.join(assessing)}: rights_assessment needs the "
            f"jurisdiction's rights_assessment_working_days ({pack.organisation.jurisdiction} "
            "has none)"
        )
    if pack.outreach is not None:
        slugs = {site.slug for site in pack.sites}
        named = [p.site for p in pack.outreach.places] + [
            p.site for p in pack.outreach.exchange_points
        ]
        unknown = sorted({s for s in named if s is not None and s not in slugs})
        if unknown:
            raise PackError(f"{path.name}: outreach: no site {', '.join(unknown)} in the pack")
    return pack


def pack_path(name: str) -> Path:
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return path
    path = PACK_DIR / f"{name}.yaml"
    if not path.exists():
        raise PackError(f"No pack named {name!r}; known packs: {', '.join(available_packs())}")
    return path


@transaction.atomic
def load_pack(name: str) -> Organisation:
    """Create or update the organisation of a pack, its sites and their hours, and its question
    sets. Idempotent: loading an unchanged pack writes nothing."""
    path = pack_path(name)
    pack = read_pack(path)
    # Every question set is read and checked before anything is written.
    try:
        question_sets = [
            read_question_set(QUESTION_SET_DIR / f"{n}.yaml") for n in pack.question_sets
        ]
    except PackError as exc:
        raise PackError(f"{path.name}: question_sets: {exc}") from exc
    org_in = pack.organisation
    rules = merged_pack(org_in.jurisdiction, dict(org_in.rule_overrides))
    organisation, _created = Organisation.objects.update_or_create(
        slug=org_in.slug,
        defaults={
            "name": org_in.name,
            "jurisdiction": org_in.jurisdiction,
            "language": org_in.language,
            "time_zone": org_in.time_zone or rules.time_zone,
            "address": org_in.address,
            "phone": org_in.phone,
            "email": org_in.email,
            "rule_overrides": dict(org_in.rule_overrides),
        },
    )
    for site_in in pack.sites:
        site, _created = Site.objects.update_or_create(
            organisation=organisation,
            slug=site_in.slug,
            defaults={
                "name": site_in.name,
                "kind": site_in.kind,
                "address": site_in.address,
                "phone": site_in.phone,
                "open_on_public_holidays": site_in.open_on_public_holidays,
                "is_active": True,
            },
        )
        for kind in ("opening", "phone", "medication"):
            week: WeekIn = getattr(site_in.hours, kind)
            account_services.site_set_hours(site=site, kind=kind, week=week.intervals())
        appointment_services.rooms_load(
            site=site, rooms=[(room.slug, room.name) for room in site_in.rooms]
        )
    # A site taken out of the pack is closed, not deleted: its history stays attached to it.
    organisation.sites.exclude(slug__in=[s.slug for s in pack.sites]).update(is_active=False)
    for question_set in question_sets:
        assessment_services.question_set_load(
            organisation=organisation,
            key=question_set.key,
            title=label_for(question_set.title, organisation.language),
            questions=question_set.stored_questions(),
        )
    assessment_services.question_sets_retire(
        organisation=organisation, keep=[q.key for q in question_sets]
    )
    for terms in pack.catalogue:
        catalogue_services.offer_save(organisation=organisation, terms=terms)
    catalogue_services.offers_retire(
        organisation=organisation, keep=[o.key for o in pack.catalogue]
    )
    messaging_services.reminder_settings_load(organisation=organisation, rules=pack.reminders)
    # REF-1: the partner registry; a partner taken out of the pack is retired.
    for partner in pack.partners:
        referral_services.partner_save(organisation=organisation, spec=partner)
    referral_services.partners_retire(
        organisation=organisation, keep=[p.key for p in pack.partners]
    )
    outreach_setup.outreach_load(organisation=organisation, spec=pack.outreach)
    # MED-1: the medicines every organisation prescribes from (one shipped list).
    medicines_load()
    return organisation
