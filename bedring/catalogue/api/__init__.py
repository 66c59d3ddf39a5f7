"""The catalogue in /api/v1/: one router per topic, composed here."""

from __future__ import annotations

from ninja import Router

from . import attendance, courses, goals

router = Router()
router.add_router("/", attendance.router)
router.add_router("/", courses.router)
router.add_router("/", goals.router)
