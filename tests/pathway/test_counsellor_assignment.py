"""INT-7, REF-2: "Responsible counsellor" and "Assign a counsellor now" offer only the
organisation's counsellors; the authority caseworker and the doctor are not offered, and the
server refuses them (and another organisation's staff) with a specific error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bedring.accounts.access import record_staff
from bedring.core.errors import ValidationFailed
from bedring.core.roles import Role
from bedring.pathway.services.episode import episode_assign


@pytest.fixture
def staff_of_dk(org_dk, make_staff, counsellor, authority, doctor):
    return {
        "counsellor": counsellor,
        "authority": authority,
        "doctor": doctor,
        "manager_counsellor": make_staff(org_dk, Role.MANAGER, Role.COUNSELLOR),
    }


def test_only_counsellors_are_offered_on_the_episode_page(staff_of_dk, dk_episode, as_user):
    """INT-7"""
    http = as_user(staff_of_dk["counsellor"])
    page = http.get(reverse("pathway:episode", args=[dk_episode.uuid])).content.decode()
    start = page.index('name="responsible"')
    select = page[start : page.index("</select>", start)]
    assert f'value="{staff_of_dk["counsellor"].pk}"' in select
    assert f'value="{staff_of_dk["manager_counsellor"].pk}"' in select
    assert f'value="{staff_of_dk["authority"].pk}"' not in select
    assert f'value="{staff_of_dk["doctor"].pk}"' not in select
    assert staff_of_dk["doctor"].last_name not in select
    assert staff_of_dk["authority"].last_name not in select


def test_the_inquiry_form_offers_only_counsellors(staff_of_dk, dk_client, as_user):
    http = as_user(staff_of_dk["counsellor"])
    page = http.get(reverse("pathway:inquiry_new"), {"client": dk_client.uuid}).content.decode()
    start = page.index('name="assign_to"')
    select = page[start : page.index("</select>", start)]
    assert f'value="{staff_of_dk["counsellor"].pk}"' in select
    assert f'value="{staff_of_dk["doctor"].pk}"' not in select
    assert f'value="{staff_of_dk["authority"].pk}"' not in select


def test_posting_the_doctor_is_refused_with_a_specific_message(staff_of_dk, dk_episode, as_user):
    """INT-7: the server, not only the list, refuses someone who is not a counsellor."""
    http = as_user(staff_of_dk["counsellor"])
    url = reverse("pathway:episode_assign", args=[dk_episode.uuid])
    response = http.post(url, {"responsible": staff_of_dk["doctor"].pk}, follow=True)
    assert "Only a counsellor of this organisation can be responsible for a case." in (
        response.content.decode()
    )
    dk_episode.refresh_from_db()
    assert dk_episode.responsible_id != staff_of_dk["doctor"].pk
    # A counsellor is accepted
    http.post(url, {"responsible": staff_of_dk["manager_counsellor"].pk})
    dk_episode.refresh_from_db()
    assert dk_episode.responsible_id == staff_of_dk["manager_counsellor"].pk


@pytest.mark.parametrize("who", ["authority", "doctor"])
def test_the_service_refuses_staff_who_are_not_counsellors(staff_of_dk, dk_episode, who):
    with pytest.raises(ValidationFailed) as refused:
        episode_assign(
            episode=dk_episode, actor=staff_of_dk["counsellor"], responsible=staff_of_dk[who]
        )
    assert refused.value.code == "assignee_not_counsellor"
    assert refused.value.field == "responsible"
    dk_episode.refresh_from_db()
    assert dk_episode.responsible_id != staff_of_dk[who].pk


def test_another_organisations_counsellor_is_not_staff_here(staff_of_dk, dk_episode, outsider):
    """PRV-1: the outsider (every role, in Sandnes) is neither offered nor accepted."""
    assert outsider not in record_staff(dk_episode.organisation_id)
    with pytest.raises(ValidationFailed) as refused:
        episode_assign(episode=dk_episode, actor=staff_of_dk["counsellor"], responsible=outsider)
    assert refused.value.code == "assignee_not_staff"
