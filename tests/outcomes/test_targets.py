"""DIS-3, DIS-4: goal-attainment and readmission targets are an organisation's own, data in
its pack with their source. Assens has them (seed 002 §2, "Måltal": at least 75 %, at most
50 %); an organisation without shows the figure without a target on the page, the PDF and
the API."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from pypdf import PdfReader

from bedring.core.roles import Role
from bedring.outcomes.selectors import shared_targets
from bedring.rules.loader import load_pack, pack_path, read_pack
from bedring.rules.packs import RulePackError, merged_pack
from tests.conftest import api_headers

from .conftest import discharge, episode

D = datetime.date
PERIOD = {"from": "2025-01-01", "to": "2025-12-31"}


@pytest.fixture
def assens_world(db, make_client, make_staff):
    org = load_pack("assens")
    manager = make_staff(org, Role.MANAGER)
    ann, bo = make_client(org), make_client(org)
    discharge(
        episode(ann, opened_on=D(2025, 1, 2), started_on=D(2025, 1, 10)), manager, on=D(2025, 3, 1)
    )
    discharge(
        episode(bo, opened_on=D(2025, 2, 2), started_on=D(2025, 2, 20)),
        manager,
        on=D(2025, 5, 1),
        result="not_reached",
    )
    return org, manager


def test_assens_figures_carry_its_targets(assens_world, as_user):
    org, manager = assens_world
    response = HttpClient().get(
        "/api/v1/outcomes", {"organisation": str(org.uuid), **PERIOD}, **api_headers(manager)
    )
    assert response.status_code == 200, response.content
    figures = {f["key"]: f for f in response.json()["figures"]}
    assert (
        figures["goal_attainment_all"]["target"],
        figures["goal_attainment_all"]["target_kind"],
    ) == (0.75, "min")
    assert (figures["readmission"]["target"], figures["readmission"]["target_kind"]) == (0.5, "max")
    html = as_user(manager).get(reverse("outcomes:dashboard"), PERIOD).content.decode()
    assert 'data-testid="target-goal_attainment_all"' in html
    assert "target at least" in html and "75 %" in html
    pdf = as_user(manager).get(reverse("outcomes:report_pdf"), PERIOD).content
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "75 %" in text


def test_sonderborg_shows_the_figure_without_a_target(org_dk, manager, make_client, as_user):
    ann = make_client(org_dk)
    discharge(
        episode(ann, opened_on=D(2025, 1, 2), started_on=D(2025, 1, 10)), manager, on=D(2025, 3, 1)
    )
    pdf = as_user(manager).get(reverse("outcomes:report_pdf"), PERIOD).content
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Goal attainment at discharge" in text
    assert "75 %" not in text and "50 %" not in text


def test_a_target_is_shared_only_when_every_organisation_in_scope_has_it():
    assens = merged_pack("DK", load_pack_overrides("assens"))
    sonderborg = merged_pack("DK", {})
    assert shared_targets([assens]) == {"goal_attainment": 0.75, "readmission": 0.5}
    assert shared_targets([assens, sonderborg]) == {}
    assert shared_targets([assens, assens]) == {"goal_attainment": 0.75, "readmission": 0.5}


def load_pack_overrides(name: str) -> dict[str, object]:
    return dict(read_pack(pack_path(name)).organisation.rule_overrides)


@pytest.mark.parametrize(
    ("target", "named"),
    [
        (
            {"share": 75, "kind": "min", "source": "seed 002"},
            "outcome_targets.goal_attainment.share",
        ),
        ({"share": 0.75, "kind": "min"}, "outcome_targets.goal_attainment.source"),
        ({"share": 0.75, "kind": "least", "source": "x"}, "outcome_targets.goal_attainment.kind"),
    ],
)
def test_a_bad_target_is_an_error_naming_the_field(target, named):
    with pytest.raises(RulePackError) as exc:
        merged_pack("DK", {"outcome_targets": {"goal_attainment": target}})
    assert named in str(exc.value)


def test_an_unknown_figure_cannot_have_a_target():
    with pytest.raises(RulePackError) as exc:
        merged_pack(
            "DK",
            {
                "outcome_targets": {
                    "goal_attainment_rate": {"share": 0.7, "kind": "min", "source": "x"}
                }
            },
        )
    assert "outcome_targets.goal_attainment_rate" in str(exc.value)
