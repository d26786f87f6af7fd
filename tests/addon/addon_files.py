"""Paths and the parsed files of the add-on (addon/: what the Supervisor reads and builds)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
ADDON = ROOT / "addon"
# the add-on linter's schema (frenck/action-addon-linter, MIT), copied from the shared addon-linter folder
LINTER = ROOT / "tests" / "fixtures" / "addon-linter"
SERVICE = ADDON / "rootfs" / "etc" / "s6-overlay" / "s6-rc.d" / "ocpp-core"


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@functools.cache
def _config() -> dict[str, Any]:
    loaded = load_yaml(ADDON / "config.yaml")
    assert isinstance(loaded, dict)
    return loaded


def addon_config() -> dict[str, Any]:
    """addon/config.yaml, parsed (a copy: a test may change it)."""
    return dict(_config())
