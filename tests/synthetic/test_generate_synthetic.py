"""The synthetic world: every kind of record, valid identifiers, deterministic for a seed,
the pathway's constraints, and a command that refuses a database with real data."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import models, transaction
from django.test import override_settings

from bedring.accounts.models import Organisation, User
from bedring.clients.identifiers import parse_identifier
from bedring.clients.models import Client
from bedring.medication.models import Dispensing
from bedring.pathway.models import Deadline, Discharge, Episode, FollowUp, TdiIntake
from bedring.pathway.models.discharge import FOLLOW_UP_STATUSES
from bedring.pathway.models.episode import DeadlineKind, DeadlineStatus
from bedring.pathway.states import OPEN_STATES
from bedring.pathway.tdi import validate_tdi
from bedring.synthetic.load import generate, prepare
from bedring.synthetic.world import MODELS
from tests.conftest import TODAY

SMALL = {"clients": 30, "years": 2, "until": TODAY, "dispensing_share": 0.3, "quiet": True}


def _natural(field: models.Field[Any, Any]) -> str:
    """How a reference is written in the dump: by what does not depend on primary keys."""
    related = field.related_model
    assert isinstance(related, type)
    names = {f.name for f in related._meta.get_fields()}
    if related is User:
        return f"{field.name}__username"
    if "uuid" in names:
        return f"{field.name}__uuid"
    if related is Organisation or "slug" in names:
        return f"{field.name}__slug"
    return f"{field.name}__key"


def dump() -> str:
    """A canonical dump of every table the generator writes, hashed."""
    digest = hashlib.sha256()
    every: tuple[type[models.Model], ...] = (*MODELS, Dispensing)
    for model in every:
        columns = [
            _natural(f) if f.is_relation else f.attname
            for f in model._meta.concrete_fields
            if f.name != "id"
        ]
        rows = sorted(repr(row) for row in model._default_manager.values_list(*columns))
        digest.update(f"{model.__name__}:{len(rows)}\n".encode())
        for row in rows:
            digest.update(row.encode())
    return digest.hexdigest()


def generate_and_dump(seed: int) -> str:
    """Generate, dump and roll back. The organisations, their question sets and offers (with
    random uuids of their own) are loaded once, before, as they are in a real database."""
    prepare(seed=seed, until=TODAY, years=2, dispensing_share=0.3)
    with transaction.atomic():
        generate(seed=seed, **SMALL)
        result = dump()
        transaction.set_rollback(True)
    return result


@pytest.mark.django_db
def test_a_small_run_creates_every_kind_of_record() -> None:
    result = generate(seed=11, **SMALL)
    every: tuple[type[models.Model], ...] = (*MODELS, Dispensing)
    for model in every:
        assert model._default_manager.exists(), model.__name__
    assert result["rows"]["Client"] == 30
    assert Client.objects.count() == 30
    # Readmissions, and deadlines of every kind the pathway opens, met and met late.
    assert Episode.objects.filter(previous_episode__isnull=False).exists()
    kinds = set(Deadline.objects.values_list("kind", flat=True))
    assert {
        DeadlineKind.TREATMENT_START,  # DK
        DeadlineKind.FIRST_CONTACT,  # NO
        DeadlineKind.DECISION_LETTER,
        DeadlineKind.PLAN_EVALUATION,
        DeadlineKind.DISCHARGE_FOLLOW_UP,
    } <= kinds
    statuses = set(Deadline.objects.values_list("status", flat=True))
    assert {DeadlineStatus.MET, DeadlineStatus.MISSED} <= statuses
    assert len(set(Discharge.objects.values_list("status", flat=True))) >= 3
    # Several organisations of every jurisdiction.
    assert set(Client.objects.values_list("organisation__jurisdiction", flat=True)) == {
        "DK",
        "NO",
        "BE",
    }
    # The sequences are past the generated keys: the ORM writes after it.
    organisation = Organisation.objects.get(slug="sonderborg")
    Client.objects.create(
        organisation=organisation,
        code="AFTER",
        identifier_kind="none",
        first_name="After",
    )


@pytest.mark.django_db
def test_identifiers_pass_their_checksum_and_agree_with_the_birth_date() -> None:
    generate(seed=12, **SMALL)
    for client in Client.objects.select_related("organisation"):
        parsed = parse_identifier(client.national_id, client.organisation.jurisdiction, TODAY)
        assert parsed.birth_date == client.birth_date


@pytest.mark.django_db
def test_complete_tdi_intakes_are_valid_and_a_few_miss_the_primary_substance() -> None:
    generate(seed=13, clients=120, years=3, until=TODAY, quiet=True)
    fields = [
        f.name
        for f in TdiIntake._meta.concrete_fields
        if f.name
        not in ("id", "uuid", "created_at", "updated_at", "assessment", "injected_last_30_days")
    ]
    complete = TdiIntake.objects.filter(primary_substance__isnull=False)
    assert complete.exists()
    for intake in complete:
        data = {name: getattr(intake, name) for name in fields}
        assert validate_tdi(data, client_age=None) == {}
    missing = TdiIntake.objects.filter(primary_substance__isnull=True).count()
    assert 0 < missing < TdiIntake.objects.count() * 0.1


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_rows_and_another_seed_others() -> None:
    first = generate_and_dump(21)
    assert generate_and_dump(21) == first
    assert generate_and_dump(22) != first


@pytest.mark.django_db
def test_the_pathway_constraints_hold() -> None:
    generate(seed=14, clients=60, years=4, until=TODAY, quiet=True)
    open_per_client = Counter(
        Episode.objects.filter(state__in=OPEN_STATES).values_list("client_id", flat=True)
    )
    assert open_per_client and max(open_per_client.values()) == 1
    # Follow-ups only after the statuses that call for them, each with its deadline.
    assert FollowUp.objects.exists()
    assert not FollowUp.objects.exclude(discharge__status__in=FOLLOW_UP_STATUSES).exists()
    for follow_up in FollowUp.objects.all():
        deadline = Deadline.objects.get(
            kind=DeadlineKind.DISCHARGE_FOLLOW_UP, subject_id=follow_up.pk
        )
        assert deadline.due_on == follow_up.due_on
        assert (deadline.status == DeadlineStatus.OPEN) == (follow_up.done_on is None)
    # A readmission follows an earlier episode of the same client that has ended.
    for episode in Episode.objects.filter(previous_episode__isnull=False).select_related(
        "previous_episode"
    ):
        previous = episode.previous_episode
        assert previous is not None
        assert previous.client_id == episode.client_id
        assert previous.closed_on is not None
        assert previous.closed_on < episode.opened_on
    # Nothing happens after the end of the world; every discharge closed its episode.
    assert not Dispensing.objects.filter(day__gte=TODAY).exists()
    assert not Discharge.objects.filter(discharged_on__gt=TODAY).exists()
    assert not Discharge.objects.exclude(episode__state="discharged").exists()


@pytest.mark.django_db
@override_settings(DEMO=True)
def test_the_command_fills_an_empty_demo_database() -> None:
    call_command("generate_synthetic", "--clients", "8", "--years", "1", "--seed", "3", "--quiet")
    assert Client.objects.count() == 8


@pytest.mark.django_db
@override_settings(DEMO=True)
def test_the_command_refuses_a_database_that_holds_clients(
    make_client: Any, org_dk: Organisation
) -> None:
    make_client(org_dk)
    with pytest.raises(CommandError, match="already holds 1 clients"):
        call_command("generate_synthetic", "--clients", "5", "--quiet")
    assert Client.objects.count() == 1
    assert not Episode.objects.exists()


@pytest.mark.django_db
@override_settings(DEMO=False)
def test_the_command_refuses_a_database_that_is_neither_bench_nor_demo() -> None:
    with pytest.raises(CommandError, match="not a demo installation"):
        call_command("generate_synthetic", "--clients", "5", "--quiet")
    assert not Client.objects.exists()


@pytest.mark.django_db
@override_settings(DEMO=True)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--clients", "0"], "--clients must be at least 1"),
        (["--years", "0"], "--years must be between 1 and 50"),
        (["--dispensing-share", "1.5"], "--dispensing-share must be between 0 and 1"),
        (["--until", "2026-13-01"], "--until: not a date"),
    ],
)
def test_the_command_refuses_bad_arguments(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("generate_synthetic", *args, "--quiet")
    assert not Client.objects.exists()


@pytest.mark.django_db
@override_settings(DEMO=False)
def test_a_bench_database_takes_more_clients_only_with_append(
    monkeypatch: pytest.MonkeyPatch, make_client: Any, org_dk: Organisation
) -> None:
    from bedring.synthetic import load

    monkeypatch.setattr(load, "database_name", lambda: "bedring_bench")
    assert load.refusal(append=False) is None  # empty: fine, demo mode or not
    make_client(org_dk)
    reason = load.refusal(append=False)
    assert reason is not None
    assert "--append" in reason
    assert load.refusal(append=True) is None
