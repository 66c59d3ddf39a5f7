"""The main menu of every page: which items a staff member sees, which of them are daily work
(always in the bar) and which are rarely used (under "More"), and which item the current page
belongs to (marked with ``aria-current``).

One table, :data:`MENU`; the page's item is found from ``request.resolver_match`` by
:func:`section_of`, in this order:

1. the route's ``namespace:name`` listed by an item (the worklist is Deadlines, not Clients);
2. a route with a client in its URL (``client_uuid``) belongs to Clients: a client's tabs,
   forms and lists, whichever app serves them;
3. the route's namespace listed by an item (every page of ``outcomes`` is Outcomes).

A route none of these reach (the login pages) marks nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import ResolverMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation
from bedring.core.roles import Perm
from bedring.outreach.models import ExchangePoint, OutreachSettings

HOME = "home"
CLIENTS = "clients"


@dataclass(frozen=True, kw_only=True)
class MenuEntry:
    key: str
    label: Promise
    url_name: str
    # The routes that belong to this item: "namespace:name" or a whole "namespace".
    sections: tuple[str, ...]
    perm: Perm | None = None  # None: every staff member
    secondary: bool = False  # under "More" rather than in the bar
    # A key of FEATURES the active organisation must have (asked only of those with perm).
    feature: str | None = None


# What an organisation runs, for items that only some organisations need: one query each,
# asked only when the item's permission holds.
FEATURES: dict[str, Callable[[Organisation], bool]] = {
    "outreach": lambda o: OutreachSettings.objects.filter(organisation=o).exists(),
    "exchange": lambda o: ExchangePoint.objects.filter(organisation=o, is_active=True).exists(),
}


MENU: tuple[MenuEntry, ...] = (
    # Daily work: in the bar.
    MenuEntry(
        key=CLIENTS,
        label=_("Clients"),
        url_name="clients:list",
        perm=Perm.CLIENT_READ,
        sections=(
            "clients",
            "pathway",
            "journal",
            "health",
            "documents",
            "referrals",
            "medication",
            "web:client_detail",
            "web:client_log",
            "web:client_access_report",
        ),
    ),
    MenuEntry(
        key="deadlines",
        label=_("Deadlines"),
        url_name="pathway:worklist",
        perm=Perm.CLIENT_READ,
        sections=("pathway:worklist",),
    ),
    MenuEntry(
        key="appointments",
        label=_("My appointments"),
        url_name="appointments:day",
        perm=Perm.CLIENT_READ,
        sections=("appointments",),
    ),
    MenuEntry(
        key="desk",
        label=_("Dispensing desk"),
        url_name="medication:desk_index",
        perm=Perm.DISPENSE,
        sections=(
            "medication:desk_index",
            "medication:desk",
            "medication:desk_dispense",
            "medication:desk_take_home",
            "medication:desk_exception",
            "medication:stock",
            "medication:reconciliation",
        ),
    ),
    # HRM-8: street work: record a contact, my contacts today, the codes.
    MenuEntry(
        key="outreach",
        label=_("Outreach"),
        url_name="outreach:index",
        perm=Perm.HARM_REDUCTION,
        # Only where the organisation's pack has an outreach: section (not Sandnes' or
        # Assens' counsellors, who hold the permission but do no street work here).
        feature="outreach",
        sections=("outreach",),
    ),
    MenuEntry(
        key="calendar",
        label=_("My calendar"),
        url_name="catalogue:calendar",
        sections=("catalogue:calendar", "catalogue:attendance"),
    ),
    MenuEntry(
        key="catalogue",
        label=_("Catalogue"),
        url_name="catalogue:offers",
        sections=("catalogue",),
    ),
    MenuEntry(
        key="outcomes",
        label=_("Outcomes"),
        url_name="outcomes:dashboard",
        perm=Perm.OUTCOMES,
        sections=("outcomes",),
    ),
    # Rarely used: under "More".
    MenuEntry(
        key="outbox",
        label=_("Outbox"),
        url_name="messaging:outbox",
        perm=Perm.CLIENT_READ,
        secondary=True,
        sections=("messaging:outbox", "messaging:retry"),
    ),
    MenuEntry(
        key="exchange",
        label=_("Needle exchange"),
        url_name="outreach:exchange",
        perm=Perm.HARM_REDUCTION,
        feature="exchange",
        secondary=True,
        sections=(
            "outreach:exchange",
            "outreach:exchange_point",
            "outreach:exchange_new",
            "outreach:exchange_stock",
            "outreach:exchange_figures",
            "outreach:exchange_figures_csv",
        ),
    ),
    MenuEntry(
        key="tallies",
        label=_("Tallies"),
        url_name="catalogue:tallies",
        secondary=True,
        sections=("catalogue:tallies",),
    ),
    MenuEntry(
        key="organisation",
        label=_("Organisation"),
        url_name="accounts:organisation",
        secondary=True,
        sections=("accounts:organisation", "accounts:site_hours", "accounts:closed_day_add"),
    ),
    MenuEntry(
        key="tokens",
        label=_("API tokens"),
        url_name="accounts:tokens",
        secondary=True,
        sections=("accounts:tokens", "accounts:token_revoke"),
    ),
    MenuEntry(
        key="tdi",
        label=_("TDI export"),
        url_name="registers:tdi",
        perm=Perm.REGISTER_EXPORT,
        secondary=True,
        sections=("registers",),
    ),
    MenuEntry(
        key="outreach_evaluation",
        label=_("Outreach evaluation"),
        url_name="outreach:evaluation",
        perm=Perm.OUTCOMES,
        feature="outreach",
        secondary=True,
        sections=("outreach:evaluation", "outreach:evaluation_fidelity"),
    ),
)

_BY_ROUTE = {s: e.key for e in MENU for s in e.sections if ":" in s}
_BY_NAMESPACE = {s: e.key for e in MENU for s in e.sections if ":" not in s}


def section_of(namespace: str, url_name: str | None, kwargs: Mapping[str, Any]) -> str | None:
    """The key of the menu item a route belongs to (``HOME`` for the home page), or None."""
    route = f"{namespace}:{url_name}"
    if route == "web:dashboard":
        return HOME
    if route in _BY_ROUTE:
        return _BY_ROUTE[route]
    if "client_uuid" in kwargs:
        return CLIENTS
    return _BY_NAMESPACE.get(namespace)


@dataclass(frozen=True)
class ShownItem:
    key: str
    label: str
    url: str
    # "page" on the item's own page, "true" on another page of its section, "" elsewhere:
    # the value of aria-current (a client's tab is in Clients, not the client list itself).
    current: str


@dataclass(frozen=True)
class Menu:
    primary: list[ShownItem]
    secondary: list[ShownItem]
    home_current: str  # aria-current of the home link (the brand)

    @property
    def secondary_current(self) -> bool:
        """The current page is under "More": the disclosure shows it while closed."""
        return any(item.current for item in self.secondary)


def _current(section: str | None, key: str, url: str, path: str) -> str:
    if section != key:
        return ""
    return "page" if path == url else "true"


def menu_for(
    match: ResolverMatch | None,
    path: str,
    may: Mapping[str, bool],
    has: Callable[[str], bool] | None = None,
) -> Menu:
    """The menu for a page at ``path`` resolved as ``match``, for someone whose permissions
    are ``may`` (``{"client_read": True, ...}``: the ``can`` of every template) in an
    organisation that ``has`` the features it is asked for (none when not given)."""
    section = None if match is None else section_of(match.namespace, match.url_name, match.kwargs)
    primary: list[ShownItem] = []
    secondary: list[ShownItem] = []
    for entry in MENU:
        if entry.perm is not None and not may.get(entry.perm.value):
            continue
        if entry.feature is not None and (has is None or not has(entry.feature)):
            continue
        url = reverse(entry.url_name)
        item = ShownItem(entry.key, str(entry.label), url, _current(section, entry.key, url, path))
        (secondary if entry.secondary else primary).append(item)
    home = reverse("web:dashboard")
    return Menu(primary, secondary, _current(section, HOME, home, path))
