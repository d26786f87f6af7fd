"""Every text of the web UI in English and German: the same keys in both catalogs, every key a template or
module asks for exists, no template text left untranslated, the language picked from Accept-Language."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
from ocpp_core_app.web import i18n
from ocpp_core_app.web.render import TEMPLATES

WEB = Path(i18n.__file__).parent
# t("key") / ctx.t("key") / t('key') in templates and modules; keys in registry calls (nav=…), labels, FormErrors
KEY_USE = re.compile(r"""(?:\bt\(|nav=|Column\(|FormError\(|\blabel=)\s*["']((?:core|admin|users)\.[a-z0-9_.]+)["']""")
KEY_LITERAL = re.compile(r"""["']((?:core)\.[a-z_]+\.[a-z0-9_.]+)["']""")


# the admin pages' keys built from a value: prefix -> every value it is built with
ADMIN_BUILT = {
    "admin.inbox.": ("chargers", "tags"),
    "admin.inbox.empty.": ("charger", "tag"),
    "admin.inbox.decision.": ("accepted", "refused"),
    "admin.inbox.reason.": ("pending", "rejected", "missing_credentials", "no_password_set", "wrong_password",
                            "not_admitted", "max_stations"),
    "admin.inbox.done.": (*(f"{k}.{a}" for k in ("charger", "tag") for a in ("accept", "refuse", "forget")),
                          "charger.accept_over_cap"),
    "admin.inbox.error.": ("bad_password", "unknown_entry", "bad_id", "duplicate_tag", "unknown_tag", "bad_name"),
    "admin.tag.status.": ("Accepted", "Blocked", "Expired", "Invalid"),
    "admin.log.dir.": ("in", "out"),
    "admin.log.kind.": ("call", "result", "error"),
}  # fmt: skip


def _areas() -> list[Path]:
    return sorted(p for p in i18n.CATALOGS.iterdir() if p.is_dir())


@pytest.mark.parametrize("area", _areas(), ids=lambda p: p.name)
def test_each_area_has_the_same_keys_in_both_languages(area: Path) -> None:
    catalogs = {lang: json.loads((area / f"{lang}.json").read_text(encoding="utf-8")) for lang in i18n.LANGUAGES}
    assert set(catalogs["en"]) == set(catalogs["de"])
    for lang, catalog in catalogs.items():
        for key, text in catalog.items():
            assert isinstance(text, str) and text.strip(), (lang, key)
            # the placeholders match across the languages
            fields = {name for _, name, _, _ in string.Formatter().parse(text) if name}
            english = {name for _, name, _, _ in string.Formatter().parse(catalogs["en"][key]) if name}
            assert fields == english, (lang, key)
            # a key belongs to its area
            assert key.startswith(area.name + "."), key


def test_the_areas_keep_apart() -> None:
    seen: dict[str, str] = {}
    for area in _areas():
        for key in json.loads((area / "en.json").read_text(encoding="utf-8")):
            assert key not in seen, f"{key} in {area.name} and {seen[key]}"
            seen[key] = area.name


def _sources() -> list[Path]:
    return [*WEB.rglob("*.py"), *TEMPLATES.rglob("*.html")]


def test_every_key_asked_for_exists() -> None:
    english, german = i18n.catalog("en"), i18n.catalog("de")
    asked = set()
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        asked |= set(KEY_USE.findall(text)) | set(KEY_LITERAL.findall(text))
    # keys built from a state or an action (the admin pages' built keys are checked below)
    prefixes = {"core.state.", "core.command.done.", *ADMIN_BUILT}
    asked = {key for key in asked if key.rstrip(".") + "." not in prefixes}
    assert asked, "the scan found no keys"
    assert sorted(asked - set(english)) == []
    assert sorted(asked - set(german)) == []
    from ocpp_core_app.web.commands import ACTIONS
    from ocpp_core_app.web.tiles import AVAILABLE, CHARGING, FAULTED, OCCUPIED, OFFLINE, UNKNOWN

    for state in (AVAILABLE, OCCUPIED, CHARGING, FAULTED, OFFLINE, UNKNOWN):
        assert f"core.state.{state}" in english and f"core.state.{state}" in german
    for action in ACTIONS:
        assert f"core.command.done.{action}" in english and f"core.command.done.{action}" in german
    for prefix, endings in ADMIN_BUILT.items():
        for ending in endings:
            assert prefix + ending in english and prefix + ending in german, prefix + ending


# what may stand in a template outside {{ }} / {% %} and tags: punctuation, units, symbols (no words)
UNTRANSLATED_OK = re.compile(r"^[\s·›:–%/()|,.&;#0-9]*$")
# the language switch names each language in itself; units and OCPP's own words are the same in both
SAME_IN_BOTH = {"English", "Deutsch", "kW", "%", "OCPP"}


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_no_template_text_is_left_untranslated(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    words = [w for w in re.split(r"\s{2,}|\n", text) if w.strip()]
    tokens = [t for w in words for t in w.split() if not UNTRANSLATED_OK.match(t)]
    assert [t for t in tokens if t not in SAME_IN_BOTH] == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("en-US,en;q=0.9,de;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,de;q=0.5", "de"),
        ("fr-FR", "en"),
        ("", "en"),
        (None, "en"),
        ("en;q=0.2,de;q=0.7", "de"),
        ("de;q=0,en", "en"),
        ("de;q=x", "en"),
    ],
)
def test_the_language_follows_the_browser(header: str | None, expected: str) -> None:
    assert i18n.from_accept_language(header) == expected


def test_the_switch_wins_over_the_browser() -> None:
    assert i18n.pick("en", "de-DE") == "en"
    assert i18n.pick("xx", "de-DE") == "de"
