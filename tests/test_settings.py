"""Settings fail loudly: a production start without a secret key is refused (STYLE.md 11)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
    "django.setup(); from django.conf import settings; print(settings.DEMO)"
)


def start(env: dict[str, str], tmp_path: Path, *command: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("BEDRING_") and k != "DATABASE_URL"
    }
    clean.update({"BEDRING_VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, *(command or ("-c", PROBE))],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    result = start({}, tmp_path)
    assert result.returncode != 0
    assert "BEDRING_SECRET_KEY must be set" in result.stderr


def test_commands_that_only_read_the_code_need_no_secrets_and_the_others_still_do(tmp_path):
    """A bare checkout can check its migrations; migrating (data) still needs the keys."""
    checked = start({}, tmp_path, "manage.py", "makemigrations", "--check", "--dry-run")
    assert checked.returncode == 0, checked.stderr
    assert "No changes detected" in checked.stdout
    refused = start({}, tmp_path, "manage.py", "migrate", "--plan")
    assert refused.returncode != 0
    assert "BEDRING_SECRET_KEY must be set" in refused.stderr


def test_a_demo_install_starts_with_the_demo_key_and_a_production_one_with_its_own(tmp_path):
    assert start({"BEDRING_DEMO": "true"}, tmp_path).stdout.strip() == "True"
    (tmp_path / "demo-install").touch()
    assert start({}, tmp_path).stdout.strip() == "True"
    own = start(
        {
            "BEDRING_SECRET_KEY": "s" * 50,
            "BEDRING_PSEUDONYM_KEY": "p" * 50,
            "BEDRING_DEMO": "false",
        },
        tmp_path,
    )
    assert own.returncode == 0
    assert own.stdout.strip() == "False"


def test_a_wrong_boolean_names_the_variable(tmp_path):
    result = start({"BEDRING_DEMO": "maybe"}, tmp_path)
    assert result.returncode != 0
    assert "BEDRING_DEMO must be true or false" in result.stderr
