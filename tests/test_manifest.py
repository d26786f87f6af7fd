"""The manifest's requirements are what the central system is tested with (requirements/core.txt).

Our own libraries are pinned exactly.  A library Home Assistant installs for itself (it bounds it in its
package_constraints.txt) is asked for from our pin up: an exact pin would make Home Assistant replace its shared
copy with ours, older than the one it ships (websockets 16.1 by 2026.8), under its own integrations and while it
runs; so the central system runs on whichever release it finds, and CI tests the newest too
(scripts/test --newest-websockets).
"""

from __future__ import annotations

import json
from pathlib import Path

import homeassistant
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "custom_components" / "ocpp_core" / "manifest.json"


def _pins(path: Path) -> dict[str, str]:
    lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {(req := Requirement(line)).name: str(req.specifier) for line in lines if line and not line.startswith("-")}


def _shipped_by_home_assistant() -> set[str]:
    """What Home Assistant bounds for every integration (the installed release's package_constraints.txt)."""
    return set(_pins(Path(homeassistant.__file__).parent / "package_constraints.txt"))


def test_the_manifest_asks_for_what_the_central_system_is_tested_with() -> None:
    tested = _pins(ROOT / "requirements" / "core.txt")
    asked = {
        (req := Requirement(line)).name: str(req.specifier) for line in json.loads(MANIFEST.read_text())["requirements"]
    }
    assert set(asked) == set(tested)
    shipped = _shipped_by_home_assistant()
    for name, spec in asked.items():
        version = tested[name].removeprefix("==")
        want = f">={version}" if name in shipped else f"=={version}"
        assert spec == want, f"{name}: {spec} (want {want}: {'Home Assistant ships it' if name in shipped else 'ours'})"


def test_websockets_is_one_home_assistant_bounds() -> None:
    """The reason for its lower bound holds on the Home Assistant we test with."""
    assert "websockets" in _shipped_by_home_assistant()
