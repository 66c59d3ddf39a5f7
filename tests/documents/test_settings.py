"""The documents directory can never be one the web server serves: Bedring refuses to start."""

from __future__ import annotations

from pathlib import Path

from tests.test_settings import ROOT, start


def test_a_documents_dir_inside_the_static_files_is_refused_at_start(tmp_path: Path):
    result = start(
        {"BEDRING_DEMO": "true", "BEDRING_DOCUMENTS_DIR": str(ROOT / "static" / "documents")},
        tmp_path,
    )
    assert result.returncode != 0
    assert "BEDRING_DOCUMENTS_DIR" in result.stderr


def test_the_default_documents_dir_is_under_var(tmp_path: Path):
    probe = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; "
        "django.setup(); from django.conf import settings; print(settings.BEDRING_DOCUMENTS_DIR)"
    )
    result = start({"BEDRING_DEMO": "true"}, tmp_path, "-c", probe)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == (tmp_path / "documents").resolve()
