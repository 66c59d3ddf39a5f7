"""Question sets are data (ASM-2, ASM-4): shipped in the service packs, validated before
anything is written, versioned per organisation; an old assessment keeps its version."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from auditlog.models import LogEntry

from bedring.pathway.models import QuestionSet
from bedring.pathway.questionnaires import DOMAINS, LANGUAGES, QuestionSetIn
from bedring.pathway.services import assessment as services
from bedring.rules import loader
from bedring.rules.loader import (
    QUESTION_SET_DIR,
    PackError,
    available_question_sets,
    load_pack,
    read_question_set,
)

SHIPPED_SETS = sorted(p.stem for p in QUESTION_SET_DIR.glob("*.yaml"))
ASM2_DOMAINS = {"substance_use", "social", "health", "work_education", "housing", "other"}

VALID_SET = """\
key: {key}
title: {{en: "Test assessment", nb: "Testkartlegging"}}
questions:
  - key: what_matters
    domain: own_view
    type: text
    required: true
    label: {{en: "What matters to you?", nb: "Hva er viktig for deg?"}}
  - key: housing
    domain: housing
    type: choice
    label: {{en: "Housing"}}
    choices:
      - {{value: own, label: {{en: "Own home"}}}}
      - {{value: none, label: {{en: "Homeless"}}}}
"""

PACK = """\
organisation:
  slug: testsenteret
  name: Testsenteret
  jurisdiction: "NO"
  language: nb
sites:
  - slug: hoved
    name: Hovedkontoret
    kind: main
question_sets: [{sets}]
"""


@pytest.fixture
def pack_dirs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_installation: None
) -> dict[str, Path]:
    """A question set folder of the test's own, so that a set can be changed between loads, in
    an installation without the shipped packs (their question sets would be counted too)."""
    sets = tmp_path / "question_sets"
    sets.mkdir()
    monkeypatch.setattr(loader, "QUESTION_SET_DIR", sets)
    return {"sets": sets, "root": tmp_path}


def write_set(folder: Path, key: str, text: str | None = None) -> Path:
    path = folder / f"{key}.yaml"
    path.write_text(textwrap.dedent(text or VALID_SET.format(key=key)), encoding="utf-8")
    return path


def write_pack(root: Path, sets: str) -> Path:
    path = root / "testsenteret.yaml"
    path.write_text(PACK.format(sets=sets), encoding="utf-8")
    return path


def counts() -> dict[str, int]:
    return {"sets": QuestionSet.objects.count(), "log": LogEntry.objects.count()}


# --- The shipped sets -----------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED_SETS)
def test_every_shipped_question_set_is_valid_and_labelled_in_every_language(name):
    """ASM-2, ASM-4: each set validates, and every label is in en, da, nb and nl."""
    # Given a shipped question set file
    # When it is read
    question_set = read_question_set(QUESTION_SET_DIR / f"{name}.yaml")
    # Then every question and every choice has a label in each language
    assert set(question_set.title) == set(LANGUAGES)
    for question in question_set.questions:
        assert set(question.label) == set(LANGUAGES), question.key
        for choice in question.choices or []:
            assert set(choice.label) == set(LANGUAGES), (question.key, choice.value)


@pytest.mark.parametrize("name", SHIPPED_SETS)
def test_every_shipped_question_set_covers_the_six_domains_of_the_assessment(name):
    """ASM-2: substance use, social relations, health, work/education, housing, other."""
    question_set = read_question_set(QUESTION_SET_DIR / f"{name}.yaml")
    assert {q.domain for q in question_set.questions} >= ASM2_DOMAINS


def test_the_danish_set_asks_what_the_kortlaegning_lists():
    """ASM-2: earlier treatment incl. groups, the national questionnaire, the doctor's
    conversation, veteran, consents and the action plan (SEL § 141)."""
    question_set = read_question_set(QUESTION_SET_DIR / "assessment-dk.yaml")
    keys = {q.key for q in question_set.questions}
    assert {
        "earlier_treatment",
        "national_questionnaire",
        "doctor_conversation_on",
        "veteran_notes",
        "consents_given",
        "action_plan_answer",
    } <= keys
    earlier = next(q for q in question_set.questions if q.key == "earlier_treatment")
    assert "group" in [c.value for c in earlier.choices or []]


def test_the_norwegian_set_asks_the_three_mapping_topics_as_required():
    """ASM-4: what matters to you, what can you do yourself and who can support you, how can
    the service help."""
    question_set = read_question_set(QUESTION_SET_DIR / "assessment-no.yaml")
    own_view = [q for q in question_set.questions if q.domain == "own_view"]
    assert [q.key for q in own_view] == ["what_matters", "own_resources", "how_we_help"]
    assert all(q.required for q in own_view)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("pack", "key"),
    [
        ("sonderborg", "assessment-dk"),
        ("assens", "assessment-dk"),
        ("outreach-dk", "assessment-dk"),
        ("sandnes", "assessment-no"),
        ("msoc-oostende", "intake-be"),
    ],
)
def test_each_service_pack_loads_its_question_set_as_version_1(pack, key):
    """ASM-2: every organisation gets its own copy of its pack's question set."""
    # Given a shipped service pack
    # When it is loaded
    organisation = load_pack(pack)
    # Then its question set is there, version 1, current, titled in the organisation's language
    stored = QuestionSet.objects.get(organisation=organisation)
    assert (stored.key, stored.version, stored.is_current) == (key, 1, True)
    expected = yaml.safe_load((QUESTION_SET_DIR / f"{key}.yaml").read_text(encoding="utf-8"))
    assert stored.title == expected["title"][organisation.language]
    assert [q["key"] for q in stored.questions] == [q["key"] for q in expected["questions"]]


def test_the_loader_offers_exactly_the_shipped_question_sets():
    assert available_question_sets() == SHIPPED_SETS


def test_the_domains_of_the_schema_are_the_translated_domains():
    """A domain the schema accepts always has a heading on the page."""
    schema = QuestionSetIn.model_json_schema()["$defs"]["QuestionIn"]
    assert set(schema["properties"]["domain"]["enum"]) == set(DOMAINS)


# --- Versioning -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_loading_an_unchanged_set_again_changes_nothing(pack_dirs):
    """ASM-2: loading is idempotent: no new version, no noise in the change log."""
    # Given a pack with a question set, loaded once
    write_set(pack_dirs["sets"], "test-set")
    pack = write_pack(pack_dirs["root"], "test-set")
    load_pack(str(pack))
    before = counts()
    first = QuestionSet.objects.get()
    # When it is loaded again unchanged
    load_pack(str(pack))
    # Then nothing is written
    assert counts() == before
    again = QuestionSet.objects.get()
    assert (again.pk, again.version, again.updated_at) == (first.pk, 1, first.updated_at)


@pytest.mark.django_db
def test_a_changed_set_becomes_the_next_version_and_old_assessments_keep_theirs(
    pack_dirs, make_client, open_episode, make_staff
):
    """ASM-2: a changed set is version N+1 and the only current one; an assessment made on
    version 1 still shows version 1's questions."""
    # Given a pack loaded with version 1 and an assessment made on it
    write_set(pack_dirs["sets"], "test-set")
    pack = write_pack(pack_dirs["root"], "test-set")
    organisation = load_pack(str(pack))
    client = make_client(organisation)
    episode = open_episode(client)
    actor = make_staff(organisation, "counsellor")
    old = services.assessment_start(episode=episode, actor=actor)
    # When a question is added to the file and the pack loaded again
    changed = VALID_SET.format(key="test-set") + (
        "  - key: network\n    domain: social\n    type: text\n    label: {en: Network}\n"
    )
    write_set(pack_dirs["sets"], "test-set", changed)
    load_pack(str(pack))
    # Then version 2 is the current one, version 1 is kept, and the assessment keeps version 1
    versions = list(QuestionSet.objects.order_by("version").values_list("version", "is_current"))
    assert versions == [(1, False), (2, True)]
    old.refresh_from_db()
    assert old.question_set.version == 1
    assert "network" not in [q["key"] for q in old.question_set.questions]
    # and a new assessment uses version 2
    new = services.assessment_start(episode=episode, actor=actor)
    assert new.question_set.version == 2
    # and loading the changed file once more writes nothing
    before = counts()
    load_pack(str(pack))
    assert counts() == before


@pytest.mark.django_db
def test_a_set_taken_out_of_the_pack_is_no_longer_current_and_comes_back_unchanged(pack_dirs):
    """A set no longer listed is kept for its assessments but not offered; listed again
    unchanged, the same version is current again."""
    write_set(pack_dirs["sets"], "test-set")
    pack = write_pack(pack_dirs["root"], "test-set")
    load_pack(str(pack))
    # When the pack no longer lists it
    write_pack(pack_dirs["root"], "")
    load_pack(str(pack))
    assert list(QuestionSet.objects.values_list("version", "is_current")) == [(1, False)]
    # When it is listed again, unchanged
    write_pack(pack_dirs["root"], "test-set")
    load_pack(str(pack))
    assert list(QuestionSet.objects.values_list("version", "is_current")) == [(1, True)]


@pytest.mark.django_db
def test_each_organisation_versions_its_own_copy(org_dk):
    """Question sets are per organisation: Assens loading the same file is its own version 1."""
    assens = load_pack("assens")
    assert QuestionSet.objects.get(organisation=org_dk).version == 1
    assert QuestionSet.objects.get(organisation=assens).version == 1


# --- Broken sets ----------------------------------------------------------------------------


BROKEN: list[tuple[str, str, str]] = [
    ("- key: housing\n", "- key: what_matters\n", "repeated: what_matters"),
    ("type: choice", "type: multiple", "questions.1.type"),
    ("    choices:\n", "    choicez:\n", "questions.1.choicez"),
    ('{en: "Housing"}', '{da: "Bolig"}', "questions.1.label"),
    ('{en: "Housing"}', '{en: "Housing", dk: "Bolig"}', "unknown language dk"),
    ("domain: housing", "domain: money", "questions.1.domain"),
    ("key: housing", "key: Housing!", "questions.1.key"),
    ("type: text", "type: bool\n    choices: [{value: a, label: {en: A}}]", "only a choice"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new", "field"), BROKEN)
def test_a_broken_question_set_names_file_and_field_and_writes_nothing(pack_dirs, old, new, field):
    """ASM-2: a question set is validated before anything of the pack is written."""
    # Given a pack whose question set has one mistake
    text = VALID_SET.format(key="test-set")
    assert old in text
    write_set(pack_dirs["sets"], "test-set", text.replace(old, new, 1))
    pack = write_pack(pack_dirs["root"], "test-set")
    before = counts()
    # When it is loaded
    with pytest.raises(PackError) as caught:
        load_pack(str(pack))
    # Then the error names the pack, the set's file and the field, and nothing is written
    message = str(caught.value)
    assert "testsenteret.yaml" in message
    assert "test-set.yaml" in message
    assert field in message
    assert counts() == before


@pytest.mark.django_db
def test_a_choice_question_without_choices_is_refused(pack_dirs):
    text = VALID_SET.format(key="test-set")
    cut = text[: text.index("    choices:")]
    write_set(pack_dirs["sets"], "test-set", cut)
    with pytest.raises(PackError, match="a choice question needs choices"):
        read_question_set(pack_dirs["sets"] / "test-set.yaml")


@pytest.mark.django_db
def test_a_pack_naming_a_missing_question_set_is_refused_with_the_known_ones(pack_dirs):
    write_set(pack_dirs["sets"], "test-set")
    pack = write_pack(pack_dirs["root"], "no-such-set")
    with pytest.raises(PackError) as caught:
        load_pack(str(pack))
    assert "question_sets" in str(caught.value)
    assert "no-such-set" in str(caught.value)
    assert "test-set" in str(caught.value)
    assert not QuestionSet.objects.exists()


@pytest.mark.django_db
def test_a_question_set_whose_key_is_not_its_file_name_is_refused(pack_dirs):
    write_set(pack_dirs["sets"], "test-set", VALID_SET.format(key="other-name"))
    with pytest.raises(PackError, match="key"):
        read_question_set(pack_dirs["sets"] / "test-set.yaml")


def test_a_stored_question_has_the_keys_the_model_documents():
    """The stored form of a question is what QuestionSet.questions documents."""
    data: dict[str, Any] = yaml.safe_load(VALID_SET.format(key="x"))
    stored = QuestionSetIn.model_validate(data).stored_questions()
    assert set(stored[0]) == {"key", "domain", "type", "required", "label"}
    assert set(stored[1]) == {"key", "domain", "type", "required", "label", "choices"}
