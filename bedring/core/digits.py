"""Numbers typed by people: ASCII digits only.

``str.isdigit`` and ``int()`` accept any Unicode digit (full-width ``１２``, Arabic-Indic
``١٢``; ``isdigit`` even superscript ``²``, which ``int()`` then refuses), and a regular
expression's ``\\d`` matches all of them. Text from a request is read here instead: NFKC first,
so a full-width number is the number it shows, then ASCII 0-9 only; digits of another script are
not a number (docs/architecture.md, "Decisions where the sources are silent").
"""

from __future__ import annotations

import re
import unicodedata

ASCII_NUMBER = re.compile(r"[0-9]+")
# No count, page or year anyone types is longer; int() of a longer text is refused by Python
# anyway (4300 digits), this refuses it before NFKC is asked to do any work.
MAX_DIGITS = 18


def ascii_digits(text: str) -> str | None:
    """The ASCII digits ``text`` is (after NFKC and stripping), or None when it is anything
    else: empty, a sign, a letter, a digit of another script, more than ``MAX_DIGITS``."""
    text = text.strip()
    if len(text) > MAX_DIGITS:
        return None
    text = unicodedata.normalize("NFKC", text)
    return text if ASCII_NUMBER.fullmatch(text) and len(text) <= MAX_DIGITS else None
