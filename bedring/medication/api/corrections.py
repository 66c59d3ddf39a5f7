"""The correction of a dose recorded by mistake in /api/v1/ (MED-2): the same service, rules
and error codes as the desk's page."""

from __future__ import annotations

import datetime
from decimal import Decimal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from bedring.accounts.access import Staff
from bedring.core.roles import Perm

from ..access import dispensing_for
from ..models import DispensingCorrection
from ..services import corrections

router = Router(tags=["medication"])


class CorrectionIn(Schema):
    reason: str = Field(max_length=500, description="Why the dose is corrected; required.")


class CorrectionOut(Schema):
    id: UUID
    dispensing: UUID
    prescription: UUID
    client: UUID
    day: datetime.date
    quantity: Decimal
    reason: str
    corrected_at: datetime.datetime
    corrected_by: str


def _correction_out(correction: DispensingCorrection) -> CorrectionOut:
    dose = correction.dispensing
    return CorrectionOut(
        id=correction.uuid,
        dispensing=dose.uuid,
        prescription=dose.prescription.uuid,
        client=dose.client.uuid,
        day=dose.day,
        quantity=dose.quantity,
        reason=correction.reason,
        corrected_at=correction.corrected_at,
        corrected_by=correction.corrected_by.username,
    )


@router.post("/dispensings/{dispensing_id}/correction", response={201: CorrectionOut})
def correction_create(
    request: HttpRequest, dispensing_id: UUID, payload: CorrectionIn
) -> Status[CorrectionOut]:
    """MED-2: correct a dose recorded by mistake: by the nurse who recorded it, on the day it
    was recorded, with a ``reason``. The dose stays on record marked ``corrected``, its
    quantity goes back into stock, and it no longer counts as given. Refusals:
    ``reason_required`` (422), ``already_corrected``, ``correction_by_another_nurse``,
    ``correction_too_late``, ``exceptions_first`` (409); a dose of another organisation is
    404."""
    staff: Staff = request.auth  # type: ignore[attr-defined]
    dose = dispensing_for(
        request,
        staff,
        dispensing_id,
        view="api_dispensing_correction",
        perm=Perm.DISPENSE,
        channel="api",
    )
    correction = corrections.dispensing_correct(
        dispensing=dose, actor=staff.user, reason=payload.reason
    )
    return Status(201, _correction_out(correction))
