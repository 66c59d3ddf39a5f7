"""Steps through the header that every browser test may need: below 600 px the menu is
folded behind its Menu button, and the rarely used items and settings are under "More"."""

from __future__ import annotations


def open_menu(page) -> None:
    """Unfold the menu when it is folded (a phone's width, with the script running)."""
    page.wait_for_load_state("load")  # the script folds the menu once it has run
    toggle = page.locator("[data-menu-toggle]")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()
        page.wait_for_selector("[data-menu-toggle][aria-expanded=true]")


def open_more(page) -> None:
    """Open "More" (the rare items, the organisation switch and the language)."""
    open_menu(page)
    more = page.locator("details[data-menu-more]")
    if more.get_attribute("open") is None:
        page.click("details[data-menu-more] > summary")
    page.wait_for_selector("details[data-menu-more][open]")


def log_out(page) -> None:
    open_menu(page)
    page.click(".who button.link")
    page.wait_for_selector("#id_username")
