"""The pathway in /api/v1/: one router per step, composed here."""

from ninja import Router

from . import assessment, decision, discharge, episode, plan

router = Router()
router.add_router("", episode.router)
router.add_router("", assessment.router)
router.add_router("", decision.router)
router.add_router("", plan.router)
router.add_router("", discharge.router)
