"""The style guide for developers (issue 13): staff only, every component with live markup,
the form pattern shown with and without errors."""

from __future__ import annotations

from django.test import Client as HttpClient
from django.urls import reverse

from bedring.core.roles import Role
from tests.conftest import login

URL = "/styleguide/"


def test_the_style_guide_is_at_its_address():
    assert reverse("web:styleguide") == URL


def test_an_anonymous_visitor_is_sent_to_the_login_page(db):
    response = HttpClient().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_see_every_component_and_the_form_pattern_with_its_error_summary(org_dk, make_staff):
    # Given any staff member (the guide shows no record, so no role is needed)
    http = login(HttpClient(), make_staff(org_dk, Role.PEER_WORKER))
    # When they open the style guide
    response = http.get(URL)
    # Then every component is there, rendered by the real templates
    assert response.status_code == 200
    html = response.content.decode()
    for part in ("buttons", "form", "form-errors", "badges", "table", "cards", "next-step"):
        assert f'data-testid="sg-{part}"' in html, part
    assert 'class="danger"' in html and 'class="secondary"' in html
    assert '<table class="stack">' in html and 'class="card next-step"' in html
    assert 'class="msg success"' in html and 'class="badge err"' in html
    # the form pattern: a legend, a unit, and the bound invalid form's summary linking its fields
    assert "<legend>When</legend>" in html and '<span class="unit">minutes</span>' in html
    assert html.count('class="error-summary"') == 1
    assert 'href="#id_failed-name"' in html and 'href="#id_failed-reminder_channel_0"' in html
    assert 'id="id_failed-minutes_error"' in html
    # the dispensing desk row, fed an invented row
    assert 'data-testid="desk-row"' in html and 'data-testid="dispense"' in html


def test_the_organisation_page_links_to_the_style_guide(org_dk, make_staff):
    http = login(HttpClient(), make_staff(org_dk, Role.COUNSELLOR))
    html = http.get(reverse("accounts:organisation")).content.decode()
    assert f'href="{URL}"' in html
