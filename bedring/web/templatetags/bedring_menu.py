"""``{% main_menu as menu %}``: the menu of the page being rendered (bedring.web.menu)."""

from __future__ import annotations

from typing import Any

from django import template

from bedring.web.menu import FEATURES, Menu, menu_for

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu(context: template.Context) -> Menu | None:
    request = context.get("request")
    if request is None:
        return None
    can: dict[str, Any] = context.get("can") or {}
    staff = getattr(request, "staff", None)
    organisation = staff.active.organisation if staff is not None and staff.active else None
    known: dict[str, bool] = {}

    def has(feature: str) -> bool:
        """Asked once per page and feature, only for an item whose permission holds."""
        if organisation is None:
            return False
        if feature not in known:
            known[feature] = FEATURES[feature](organisation)
        return known[feature]

    return menu_for(getattr(request, "resolver_match", None), request.path, can, has)
