"""Home Assistant hosting the integration, for the benchmark's "ha" mode.

    python -m bench.ha_server --port 9000

Runs a Home Assistant core (the test harness of pytest-homeassistant-custom-component:
the real core, state machine, entity platforms and registries, in memory) with one
OCPP Core entry on the port, accepting every charger.  bench.run measures this
process's CPU per MeterValues like any other server.  On exit it prints to stderr
how many state writes each MeterValues caused.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import tempfile

from homeassistant import loader
from homeassistant.const import CONF_HOST, CONF_PORT, EVENT_STATE_CHANGED
from homeassistant.core import Event, callback
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_test_home_assistant

DOMAIN = "ocpp_core"


async def _serve(port: int) -> None:
    with tempfile.TemporaryDirectory() as config_dir:
        async with async_test_home_assistant(config_dir=config_dir) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)  # load ours from custom_components
            entry = MockConfigEntry(
                domain=DOMAIN,
                data={CONF_HOST: "127.0.0.1", CONF_PORT: port},
                options={"unknown_chargers": "accept"},
            )
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()

            writes = 0
            meter_messages = 0

            @callback
            def count_write(event: Event) -> None:
                nonlocal writes
                writes += 1

            def count_meter(event: object) -> None:
                nonlocal meter_messages
                if getattr(event, "type", None) == "connector_updated":
                    meter_messages += 1

            hass.bus.async_listen(EVENT_STATE_CHANGED, count_write)
            entry.runtime_data.central.events.subscribe(count_meter)

            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await stop.wait()
            per = writes / meter_messages if meter_messages else 0.0
            print(
                f"ha: {writes} state writes for {meter_messages} connector updates ({per:.2f} per message)",
                file=sys.stderr,
                flush=True,
            )
            with contextlib.suppress(Exception):
                await hass.config_entries.async_unload(entry.entry_id)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ha_server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    opts = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(_serve(opts.port))


if __name__ == "__main__":
    main()
