"""Every user-facing string is translatable, and the Danish, Norwegian Bokmål and Dutch
catalogues are complete: makemessages is run on a copy of the tree, so a string added to the
code without a translation fails here."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("da", "nb", "nl")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("tree")
    for name in ("bedring", "templates", "config", "locale"):
        shutil.copytree(
            ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
        )
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            *[f"-l{lang}" for lang in LANGUAGES],
            "--no-obsolete",
            "-v",
            "0",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    return copy / "locale"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_translates_every_string_in_the_code(fresh_catalogues, language):
    catalogue = polib.pofile(str(fresh_catalogues / language / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not missing, f"{language}: {len(missing)} untranslated, e.g. {missing[:5]}"
    assert not fuzzy, f"{language}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    """A singular translation has exactly the msgid's placeholders; a plural form may use the
    singular's or the plural's (the count appears only in the plural msgid, as in English)."""
    catalogue = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    for entry in catalogue.translated_entries():
        singular = set(PLACEHOLDER.findall(entry.msgid))
        if not entry.msgid_plural:
            assert set(PLACEHOLDER.findall(entry.msgstr)) == singular, (
                f"{language}: placeholders differ in {entry.msgid!r}"
            )
            continue
        plural = set(PLACEHOLDER.findall(entry.msgid_plural))
        for text in entry.msgstr_plural.values():
            found = set(PLACEHOLDER.findall(text))
            assert singular & plural <= found <= singular | plural, (
                f"{language}: placeholders differ in {entry.msgid!r}"
            )


@pytest.mark.parametrize("language", LANGUAGES)
def test_login_page_is_served_in_the_chosen_language(client, language, settings):
    # Given a visitor whose language cookie says Danish, Norwegian or Dutch
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    # When the login page is shown
    page = client.get("/accounts/login/").content.decode()
    # Then it is in that language
    with translation.override(language):
        heading = translation.gettext("Log in to Bedring")
    assert heading != "Log in to Bedring"
    assert f'lang="{language}"' in page and heading in page
