"""Clients, relatives, consents and children in /api/v1/: the same services and rules as the
HTML pages, the same error codes."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import AfterValidator, field_validator

from bedring.accounts.access import Staff, organisation_for_write
from bedring.audit.services import access_search_results
from bedring.core.paging import api_page
from bedring.core.roles import Perm

from . import selectors, services
from .access import client_for
from .models import ChildAtHome, Client, Consent, Relative

router = Router(tags=["clients"])

SexIn = Literal["female", "male", "other", "unknown"]
LanguageIn = Literal["", "en", "da", "nb", "nl"]
PartyIn = Literal[
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
GiverIn = Literal["client", "parent", "guardian"]
RelationIn = Literal[
    "parent", "partner", "child", "sibling", "family", "friend", "guardian", "professional", "other"
]


def _email_or_empty(value: str) -> str:
    """The same check as the HTML forms: an e-mail address, or nothing."""
    if value:
        try:
            validate_email(value)
        except DjangoValidationError as exc:
            raise ValueError("not a valid e-mail address") from exc
    return value


EmailOrEmpty = Annotated[str, Field(max_length=254), AfterValidator(_email_or_empty)]


# The services normalise it (clients.identifiers.normalise_identifier), as for the HTML form.
NATIONAL_ID_HELP = (
    "As typed: spaces, hyphens and dots are ignored and full-width digits read as 0-9 (NFKC); "
    "stored as ASCII digits. Digits of another script are 422 id_digit_script, other "
    "characters 422 id_format, more than 40 characters 422 id_length."
)


def _staff(request: HttpRequest) -> Staff:
    return request.auth  # type: ignore[attr-defined]


class ClientIn(Schema):
    organisation: UUID | None = Field(
        None, description="Required when the staff member belongs to several organisations."
    )
    national_id: str = Field("", description=NATIONAL_ID_HELP)
    anonymous: bool = False
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    birth_date: datetime.date | None = None
    sex: SexIn = "unknown"
    phone: str = Field("", max_length=40)
    email: EmailOrEmpty = ""
    address: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=12)
    city: str = Field("", max_length=100)
    language: LanguageIn = ""


class ClientPatch(Schema):
    national_id: str | None = Field(None, description=NATIONAL_ID_HELP)
    anonymous: bool | None = None
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    birth_date: datetime.date | None = None
    sex: SexIn | None = None
    phone: str | None = Field(None, max_length=40)
    email: EmailOrEmpty | None = None
    address: str | None = Field(None, max_length=200)
    postal_code: str | None = Field(None, max_length=12)
    city: str | None = Field(None, max_length=100)
    language: LanguageIn | None = None

    @field_validator(
        "anonymous",
        "first_name",
        "last_name",
        "sex",
        "phone",
        "email",
        "address",
        "postal_code",
        "city",
        "language",
    )
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Leave a field out to keep it; only birth_date and national_id can be cleared.
        if value is None:
            raise ValueError("leave the field out instead of sending null")
        return value


class ClientOut(Schema):
    id: UUID
    organisation: UUID
    code: str
    identifier_kind: str
    national_id: str
    anonymous: bool
    display_name: str
    first_name: str
    last_name: str
    birth_date: datetime.date | None
    sex: str
    phone: str
    email: str
    address: str
    postal_code: str
    city: str
    language: str
    archived: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ClientPage(Schema):
    count: int
    results: list[ClientOut]


def client_out(client: Client) -> ClientOut:
    return ClientOut(
        id=client.uuid,
        organisation=client.organisation.uuid,
        code=client.code,
        identifier_kind=client.identifier_kind,
        national_id=client.national_id,
        anonymous=client.anonymous,
        display_name=client.display_name,
        first_name=client.first_name,
        last_name=client.last_name,
        birth_date=client.birth_date,
        sex=client.sex,
        phone=client.phone,
        email=client.email,
        address=client.address,
        postal_code=client.postal_code,
        city=client.city,
        language=client.language,
        archived=client.archived_at is not None,
        created_at=client.created_at,
        updated_at=client.updated_at,
    )


@router.get("", response=ClientPage)
def client_list(
    request: HttpRequest,
    q: str = "",
    organisation: UUID | None = None,
    offset: int = 0,
    limit: int = 50,
) -> ClientPage:
    """Search clients by name, national identifier or client code."""
    staff = _staff(request)
    org_ids = staff.org_ids_with(Perm.CLIENT_READ)
    if organisation is not None:
        org_ids = [
            m.organisation_id
            for m in staff.memberships.values()
            if m.organisation.uuid == organisation and m.organisation_id in org_ids
        ]
    if not org_ids:
        raise PermissionDenied
    count, found = api_page(
        selectors.client_search(organisation_ids=org_ids, query=q), offset, limit
    )
    access_search_results(
        actor=staff.user, clients=found, view="api_client_search", channel="api", request=request
    )
    return ClientPage(count=count, results=[client_out(c) for c in found])


@router.post("", response={201: ClientOut})
def client_create(request: HttpRequest, payload: ClientIn) -> Status[ClientOut]:
    """PRV-1: register a client; a second registration of the same identifier is 409."""
    staff = _staff(request)
    organisation = organisation_for_write(staff, payload.organisation, Perm.CLIENT_WRITE)
    data = payload.model_dump(exclude={"organisation"})
    client = services.client_register(organisation=organisation, **data)
    return Status(201, client_out(client))


@router.get("/{client_id}", response=ClientOut)
def client_detail(request: HttpRequest, client_id: UUID) -> ClientOut:
    client = client_for(
        request, _staff(request), client_id, view="api_client_detail", channel="api"
    )
    return client_out(client)


@router.patch("/{client_id}", response=ClientOut)
def client_update(request: HttpRequest, client_id: UUID, payload: ClientPatch) -> ClientOut:
    client = client_for(
        request,
        _staff(request),
        client_id,
        view="api_client_update",
        perm=Perm.CLIENT_WRITE,
        channel="api",
    )
    changes = payload.model_dump(exclude_unset=True)
    client = services.client_update(client=client, changes=changes)
    return client_out(client)


class RelativeIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    relation: RelationIn
    phone: str = Field("", max_length=40)
    email: EmailOrEmpty = ""
    is_contact_person: bool = False
    involvement_wished: bool = False
    notes: str = ""


class RelativeOut(RelativeIn):
    id: UUID


def _relative_out(r: Relative) -> RelativeOut:
    return RelativeOut(
        id=r.uuid,
        name=r.name,
        relation=r.relation,  # type: ignore[arg-type]  # a RelationKind value
        phone=r.phone,
        email=r.email,
        is_contact_person=r.is_contact_person,
        involvement_wished=r.involvement_wished,
        notes=r.notes,
    )


@router.get("/{client_id}/relatives", response=list[RelativeOut])
def relative_list(request: HttpRequest, client_id: UUID) -> list[RelativeOut]:
    client = client_for(request, _staff(request), client_id, view="api_relatives", channel="api")
    return [
        _relative_out(r) for r in Relative.objects.filter(client=client, archived_at__isnull=True)
    ]


@router.post("/{client_id}/relatives", response={201: RelativeOut})
def relative_create(
    request: HttpRequest, client_id: UUID, payload: RelativeIn
) -> Status[RelativeOut]:
    client = client_for(
        request,
        _staff(request),
        client_id,
        view="api_relative_create",
        perm=Perm.CLIENT_WRITE,
        channel="api",
    )
    return Status(201, _relative_out(services.relative_save(client=client, **payload.model_dump())))


@router.put("/{client_id}/relatives/{relative_id}", response=RelativeOut)
def relative_update(
    request: HttpRequest, client_id: UUID, relative_id: UUID, payload: RelativeIn
) -> RelativeOut:
    client = client_for(
        request,
        _staff(request),
        client_id,
        view="api_relative_update",
        perm=Perm.CLIENT_WRITE,
        channel="api",
    )
    relative = Relative.objects.filter(client=client, uuid=relative_id).first()
    if relative is None:
        raise Http404
    return _relative_out(
        services.relative_save(client=client, relative=relative, **payload.model_dump())
    )


class ConsentIn(Schema):
    party: PartyIn
    party_name: str = Field("", max_length=200)
    scope: str = Field(..., min_length=1)
    valid_from: datetime.date
    valid_until: datetime.date | None = None
    given_by: GiverIn
    given_by_name: str = Field("", max_length=200)


class ConsentOut(ConsentIn):
    id: UUID
    withdrawn_at: datetime.datetime | None
    withdrawn_reason: str


class WithdrawIn(Schema):
    reason: str = Field("", max_length=300)


def _consent_out(c: Consent) -> ConsentOut:
    return ConsentOut(
        id=c.uuid,
        party=c.party,  # type: ignore[arg-type]  # a ConsentParty value
        party_name=c.party_name,
        scope=c.scope,
        valid_from=c.valid_from,
        valid_until=c.valid_until,
        given_by=c.given_by,  # type: ignore[arg-type]  # a ConsentGiver value
        given_by_name=c.given_by_name,
        withdrawn_at=c.withdrawn_at,
        withdrawn_reason=c.withdrawn_reason,
    )


@router.get("/{client_id}/consents", response=list[ConsentOut])
def consent_list(request: HttpRequest, client_id: UUID) -> list[ConsentOut]:
    client = client_for(request, _staff(request), client_id, view="api_consents", channel="api")
    return [_consent_out(c) for c in Consent.objects.filter(client=client)]


@router.post("/{client_id}/consents", response={201: ConsentOut})
def consent_create(request: HttpRequest, client_id: UUID, payload: ConsentIn) -> Status[ConsentOut]:
    """PRV-2: consent before working with others; a parent consents for a young child."""
    client = client_for(
        request,
        _staff(request),
        client_id,
        view="api_consent_create",
        perm=Perm.CLIENT_WRITE,
        channel="api",
    )
    return Status(201, _consent_out(services.consent_add(client=client, **payload.model_dump())))


@router.post("/{client_id}/consents/{consent_id}/withdraw", response=ConsentOut)
def consent_withdraw(
    request: HttpRequest, client_id: UUID, consent_id: UUID, payload: WithdrawIn
) -> ConsentOut:
    client = client_for(
        request,
        _staff(request),
        client_id,
        view="api_consent_withdraw",
        perm=Perm.CLIENT_WRITE,
        channel="api",
    )
    consent = Consent.objects.filter(client=client, uuid=consent_id).first()
    if consent is None:
        raise Http404
    return _consent_out(services.consent_withdraw(consent=consent, reason=payload.reason))


class ChildIn(Schema):
    first_name: str = Field(..., min_length=1, max_length=100)
    birth_date: datetime.date
    lives_with_client: bool = True
    concern: bool = False
    notes: str = ""


class ChildOut(ChildIn):
    id: UUID


def _child_out(c: ChildAtHome) -> ChildOut:
    return ChildOut(
        id=c.uuid,
        first_name=c.first_name,
        birth_date=c.birth_date,
        lives_with_client=c.lives_with_client,
        concern=c.concern,
        notes=c.notes,
    )


@router.get("/{client_id}/children", response=list[ChildOut])
def child_list(request: HttpRequest, client_id: UUID) -> list[ChildOut]:
    client = client_for(request, _staff(request), client_id, view="api_children", channel="api")
    return [
        _child_out(c) for c in ChildAtHome.objects.filter(client=client, archived_at__isnull=True)
    ]


@router.post("/{client_id}/children", response={201: ChildOut})
def child_create(request: HttpRequest, client_id: UUID, payload: ChildIn) -> Status[ChildOut]:
    """DEC-7: children under 18 at home."""
    client = client_for(
        request,
        _staff(request),
        client_id,
        view="api_child_create",
        perm=Perm.CLIENT_WRITE,
        channel="api",
    )
    return Status(201, _child_out(services.child_add(client=client, **payload.model_dump())))
