"""HRM-8, "Works offline", in real headless Chromium at 390 px: a street nurse opens the contact
page with network (the service worker caches its shell), loses the network, opens the page
from the cache and records two contacts; they stay on the phone, encrypted; with the network
back they are sent and each is on the server exactly once. A contact the server refuses is
kept and shown with the reason, a conflict is shown "to check", the logout warns while
something is not sent, and the logout wipes the phone."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from bedring.accounts.models import Organisation, User
from bedring.core import clock
from bedring.core.roles import Role
from bedring.outreach.models import OutreachContact, Pseudonym
from tests.browser.chrome import open_menu
from tests.browser.test_axe import AXE, RUN_AXE, TAGS
from tests.browser.test_courses_in_browser import log_in
from tests.conftest import NOW, shipped_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = "/outreach/contacts/new/"
STATUS = "#offline-status"

# What the phone keeps, as the test reads it from IndexedDB: every stored value flattened to
# text (byte arrays decoded as Latin-1), so that a plaintext field would show.
READ_STORE = """async () => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open("bedring-outreach");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const read = (store) => new Promise((resolve, reject) => {
    const request = db.transaction(store).objectStore(store).getAll();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const contacts = await read("contacts");
  const keys = await read("keys");
  db.close();
  const text = (v) => v instanceof ArrayBuffer || ArrayBuffer.isView(v)
    ? new TextDecoder("latin1").decode(v)
    : v && typeof v === "object" ? Object.values(v).map(text).join("|") : String(v);
  return {
    contacts: contacts.map((r) => ({
      offline_id: r.offline_id, state: r.state, fields: Object.keys(r).sort(),
      box: Object.keys(r.box).sort(), dump: text(r),
    })),
    keys: keys.map((k) => ({fields: Object.keys(k).sort(), dump: text(k)})),
  };
}"""

WHAT_IS_LEFT = """async () => ({
  databases: (await indexedDB.databases()).map((d) => d.name),
  caches: await caches.keys(),
  workers: (await navigator.serviceWorker.getRegistrations()).length,
  wipeCookie: document.cookie.includes("bedring_wipe"),
})"""


CACHED = """async () => {
  const found = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const url = new URL(request.url);
      found.push(url.pathname + url.search);
    }
  }
  return found;
}"""


def _wall(minutes_ago: int) -> str:
    """A moment shortly before the suite's now, as the form's datetime-local wants it."""
    moment = NOW.astimezone(clock.zone()) - datetime.timedelta(minutes=minutes_ago)
    return moment.strftime("%Y-%m-%dT%H:%M")


def _record(
    page: Any, *, note: str, at: str, who: str = "nobody", code: str = "", consent: bool = False
) -> None:
    """The three screens of the contact form (templates/outreach/contact_form.html)."""
    page.check(f"[name=who][value={who}]")
    if code:
        page.fill("[name=pseudonym]", code)
    if consent:
        page.check("[name=pseudonym_consent]")
    page.select_option("[name=site]", "odense")
    page.check("[name=location_type][value=street]")
    page.click("[data-testid=next-1]")
    page.check("[name=activities][value=conversation]")
    page.fill('[name="items_out-syringe-1ml"]', "2")
    page.click("[data-testid=next-2]")
    page.fill("[name=minutes]", "10")
    page.fill("[name=note]", note)
    page.fill("[name=at]", at)
    page.click("[data-testid=save-contact]")


def _waiting(page: Any, n: int) -> None:
    page.wait_for_selector(f"{STATUS}[data-offline-count='{n}']", state="attached")


def _send_now(page: Any) -> None:
    # The button, clicked by its handler even if the `online` event's round has already
    # emptied the queue and hidden it: a second round finds nothing and sends nothing.
    page.locator("[data-offline-send]").dispatch_event("click")


def _nurse_on_the_page(page: Any, url: str) -> tuple[Organisation, User]:
    org = shipped_organisation("outreach-dk")
    from tests.conftest import staff_maker

    nurse = staff_maker()(org, Role.STREET_NURSE)
    nurse.language = "en"
    nurse.save()
    log_in(page, url, nurse)
    page.goto(f"{url}{PAGE}")
    # The worker is installed and has cached the shell, and the phone has its key pair.
    page.wait_for_selector("form[data-outreach-form][data-offline-ready=true]", state="attached")
    _waiting(page, 0)
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    return org, nurse


def test_two_contacts_recorded_offline_reach_the_server_once_each(page, live_server):
    url = live_server.url
    context = page.context
    org, nurse = _nurse_on_the_page(page, url)
    code = Pseudonym.objects.create(
        organisation=org, code="ABC1", consent_at=clock.now(), created_by=nurse
    )
    merged_into = Pseudonym.objects.create(
        organisation=org, code="ABC2", consent_at=clock.now(), created_by=nurse
    )

    # Given no network, the page still opens: from the worker's cache
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("form[data-outreach-form]")
    assert page.evaluate("navigator.onLine") is False
    _waiting(page, 0)

    # When she records two contacts
    _record(page, note="Wound on the left forearm, cleaned", at=_wall(40))
    _waiting(page, 1)
    assert "Saved on this phone" in page.inner_text("#offline-result")
    _record(page, note="Asked about the Tuesday clinic", at=_wall(20), who="pseudonym", code="ABC1")
    _waiting(page, 2)
    assert "2 contacts are waiting on this phone." in page.inner_text(STATUS)

    # then nothing reached the server, and the phone keeps them encrypted
    assert OutreachContact.objects.count() == 0
    kept = page.evaluate(READ_STORE)
    assert len(kept["contacts"]) == 2
    for record in kept["contacts"]:
        assert record["state"] == "waiting"
        assert record["fields"] == ["box", "error", "kid", "offline_id", "saved_at", "state"]
        assert record["box"] == ["ct", "epk", "iv"]
        for plain in ("Wound", "forearm", "Tuesday", "ABC1", "conversation", "syringe", "odense"):
            assert plain not in record["dump"], plain
    (keys,) = kept["keys"]
    assert keys["fields"] == ["created", "iv", "kid", "publicRaw", "wrapped"]
    offline_ids = {record["offline_id"] for record in kept["contacts"]}

    # While the phone was offline, the code was merged into another (a conflict to show)
    code.merged_into = merged_into
    code.save()

    # When the network returns and the phone sends what waits
    context.set_offline(False)
    _send_now(page)
    _waiting(page, 0)

    # then each contact is on the server exactly once, and the merged code is "to check"
    assert OutreachContact.objects.count() == 2
    for offline_id in offline_ids:
        assert OutreachContact.objects.filter(offline_id=offline_id).count() == 1
    contact = OutreachContact.objects.get(pseudonym=merged_into)
    assert contact.conflict == "pseudonym_merged"
    assert contact.note == "Asked about the Tuesday clinic"
    assert contact.recorded_by == nurse and contact.items_out == {"syringe-1ml": 2}
    assert contact.at == NOW - datetime.timedelta(minutes=20)
    assert "2 contacts kept on this phone are now recorded." in page.inner_text("#offline-result")
    page.wait_for_selector("[data-offline-check] li")
    assert "merged into another code" in page.inner_text("[data-offline-check]")
    assert page.evaluate(READ_STORE)["contacts"] == []

    # and sending again (a reload sends what waits) sends nothing twice
    page.reload()
    page.wait_for_selector("form[data-outreach-form]")
    _waiting(page, 0)
    _send_now(page)
    _waiting(page, 0)
    assert OutreachContact.objects.count() == 2
    # The worker cached the shell and static files, never the full page nor an API answer.
    cached = page.evaluate(CACHED)
    assert f"{PAGE}?shell=1" in cached
    assert all(u == f"{PAGE}?shell=1" or u.startswith("/static/") for u in cached), cached
    # The page fits the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _no_serious_axe_violation(page: Any, where: str) -> None:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(RUN_AXE, TAGS)
    assert not found, f"{where}: {found}"


@pytest.fixture
def page_for_axe(browser, live_server):
    """A phone's page whose CSP lets axe-core's script in (as in tests/browser/test_axe.py)."""
    context = browser.new_context(
        locale="en-GB", viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_refused_contact_is_kept_shown_and_the_logout_warns_then_wipes(page_for_axe, live_server):
    page = page_for_axe
    url = live_server.url
    context = page.context
    _org, _nurse = _nurse_on_the_page(page, url)

    # Given a contact recorded offline with a new code the person has not agreed to
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("form[data-outreach-form]")
    _record(page, note="New face at the station", at=_wall(30), who="pseudonym", code="NEW9")
    _waiting(page, 1)
    # when the network returns, the server refuses it: it stays on the phone with the reason
    context.set_offline(False)
    _send_now(page)
    page.wait_for_selector("[data-offline-refused] li")
    assert "Record a new code only when the person agrees to it." in page.inner_text(
        "[data-offline-refused]"
    )
    assert page.get_attribute(STATUS, "data-offline-count") == "1"
    assert not OutreachContact.objects.exists()
    _no_serious_axe_violation(page, "the contact page with a refusal")

    # When she logs out, she is warned that a contact is not sent yet, and can stay
    open_menu(page)
    page.click(".who button.link")
    page.wait_for_selector("dialog#offline-logout[open]")
    assert "1 contact is not sent yet." in page.inner_text("dialog#offline-logout")
    _no_serious_axe_violation(page, "the logout warning")
    page.click("[data-offline-stay]")
    page.wait_for_selector("dialog#offline-logout", state="hidden")
    assert page.url.endswith(PAGE)

    # She opens it in the form, the person agrees, and it is sent
    page.click("[data-offline-refused] li >> text=Open in the form")
    page.wait_for_selector("#offline-form-error.msg")  # the form, filled, with the reason
    assert "agrees" in page.inner_text("#offline-form-error")
    assert page.input_value("[name=pseudonym]") == "NEW9"
    assert page.input_value("[name=note]") == "New face at the station"
    page.check("[name=pseudonym_consent]")  # the refusal opened the screen it is on
    page.click("[data-testid=next-1]")
    page.click("[data-testid=next-2]")
    page.click("[data-testid=save-contact]")
    # Sent with the network: the same confirmation as the form without the script.
    page.wait_for_selector("[data-testid=contact-summary]")
    assert "Contact recorded: Code NEW9" in page.inner_text(".messages")
    (sent,) = OutreachContact.objects.all()
    assert sent.pseudonym is not None and sent.pseudonym.code == "NEW9"
    page.click("[data-testid=record-another]")
    _waiting(page, 0)

    # Another refused contact waits when she logs out anyway: the phone forgets everything
    context.set_offline(True)
    _record(page, note="Second new face", at=_wall(10), who="pseudonym", code="NEW8")
    _waiting(page, 1)
    context.set_offline(False)
    _send_now(page)
    page.wait_for_selector("[data-offline-refused] li")
    open_menu(page)
    page.click(".who button.link")
    page.wait_for_selector("dialog#offline-logout[open]")
    page.click("[data-offline-logout-anyway]")
    page.wait_for_selector("#id_username")
    page.wait_for_selector("html[data-offline-wiped=true]", state="attached")
    left = page.evaluate(WHAT_IS_LEFT)
    assert "bedring-outreach" not in left["databases"]
    assert left["caches"] == []
    assert left["workers"] == 0
    assert left["wipeCookie"] is False
    assert OutreachContact.objects.count() == 1
