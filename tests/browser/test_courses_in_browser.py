"""A group course as staff run it, in real headless Chromium (CAT-1, SCH-1, SCH-2): a manager
plans a motivation group from the catalogue; a counsellor enrols two clients and records
attendance; after three absences in a row the no-show flag shows."""

from __future__ import annotations

import datetime
import time

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from bedring.catalogue.models import Course, Enrolment, Session
from bedring.core import clock
from bedring.core.roles import Role
from bedring.pathway.services import decision as decisions
from bedring.pathway.services import episode as episodes
from tests.browser.chrome import log_out
from tests.conftest import TODAY
from tests.pathway.conftest import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, url, user) -> None:
    device = TOTPDevice.objects.get(user=user)
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "a-long-test-password-1")
    page.click("button[type=submit]")
    page.wait_for_selector("#id_otp_token")
    drift = 1 if device.last_t >= int(time.time()) // device.step else 0
    page.fill("#id_otp_token", f"{totp(device.bin_key, drift=drift):06d}")
    page.click("button[type=submit]")
    # Attached, not visible: at a phone's width the name is in the folded menu.
    page.wait_for_selector(".topbar .user", state="attached")
    page.wait_for_load_state("load")


def granted_client(org, make_client, counsellor, authority, last_name):
    """A client with outpatient treatment granted: the motivation group needs authorisation."""
    client = make_client(org, last_name=last_name)
    received = TODAY - datetime.timedelta(days=83)  # before the course, which began 4 weeks ago
    inquiry = episodes.inquiry_register(
        organisation=org,
        site=org.sites.get(slug="kongevej"),
        actor=counsellor,
        channel="phone",
        referrer="self",
        received_at=at(org, received.year, received.month, received.day, 10),
        client=client,
    )
    episodes.episode_begin_assessment(episode=inquiry.episode, actor=counsellor)
    decisions.decision_make(
        episode=inquiry.episode,
        actor=authority,
        kind="treatment",
        outcome="granted",
        justification="Outpatient group treatment.",
        decided_on=received + datetime.timedelta(days=1),
    )
    return client


def test_manager_plans_a_motivation_group_counsellor_enrols_and_sees_the_no_show_flag(
    page, live_server, org_dk, make_staff, make_client
):
    url = live_server.url
    manager, counsellor, authority = (
        make_staff(org_dk, r) for r in (Role.MANAGER, Role.COUNSELLOR, Role.AUTHORITY)
    )
    for user in (manager, counsellor):
        user.language = "en"
        user.save()
    anna = granted_client(org_dk, make_client, counsellor, authority, "Attender")
    bo = granted_client(org_dk, make_client, counsellor, authority, "Absentee")
    today = clock.today(org_dk)
    start = today - datetime.timedelta(days=today.weekday() + 28)  # a Monday four weeks ago

    # Given the manager, when she plans a motivation group from the catalogue
    log_in(page, url, manager)
    page.goto(f"{url}/catalogue/")
    page.click("text=Motivationsgruppe")
    page.click("[data-testid=course-create]")
    page.fill("#id_starts_on", start.isoformat())
    page.fill("#id_start_time", "10:00")
    page.select_option("#id_site", label="Sønderborg Misbrugscenter")
    page.click("[data-testid=plan-course]")
    page.wait_for_selector("[data-testid=session-1]")
    course = Course.objects.get(offer__key="motivation-group")
    assert course.sessions.count() == 8  # 8 weekly sessions (CAT-2)
    log_out(page)

    # When the counsellor enrols the two clients from the course page
    log_in(page, url, counsellor)
    for person in (anna, bo):
        page.goto(f"{url}/catalogue/courses/{course.uuid}/")
        page.click("[data-testid=enrol]")
        page.fill("#q", person.last_name)
        page.press("#q", "Enter")
        page.click(f"[data-testid=choose-{person.code}]")
        page.wait_for_selector(f"text={person.code}")
        page.fill("#id_starts_on", start.isoformat())  # from the course's first day
        page.click("[data-testid=confirm-enrol]")
        page.wait_for_selector(f"text={person.last_name}")
    assert Enrolment.objects.filter(course=course, status="active").count() == 2

    # And records the first three sessions: Anna attends, Bo is absent every time
    sessions = list(Session.objects.filter(course=course, on__lte=today).order_by("on")[:3])
    assert len(sessions) == 3
    bo_enrolment = Enrolment.objects.get(course=course, client=bo)
    anna_enrolment = Enrolment.objects.get(course=course, client=anna)
    for session in sessions:
        page.goto(f"{url}/catalogue/sessions/{session.uuid}/attendance/")
        page.check(f"input[name='status-{anna_enrolment.uuid}'][value=attended]")
        page.check(f"input[name='status-{bo_enrolment.uuid}'][value=absent]")
        page.click("button[type=submit]:has-text('Save attendance')")
        page.wait_for_selector("[data-testid=attendance-grid]")

    # Then the no-show flag shows for Bo, not for Anna (SCH-2: three in a row)
    row = page.wait_for_selector(f"[data-testid=row-{bo_enrolment.uuid}]")
    assert row.query_selector("[data-testid=no-show]") is not None
    anna_row = page.query_selector(f"[data-testid=row-{anna_enrolment.uuid}]")
    assert anna_row.query_selector("[data-testid=no-show]") is None
    bo_enrolment.refresh_from_db()
    assert bo_enrolment.no_show_flag
