"""Medication in /api/v1/ (MED-1..9): the same services, rules and error codes as the pages.
One router per topic, composed here."""

from __future__ import annotations

from ninja import Router

from . import corrections, dispensing, records

router = Router()
router.add_router("/", dispensing.router)
router.add_router("/", corrections.router)
router.add_router("/", records.router)
