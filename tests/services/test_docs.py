"""The service examples of the docs: every service has one, and each passes its service's schema."""

from __future__ import annotations

import re
from typing import Any

import voluptuous as vol
import yaml
from homeassistant.util.yaml import load_yaml

from custom_components.ocpp_core import services
from custom_components.ocpp_core.services.pricing import PRICING_SCHEMAS
from custom_components.ocpp_core.services.security import SERVICE_SET_CHARGER_PASSWORD, SET_CHARGER_PASSWORD_SCHEMA
from custom_components.ocpp_core.services.tags import TAG_SCHEMAS

from .conftest import COMPONENT, ROOT

_BLOCK = re.compile(r"```yaml\n(.*?)```", re.S)


def _schemas() -> dict[str, vol.Schema]:
    schemas: dict[str, vol.Schema] = {service.name: service.schema for service in services.CHARGER_SERVICES}
    schemas[services.SERVICE_GET_TRANSACTIONS] = services.GET_TRANSACTIONS_SCHEMA
    schemas.update(TAG_SCHEMAS)
    schemas.update(PRICING_SCHEMAS)
    schemas[SERVICE_SET_CHARGER_PASSWORD] = SET_CHARGER_PASSWORD_SCHEMA
    return schemas


def _examples() -> list[tuple[str, dict[str, Any]]]:
    """Every `action: ocpp_core.…` block of the README and docs/, as (service, data)."""
    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for block in _BLOCK.findall(page.read_text(encoding="utf-8")):
            call = yaml.safe_load(block)
            if isinstance(call, dict) and str(call.get("action", "")).startswith("ocpp_core."):
                found.append((call["action"].removeprefix("ocpp_core."), call.get("data") or {}))
    return found


def test_every_service_has_an_example() -> None:
    described = set(load_yaml(str(COMPONENT / "services.yaml")))
    assert described - {name for name, _ in _examples()} == set()


def test_every_example_passes_its_schema() -> None:
    schemas = _schemas()
    examples = _examples()
    assert examples
    for name, data in examples:
        assert name in schemas, name
        schemas[name](data)  # raises vol.Invalid naming the field
