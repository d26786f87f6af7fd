"""The integration's translation files are generated from translations/ and cover every key used."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from custom_components.ocpp_core.sensor import CONNECTOR_SENSORS, STATION_SENSORS
from custom_components.ocpp_core.switch import CHARGE_SWITCH

ROOT = Path(__file__).resolve().parent.parent
COMPONENT_TRANSLATIONS = ROOT / "custom_components" / "ocpp_core" / "translations"


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("gen_translations", ROOT / "scripts" / "gen_translations.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_files_match_the_source() -> None:
    generated = _generator().build()  # type: ignore[attr-defined]
    assert set(generated) == {"en.json", "de.json", "nl.json", "es.json"}
    for name, text in generated.items():
        committed = (COMPONENT_TRANSLATIONS / name).read_text(encoding="utf-8")
        assert committed == text, f"{name} drifted from translations/{name}: run scripts/gen_translations.py"


def test_no_unresolved_references() -> None:
    for path in COMPONENT_TRANSLATIONS.glob("*.json"):
        assert "[%key:" not in path.read_text(encoding="utf-8"), path.name


def test_every_entity_and_state_is_translated() -> None:
    for path in (COMPONENT_TRANSLATIONS / name for name in ("en.json", "de.json")):  # the complete languages
        entity = json.loads(path.read_text(encoding="utf-8"))["entity"]
        for description in (*STATION_SENSORS, *CONNECTOR_SENSORS):
            if description.translation_key is None:
                assert description.device_class is not None  # named by its device class
                continue
            translated = entity["sensor"][description.translation_key]
            assert translated["name"], (path.name, description.key)
            if description.options:  # every state of an enum sensor, and no other
                assert set(translated["state"]) == set(description.options), (path.name, description.key)
        assert entity["switch"][CHARGE_SWITCH.translation_key]["name"]


def test_partial_languages_cover_the_flows_and_invent_nothing() -> None:
    english = json.loads((COMPONENT_TRANSLATIONS / "en.json").read_text(encoding="utf-8"))
    for name in ("nl.json", "es.json"):
        partial = json.loads((COMPONENT_TRANSLATIONS / name).read_text(encoding="utf-8"))
        assert partial["config"]["step"].keys() == english["config"]["step"].keys(), name
        assert partial["config"]["abort"].keys() == english["config"]["abort"].keys(), name
        assert partial["options"]["step"].keys() == english["options"]["step"].keys(), name
        for step_id, step in english["options"]["step"].items():
            for part in ("data", "menu_options"):
                assert partial["options"]["step"][step_id].get(part, {}).keys() == step.get(part, {}).keys(), step_id
