"""The web UI's parts on their own: tiles (naming and colour) from a real central system with simulated
chargers, the session chart, numbers in each language, the ingress prefix taken only in the Supervisor's form."""

from __future__ import annotations

import re
from typing import Any

from ocpp_core_app.web.chart import session_chart
from ocpp_core_app.web.context import INGRESS_PATH
from ocpp_core_app.web.formats import day_bounds, duration, number, price
from ocpp_core_app.web.ha_roles import HaRoles
from ocpp_core_app.web.tiles import all_tiles

from custom_components.ocpp_core.csms import CentralSystem
from sim.charger16 import connect as connect16
from tests.addon.app_process import free_port
from tests.csms.support.helpers import wait_for
from tests.csms.support.helpers_v201 import booted

from .harness import SUPERVISOR_TOKEN, Supervisor

LABELS = {"energy": "Energy", "power": "Power", "none": "No readings"}


async def _charger(url: str, cp_id: str, connectors: int) -> tuple[Any, Any, Any]:
    cp, task, ws = await connect16(url, cp_id, connectors=connectors)
    await cp.boot()
    await cp.send_all_statuses()
    return cp, task, ws


async def test_tiles_one_per_charger_or_per_connector_named_as_the_integration_names_them(
    central: CentralSystem, url: str
) -> None:
    one, task1, ws1 = await _charger(url, "SINGLE", 1)
    two, task2, ws2 = await _charger(url, "TWIN", 2)
    await wait_for(lambda: central.stations["TWIN"].connectors.get(2) is not None
                   and central.stations["TWIN"].connectors[2].status == "Available")  # fmt: skip
    await central.update_settings("TWIN", {"friendly_name": "Garage", "connector_names": {2: "Left"}})
    tiles = all_tiles(central)
    assert [(t.charger_id, t.connector_id, t.name, t.state) for t in tiles] == [
        ("TWIN", 1, "Garage:1", "available"),
        ("TWIN", 2, "Left", "available"),
        ("SINGLE", None, "SINGLE", "available"),
    ]
    two.sim.connectors[2].power_w = 7000.0
    await two.start_transaction(2, "T1")
    await two.send_meter_values(2)
    await wait_for(lambda: all_tiles(central)[1].power_w is not None)
    charging = all_tiles(central)[1]
    assert (charging.state, charging.session_start is not None, charging.soc) == ("charging", True, 57.0)
    await one.send_status(1, "Faulted", error_code="GroundFailure")
    await wait_for(lambda: all_tiles(central)[2].state == "faulted")
    assert all_tiles(central)[2].error_code == "GroundFailure"
    await two.stop_transaction(2)
    await wait_for(lambda: all_tiles(central)[1].state == "available")
    assert all_tiles(central)[1].power_w is None  # no stale power once the session ended
    await ws1.close()
    await wait_for(lambda: all_tiles(central)[2].state == "offline")
    await ws2.close()
    for task in (task1, task2):
        task.cancel()


def test_the_chart_counts_energy_from_the_meter_start() -> None:
    samples = [
        ("2026-12-01T10:00:00+00:00", 1_000_500.0, 7000.0),
        ("2026-12-01T10:30:00+00:00", 1_004_000.0, 7000.0),
        ("2026-12-01T11:00:00+00:00", 1_007_500.0, None),
    ]
    svg = str(session_chart("de", samples, 1_000_000.0, LABELS))
    energy = re.search(r'class="energy" points="([^"]+)"', svg)
    assert energy is not None and len(energy.group(1).split()) == 3
    assert re.search(r'class="power" points="[^"]+"', svg)  # two power samples
    assert ">7,50<" in svg  # the top of the energy axis: 7.5 kWh since the meter start, German
    assert "No readings" in str(session_chart("en", samples[:1], None, LABELS))


def test_numbers_durations_and_dates() -> None:
    assert number("de", 1234.5, 1) == "1.234,5"
    assert number("en", 1234.5, 1) == "1,234.5"
    assert number("en", None) == "–"
    assert duration(3725) == "1:02:05"
    # a tariff's price as the cost column writes money, its own further decimals kept
    assert price("de", "0.3", "EUR", 2) == "0,30\u00a0EUR"
    assert price("en", "1234.5", "EUR", 2) == "1,234.50\u00a0EUR"
    assert price("de", "0.3549", "EUR", 2) == "0,3549\u00a0EUR"
    assert price("de", "5", "JPY", 0) == "5\u00a0JPY"
    assert price("de", "0.1", "XYZ", None) == "0,10\u00a0XYZ"
    assert price("de", None, "EUR", 2) == price("de", "NaN", "EUR", 2) == ""
    assert day_bounds("2026-02-30") is None
    bounds = day_bounds("2026-03-01")
    assert bounds is not None and (bounds[1] - bounds[0]).days == 1


def test_only_the_supervisors_ingress_path_is_taken_as_the_prefix() -> None:
    assert INGRESS_PATH.match("/api/hassio_ingress/AbC-12_x")
    for bad in ("/evil", "//evil.example/x", "/api/hassio_ingress/a/../../x", '/api/hassio_ingress/a"><script>', ""):
        assert not INGRESS_PATH.match(bad), bad


async def test_the_admin_role_comes_from_home_assistant_and_fails_safe() -> None:
    supervisor = Supervisor()
    await supervisor.start()
    try:
        url = f"ws://127.0.0.1:{supervisor.port}/core/websocket"
        roles = HaRoles(url, SUPERVISOR_TOKEN)
        assert await roles.is_admin("admin-id") is True
        assert await roles.is_admin("user-id") is False
        assert supervisor.auth_lists == 1  # kept a minute
        # the Supervisor proxy's protocol: auth with the token, then the command
        assert supervisor.core_frames == [
            {"type": "auth", "access_token": SUPERVISOR_TOKEN},
            {"id": 1, "type": "config/auth/list"},
        ]
        # a token Core refuses, no token, nobody listening: nobody is admin
        assert await HaRoles(url, "wrong").is_admin("admin-id") is False
        assert await HaRoles(url, None).is_admin("admin-id") is False
        assert (
            await HaRoles(f"ws://127.0.0.1:{free_port()}/core/websocket", SUPERVISOR_TOKEN).is_admin("admin-id")
            is False
        )
        # Core down (the proxy answers 502), or not reachable once the proxy said auth_ok (it closes): no admin
        for core in ("down", "unreachable"):
            supervisor.core = core
            assert await HaRoles(url, SUPERVISOR_TOKEN).is_admin("admin-id") is False, core
        assert supervisor.auth_lists == 1
    finally:
        await supervisor.stop()


async def test_tiles_of_a_201_station_with_two_evses(central: CentralSystem, url: str) -> None:
    station = await booted(central, url, "ST-TWO", evses=2)
    assert [(t.name, t.state) for t in all_tiles(central)] == [("ST-TWO:1", "available"), ("ST-TWO:2", "available")]
    await station.start_transaction(2, "TAG-9")
    await wait_for(lambda: all_tiles(central)[1].state == "charging")
    assert all_tiles(central)[1].session_start is not None
    await station.stop_transaction(2)
    await wait_for(lambda: all_tiles(central)[1].state != "charging")
    await station.close()
