"""The main menu (bedring.web.menu): the daily items in the bar, the rarely used ones under
"More", and the current page marked with aria-current, from the route the page resolved to."""

from __future__ import annotations

import re

import pytest
from django.urls import resolve, reverse

from bedring.core.roles import ROLE_PERMS, Role
from bedring.web.menu import MENU, menu_for, section_of

ALL = {entry.perm.value: True for entry in MENU if entry.perm is not None}


def current_of(path: str) -> dict[str, str]:
    menu = menu_for(resolve(path), path, ALL, lambda _feature: True)
    marked = {i.key: i.current for i in [*menu.primary, *menu.secondary] if i.current}
    if menu.home_current:
        marked["home"] = menu.home_current
    return marked


def test_every_menu_item_is_marked_on_its_own_page():
    for entry in MENU:
        path = reverse(entry.url_name)
        assert current_of(path) == {entry.key: "page"}, entry.key


def test_a_page_inside_a_section_marks_its_item_as_the_current_location(
    org_dk, make_client, manager
):
    """A client's tabs are in Clients, wherever they are served (aria-current="true": the
    client list is not the page itself); the worklist is Deadlines, not Clients."""
    client = make_client(org_dk)
    for name in (
        "web:client_detail",
        "journal:client",
        "medication:client",
        "health:client",
        "appointments:client",
        "documents:client",
        "referrals:client",
        "pathway:client_episodes",
        "catalogue:client_enrol",
        "messaging:client",
    ):
        path = reverse(name, args=[client.uuid])
        assert current_of(path) == {"clients": "true"}, name
    assert current_of(reverse("clients:create")) == {"clients": "true"}
    assert current_of(reverse("appointments:week")) == {"appointments": "true"}
    assert current_of(reverse("outcomes:episodes")) == {"outcomes": "true"}
    assert current_of(reverse("pathway:worklist")) == {"deadlines": "page"}
    assert current_of(reverse("web:dashboard")) == {"home": "page"}
    assert section_of("accounts", "login", {}) is None


def test_the_bar_holds_the_daily_items_and_more_the_rare_ones():
    """Issue 13: 12 menu stops before the first field. The rarely used items sit under
    "More"; the bar keeps at most seven for every role (issue 14's street work is daily
    work: in the bar of the roles that do it)."""
    menu = menu_for(resolve("/"), "/", ALL, lambda _feature: True)
    assert [i.key for i in menu.secondary] == [
        "outbox",
        "exchange",
        "tallies",
        "organisation",
        "tokens",
        "tdi",
        "outreach_evaluation",
    ]
    for role in Role.values:
        may = {perm.value: True for perm in ROLE_PERMS[role]}
        assert len(menu_for(resolve("/"), "/", may, lambda _feature: True).primary) <= 7, role


def test_items_follow_the_permissions():
    menu = menu_for(resolve("/"), "/", {"client_read": True})
    keys = {i.key for i in [*menu.primary, *menu.secondary]}
    assert "clients" in keys and "outcomes" not in keys and "desk" not in keys
    assert "tdi" not in keys


def nav_of(html: str) -> str:
    return html.split('<nav class="mainnav"')[1].split("</nav>")[0]


def test_the_page_marks_the_current_item_and_keeps_the_skip_link_first(as_user, org_dk, make_staff):
    nurse = make_staff(org_dk, Role.NURSE)
    html = as_user(nurse).get(reverse("pathway:worklist")).content.decode()
    body = html.split("<body", 1)[1]
    # The skip link is the first thing on the page; the menu follows it.
    assert re.search(r'^[^<]*>\s*<a class="skip" href="#main">', body)
    nav = nav_of(html)
    assert f'<a href="{reverse("pathway:worklist")}" aria-current="page"' in nav
    assert nav.count("aria-current") == 1
    assert f'href="{reverse("medication:desk_index")}"' in nav  # a nurse's desk
    # The rare items are inside the "More" disclosure.
    more = nav.split("<details", 1)[1]
    assert f'href="{reverse("accounts:tokens")}"' in more
    assert f'href="{reverse("accounts:tokens")}"' not in nav.split("<details", 1)[0]
    # The menu button is there for the script to use (hidden by the CSS until it does).
    assert 'aria-controls="site-menu"' in html and 'aria-expanded="false"' in html
    assert 'id="site-menu"' in html


def test_a_page_under_more_marks_more(as_user, org_dk, make_staff):
    user = make_staff(org_dk, Role.COUNSELLOR)
    html = as_user(user).get(reverse("accounts:tokens")).content.decode()
    assert '<details class="more has-current"' in html
    assert f'<a href="{reverse("accounts:tokens")}" aria-current="page"' in html


@pytest.mark.parametrize("path", ["/accounts/login/"])
def test_the_login_page_has_no_menu_but_a_language_choice(client, path):
    html = client.get(path).content.decode()
    assert 'class="mainnav"' not in html
    assert 'id="lang-switch"' in html
    assert '<a class="skip" href=' in html
