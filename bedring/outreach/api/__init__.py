"""Outreach in /api/v1/outreach/: one router per topic, composed here."""

from __future__ import annotations

from ninja import Router

from . import contacts, evaluation, exchange, people

router = Router()
router.add_router("/", contacts.router)
router.add_router("/", people.router)
router.add_router("/", exchange.router)
router.add_router("/", evaluation.router)
