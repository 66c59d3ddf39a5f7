"""Fill in translations for msgids from a small table: `python scripts/translate.py FILE.json`.

The JSON maps msgid -> {"da": ..., "nb": ..., "nl": ...}. Used when a handful of strings are
added; the catalogues stay the source of truth and tests/test_translations.py checks them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main(table_path: str) -> None:
    table = json.loads(Path(table_path).read_text(encoding="utf-8"))
    for language in ("da", "nb", "nl"):
        path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
        catalogue = polib.pofile(str(path))
        for entry in catalogue:
            if entry.msgid in table and (not entry.translated() or entry.fuzzy):
                entry.msgstr = table[entry.msgid][language]
                if entry.fuzzy:
                    entry.flags.remove("fuzzy")
                    entry.previous_msgid = None
        catalogue.save(str(path))


if __name__ == "__main__":
    main(sys.argv[1])
