"""CAT-1, DEC-1: a decision's offer is one of the organisation's catalogue, picked on the form
and named by key or id in the API; an unknown offer, another organisation's and one of the
wrong intensity are refused with their own codes, and nothing is written. REF-2: the
counsellor's recommendation (with its offer) reaches the decision form."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.test import Client as HttpClient
from django.urls import reverse

from bedring.catalogue.models import Offer
from bedring.core.errors import ValidationFailed
from bedring.pathway.models import Decision
from bedring.pathway.offers import decidable_offers, offer_choices, resolve_offer
from bedring.pathway.services import assessment as assessments
from bedring.pathway.services.decision import complaint_reevaluate, complaint_register
from bedring.pathway.services.decision import decision_make as make
from tests.conftest import login
from tests.pathway.test_decision import JUSTIFICATION, decide_body, post_json, snapshot
from tests.walk_world import valid_answers


def offer(org: Any, key: str) -> Offer:
    return Offer.objects.get(organisation=org, key=key, is_current=True)


@pytest.fixture
def assessed(dk_episode, counsellor):
    from bedring.pathway.services.episode import episode_begin_assessment

    return episode_begin_assessment(episode=dk_episode, actor=counsellor)


def test_the_offers_a_decision_may_name_are_the_organisations_treatment_offers(org_dk, org_no):
    """Not the anonymous tallies, not the services that need no authorisation."""
    keys = {o.key for o in decidable_offers(org_dk.pk)}
    assert {"individual", "individual-plus", "day-treatment-main", "residential-referral"} <= keys
    assert not keys & {"youth-counselling", "shacks", "open-counselling", "street-nurse"}
    assert "lar" in {o.key for o in decidable_offers(org_no.pk)}
    assert "lar" not in keys
    assert ("individual", offer(org_dk, "individual").name) in offer_choices(org_dk.pk)


def test_an_offer_is_named_by_key_or_id_and_stored_with_its_name(assessed, authority, org_dk):
    individual = offer(org_dk, "individual")
    by_key = make(
        episode=assessed,
        actor=authority,
        kind="treatment",
        outcome="granted",
        offer="individual",
        justification=JUSTIFICATION,
    )
    assert (by_key.offer_key, by_key.offer) == ("individual", individual.name)
    by_id = make(
        episode=assessed,
        actor=authority,
        kind="treatment",
        outcome="granted",
        offer=str(offer(org_dk, "individual-plus").uuid),
        justification=JUSTIFICATION,
    )
    assert by_id.offer_key == "individual-plus"
    assert resolve_offer(org_dk.pk, "") is None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Individual+", "unknown_offer"),  # free text, as it used to be
        ("youth-counselling", "unknown_offer"),  # a tally, not decided on
        ("00000000-0000-0000-0000-000000000000", "unknown_offer"),
        ("THEIRS", "offer_other_organisation"),  # an offer of Sandnes' catalogue, by id
        ("day-treatment-main", "offer_intensity_mismatch"),  # day treatment is not outpatient
    ],
)
def test_a_wrong_offer_is_refused_with_its_code_in_the_api_and_nothing_is_written(
    assessed, authority, org_no, value, code
):
    if value == "THEIRS":
        value = str(offer(org_no, "lar").uuid)
    before = snapshot(assessed)
    url = f"/api/v1/episodes/{assessed.uuid}/decisions"
    response = post_json(authority, url, decide_body(offer=value))
    assert response.status_code == 422, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, "offer")
    assert snapshot(assessed) == before


def test_day_treatment_takes_its_intensity_from_the_offer(assessed, authority, org_dk):
    """DEC-3: day or residential, with the recommendation; the offer says which."""
    url = f"/api/v1/episodes/{assessed.uuid}/decisions"
    body = decide_body(
        kind="day_residential", offer="day-treatment-main", recommendation="Needs day treatment."
    )
    response = post_json(authority, url, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["intensity"], data["offer"]) == ("day", "day-treatment-main")
    assert data["offer_name"] == offer(org_dk, "day-treatment-main").name


def test_the_form_offers_the_catalogue_and_refuses_anything_else(assessed, authority, org_dk):
    http = login(HttpClient(), authority)
    url = reverse("pathway:decision_new", kwargs={"episode_uuid": assessed.uuid})
    html = http.get(url).content.decode()
    assert '<select name="offer"' in html
    assert f'value="individual">{offer(org_dk, "individual").name}' in html
    before = snapshot(assessed)
    response = http.post(url, {**decide_body(offer="Individual+"), "confirm": "1"})
    assert response.status_code == 422
    assert "offer" in response.context["form"].errors
    assert snapshot(assessed) == before
    response = http.post(url, {**decide_body(offer="individual"), "confirm": "1"})
    assert response.status_code == 302
    assert Decision.objects.get(episode=assessed).offer_key == "individual"


def test_a_re_evaluation_changes_the_offer_within_the_catalogue(assessed, authority, counsellor):
    refusal = make(
        episode=assessed,
        actor=authority,
        kind="treatment",
        outcome="refused",
        offer="individual",
        justification=JUSTIFICATION,
    )
    complaint = complaint_register(
        decision=refusal, actor=counsellor, kind="decision", text="I need more."
    )
    with pytest.raises(ValidationFailed) as unknown:
        complaint_reevaluate(
            complaint=complaint,
            actor=authority,
            result="changed",
            justification="More is right.",
            outcome="granted",
            offer="Individual+",
        )
    assert unknown.value.code == "unknown_offer"
    complaint_reevaluate(
        complaint=complaint,
        actor=authority,
        result="changed",
        justification="More is right.",
        outcome="granted",
        offer="individual-plus",
    )
    assert Decision.objects.get(supersedes=refusal).offer_key == "individual-plus"


def test_the_counsellors_recommendation_reaches_the_decision_form(
    dk_episode, counsellor, authority, org_dk
):
    """REF-2: the recommended offer and text, refused if not from the catalogue."""
    assessment = assessments.assessment_start(episode=dk_episode, actor=counsellor)
    common = {
        "veteran": None,
        "doctor_conversation_offered": False,
        "action_plan_offered": False,
        "consents_discussed": True,
    }
    with pytest.raises(ValidationFailed) as refused:
        assessments.assessment_record_offers(
            assessment=assessment, actor=counsellor, recommended_offer="Nonsense", **common
        )
    assert (refused.value.code, refused.value.field) == ("unknown_offer", "recommended_offer")
    assessments.assessment_save(
        assessment=assessment,
        actor=counsellor,
        answers=valid_answers(assessment.question_set),
        recommendation="Individual sessions twice a month.",
        recommended_offer="individual-plus",
        **common,
    )
    assessments.assessment_complete(assessment=assessment, actor=counsellor)
    http = login(HttpClient(), authority)
    response = http.get(reverse("pathway:decision_new", kwargs={"episode_uuid": dk_episode.uuid}))
    html = response.content.decode()
    assert 'data-testid="decision-recommendation"' in html
    assert "Individual sessions twice a month." in html
    assert response.context["form"].initial["offer"] == "individual-plus"


def test_the_data_migration_links_free_text_offers_to_the_catalogue(assessed, authority, org_dk):
    """The old free text: a name of the catalogue (any case) gets its key; other text stays."""
    migration = __import__(
        "bedring.pathway.migrations.0009_decision_offer_from_catalogue", fromlist=["link_offers"]
    )
    named = make(
        episode=assessed,
        actor=authority,
        kind="treatment",
        outcome="granted",
        justification=JUSTIFICATION,
    )
    name = offer(org_dk, "individual-plus").name
    Decision.objects.filter(pk=named.pk).update(offer=f"  {name.upper()} ")
    other = make(
        episode=assessed,
        actor=authority,
        kind="treatment",
        outcome="granted",
        justification=JUSTIFICATION,
    )
    Decision.objects.filter(pk=other.pk).update(offer="Something we used to write")
    migration.link_offers(apps, None)
    named.refresh_from_db()
    other.refresh_from_db()
    assert (named.offer_key, named.offer) == ("individual-plus", name)
    assert (other.offer_key, other.offer) == ("", "Something we used to write")
