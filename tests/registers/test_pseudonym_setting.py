"""BEDRING_PSEUDONYM_KEY: a production start without it, or with a weak one, is refused and
names the variable; a demo install derives a fixed key (stable pseudonyms across exports)."""

from __future__ import annotations

from tests.test_settings import start

PROBE_KEY = {"BEDRING_SECRET_KEY": "s" * 50, "BEDRING_DEMO": "false"}


def test_production_without_a_pseudonym_key_refuses_to_start(tmp_path):
    result = start(PROBE_KEY, tmp_path)
    assert result.returncode != 0
    assert "BEDRING_PSEUDONYM_KEY must be set" in result.stderr


def test_a_short_pseudonym_key_or_the_secret_key_is_refused(tmp_path):
    for weak in ("short", "s" * 50):
        result = start({**PROBE_KEY, "BEDRING_PSEUDONYM_KEY": weak}, tmp_path)
        assert result.returncode != 0
        assert "BEDRING_PSEUDONYM_KEY must be at least 32 characters" in result.stderr


def test_a_demo_install_starts_without_one(tmp_path):
    assert start({"BEDRING_DEMO": "true"}, tmp_path).stdout.strip() == "True"
