"""Remote mode in a real Home Assistant (issue 17): `scripts/develop --with-addon` beside `scripts/addon`, a
simulated 1.6 charger on the add-on's app, and one real restart of `hass` while the charger charges on and ends
its session — then the app killed and started again under the running HA.  bench/ha_restart.py's scenario, with
its correctness as assertions (its timings are the bench's figures, not asserted here).

Subprocesses as tests/test_dev_instance.py (marker dev_instance); .venv-dev and .venv-addon are created once and
reused.  One module, one test: two starts of HA, about 45 s here."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_socket

from bench.ha_restart import scenario

pytestmark = [pytest.mark.dev_instance, pytest.mark.usefixtures("socket_enabled")]


def test_a_restart_of_home_assistant_keeps_the_charger_connected_and_misses_nothing(tmp_path: Path) -> None:
    pytest_socket.enable_socket()
    figures = scenario(tmp_path, charge_s=2.0, down_s=2.0)
    # the charger's WebSocket is the add-on's: HA's restart never closed it
    assert figures.reconnects_across_ha_restart == 0, figures
    # the state now, at once, from the add-on's snapshot: the register and the session that ended meanwhile, exact
    assert figures.register_shown_s is not None, figures
    assert figures.session_shown_s is not None, figures
    # the session-ended event of the time HA was down delivered once, with the session's energy; the started one
    # (seen live, before the restart) not again
    (ended,) = figures.ended_events
    assert (ended["charger"], ended["energy_wh"]) == ("bench-restart-1", figures.session_wh), ended
    assert figures.started_events == 1, figures
    # what the energy dashboard's statistics are made of: never a drop (a drop counts as a meter reset: a spike)
    numbers = [float(state) for state in figures.energy_states if state not in ("unknown", "unavailable")]
    assert len(numbers) >= 3 and numbers == sorted(numbers), figures.energy_states
    assert numbers[-1] * 1000 == pytest.approx(figures.register_wh), figures
    # HA's first state after its start is the register now: no stale value, no unknown in between
    assert figures.first_state_after_restart is not None, figures.energy_states
    assert float(figures.first_state_after_restart) * 1000 == pytest.approx(figures.register_wh), figures
    # the app killed under HA: unavailable with a repair issue, then back without a reload
    assert figures.addon_unavailable_s is not None and figures.addon_issue_s is not None, figures
    assert figures.addon_back_s is not None and figures.addon_issue_cleared, figures
    assert figures.entry_state_after == "loaded", figures
    assert figures.stream_connects == 2, figures
    assert figures.reconnects_across_addon_restart == 1, figures
