"""Who is asking, for which organisation, with which rights.

Every staff page is wrapped in :func:`staff_view`; it refuses anonymous visitors, staff without
a second factor, and staff without the permission. The declared rule is attached to the view
(``view.bedring_access``) so the authorisation walk in the tests can check every route.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Literal, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from bedring.core.errors import ValidationFailed
from bedring.core.roles import Perm, Role

from .models import Membership, Organisation, User

Scope = Literal["org", "client", "self"]
ACTIVE_ORG_SESSION_KEY = "bedring_org"


@dataclass(frozen=True)
class AccessRule:
    """``perm`` None: any verified staff member. ``scope`` client: the perm is checked
    against the client's organisation, and outsiders get 404."""

    perm: Perm | None
    scope: Scope


@dataclass
class Staff:
    user: User
    memberships: dict[int, Membership]
    active: Membership | None
    _orgs_with: dict[Perm, list[int]] = field(default_factory=dict)

    @property
    def organisation(self) -> Organisation:
        if self.active is None:
            raise PermissionDenied
        return self.active.organisation

    def org_ids_with(self, perm: Perm) -> list[int]:
        if perm not in self._orgs_with:
            self._orgs_with[perm] = [oid for oid, m in self.memberships.items() if m.has(perm)]
        return self._orgs_with[perm]

    def can(self, perm: Perm, organisation_id: int | None = None) -> bool:
        oid = (
            organisation_id
            if organisation_id is not None
            else (self.active.organisation_id if self.active else None)
        )
        membership = self.memberships.get(oid) if oid is not None else None
        return membership is not None and membership.has(perm)


def may(user: User, perm: Perm, organisation_id: int) -> bool:
    """May this user do ``perm`` in this organisation? An active user with an active
    membership there whose role grants it (``Membership.has``, which reads the organisation's
    pack). The one spelling of the question for services, which get a user, not a Staff."""
    membership = _active_membership(user, organisation_id)
    return membership is not None and membership.has(perm)


def _active_membership(user: User, organisation_id: int) -> Membership | None:
    """The user's active membership of the organisation, or None (also for an inactive
    user)."""
    if not user.is_active:
        return None
    return (
        Membership.objects.filter(user=user, organisation_id=organisation_id, is_active=True)
        .select_related("organisation")
        .first()
    )


def memberships_where(staff: Staff, perm: Perm) -> list[Membership]:
    """The staff member's memberships that grant ``perm``."""
    return [m for m in staff.memberships.values() if m.has(perm)]


def organisations_where(staff: Staff, perm: Perm) -> list[Organisation]:
    """The organisations where the staff member may do ``perm``."""
    return [m.organisation for m in memberships_where(staff, perm)]


def organisation_for_write(staff: Staff, wanted: Any, perm: Perm) -> Organisation:
    """The organisation an API write is for: the one named by its public id (``wanted``), or
    the staff member's only organisation where ``perm`` holds. Another organisation is 404
    (its existence not revealed), one where the role lacks ``perm`` 403, and several
    without a name 422 ``organisation_required``."""
    allowed = organisations_where(staff, perm)
    if wanted is None:
        if len(allowed) == 1:
            return allowed[0]
        if not allowed:
            raise PermissionDenied
        raise ValidationFailed(
            "organisation_required",
            _("You belong to several organisations: name the organisation."),
            field="organisation",
        )
    for organisation in allowed:
        if organisation.uuid == wanted:
            return organisation
    if any(m.organisation.uuid == wanted for m in staff.memberships.values()):
        raise PermissionDenied
    raise Http404


def users_who_may(organisation_id: int, perm: Perm) -> list[User]:
    """The active staff of an organisation who may do ``perm`` there."""
    memberships = Membership.objects.filter(
        organisation_id=organisation_id, is_active=True, user__is_active=True
    ).select_related("user", "organisation")
    return [m.user for m in memberships if m.has(perm)]


def _has_a_case(membership: Membership) -> bool:
    """INT-7, REF-2: a case is held by a counsellor who reads records there. The authority
    decides and the doctor prescribes; neither is the client's responsible counsellor."""
    return Role.COUNSELLOR in membership.roles and membership.has(Perm.CLIENT_READ)


def record_staff(organisation_id: int) -> list[User]:
    """The staff who may have a client's case (active counsellors who read records), by
    name: the choices of "responsible" and "assign to"."""
    memberships = Membership.objects.filter(
        organisation_id=organisation_id, is_active=True, user__is_active=True
    ).select_related("user", "organisation")
    people = [m.user for m in memberships if _has_a_case(m)]
    return sorted(people, key=lambda u: (u.first_name, u.last_name, u.username))


def may_have_case(user: User, organisation_id: int) -> bool:
    """Is this user one of :func:`record_staff`? The services' check, so a form and the API
    refuse the same people."""
    membership = _active_membership(user, organisation_id)
    return membership is not None and _has_a_case(membership)


def load_staff(user: User, active_org_id: int | None) -> Staff:
    memberships = {
        m.organisation_id: m
        for m in Membership.objects.filter(user=user, is_active=True).select_related(
            "organisation", "team"
        )
    }
    active = memberships.get(active_org_id) if active_org_id is not None else None
    if active is None and memberships:
        active = min(memberships.values(), key=lambda m: m.organisation.name)
    return Staff(user=user, memberships=memberships, active=active)


def staff_for_request(request: HttpRequest) -> Staff:
    cached = getattr(request, "staff", None)
    if cached is not None:
        return cast(Staff, cached)
    staff = load_staff(cast(User, request.user), request.session.get(ACTIVE_ORG_SESSION_KEY))
    request.staff = staff  # type: ignore[attr-defined]
    return staff


def staff_view(
    perm: Perm | None = None, *, scope: Scope = "org"
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    rule = AccessRule(perm=perm, scope=scope)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not getattr(user, "is_verified", lambda: False)():
                target = reverse("accounts:verify")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
            staff = staff_for_request(request)
            if staff.active is None:
                raise PermissionDenied
            if perm is not None and scope == "org" and not staff.active.has(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.bedring_access = rule  # type: ignore[attr-defined]
        return wrapper

    return decorate
