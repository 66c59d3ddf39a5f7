"""``{% main_menu as menu %}``: the menu of the page being rendered (bedring.web.menu)."""

from __future__ import annotations

from typing import Any

from django import template

from bedring.web.menu import Menu, menu_for

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu(context: template.Context) -> Menu | None:
    request = context.get("request")
    if request is None:
        return None
    can: dict[str, Any] = context.get("can") or {}
    return menu_for(getattr(request, "resolver_match", None), request.path, can)
