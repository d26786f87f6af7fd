"""Replay frames real chargers sent (tests/fixtures/traces, from public bug reports).

A real charger's message must never be refused for a quirk we can tolerate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from custom_components.ocpp_core.csms import CentralSystem

from .support.helpers import RawCharger

TRACES = Path(__file__).resolve().parent.parent / "fixtures" / "traces"


def _load(path: Path) -> tuple[dict[str, Any], list[list[Any]]]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    meta = lines[0]["meta"]
    calls = [entry["frame"] for entry in lines[1:] if entry["dir"] == "cp->csms" and entry["frame"][0] == 2]
    return meta, calls


FILES_16 = sorted(p for p in TRACES.glob("*.jsonl") if _load(p)[0]["ocpp"] == "1.6")


@pytest.mark.parametrize("path", FILES_16, ids=lambda p: p.stem)
async def test_trace_accepted_in_lenient_mode(central: CentralSystem, url: str, path: Path) -> None:
    meta, calls = _load(path)
    charger = await RawCharger.connect(url, path.stem[:48])
    for frame in calls:
        reply = await charger.send_raw(json.dumps(frame))
        assert reply[0] == 3, f"{meta['brand']}: {frame} refused with {reply}"
        assert reply[1] == frame[1]
    await charger.close()


def test_traces_cover_every_16_brand() -> None:
    assert len(FILES_16) >= 20


async def test_schema_quirks_are_real(central: CentralSystem, url: str) -> None:
    """The same frames that lenient mode takes are refused in strict mode — the tolerance is doing work."""
    central.config.lenient = False
    refused = 0
    for path in FILES_16:
        meta, calls = _load(path)
        if not any(q.startswith("schema:") for q in meta.get("quirks", [])):
            continue
        charger = await RawCharger.connect(url, "strict-" + path.stem[:40])
        for frame in calls:
            reply = await charger.send_raw(json.dumps(frame))
            refused += reply[0] == 4
        await charger.close()
    assert refused >= 2


async def test_trace_values_land_in_the_model(central: CentralSystem, url: str) -> None:
    _meta, calls = _load(TRACES / "keba-kc_m20-1.6-1.jsonl")
    charger = await RawCharger.connect(url, "keba")
    for frame in calls:
        await charger.send_raw(json.dumps(frame))
    await charger.close()
    station = central.stations["keba"]
    assert station.vendor == "Keba AG"
    assert {2, 3} <= set(station.connectors)
