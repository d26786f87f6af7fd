"""The schema-aware fuzzer inside Home Assistant: hostile values, a charging session, then the Store.

The same fuzzer as tests/csms/test_fuzz_schema.py, against the integration's
own central system (entities, events and the Store on the other side of the
events): one well-formed answer per frame, no event-loop step over 50 ms (garbage collections aside; more on a slower machine), the
well-behaved charger answered within 300 ms, nothing logged at ERROR, and
what the hostile charger left behind can be written to the Store.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import pytest
from homeassistant.const import CONF_PORT
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core.const import CONF_STRICT_VALIDATION, DOMAIN

from .csms.support.fuzz_limits import MAX_ANSWER_S, SEED, charger_actions, machine_speed, max_step_s
from .csms.support.fuzz_run import fuzz_next_to_a_session
from .csms.support.helpers import BOOT, RawCharger
from .helpers_ha import ACCEPT_ALL, add_entry, state, until

FRAMES = int(os.environ.get("FUZZ_EXAMPLES", "100"))


@pytest.mark.parametrize(("version", "strict"), [("1.6", False), ("2.0.1", True), ("2.1", False)])
async def test_hostile_values_with_the_store(
    hass: HomeAssistant,
    enable_custom_integrations: None,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    version: str,
    strict: bool,
) -> None:
    caplog.set_level(logging.WARNING)
    entry: MockConfigEntry = await add_entry(hass, options={**ACCEPT_ALL, CONF_STRICT_VALIDATION: strict})
    central = entry.runtime_data.central
    # the fuzzer sends as fast as it is answered: the message rate limit is not what is tested here
    central.config.max_message_rate = central.config.max_message_burst = 100_000
    url = f"ws://127.0.0.1:{entry.data[CONF_PORT]}"

    result = await fuzz_next_to_a_session(
        url, version, charger_actions(central, version), SEED, FRAMES, central.config.max_frame_size - 100
    )
    await hass.async_block_till_done()

    assert result.steps.worst <= max_step_s(), (result.steps.longest, result.steps.gc_worst, machine_speed())
    assert result.worst_answer[0] <= MAX_ANSWER_S, result.worst_answer
    ended = [t for t in central.transactions(f"good-{version}") if not t["open"]]
    assert len(ended) == 1 and ended[0]["energy_wh"] and ended[0]["energy_wh"] > 0, ended
    # the Store takes everything now
    await central.state.store.save_now()
    await hass.async_block_till_done()
    stored = hass_storage[f"{DOMAIN}.{entry.entry_id}"]["data"]
    assert f"fuzz-{version}" in stored["stations"] and f"good-{version}" in stored["stations"]
    assert await hass.config_entries.async_unload(entry.entry_id)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not errors, [(r.getMessage()[:500], r.exc_text) for r in errors[:5]]


async def test_a_text_too_long_for_a_state_is_unknown(
    hass: HomeAssistant, entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """Lenient mode takes any text for an enum (a charger's own status word); one longer than a state may
    be made Home Assistant log an error on every write of the sensor (firmware status, connector error)."""
    charger = await RawCharger.connect(f"ws://127.0.0.1:{entry.data[CONF_PORT]}", "longtext")
    try:
        await charger.call("BootNotification", BOOT)
        assert (await charger.call("FirmwareStatusNotification", {"status": "Installed"}, "f1"))[0] == 3
        await until(hass, lambda: state(hass, "sensor.longtext_firmware_status") == "Installed")
        assert (await charger.call("FirmwareStatusNotification", {"status": "7" * 300}, "f2"))[0] == 3
        await until(hass, lambda: state(hass, "sensor.longtext_firmware_status") == "unknown")
    finally:
        await charger.close()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
