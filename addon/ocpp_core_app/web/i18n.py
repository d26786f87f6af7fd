"""The UI's words in English and German: one catalog per area (i18n/<area>/en.json and de.json), so each area's
texts live apart; every key exists in both languages (tests/addon/web/test_i18n.py checks it).

Language: the `lang` cookie (the switch in the footer), else the browser's Accept-Language, else English.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "de")
DEFAULT = "en"
CATALOGS = Path(__file__).parent / "i18n"


@cache
def catalog(lang: str) -> dict[str, str]:
    """Every area's keys for `lang` (an area's key is "<area>.<key>" unless it already starts so)."""
    merged: dict[str, str] = {}
    for area in sorted(p for p in CATALOGS.iterdir() if p.is_dir()):
        path = area / f"{lang}.json"
        if path.is_file():
            merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def translate(lang: str, key: str, **values: object) -> str:
    """The text of `key` (the key itself when missing, so a gap shows instead of breaking the page)."""
    text = catalog(lang).get(key) or catalog(DEFAULT).get(key) or key
    return text.format(**values) if values else text


def from_accept_language(header: str | None) -> str:
    """The first language of the header we have (q-values honoured), else English."""
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            choices.append((-quality, index, primary))
    return min(choices)[2] if choices else DEFAULT


def pick(cookie: str | None, accept_language: str | None) -> str:
    return cookie if cookie in LANGUAGES else from_accept_language(accept_language)
