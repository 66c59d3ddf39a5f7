"""What the catalogue's services share: the organisation's jurisdiction, membership and the
course lock."""

from __future__ import annotations

from typing import cast

from bedring.accounts.models import Organisation, User
from bedring.core.calendar import Jurisdiction

from ..models import (
    Course,
)


def _jurisdiction(organisation: Organisation) -> Jurisdiction:
    return cast(Jurisdiction, organisation.jurisdiction)


def _is_member(user: User, organisation_id: int) -> bool:
    return user.memberships.filter(organisation_id=organisation_id, is_active=True).exists()


def _lock_course(course: Course) -> Course:
    """Lock the course row: enrolments in one course queue up here, so the count of places
    taken is read by one of them at a time (the last place goes to exactly one)."""
    return (
        Course.objects.select_for_update(of=("self",))
        .select_related("offer", "organisation")
        .get(pk=course.pk)
    )
