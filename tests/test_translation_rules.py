"""scripts/translation_rules.py reports every string Home Assistant would reject or fail to render.

Each rule gets the kind of string that broke the setup form or a service description
once (issue 12) and a string it must let through.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from scripts.translation_rules import mismatched, placeholders, problems, string_problems

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("value", "why"),
    [
        # INVALID_TAG in the frontend, HTML for hassfest (the first setup form, EN/DE/ES/NL)
        ("Point each charger at ws://<this host>:<port>/<charger id>.", "tag"),
        # UNCLOSED_TAG (the connector names' descriptions)
        ("Empty: <charger>:1.", "tag"),
        ("Bold <b>text</b>", "tag"),
        # INVALID_ARGUMENT_TYPE (get_variables / set_variables / send_local_list)
        ("objects {component, variable, attributeType}", "argument with a type"),
        ("A list of {idTag, idTagInfo: {status, expiryDate}}", "nested"),
        ("Not an identifier: {charger id}", "not an identifier"),
        ("{1st}", "not an identifier"),
        ("Unbalanced { brace", "unclosed"),
        ("Unbalanced } brace", "unmatched"),
        # ICU quoting: shown as a literal '{name}', never filled in
        ("Charger '{name}' is offline", "single quotes"),
        ("It's '{name}", "apostrophe"),
        (" leading space", "whitespace"),
        ("trailing space ", "whitespace"),
        ("See https://example.com/docs for more", "URL"),
        ("Same as [%key:common::config_flow::data::host%]", "reference"),
    ],
)
def test_each_rule_reports_a_bad_string(value: str, why: str) -> None:
    found = string_problems(value)
    assert any(why in problem for problem in found), (value, found)


@pytest.mark.parametrize(
    "value",
    [
        "Point each charger at ws://HOST:PORT/CHARGER-ID (security profiles 2 and 3: wss://).",
        "Charger **{name}** ({vendor} {model}) wants to connect.",
        "The charger's name and :1.",
        "Limit < 6 A or > 32 A is refused; a => b",
        "Fallback: {error}",
    ],
)
def test_good_strings_pass(value: str) -> None:
    assert string_problems(value) == []


def test_keys_follow_hassfest() -> None:
    assert problems({"config::step::user::title": "Title"}) == []
    assert problems({"config::step::User::title": "Title"}) != []
    assert problems({"entity::sensor::status__x::name": "Name"}) != []


def test_placeholders_must_match_english() -> None:
    english = {"a": "Charger {name} on {port}", "b": "No placeholder"}
    assert mismatched(english, {"a": "Ladestation {name} an {port}", "b": "Kein Platzhalter"}) == []
    # a translator's own name for a placeholder is never filled in
    assert mismatched(english, {"a": "Ladestation {Name} an {port}"}) != []
    assert mismatched(english, {"a": "Ladestation {name}"}) != []
    assert mismatched(english, {"b": "Neu: {extra}"}) != []
    assert placeholders("x {a} {b} {a}") == {"a", "b"}


def _generator(root: Path) -> object:
    spec = importlib.util.spec_from_file_location("gen_translations_copy", root / "scripts" / "gen_translations.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generator_refuses_a_bad_source(tmp_path: Path) -> None:
    """gen_translations.py (and so its --check in CI) fails naming the key and the rule."""
    (tmp_path / "scripts").mkdir()
    for script in ("gen_translations.py", "translation_rules.py"):
        shutil.copy(ROOT / "scripts" / script, tmp_path / "scripts")
    shutil.copytree(ROOT / "translations", tmp_path / "translations", ignore=shutil.ignore_patterns("__pycache__"))
    generator = _generator(tmp_path)
    generator.build()  # type: ignore[attr-defined]  # the committed sources pass

    english_path = tmp_path / "translations" / "en.json"
    english = json.loads(english_path.read_text(encoding="utf-8"))
    english["config"]["step"]["user"]["description"] = "Point each charger at ws://<this host>:<port>/<charger id>"
    english_path.write_text(json.dumps(english), encoding="utf-8")
    with pytest.raises(SystemExit, match=r"en\.json: config::step::user::description: '<this host>'"):
        generator.build()  # type: ignore[attr-defined]


def test_the_generator_refuses_a_translation_with_other_placeholders(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    for script in ("gen_translations.py", "translation_rules.py"):
        shutil.copy(ROOT / "scripts" / script, tmp_path / "scripts")
    shutil.copytree(ROOT / "translations", tmp_path / "translations", ignore=shutil.ignore_patterns("__pycache__"))
    german_path = tmp_path / "translations" / "de.json"
    german = json.loads(german_path.read_text(encoding="utf-8"))
    german["config"]["step"]["confirm_charger"]["description"] = "Die Ladestation {Name} möchte sich verbinden."
    german_path.write_text(json.dumps(german, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(SystemExit, match=r"de\.json: config::step::confirm_charger::description: placeholders"):
        _generator(tmp_path).build()  # type: ignore[attr-defined]
