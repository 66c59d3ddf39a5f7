"""Medication in /api/v1/ (MED-1..9): the same services, rules and error codes as the pages."""

from __future__ import annotations

from ninja import Router

from .api_dispensing import router as dispensing_router
from .api_records import router as records_router

router = Router()
router.add_router("/", dispensing_router)
router.add_router("/", records_router)
